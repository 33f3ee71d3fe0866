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
from jargonaut.lm.hashing import BOS, SEED, UNK, mix

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


def _with_unk(uni: OrderCounts) -> OrderCounts:
    """Unigram counts plus an <unk> row (count 0), still sorted by key."""
    unk_key = np.uint64(mix(SEED, UNK))
    if np.any(uni.key == unk_key):
        return uni
    at = int(np.searchsorted(uni.key, unk_key))
    return OrderCounts(
        np.insert(uni.key, at, unk_key), np.insert(uni.ctx, at, np.uint64(SEED)),
        np.insert(uni.suf, at, np.uint64(SEED)), np.insert(uni.last, at, UNK), np.insert(uni.count, at, 0),
    )


def estimate(
    counts: list[OrderCounts], top: int, prune_from: int | None = None
) -> tuple[list[OrderTable], list[tuple[float, float, float]]]:
    """Tables for orders 1..top from `counts` (raw counts of orders 1..>=top).

    prune_from: drop n-grams seen once (raw count) at orders >= prune_from. Raw-count
    pruning keeps every prefix and suffix of a kept n-gram, so the model stays closed.
    """
    counts = [_with_unk(counts[0])] + list(counts[1:top])
    # Relations to the previous order: context row and suffix row of every n-gram.
    ctx_idx: list[np.ndarray] = [np.full(len(counts[0]), -1, np.int64)]
    suf_idx: list[np.ndarray] = [np.full(len(counts[0]), -1, np.int64)]
    bos = [counts[0].last == BOS]
    for n in range(1, top):
        ci, _ = find(counts[n - 1].key, counts[n].ctx)
        si, _ = find(counts[n - 1].key, counts[n].suf)
        ctx_idx.append(ci)
        suf_idx.append(si)
        bos.append(bos[n - 1][ci])

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
        a = adjusted[n].copy()
        if n == 0:
            a[bos[0]] = 0  # <s> is never predicted
            scored = ~bos[0] & (counts[0].last != UNK)
        else:
            scored = np.ones(len(a), bool)
        d = discounts(a[scored])
        ds.append(d)
        disc = np.select([a == 0, a == 1, a == 2], [0.0, d[0], d[1]], d[2])
        uctx, inv = np.unique(counts[n].ctx, return_inverse=True)
        total = np.bincount(inv, weights=a)
        gamma = np.bincount(inv, weights=disc) / total
        if n == 0:
            lower = 1.0 / (len(a) - int(bos[0].sum()))
        else:
            lower = tables_p[n - 1][suf_idx[n]]
        p = (a - disc) / total[inv] + gamma[inv] * lower
        tables_p.append(p)
        if n > 0:
            rows, ok = find(counts[n - 1].key, uctx)
            assert ok.all(), "a context is missing from the lower order"
            gammas.append((rows, gamma))

    keep = [np.ones(len(c), bool) for c in counts]
    if prune_from is not None:
        for n in range(max(prune_from - 1, 1), top):
            keep[n] = counts[n].count > 1

    backoffs = [np.zeros(len(c)) for c in counts]
    for n in range(1, top):
        if prune_from is None or n < prune_from - 1:
            rows, gamma = gammas[n - 1]
            backoffs[n - 1][rows] = np.log(gamma)
        else:
            backoffs[n - 1] = _renormalised_backoff(n, counts, tables_p, ctx_idx, suf_idx, keep)

    tables: list[OrderTable] = []
    remap: np.ndarray | None = None
    for n in range(top):
        k = keep[n]
        logp = np.log(tables_p[n][k])
        if n == 0:
            logp[bos[0][k]] = BOS_LOGPROB
        ci = ctx_idx[n][k]
        if remap is not None:
            ci = remap[ci]
        remap = np.cumsum(k) - 1  # old row -> new row for the next order
        tables.append(OrderTable(
            key=counts[n].key[k], logprob=logp.astype(np.float32),
            backoff=backoffs[n][k].astype(np.float32), ctx_idx=ci.astype(np.int32),
            last=counts[n].last[k].astype(np.int32),
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
