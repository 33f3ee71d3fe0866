"""faster-whisper's `WhisperModel`, with the two things the engine varies per call made
explicit instead of patched in: the encoder window and the decoding call.

Encoder window: faster-whisper pads every window to 30 s (3000 frames) before the encoder,
and the encoder's cost is fixed by that length. CTranslate2 accepts shorter inputs: an
utterance padded to the next 5 s encodes 2.5-4x faster, with no loss (measured on 25
LJSpeech clips, tiny.en beam 5: WER 7.6% at 30 s windows, 6.9% at 5 s buckets). The first
N frames of a window padded to 30 s are exactly the window padded to N, so `encode` trims.

A short window has one failure mode the 30 s window lacks: on a clip of a second or two
(a stream final cut without lead silence) Whisper can loop ("s s s s", "S. S. S.", "not.
Let us not. Let us not."; JFK's "ask not" cut at 3.0-4.2 s, tiny.en: 10 s window loops,
30 s window "Ask the..."). The engine re-decodes such a result with the full window
(`repeats_itself`), so the cost falls only on the loops.

Temperature fallback: faster-whisper resamples a window whose mean acoustic log-probability
is below -1.0, and the sampling is CTranslate2's, without the CLM. A fused window's domain
words are what make that mean low, so a window the CLM decided is kept (a loop still falls
back): `generate_with_fallback`.

Word timings do not move the windows: with word timestamps, faster-whisper starts the next
window at the last aligned word's end instead of where the timestamp tokens put it, and that
end can fall past speech (a window's last word aligned long: "I also feel the pain into my
right leg. Okay." was skipped) or before it (the tail decoded twice). Plain tiny.en on the
medical dev split: 435 errors decoding text only, 463 with word timestamps. So the windows are
decoded as for text (`generate_segments`) and each window's words are aligned after it, on
the same encoder output, with faster-whisper's own alignment (`add_word_timestamps`): a job's
text is the text-only transcript, with timings.

Each call gets a shallow `view` (weights shared, nothing global), so a stream's short
window or a fused decode never leaks into another thread's call.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import re
from typing import Any

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.transcribe import Segment, Word

FULL_FRAMES = 3000  # 30 s at 10 ms per frame
BUCKET_FRAMES = 500  # round windows up to 5 s
MIN_FRAMES = 1000  # a mostly-empty window makes Whisper loop ("S. S. S. ..."): at least 10 s


def window_frames(samples: int, rate: int = 16000) -> int:
    """Encoder frames for `samples` of audio: 1 s of padding or more, rounded up to 5 s, within 10-30 s."""
    frames = samples * 100 // rate + 100
    return min(FULL_FRAMES, max(MIN_FRAMES, math.ceil(frames / BUCKET_FRAMES) * BUCKET_FRAMES))


def repeats_itself(text: str, times: int = 3, longest: int = 3) -> bool:
    """Whether some run of 1..`longest` words repeats `times` times in a row (a decoding
    loop). Real speech does this rarely ("no, no, no"), and then a re-decode costs only time."""
    words = re.findall(r"[\w']+", text.lower())
    for n in range(1, longest + 1):
        for start in range(len(words) - n * times + 1):
            gram = words[start:start + n]
            if all(words[start + k * n:start + (k + 1) * n] == gram for k in range(1, times)):
                return True
    return False


def _too_repetitive(decoded: Any, options: Any) -> bool:
    """Whether a (result, mean log-probability, temperature, compression ratio) from
    `generate_with_fallback` loops, by faster-whisper's test."""
    threshold = options.compression_ratio_threshold
    return threshold is not None and decoded[3] > threshold


def _needs_fallback(decoded: Any, options: Any) -> bool:
    """faster-whisper's test of whether a decoded window needs the next temperature: it loops,
    or its mean log-probability is low and it is not silence."""
    low = options.log_prob_threshold is not None and decoded[1] < options.log_prob_threshold
    silence = low and options.no_speech_threshold is not None and decoded[0].no_speech_prob > options.no_speech_threshold
    return (_too_repetitive(decoded, options) or low) and not silence  # silence wins, as there


