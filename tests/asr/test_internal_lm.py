"""Whisper's internal LM (the decoder without audio), subtracted in density-ratio fusion."""
import numpy as np
import pytest

from jargonaut.asr.decoder.internal_lm import InternalLM

PROMPT = [50257, 50362]  # <|startoftranscript|><|notimestamps|> of the English-only base model


@pytest.fixture(scope="module")
def parts(model_dir):
    from tests.asr.parts import _components

    whisper, decoder, vocab = _components(model_dir, "int8", 1)
    return whisper.hf_tokenizer, decoder, vocab


def _ids(tokenizer, text: str) -> list[int]:
    return tokenizer.encode(text, add_special_tokens=False).ids


@pytest.mark.parametrize("backend", ["numpy", "onnxruntime"])
def test_text_rows_are_the_decoder_without_audio(model_dir, backend):
    """One call, two blocks of rows: the beams over the audio, and the same beams over one
    all-zero encoder frame (the internal LM's definition), both following beam reorders."""
    from jargonaut.asr.decoder.model import WhisperDecoder
    from jargonaut.asr.decoder.onnx_step import OrtWhisperDecoder
    from jargonaut.asr.decoder.weights import load_weights

    weights = load_weights(model_dir)
    dec = WhisperDecoder(weights) if backend == "numpy" else OrtWhisperDecoder(weights, "float32")
    audio = dec.cross_kv(np.random.default_rng(0).standard_normal((300, dec.embedding.shape[1])).astype(np.float32))
    silence = dec.cross_kv(np.zeros((1, dec.embedding.shape[1]), np.float32))
    joint, with_audio, without = dec.new_cache(1, text_rows=True), dec.new_cache(1), dec.new_cache(1)
    steps = [(PROMPT + [440, 4463], None), ([[262], [317], [1002]], [0, 0, 0]), ([[11], [13], [290]], [2, 0, 1]),
             ([[11], [13]], [1, 1])]
    for tokens, reorder in steps:
        if reorder is not None:
            for cache in (joint, with_audio, without):
                cache.reorder(np.asarray(reorder))
        tokens = np.asarray(tokens if reorder is not None else [tokens])
        both = dec.forward(tokens, joint, audio)
        assert both.shape[0] == 2 * len(tokens)
        np.testing.assert_allclose(both[: len(tokens)], dec.forward(tokens, with_audio, audio), atol=1e-3)
        np.testing.assert_allclose(both[len(tokens):], dec.forward(tokens, without, silence), atol=1e-3)
    assert not np.allclose(both[0], both[2], atol=1e-2)  # the audio matters to the beams' rows


def test_internal_lm_is_a_text_prior(parts):
    tokenizer, decoder, vocab = parts
    cache = decoder.new_cache(1, text_rows=True)
    audio = decoder.cross_kv(np.zeros((10, decoder.embedding.shape[1]), np.float32))
    ilm = InternalLM(0.5, vocab.eot)
    beams = ilm.split(decoder.forward(np.asarray([PROMPT + _ids(tokenizer, " The patient was")]), cache, audio))
    assert beams.shape == (1, decoder.embedding.shape[0]) and ilm.logp.shape == (1, vocab.eot)
    assert np.isclose(np.exp(ilm.logp[0]).sum(), 1.0, atol=1e-3)  # over text tokens only
    # English continues with English: a common word beats a rare piece by a wide margin
    (common,), (rare,) = _ids(tokenizer, " admitted"), _ids(tokenizer, "ptr")
    assert ilm.logp[0, common] > ilm.logp[0, rare] + 5
    assert ilm.penalty(0, common) == pytest.approx(0.5 * ilm.logp[0, common])
    assert ilm.penalty(0, vocab.timestamp_begin + 3) == 0.0  # timestamps are not text
