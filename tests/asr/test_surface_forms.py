"""A number's digits and its name are one word to the CLM and to Whisper's internal LM, so how
a number is written stays Whisper's call (decoder/surface_forms.py)."""
from __future__ import annotations

import numpy as np
import pytest

from jargonaut.asr.decoder.internal_lm import InternalLM
from jargonaut.asr.decoder.surface_forms import digits, surface_forms
from jargonaut.asr.decoder.token_fusion import TokenFusion
from tests.asr.parts import wideband_parts

PROMPT = [50257, 50362]  # <|startoftranscript|><|notimestamps|> of the English-only base model


def _one(encode, text: str) -> int:
    ids = encode(text)
    assert len(ids) == 1, text
    return ids[0]


def test_number_forms_are_the_digits_and_the_names() -> None:
    parts = wideband_parts()
    encode, decode = parts.vocab.encode, parts.vocab.decode
    ten, word, capital = (_one(encode, t) for t in (" 10", " ten", " Ten"))
    assert set(parts.number_forms[ten]) == {word, capital} and set(parts.number_forms[word]) == {ten, capital}
    assert _one(encode, " 39") not in parts.number_forms  # "thirty nine" is two words: no single form
    assert _one(encode, " often") not in parts.number_forms
    by_digits = digits(parts.number_forms, decode, len(parts.decoder.embedding))
    assert by_digits[word] == by_digits[capital] == by_digits[ten] == ten
    for text in (" scale", " one", " zero"):  # " one", " zero": mostly words ("no one")
        assert by_digits[_one(encode, text)] == _one(encode, text)


def test_a_number_scores_as_its_likeliest_form_and_reads_on_alike(biomed_clm) -> None:
    """Whichever form Whisper writes, the CLM gives it the likeliest form's score and goes on
    from the same state, so the next words score alike too."""
    parts = wideband_parts()
    encode, eot = parts.vocab.encode, parts.vocab.eot
    assert encode is not None
    token_model = biomed_clm.token_model
    plain = TokenFusion(token_model, 1.0, 0.0, encode, eot)
    neutral = TokenFusion(token_model, 1.0, 0.0, encode, eot, surface_forms(parts.number_forms, None))
    state = plain.history_state("The dose was raised to")
    two, word = _one(encode, " 2"), _one(encode, " two")
    assert plain.token(state, two)[0] != plain.token(state, word)[0]  # the text prefers one form
    (digit_bonus, after_digit), (word_bonus, after_word) = neutral.token(state, two), neutral.token(state, word)
    assert digit_bonus == word_bonus == max(plain.token(state, two)[0], plain.token(state, word)[0])
    assert after_digit == after_word
    assert neutral.history_state("raised to 2") == neutral.history_state("raised to two")


@pytest.mark.parametrize("backend", ["numpy", "onnxruntime"])
def test_the_internal_lm_reads_number_names_as_digits(model_dir, backend) -> None:
    """The text rows read "two to ten" as "2 to 10", and a number's prior is its likeliest
    form's: Whisper's prior is surer of "10" after "2 to" than of "ten" after "two to", and
    density ratio rewarded the form its prior liked less."""
    from jargonaut.asr.decoder.model import WhisperDecoder
    from jargonaut.asr.decoder.onnx_step import OrtWhisperDecoder
    from jargonaut.asr.decoder.weights import load_weights

    parts = wideband_parts()
    encode, eot = parts.vocab.encode, parts.vocab.eot
    weights = load_weights(model_dir)
    dec = WhisperDecoder(weights) if backend == "numpy" else OrtWhisperDecoder(weights, "float32")
    by_digits = digits(parts.number_forms, parts.vocab.decode, len(dec.embedding))
    audio = dec.cross_kv(np.zeros((10, dec.embedding.shape[1]), np.float32))

    def text_rows(text: str, mapping: np.ndarray | None) -> InternalLM:
        ilm = InternalLM(1.0, eot, surface_forms(parts.number_forms, None))
        cache = dec.new_cache(1, text_rows=True, text_tokens=mapping)
        ilm.split(dec.forward(np.asarray([PROMPT + encode(text)]), cache, audio))
        return ilm

    words, figures = text_rows(" Pain from two to ten", by_digits), text_rows(" Pain from 2 to 10", None)
    np.testing.assert_allclose(words.logp, figures.logp, atol=1e-4)
    raw = text_rows(" Pain from two to ten", None)
    assert not np.allclose(raw.logp, figures.logp, atol=1e-2)  # the map is what makes them equal
    ten, word = _one(encode, " 10"), _one(encode, " ten")
    assert figures.token_logp(0, word) == figures.token_logp(0, ten) == pytest.approx(
        max(float(figures.logp[0, ten]), float(figures.logp[0, word])), abs=1e-5)


def test_the_prior_taken_off_is_the_words_in_either_casing(model_dir, biomed_clm) -> None:
    """Density ratio takes off Whisper's prior of a word in its likelier casing, while the CLM
    still scores the casing it saw: inside a sentence Whisper's prior finds " Rev" (of
    "Revolver") far less likely than " rev", so taking off each casing's own prior rewarded the
    capital Whisper likes least wherever the CLM was indifferent ("that Revolver was drawn")."""
    from jargonaut.asr.decoder.internal_lm import DensityRatio
    from jargonaut.asr.decoder.model import WhisperDecoder
    from jargonaut.asr.decoder.weights import load_weights
    from jargonaut.asr.options import FusionSettings
    from tests.asr.parts import engine

    parts = wideband_parts()
    encode = parts.vocab.encode
    density = engine()._fusion(biomed_clm, FusionSettings(), parts)
    assert isinstance(density, DensityRatio) and isinstance(density.inner, TokenFusion)
    capital, lower = _one(encode, " Rev"), _one(encode, " rev")
    assert lower not in density.inner.forms(capital)  # the CLM keeps the text's casing
    dec = WhisperDecoder(load_weights(model_dir))
    audio = dec.cross_kv(np.zeros((10, dec.embedding.shape[1]), np.float32))
    cache = dec.new_cache(1, text_rows=True)
    density.ilm.split(dec.forward(np.asarray([PROMPT + encode(" The company drew down the")]), cache, audio))
    raw = density.ilm.logp[0]
    assert raw[capital] < raw[lower] - 1.0  # Whisper's prior: lower case inside a sentence
    assert density.ilm.token_logp(0, capital) == density.ilm.token_logp(0, lower) == pytest.approx(
        float(raw[lower]), abs=1e-5)
    neutral = FusionSettings(prior_case_neutral=False)
    assert capital not in engine()._fusion(biomed_clm, neutral, parts).ilm.forms(lower)
