import numpy as np
import pytest

from jargonaut.asr.decoder.search import (
    NoEndBefore,
    OneSegment,
    TimestampRules,
    Vocab,
    WordFusion,
    acoustic_end,
    top_k_per_row,
)
from jargonaut.lm.model import NgramLM
from jargonaut.lm.normalise import normalise_words
from jargonaut.lm.train import load_clm, train_clm

TB = 10  # toy vocabulary: ids < 8 text, 8 = eot, 9 = sot, >= 10 timestamps


def _vocab():
    return Vocab(eot=8, sot=9, timestamp_begin=TB, no_speech=99, space_start=np.ones(20, bool), decode=lambda ids: "")


def test_a_second_pass_may_not_close_the_window_before_the_first_did():
    rule = NoEndBefore(_vocab(), TB + 5)  # pass 1 read to timestamp 5 (less the margin)
    logits = np.zeros((4, 20), np.float32)
    rule.apply(logits, [[TB, 3, TB + 2, TB + 2], [TB, 3, TB + 2], [TB, 3, 4], [TB, 3, TB + 5, TB + 5]], 3)
    assert np.isneginf(logits[0, 8]) and np.isneginf(logits[1, 8])  # a segment closed early
    assert np.isfinite(logits[2, 8])  # text last: the window read to its end
    assert np.isfinite(logits[3, 8])  # as far as pass 1
    assert np.isfinite(logits[:, :8]).all() and np.isfinite(logits[:, TB:]).all()  # nothing else touched


def test_timestamp_rules():
    rules = TimestampRules(_vocab(), max_initial_timestamp_index=2)
    logits = np.zeros((1, 20), np.float32)
    rules.apply(logits, [[]], 0)  # first step: a timestamp, at most the max initial one
    assert np.isneginf(logits[0, :TB]).all() and np.isfinite(logits[0, TB : TB + 3]).all()
    assert np.isneginf(logits[0, TB + 3 :]).all()
    logits = np.zeros((1, 20), np.float32)
    rules.apply(logits, [[12, 3]], 1)  # open pair: text or timestamps >= 12
    assert np.isneginf(logits[0, TB:12]).all() and np.isfinite(logits[0, 12:]).any()
    logits = np.zeros((1, 20), np.float32)
    logits[0, 8] = 5.0  # a likely end, so the timestamp-mass rule leaves it alone
    rules.apply(logits, [[12, 3, 14]], 2)  # after text + timestamp: close the pair or end
    assert np.isneginf(logits[0, :8]).all() and np.isfinite(logits[0, 8]) and np.isfinite(logits[0, 14])
    logits = np.zeros((1, 20), np.float32)
    rules.apply(logits, [[12, 3, 14, 14]], 3)  # a closed pair: text must follow
    assert np.isneginf(logits[0, TB:]).all()


def test_timestamp_rules_go_on_from_a_forced_prefix():
    # pass 2 of one segment: the window's tokens up to the segment's opening timestamp are given
    rules = TimestampRules(_vocab(), max_initial_timestamp_index=2, before=[TB, 3, TB + 6, TB + 6])
    logits = np.zeros((1, 20), np.float32)
    rules.apply(logits, [[]], 0)  # after a closed pair: text, not the window's first timestamp
    assert np.isneginf(logits[0, TB:]).all() and np.isfinite(logits[0, :8]).all()
    logits = np.zeros((1, 20), np.float32)
    logits[0, 8] = 5.0
    rules.apply(logits, [[3]], 1)  # text after the prefix: timestamps only past its last one
    assert np.isneginf(logits[0, TB : TB + 7]).all() and np.isfinite(logits[0, TB + 7 :]).all()
    logits = np.zeros((1, 20), np.float32)
    logits[0, 8] = 5.0
    rules.apply(logits, [[3, TB + 8]], 2)  # the segment's closing timestamp: close the pair or end
    assert np.isneginf(logits[0, :8]).all() and np.isfinite(logits[0, 8])


def test_one_segment_closes_near_pass_one_and_then_ends():
    rule = OneSegment(_vocab(), TB + 3, TB + 5)  # pass 1 closed the segment at 4, reach 1
    logits = np.zeros((3, 20), np.float32)
    rule.apply(logits, [[3, 4], [3, TB + 4], [3]], 2)
    for b in (0, 2):  # not closed yet: text, the end, or a timestamp from 3 to 5
        assert np.isfinite(logits[b, :TB]).all() and np.isfinite(logits[b, TB + 3 : TB + 6]).all()
        assert np.isneginf(logits[b, TB : TB + 3]).all() and np.isneginf(logits[b, TB + 6 :]).all()
    assert np.isfinite(logits[1, 8]) and np.isneginf(np.delete(logits[1], 8)).all()  # closed: end
    # with the timestamp rules after it, the end stays the one choice
    logits = np.zeros((1, 20), np.float32)
    seqs = [[3, TB + 4]]
    rule.apply(logits, seqs, 2)
    TimestampRules(_vocab(), before=[TB]).apply(logits, seqs, 2)
    assert np.isfinite(logits[0, 8]) and np.isneginf(np.delete(logits[0], 8)).all()


