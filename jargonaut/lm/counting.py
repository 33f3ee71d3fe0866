"""Out-of-core n-gram counting: count in chunks, spill hash-partitioned runs, merge.

Each chunk of sentences becomes a token array; every order's n-grams are counted with
NumPy (`np.unique`) and appended to one spill file per (order, partition), where the
partition is the top bits of the n-gram key. Partitions hold disjoint key ranges, so the
merge handles one partition at a time (memory ~ total / partitions) and concatenating the
merged partitions yields a globally sorted table. Alongside each count we keep the keys of
the n-gram's context (w1..wn-1) and suffix (w2..wn) and its last word: Kneser-Ney needs
both relations, and (context, last word) rebuilds the words for ARPA export.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jargonaut.lm.hashing import BOS, EOS, SEED, SPECIALS, chain_keys

_HIST_CAP = 64
RECORD = np.dtype([("key", "<u8"), ("ctx", "<u8"), ("suf", "<u8"), ("last", "<i4"), ("count", "<u4")])


class Vocab:
    """Word <-> id; ids 0..2 are <unk>, <s>, </s>."""

    def __init__(self) -> None:
        self.words: list[str] = list(SPECIALS)
        self.ids: dict[str, int] = {w: i for i, w in enumerate(SPECIALS)}

    def __len__(self) -> int:
        return len(self.words)

    def add(self, words: list[str]) -> list[int]:
        ids, get = self.ids, self.ids.get
        out = []
        for w in words:
            i = get(w)
            if i is None:
                i = ids[w] = len(self.words)
                self.words.append(w)
            out.append(i)
        return out

    def lookup(self, words: list[str]) -> list[int]:
        get = self.ids.get
        return [get(w, 0) for w in words]


@dataclass
class OrderCounts:
    """Unique n-grams of one order, sorted by key, with raw counts."""

    key: np.ndarray
    ctx: np.ndarray
    suf: np.ndarray
    last: np.ndarray
    count: np.ndarray

    def __len__(self) -> int:
        return len(self.key)


def sentence_positions(toks: np.ndarray) -> np.ndarray:
    """Position of each token within its sentence (<s> is position 0)."""
    starts = np.flatnonzero(toks == BOS)
    lengths = np.diff(np.append(starts, len(toks)))
    return np.arange(len(toks)) - np.repeat(starts, lengths)


class NgramCounter:
    """Feed sentences (word ids) with `add`; `finish` returns merged counts per order."""

    def __init__(self, order: int, work_dir: Path, chunk_tokens: int = 2_000_000, partitions: int = 64) -> None:
        self.order = order
        self.work_dir = work_dir
        self.chunk_tokens = chunk_tokens
        self.partitions = partitions
        bits = partitions.bit_length() - 1
        assert 1 << bits == partitions, "partitions must be a power of two"
        self._shift = np.uint64(64 - bits)
        self._edges = (np.arange(partitions + 1, dtype=np.uint64) << self._shift) if bits else None
        self._flat: list[int] = []
        self.tokens = 0  # words + </s>
        self.sentences = 0

    def add(self, ids: list[int]) -> None:
        flat = self._flat
        flat.append(BOS)
        flat.extend(ids)
        flat.append(EOS)
        self.tokens += len(ids) + 1
        self.sentences += 1
        if len(flat) >= self.chunk_tokens:
            self._spill()

    def _path(self, n: int, p: int) -> Path:
        return self.work_dir / f"o{n}.p{p}.run"

    def _spill(self) -> None:
        if not self._flat:
            return
        toks = np.asarray(self._flat, dtype=np.int32)
        self._flat = []
        pos = sentence_positions(toks)
        keys = chain_keys(toks, self.order)
        for n in range(1, self.order + 1):
            sel = np.flatnonzero(pos >= n - 1)
            uniq, first, cnt = np.unique(keys[n][sel], return_index=True, return_counts=True)
            at = sel[first]
            rec = np.empty(len(uniq), RECORD)
            rec["key"] = uniq
            rec["ctx"] = keys[n - 1][at - 1] if n > 1 else SEED
            rec["suf"] = keys[n - 1][at]
            rec["last"] = toks[at]
            rec["count"] = cnt
            bounds = self._bounds(uniq)
            for p in range(self.partitions):
                lo, hi = bounds[p], bounds[p + 1]
                if hi > lo:
                    with open(self._path(n, p), "ab") as f:
                        f.write(rec[lo:hi].tobytes())

    def _bounds(self, sorted_keys: np.ndarray) -> np.ndarray:
        if self._edges is None:
            return np.array([0, len(sorted_keys)])
        b = np.searchsorted(sorted_keys, self._edges[:-1])
        return np.append(b, len(sorted_keys))

    def finish(self, max_ngrams: int | None = None, prune_from: int = 3) -> tuple[list[OrderCounts], list[int]]:
        """Merge all runs; returns counts for orders 1..order (index 0 is order 1) and the
        minimum raw count kept per order.

        max_ngrams bounds memory: when the merged tables hold more n-grams, rare n-grams
        of orders >= prune_from (then >= 2) are dropped with one count threshold, raised
        until the total fits. Thresholds never decrease with the order, so every prefix and
        suffix of a kept n-gram is kept too.
        """
        self._spill()
        sizes, hists = {}, {}
        for n in range(1, self.order + 1):
            sizes[n], hists[n] = self._merge(n)
        mins = self._thresholds(sizes, hists, max_ngrams, prune_from)
        return [self._load(n, mins[n - 1]) for n in range(1, self.order + 1)], mins

    def _merge(self, n: int) -> tuple[int, np.ndarray]:
        """Merge order n's runs into one sorted file; returns its size and a histogram of
        raw counts (capped at _HIST_CAP)."""
        hist = np.zeros(_HIST_CAP + 1, np.int64)
        total = 0
        with open(self._merged(n), "wb") as out:
            for p in range(self.partitions):
                path = self._path(n, p)
                if not path.exists():
                    continue
                rec = np.fromfile(path, dtype=RECORD)
                path.unlink()  # free disk as we go
                rec = rec[np.argsort(rec["key"], kind="stable")]
                k = rec["key"]
                starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
                counts = np.add.reduceat(rec["count"].astype(np.int64), starts)
                merged = rec[starts]
                del rec, k
                # uint32 is enough: a 2 GB corpus has fewer than 2**32 tokens.
                merged["count"] = counts
                hist += np.bincount(np.minimum(counts, _HIST_CAP), minlength=_HIST_CAP + 1)
                total += len(merged)
                out.write(merged.tobytes())
        return total, hist

    def _thresholds(self, sizes: dict, hists: dict, max_ngrams: int | None, prune_from: int) -> list[int]:
        mins = [1] * self.order
        if max_ngrams is None:
            return mins

        def kept() -> int:
            return sum(sizes[n] - int(hists[n][: mins[n - 1]].sum()) for n in sizes)

        for first in (prune_from, 2):
            for t in range(2, _HIST_CAP + 1):
                if kept() <= max_ngrams:
                    return mins
                for n in range(max(first, 2), self.order + 1):
                    mins[n - 1] = max(mins[n - 1], t)
        return mins

    def _load(self, n: int, min_count: int, block: int = 4_000_000) -> OrderCounts:
        """Read order n's merged file back (in blocks, keeping counts >= min_count)."""
        path = self._merged(n)
        cols: dict[str, list[np.ndarray]] = {"key": [], "ctx": [], "suf": [], "last": [], "count": []}
        if path.stat().st_size:
            data = np.memmap(path, dtype=RECORD, mode="r")
            for lo in range(0, len(data), block):
                part = np.asarray(data[lo:lo + block])
                if min_count > 1:
                    part = part[part["count"] >= min_count]
                for name in cols:
                    cols[name].append(np.ascontiguousarray(part[name]))
            del data
        path.unlink()
        if not cols["key"]:
            empty = np.empty(0, RECORD)
            return OrderCounts(empty["key"], empty["ctx"], empty["suf"], empty["last"], np.empty(0, np.int32))
        out = {name: np.concatenate(parts) for name, parts in cols.items()}
        out["count"] = out["count"].astype(np.int32)
        return OrderCounts(**out)

    def _merged(self, n: int) -> Path:
        return self.work_dir / f"o{n}.merged"
