"""Kneser-Ney correctness: normalisation, agreement with KenLM, hash and scorer consistency."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from jargonaut.lm.hashing import chain_keys, key_of
from jargonaut.lm.kneser_ney import discounts
from jargonaut.lm.model import perplexity_of, token_array
from jargonaut.lm.normalise import normalise_words
from jargonaut.lm.train import load_clm, train_clm

from .conftest import synthetic_lines


def _total_mass(lm, history: list[str]) -> float:
    state = lm.begin_state()
    for w in history:
        _, state = lm.score(state, w)
    words = [w for w in lm.words if w not in ("<s>", "</s>")]  # "<unk>" scores as <unk>
    return sum(math.exp(lm.score(state, w)[0]) for w in words) + math.exp(lm.end_score(state))


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("est")
    train = d / "train.txt"
    train.write_text("\n".join(synthetic_lines(1500)), encoding="utf-8")
    out = {name: d / f"{name}.clm" for name in ("full", "pruned", "capped")}
    full = train_clm([train], None, out["full"], "WideBand", 1, order=4)  # with the general prior
    assert full.general_words > 1000 and full.general_weight in full.perplexity_by_general_weight
    train_clm([train], None, out["pruned"], "WideBand", 1, order=4, prune=True, general_prior=False)
    cap = (sum(full.ngram_counts.values()) - full.general_words) * 2 // 3
    capped = train_clm([train], None, out["capped"], "WideBand", 1, order=4, max_ngrams=cap, general_prior=False)
    # The memory bound cut rare high-order n-grams.
    assert sum(capped.ngram_counts.values()) <= cap and capped.min_counts[4] > 1
    return out


@pytest.mark.parametrize("name", ["full", "pruned", "capped"])
@pytest.mark.parametrize("history", [[], ["the"], ["the", "patient"], ["she", "has", "a"], ["zzz", "unknown"]])
def test_distribution_sums_to_one(models, name, history):
    assert abs(_total_mass(load_clm(models[name]), history) - 1.0) < 1e-4


def test_numpy_and_python_hashes_agree():
    toks = np.array([1, 5, 9, 7, 2], dtype=np.int32)
    keys = chain_keys(toks, 3)
    for n in (1, 2, 3):
        for i in range(n - 1, len(toks)):
            assert int(keys[n][i]) == key_of(tuple(int(t) for t in toks[i - n + 1:i + 1]))


def test_vectorised_scores_match_word_by_word(models):
    lm = load_clm(models["pruned"])
    sents = [normalise_words(s) for s in synthetic_lines(50, seed=7)] + [["zzz", "has", "chest", "pain"]]
    per_word = [lp for s in sents for lp in lm.score_words(s)]
    vec = lm.score_tokens(token_array(sents, lm.ids), _positions(token_array(sents, lm.ids)))
    np.testing.assert_allclose(vec, per_word, rtol=0, atol=1e-5)


def _positions(toks):
    from jargonaut.lm.counting import sentence_positions

    return sentence_positions(toks)


def test_discounts_from_count_of_counts():
    a = np.array([1] * 50 + [2] * 20 + [3] * 10 + [4] * 5 + [9] * 3)
    d1, d2, d3 = discounts(a)
    y = 50 / (50 + 40)
    assert d1 == pytest.approx(1 - 2 * y * 20 / 50)
    assert d2 == pytest.approx(2 - 3 * y * 10 / 20)
    assert d3 == pytest.approx(3 - 4 * y * 5 / 10)


@pytest.mark.parametrize("name", ["full", "pruned", "capped"])
def test_scores_match_kenlm_on_arpa_export(models, name, tmp_path):
    kenlm = pytest.importorskip("kenlm")
    lm = load_clm(models[name])
    arpa = tmp_path / "m.arpa"
    lm.to_arpa(arpa)
    ken = kenlm.Model(str(arpa))
    sents = [normalise_words(s) for s in synthetic_lines(200, seed=3)] + [["zzz", "the", "qqq", "pain"]]
    for words in sents:
        ours = lm.score_words(words)
        theirs = [p * math.log(10) for p, _, _ in ken.full_scores(" ".join(words))]
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4)


def test_perplexity_matches_sum_of_scores(models):
    lm = load_clm(models["full"])
    sents = [normalise_words(s) for s in synthetic_lines(100, seed=11)]
    rep = perplexity_of(lm, token_array(sents, lm.ids))
    total = sum(sum(lm.score_words(s)) for s in sents)
    assert rep["tokens"] == sum(len(s) + 1 for s in sents)
    assert rep["perplexity"] == pytest.approx(math.exp(-total / rep["tokens"]), rel=1e-6)


def test_unigram_scores_match_empty_history(models):
    lm = load_clm(models["full"])
    words = lm.words[3:200] + ["not-a-word-xyz"]
    np.testing.assert_allclose(lm.unigram_scores(words), [lm.score((), w)[0] for w in words], atol=1e-6)


@pytest.mark.parametrize("name", ["full", "pruned"])
@pytest.mark.parametrize("history", [[], ["the"], ["the", "patient"], ["she", "has", "a"], ["zzz", "unknown"]])
def test_best_score_is_max_over_words(models, name, history):
    """The decoder's vectorised lookahead equals the word-by-word maximum (backoffs included)."""
    lm = load_clm(models[name])
    state = lm.begin_state()
    for w in history:
        state = lm.score(state, w)[1]
    rng = np.random.default_rng(len(history))
    pool = np.arange(3, len(lm.words))  # past <unk>, <s>, </s>
    for size in (1, 5, 60):
        words = [lm.words[i] for i in rng.choice(pool, min(size, len(pool)), replace=False)]
        ids = np.array([lm.ids[w] for w in words], np.int32)
        assert lm.best_score(state, ids) == pytest.approx(max(lm.score(state, w)[0] for w in words), abs=1e-6)