def test_acoustic_end_leaves_the_end_to_whisper():
    row = np.log(np.array([0.6, 0.2, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1], np.float32) + 1e-9)  # EOT = 8
    candidates = [0, 1, 2, 8]
    assert not acoustic_end(row, candidates, eot=8, margin=1.0)  # ln 0.6 - ln 0.1 = 1.79 nats
    assert acoustic_end(row, candidates, eot=8, margin=2.0)
    assert acoustic_end(row, [8, 2], eot=8, margin=0.0)  # only the candidates count, and a tie ends
    assert acoustic_end(row, [8], eot=8, margin=0.0)  # nothing else proposed: the end is Whisper's


def _ngram(tmp_path, sentences: list[list[str]]) -> NgramLM:
    """A real (if tiny) CLM: the trainer the service uses, without the general prior or extras."""
    text = tmp_path / "text.txt"
    text.write_text("\n".join(" ".join(words) for words in sentences) + "\n")
    train_clm([text], None, tmp_path / "lm.clm", "WideBand", 1, order=3, general_prior=False, token_model=False,
              domain_terms=False)
    return load_clm(tmp_path / "lm.clm")


@pytest.mark.parametrize("masked", [0, 30_000, 51_800])
def test_top_k_per_row_is_a_full_sort_s_head(masked):
    """The candidates each beam expands: its k likeliest finite logits, best first, lower id first
    on ties, as a full sort of the row says (rounded logits make ties; filters make -inf)."""
    rng = np.random.default_rng(masked)
    for k in (1, 10, 24):
        logits = np.round(rng.normal(0, 4, (5, 51_864))).astype(np.float32)
        logits[:, :masked] = -np.inf
        for row, top in zip(logits, top_k_per_row(logits, k)):
            full = np.lexsort((np.arange(len(row)), -row))
            assert top == [int(i) for i in full[:k] if np.isfinite(row[i])]


def test_word_fusion_bonus_and_lookahead(tmp_path):
    lm = _ngram(tmp_path, [["the", "patient", "takes", "apixaban"]] * 3 + [["the", "dog"]])
    fusion = WordFusion(lm, alpha=0.5, beta=1.0, normalise=normalise_words)
    state = fusion.history_state("the patient takes")
    good, _ = fusion.word(state, " apixaban")
    bad, _ = fusion.word(state, " a")
    assert good > bad
    # an unfinished word that can still become "apixaban" beats one that cannot
    assert fusion.partial(state, " apix") > fusion.partial(state, " apiq")
    assert fusion.partial(state, " apix") == pytest.approx(0.5 * lm.score(state, "apixaban")[0])


def test_token_fusion_scores_text_tokens_only(tmp_path):
    from jargonaut.asr.decoder.token_fusion import TokenFusion
    from jargonaut.lm.bpe import token_word

    # token ids as the CLM's words: 3 4 5 is the domain's frequent sequence
    lm = _ngram(tmp_path, [[token_word(t) for t in (3, 4, 5)]] * 3 + [[token_word(t) for t in (3, 6)]])
    fusion = TokenFusion(lm, alpha=0.5, beta=0.25, encode=lambda text: [3, 4], eot=8)
    state = fusion.history_state("earlier text")  # ends with tokens 3 4
    likely, after = fusion.token(state, 5)
    assert likely == 0.5 * lm.score(state, token_word(5))[0] + 0.25
    assert likely > fusion.token(state, 6)[0]
    assert after != state
    assert fusion.token(state, TB + 3) == (0.0, state)  # timestamps: no CLM score, same state


def test_token_fusion_mixed_with_general_english(tmp_path):
    """With a general-English model mixed in, a token the domain text never wrote scores as
    general English does (times its share), not as the CLM's unknown; a token the text wrote
    mixes both; history (no beam) is read by the CLM alone."""
    from jargonaut.asr.decoder.token_fusion import TokenFusion
    from jargonaut.lm.bpe import token_word

    lm = _ngram(tmp_path, [[token_word(t) for t in (3, 4, 5)]] * 3 + [[token_word(t) for t in (3, 6)]])
    alone = TokenFusion(lm, alpha=0.5, beta=0.25, encode=lambda text: [3, 4], eot=8)
    mixed = TokenFusion(lm, alpha=0.5, beta=0.25, encode=lambda text: [3, 4], eot=8)
    general = {5: np.log(0.01), 6: np.log(0.3), 7: np.log(0.2)}  # 7: common English, never in the text
    mixed.mix_with(lambda beam, tok: float(general[tok]), 0.6)
    state = alone.history_state("earlier text")
    assert mixed.history_state("earlier text") == state
    assert mixed.token(state, 7, beam=0)[0] == pytest.approx(0.5 * np.log(0.4 * 0.2) + 0.25)
    p_clm = np.exp(lm.score(state, token_word(6))[0])
    assert mixed.token(state, 6, beam=0)[0] == pytest.approx(0.5 * np.log(0.6 * p_clm + 0.4 * 0.3) + 0.25)
    assert mixed.token(state, 5, beam=0)[0] > mixed.token(state, 7, beam=0)[0]  # the domain's next token leads
    assert mixed.token(state, 7)[0] == alone.token(state, 7)[0]  # no beam: nothing to mix
    assert mixed.token(state, TB + 3, beam=0) == (0.0, state)
