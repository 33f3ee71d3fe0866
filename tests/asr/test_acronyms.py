"""Acronyms heard as other letters are matched letter by letter, by rhyming letter names."""
from jargonaut.asr.decoder.acronyms import confusable, spelled_letters


def test_rhyming_letters_find_the_acronym_the_text_writes():
    acronyms = ["ASC", "BGP", "NDA", "CFO", "SOX", "CV"]
    assert confusable("AFC", acronyms) == ["ASC"]  # F, S: "eff", "ess"
    assert confusable("BDP", acronyms) == ["BGP"]  # the E-set
    assert confusable("NBA", acronyms) == ["NDA"]
    assert confusable("MBA", acronyms) == ["NDA"]  # M, N and B, D: every letter a rhyme, A the same
    assert confusable("CB", acronyms) == ["CV"]


def test_strangers_and_the_acronym_itself_are_not_confusable():
    acronyms = ["ASC", "NDA", "CV"]
    assert confusable("ASC", acronyms) == []  # heard as the text writes it: nothing to fix
    assert confusable("ASCE", acronyms) == []  # another length
    assert confusable("ORK", acronyms) == []  # O, R: no rhyme of A, S
    assert confusable("BT", acronyms) == []  # every letter a rhyme, none the same


def test_only_words_in_capitals_are_spelled_letters():
    assert spelled_letters("AFC") and spelled_letters("CV") and spelled_letters("SLOS")
    assert not any(spelled_letters(w) for w in ("Afc", "A", "ASCEND", "SEV1", "afc"))