class EngineWhisper(WhisperModel):
    encoder_frames: int | None = None  # None: faster-whisper's 30 s windows
    window_encoding: Any = None  # the encoder output of the window decoded last

    def encode(self, features: np.ndarray) -> Any:
        if self.encoder_frames is not None and features.shape[-1] > self.encoder_frames:
            features = np.ascontiguousarray(features[..., : self.encoder_frames])
        return super().encode(features)

    def view(self, generator: Any = None, encoder_frames: int | None = None) -> "EngineWhisper":
        """This model for one call: `generator` (if any) decodes in place of CTranslate2's
        `generate`; `encoder_frames` (if any) shortens the encoder window."""
        call = copy.copy(self)
        if generator is not None:
            call.model = generator
        call.encoder_frames = encoder_frames
        return call

    def generate_with_fallback(self, encoder_output: Any, prompt: list[int], tokenizer: Any, options: Any) -> Any:
        """faster-whisper's decode of one window with temperature fallback, except that a window
        our fused decoder decided with the CLM (`FusedGenerator.keep_clm_windows`, the gate kept
        the CLM) is not resampled for a low acoustic log-probability: the CLM chose words Whisper
        found less likely, which is what fusion is for, and the fallback samples without it. A
        looping result (compression ratio) still falls back; so does every other window, from
        the next temperature on (the first is deterministic: decoding it again, fused and then
        without the CLM, gave the same result at twice the cost)."""
        self.window_encoding = encoder_output  # for the window's word timings (generate_segments)
        generator = self.model
        if not getattr(generator, "keep_clm_windows", False) or len(options.temperatures) < 2:
            return super().generate_with_fallback(encoder_output, prompt, tokenizer, options)
        first = super().generate_with_fallback(encoder_output, prompt, tokenizer,
                                               dataclasses.replace(options, temperatures=options.temperatures[:1]))
        if (generator.decided_by_clm and not _too_repetitive(first, options)) or not _needs_fallback(first, options):
            return first
        rest = super().generate_with_fallback(encoder_output, prompt, tokenizer,
                                              dataclasses.replace(options, temperatures=options.temperatures[1:]))
        if not _needs_fallback(rest, options):
            return rest
        # every temperature failed: faster-whisper's pick, the likeliest of those that do not loop
        best = max([r for r in (first, rest) if not _too_repetitive(r, options)] or [first, rest], key=lambda r: r[1])
        return best[0], best[1], rest[2], best[3]

    def generate_segments(self, features: np.ndarray, tokenizer: Any, options: Any, log_progress: Any,
                          encoder_output: Any = None) -> Any:
        """faster-whisper's segments; with word timestamps, the windows are placed as for text
        alone and each window's words aligned after it (see the module's docstring)."""
        if not options.word_timestamps or options.hallucination_silence_threshold is not None \
                or options.clip_timestamps not in ("0", [0], [0.0]):
            yield from super().generate_segments(features, tokenizer, options, log_progress, encoder_output)
            return
        content_frames = features.shape[-1] - 1
        text_only = dataclasses.replace(options, word_timestamps=False)
        window: list[Segment] = []
        encoding: Any = None
        last_speech = 0.0
        for segment in super().generate_segments(features, tokenizer, text_only, log_progress, encoder_output):
            if window and segment.seek != window[0].seek:
                timed, last_speech = self._timed(window, encoding, tokenizer, options, content_frames, last_speech)
                yield from timed
                window = []
            if not window:  # a window's segments come out before the next window is decoded
                encoding = self.window_encoding
            window.append(segment)
        if window:
            yield from self._timed(window, encoding, tokenizer, options, content_frames, last_speech)[0]

    def _timed(self, window: list[Segment], encoding: Any, tokenizer: Any, options: Any, content_frames: int,
               last_speech: float) -> tuple[list[Segment], float]:
        """One window's segments with their words, aligned on the window's encoder output."""
        seek = window[0].seek
        parts = [{"seek": seek, "start": s.start, "end": s.end, "tokens": s.tokens} for s in window]
        frames = min(self.feature_extractor.nb_max_frames, content_frames - seek)
        last_speech = self.add_word_timestamps([parts], tokenizer, encoding, frames, options.prepend_punctuations,
                                               options.append_punctuations, last_speech_timestamp=last_speech)
        return [dataclasses.replace(s, start=part["start"], end=part["end"],
                                    words=[Word(**word) for word in part["words"]])
                for s, part in zip(window, parts)], last_speech
