"""CLM training benchmark: time and peak memory, and throughput against PyPI `arpabo`.

    python -m bench.lm_train [--skip-large] [--skip-arpabo] [--large-mb 100]

Cases (each runs in a fresh subprocess so peak RSS is its own):
- medical: the shared medical LM text (~667k words), order chosen by perplexity (2..5)
- large: ~100 MB synthetic text sampled from the medical lines (three spliced pieces and
  random word substitutions, so most high-order n-grams are new, as in real text)
- arpabo: pure-Python `ArpaBoLM` (Kneser-Ney, order 4) on the same normalised medical
  text as `ours-normalised` (our pipeline at order 4 on that file, one estimate: no
  general-English prior tuning; it still validates, normalises and scores the held-out
  5%), for the ratio.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
MEDICAL = EVAL / "medical" / "lm-text"
#: share of words replaced by a random vocabulary word in the synthetic corpus; tuned so
#: that unique 4-grams are ~60% of tokens, as in real text of this size
SUBSTITUTE = 0.12


def _sanitised_medical(work: Path) -> list[Path]:
    """Copies of the medical text without NUL bytes (one shared file embeds a UTF-16
    fragment that validation rejects, as it should)."""
    out = []
    for f in sorted(MEDICAL.glob("*.txt")):
        dst = work / f"medical-{f.name}"
        if not dst.exists():
            dst.write_bytes(f.read_bytes().replace(b"\x00", b""))
        out.append(dst)
    return out


def _normalised_file(files: list[Path], dst: Path) -> Path:
    from jargonaut.lm.normalise import normalise_words

    if not dst.exists():
        with open(dst, "w", encoding="utf-8") as out:
            for f in files:
                for line in f.read_text(encoding="utf-8").splitlines():
                    words = normalise_words(line)
                    if words:
                        out.write(" ".join(words) + "\n")
    return dst


def _synthetic(files: list[Path], dst: Path, megabytes: int, seed: int = 0) -> Path:
    if dst.exists() and dst.stat().st_size >= megabytes * 10**6:
        return dst
    rng = random.Random(seed)
    lines = [line.split() for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    vocab = sorted({w for line in lines for w in line})
    target = megabytes * 10**6
    size = 0
    with open(dst, "w", encoding="utf-8") as out:
        while size < target:
            batch = []
            for _ in range(10_000):
                a, b, c = rng.choice(lines), rng.choice(lines), rng.choice(lines)
                i, j = sorted((rng.randint(0, len(b)), rng.randint(0, len(b))))
                words = a[: rng.randint(0, len(a))] + b[i:j] + c[rng.randint(0, len(c)):]
                words = [rng.choice(vocab) if rng.random() < SUBSTITUTE else w for w in words]
                if words:
                    batch.append(" ".join(words))
            text = "\n".join(batch) + "\n"
            out.write(text)
            size += len(text.encode("utf-8"))
    return dst


def _child(case: str, files: list[str], order: int | None, work: str, max_ngrams: int | None) -> None:
    """Runs in a subprocess; prints one JSON line."""
    t0 = time.perf_counter()
    paths = [Path(f) for f in files]
    words = 0
    if case == "arpabo":
        from arpabo import ArpaBoLM

        lm = ArpaBoLM(max_order=order or 4, smoothing_method="kneser_ney", unicode_norm=False)
        for p in paths:
            with open(p, encoding="utf-8") as f:
                lm.read_corpus(f)
        lm.compute()
        lm.write_file(str(Path(work) / "arpabo.arpa"))
        words = sum(len(line.split()) for p in paths for line in open(p, encoding="utf-8"))
        extra = {}
    else:
        from jargonaut.lm.train import train_clm

        # ours-normalised does what arpabo does (one estimate): no general-prior tuning.
        report = train_clm(paths, None, Path(work) / f"{case}.clm", "WideBand", 1, order=order,
                           max_ngrams=max_ngrams, general_prior=case != "ours-normalised")
        words = report.training_words
        extra = {"order": report.order, "perplexity": report.tuning_perplexity, "oov": report.tuning_oov_rate,
                 "ngrams": report.ngram_counts, "pruned": report.pruned, "timings": report.timings,
                 "min_counts": report.min_counts}
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    mb = sum(p.stat().st_size for p in paths) / 1e6
    print(json.dumps({"case": case, "seconds": seconds, "peak_rss_mib": rss, "input_mb": mb,
                      "words": words, **extra}))


def _run(case: str, files: list[Path], order: int | None, work: Path, timeout: int,
         max_ngrams: int | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.lm_train", "--child", case, "--work-dir", str(work)]
    if max_ngrams:
        cmd += ["--max-ngrams", str(max_ngrams)]
    if order:
        cmd += ["--order", str(order)]
    cmd += ["--files", *map(str, files)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"case": case, "error": f"timed out after {timeout} s"}
    if proc.returncode != 0:
        return {"case": case, "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--skip-arpabo", action="store_true")
    ap.add_argument("--large-mb", type=int, default=100)
    ap.add_argument("--timeout", type=int, default=600, help="per case, seconds")
    ap.add_argument("--work-dir", type=Path, default=None, help="keeps generated corpora between runs")
    ap.add_argument("--max-ngrams", type=int, default=None,
                    help="memory bound for the large case (default: the library's)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--order", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--files", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.files, args.order, str(args.work_dir), args.max_ngrams)
        return 0

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bench-lm-"))
    work.mkdir(parents=True, exist_ok=True)
    medical = _sanitised_medical(work)
    normalised = _normalised_file(medical, work / "medical-normalised.txt")
    rows = [_run("medical", medical, None, work, args.timeout)]
    if not args.skip_arpabo:
        rows.append(_run("ours-normalised", [normalised], 4, work, args.timeout))
        rows.append(_run("arpabo", [normalised], 4, work, args.timeout))
    if not args.skip_large:
        big = _synthetic([normalised], work / f"synthetic-{args.large_mb}mb-s{SUBSTITUTE}.txt", args.large_mb)
        rows.append(_run("large", [big], None, work, args.timeout, args.max_ngrams))

    print(f"\n{'case':<16}{'input MB':>9}{'words':>12}{'seconds':>9}{'words/s':>11}{'peak MiB':>10}"
          f"{'order':>6}{'ppl':>8}")
    for r in rows:
        if "error" in r:
            print(f"{r['case']:<16}  error: {r['error']}")
            continue
        ppl = f"{r['perplexity']:.1f}" if r.get("perplexity") else "-"
        print(f"{r['case']:<16}{r['input_mb']:>9.1f}{r['words']:>12,}{r['seconds']:>9.1f}"
              f"{r['words'] / r['seconds']:>11,.0f}{r['peak_rss_mib']:>10.0f}{r.get('order', 4):>6}{ppl:>8}")
    by = {r["case"]: r for r in rows if "error" not in r}
    if "arpabo" in by and "ours-normalised" in by:
        ratio = by["arpabo"]["seconds"] / by["ours-normalised"]["seconds"]
        mem = by["arpabo"]["peak_rss_mib"] / by["ours-normalised"]["peak_rss_mib"]
        print(f"\nthroughput vs arpabo (same normalised text, order 4, Kneser-Ney): {ratio:.1f}x faster, "
              f"{mem:.1f}x less peak memory")
    for r in rows:
        if "timings" in r:
            print(f"{r['case']}: n-grams {r['ngrams']}, pruned {r['pruned']}, min counts {r['min_counts']}, stages "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in r["timings"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
