"""Alternative transcriptions (ShowAlternatives): the n best hypotheses of the base model's beam
for each segment of a finished recognition, with word timings from Whisper's cross-attention
alignment (the same alignment faster-whisper times words with).

The first alternative of a segment is always the job's own result (with a CLM or vocabulary,
the fused decoder's); the others are the beam's next hypotheses that say something different,
best first, each rated by its mean token probability. A segment's slice opens on its first
word, so it is read after the same lead-in silence as the recording (asr/lead_in.py).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from jargonaut.asr.lead_in import lead_samples, with_lead_in, words_without_lead_in
from jargonaut.asr.types import Recognition, Word

RATE = 16000
MIN_SEGMENT_S = 0.2


def segment_alternatives(whisper: Any, audio: np.ndarray, recognition: Recognition, max_alternatives: int,
                         beam_size: int = 5, lead_in_s: float = 0.0) -> list[list[tuple[list[Word], float]]]:
    """Per segment of `recognition`: up to `max_alternatives` (words, confidence), its own first;
    each segment's slice read after `lead_in_s` of silence (its own quiet opening counting)."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer

    tokenizer = Tokenizer(whisper.hf_tokenizer, whisper.model.is_multilingual, task="transcribe", language="en")
    out: list[list[tuple[list[Word], float]]] = []
    for segment in recognition.segments:
        own = (segment.words, _mean([w.probability for w in segment.words]))
        clip = audio[int(segment.start * RATE): int(math.ceil(segment.end * RATE))]
        lead = lead_samples(clip, lead_in_s)
        if max_alternatives < 2 or len(clip) < MIN_SEGMENT_S * RATE or len(clip) + lead > 30 * RATE:
            out.append([own])
            continue
        features = whisper.feature_extractor(with_lead_in(clip, lead))
        frames = features.shape[-1]
        encoder_output = whisper.encode(pad_or_trim(features))
        prompt = whisper.get_prompt(tokenizer, previous_tokens=[], without_timestamps=True)
        result = whisper.model.generate(
            encoder_output, [prompt], beam_size=max(beam_size, max_alternatives), num_hypotheses=max_alternatives,
            return_scores=True, suppress_blank=True, max_length=whisper.max_length,
        )[0]
        hypotheses = [ids for ids in result.sequences_ids if ids]
        seen = {_plain(" ".join(w.text for w in segment.words))}
        chosen: list[tuple[list[int], float]] = []
        for ids, score in zip(hypotheses, result.scores):
            text = _plain(tokenizer.decode(ids))
            if text and text not in seen:
                seen.add(text)
                chosen.append((ids, score))
        alternatives = [own]
        if chosen:
            aligned = whisper.find_alignment(tokenizer, [ids for ids, _ in chosen], encoder_output, frames)
            for (ids, score), words in zip(chosen, aligned):
                heard = [Word(float(w["start"]), float(w["end"]), w["word"], float(w["probability"])) for w in words]
                timed = [Word(segment.start + w.start, segment.start + w.end, w.text, w.probability)
                         for w in words_without_lead_in(heard, lead, len(clip) / RATE)]
                if timed:
                    alternatives.append((timed, math.exp(min(score, 0.0))))
        out.append(alternatives[:max_alternatives])
    return out


def _mean(values: list[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def _plain(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c in " '").split())
