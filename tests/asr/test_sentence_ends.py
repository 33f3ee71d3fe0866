"""Whisper's sentence ends back in fused text (decoder/sentence_ends.py), with the WideBand base
model's real tokenizer: where Whisper's likeliest token was a stop and the search went on."""
from __future__ import annotations

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
