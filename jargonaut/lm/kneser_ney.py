"""Interpolated modified Kneser-Ney (Chen & Goodman 1998) written as a backoff model.

For an n-gram g = (ctx, w) with adjusted count a(g):
    p(w | ctx) = (a(g) - D_n(a)) / T(ctx) + gamma(ctx) * p(w | ctx[1:])
    gamma(ctx) = (D_n1 N1(ctx) + D_n2 N2(ctx) + D_n3+ N3+(ctx)) / T(ctx)
where T(ctx) sums a over the n-grams sharing ctx, N_k counts those with a = k (3+), and
D_n1..3+ come from order n's count-of-counts. Adjusted counts are raw counts for the top
order and for n-grams starting with <s> (nothing can precede them); otherwise they are
continuation counts, the number of distinct words seen before g. Unigrams interpolate
with the uniform distribution over the vocabulary (including <unk>, excluding <s>).

As a backoff (ARPA) model the stored probability of a seen n-gram is the interpolated
value above and backoff(ctx) = gamma(ctx), which is exact. After pruning, backoffs are
recomputed so every context's distribution still sums to one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from jargonaut.lm.counting import OrderCounts
from jargonaut.lm.hashing import BOS, SEED, UNK, mix_np

#: ln probability given to <s> (it is never predicted); ARPA's conventional -99 (log10)
BOS_LOGPROB = -99.0 * math.log(10.0)


@dataclass
class OrderTable:
    """One order of the finished model, sorted by key."""

    key: np.ndarray  # uint64
    logprob: np.ndarray  # float32, ln p(w | ctx)
    backoff: np.ndarray  # float32, ln backoff weight of this n-gram as a context
    ctx_idx: np.ndarray  # int32, row of the context in the previous order (-1 for unigrams)
    last: np.ndarray  # int32, word id of the last word

    def __len__(self) -> int:
        return len(self.key)


def find(keys: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row of each query key in sorted `keys` and whether it is there."""
    if len(keys) == 0:
        return np.zeros(len(query), np.int64), np.zeros(len(query), bool)
    if len(query) > 65536:
        # Sorted queries walk `keys` in order: ~3x faster than random probes (cache).
        perm = np.argsort(query)
        idx = np.empty(len(query), np.int64)
        idx[perm] = np.searchsorted(keys, query[perm])
    else:
        idx = np.searchsorted(keys, query)
    np.minimum(idx, len(keys) - 1, out=idx)
    return idx, keys[idx] == query


def discounts(adjusted: np.ndarray) -> tuple[float, float, float]:
    """D1, D2, D3+ from count-of-counts; falls back to a single absolute discount when
    the statistics are degenerate (tiny corpora)."""
    n1, n2, n3, n4 = (int(np.count_nonzero(adjusted == k)) for k in (1, 2, 3, 4))
    y = n1 / (n1 + 2 * n2) if n1 + n2 > 0 and n1 > 0 else 0.5
    try:
        d = (1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3)
    except ZeroDivisionError:
        d = (-1.0, -1.0, -1.0)
    if all(0 < dk < k + 1 for k, dk in enumerate(d)):
        return d
    y = min(max(y, 0.1), 0.9)
    return (y, min(2 * y, 1.5), min(3 * y, 2.5))  # never discount more than the count


def _with_unseen(uni: OrderCounts, vocab_size: int) -> OrderCounts:
    """Unigram counts plus a count-0 row for every vocabulary id without one (<unk>, and
    general-English words added to the vocabulary), still sorted by key."""
    missing = np.setdiff1d(np.arange(vocab_size, dtype=np.int32), uni.last)
    if len(missing) == 0:
        return uni
    seed = np.uint64(SEED)
    keys = np.concatenate([uni.key, mix_np(seed, missing)])
    order = np.argsort(keys)
    zeros = np.zeros(len(missing))
    return OrderCounts(
        keys[order], np.concatenate([uni.ctx, zeros.astype(np.uint64) + seed])[order],
        np.concatenate([uni.suf, zeros.astype(np.uint64) + seed])[order],
        np.concatenate([uni.last, missing]).astype(np.int32)[order],
        np.concatenate([uni.count, zeros.astype(np.int32)])[order],
    )


@dataclass
class Relations:
    """Row links between orders, shared by every candidate order's estimate."""

    counts: list[OrderCounts]  # counts with count-0 unigrams for unseen vocabulary ids
    ctx_idx: list[np.ndarray]  # row of each n-gram's context in the previous order
    suf_idx: list[np.ndarray]  # row of each n-gram's suffix in the previous order
    bos: list[np.ndarray]  # whether the n-gram starts with <s>


def relations(counts: list[OrderCounts], vocab_size: int = 0) -> Relations:
    counts = [_with_unseen(counts[0], max(vocab_size, UNK + 1))] + list(counts[1:])
    ctx_idx = [np.full(len(counts[0]), -1, np.int32)]
    suf_idx = [np.full(len(counts[0]), -1, np.int32)]
    bos = [counts[0].last == BOS]
    for n in range(1, len(counts)):
        # int32 rows: these two arrays are the largest temporaries (memory bound).
        ci, ok = find(counts[n - 1].key, counts[n].ctx)
        assert ok.all(), "an n-gram's context is missing from the lower order"
        ctx_idx.append(ci.astype(np.int32))
        del ci, ok
        suf_idx.append(find(counts[n - 1].key, counts[n].suf)[0].astype(np.int32))
        bos.append(bos[n - 1][ctx_idx[n]])
    return Relations(counts, ctx_idx, suf_idx, bos)


