"""Which inflections of a heard word are offered back when only the CLM's text lacked them."""
from jargonaut.asr.decoder.lost_endings import EndingCandidates, as_written, siblings


def test_siblings_add_or_take_off_an_inflectional_ending():
    assert {"scaled", "scales"} <= set(siblings("scale"))
    assert "stopped" in siblings("stop") and "stop" in siblings("stopped")
    assert {"policies"} <= set(siblings("policy")) and "policy" in siblings("policies")
    assert "exporter" in siblings("exporters") and "mismatched" in siblings("mismatch")


def test_only_general_words_the_text_never_writes_are_offered():
    text = {"scale", "scaling", "exporter", "node", "nodes"}
    general = {"scaled": 3.55, "scales": 3.98, "exporters": 3.3, "noded": 0.0}
    offer = EndingCandidates(text.__contains__, general.get, 2.5)
    assert set(offer("scale")) == {"scaled", "scales"}
    assert offer("Exporter") == ["Exporters"]  # in the casing it was heard in
    assert offer("nodes") == []  # the text writes both forms: its choice is evidence
    assert offer("scaled") == []  # a word the text never writes is Whisper's, not the CLM's


def test_casing_follows_the_heard_word():
    assert as_written("KEDA", "kedas") == "KEDAS" and as_written("Scale", "scaled") == "Scaled"
    assert as_written("scale", "scaled") == "scaled"
