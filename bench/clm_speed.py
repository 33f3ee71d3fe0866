"""Real-time factor of CLM-fused decoding vs plain faster-whisper, in one run.

    python -m bench.clm_speed [--seconds 300] [--repeats 2]

Same model (Whisper tiny.en, CTranslate2 int8 encoder), beam 5, word timings on, both
through `SpeechEngine.recognize`; runs alternate (plain, fused, plain, ...)
so load from other processes on a shared machine hits both alike. The fused path uses
the medical CLM on medical audio (CAR0002, not a tuning recording). 300 s by default: over
120 s one setting's luck in how many windows get a pass 2 moved the ratio from 1.13x to 1.48x.
The ratio depends on the CPU (int8 kernels differ: ONNX Runtime's with AVX-512 VNNI, 1.0-1.1x,
against ~2x on an AVX2-only machine), so the table's header names it.
"""
from __future__ import annotations

import argparse
import glob
import os
import tempfile
import time
from pathlib import Path

from bench.clm_wer import EVAL, train_lm


def cpu_summary() -> str:
    """The CPU's model, core count and widest int8 dot-product extension (Linux /proc/cpuinfo)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return f"{os.cpu_count()} cores"
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "?")
    flags = set(next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), []))
    widest = next((f for f in ("amx_int8", "avx512_vnni", "avx_vnni", "avx2") if f in flags), "no AVX2")
    return f"{model}, {os.cpu_count()} cores, {widest}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=300.0, help="audio length (first N s of CAR0002)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)

    from jargonaut.asr.audio import decode
    from jargonaut.asr.engine import SpeechEngine

    engine = SpeechEngine.from_settings()

    base, options = engine.base_models["WideBand"], engine.options.decode
    audio = decode(EVAL / "medical" / "audio" / "CAR0002.mp3")[: int(args.seconds * 16000)]
    seconds = len(audio) / 16000
    with tempfile.TemporaryDirectory() as tmp:
        lm = train_lm([Path(p) for p in sorted(glob.glob(str(EVAL / "medical" / "lm-text" / "*.txt")))], Path(tmp))
        engine.recognize(audio[:16000 * 5], base)  # warm up both paths (model loads)
        engine.recognize(audio[:16000 * 5], base, lm)
        times: dict[str, list[float]] = {"plain": [], "fused": []}
        for _ in range(args.repeats):
            for name, model in (("plain", None), ("fused", lm)):
                t0 = time.perf_counter()
                engine.recognize(audio, base, model)
                times[name].append(time.perf_counter() - t0)
    print(f"cpu: {cpu_summary()}")
    print(f"audio {seconds:.1f} s, beam {options.beam_size}, {options.compute_type}; fusion {engine.options.fusion_for(base)}")
    print("| decoder | best s | RTF | all runs (s) |")
    print("|---|---|---|---|")
    for name, ts in times.items():
        print(f"| {name} | {min(ts):.2f} | {min(ts) / seconds:.3f} | {', '.join(f'{t:.2f}' for t in ts)} |")
    print(f"fused / plain RTF ratio (best runs): {min(times['fused']) / min(times['plain']):.2f}x")


if __name__ == "__main__":
    main()
