"""Whisper's own sentence ends where a fused search went on without one.

Density-ratio fusion divides by Whisper's text prior, and that prior expects "?" or "." where a
sentence ends. A word that goes on instead is unlikely *to the prior*, so the ratio rewarded it
whenever the CLM (whose lines hold few sentence ends) found the word plausible: fused
transcripts came out with fewer sentence ends than Whisper writes (medical dev split,
ACI-Bench-only CLM: 12.9 per 100 words, Whisper 15.4) and with commas for stops ("Okay, take").

The words are the CLM's business, the punctuation Whisper's. Where Whisper's likeliest token at
a step was a sentence end and the fused search went on without one (a word, a comma before a
word, a timestamp or the end), the end is written there, Whisper's own choice among ".", "?"
and "!", and a word that follows it is capitalised as Whisper starts sentences. Only
punctuation and that first letter change, never a word, so WER cannot move.
"""
from __future__ import annotations

from dataclasses import dataclass

from jargonaut.asr.decoder.hypothesis import Vocab

STOPS = (".", "?", "!")


@dataclass(frozen=True)
class SentenceEnds:
    vocab: Vocab
    stops: frozenset[int]  # single-token ".", "?", "!"
    comma: int | None

    @classmethod
    def for_vocab(cls, vocab: Vocab) -> "SentenceEnds | None":
        """None where the vocabulary cannot encode (no tokenizer to capitalise with)."""
        if vocab.encode is None:
            return None
        single = [ids[0] for ids in map(vocab.encode, STOPS) if len(ids) == 1]
        comma = vocab.encode(",")
        return cls(vocab, frozenset(single), comma[0] if len(comma) == 1 else None)

    def restore(self, tokens: list[int], logprobs: tuple[float, ...],
                tops: tuple[tuple[int, float], ...]) -> tuple[list[int], tuple[float, ...]]:
        """`tokens` with Whisper's sentence ends back, and their log-probabilities. `tops[i]`:
        Whisper's likeliest token at the step that chose `tokens[i]`, and its log-probability;
        `tokens` may end with EOT (its step is a place for an end too)."""
        out: list[int] = []
        lps: list[float] = []
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            top, top_lp = tops[i]
            if top in self.stops and tok != top and out and self._ends_word(out[-1]):
                if tok == self.comma and i + 1 < n and self._starts_word(tokens[i + 1]):
                    out.append(top)  # "Okay, take" -> "Okay. Take": the stop takes the comma's place
                    lps.append(top_lp)
                    i = self._capitalised(tokens, logprobs, i + 1, out, lps)
                    continue
                if self._starts_word(tok) or tok >= self.vocab.eot:
                    out.append(top)
                    lps.append(top_lp)
                    if tok < self.vocab.eot:
                        i = self._capitalised(tokens, logprobs, i, out, lps)
                        continue
            out.append(tok)
            lps.append(logprobs[i])
            i += 1
        return out, tuple(lps)

    def _piece(self, tok: int) -> str:
        return self.vocab.decode([tok])

    def _ends_word(self, tok: int) -> bool:
        """A text token ending in a letter (not a digit: "3" then "." would read as a decimal)."""
        if tok >= self.vocab.eot:
            return False
        piece = self._piece(tok)
        return bool(piece) and piece[-1].isalpha()

    def _starts_word(self, tok: int) -> bool:
        if tok >= self.vocab.eot or not self.vocab.space_start[tok]:
            return False
        piece = self._piece(tok).lstrip()
        return bool(piece) and piece[0].isalpha()

    def _capitalised(self, tokens: list[int], logprobs: tuple[float, ...], start: int,
                     out: list[int], lps: list[float]) -> int:
        """Append the word starting at `start` with its first letter upper case (as it was when
        its tokens cannot spell that); the index after the word."""
        end = start + 1
        while end < len(tokens) and tokens[end] < self.vocab.eot and not self.vocab.space_start[tokens[end]]:
            end += 1
        word, word_lps = tokens[start:end], logprobs[start:end]
        text = self.vocab.decode(word)
        lead = len(text) - len(text.lstrip())
        assert self.vocab.encode is not None
        if text[lead:lead + 1].islower():
            capital = text[:lead] + text[lead].upper() + text[lead + 1:]
            recased = self.vocab.encode(capital)
            if self.vocab.decode(recased) == capital:
                # the word's acoustic log-probability kept, spread over its new tokens
                share = sum(word_lps) / len(recased)
                word, word_lps = recased, tuple(share for _ in recased)
        out.extend(word)
        lps.extend(word_lps)
        return end
