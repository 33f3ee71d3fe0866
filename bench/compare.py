"""Did a setting change help? Two saved domain-suite runs compared clip by clip.

    python -m bench.compare BEFORE_DIR AFTER_DIR [--system clm] [--against plain] [--long]

Both folders hold `bench.domain_suite --save` output (`<domain>-<band>-<system>.json`). For each
domain and band in both, AFTER's system is compared with BEFORE's on the same clips by a paired
bootstrap (evaluate/significance.py): errors, clips better and worse, the relative WER
reduction with its 95% interval, and a verdict. The mean row per band gives the mean relative
reduction with its interval. Use it on the DEV split when choosing settings: a change whose
interval spans 0 is noise, whatever its point estimate. `--against plain` compares AFTER's
system with BEFORE's plain run instead (the CLM's own gain).

`--long` compares the long recordings instead (runs saved with `--long-only` or with clips
too): each recording's errors are handed to its clips by aligning its text with theirs
(evaluate/long_form.py), so the same table says how many clips a setting moved inside the
recording. The clips of one recording share their windows' prompts, so its interval is
narrower than the truth: read "better" there as a lead to confirm, not a result.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bench.domain_suite import interval_text, pct
from jargonaut.evaluate.long_form import clip_scores
from jargonaut.evaluate.metrics import FileScore, score_files
from jargonaut.evaluate.significance import PairedComparison, compare, mean_interval, verdict

HEADER = ("| domain | band | clips | errors before | errors after | clips better | clips worse "
          "| rel. red. % [95% CI] | verdict |\n|---|---|---|---|---|---|---|---|---|")


def load(path: Path) -> list[FileScore]:
    clips = json.loads(path.read_text(encoding="utf-8"))["clips"]
    return score_files([(key, reference, text) for key, reference, text in clips]).files


def load_long(path: Path) -> list[FileScore]:
    """The saved long recording's errors, clip by clip (evaluate/long_form.py)."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    clips, (_, text) = saved.get("long_clips"), saved.get("long") or (None, None)
    if not clips or text is None:
        raise SystemExit(f"{path} holds no long recording with its clips (saved by an older bench.domain_suite "
                         "or with --no-long): run the suite again with --save")
    return clip_scores([(key, reference) for key, reference in clips], text)


def runs(folder: Path, system: str) -> dict[tuple[str, str], Path]:
    """(domain, band) -> the saved hypotheses of `system` in `folder`."""
    suffix = f"-{system}.json"
    out = {}
    for path in sorted(folder.glob(f"*{suffix}")):
        domain, _, band = path.name[: -len(suffix)].rpartition("-")
        out[domain, band] = path
    return out


def row(domain: str, band: str, c: PairedComparison) -> str:
    return (f"| {domain} | {band} | {c.files} | {c.baseline_errors} | {c.system_errors} | {c.better_files} "
            f"| {c.worse_files} | {pct(c.relative_reduction)}{interval_text(c.low, c.high)} | {c.verdict} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--system", default="clm", help="the system compared in both runs (default: clm)")
    parser.add_argument("--against", help="BEFORE's system to compare with (default: --system)")
    parser.add_argument("--long", action="store_true", help="compare the long recordings, their errors clip by clip")
    args = parser.parse_args(argv)
    scores = load_long if args.long else load

    before, after = runs(args.before, args.against or args.system), runs(args.after, args.system)
    shared = sorted(set(before) & set(after), key=lambda k: (k[1], k[0]))
    if not shared:
        raise SystemExit(f"no domain and band saved in both {args.before} and {args.after}")
    print(HEADER)
    by_band: dict[str, list[PairedComparison]] = {}
    for domain, band in shared:
        c = compare(scores(before[domain, band]), scores(after[domain, band]))
        by_band.setdefault(band, []).append(c)
        print(row(domain, band, c))
    for band, comparisons in by_band.items():
        reductions = [c.relative_reduction for c in comparisons if c.relative_reduction is not None]
        low, high = mean_interval(comparisons)
        mean = pct(float(np.mean(reductions)) if reductions else None)
        print(f"| **mean** | {band} | {sum(c.files for c in comparisons)} | {sum(c.baseline_errors for c in comparisons)} "
              f"| {sum(c.system_errors for c in comparisons)} | {sum(c.better_files for c in comparisons)} "
              f"| {sum(c.worse_files for c in comparisons)} | {mean}{interval_text(low, high)} | {verdict(low, high)} |")


if __name__ == "__main__":
    main()
