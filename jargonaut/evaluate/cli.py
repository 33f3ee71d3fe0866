"""`jargonaut eval` and `jargonaut transcribe` subcommands (wired in by jargonaut/cli.py)."""
from __future__ import annotations

import argparse
import errno
from pathlib import Path


def register(subparsers) -> None:
    ev = subparsers.add_parser("eval", help="word error rate of a base model (optionally with a CLM) on a manifest")
    ev.add_argument("manifest", help="manifest.tsv, biomed-tts test.tsv, or a directory with audio/ and references/")
    ev.add_argument("--language-model", metavar="FILE", help="custom language model to fuse")
    ev.add_argument("--terms", metavar="FILE", help="domain terms (one a line) to report recall for")
    ev.add_argument("--base-model", choices=("WideBand", "NarrowBand"), default="WideBand")
    ev.add_argument("--audio-dir", help="audio folder next to an id/text manifest (default wav16)")
    ev.add_argument("--ids", help="comma-separated recording ids to keep")
    ev.add_argument("--max-seconds", type=float, help="only the first N seconds of each recording")
    ev.add_argument("--errors", action="store_true", help="also break the errors down (confusions, long runs)")
    ev.set_defaults(func=_eval)

    tr = subparsers.add_parser("transcribe", help="transcribe one audio file")
    tr.add_argument("audio")
    tr.add_argument("--language-model", metavar="FILE", help="custom language model to fuse")
    tr.add_argument("--base-model", choices=("WideBand", "NarrowBand"), default="WideBand")
    tr.add_argument("--words", action="store_true", help="print word timings and confidences")
    tr.set_defaults(func=_transcribe)


def _eval(args: argparse.Namespace) -> int:
    from jargonaut.asr.engine import SpeechEngine
    from jargonaut.evaluate.manifests import read_manifest
    from jargonaut.evaluate.metrics import load_terms
    from jargonaut.evaluate.run import evaluate, format_report, load_language_model, make_transcriber

    items = read_manifest(args.manifest, args.audio_dir, args.ids.split(",") if args.ids else None)
    lm = load_language_model(args.language_model) if args.language_model else None
    terms = load_terms(args.terms) if args.terms else None
    run = evaluate(items, make_transcriber(SpeechEngine.from_settings(), args.base_model, lm), terms, args.max_seconds)
    print(format_report(run))
    if args.errors:
        from jargonaut.evaluate.errors import breakdown, format_breakdown

        print(format_breakdown(breakdown(run.report)))
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from jargonaut.asr.audio import decode
    from jargonaut.asr.engine import SpeechEngine
    from jargonaut.evaluate.run import load_language_model

    if not Path(args.audio).is_file():  # say so, rather than "could not be decoded"
        raise FileNotFoundError(errno.ENOENT, "No such audio file", args.audio)
    lm = load_language_model(args.language_model) if args.language_model else None
    engine = SpeechEngine.from_settings()
    with tqdm(total=1, unit="file", leave=False) as bar:
        result = engine.recognize(decode(Path(args.audio)), engine.base_models[args.base_model], lm)
        bar.update()
    if args.words:
        for seg in result.segments:
            for w in seg.words:
                print(f"{w.start:8.2f} {w.end:8.2f} {w.probability:5.2f} {w.text}")
    else:
        print(result.text)
    return 0

