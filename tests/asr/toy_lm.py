"""A small interpolated absolute-discounting trigram LM implementing `WordScorer`.

Used only by tests/benchmarks while (or where) the real CLM library is unavailable.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable


class ToyLM:
    base_model_name = "WideBand"
    base_model_version = 1

    def __init__(self, sentences: Iterable[list[str]], discount: float = 0.75):
        self.d = discount
        self.counts = [Counter(), Counter(), Counter()]  # n-gram tuples -> count
        self.ctx = [Counter(), Counter(), Counter()]  # context -> total count
        self.types = [defaultdict(int), defaultdict(int), defaultdict(int)]  # context -> distinct followers
        for words in sentences:
            seq = ["<s>", "<s>"] + list(words) + ["</s>"]
            for i in range(2, len(seq)):
                for n in range(3):
                    gram = tuple(seq[i - n : i + 1])
                    if self.counts[n][gram] == 0:
                        self.types[n][gram[:-1]] += 1
                    self.counts[n][gram] += 1
                    self.ctx[n][gram[:-1]] += 1
        self.vocab = {g[0] for g in self.counts[0]}

    def _prob(self, ctx: tuple[str, ...], word: str) -> float:
        p = (self.counts[0][(word,)] + 1) / (self.ctx[0][()] + len(self.vocab) + 1)
        for n in (1, 2):
            c = ctx[len(ctx) - n :]
            total = self.ctx[n][c]
            if total:
                lam = self.d * self.types[n][c] / total
                p = max(self.counts[n][c + (word,)] - self.d, 0) / total + lam * p
        return p

    def begin_state(self):
        return ("<s>", "<s>")

    def score(self, state, word):
        return math.log(self._prob(state, word)), (state[-1], word)

    def end_score(self, state):
        return math.log(self._prob(state, "</s>"))


def toy_lm_from_files(paths, normalise) -> ToyLM:
    sentences = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            sentences += [normalise(line) for line in f if line.strip()]
    return ToyLM(sentences)
