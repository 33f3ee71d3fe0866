"""The token-level CLM: Whisper BPE tokens spelled as words, trained into the same .clm."""
from pathlib import Path

from jargonaut.asr.base_models import configured_base_models
from jargonaut.lm.bpe import base_model_encoder, token_word, token_words
from jargonaut.lm.normalise import normalise_words
from jargonaut.lm.train import load_clm, train_clm

from .conftest import synthetic_lines


def test_token_words_are_distinct_and_survive_normalisation():
    spelled = [token_word(i) for i in range(60000)]
    assert len(set(spelled)) == 60000
    assert all(normalise_words(w) == [w] for w in spelled[::997])


def test_clm_carries_a_token_model_that_prefers_domain_spelling(tmp_path: Path):
    train = tmp_path / "train.txt"
    train.write_text("\n".join(synthetic_lines(800) + ["The patient started apixaban instead of warfarin."] * 20),
                     encoding="utf-8")
    report = train_clm([train], None, tmp_path / "m.clm", "WideBand", 1)
    assert report.token_order and report.token_vocab_size > 20 and report.token_perplexity > 1
    assert "token-level model" in str(report)
    token_lm = load_clm(tmp_path / "m.clm").token_model
    encode_many = base_model_encoder(configured_base_models()["WideBand"].model)

    def encode(text: str) -> list[int]:
        return encode_many([text])[0]

    def logprob(text: str) -> float:
        return sum(token_lm.score_words(token_words(text, encode), bos=False, eos=False))

    # cased and punctuated as Whisper writes it, the trained spelling wins over a sound-alike
    assert logprob("started apixaban instead of warfarin.") > logprob("started to pick up an instead of warfare.")


def test_token_corpus_matches_single_encoding(tmp_path: Path):
    encode_many = base_model_encoder(configured_base_models()["WideBand"].model)
    lines = ["The patient took 5 mg of Apixaban.", "", "  BRCA2, PD-L1 and T-cells  "] * 3
    out = (tmp_path / "t.txt")
    from jargonaut.lm.bpe import write_token_corpus

    write_token_corpus(lines, encode_many, out, batch=2)
    want = [" ".join(token_words(line, lambda t: encode_many([t])[0])) for line in lines if line.strip()]
    assert out.read_text(encoding="utf-8").splitlines() == want


def test_token_model_can_be_skipped(tmp_path: Path):
    train = tmp_path / "train.txt"
    train.write_text("\n".join(synthetic_lines(200)), encoding="utf-8")
    report = train_clm([train], None, tmp_path / "m.clm", "WideBand", 1, token_model=False)
    assert report.token_order is None and load_clm(tmp_path / "m.clm").token_model is None
