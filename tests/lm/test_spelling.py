"""Spelling conventions learnt from the CLM text and applied to transcripts."""
from __future__ import annotations

from jargonaut.asr.respelling import respell_recognition
from jargonaut.asr.types import Recognition, Segment, Word
from jargonaut.lm.spelling import learn_spellings, respell_text
from jargonaut.lm.train import load_clm, train_clm

CLINIC = [
    "OK, so how long have you had the pain?",
    "OK, and does it spread anywhere?",
    "Alright, let's have a look at your chest.",
    "That's alright, take your time.",
    "That's OK, no rush.",
    "I want to go to the clinic today.",
    "She went to the pharmacy to get her tablets.",
    "Is it sore in the morning too?",
    "My back hurts too.",
    "His heart's been racing and both hearts were examined.",
]
MINORITY = [
    "okay, so how long have you had the pain?",
    "all right, let's have a look at your chest.",
    "That's okay, no rush.",
]


def _learnt(tmp_path, lines: list[str]) -> dict[str, str]:
    """The spelling table learnt from a text of these lines."""
    path = tmp_path / "text.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return learn_spellings([path])


def _corpus(tmp_path):
    path = tmp_path / "clinic.txt"
    path.write_text("\n".join(CLINIC * 6 + MINORITY * 3) + "\n", encoding="utf-8")
    return path


def test_learns_the_majority_spelling_of_one_word_not_homophones(tmp_path):
    table = learn_spellings([_corpus(tmp_path)])
    # same sound, same use: the text's form wins, cased as it is written mid-sentence
    assert table["okay"] == "OK" and table["all right"] == "alright"
    # homophones used differently are different words; apostrophes tell words apart
    assert not {"too", "two", "to", "hearts", "heart's"} & set(table)
    assert len(table) == 2


def test_transcripts_follow_the_clm_spelling(tmp_path):
    out = tmp_path / "clinic.clm"
    report = train_clm([_corpus(tmp_path)], None, out, "WideBand", 1)
    table = load_clm(out).spellings
    assert report.spelling_variants == len(table) == 2 and "spelling variants" in str(report)
    assert respell_text(" Okay, so all right. All right, we're okay too.", table) == " OK, so alright. Alright, we're OK too."
    # timed words: a two-word variant becomes one word spanning both
    words = [Word(0.0, 0.4, " All", 0.9), Word(0.4, 0.7, " right,", 0.8), Word(0.8, 1.0, " okay.", 0.95)]
    rec = respell_recognition(Recognition([Segment(0.0, 1.0, " All right, okay.", words)], 1.0), table)
    assert rec.text == "Alright, OK."
    assert [(w.start, w.end, w.text, w.probability) for w in rec.segments[0].words] == [
        (0.0, 0.7, " Alright,", 0.8), (0.8, 1.0, " OK.", 0.95)]


LEDGER = [
    "Post the revenue rollforward before the close.",
    "The rollforward ties to the subledger now.",
    "We export invoices from NetSuite every Monday.",
    "Maybe the auditors want the maybe list as well.",
    "The healthcare accrual moved to the healthcare segment.",
    "Inventory counts are due on Friday and the inventory reserve follows.",
]


def test_compounds_the_text_writes_joined_are_written_joined(tmp_path):
    table = _learnt(tmp_path, LEDGER * 2)
    assert table["roll forward"] == "rollforward" and table["net suite"] == "NetSuite"
    # an everyday compound stays two words where Whisper writes two ("it may be late")
    assert "may be" not in table and "health care" not in table
    assert respell_text(" Update the roll forward in Net Suite.", table) == " Update the rollforward in NetSuite."
    # a lower-case compound never swallows a name Whisper capitalised
    table["health care"] = "healthcare"
    assert respell_text(" We met Health Care Partners about health care.", table) == \
        " We met Health Care Partners about healthcare."


def test_compounds_the_text_also_writes_apart_are_left_alone(tmp_path):
    assert "roll forward" not in _learnt(tmp_path, LEDGER + ["Roll forward the balances.", "We roll forward each month."])


