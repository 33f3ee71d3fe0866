"""The term spotter reads a term in a span's place as Whisper's own decoder would: its batched
continuation scores equal CTranslate2's teacher-forced token probabilities (`align`)."""
import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def window(jfk_float32):
    return jfk_float32


def _ctranslate2_logprob(whisper, encoded, start: list[int], tokens: list[int]) -> float:
    """ln P(tokens | start) by CTranslate2's alignment pass (the probability of each text token)."""
    result = whisper.model.align(encoded, start, [tokens], 1100)[0]
    return float(np.sum(np.log(result.text_token_probs)))


def test_continuations_score_as_ctranslate2_reads_them(window):
    from jargonaut.asr.decoder.term_spotting import continuation_logprobs

    whisper, decoder, vocab, encoded = window
    said = vocab.encode(" And so my fellow Americans, ask not")
    misheard = vocab.encode(" And so my fellow Armenians, ask not")
    other = vocab.encode(" And so my")
    start = [vocab.sot]
    cross = decoder.cross_kv(np.array(encoded)[0])
    # one batch of rows of different lengths: a shorter row's padding must not leak into others
    got = continuation_logprobs(decoder, cross, start + [vocab.no_timestamps], [said, misheard, other])
    want = [_ctranslate2_logprob(whisper, encoded, start, tokens) for tokens in (said, misheard, other)]
    # float32 rounding, summed over the tokens (measured: at most 0.004 nats a token)
    tolerance = [0.01 * len(tokens) for tokens in (said, misheard, other)]
    assert all(abs(g - w) <= t for g, w, t in zip(got, want, tolerance)), (got, want)
    assert got[0] > got[1]  # the audio says "Americans"
    alone = [continuation_logprobs(decoder, cross, start + [vocab.no_timestamps], [t])[0] for t in (said, other)]
    assert np.allclose([got[0], got[2]], alone, atol=1e-4)


def test_a_term_heard_as_everyday_words_is_spotted(eval_dir, biomed_clm):
    """At 8 kHz Whisper hears "Zebrafish were used" as "With that breakfast, we're used": no span
    is spelled like the term, so likeness alone never offers it. Read in the span's place, the
    audio nearly supports it (about 2 nats short, with the CLM's gain) and its own pass 2 writes
    it; without spotting the words stay as heard. The clip opens on the term's first sound, and
    it is read from there (no lead-in, asr/lead_in.py: with silence ahead of it Whisper hears
    the term itself)."""
    from dataclasses import replace

    from jargonaut.asr.audio import decode
    from jargonaut.asr.engine import SpeechEngine
    from jargonaut.evaluate.manifests import read_manifest
    from tests.asr.parts import engine

    from_first_sample = SpeechEngine(replace(engine().options, lead_in_s=0.0), engine().base_models)
    base = engine().base_models["NarrowBand"]
    fusion = engine().options.fusion_for(base)
    assert fusion.biasing.spot_margin is not None
    item, = read_manifest(eval_dir / "biomed-tts" / "test.tsv", "wav8", ids=["test_053"])
    audio = decode(item.audio)
    unspotted = from_first_sample.text(audio, base, biomed_clm, fusion=replace(
        fusion, biasing=replace(fusion.biasing, spot_margin=None)))
    assert "Zebrafish" not in unspotted, unspotted
    spotted = from_first_sample.text(audio, base, biomed_clm, fusion=fusion)
    assert spotted.startswith("Zebrafish were used to screen for toxic compounds"), spotted


@pytest.mark.parametrize("backend", ["numpy", "onnxruntime"])
def test_a_draft_read_once_answers_for_each_prefix(window, model_dir, backend):
    """The spotter reads a draft once and cuts the cache at each span (`PrefixReader`): every
    prefix answers as a decoder that read only that prefix, on both decoder backends."""
    from jargonaut.asr.decoder.model import WhisperDecoder
    from jargonaut.asr.decoder.onnx_step import OrtWhisperDecoder
    from jargonaut.asr.decoder.term_spotting import PrefixReader, continuation_logprobs
    from jargonaut.asr.decoder.weights import load_weights

    _, _, vocab, encoded = window
    weights = load_weights(model_dir)
    decoder = WhisperDecoder(weights) if backend == "numpy" else OrtWhisperDecoder(weights, "float32")
    cross = decoder.cross_kv(np.array(encoded)[0])
    draft = [vocab.sot, vocab.no_timestamps, *vocab.encode(" And so my fellow Americans, ask not what")]
    rows = [vocab.encode(" fellow Americans"), vocab.encode(" fellow Armenians"), vocab.encode(" my")]
    reader = PrefixReader(decoder, cross, draft)
    for length in (2, 4, 5, len(draft)):
        got = reader.logprobs(length, rows)
        fresh = continuation_logprobs(decoder, cross, draft[:length], rows)
        assert np.allclose(got, fresh, atol=1e-4), (length, got, fresh)
