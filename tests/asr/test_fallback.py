"""Temperature fallback around the fused decoder (asr/whisper.py): a window the gate handed back
to Whisper is not decoded a second time at temperature 0."""
from __future__ import annotations

from jargonaut.asr.audio import decode
from jargonaut.asr.decoder.fused import FusedGenerator
from tests.asr.parts import engine


def test_a_window_read_without_the_clm_is_decoded_once(eval_dir, biomed_clm, monkeypatch) -> None:
    """JFK's speech is off the biomed CLM's domain: the gate reads its one window again without
    the CLM, and that reading stands (it passes faster-whisper's thresholds), so the window is
    searched once fused and once without it."""
    calls: list[str] = []
    without_clm = FusedGenerator._without_clm
    generate = FusedGenerator.generate

    def counting_without_clm(self, *args, **kwargs):
        calls.append("plain")
        return without_clm(self, *args, **kwargs)

    def counting_generate(self, *args, **kwargs):
        calls.append("generate")
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(FusedGenerator, "_without_clm", counting_without_clm)
    monkeypatch.setattr(FusedGenerator, "generate", counting_generate)
    audio = decode(eval_dir / "general" / "audio" / "jfk.flac")
    base = engine().base_models["WideBand"]
    fused = engine().text(audio, base, biomed_clm)
    assert calls == ["generate", "plain"]
    assert "ask not what your country can do for you" in fused
