"""Whisper's internal LM (the decoder without audio), subtracted in density-ratio fusion."""
import numpy as np
import pytest

from jargonaut.asr.decoder.internal_lm import InternalLM

PROMPT = [50257, 50362]  # <|startoftranscript|><|notimestamps|> of the English-only base model


@pytest.fixture(scope="module")
def parts(model_dir):
    from jargonaut.asr.decoder.transcribe import _components

    whisper, decoder, vocab = _components(model_dir, "int8", 1)
    return whisper.hf_tokenizer, decoder, vocab


def _ids(tokenizer, text: str) -> list[int]:
    return tokenizer.encode(text, add_special_tokens=False).ids


def test_internal_lm_is_a_text_prior(parts):
    tokenizer, decoder, vocab = parts
    ilm = InternalLM(decoder, 0.5, vocab.eot, decoder.embedding.shape[1])
    ilm.start(PROMPT + _ids(tokenizer, " The patient was")).result()
    assert ilm.logp.shape == (1, vocab.eot)
    assert np.isclose(np.exp(ilm.logp[0]).sum(), 1.0, atol=1e-3)  # over text tokens only
    # English continues with English: a common word beats a rare piece by a wide margin
    (common,), (rare,) = _ids(tokenizer, " admitted"), _ids(tokenizer, "ptr")
    assert ilm.logp[0, common] > ilm.logp[0, rare] + 5
    assert ilm.penalty(0, common) == pytest.approx(0.5 * ilm.logp[0, common])
    assert ilm.penalty(0, vocab.timestamp_begin + 3) == 0.0  # timestamps are not text


def test_internal_lm_follows_the_beams(parts):
    tokenizer, decoder, vocab = parts
    ilm = InternalLM(decoder, 1.0, vocab.eot, decoder.embedding.shape[1])
    ilm.start(PROMPT).result()
    ilm.reorder(np.asarray([0, 0]))  # one row fanned out to two beams
    first, second = _ids(tokenizer, " Okay")[0], _ids(tokenizer, " The")[0]
    ilm.step(np.asarray([[first], [second]], dtype=np.int64)).result()
    assert ilm.logp.shape == (2, vocab.eot)
    assert not np.allclose(ilm.logp[0], ilm.logp[1])  # each beam scored after its own text
    ilm.reorder(np.asarray([1, 1]))
    ilm.step(np.asarray([[second], [second]], dtype=np.int64)).result()
    np.testing.assert_allclose(ilm.logp[0], ilm.logp[1], atol=1e-5)
