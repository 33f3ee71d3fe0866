"""Whisper's sentence ends back in fused text (decoder/sentence_ends.py), with the WideBand base
model's real tokenizer: where Whisper's likeliest token was a stop and the search went on."""
from __future__ import annotations

import numpy as np
import pytest

from jargonaut.asr.decoder.fusion import NoFusion
from jargonaut.asr.decoder.hypothesis import Vocab
from jargonaut.asr.decoder.search import beam_search
from jargonaut.asr.decoder.sentence_ends import SentenceEnds
from jargonaut.lm.normalise import normalise_words
from tests.asr.parts import wideband_parts


def _ends() -> SentenceEnds:
    ends = SentenceEnds.for_vocab(wideband_parts().vocab)
    assert ends is not None
    return ends


def _restore(pieces: list[str], stop_before: dict[int, str], extra: list[int] | None = None) -> str:
    """Restore over the tokens of `pieces` (plus `extra` ids), Whisper's top choice being the
    chosen token except before piece i in `stop_before`, where it was that stop."""
    ends = _ends()
    vocab = ends.vocab
    assert vocab.encode is not None
    tokens: list[int] = []
    tops: list[tuple[int, float]] = []
    for i, piece in enumerate(pieces):
        ids = vocab.encode(piece)
        for j, tok in enumerate(ids):
            stop = stop_before.get(i) if j == 0 else None
            tops.append((vocab.encode(stop)[0], -0.2) if stop else (tok, -0.1))
            tokens.append(tok)
    for tok in extra or []:
        stop = stop_before.get(len(pieces))
        tops.append((vocab.encode(stop)[0], -0.3) if stop else (tok, -0.1))
        tokens.append(tok)
    restored, logprobs = ends.restore(tokens, tuple(-1.0 for _ in tokens), tuple(tops))
    assert len(logprobs) == len(restored)
    return vocab.decode([t for t in restored if t < vocab.eot])


def test_a_stop_whisper_wanted_comes_back_and_the_next_word_is_capitalised() -> None:
    pieces = [" Where's", " the", " pain", " exactly", " right", " here", " on", " the", " left", " side"]
    text = _restore(pieces, {4: "?"})
    assert text == " Where's the pain exactly? Right here on the left side"
    assert normalise_words(text) == normalise_words("".join(pieces))  # words untouched


def test_a_comma_where_whisper_wanted_a_stop_becomes_the_stop() -> None:
    assert _restore([" Okay", ",", " take", " a", " deep", " breath"], {1: "."}) == " Okay. Take a deep breath"


def test_a_stop_before_a_timestamp_or_the_end() -> None:
    vocab = _ends().vocab
    stamp = vocab.timestamp_begin + 150
    assert _restore([" Does", " that", " hurt"], {3: "?"}, [stamp]) == " Does that hurt?"
    assert _restore([" No", " it", " stays", " there"], {4: "."}, [vocab.eot]) == " No it stays there."


def test_no_stop_after_a_number_inside_a_word_or_where_whisper_wanted_none() -> None:
    # "3" then "." would read as a decimal; "Kubelet" goes on inside its word
    assert _restore([" version", " 3", " then", " test"], {2: "."}) == " version 3 then test"
    pieces = [" the", " Kub", "elet", " logs"]
    assert _restore(pieces, {2: "."}) == " the Kubelet logs"
    assert _restore([" we", " need", " more", " replicas"], {}) == " we need more replicas"


PIECES = {0: " okay", 1: " Okay", 2: ".", 3: " take", 4: " Take", 5: ",", 6: " it"}
EOT, SOT, TB = 8, 9, 10
# Whisper's next-token log-probabilities after each token (prompt: SOT): "Okay. Take it" is its
# reading, "Okay take it" a close second
NEXT = {SOT: {1: -0.1, 0: -3.0}, 1: {2: -0.3, 3: -1.5, 5: -2.5}, 2: {4: -0.1, 3: -3.0}, 5: {3: -0.2, 4: -2.0},
        3: {6: -0.1}, 4: {6: -0.1}, 6: {EOT: -0.1, 2: -2.5}}


class _ScriptedDecoder:
    """A decoder step that reads the last token only (the search's plumbing is under test)."""

    class _Cache:
        def reorder(self, index):
            pass

    def new_cache(self, batch, text_rows=False, text_tokens=None):
        return self._Cache()

    def forward(self, tokens, cache, cross):
        logits = np.full((len(tokens), TB + 5), -30.0, np.float32)
        for row, seq in enumerate(tokens):
            for tok, lp in NEXT.get(int(seq[-1]), {EOT: 0.0}).items():
                logits[row, tok] = lp
        return logits


def _toy_vocab() -> Vocab:
    by_text = {text: tok for tok, text in PIECES.items()}
    return Vocab(eot=EOT, sot=SOT, timestamp_begin=TB, no_speech=TB + 4,
                 space_start=np.array([PIECES.get(i, " ").startswith(" ") for i in range(TB + 5)]),
                 decode=lambda ids: "".join(PIECES.get(i, "") for i in ids),
                 encode=lambda text: [by_text[text]] if text in by_text else [])


class _NoStops(NoFusion):
    """A scorer that makes sentence ends dear (a CLM whose text has few)."""

    def __init__(self, stops: frozenset[int]):
        self.stops = stops

    def extend(self, h, beam, tok, lp, closes, vocab):
        new = super().extend(h, beam, tok, lp, closes, vocab)
        if tok in self.stops:
            new.fused -= 5.0
        return new


def test_the_search_writes_whisper_s_stop_where_the_fused_score_went_on() -> None:
    vocab = _toy_vocab()
    ends = SentenceEnds.for_vocab(vocab)
    assert ends is not None and ends.stops == {2}
    decoder = _ScriptedDecoder()
    plain = beam_search(decoder, None, [SOT], vocab, [])  # type: ignore[arg-type]
    assert vocab.decode(plain.tokens) == " Okay. Take it"
    without = beam_search(decoder, None, [SOT], vocab, [], fusion=_NoStops(ends.stops))  # type: ignore[arg-type]
    assert vocab.decode(without.tokens) == " Okay take it"
    restored = beam_search(decoder, None, [SOT], vocab, [], fusion=_NoStops(ends.stops),  # type: ignore[arg-type]
                           sentence_ends=ends)
    assert vocab.decode(restored.tokens) == " Okay. Take it"
    assert len(restored.logprobs) == len(restored.tokens)
    # the stop's own log-probability is added; the capitalised word keeps the one it had
    assert restored.acoustic == pytest.approx(without.acoustic + restored.logprobs[1])
    assert restored.logprobs[2] == without.logprobs[1] and restored.logprobs[1] < 0
