"""Two-pass contextual biasing: retrieval of terms from a draft, and the guard."""
from __future__ import annotations

from jargonaut.asr.decoder.biasing import (
    BiasingSettings,
    TermRetriever,
    accept_second_pass,
    glossary,
    looped,
    rare_in_general_english,
    unsure_terms_first,
)
from jargonaut.asr.decoder.phonetic import phone_key
from jargonaut.lm.near_miss import NearMisses

TERMS = ["pembrolizumab", "nivolumab", "apixaban", "dapagliflozin", "Helicase", "BRCA2", "spliceosome", "warfarin"]


def test_retrieves_terms_the_draft_misheard():
    r = TermRetriever(TERMS, BiasingSettings())
    found = r.retrieve("Hambrolizumab and Nivellum, have both blocked the PD-1 receptor.")
    assert set(found) == {"nivolumab", "pembrolizumab"}
    assert "Helicase" in r.retrieve("Hallocase and topoisomerase work together.")
    assert r.retrieve("The spliceo so I'm recognized as the boundary.") == ["spliceosome"]
    # A looping draft still finds what it was trying to say.
    assert "dapagliflozin" in r.retrieve("Dapiglaflaflaflaflaflaflaflaflaflaflafla")


def test_ignores_unrelated_text_and_terms_already_heard():
    r = TermRetriever(TERMS, BiasingSettings())
    assert r.retrieve("We went for a walk by the river on Sunday.") == []
    assert "warfarin" not in r.retrieve("He takes warfarin every evening.")
    assert r.retrieve("") == []
    assert len(TermRetriever(TERMS, BiasingSettings(max_terms=1)).retrieve("Hambral as you map and Nivellum")) == 1


def test_glossary_keeps_the_terms_spelling():
    assert glossary(["BRCA2", "Helicase"]) == " BRCA2, Helicase."


def test_guard_rejects_a_derailed_second_pass():
    s = BiasingSettings()
    first = "The patient started apixaban instead of warfarin after the procedure."
    assert accept_second_pass(first, first.replace("apixaban", "apixaban tablets"), -0.3, -0.35, s)
    assert not accept_second_pass(first, first + " " + "Helicase, BRCA2, nivolumab, " * 4, -0.3, -0.3, s)
    assert not accept_second_pass(first, "The patient.", -0.3, -0.2, s)
    assert not accept_second_pass(first, first, -0.3, -0.9, s)  # acoustically far less likely
    looped = "Dapiglaflaflaflaflaflaflaflaflaflaflaflaflaflaflaflaflaflafla" * 2
    assert accept_second_pass(looped, "Dapagliflozin and empagliflozin belong to one class.", -0.5, -0.6, s)
    assert not accept_second_pass(looped, looped, -0.5, -0.5, s)


def test_inflections_of_heard_words_are_not_retrieved():
    r = TermRetriever(["pains", "tumors", "spliceosome"], BiasingSettings())
    assert r.retrieve("The pain in the tumor near the spliceo some.") == ["spliceosome"]


def test_guard_wants_a_retrieved_term_spelled():
    s = BiasingSettings()
    first = "Osmotenip controls brain medicetasis."
    terms = ["osimertinib", "metastases"]
    assert accept_second_pass(first, "Osimertinib controls brain medicetasis.", -0.4, -0.4, s, terms)
    assert accept_second_pass(first, "Osmotenip controls brain metastasis.", -0.4, -0.4, s, terms)  # inflected
    assert not accept_second_pass(first, "Osmotenip controls the brain medicetasis.", -0.4, -0.4, s, terms)


def test_unrelated_short_words_are_not_inflections():
    r = TermRetriever(["ports"], BiasingSettings(min_similarity=50))
    assert r.retrieve("parts") == ["ports"]  # sounds alike; "parts" is not a form of "ports"
    assert r.retrieve("port") == []  # "ports" is a form of "port": nothing to fix


def test_a_lookalike_everyday_word_is_not_an_inflection_of_a_term():
    r = TermRetriever(["Expensify", "flagged", "BRCA"], BiasingSettings())
    assert r.retrieve("Our expensive eye reports are due.") == ["Expensify"]
    assert r.retrieve("Tumors with BRCA2 mutations.") == []  # a number names one of the family
    assert r.retrieve("The auditors flag the liability.") == []  # "flag" is a form of "flagged"


