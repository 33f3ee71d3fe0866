"""Speaker labels on a stream (`show-speaker-label`): online, one final at a time.

A batch job sees the whole recording and clusters it (asr/diarization.py); a stream cannot wait
for the end. Each final result is embedded with the same GE2E encoder (1.6 s windows over its
words, averaged). Then every final so far is clustered again with the batch jobs' rule (k-means
for 2.. voices, the best cosine silhouette, one voice below its floor), the clusters are matched
one-to-one to the labels already sent, and the new final takes its cluster's label (or a new one).
The second final, too early for a silhouette, is compared with the first by a cosine threshold.
One final gets one speaker: utterances end at a 0.5 s pause, which is where turns usually
change; a turn taken without a pause stays with the previous speaker until the next final.
Partials carry no speaker (their words are still being rewritten; the final labels them).
Settings were chosen on the medical dev recordings only (bench/speaker_labels.py --stream).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jargonaut.asr.diarization import FRAME_SECONDS, DiarizationSettings, _fold_small, _windows
from jargonaut.asr.speaker_encoder import PARTIAL_FRAMES, RATE, VoiceEncoder, mel_spectrogram, normalize_volume


@dataclass(frozen=True)
class OnlineSpeakerSettings:
    min_speech: float = 1.0  # seconds of words a final needs to be clustered
    same_above: float = 0.75  # the second final is the first's voice when this similar (cosine)
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

    def embed(self, audio: np.ndarray, words: list[tuple[float, float]]) -> np.ndarray:
        """The mean (unit) embedding of the windows over `words` (seconds into `audio`)."""
        starts, _ = _windows(words, len(audio) / RATE, self.settings.windows)
        mel = mel_spectrogram(normalize_volume(audio))
        mel = np.pad(mel, ((0, PARTIAL_FRAMES), (0, 0)))  # a final shorter than a window is zero-padded
        first = np.round(starts / FRAME_SECONDS).astype(int)
        embeddings = self.encoder.embed(np.stack([mel[f:f + PARTIAL_FRAMES] for f in first]))
        mean = embeddings.sum(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)

    def label(self, audio: np.ndarray, words: list[tuple[float, float]]) -> int | None:
        """The voice (0, 1, ... in order of first appearance) of one final, whose words are
        (start, end) seconds into `audio`; None when it has no words."""
        if not words:
            return None
        return self.assign(self.embed(audio, words), sum(max(end - start, 0.0) for start, end in words))

    def assign(self, embedding: np.ndarray, speech: float) -> int:
        """The voice of a final's mean (unit) embedding, `speech` seconds of words.

        Every final so far is clustered again (the batch jobs' k-means with a silhouette choice);
        the clusters are matched one-to-one to the labels already given (most earlier finals in
        common), and the new final takes its cluster's label, or a new one when its cluster got
        none. Labels already sent never change, but a voice mislabelled early is not stuck with
        another's label: two clusters never share one. A final with under `min_speech` seconds of
        words (its windows mostly padding) is not clustered: it takes the most similar final's voice."""
        if speech < self.settings.min_speech:  # too short to trust: the most similar trusted final's voice
            if not self.labels:
                return 0
            return self.labels[int(np.argmax(np.stack(self.embeddings) @ embedding))]
        self.embeddings.append(embedding)
        if len(self.embeddings) < 3:  # too few finals for a silhouette: compare with the first directly
            earlier_embeddings = np.stack(self.embeddings[:-1]) if self.labels else np.zeros((0, len(embedding)))
            similarities = earlier_embeddings @ embedding
            if len(similarities) and similarities.max() >= self.settings.same_above:
                label = self.labels[int(np.argmax(similarities))]
            else:
                label = len(set(self.labels))
            self.labels.append(label)
            return label
        voices = cluster_finals(np.stack(self.embeddings), self.settings.max_speakers, self.settings.windows)
        label = _label_of(voices, self.labels)
        self.labels.append(label)
        return label


def _label_of(voices: np.ndarray, labels: list[int]) -> int:
    """The label of the last final's cluster: clusters matched one-to-one to earlier labels."""
    from scipy.optimize import linear_sum_assignment

    known = max(labels) + 1
    overlap = np.zeros((int(voices.max()) + 1, known), int)
    np.add.at(overlap, (voices[:-1], np.asarray(labels)), 1)
    rows, cols = linear_sum_assignment(-overlap)
    matched = dict(zip(rows.tolist(), cols.tolist()))
    return matched.get(int(voices[-1]), known)


def cluster_finals(embeddings: np.ndarray, max_speakers: int, settings: DiarizationSettings) -> np.ndarray:
    """The batch jobs' choice (asr/diarization.py `cluster`: k-means for 2.. voices, the best cosine
    silhouette, one voice below its floor, small voices folded) in NumPy for a stream's few hundred
    finals: scikit-learn's per-fit overhead (about 0.4 s on busy cores) is too much to pay per final."""
    n = len(embeddings)
    distances = 1.0 - embeddings @ embeddings.T
    best, best_score, best_k = np.zeros(n, int), -1.0, 1
    for k in range(2, min(max_speakers, n - 1) + 1):
        if k > best_k + 2:
            break
        voices = _spherical_kmeans(embeddings, k)
        score = _silhouette(distances, voices)
        if score > best_score:
            best, best_score, best_k = voices, score, k
    if best_score < settings.min_silhouette:
        return np.zeros(n, int)
    return _fold_small(embeddings, best, settings.min_share)


def _spherical_kmeans(x: np.ndarray, k: int, tries: int = 3, rounds: int = 30) -> np.ndarray:
    """k-means on unit vectors (cosine), k-means++ starts from a fixed seed: the same finals
    always cluster the same way."""
    rng = np.random.default_rng(0)
    best, best_inertia = np.zeros(len(x), int), np.inf
    for _ in range(tries):
        centres = [x[rng.integers(len(x))]]
        for _ in range(1, k):
            gap = np.maximum(1.0 - np.max(x @ np.stack(centres).T, axis=1), 0.0)
            centres.append(x[rng.choice(len(x), p=gap / gap.sum())] if gap.sum() > 0 else x[rng.integers(len(x))])
        c = np.stack(centres)
        voices = np.argmax(x @ c.T, axis=1)
        for _ in range(rounds):
            sums = np.stack([x[voices == j].sum(axis=0) if (voices == j).any() else c[j] for j in range(k)])
            c = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
            moved = np.argmax(x @ c.T, axis=1)
            if np.array_equal(moved, voices):
                break
            voices = moved
        inertia = float(np.sum(1.0 - np.max(x @ c.T, axis=1)))
        if inertia < best_inertia:
            best, best_inertia = voices, inertia
    return best


def _silhouette(distances: np.ndarray, voices: np.ndarray) -> float:
    """The mean silhouette (scikit-learn's definition; a point alone in its voice scores 0)."""
    labels = np.unique(voices)
    if len(labels) < 2:
        return -1.0
    counts = np.array([(voices == v).sum() for v in labels])
    sums = np.stack([distances[:, voices == v].sum(axis=1) for v in labels], axis=1)  # (n, voices)
    own = np.searchsorted(labels, voices)
    own_count = counts[own]
    a = sums[np.arange(len(voices)), own] / np.maximum(own_count - 1, 1)
    means = sums / counts
    means[np.arange(len(voices)), own] = np.inf
    b = means.min(axis=1)
    score = np.where(own_count > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(score.mean())
