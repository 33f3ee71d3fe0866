"""Who spoke each recognised word: speaker embeddings of sliding windows over the speech,
clustered into at most `max_speakers` voices, then each word given the voice of the windows
around it.

Windows are the encoder's training length (1.6 s) and only where the recogniser heard words
(no separate VAD: the words are the speech). The number of speakers is the k-means split with the
best silhouette (one speaker when no split is clearly separated: a floor chosen on the medical
dev recordings, bench/speaker_labels.py); voices holding too small a share of the windows are
folded into the nearest other voice (a cough, a laugh, crosstalk are not speakers).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jargonaut.asr.speaker_encoder import HOP, PARTIAL_FRAMES, RATE, VoiceEncoder, mel_spectrogram, normalize_volume

FRAME_SECONDS = HOP / RATE
_BATCH = 256  # windows embedded together
WINDOW_SECONDS = PARTIAL_FRAMES * FRAME_SECONDS


@dataclass(frozen=True)
class DiarizationSettings:
    step: float = 0.4  # seconds between window starts
    min_speech: float = 0.5  # share of a window the words must cover for it to count
    min_silhouette: float = 0.15  # below this, the best split into voices is noise: one speaker
    min_share: float = 0.05  # a voice with fewer windows than this share is folded into another
    context: float = 0.8  # a word takes the windows whose centre lies this close to its own


def speaker_of_words(audio: np.ndarray, words: list[tuple[float, float]], max_speakers: int,
                     settings: DiarizationSettings = DiarizationSettings(),
                     encoder: VoiceEncoder | None = None) -> list[int]:
    """One speaker index per (start, end) word, numbered 0, 1, ... in order of first appearance."""
    if not words:
        return []
    encoder = encoder or VoiceEncoder.from_package()
    starts, centres = _windows(words, len(audio) / RATE, settings)
    if len(starts) == 0:
        return [0] * len(words)
    mel = mel_spectrogram(normalize_volume(audio))
    mel = np.pad(mel, ((0, PARTIAL_FRAMES), (0, 0)))  # the last window may run past the end
    first = np.round(starts / FRAME_SECONDS).astype(int)
    embeddings = np.concatenate([  # a batch of windows at a time: an hour's windows at once would be 230 MB
        encoder.embed(np.stack([mel[f:f + PARTIAL_FRAMES] for f in first[i:i + _BATCH]]))
        for i in range(0, len(first), _BATCH)])
    voices = cluster(embeddings, max_speakers, settings)
    centroids = _centroids(embeddings, voices)
    labels = []
    for start, end in words:
        middle = (start + end) / 2
        near = np.abs(centres - middle) <= settings.context
        if not near.any():
            near = np.abs(centres - middle) == np.abs(centres - middle).min()
        mean = embeddings[near].mean(axis=0)
        labels.append(int(np.argmax(centroids @ mean)))
    return _first_appearance_order(labels)


def _windows(words: list[tuple[float, float]], duration: float,
             settings: DiarizationSettings) -> tuple[np.ndarray, np.ndarray]:
    """Starts and centres (seconds) of the 1.6 s windows mostly covered by words."""
    covered = np.zeros(int(np.ceil(duration / FRAME_SECONDS)) + PARTIAL_FRAMES, bool)
    for start, end in words:
        covered[int(start / FRAME_SECONDS):int(np.ceil(end / FRAME_SECONDS)) + 1] = True
    speech = np.concatenate([[0], np.cumsum(covered)])
    last_start = max(duration - WINDOW_SECONDS, 0.0)
    starts = np.arange(0.0, last_start + settings.step, settings.step)
    first = np.round(starts / FRAME_SECONDS).astype(int)
    share = (speech[first + PARTIAL_FRAMES] - speech[first]) / PARTIAL_FRAMES
    chosen = starts[share >= settings.min_speech]
    if len(chosen) == 0:  # short or sparse speech: the window that holds the most of it
        chosen = starts[[int(np.argmax(share))]]
    return chosen, chosen + WINDOW_SECONDS / 2


def cluster(embeddings: np.ndarray, max_speakers: int, settings: DiarizationSettings) -> np.ndarray:
    """A voice index per embedding: at most `max_speakers`, at least one. k-means for each
    count from 2 up, keeping the count whose split has the best silhouette (cosine); one voice
    when even the best split is not clearly separated."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    best, best_score, best_k = np.zeros(len(embeddings), int), -1.0, 1
    for k in range(2, min(max_speakers, len(embeddings) - 1) + 1):
        if k > best_k + 2:
            break  # the silhouette has fallen twice in a row: more voices only split voices
        voices = KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(embeddings)
        score = float(silhouette_score(embeddings, voices, metric="cosine",
                                       sample_size=min(len(embeddings), 3000), random_state=0))
        if score > best_score:
            best, best_score, best_k = voices, score, k
    if best_score < settings.min_silhouette:
        return np.zeros(len(embeddings), int)
    return _fold_small(embeddings, best, settings.min_share)


def _fold_small(embeddings: np.ndarray, voices: np.ndarray, min_share: float) -> np.ndarray:
    counts = np.bincount(voices)
    keep = np.flatnonzero(counts >= max(min_share * len(voices), 1))
    if len(keep) == 0:
        keep = np.array([int(np.argmax(counts))])
    centroids = _centroids(embeddings, voices)[keep]
    small = ~np.isin(voices, keep)
    voices = voices.copy()
    voices[small] = keep[np.argmax(embeddings[small] @ centroids.T, axis=1)]
    return np.unique(voices, return_inverse=True)[1]


def _centroids(embeddings: np.ndarray, voices: np.ndarray) -> np.ndarray:
    sums = np.zeros((voices.max() + 1, embeddings.shape[1]))
    np.add.at(sums, voices, embeddings)
    return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)


def _first_appearance_order(labels: list[int]) -> list[int]:
    order: dict[int, int] = {}
    return [order.setdefault(label, len(order)) for label in labels]
