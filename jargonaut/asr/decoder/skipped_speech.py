"""Windows where a fused search jumped over speech.

Whisper's decoder reads the window's audio through cross-attention, and nothing stops it
jumping ahead. With a CLM it sometimes does: where the first word is unclear (a window that
opens inside a word, after the previous window ended a sentence a little late) and the CLM
prefers a common line opening ("The") to the spoken one ("AGC"), the search follows a later
sentence that starts that way. The acoustic cost is paid once, at the jump; the CLM's liking
for the later sentence's words is earned at every token after it. DEV powergrid, 16 kHz long
recording: a window's first segment ran 0.08-23.52 s for one 13-word sentence (1.8 s per word);
the three sentences it jumped over (38 words) were lost, and plain Whisper wrote them.

Speech runs at ~0.4 s per word, and a segment rarely holds a long pause, so a segment far slower
than that marks a window to read again without the CLM; Whisper's reading is kept only where it
writes clearly more words, by a share and by a count (a slow segment that was a real pause reads
the same either way). The count matters in a recording's last window, mostly padding, where
Whisper's timestamps run on past the audio: DEV audio, a clip's second window "IZotope RX." (2 words,
0-16 s) was suspect, and Whisper's own "eyes that will corrects." (4 words) replaced it.
"""
from __future__ import annotations

from dataclasses import dataclass

from jargonaut.asr.decoder.hypothesis import Vocab
from jargonaut.asr.decoder.segments import TIMESTAMP_SECONDS, segment_spans
from jargonaut.asr.options import FusionSettings


def _word_count(tokens: list[int], vocab: Vocab) -> int:
    """How many words the text tokens among `tokens` write."""
    return len(vocab.decode([t for t in tokens if t < vocab.eot]).split())


@dataclass(frozen=True)
class SkipCheck:
    """When a fused window is read again without the CLM, and when that reading is kept."""

    max_seconds_per_word: float  # a segment slower than this, and ...
    min_seconds: float  # ... at least this long, is suspect
    more_words: float  # Whisper's reading is kept if it has this many times the fused words ...
    min_more_words: int  # ... and at least this many more

    @classmethod
    def of(cls, fusion: FusionSettings) -> SkipCheck | None:
        """The check `fusion` asks for (None: never checked)."""
        if fusion.skip_seconds_per_word is None:
            return None
        return cls(fusion.skip_seconds_per_word, fusion.skip_min_seconds, fusion.skip_more_words,
                   fusion.skip_min_more_words)

    def suspect(self, tokens: list[int], vocab: Vocab) -> bool:
        """Whether a closed segment of `tokens` is too slow for the words it holds."""
        for opening, closing in segment_spans(tokens, vocab):
            seconds = (tokens[closing] - tokens[opening]) * TIMESTAMP_SECONDS
            words = _word_count(tokens[opening + 1: closing], vocab)
            if seconds >= self.min_seconds and seconds > self.max_seconds_per_word * max(words, 1):
                return True
        return False

    def covers_more(self, plain: list[int], fused: list[int], vocab: Vocab) -> bool:
        """Whether Whisper's reading of the window (`plain`) has clearly more words than the
        fused one: the speech the fused search jumped over."""
        heard, kept = _word_count(plain, vocab), _word_count(fused, vocab)
        return heard >= self.more_words * max(kept, 1) and heard >= kept + self.min_more_words
