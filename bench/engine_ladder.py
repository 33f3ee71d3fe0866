"""The base-model ladder through the engine: WER without and with a CLM, and the real-time
factor of each against plain faster-whisper with the same model (same run, same machine).

    python -m bench.engine_ladder                      # the full run (hours on 2 cores)
    python -m bench.engine_ladder --general 40 --medical 3 --max-seconds 120   # bounded

Sets: general (LJSpeech, JFK and the two 8 kHz recordings, medical CLM: what a domain CLM
costs off-domain), biomed-tts 16 kHz (its own CLM on train.txt) and the medical non-dev
OSCE recordings (CLM on medical/lm-text; `--max-seconds` scores the first N s, the
reference cut where it best matches faster-whisper's hypothesis, the same cut for every
system). Each base model gets its own CLMs (a token-level CLM is tied to its tokenizer).

Systems: `faster-whisper` is `WhisperModel.transcribe(language="en", beam_size=5)` built
here, outside the engine (the peer); `engine` is the engine without a CLM; `engine+CLM`
fuses the CLM. RTF ratio = the system's RTF / faster-whisper's RTF on the same items; the
systems take turns on each item, so load from other processes falls on all of them alike
(`engine` is the control: it is faster-whisper, so its ratio shows the noise).

Measured 2026-11-30 (second session, whisper-base with its own fusion settings: token
alpha 0.3, no internal LM, case-neutral), `--general 20 --biomed 30 --medical 8 --max-seconds 60`,
one invocation per model (tiny.en, then base; base's medical set in a second invocation run
alongside), on 2 cores shared with five other helpers (load 10-13: absolute RTFs inflated
and noisy; ratios are per item, alike; the coordinator re-measures speed quietly):

| base model | set | audio s | faster-whisper WER | +CLM WER | CLM RTF / faster-whisper RTF |
|---|---|---|---|---|---|
| tiny.en | general (23) | 182 | 3.06% | 2.62% | 1.88x (control 1.01x) |
| tiny.en | biomed 16 kHz (30) | 113 | 41.97% | 8.76% | 1.85x (control 1.09x) |
| tiny.en | medical non-dev (8 x 60 s) | 480 | 13.86% | 11.35% | 2.92x (control 1.12x) |
| base | general (23) | 182 | 3.71% | 3.71% | 1.51x (control 0.96x) |
| base | biomed 16 kHz (30) | 113 | 32.12% | 8.03% | 1.53x (control 0.94x) |
| base | medical non-dev (8 x 60 s) | 480 | 12.34% | 9.23% | 2.07x (control 1.10x) |

Base beats tiny.en on the synthetic biomed speech (32.1 vs 42.0% plain, 8.0 vs 8.8% with the
CLM) and on the medical recordings (12.3 vs 13.9% plain, 9.2 vs 11.4% with the CLM); on this
general subset tiny.en is ahead (3.06 vs 3.71%). With its own settings the medical CLM no longer
costs base anything off-domain (general 3.71% with and without it).
Quiet-machine speed (coordinator, `bench.clm_speed --seconds 120 --repeats 3`, tiny.en):
fused 1.07x plain.

Earlier (first session, base with tiny.en's fusion weights, `--general 40 --medical 3
--max-seconds 120`): tiny.en general 6.16 -> 5.91%, biomed 43.90 -> 11.61%, medical
12.28 -> 7.85%; base general 6.16 -> 6.92%, biomed 34.65 -> 10.83%, medical 12.66 -> 9.24%.
"""
from __future__ import annotations

import argparse
import glob
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
DEV_IDS = ("CAR0001", "GAS0001", "MSK0001")
MODELS = ("whisper-tiny.en", "whisper-base")


def train_clm_for(files: list[Path], base, work: Path, name: str):
    from jargonaut.lm.train import load_clm, train_clm

    clean = []
    for f in files:  # the shipped medical text has a stray NUL byte; the validator rejects it
        out = work / f"{name}-{f.name}"
        out.write_bytes(f.read_bytes().replace(b"\0", b""))
        clean.append(out)
    path = work / f"{name}.clm"
    train_clm(clean, None, path, base.name, base.version, base_model_dir=base.model)
    return load_clm(path)


