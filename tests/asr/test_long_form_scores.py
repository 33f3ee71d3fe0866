"""A long recording's errors handed to its clips (evaluate/long_form.py)."""
from __future__ import annotations

from jargonaut.evaluate.long_form import clip_scores
from jargonaut.evaluate.metrics import score_file

CLIPS = [
    ("c0", "Kubelet logs showed the node running low on ephemeral storage."),
    ("c1", "Etcd latency spiked whenever the backup job compressed snapshots."),
    ("c2", "Our Istio gateway rejected requests carrying an expired client certificate."),
]


def _whole(hypothesis: str) -> int:
    return score_file("long", " ".join(r for _, r in CLIPS), hypothesis).errors


def test_each_error_lands_in_the_clip_it_touches_and_the_clips_sum_to_the_recording() -> None:
    hypothesis = ("Kubelet logs showed the note running low on ephemeral storage. At latency spiked whenever "
                  "the backup job compressed snapshots. Our Istio gateway rejected requests carrying an expired "
                  "client certificate.")
    scores = clip_scores(CLIPS, hypothesis)
    assert [s.id for s in scores] == ["c0", "c1", "c2"]
    assert [s.errors for s in scores] == [1, 1, 0]  # "note" for node; "at" for etcd
    assert [s.words for s in scores] == [10, 9, 10]
    assert sum(s.errors for s in scores) == _whole(hypothesis)
    assert scores[1].hypothesis.startswith("at latency spiked")


def test_dropped_and_added_words_count_where_they_belong() -> None:
    # the second sentence lost; two words added before the third and one after it
    hypothesis = ("Kubelet logs showed the node running low on ephemeral storage. Um okay our Istio gateway "
                  "rejected requests carrying an expired client certificate thanks")
    scores = clip_scores(CLIPS, hypothesis)
    assert scores[1].errors >= 9 - 2 and scores[0].errors == 0  # the lost sentence is c1's
    assert sum(s.errors for s in scores) == _whole(hypothesis)
    assert scores[2].errors >= 1 and scores[2].hypothesis.endswith("thanks")  # the tail's insertion is c2's


def test_an_empty_hypothesis_deletes_every_clip() -> None:
    scores = clip_scores(CLIPS, "")
    assert [s.errors for s in scores] == [10, 9, 10] and all(s.hypothesis == "" for s in scores)
