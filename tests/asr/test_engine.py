"""The speech engine: the one place that builds models and decodes, for every caller."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import numpy as np
import pytest

from jargonaut.asr.whisper import window_frames

ROOT = Path(__file__).resolve().parents[2]
RATE = 16000


def _sources() -> dict[Path, str]:
    return {p: p.read_text() for p in sorted((ROOT / "jargonaut").rglob("*.py"))}


def test_only_the_engine_builds_whisper_models() -> None:
    builders = [p.relative_to(ROOT).as_posix() for p, text in _sources().items()
                if re.search(r"(?<!class )\b(WhisperModel|EngineWhisper)\(", text)]
    assert builders == ["jargonaut/asr/engine.py"]


def test_only_settings_reads_the_environment() -> None:
    readers = [p.relative_to(ROOT).as_posix() for p, text in _sources().items()
               if re.search(r"os\.environ|os\.getenv|getenv\(", text)]
    assert readers == ["jargonaut/settings.py"]


def test_no_module_level_patches_of_faster_whisper() -> None:
    for path, text in _sources().items():
        assert not re.search(r"faster_whisper\.\w+\.\w+\s*=(?!=)|_fwt\.", text), path


def test_settings_build_frozen_typed_options(monkeypatch) -> None:
    from dataclasses import FrozenInstanceError

    from jargonaut.asr.options import EngineOptions
    from jargonaut.settings import Settings

    monkeypatch.setenv("JARGONAUT_BEAM_SIZE", "3")
    monkeypatch.setenv("JARGONAUT_CLM_TOKEN_ALPHA", "0.45")
    monkeypatch.setenv("JARGONAUT_DECODER_BACKEND", "numpy")
    options = EngineOptions.from_settings(Settings.load())
    assert options.decode.beam_size == 3 and options.decode.device == "cpu"
    assert options.fusion.token_alpha == 0.45 and options.fusion.internal_lm_weight == 0.2  # the rest: defaults
    assert options.decoder_backend == "numpy"
    with pytest.raises(FrozenInstanceError):
        options.decode.beam_size = 5  # type: ignore[misc]
    monkeypatch.setenv("JARGONAUT_DEVICE", "tpu")
    with pytest.raises(ValueError, match="device"):
        EngineOptions.from_settings(Settings.load())


def test_each_base_model_gets_its_own_fusion_settings(monkeypatch) -> None:
    """A ladder rung's tuned fusion settings apply to CLMs on it; the rest keep the defaults,
    and explicit JARGONAUT_CLM_* settings win for every model."""
    from jargonaut.asr.base_models import LADDER, BaseModel
    from jargonaut.asr.options import EngineOptions, FusionSettings
    from jargonaut.settings import Settings

    tiny = BaseModel("WideBand", "tiny", 1, rung="whisper-tiny.en")
    base = BaseModel("WideBand", "base", 2, rung="whisper-base")
    directory = BaseModel("WideBand", "/models/custom", 1)
    options = EngineOptions.from_settings(Settings.load())
    assert options.fusion_for(tiny) == options.fusion_for(directory) == FusionSettings()
    tuned = options.fusion_for(base)
    assert tuned != FusionSettings()
    assert all(getattr(tuned, name) == value for name, value in LADDER["whisper-base"].fusion.items())
    monkeypatch.setenv("JARGONAUT_CLM_ILM_WEIGHT", "0.15")
    options = EngineOptions.from_settings(Settings.load())
    assert options.fusion_for(tiny).internal_lm_weight == options.fusion_for(base).internal_lm_weight == 0.15


def test_narrowband_clms_get_the_narrowband_tuning_unless_the_model_has_its_own(monkeypatch) -> None:
    """A NarrowBand CLM on a base model without its own settings fuses with the narrowband
    tuning (NARROWBAND_FUSION) and is otherwise the defaults; a rung's own settings are the same
    for either band; explicit JARGONAUT_CLM_* settings win for both bands."""
    import dataclasses

    from jargonaut.asr.base_models import BaseModel
    from jargonaut.asr.options import NARROWBAND_FUSION, EngineOptions, FusionSettings
    from jargonaut.settings import Settings

    wide = BaseModel("WideBand", "tiny", 1, rung="whisper-tiny.en")
    narrow = BaseModel("NarrowBand", "tiny", 1, rung="whisper-tiny.en")
    narrow_directory = BaseModel("NarrowBand", "/models/custom", 1)
    options = EngineOptions.from_settings(Settings.load())
    assert options.fusion_for(wide) == FusionSettings()
    tuned = options.fusion_for(narrow)
    assert tuned != FusionSettings()
    assert tuned == options.fusion_for(narrow_directory) == dataclasses.replace(FusionSettings(), **NARROWBAND_FUSION)
    assert options.fusion_for(BaseModel("NarrowBand", "base", 2, rung="whisper-base")) == \
        options.fusion_for(BaseModel("WideBand", "base", 2, rung="whisper-base"))
    monkeypatch.setenv("JARGONAUT_CLM_TOKEN_ALPHA", "0.2")
    options = EngineOptions.from_settings(Settings.load())
    for fusion in (options.fusion_for(wide), options.fusion_for(narrow)):
        assert fusion.fused_token_alpha(0.5) == fusion.token_alpha == 0.2


def test_cuda_requested_without_a_gpu_is_a_clear_error(monkeypatch) -> None:
    import ctranslate2

    from jargonaut.asr.engine import SpeechEngine
    from jargonaut.settings import Settings

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a CUDA device")
    monkeypatch.setenv("JARGONAUT_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="cuda"):
        SpeechEngine.from_settings(Settings.load())


class _RecordingEncoder:
    """CTranslate2's Whisper, noting the number of frames each encoder call receives."""

    def __init__(self, inner) -> None:
        self.inner, self.frames = inner, []

    def encode(self, features, *args, **kwargs):
        self.frames.append(features.shape[-1])
        return self.inner.encode(features, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_short_encoder_window_takes_effect(eval_dir) -> None:
    """Streams encode a window fitted to the utterance: if faster-whisper ever stops
    routing its encoder input through `EngineWhisper.encode`, this fails."""
    from jargonaut.asr.audio import decode
    from tests.asr.parts import engine

    speech = engine()
    audio = decode(eval_dir / "general" / "audio" / "jfk.flac")[: 4 * RATE]
    base = speech.base_models["WideBand"]
    whisper = speech.whisper(base.model, "int8", 1)
    texts = {}
    for frames in (None, window_frames(len(audio))):
        call = whisper.view(encoder_frames=frames)
        call.model = _RecordingEncoder(call.model)
        segments, _ = call.transcribe(audio, language="en", beam_size=1)
        texts[frames] = " ".join(s.text.strip() for s in segments)
        assert call.model.frames == [frames or 3000]
    assert window_frames(len(audio)) == 1000
    assert "fellow americans" in texts[1000].lower()  # the short window still hears the speech


def test_fused_decoder_decodes_every_batch_element(eval_dir) -> None:
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    from jargonaut.asr.audio import decode
    from tests.asr.parts import FusedWhisper, _components, engine

    whisper, decoder, vocab = _components(engine().base_models["WideBand"].model, "int8", 1)
    clips = [decode(eval_dir / "general" / "audio" / "jfk.flac")[: 5 * RATE],
             decode(eval_dir / "general" / "audio" / "OSR_us_000_0034_8k.wav")[: 5 * RATE]]
    feats = np.stack([np.pad(f := whisper.feature_extractor(a)[:, :3000], ((0, 0), (0, 3000 - f.shape[1])))
                      for a in clips])
    tok = Tokenizer(whisper.hf_tokenizer, False, task="transcribe", language="en")
    kw = dict(beam_size=1, max_length=60, suppress_blank=True, suppress_tokens=list(get_suppressed_tokens(tok, [-1])))
    prompt = [vocab.sot, vocab.no_timestamps]
    ours = FusedWhisper(whisper.model, decoder, vocab)
    both = ours.generate(whisper.encode(feats), [prompt, prompt], **kw)
    one = [ours.generate(whisper.encode(feats[i : i + 1]), [prompt], **kw)[0] for i in range(2)]
    assert [r.sequences_ids for r in both] == [r.sequences_ids for r in one]
    assert both[0].sequences_ids != both[1].sequences_ids  # two different recordings, two results
    with pytest.raises(ValueError, match="2 encoder outputs for 1 prompts"):
        ours.generate(whisper.encode(feats), [prompt], **kw)


@pytest.mark.slow
def test_batch_stream_and_eval_give_the_same_words(eval_dir) -> None:
    """One utterance through the engine three ways: a job's recognition, eval's text, and a
    stream's final (its own short encoder window and per-utterance decode)."""
    from jargonaut.asr.audio import decode
    from jargonaut.evaluate.metrics import normalise
    from jargonaut.evaluate.run import make_transcriber
    from jargonaut.stream.recogniser import StreamRecogniser
    from jargonaut.stream.scheduler import DecodePool
    from tests.asr.parts import engine

    speech = engine()
    base = speech.base_models["WideBand"]
    clip = decode(eval_dir / "general" / "audio" / "LJ001-0002.flac")  # "in being comparatively modern."
    audio = np.concatenate([np.zeros(RATE, np.float32), clip, np.zeros(RATE, np.float32)])
    batch = speech.recognize(audio, base).text
    evaluated = make_transcriber(speech, base)(audio)
    finals: list[str] = []

    async def stream() -> None:
        async def emit(event: dict) -> None:
            result = event["Results"][0]
            if not result["IsPartial"]:
                finals.append(result["Alternatives"][0]["Transcript"])

        recogniser = StreamRecogniser(base, DecodePool(speech, 1), emit)
        queue: asyncio.Queue = asyncio.Queue()
        for i in range(0, len(audio), 1600):
            queue.put_nowait(audio[i : i + 1600])
        queue.put_nowait(None)
        await recogniser.run(queue)

    asyncio.run(stream())
    assert len(finals) == 1, finals
    assert normalise(batch).split() and normalise(batch) == normalise(evaluated) == normalise(finals[0])


def test_short_windows_do_not_loop(eval_dir) -> None:
    """A stream final of a second or so, cut without lead silence, decoded in the shorter
    encoder window: Whisper can loop there ("s s s s", "S. S. S."); the engine's result must
    not (it re-decodes a looping short-window result with the full window)."""
    from jargonaut.asr.audio import decode
    from jargonaut.asr.engine import SpeechEngine
    from jargonaut.asr.whisper import repeats_itself
    from jargonaut.settings import Settings

    engine = SpeechEngine.from_settings(Settings.load())
    base = engine.base_models["WideBand"]
    jfk = decode(eval_dir / "general" / "audio" / "jfk.flac")  # "ask not" is about 3.0-4.5 s
    for start, end in ((3.0, 3.8), (3.0, 4.2), (3.3, 4.0), (3.6, 4.5)):
        clip = jfk[int(start * RATE): int(end * RATE)]
        frames = window_frames(len(clip))
        call = dict(decode=engine.options.stream_decode, encoder_frames=frames, max_new_tokens=40)
        assert not repeats_itself(engine.recognize(clip, base, **call).text), (start, end)  # type: ignore[arg-type]
        assert not repeats_itself(" ".join(w.text for w in engine.quick_words(clip, base, **call))), (start, end)  # type: ignore[arg-type]


def test_loops_are_recognised() -> None:
    from jargonaut.asr.whisper import repeats_itself

    for loop in ("s n s n s s s s", "S. S. S. S.", "As h h h h h h h", "not. Let us not. Let us not. Let us not."):
        assert repeats_itself(loop), loop
    for speech in ("And so, my fellow Americans, ask not what your country can do for you, ask what you can "
                   "do for your country.", "no, no", "that that is is that that is not is not"):
        assert not repeats_itself(speech), speech
