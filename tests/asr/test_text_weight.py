"""A CLM of everyday conversation is fused at another weight than one of a domain's documents
(`FusionSettings.text_weight`, from the share of its tuning words among English's commonest):
whisper-base, which fuses unmixed, at less; mixed fusion (tiny.en's defaults) at more. A
recording longer than one window is fused at least at the long-form weight."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from jargonaut.asr.base_models import LADDER
from jargonaut.asr.decoder.internal_lm import DensityRatio
from jargonaut.asr.decoder.search import WordFusion
from jargonaut.asr.decoder.token_fusion import TokenFusion
from jargonaut.asr.engine import RATE, SpeechEngine
from jargonaut.asr.options import FusionSettings
from jargonaut.lm.train import load_clm
from tests.asr.parts import engine, wideband_parts


def test_weight_moves_from_domain_text_to_conversation() -> None:
    mixed = FusionSettings()
    assert mixed.text_weight(0.50) == 1.0 < mixed.text_weight(0.80)  # mixed with the internal LM: more
    s = FusionSettings(everyday_weight=0.5)
    assert s.text_weight(None) == 1.0  # a CLM trained before the share was measured
    assert s.text_weight(0.38) == s.text_weight(s.everyday_share_none) == 1.0  # biomed, DEV domains
    assert s.text_weight(0.80) == s.text_weight(s.everyday_share_full) == s.everyday_weight  # consultations
    between = s.text_weight((s.everyday_share_none + s.everyday_share_full) / 2)
    assert between == pytest.approx((1.0 + s.everyday_weight) / 2)


def test_only_a_clm_of_documents_reads_unseen_words_in_whispers_context() -> None:
    """A word its text never has in a context is read in Whisper's context for a CLM of
    documents and notes (or of unmeasured text), not for one of everyday conversation, in a
    recording of any length (options.py: long recordings since session 57)."""
    s = FusionSettings()
    assert s.reads_unseen_in_context(None) and s.reads_unseen_in_context(0.52)  # DEV devops
    assert s.reads_unseen_in_context(s.everyday_share_none)
    assert not s.reads_unseen_in_context(0.82)  # the medical consultations
    assert dataclasses.replace(s, long_form=True).reads_unseen_in_context(0.52)
    assert not dataclasses.replace(s, long_form=True).reads_unseen_in_context(0.82)
    assert not FusionSettings(unseen_in_context=False).reads_unseen_in_context(0.52)


def test_the_engine_reads_unseen_words_for_a_clm_of_documents_at_any_length(biomed_clm_path) -> None:
    lm = load_clm(biomed_clm_path)
    for share, reads in ((0.5, True), (0.82, False)):  # a CLM of documents; one of conversation
        lm.header["everyday_share"] = share
        for long_form in (False, True):
            fused = engine()._fusion(lm, dataclasses.replace(FusionSettings(), long_form=long_form), wideband_parts())
            assert isinstance(fused, DensityRatio) and isinstance(fused.inner, TokenFusion)
            assert fused.inner.reads_unseen_in_context is reads


@pytest.mark.parametrize("unit", ["token", "word"])
def test_the_engine_scales_the_clms_alpha_by_its_text(biomed_clm_path, unit) -> None:
    settings = FusionSettings(unit=unit, everyday_weight=0.5)
    alphas = {}
    for share in (None, 0.5, 0.8):
        lm = load_clm(biomed_clm_path)
        lm.header["everyday_share"] = share
        fused = engine()._clm_fusion(lm, settings, wideband_parts())
        assert isinstance(fused, TokenFusion if unit == "token" else WordFusion)
        alphas[share] = fused.alpha
    full = settings.token_alpha if unit == "token" else settings.alpha
    assert alphas[None] == alphas[0.5] == full
    assert alphas[0.8] == pytest.approx(full * settings.everyday_weight)


def test_a_long_recording_is_fused_at_the_long_form_weight(biomed_clm_path) -> None:
    settings = dataclasses.replace(FusionSettings(), long_form=True)
    alphas = {}
    for share in (0.5, 0.8):
        lm = load_clm(biomed_clm_path)
        lm.header["everyday_share"] = share
        fused = engine()._clm_fusion(lm, settings, wideband_parts())
        assert isinstance(fused, TokenFusion)
        alphas[share] = fused.alpha
    # documents' text: raised to the long-form weight; conversation's: its own, the larger
    assert alphas[0.5] == pytest.approx(settings.token_alpha * settings.long_form_weight)
    assert alphas[0.8] == pytest.approx(settings.token_alpha * max(settings.everyday_weight, settings.long_form_weight))
    assert FusionSettings().clm_weight(0.5) == 1.0  # a single utterance: the text's weight alone
    # whisper-base fuses unmixed and was not measured long-form: unchanged there
    base_rung = dataclasses.replace(FusionSettings(), **LADDER["whisper-base"].fusion, long_form=True)
    assert base_rung.clm_weight(0.5) == 1.0


def test_a_narrowband_clm_of_documents_fuses_a_recording_of_one_window_at_its_own_alpha(biomed_clm_path) -> None:
    """NarrowBand (`NARROWBAND_FUSION`): a clip's CLM of documents fuses at the narrowband token
    alpha; a longer recording and a conversational CLM as at WideBand."""
    from jargonaut.asr.options import NARROWBAND_FUSION

    wide = FusionSettings()
    narrow = dataclasses.replace(wide, **NARROWBAND_FUSION)
    assert narrow.one_window_token_alpha is not None and narrow.one_window_token_alpha != wide.token_alpha
    alphas = {}
    for settings in (wide, narrow):
        for long_form in (False, True):
            for share in (0.5, 0.8):
                lm = load_clm(biomed_clm_path)
                lm.header["everyday_share"] = share
                fused = engine()._clm_fusion(lm, dataclasses.replace(settings, long_form=long_form), wideband_parts())
                assert isinstance(fused, TokenFusion)
                alphas[settings is narrow, long_form, share] = fused.alpha
    assert alphas[True, False, 0.5] == narrow.one_window_token_alpha
    assert alphas[False, False, 0.5] == wide.token_alpha
    for long_form, share in ((True, 0.5), (False, 0.8), (True, 0.8)):
        assert alphas[True, long_form, share] == alphas[False, long_form, share]


@pytest.mark.parametrize("seconds, long_form", [(10.0, False), (31.0, True)])
def test_the_engine_fuses_recordings_past_one_window_as_long_form(biomed_clm_path, monkeypatch, seconds,
                                                                   long_form) -> None:
    seen: list[bool] = []
    build = SpeechEngine._clm_fusion

    def recording(self, language_model, settings, parts):  # what the engine asked for
        seen.append(settings.long_form)
        return build(self, language_model, settings, parts)

    monkeypatch.setattr(SpeechEngine, "_clm_fusion", recording)
    audio = np.random.default_rng(0).normal(0, 1e-3, int(seconds * RATE)).astype(np.float32)
    engine().recognize(audio, engine().base_models["WideBand"], load_clm(biomed_clm_path), word_timestamps=False)
    assert seen and set(seen) == {long_form}