def test_a_sure_window_looks_up_only_terms_rare_in_general_english() -> None:
    assert rare_in_general_english("duces tecum", 3.0)
    assert rare_in_general_english("Karpenter", 3.0)  # not listed at all
    assert not rare_in_general_english("worsen", 3.0)
    assert not rare_in_general_english("merger agreement", 3.0)


DEVOPS = ["Thanos", "KEDA", "CronJob", "Postgres", "Karpenter", "Kustomize"]


def test_a_sure_window_finds_a_term_by_how_it_sounds_where_its_spelling_is_far() -> None:
    """Whisper writes what it hears: "finals" for Thanos, "Ketta" for KEDA. Their spellings
    share little, their sounds (espeak-ng IPA in coarse classes) nearly all."""
    spelling_only = TermRetriever(DEVOPS, BiasingSettings(sure_by_sound=False, context_weight=None))
    r = TermRetriever(DEVOPS, BiasingSettings())
    for draft, term in [("Query the finals sidecar.", "Thanos"), ("Ketta scaled the workers.", "KEDA"),
                        ("Restore the posters replica.", "Postgres")]:
        assert term not in spelling_only.retrieve(draft, min_similarity=90, by_sound=True), draft
        assert term not in r.retrieve(draft, min_similarity=90), draft  # an unsure window's lookup
        assert term in r.retrieve(draft, min_similarity=90, by_sound=True), draft
    assert phone_key("Carpenter") == phone_key("Karpenter")
    assert phone_key("finals") != phone_key("Thanos")  # near, not equal: the similarity bar decides


def test_sound_alike_everyday_words_do_not_pull_in_terms() -> None:
    r = TermRetriever(DEVOPS, BiasingSettings())
    assert r.retrieve("We went for a walk by the river on Sunday, then had lunch.", min_similarity=90,
                      by_sound=True) == []
    # "Okay" and "achy" are both a-k-a: keys that short sound like too much to count
    assert phone_key("Okay") == phone_key("achy")
    assert TermRetriever(["achy"], BiasingSettings()).retrieve("Okay, so.", min_similarity=90, by_sound=True) == []


def test_spelling_matches_rank_before_sound_only_ones() -> None:
    # "Ketta" sounds exactly like KEDA (100), "customized" is spelled 95 like Kustomize: the
    # spelling match still leads
    r = TermRetriever(["KEDA", "Kustomize"], BiasingSettings())
    assert r.retrieve("Ketta customized it.", min_similarity=90, by_sound=True) == ["Kustomize", "KEDA"]


def test_each_unsure_region_gets_its_best_match_into_the_prompt() -> None:
    """A long window's prompt: the unsure regions' matches first, best of each region in turn,
    then the window's other matches, no repeats, within the limit."""
    per_region = [["Evolocumab", "blot"], ["apixaban", "proton", "PTEN"], []]
    window = ["potent", "seals", "olaparib", "proton", "Yeast"]
    assert unsure_terms_first(per_region, window, 20) == [
        "Evolocumab", "apixaban", "blot", "proton", "PTEN", "potent", "seals", "olaparib", "Yeast"]
    assert unsure_terms_first(per_region, window, 3) == ["Evolocumab", "apixaban", "blot"]
    assert unsure_terms_first([], window, 2) == ["potent", "seals"]


def test_a_looping_window_is_told_from_a_long_one() -> None:
    settings = BiasingSettings()
    assert looped("the the the the the the the the the the the the the the the", settings)
    assert not looped("Pembrolizumab and nivolumab both block the PD-1 receptor on T cells.", settings)
    assert not looped("no no no no", settings)  # too short to judge


def test_guard_counts_a_near_miss_the_transcript_settles_to_a_term():
    s, terms = BiasingSettings(), ["apixaban"]
    settle = NearMisses(["apixaban", "warfarin"]).fix
    first = "The patient started to pick up an instead of warfarin."
    second = "The patient started to pixaban instead of warfarin."
    assert not accept_second_pass(first, second, -0.4, -0.3, s, terms)
    assert accept_second_pass(first, second, -0.4, -0.3, s, terms, settle)
