"""Speaker labels on a stream (`show-speaker-label`): online, one final at a time.

A batch job sees the whole recording and clusters it (asr/diarization.py); a stream cannot wait
for the end. Each final result is embedded with the same GE2E encoder (1.6 s windows over its
words, averaged) and given the nearest voice heard so far in this stream, or a new voice when it
is far from all of them and long enough to trust. The voices' centroids keep learning from every
final. One final gets one speaker: utterances end at a 0.5 s pause, which is where turns usually
change; a turn taken without a pause stays with the previous speaker until the next final.
Partials carry no speaker (their words are still being rewritten; the final labels them).
The threshold was chosen on the medical dev recordings only (bench/speaker_labels.py --stream).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jargonaut.asr.diarization import FRAME_SECONDS, DiarizationSettings, _windows, cluster
from jargonaut.asr.speaker_encoder import PARTIAL_FRAMES, RATE, VoiceEncoder, mel_spectrogram, normalize_volume


@dataclass(frozen=True)
class OnlineSpeakerSettings:
    max_speakers: int = 10  # voices tried at most (Amazon labels up to 30; a stream names no maximum)
    windows: DiarizationSettings = field(default_factory=DiarizationSettings)


class StreamSpeakers:
    """The voices of one stream. Not thread-safe: a stream labels its finals one after another."""

    def __init__(self, settings: OnlineSpeakerSettings = OnlineSpeakerSettings(),
                 encoder: VoiceEncoder | None = None) -> None:
        self.settings = settings
        self.encoder = encoder or VoiceEncoder.from_package()
        self.embeddings: list[np.ndarray] = []  # one per final so far
        self.labels: list[int] = []  # the voice each was given

    def embed(self, audio: np.ndarray, words: list[tuple[float, float]]) -> tuple[np.ndarray, int]:
        """The mean (unit) embedding of the windows over `words` (seconds into `audio`), and their count."""
        starts, _ = _windows(words, len(audio) / RATE, self.settings.windows)
        mel = mel_spectrogram(normalize_volume(audio))
        mel = np.pad(mel, ((0, PARTIAL_FRAMES), (0, 0)))  # a final shorter than a window is zero-padded
        first = np.round(starts / FRAME_SECONDS).astype(int)
        embeddings = self.encoder.embed(np.stack([mel[f:f + PARTIAL_FRAMES] for f in first]))
        mean = embeddings.sum(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12), len(embeddings)

    def label(self, audio: np.ndarray, words: list[tuple[float, float]]) -> int | None:
        """The voice (0, 1, ... in order of first appearance) of one final, whose words are
        (start, end) seconds into `audio`; None when it has no words."""
        if not words:
            return None
        embedding, count = self.embed(audio, words)
        return self.assign(embedding, count, sum(max(end - start, 0.0) for start, end in words))

    def assign(self, embedding: np.ndarray, count: int, speech: float) -> int:
        """The voice of a final's mean embedding (from `count` windows, `speech` seconds of words).

        Every final so far is clustered again (the batch jobs' k-means with a silhouette choice),
        and the new final takes the label most of its cluster's earlier finals were given; a
        cluster of none of them is a new voice. Labels already sent never change."""
        self.embeddings.append(embedding)
        voices = cluster(np.stack(self.embeddings), self.settings.max_speakers, self.settings.windows)
        mine = voices[-1]
        earlier = [label for voice, label in zip(voices[:-1], self.labels) if voice == mine]
        if earlier:
            label = max(set(earlier), key=earlier.count)
        else:
            label = len(set(self.labels))
        self.labels.append(label)
        return label
