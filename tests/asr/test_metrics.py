from jargonaut.evaluate.manifests import read_manifest
from jargonaut.evaluate.metrics import normalise, reference_prefix, score_files, term_recall


def test_wer_uses_whisper_normaliser_on_both_sides():
    report = score_files([("a", "Hello, world! It's 5 o'clock.", "hello world it is five o'clock")])
    assert report.files[0].words == len(normalise("Hello, world! It's 5 o'clock.").split())
    assert report.wer == 0.0
    report = score_files([("a", "the cat sat", "the bat sat down"), ("b", "red green", "red green")])
    assert report.errors == 2 and report.words == 5
    assert abs(report.wer - 0.4) < 1e-9


def test_term_recall_counts_reference_occurrences():
    hits, total = term_recall("Apixaban and warfarin; apixaban again.", "a pick a band and warfarin apixaban", ["apixaban", "warfarin"])
    assert (hits, total) == (2, 3)


def test_reference_prefix_cuts_at_best_match():
    ref = "what brought you in today I have chest pain since last night and it is sharp"
    assert reference_prefix(ref, "what brought you in to day i have chest pain") == "what brought you in today i have chest pain"


def test_manifest_readers(eval_dir):
    general = read_manifest(eval_dir / "general" / "manifest.tsv")
    assert len(general) == 153 and all(i.audio.exists() for i in general)
    assert {i.sample_rate for i in general} >= {8000, 22050}
    bio8 = read_manifest(eval_dir / "biomed-tts" / "test.tsv", "wav8")
    assert len(bio8) == 60 and bio8[0].audio.parent.name == "wav8" and bio8[0].sample_rate == 8000
    medical = read_manifest(eval_dir / "medical", ids=["CAR0001", "MSK0004"])
    assert [i.id for i in medical] == ["CAR0001", "MSK0004"]
    assert medical[0].audio.suffix == ".mp3" and medical[0].reference.startswith("What brought")
