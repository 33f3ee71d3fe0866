"""Public API: `train_clm` (text files -> .clm artefact + report) and `load_clm`.

Pipeline: validate tuning files (fail fast) -> restyle the text as Whisper writes transcripts
(lm.text_style: casing, fillers, repeats, speaker tags; every model below learns from that copy,
the report's warnings from the original) -> one streaming pass over the training files
(validate, normalise, count with spills to disk; every 20th line held out when no tuning
files are given) -> merge -> modified Kneser-Ney for each candidate order -> pick the
order with the lowest tuning perplexity -> write the artefact atomically.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from jargonaut.errors import BadRequestError
from jargonaut.lm.artefact import read_artefact, write_artefact
from jargonaut.lm.bpe import base_model_encoder, tokenizer_fingerprint, write_token_corpus
from jargonaut.lm.counting import NgramCounter, OrderCounts, Vocab
from jargonaut.lm.general import DEFAULT_MU, MU_CANDIDATES, everyday_share, general_unigrams
from jargonaut.lm.general import prior as gen_prior
from jargonaut.lm.hashing import BOS
from jargonaut.lm.kneser_ney import OrderTable, estimate, relations
from jargonaut.lm.model import NgramLM, perplexity_of, token_array
from jargonaut.lm.normalise import normalise_words
from jargonaut.lm.report import TrainingReport
from jargonaut.lm.spelling import learn_spellings
from jargonaut.lm.terms import extract_terms
from jargonaut.lm.text_checks import text_warnings
from jargonaut.lm.text_style import WhisperStyle, profile_text, write_styled
from jargonaut.lm.validate import iter_lines

TOKEN_PREFIX = "tokens."  # arrays of the BPE-token model inside a .clm

MAX_TRAINING_BYTES = 2 * 1024**3
MAX_TUNING_BYTES = 200 * 1024**2
DEFAULT_ORDER = 4
CANDIDATE_ORDERS = (2, 3, 4, 5)
MAX_ORDER = 6
HOLDOUT_EVERY = 20  # 5 %
#: above this many training tokens, singletons of orders >= 3 are pruned (model size)
AUTO_PRUNE_TOKENS = 60_000_000
#: n-grams held at estimation (~90 bytes each: ~3.5 GB); beyond it rare ones are cut
MAX_NGRAMS = 40_000_000
LARGE_INPUT_BYTES = 500 * 1024**2


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


@contextlib.contextmanager
def _phase(desc: str, enabled: bool) -> Iterator[None]:
    """A progress line with a running clock, for a phase that has no byte count."""
    if not enabled:
        yield
        return
    from tqdm import tqdm

    bar = tqdm(total=1, desc=desc, bar_format="{desc}: {elapsed}")
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.5):
            bar.refresh()

    ticker = threading.Thread(target=tick, name="progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        stop.set()
        ticker.join()
        bar.update(1)
        bar.close()


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


@dataclass
class _Counted:
    counts: list[OrderCounts]
    min_counts: list[int]
    vocab: Vocab
    training_vocab: int  # words seen in training (the rest come from the general prior)
    lines: int
    words: int
    tokens: int
    tune_toks: np.ndarray
    tuning_source: str


def _count(training_files: list[Path], tuning_files: list[Path], max_order: int, max_ngrams: int,
           progress: bool, work_dir: Path | None, train_bytes: int, general: dict[str, float] | None) -> _Counted:
    """One pass over the training text (validate, normalise, count, hold out), the merge,
    and the tuning tokens against the final vocabulary (OOV -> <unk>), which includes the
    general-English words when there is a prior."""
    vocab = Vocab()
    lines = words = 0
    with tempfile.TemporaryDirectory(prefix="clm-", dir=work_dir) as tmp:
        counter = NgramCounter(max_order, Path(tmp))
        held_path = Path(tmp) / "held-out.txt"  # on disk: 5% of 2 GB is too much for lists
        bar = _progress(train_bytes, "counting", progress)
        with open(held_path, "w", encoding="utf-8") as held:
            for i, sent in enumerate(_sentences(training_files, bar)):
                if not tuning_files and i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1:
                    held.write(" ".join(sent) + "\n")
                    continue
                counter.add(vocab.add(sent))
                lines += 1
                words += len(sent)
        if bar is not None:
            bar.close()
        if words == 0:
            raise BadRequestError("the training data contains no words")
        counts, min_counts = counter.finish(max_ngrams)
        training_vocab = len(vocab)
        if general:
            vocab.add(list(general))

        if tuning_files:
            source = "tuning files"
            tune_toks = token_array(_sentences(tuning_files, None), vocab.ids)
        elif held_path.stat().st_size:
            source = f"held-out {100 // HOLDOUT_EVERY}% of training lines"
            with open(held_path, encoding="utf-8") as f:
                tune_toks = token_array((line.split() for line in f), vocab.ids)
        else:
            source, tune_toks = "none", np.empty(0, np.int32)
    return _Counted(counts, min_counts, vocab, training_vocab, lines, words, counter.tokens, tune_toks, source)


def _select_order(c: _Counted, candidates: list[int], prune_from: int | None, general: dict[str, float] | None
                  ) -> tuple[int, float, list[OrderTable], list, dict[int, float], dict[float, float], float | None]:
    """Pick the order with the lowest tuning perplexity (at the default prior weight),
    then the general-English prior weight mu at that order. Only one model is held at a
    time (the winner is re-estimated at the end if it was not the last one tried)."""
    cut = [n for n, m in enumerate(c.min_counts, 1) if m > 1]
    rel = relations(c.counts[: max(candidates)], len(c.vocab))
    c.counts = []
    scored = np.ones(len(c.vocab), bool)
    scored[BOS] = False
    tuned = bool(len(c.tune_toks))
    oov_rate = None
    tried: list[tuple[int, float]] = []

    def fit(n: int, mu: float) -> tuple[list[OrderTable], list, float | None]:
        nonlocal oov_rate
        tables, ds = estimate(rel, n, prune_from, cut[0] if cut else None,
                              gen_prior(c.vocab.words, general, mu, scored))
        tried.append((n, mu))
        if not tuned:
            return tables, ds, None
        rep = perplexity_of(NgramLM(tables, c.vocab.words), c.tune_toks)
        oov_rate = rep["oov_rate"]
        return tables, ds, rep["perplexity"]

    mu0 = DEFAULT_MU if general else 0.0
    by_order: dict[int, float] = {}
    tables: list[OrderTable] = []
    ds: list = []
    for n in candidates:
        tables = []
        tables, ds, ppl = fit(n, mu0)
        if ppl is not None:
            by_order[n] = ppl
    chosen = min(by_order, key=by_order.__getitem__) if by_order else candidates[-1]
    by_mu: dict[float, float] = {mu0: by_order[chosen]} if by_order else {}
    if general and tuned:
        for mu in MU_CANDIDATES:
            if mu != mu0:
                tables = []
                tables, ds, ppl = fit(chosen, mu)
                if ppl is not None:
                    by_mu[mu] = ppl
    mu = min(by_mu, key=by_mu.__getitem__) if by_mu else mu0
    if tried[-1] != (chosen, mu):
        tables = []
        tables, ds, _ = fit(chosen, mu)
    return chosen, mu, tables, ds, by_order, by_mu, oov_rate


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
    max_ngrams: int | None = None,
    general_prior: bool = True,
    token_model: bool = True,
    size_limits: tuple[int, int] | None = None,
    domain_terms: bool = True,
    base_model_dir: str | Path | None = None,
    whisper_style: bool = True,
) -> TrainingReport:
    """Train a CLM and write it to `output`; raises BadRequestError for unusable input.

    order: n-gram order; None picks the best of 2..5 (2..4 past 500 MB) by tuning perplexity.
    prune: drop singleton n-grams of orders >= 3; None prunes only large corpora.
    work_dir: where count runs spill (default: the system temp directory).
    max_ngrams: memory bound (~90 bytes per n-gram at estimation); past it, rare
    high-order n-grams are dropped before estimation. Default MAX_NGRAMS.
    general_prior: interpolate unigrams with general English (wordfreq), weight tuned.
    token_model: also estimate the text over the base model's BPE tokens (what the decoder
    fuses; measured better than word-level fusion) and store it in the same file.
    domain_terms: pick the salient words for contextual biasing (lm.terms).
    base_model_dir: the base model's directory, whose tokenizer the token model uses
    (default: the configured base model of that name).
    whisper_style: train on the text restyled as Whisper writes (lm.text_style); off only for
    text that is not prose (the token corpus of the token model).
    """
    t0 = time.perf_counter()
    training_files = [Path(p) for p in training_files]
    tuning_files = [Path(p) for p in tuning_files or []]
    output = Path(output)
    if not training_files:
        raise BadRequestError("no training files given")
    if order is not None and not 1 <= order <= MAX_ORDER:
        raise BadRequestError(f"order must be between 1 and {MAX_ORDER}")
    max_train, max_tune = size_limits or (MAX_TRAINING_BYTES, MAX_TUNING_BYTES)
    train_bytes = _check_files(training_files, max_train, "training")
    tune_bytes = _check_files(tuning_files, max_tune, "tuning")

    # Fail fast on bad tuning data before the long pass over training data.
    bar = _progress(tune_bytes, "validating tuning", progress and bool(tuning_files))
    for _ in _sentences(tuning_files, bar):
        pass
    if bar is not None:
        bar.close()

    # The token model first, left on disk (memory-mapped) while the word model is estimated,
    # so the two never hold memory at the same time.
    with contextlib.ExitStack() as stack:
        original, profile, style = training_files, None, None
        if base_model_dir is None and (token_model or whisper_style):
            from jargonaut.asr.base_models import configured_base_models

            base_model_dir = configured_base_models()[base_model_name].model
        if whisper_style:
            profile = profile_text(training_files)
            style = WhisperStyle(profile, base_model_encoder(base_model_dir) if base_model_dir else None)
            styled = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="clm-styled-", dir=work_dir)))
            with _phase("restyling the text as Whisper writes", progress):
                training_files = [write_styled(training_files, style, styled / "train.txt")]
                if tuning_files:
                    tuning_files = [write_styled(tuning_files, style, styled / "tune.txt")]
        tokens = None
        if token_model:
            token_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="clm-tokens-", dir=work_dir)))
            assert base_model_dir is not None  # resolved above
            tokens = _train_token_model(training_files, tuning_files, base_model_name, Path(base_model_dir), prune,
                                        token_dir, progress, style.mid_sentence_starts if style is not None else None)
        # about the text as the user gave it (the token corpus is trained without terms)
        warnings = text_warnings(original, profile) if domain_terms else []
        lower_case = profile.lower_case_words() if profile is not None and domain_terms else []
        return _train_word_model(training_files, tuning_files, output, base_model_name, base_model_version, order,
                                 progress, prune, work_dir, max_ngrams, general_prior, tokens, train_bytes, t0,
                                 domain_terms, warnings, original, lower_case)


def _train_word_model(training_files: list[Path], tuning_files: list[Path], output: Path, base_model_name: str,
                      base_model_version: int, order: int | None, progress: bool, prune: bool | None,
                      work_dir: Path | None, max_ngrams: int | None, general_prior: bool,
                      tokens: tuple[TrainingReport, dict[str, np.ndarray]] | None, train_bytes: int,
                      t0: float, domain_terms: bool, warnings: list[str], term_files: list[Path],
                      lower_case: list[str] | None = None) -> TrainingReport:
    timings = {"token model": time.perf_counter() - t0}
    # Past LARGE_INPUT_BYTES the 5-gram pass costs more disk and time than it earns.
    orders = [n for n in CANDIDATE_ORDERS if train_bytes <= LARGE_INPUT_BYTES or n <= 4]
    max_order = order or max(orders)
    general = general_unigrams() if general_prior else None
    t_count = time.perf_counter()
    c = _count(training_files, tuning_files, max_order, MAX_NGRAMS if max_ngrams is None else max_ngrams,
               progress, work_dir, train_bytes, general)
    timings["count"] = time.perf_counter() - t_count

    t1 = time.perf_counter()
    if prune is None:
        prune = c.tokens > AUTO_PRUNE_TOKENS
    candidates = [order] if order else orders
    if not len(c.tune_toks):
        candidates = [order or DEFAULT_ORDER]
    with _phase(f"estimating (orders {', '.join(map(str, candidates))})", progress):
        chosen, mu, tables, ds, by_order, by_mu, oov_rate = _select_order(c, candidates, 3 if prune else None, general)
    timings["estimate"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    with _phase("domain terms and spellings", progress and domain_terms):
        # Terms keep the text's own spelling (restyling capitalises sentence starts, and in
        # one-sentence lines a term is often only ever sentence-initial).
        terms = extract_terms(term_files) if domain_terms else []
        spellings = learn_spellings(training_files) if domain_terms else {}
    timings["terms"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    report = TrainingReport(
        output=str(output), base_model_name=base_model_name, base_model_version=int(base_model_version),
        order=chosen, vocab_size=len(c.vocab), ngram_counts={n: len(t) for n, t in enumerate(tables, 1)},
        training_lines=c.lines, training_words=c.words, tuning_source=c.tuning_source,
        tuning_words=int(np.count_nonzero((c.tune_toks > 2) | (c.tune_toks == 0))),
        tuning_perplexity=by_mu.get(mu), tuning_oov_rate=oov_rate, perplexity_by_order=by_order,
        general_words=len(c.vocab) - c.training_vocab, general_weight=mu, perplexity_by_general_weight=by_mu,
        discounts={n: list(d) for n, d in enumerate(ds, 1)}, pruned=bool(prune),
        min_counts={n: m for n, m in enumerate(c.min_counts[:chosen], 1)}, domain_terms=len(terms),
        spelling_variants=len(spellings), warnings=warnings,
        everyday_share=everyday_share(c.tune_toks, c.vocab.words),
    )
    extra: dict[str, np.ndarray] = {}
    if tokens is not None:
        token_report, token_arrays = tokens
        report.token_order, report.token_vocab_size = token_report.order, token_report.vocab_size
        report.token_perplexity = token_report.tuning_perplexity
        report.token_tokenizer = token_report.token_tokenizer
        extra = {TOKEN_PREFIX + name: arr for name, arr in token_arrays.items()}
    extra["spellings"] = _text_array([f"{variant}\t{form}" for variant, form in spellings.items()])
    extra["lower_case"] = _text_array(lower_case or [])  # TextProfile.lower_case_words
    with _phase("writing", progress):
        report.file_bytes = _write(output, report, c.vocab, tables, terms, extra)
    timings["write"] = time.perf_counter() - t3
    report.timings = timings
    report.seconds = time.perf_counter() - t0
    return report


def _train_token_model(training_files: list[Path], tuning_files: list[Path], base_model_name: str,
                       base_model_dir: Path, prune: bool | None, out_dir: Path, progress: bool,
                       extra: Callable[[str], list[str]] | None = None,
                       ) -> tuple[TrainingReport, dict[str, np.ndarray]] | None:
    """The training (and tuning) text as Whisper BPE tokens, estimated by the same trainer
    (no general-English prior: it is over words) into `out_dir`; its arrays come back
    memory-mapped from there. None if the base model has no tokenizer. What `extra` gives for
    a training line is read after it (WhisperStyle.mid_sentence_starts)."""
    encode_many = base_model_encoder(base_model_dir)
    if encode_many is None:
        return None
    with tempfile.TemporaryDirectory(prefix="corpus-", dir=out_dir) as tmp:
        def corpus(files: list[Path], name: str, extra: Callable[[str], list[str]] | None = None) -> list[Path]:
            if not files:
                return []
            bar = _progress(sum(f.stat().st_size for f in files), f"token model: tokenising {name[:-4]}", progress)

            def lines() -> Iterator[str]:
                for f in files:
                    for line in iter_lines(f):
                        if bar is not None:
                            bar.update(len(line.encode("utf-8")) + 1)
                        yield line
                        if extra is not None:
                            yield from extra(line)

            try:
                return [write_token_corpus(lines(), encode_many, Path(tmp) / name)]
            finally:
                if bar is not None:
                    bar.close()

        out = out_dir / "tokens.clm"
        training, tuning = corpus(training_files, "train.txt", extra), corpus(tuning_files, "tune.txt")
        with _phase("token model: counting and estimating", progress):
            report = train_clm(training, tuning, out, base_model_name, 0, prune=prune, work_dir=Path(tmp),
                               general_prior=False, token_model=False, domain_terms=False, whisper_style=False,
                               size_limits=(1 << 62, 1 << 62))  # the text passed the limits; tokens spell longer
    report.token_tokenizer = tokenizer_fingerprint(base_model_dir)
    return report, read_artefact(out)[1]


def _write(output: Path, report: TrainingReport, vocab: Vocab, tables: list[OrderTable],
           terms: list[tuple[str, float]], extra: dict[str, np.ndarray] | None = None) -> int:
    header = {
        "kind": "jargonaut-clm",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        **{k: v for k, v in report.to_dict().items()
           if k not in ("output", "file_bytes", "seconds", "timings")},
    }
    # JSON object keys must be strings.
    for k in ("ngram_counts", "perplexity_by_order", "discounts", "min_counts", "perplexity_by_general_weight"):
        header[k] = {str(n): v for n, v in header[k].items()}
    arrays = {
        "vocab": _text_array(vocab.words),
        "terms": _text_array([t for t, _ in terms]),
        "term_salience": np.asarray([s for _, s in terms], dtype=np.float32),
    }
    for n, t in enumerate(tables, 1):
        arrays[f"keys.{n}"] = t.key
        arrays[f"logprob.{n}"] = t.logprob
        arrays[f"backoff.{n}"] = t.backoff
        arrays[f"ctx.{n}"] = t.ctx_idx
        arrays[f"last.{n}"] = t.last
    arrays.update(extra or {})
    output.parent.mkdir(parents=True, exist_ok=True)
    return write_artefact(output, header, arrays)


def _text_array(lines: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8)


def _text_lines(arr: np.ndarray | None) -> list[str]:
    text = bytes(arr).decode("utf-8") if arr is not None else ""
    return text.split("\n") if text else []


def load_clm(path: Path) -> NgramLM:
    """Memory-map a .clm file (fast: nothing is copied except the vocabulary)."""
    try:
        header, arrays = read_artefact(Path(path))
    except ValueError as e:
        raise BadRequestError(str(e)) from None
    words = _text_lines(arrays.pop("vocab"))
    # CLMs trained before terms existed load without them (no contextual biasing).
    terms = _text_lines(arrays.pop("terms", None))
    tables = _tables(arrays, int(header["order"]))
    lm = NgramLM(tables, words, header["base_model_name"], int(header["base_model_version"]), header)
    lm.terms = terms
    lm.spellings = dict(line.split("\t", 1) for line in _text_lines(arrays.pop("spellings", None)))
    lm.lower_case = frozenset(_text_lines(arrays.pop("lower_case", None)))  # none in CLMs trained before
    if header.get("token_order"):  # CLMs trained before token models fuse at word level
        lm.token_model = NgramLM(_tables(arrays, int(header["token_order"]), TOKEN_PREFIX),
                                 _text_lines(arrays[TOKEN_PREFIX + "vocab"]), header={"unit": "bpe"})
    return lm


def _tables(arrays: dict[str, np.ndarray], order: int, prefix: str = "") -> list[OrderTable]:
    return [
        OrderTable(arrays[f"{prefix}keys.{n}"], arrays[f"{prefix}logprob.{n}"], arrays[f"{prefix}backoff.{n}"],
                   arrays[f"{prefix}ctx.{n}"], arrays[f"{prefix}last.{n}"])
        for n in range(1, order + 1)
    ]
