"""A long recording's errors, clip by clip: where the clips of a joined recording went wrong.

A long recording (clips joined, one reference) scores as one sample, so two settings compared on
it differ by a count with no spread. Aligning its hypothesis with the clips' references, word
for word, hands each error to the clip whose reference words it touches: the per-clip scores
sum to the recording's own errors (the same alignment), and a paired bootstrap over clips
(significance.py) can then say whether a change helped or only moved errors about. The clips of
one recording are not independent (a window decoded differently re-prompts the next), so such
an interval is narrower than the truth; it still tells one moved clip from thirty.
"""
from __future__ import annotations

from collections.abc import Sequence

import jiwer

from jargonaut.evaluate.metrics import FileScore, normalise


def clip_scores(clips: Sequence[tuple[str, str]], hypothesis: str) -> list[FileScore]:
    """One FileScore per (id, reference) of `clips`, in order, with the errors of `hypothesis`
    (the whole recording's text) aligned against the clips' references joined. A substitution
    or deletion belongs to its reference word's clip; an insertion to the clip of the reference
    word after it (the last clip's at the end). Each score's hypothesis is the hypothesis words
    aligned with that clip, insertions included."""
    references = [normalise(reference).split() for _, reference in clips]
    owner = [k for k, words in enumerate(references) for _ in words]
    errors = [0] * len(clips)
    heard: list[list[str]] = [[] for _ in clips]
    hyp = normalise(hypothesis)
    if not owner:  # no reference words at all: every hypothesis word is the first clip's insertion
        if clips:
            errors[0], heard[0] = len(hyp.split()), hyp.split()
    elif not hyp:
        errors = [len(words) for words in references]
    else:
        out = jiwer.process_words(" ".join(w for words in references for w in words), hyp)
        words = out.hypotheses[0]
        for chunk in out.alignments[0]:
            said = words[chunk.hyp_start_idx:chunk.hyp_end_idx]
            if chunk.type == "insert":
                k = owner[min(chunk.ref_start_idx, len(owner) - 1)]
                errors[k] += len(said)
                heard[k] += said
                continue
            for i in range(chunk.ref_start_idx, chunk.ref_end_idx):
                k = owner[i]
                if chunk.type != "equal":
                    errors[k] += 1
                if chunk.type != "delete":
                    heard[k].append(said[i - chunk.ref_start_idx])
    return [FileScore(key, " ".join(references[k]), " ".join(heard[k]), errors[k], len(references[k]),
                      text=" ".join(heard[k]))
            for k, (key, _) in enumerate(clips)]
