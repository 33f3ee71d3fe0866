"""What the errors of an evaluation are: substitutions, deletions, insertions, the most
frequent confusions, and long runs of dropped or invented words (long-form failures).

On the medical consultations this is what showed that a fifth of plain Whisper's errors are
one spelling ("OK" in the references, "Okay" from Whisper) and that the rest swing with a
few runs of five or more dropped words, rather than with domain terms.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import jiwer

from jargonaut.evaluate.metrics import Report

LONG_RUN = 5  # consecutive deleted or inserted words that count as a long-form failure


@dataclass
class ErrorBreakdown:
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0
    confusions: Counter = field(default_factory=Counter)  # (reference word, hypothesis word)
    deleted: Counter = field(default_factory=Counter)
    inserted: Counter = field(default_factory=Counter)
    long_runs: list[tuple[str, str, int]] = field(default_factory=list)  # (file, kind, words)

    @property
    def long_run_words(self) -> int:
        return sum(n for _, _, n in self.long_runs)


def breakdown(report: Report) -> ErrorBreakdown:
    """Align every file's normalised reference and hypothesis and tally the edits."""
    out = ErrorBreakdown()
    for f in report.files:
        ref, hyp = f.reference.split(), f.hypothesis.split()
        if not ref or not hyp:
            kind, words = ("delete", ref) if ref else ("insert", hyp)
            _tally(out, f.id, kind, words, words)
            continue
        alignment = jiwer.process_words(f.reference, f.hypothesis)
        for chunk in alignment.alignments[0]:
            r = ref[chunk.ref_start_idx : chunk.ref_end_idx]
            h = hyp[chunk.hyp_start_idx : chunk.hyp_end_idx]
            if chunk.type == "substitute":
                out.substitutions += len(r)
                out.confusions.update(zip(r, h))
            elif chunk.type in ("delete", "insert"):
                _tally(out, f.id, chunk.type, r, h)
    return out


def _tally(out: ErrorBreakdown, file_id: str, kind: str, ref: list[str], hyp: list[str]) -> None:
    words = ref if kind == "delete" else hyp
    if kind == "delete":
        out.deletions += len(words)
        out.deleted.update(words)
    else:
        out.insertions += len(words)
        out.inserted.update(words)
    if len(words) >= LONG_RUN:
        out.long_runs.append((file_id, kind, len(words)))


def format_breakdown(b: ErrorBreakdown, top: int = 10) -> str:
    total = b.substitutions + b.deletions + b.insertions
    lines = [
        f"errors {total}: substitutions {b.substitutions}, deletions {b.deletions}, insertions {b.insertions}",
        f"runs of {LONG_RUN}+ deleted/inserted words: {len(b.long_runs)} ({b.long_run_words} words)",
        "top substitutions (reference -> hypothesis): "
        + ", ".join(f"{r}->{h} {n}" for (r, h), n in b.confusions.most_common(top)),
        "top deletions: " + ", ".join(f"{w} {n}" for w, n in b.deleted.most_common(top)),
        "top insertions: " + ", ".join(f"{w} {n}" for w, n in b.inserted.most_common(top)),
    ]
    return "\n".join(lines)