def peer(model_dir: str, beam_size: int):
    """Plain faster-whisper with the same model, built outside the engine."""
    from faster_whisper import WhisperModel

    model = WhisperModel(model_dir, device="cpu", compute_type="int8")

    def run(audio) -> str:
        segments, _ = model.transcribe(audio, language="en", beam_size=beam_size)
        return " ".join(s.text.strip() for s in segments if s.text.strip())

    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--general", type=int, help="only the first N LJSpeech clips (plus JFK and the 8 kHz files)")
    parser.add_argument("--medical", type=int, help="only the first N non-dev medical recordings")
    parser.add_argument("--max-seconds", type=float, help="only the first N s of each medical recording")
    parser.add_argument("--biomed", type=int, help="only the first N biomed clips")
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[1] / ".bench-cache" / "data"))
    args = parser.parse_args(argv)

    from jargonaut.asr.engine import SpeechEngine
    from jargonaut.evaluate.manifests import read_manifest
    from jargonaut.evaluate.metrics import reference_prefix, score_files
    from jargonaut.evaluate.run import make_transcriber
    from jargonaut.settings import Settings

    general = read_manifest(EVAL / "general" / "manifest.tsv")
    lj = [i for i in general if i.id.startswith("LJ")][: args.general]
    general = lj + [i for i in general if not i.id.startswith("LJ")]
    biomed = read_manifest(EVAL / "biomed-tts" / "test.tsv", "wav16")[: args.biomed]
    medical = [i for i in read_manifest(EVAL / "medical") if i.id not in DEV_IDS][: args.medical]
    medical_text = [Path(p) for p in sorted(glob.glob(str(EVAL / "medical" / "lm-text" / "*.txt")))]
    rows: list[str] = []
    print("| base model | set | items | audio s | system | WER % | RTF | RTF ratio vs faster-whisper |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    for name in args.models.split(","):
        settings = Settings.load(data_dir=args.data_dir, wideband_model=name, narrowband_model=name)
        engine = SpeechEngine.from_settings(settings)
        wide = engine.base_models["WideBand"]
        plain_fw = peer(wide.model, engine.options.decode.beam_size)
        with tempfile.TemporaryDirectory(prefix="ladder-") as tmp:
            work = Path(tmp)
            medical_clm = train_clm_for(medical_text, wide, work, "medical")
            biomed_clm = train_clm_for([EVAL / "biomed-tts" / "train.txt"], wide, work, "biomed")
            silence = np.zeros(16000, np.float32)  # load models and build decoders before timing
            for clm in (None, medical_clm, biomed_clm):
                engine.text(silence, wide, clm)
            for set_name, items, clm, max_seconds in (
                ("general", general, medical_clm, None),
                ("biomed 16 kHz", biomed, biomed_clm, None),
                ("medical non-dev", medical, medical_clm, args.max_seconds),
            ):
                if not items:
                    continue
                systems = {"faster-whisper": plain_fw, "engine": make_transcriber(engine, wide),
                           "engine+CLM": make_transcriber(engine, wide, clm)}
                texts, seconds, audio_s = interleaved(items, systems, max_seconds)
                if max_seconds:  # one reference cut for every system, from faster-whisper's hypothesis
                    items = [replace(i, reference=reference_prefix(i.reference, t))
                             for i, t in zip(items, texts["faster-whisper"])]
                peer_rtf = seconds["faster-whisper"] / audio_s
                for system in systems:
                    report = score_files([(i.id, i.reference, t) for i, t in zip(items, texts[system])])
                    rtf = seconds[system] / audio_s
                    row = (f"| {name} | {set_name} | {len(items)} | {audio_s:.0f} | {system} | "
                           f"{100 * report.wer:.2f} | {rtf:.3f} | {rtf / peer_rtf:.2f}x |")
                    rows.append(row)
                    print(row, flush=True)


def interleaved(items, systems, max_seconds):
    """Every system on each item in turn (load on a shared machine hits them alike):
    texts per system, compute seconds per system, audio seconds."""
    import time

    from jargonaut.asr.audio import decode

    texts = {name: [] for name in systems}
    seconds = dict.fromkeys(systems, 0.0)
    audio_s = 0.0
    for item in items:
        audio = decode(item.audio)
        if max_seconds:
            audio = audio[: int(max_seconds * 16000)]
        audio_s += len(audio) / 16000
        for name, transcribe in systems.items():
            t0 = time.perf_counter()
            texts[name].append(transcribe(audio))
            seconds[name] += time.perf_counter() - t0
    return texts, seconds, audio_s


if __name__ == "__main__":
    main()
