"""An unsure window's glossary: terms that sound like a span of the draft, ranked by where the
CLM's word model says they fit (term_context.py, biasing.TermRetriever.for_unsure)."""
from __future__ import annotations

from pathlib import Path

import pytest

from jargonaut.asr.decoder.biasing import BiasingSettings, TermRetriever
from jargonaut.asr.decoder.term_context import HISTORY_WORDS, TermContext

DEVOPS_TEXT = Path(__file__).resolve().parents[2] / "bench" / "domains" / "devops" / "train.txt"


@pytest.fixture(scope="module")
def devops_clm(tmp_path_factory):
    from jargonaut.lm.train import load_clm, train_clm

    out = tmp_path_factory.mktemp("clm") / "devops.clm"
    train_clm([DEVOPS_TEXT], None, out, "NarrowBand", 1)
    return load_clm(out)


def _logprob(lm, history: list[str], words: list[str]) -> float:
    state = lm.begin_state()
    for word in history:
        state = lm.score(state, word)[1]
    total = 0.0
    for word in words:
        logprob, state = lm.score(state, word)
        total += logprob
    return total


def test_the_fit_is_the_clms_log_probability_with_the_term_less_with_the_words_heard(devops_clm) -> None:
    draft = TermContext(devops_clm).draft("from that sitter range for each tenant".split())
    history = ["from", "that"][-HISTORY_WORDS:]
    expected = (_logprob(devops_clm, history, ["cidr", "range", "for"])
                - _logprob(devops_clm, history, ["sitter", "range", "for"]))
    assert draft.gain(2, 1, ["cidr"]) == pytest.approx(expected, rel=1e-12)
    assert draft.gain(2, 1, ["cidr"]) > 0  # the domain writes "CIDR range", never "sitter range"


@pytest.mark.parametrize("draft, term", [
    ("Each tenant receives a separate slash 24 from that sitter range.", "CIDR"),
    ("Cert-manager failed its acne challenge behind the corporate proxy.", "ACME"),
    ("Cut a scaled consumers to zero overnight.", "KEDA"),
    ("Query the finals sidecar.", "Thanos"),
])
def test_a_term_heard_far_from_its_spelling_leads_the_glossary_where_it_fits(devops_clm, draft, term) -> None:
    in_context = TermRetriever(devops_clm.terms, BiasingSettings(), TermContext.of(devops_clm))
    by_likeness = TermRetriever(devops_clm.terms, BiasingSettings(context_weight=None))
    assert term not in by_likeness.for_unsure(draft)  # the close spellings (80) miss it
    # at the same bar and with sound keys, likeness alone ranks chance matches above it
    assert by_likeness.retrieve(draft, min_similarity=70, by_sound=True)[0] != term
    assert in_context.for_unsure(draft)[0] == term


@pytest.mark.parametrize("draft, term", [
    ("Check the memory usage on the node.", "Mimir"),
    ("We went for a walk by the river on Sunday.", "Trivy"),
])
def test_a_term_that_fits_worse_than_the_words_heard_is_not_offered(devops_clm, draft, term) -> None:
    """ "memory usage" is the domain's own phrase, and "by the river on" fits no scanner: a term
    that merely sounds like the words heard would only tempt pass 2 to respell them."""
    in_context = TermRetriever(devops_clm.terms, BiasingSettings(), TermContext.of(devops_clm))
    by_likeness = TermRetriever(devops_clm.terms, BiasingSettings(context_weight=None))
    assert term in by_likeness.retrieve(draft, min_similarity=70, by_sound=True)
    assert term not in in_context.for_unsure(draft)


def test_a_term_the_draft_already_spells_is_not_retrieved_again(devops_clm) -> None:
    in_context = TermRetriever(devops_clm.terms, BiasingSettings(), TermContext.of(devops_clm))
    assert "CIDR" not in in_context.for_unsure("Each tenant receives a separate slash 24 from that CIDR range.")


def test_an_unsure_regions_own_lookup_keeps_only_strong_matches(devops_clm) -> None:
    """A region's terms go ahead of the window's in the prompt (`unsure_terms_first`): a region
    heard right must not bring chance terms there, a misheard term still comes."""
    in_context = TermRetriever(devops_clm.terms, BiasingSettings(), TermContext.of(devops_clm))
    assert in_context.for_unsure("We went for a walk by the river on Sunday.")  # the window's lookup: weak ones too
    assert in_context.for_unsure("We went for a walk by the river on Sunday.", region=True) == []
    assert in_context.for_unsure("from that sitter range", region=True)[0] == "CIDR"


def test_a_lost_ending_is_offered_where_the_domain_writes_the_longer_form(devops_clm) -> None:
    """ "spike" for "spiked": a weak final -d is what a telephone band loses, and the domain
    writes "etcd spiked when", never "spike"."""
    in_context = TermRetriever(devops_clm.terms, BiasingSettings(), TermContext.of(devops_clm))
    without = TermRetriever(devops_clm.terms, BiasingSettings(context_inflection_min_fit=None), TermContext.of(devops_clm))
    draft = "Leader elections in etcd spike when disk latency went above 100 milliseconds."
    assert in_context.for_unsure(draft)[0] == "spiked"
    assert "spiked" not in without.for_unsure(draft)  # an inflection of a heard word counts as heard


@pytest.mark.parametrize("draft, term", [
    ("Distributed traced shows the slow span.", "tracing"),  # an ending changed, not lost
    ("Kafka brokers rebalanced partitions after we added two nodes.", "broker"),  # an ending added
])
def test_an_inflection_is_offered_only_for_an_ending_lost(devops_clm, draft, term) -> None:
    """The CLM finds both terms likelier there (by 10 and 8 nats), but Whisper rarely writes an
    ending nobody said: "reconciled" heard is not "reconciling"."""
    in_context = TermRetriever(devops_clm.terms, BiasingSettings(), TermContext.of(devops_clm))
    words = draft.split()
    heard = next(k for k, w in enumerate(words) if w.lower().startswith(term[:4]))
    assert TermContext.of(devops_clm).draft(words).gain(heard, 1, [term]) > 1.0
    assert term in devops_clm.terms and term not in in_context.for_unsure(draft)
