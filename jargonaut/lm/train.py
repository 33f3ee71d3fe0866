"""Public API: `train_clm` (text files -> .clm artefact + report) and `load_clm`.

Pipeline: validate tuning files (fail fast) -> one streaming pass over the training files
(validate, normalise, count with spills to disk; every 20th line held out when no tuning
files are given) -> merge -> modified Kneser-Ney for each candidate order -> pick the
order with the lowest tuning perplexity -> write the artefact atomically.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Iterator

import numpy as np

from jargonaut.errors import BadRequestError
from jargonaut.lm.artefact import read_artefact, write_artefact
from jargonaut.lm.counting import NgramCounter, Vocab
from jargonaut.lm.kneser_ney import OrderTable, estimate
from jargonaut.lm.model import NgramLM, perplexity_of, token_array
from jargonaut.lm.normalise import normalise_words
from jargonaut.lm.report import TrainingReport
from jargonaut.lm.validate import iter_lines

MAX_TRAINING_BYTES = 2 * 1024**3
MAX_TUNING_BYTES = 200 * 1024**2
DEFAULT_ORDER = 4
CANDIDATE_ORDERS = (2, 3, 4, 5)
MAX_ORDER = 6
HOLDOUT_EVERY = 20  # 5 %
#: above this many training tokens, singletons of orders >= 3 are pruned (memory bound)
AUTO_PRUNE_TOKENS = 60_000_000


def _check_files(files: list[Path], limit: int, what: str) -> int:
    total = 0
    for f in files:
        if not f.is_file():
            raise BadRequestError(f"{what} file {f.name} does not exist or is not a file")
        total += f.stat().st_size
    if total > limit:
        raise BadRequestError(
            f"{what} data is {total / 1024**2:,.0f} MiB; the limit is {limit / 1024**2:,.0f} MiB")
    return total


def _progress(total: int, desc: str, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024)


def _sentences(files: list[Path], bar) -> Iterator[list[str]]:
    """Normalised, non-empty sentences of `files`, validated as they stream."""
    done = 0
    for path in files:
        for line in iter_lines(path):
            done += len(line) + 1
            if bar is not None and done >= 1 << 20:
                bar.update(done)
                done = 0
            words = normalise_words(line)
            if words:
                yield words
    if bar is not None:
        bar.update(done)


def train_clm(
    training_files: list[Path],
    tuning_files: list[Path] | None,
    output: Path,
    base_model_name: str,
    base_model_version: int,
    order: int | None = None,
    progress: bool = False,
    *,
    prune: bool | None = None,
    work_dir: Path | None = None,
) -> TrainingReport:
    """Train a CLM and write it to `output`; raises BadRequestError for unusable input.

    order: n-gram order; None picks the best of 2..5 by tuning perplexity.
    prune: drop singleton n-grams of orders >= 3; None prunes only large corpora.
    """
    t0 = time.perf_counter()
    training_files = [Path(p) for p in training_files]
    tuning_files = [Path(p) for p in tuning_files or []]
    output = Path(output)
    if not training_files:
        raise BadRequestError("no training files given")
    if order is not None and not 1 <= order <= MAX_ORDER:
        raise BadRequestError(f"order must be between 1 and {MAX_ORDER}")
    train_bytes = _check_files(training_files, MAX_TRAINING_BYTES, "training")
    tune_bytes = _check_files(tuning_files, MAX_TUNING_BYTES, "tuning")
    timings: dict[str, float] = {}

    # Fail fast on bad tuning data before the long pass over training data.
    bar = _progress(tune_bytes, "validating tuning", progress and bool(tuning_files))
    for _ in _sentences(tuning_files, bar):
        pass
    if bar is not None:
        bar.close()

    max_order = order or max(CANDIDATE_ORDERS)
    vocab = Vocab()
    held_words: list[list[str]] = []
    lines = words = 0
    with tempfile.TemporaryDirectory(prefix="clm-", dir=work_dir) as tmp:
        counter = NgramCounter(max_order, Path(tmp))
        bar = _progress(train_bytes, "counting", progress)
        for i, sent in enumerate(_sentences(training_files, bar)):
            if not tuning_files and i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1:
                held_words.append(sent)
                continue
            counter.add(vocab.add(sent))
            lines += 1
            words += len(sent)
        if bar is not None:
            bar.close()
        timings["count"] = time.perf_counter() - t0
        if words == 0:
            raise BadRequestError("the training data contains no words")
        counts = counter.finish()
        timings["merge"] = time.perf_counter() - t0 - sum(timings.values())

    # Tuning tokens (OOV -> <unk>) against the final vocabulary.
    t1 = time.perf_counter()
    if tuning_files:
        tuning_source = "tuning files"
        tune_toks = token_array(_sentences(tuning_files, None), vocab.ids)
    elif held_words:
        tuning_source = f"held-out {100 // HOLDOUT_EVERY}% of training lines"
        tune_toks = token_array(held_words, vocab.ids)
    else:
        tuning_source = "none"
        tune_toks = np.empty(0, np.int32)
    del held_words

    if prune is None:
        prune = counter.tokens > AUTO_PRUNE_TOKENS
    prune_from = 3 if prune else None
    candidates = [order] if order else [n for n in CANDIDATE_ORDERS if n <= max_order]
    if not len(tune_toks):
        candidates = [order or DEFAULT_ORDER]
    best: tuple[float, int, list[OrderTable], list] | None = None
    by_order: dict[int, float] = {}
    oov_rate = None
    for n in candidates:
        tables, ds = estimate(counts, n, prune_from)
        ppl = float("inf")
        if len(tune_toks):
            rep = perplexity_of(NgramLM(tables, vocab.words), tune_toks)
            ppl, oov_rate = rep["perplexity"], rep["oov_rate"]
            by_order[n] = ppl
        if best is None or ppl < best[0]:
            best = (ppl, n, tables, ds)
        del tables
    assert best is not None
    ppl, chosen, tables, ds = best
    del counts
    timings["estimate"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    header = {
        "kind": "jargonaut-clm",
        "base_model_name": base_model_name,
        "base_model_version": int(base_model_version),
        "order": chosen,
        "vocab_size": len(vocab),
        "ngram_counts": {str(n): len(t) for n, t in enumerate(tables, 1)},
        "tuning_perplexity": ppl if by_order else None,
        "tuning_oov_rate": oov_rate,
        "tuning_source": tuning_source,
        "training_words": words,
        "pruned": bool(prune),
        "discounts": {str(n): list(d) for n, d in enumerate(ds, 1)},
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    arrays = {"vocab": np.frombuffer("\n".join(vocab.words).encode("utf-8"), dtype=np.uint8)}
    for n, t in enumerate(tables, 1):
        arrays[f"keys.{n}"] = t.key
        arrays[f"logprob.{n}"] = t.logprob
        arrays[f"backoff.{n}"] = t.backoff
        arrays[f"ctx.{n}"] = t.ctx_idx
        arrays[f"last.{n}"] = t.last
    output.parent.mkdir(parents=True, exist_ok=True)
    size = write_artefact(output, header, arrays)
    timings["write"] = time.perf_counter() - t2

    return TrainingReport(
        output=str(output), base_model_name=base_model_name, base_model_version=int(base_model_version),
        order=chosen, vocab_size=len(vocab), ngram_counts={n: len(t) for n, t in enumerate(tables, 1)},
        training_lines=lines, training_words=words, tuning_source=tuning_source,
        tuning_words=int(np.count_nonzero(tune_toks > 2)) + int(np.count_nonzero(tune_toks == 0)),
        tuning_perplexity=header["tuning_perplexity"], tuning_oov_rate=oov_rate,
        perplexity_by_order=by_order, discounts={n: list(d) for n, d in enumerate(ds, 1)},
        pruned=bool(prune), file_bytes=size, seconds=time.perf_counter() - t0, timings=timings,
    )


def load_clm(path: Path) -> NgramLM:
    """Memory-map a .clm file (fast: nothing is copied except the vocabulary)."""
    try:
        header, arrays = read_artefact(Path(path))
    except ValueError as e:
        raise BadRequestError(str(e)) from None
    words = bytes(arrays.pop("vocab")).decode("utf-8").split("\n")
    tables = [
        OrderTable(arrays[f"keys.{n}"], arrays[f"logprob.{n}"], arrays[f"backoff.{n}"],
                   arrays[f"ctx.{n}"], arrays[f"last.{n}"])
        for n in range(1, int(header["order"]) + 1)
    ]
    return NgramLM(tables, words, header["base_model_name"], int(header["base_model_version"]), header)
