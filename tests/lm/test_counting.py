"""Out-of-core counting equals naive in-memory counting, whatever the chunking."""
from collections import Counter

import pytest

from jargonaut.lm.counting import NgramCounter, Vocab
from jargonaut.lm.hashing import BOS, EOS, key_of
from jargonaut.lm.normalise import normalise_words

from .conftest import synthetic_lines


@pytest.mark.parametrize("chunk_tokens,partitions", [(40, 4), (10_000, 1), (333, 64)])
def test_spilled_counts_match_naive(tmp_path, chunk_tokens, partitions):
    vocab = Vocab()
    counter = NgramCounter(3, tmp_path, chunk_tokens=chunk_tokens, partitions=partitions)
    naive: Counter = Counter()
    for line in synthetic_lines(300, seed=2):
        ids = vocab.add(normalise_words(line))
        counter.add(ids)
        toks = [BOS] + ids + [EOS]
        for n in (1, 2, 3):
            for i in range(len(toks) - n + 1):
                naive[tuple(toks[i:i + n])] += 1
    counts, mins = counter.finish()
    assert mins == [1, 1, 1]
    assert not any(tmp_path.iterdir())  # runs are deleted after the merge
    for n, oc in enumerate(counts, 1):
        assert list(oc.key) == sorted(oc.key)
        expected = {key_of(g): (c, key_of(g[:-1]), key_of(g[1:]), g[-1]) for g, c in naive.items() if len(g) == n}
        got = {int(k): (int(c), int(x), int(s), int(w))
               for k, c, x, s, w in zip(oc.key, oc.count, oc.ctx, oc.suf, oc.last)}
        assert got == expected
