"""Domain terms stored in the CLM for contextual biasing."""
from __future__ import annotations

from jargonaut.lm.terms import extract_terms
from jargonaut.lm.train import load_clm, train_clm


def _write(tmp_path, lines):
    path = tmp_path / "domain.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_terms_keep_the_domain_spelling_and_skip_everyday_words(tmp_path):
    text = _write(tmp_path, [
        "Pembrolizumab blocks the PD-1 receptor on T cells.",
        "Patients on pembrolizumab and nivolumab need thyroid checks.",
        "Nivolumab was stopped because the patient's liver enzymes rose.",
        "The BRCA2 mutation predicts a response to olaparib.",
    ] * 3)
    terms = dict(extract_terms([text]))
    # Mid-sentence casing wins over sentence-initial capitals; symbols keep their case.
    assert {"pembrolizumab", "nivolumab", "olaparib", "BRCA2"} <= set(terms)
    assert "Pembrolizumab" not in terms
    # Everyday words are never terms, however often the domain uses them.
    assert not {"the", "patient", "patients", "blocks", "need", "stopped"} & set(terms)
    assert "patient's" not in terms and all(s > 0 for s in terms.values())


def test_trained_model_carries_its_terms(tmp_path):
    text = _write(tmp_path, ["Start apixaban after the ablation.", "Apixaban and warfarin are anticoagulants."] * 5)
    out = tmp_path / "m.clm"
    report = train_clm([text], None, out, "WideBand", 1)
    lm = load_clm(out)
    assert report.domain_terms == len(lm.terms) > 0
    assert {"apixaban", "anticoagulants", "ablation"} <= set(lm.terms)
    assert "domain terms" in str(report)


def test_large_corpora_drop_one_off_typos(tmp_path):
    filler = "the doctor asked how long the cough had lasted and whether it was worse at night"
    lines = [filler] * 4000 + ["we started salbutamol for the wheeze"] * 5 + ["he had a exmaple of it"]
    terms = dict(extract_terms([_write(tmp_path, lines)]))
    assert "salbutamol" in terms and "exmaple" not in terms


def test_acronyms_in_capitals_are_terms_short_words_are_not(tmp_path):
    text = _write(tmp_path, [
        "ASC 842 governs the lease liability.",
        "The CFO signed the SOX controls and the CV was updated.",
        "Our auditors tested the ASC 606 memo and the ray of data.",
    ] * 3)
    terms = dict(extract_terms([text]))
    # written in capitals, sentence starts included: letters spoken one by one, kept
    assert {"ASC", "CFO", "SOX", "CV"} <= set(terms)
    # a short word in lower case is too ambiguous to be a term
    assert "ray" not in terms