def estimate(
    counts: list[OrderCounts] | Relations, top: int, prune_from: int | None = None, cut_from: int | None = None,
    unigram_prior: np.ndarray | None = None,
) -> tuple[list[OrderTable], list[tuple[float, float, float]]]:
    """Tables for orders 1..top from `counts` (raw counts of orders 1..>=top, or their
    `relations`, computed once when estimating several orders).

    prune_from: drop n-grams seen once (raw count) at orders >= prune_from. Raw-count
    pruning keeps every prefix and suffix of a kept n-gram, so the model stays closed.
    cut_from: orders >= cut_from lost rare n-grams before counting was finished (memory
    bound, see `NgramCounter.finish`); their contexts' backoffs are renormalised.
    unigram_prior: what unigrams interpolate with, per word id (sums to 1 over the ids
    other than <s>); default uniform. See `general.prior`.
    """
    rel = counts if isinstance(counts, Relations) else relations(counts[:top])
    counts, ctx_idx, suf_idx, bos = rel.counts[:top], rel.ctx_idx, rel.suf_idx, rel.bos

    adjusted: list[np.ndarray] = []
    for n in range(top):
        if n == top - 1:
            a = counts[n].count.astype(np.int64)
        else:
            a = np.bincount(suf_idx[n + 1], minlength=len(counts[n])).astype(np.int64)
            a[bos[n]] = counts[n].count[bos[n]]
        adjusted.append(a)

    tables_p: list[np.ndarray] = []  # probabilities (float64)
    gammas: list[tuple[np.ndarray, np.ndarray]] = []  # (context rows in order n-1, gamma)
    ds: list[tuple[float, float, float]] = []
    for n in range(top):
        a = adjusted[n]
        if n == 0:
            a[bos[0]] = 0  # <s> is never predicted
            scored = ~bos[0] & (counts[0].last != UNK)
        else:
            scored = slice(None)
        d = discounts(a[scored])
        ds.append(d)
        disc = np.select([a == 0, a == 1, a == 2], [0.0, d[0], d[1]], d[2])
        if n == 0:
            total, gamma = a.sum(), disc.sum() / a.sum()
            if unigram_prior is None:
                base = 1.0 / (len(a) - int(bos[0].sum()))
            else:
                base = unigram_prior[counts[0].last]
                base[bos[0]] = 0.0
            p = (a - disc) / total + gamma * base
        else:
            # Group by context row (a bincount, no sort): totals and gamma per context.
            ci = ctx_idx[n]
            m = len(counts[n - 1])
            total = np.bincount(ci, weights=a, minlength=m)
            # A context whose children all have adjusted count 0 (their extensions were cut
            # by the memory bound) passes everything to the lower order: gamma = 1.
            gamma = np.ones(m)
            used = np.flatnonzero(total > 0)
            gamma[used] = np.bincount(ci, weights=disc, minlength=m)[used] / total[used]
            total[total == 0] = 1.0
            p = (a - disc) / total[ci] + gamma[ci] * tables_p[n - 1][suf_idx[n]]
            has_children = np.flatnonzero(np.bincount(ci, minlength=m))
            gammas.append((has_children, gamma[has_children]))
        del disc, total
        adjusted[n] = np.empty(0)
        tables_p.append(p)

    keep = [np.ones(len(c), bool) for c in counts]
    if prune_from is not None:
        for n in range(max(prune_from - 1, 1), top):
            keep[n] = counts[n].count > 1

    backoffs = [np.zeros(len(c), np.float32) for c in counts]
    renormalise_from = min(x for x in (prune_from, cut_from, top + 1) if x is not None)
    for n in range(1, top):
        if n < renormalise_from - 1:
            rows, gamma = gammas[n - 1]
            backoffs[n - 1][rows] = np.log(gamma)
        else:
            backoffs[n - 1] = _renormalised_backoff(n, counts, tables_p, ctx_idx, suf_idx, keep)

    tables: list[OrderTable] = []
    remap: np.ndarray | None = None
    for n in range(top):
        k = keep[n]
        everything = bool(k.all())

        def kept(arr: np.ndarray) -> np.ndarray:
            return arr if everything else arr[k]  # no copy when nothing is pruned

        with np.errstate(divide="ignore"):  # p(<s>) may be 0; it is set below
            logp = np.log(kept(tables_p[n])).astype(np.float32)
        tables_p[n] = np.empty(0)  # free as we go
        if n == 0:
            logp[kept(bos[0])] = BOS_LOGPROB
        ci = kept(ctx_idx[n])
        if remap is not None:
            ci = remap[ci]
        remap = None if everything else (np.cumsum(k) - 1).astype(np.int32)  # old row -> new row
        tables.append(OrderTable(
            key=kept(counts[n].key), logprob=logp, backoff=kept(backoffs[n]).astype(np.float32, copy=False),
            ctx_idx=ci.astype(np.int32, copy=False), last=kept(counts[n].last).astype(np.int32, copy=False),
        ))
    return tables, ds


def _renormalised_backoff(
    n: int, counts: list[OrderCounts], p: list[np.ndarray], ctx_idx: list[np.ndarray],
    suf_idx: list[np.ndarray], keep: list[np.ndarray],
) -> np.ndarray:
    """backoff(ctx) = (1 - sum of kept p(w|ctx)) / (1 - sum of p(w|ctx[1:]) over the same w)
    for the contexts (order n) of the kept n-grams of order n+1."""
    k = keep[n]
    rows = ctx_idx[n][k]
    seen = np.bincount(rows, weights=p[n][k], minlength=len(counts[n - 1]))
    lower = np.bincount(rows, weights=p[n - 1][suf_idx[n][k]], minlength=len(counts[n - 1]))
    num = np.maximum(1.0 - seen, 1e-12)
    den = np.maximum(1.0 - lower, 1e-12)
    return np.log(num / den)