def test_near_miss_non_words_take_the_domain_word():
    from jargonaut.lm.near_miss import NearMisses

    near = NearMisses(["inventory", "lisinopril", "valuation", "netsuite", "metoprolol", "metolazone"],
                      {"netsuite": "NetSuite"})
    assert near.fix("enventory") == "inventory" and near.fix("lisinipril") == "lisinopril"
    assert near.fix("Netsuit") == "NetSuite"
    # real words and names are never rewritten, however close to a domain word
    assert near.fix("evaluation") is None and near.fix("Kowalski") is None and near.fix("inventories") is None
    # too short, too far, or two domain words about as close: kept as written
    assert near.fix("valu") is None and near.fix("techham") is None and near.fix("metolol") is None
    assert respell_text(" Check the enventory, please.", {}, near) == " Check the inventory, please."


def test_near_misses_spelled_by_ear_take_the_domain_word_that_sounds_alike():
    from jargonaut.asr.decoder.phonetic import phone_key
    from jargonaut.lm.near_miss import NearMisses

    words = ["struvite", "straight", "street", "auscultated", "hospitalized", "updated", "sublicensee",
             "sublicenses", "supersedes", "inventory"]
    by_ear = NearMisses(words, {}, phone_key)
    # far from the text's letters (Indel 71, 76), close to its sound
    assert by_ear.fix("strewbite") == "struvite" and by_ear.fix("ospultated") == "auscultated"
    assert NearMisses(words).fix("strewbite") is None  # spelling alone cannot tell
    # sound breaks a tie of spellings (84 each): "sublices" sounds like the singular
    assert by_ear.fix("sublices") == "sublicensee"
    # still never a real word or a name, and nothing that sounds like no domain word
    assert by_ear.fix("Kowalski") is None and by_ear.fix("tulable") is None
    assert by_ear.fix("enventory") == "inventory"
    # a CLM's vocabulary also holds general English, whose words crowd the closest spellings: by ear,
    # only the text's own words are candidates; judging a second pass, spelling alone
    vocabulary = NearMisses(words + ["stewie", "rewrite", "trite", "rewrites", "stricter"], {}, phone_key, words)
    assert vocabulary.fix("strewbite") == "struvite" and vocabulary.by_spelling("strewbite") is None
    assert vocabulary.by_spelling("enventory") == "inventory"


def test_names_of_several_parts_are_joined_unless_the_text_also_writes_them_apart(tmp_path):
    table = _learnt(tmp_path, [
        "Argo CD marked the app OutOfSync after the patch.",
        "The Service type is LoadBalancer in staging.",
        "Put a load balancer in front, and a second load balancer for the admin site.",
        "Our APIs and the CVEs list moved to GitLab.",
    ] * 2)
    assert table["out of sync"] == table["out-of-sync"] == "OutOfSync"
    assert "load balancer" not in table  # the text writes it apart as well
    assert "ap is" not in table and "cv es" not in table  # an acronym's plural is one part
    words = [Word(0.0, 0.3, " Marked", 0.9), Word(0.3, 0.5, " out", 0.8), Word(0.5, 0.6, " of", 0.7),
             Word(0.6, 0.9, " sync.", 0.9)]
    rec = respell_recognition(Recognition([Segment(0.0, 1.0, " Marked out of sync.", words)], 1.0), table)
    assert [(w.start, w.end, w.text) for w in rec.segments[0].words] == [(0.0, 0.3, " Marked"), (0.3, 0.9, " OutOfSync.")]


def test_a_name_that_only_opens_lines_is_joined_too(tmp_path):
    """Glossary lines open with their name; its inner capitals still say it is one token. An
    ALL-CAPS line's opening word is no name."""
    table = _learnt(tmp_path, [
        "GitHub: where the repos and the Actions runners live.",
        "NodeLocal DNSCache runs a DNS cache on every node.",
        "WARNING LIGHTS on the rollout board mean stop.",
        "Warning lights are amber.",
    ] * 2)
    assert table["git hub"] == table["git-hub"] == table["github"] == "GitHub"
    assert table["node local"] == "NodeLocal"
    assert "dns cache" not in table  # the text writes it apart as well
    assert respell_text("We pushed it to git hub.", table) == "We pushed it to GitHub."
    assert not any(form.isupper() for form in table.values())
