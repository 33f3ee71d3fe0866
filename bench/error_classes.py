"""Where the CLM's errors are, by kind: which of plain's errors it removes, and what is left.

    python -m bench.error_classes PLAIN_DIR CLM_DIR [--split dev|held-out|all] [--bands 16k,8k] [--per-domain] [--long]

Reads `bench.domain_suite --save` runs: plain's hypotheses (`<domain>-<band>-plain.json` in
PLAIN_DIR) and the CLM's (`-clm.json` in CLM_DIR), the same clips. Every reference word a system
gets wrong (substituted or deleted, per clip, after Whisper's normaliser, as the WER counts it)
falls in one class, judged against the domain's own files (bench/domains/<name>):
- term: a word of one of the domain's terms (domain_terms.txt);
- common in text: a word train.txt has that is common in general English (Zipf >= 4);
- rare in text: a word train.txt has, rarer than that;
- not in text: a word train.txt never has (a CLM fixes it only by luck);
and every inserted word is one more error (`--long`: the one long recording per domain and band
instead of the clips, where both runs saved it). "fixed %" is the share of plain's errors of a class
that the CLM's output no longer has (negative: it added errors of that class). "ceiling %" is the
pooled relative WER reduction the CLM would reach with no errors of that class left: where more
gain can come from, and where it cannot.

Counts only, summed over a band's domains unless --per-domain: nothing of any error is printed,
so the held-out split can be read this way without looking at its errors (issue 12's protocol).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jiwer

from bench.domain_suite import BANDS, DEV, HELD_OUT
from jargonaut.evaluate.metrics import load_terms, normalise
from jargonaut.lm.general import zipf

DOMAINS = Path(__file__).resolve().parent / "domains"
CLASSES = ("term", "common in text", "rare in text", "not in text", "inserted")
COMMON_ZIPF = 4.0  # "the", "pump", "filed"; below: "coolant", "escrow"


@dataclass(frozen=True)
class DomainWords:
    """What a domain's files say about a reference word."""

    term_words: frozenset[str]
    text_words: frozenset[str]

    @classmethod
    def of(cls, domain: str) -> "DomainWords":
        root = DOMAINS / domain
        terms = load_terms(root / "domain_terms.txt")
        text = normalise((root / "train.txt").read_text(encoding="utf-8"))
        return cls(frozenset(w for t in terms for w in t.split()), frozenset(text.split()))

    def kind(self, word: str) -> str:
        if word in self.term_words:
            return "term"
        if word not in self.text_words:
            return "not in text"
        return "common in text" if (zipf(word) or 0.0) >= COMMON_ZIPF else "rare in text"


def error_counts(clips: list[list[str]], words: DomainWords) -> Counter[str]:
    """Errors per class over (id, reference, hypothesis) clips; "words": the reference words."""
    counts: Counter[str] = Counter()
    for _, reference, hypothesis in clips:
        ref, hyp = normalise(reference), normalise(hypothesis)
        ref_words = ref.split()
        counts["words"] += len(ref_words)
        if not ref_words:
            counts["inserted"] += len(hyp.split())
            continue
        if not hyp.split():
            counts.update(words.kind(w) for w in ref_words)
            continue
        for chunk in jiwer.process_words(ref, hyp).alignments[0]:
            if chunk.type in ("substitute", "delete"):
                counts.update(words.kind(w) for w in ref_words[chunk.ref_start_idx:chunk.ref_end_idx])
            elif chunk.type == "insert":
                counts["inserted"] += chunk.hyp_end_idx - chunk.hyp_start_idx
    return counts


@dataclass
class Tally:
    plain: Counter[str] = field(default_factory=Counter)
    clm: Counter[str] = field(default_factory=Counter)

    def add(self, other: "Tally") -> None:
        self.plain.update(other.plain)
        self.clm.update(other.clm)


def errors(counts: Counter[str]) -> int:
    return sum(counts[c] for c in CLASSES)


def table(title: str, tally: Tally) -> str:
    plain_errors, clm_errors = errors(tally.plain), errors(tally.clm)
    lines = [f"\n### {title}: {tally.plain['words']} reference words, errors plain {plain_errors}, CLM {clm_errors}, "
             f"pooled relative reduction {_pct(1 - clm_errors / plain_errors if plain_errors else None)}",
             "| class | plain errors | CLM errors | fixed % | ceiling % |", "|---|---|---|---|---|"]
    for c in CLASSES:
        p, m = tally.plain[c], tally.clm[c]
        fixed = (p - m) / p if p else None
        ceiling = 1 - (clm_errors - m) / plain_errors if plain_errors else None
        lines.append(f"| {c} | {p} | {m} | {_pct(fixed)} | {_pct(ceiling)} |")
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _clips(path: Path, long: bool) -> list[list[str]]:
    saved = json.loads(path.read_text(encoding="utf-8"))
    if not long:
        return saved["clips"]
    return [["long", *saved["long"]]] if saved.get("long") else []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plain", type=Path, help="a folder with <domain>-<band>-plain.json")
    parser.add_argument("clm", type=Path, help="a folder with <domain>-<band>-clm.json")
    parser.add_argument("--split", choices=("dev", "held-out", "all"), default="dev")
    parser.add_argument("--bands", default="16k,8k")
    parser.add_argument("--per-domain", action="store_true", help="a table per domain too")
    parser.add_argument("--long", action="store_true", help="the long recordings instead of the clips")
    args = parser.parse_args(argv)
    bands = args.bands.split(",")
    if any(b not in BANDS for b in bands):
        raise SystemExit(f"--bands takes {', '.join(BANDS)}")
    domains = {"dev": DEV, "held-out": HELD_OUT, "all": DEV + HELD_OUT}[args.split]
    for band in bands:
        total, seen = Tally(), []
        for domain in domains:
            plain, clm = args.plain / f"{domain}-{band}-plain.json", args.clm / f"{domain}-{band}-clm.json"
            if not (plain.is_file() and clm.is_file()):
                continue
            plain_clips, clm_clips = _clips(plain, args.long), _clips(clm, args.long)
            if not (plain_clips and clm_clips):
                continue
            words = DomainWords.of(domain)
            tally = Tally(error_counts(plain_clips, words), error_counts(clm_clips, words))
            if args.per_domain:
                print(table(f"{domain} {band}", tally))
            total.add(tally)
            seen.append(domain)
        if not seen:
            raise SystemExit(f"no {band} run of the {args.split} domains saved in both {args.plain} and {args.clm}")
        print(table(f"{band}, {len(seen)} domains ({', '.join(seen)})", total), flush=True)


if __name__ == "__main__":
    main()
