"""train_clm / load_clm end to end: artefact, reports, limits, atomicity, domain fit."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from jargonaut.errors import BadRequestError
from jargonaut.lm import train as train_mod
from jargonaut.lm.artefact import FORMAT_VERSION, MAGIC
from jargonaut.lm.train import load_clm, train_clm

from .conftest import EVAL, synthetic_lines


def test_train_and_load(small_corpus, tmp_path):
    out = tmp_path / "models" / "m.clm"
    report = train_clm([small_corpus], None, out, "NarrowBand", 3, order=3)
    assert out.read_bytes().startswith(MAGIC)
    assert report.order == 3 and set(report.ngram_counts) == {1, 2, 3}
    assert report.vocab_size > 20 and report.tuning_perplexity is not None
    assert 0 <= report.tuning_oov_rate < 0.05
    assert "tuning perplexity" in str(report) and json.dumps(report.to_dict())
    lm = load_clm(out)
    assert (lm.base_model_name, lm.base_model_version, lm.order) == ("NarrowBand", 3, 3)
    h = lm.header
    assert h["format_version"] == FORMAT_VERSION and h["vocab_size"] == report.vocab_size
    assert h["ngram_counts"] == {str(k): v for k, v in report.ngram_counts.items()}
    assert {"created", "tuning_perplexity", "tuning_oov_rate"} <= set(h)
    for t in lm.tables:  # memory-mapped, compact dtypes
        assert (t.key.dtype, t.logprob.dtype, t.backoff.dtype) == (np.uint64, np.float32, np.float32)
        assert isinstance(t.key, np.memmap) and np.all(t.key[1:] > t.key[:-1])
    lp_known, state = lm.score(lm.begin_state(), "the")
    lp_unknown, _ = lm.score(lm.begin_state(), "xylophone")
    assert lp_known > lp_unknown and isinstance(hash(state), int)


def test_order_chosen_by_tuning_perplexity(small_corpus, tmp_path):
    tune = tmp_path / "tune.txt"
    tune.write_text("\n".join(synthetic_lines(200, seed=5)), encoding="utf-8")
    report = train_clm([small_corpus], [tune], tmp_path / "m.clm", "WideBand", 1)
    assert set(report.perplexity_by_order) == {2, 3, 4, 5}
    assert report.perplexity_by_order[report.order] == min(report.perplexity_by_order.values())
    assert report.tuning_source == "tuning files" and report.tuning_words > 0


def test_bad_input_leaves_nothing_and_keeps_old_model(small_corpus, tmp_path):
    out = tmp_path / "m.clm"
    out.write_bytes(b"previous model")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\n" * 1000 + b"<div>markup</div>\n")
    with pytest.raises(BadRequestError, match="bad.txt.*line 1001"):
        train_clm([small_corpus, bad], None, out, "WideBand", 1)
    assert out.read_bytes() == b"previous model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "m.clm", "train.txt"]


def test_failure_while_writing_is_atomic(small_corpus, tmp_path, monkeypatch):
    from jargonaut.lm import artefact

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(artefact.os, "fsync", broken_fsync)
    out = tmp_path / "m.clm"
    with pytest.raises(OSError):
        train_clm([small_corpus], None, out, "WideBand", 1, order=2)
    assert not out.exists() and not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_size_limits_and_missing_files(small_corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(train_mod, "MAX_TRAINING_BYTES", 100)
    with pytest.raises(BadRequestError, match="limit"):
        train_clm([small_corpus], None, tmp_path / "m.clm", "WideBand", 1)
    monkeypatch.undo()
    monkeypatch.setattr(train_mod, "MAX_TUNING_BYTES", 10)
    with pytest.raises(BadRequestError, match="tuning data"):
        train_clm([small_corpus], [small_corpus], tmp_path / "m.clm", "WideBand", 1)
    with pytest.raises(BadRequestError, match="does not exist"):
        train_clm([tmp_path / "nope.txt"], None, tmp_path / "m.clm", "WideBand", 1)
    empty = tmp_path / "empty.txt"
    empty.write_text("...\n\n", encoding="utf-8")
    with pytest.raises(BadRequestError, match="no words"):
        train_clm([empty], None, tmp_path / "m.clm", "WideBand", 1)
    assert not (tmp_path / "m.clm").exists()


def test_load_rejects_other_files(tmp_path):
    p = tmp_path / "x.clm"
    p.write_bytes(b"not a model at all")
    with pytest.raises(BadRequestError):
        load_clm(p)


@pytest.mark.slow
def test_medical_in_domain_beats_out_of_domain(medical_files, tmp_path):
    report = train_clm(medical_files, None, tmp_path / "med.clm", "WideBand", 1)  # speed: bench/lm_train.py
    assert report.training_words > 500_000
    lm = load_clm(tmp_path / "med.clm")
    medical = [p.read_text(encoding="utf-8") for p in sorted((EVAL / "medical" / "references").glob("*.txt"))]
    with open(EVAL / "general" / "manifest.tsv", encoding="utf-8") as f:
        general = [row["reference"] for row in csv.DictReader(f, delimiter="\t")]
    in_domain = lm.perplexity_text(medical)["perplexity"]
    out_domain = lm.perplexity_text(general)["perplexity"]
    print(f"perplexity: medical references {in_domain:.1f}, general English {out_domain:.1f}")
    assert in_domain * 2 < out_domain
    # consultations are everyday words: the decoder fuses this CLM at less weight
    assert report.everyday_share is not None and report.everyday_share > 0.75


def test_everyday_share_of_domain_documents_is_low(tmp_path):
    """DevOps notes, runbooks and chat are full of the domain's own words: full fusion weight."""
    devops = Path(__file__).resolve().parents[2] / "bench" / "domains" / "devops" / "train.txt"
    report = train_clm([devops], None, tmp_path / "ops.clm", "WideBand", 1, order=3)
    assert report.everyday_share is not None and 0.3 < report.everyday_share < 0.65
    assert load_clm(tmp_path / "ops.clm").header["everyday_share"] == report.everyday_share
    assert "everyday words" in str(report)


def test_general_prior_scores_everyday_words(small_corpus, tmp_path):
    with_prior = load_clm(train_clm([small_corpus], None, tmp_path / "g.clm", "WideBand", 1, order=3).output)
    without = load_clm(train_clm([small_corpus], None, tmp_path / "n.clm", "WideBand", 1, order=3,
                                 general_prior=False).output)
    assert "weather" in with_prior.ids and "weather" not in without.ids
    begin = with_prior.begin_state()
    weather, state = with_prior.score(begin, "weather")
    assert weather > with_prior.score(begin, "qwxzzy")[0]  # a real word beats a non-word
    assert with_prior.score(begin, "the")[0] > weather  # common words beat rare ones


def test_token_model_knows_a_line_start_term_in_its_mid_sentence_casing(tmp_path):
    """A term the text only ever writes at line starts ("- revolver:" restyled "Revolver:") is
    also known to the token model as Whisper writes it inside a sentence: " revolver" is one
    token, " Rev" + "olver" others, and a CLM that knew only those rewarded "That Revolver"
    over what was said, "the revolver"."""
    from jargonaut.asr.base_models import configured_base_models
    from jargonaut.lm.bpe import base_model_encoder, token_word

    text = tmp_path / "notes.txt"
    lines = ["- revolver: $75M facility, none drawn at quarter end.", "The term loan matures in 2027.",
             "We drew on the term loan in March.", "Covenants are tested at quarter end."] * 3
    text.write_text("\n".join(lines) + "\n")
    lm = load_clm(train_clm([text], None, tmp_path / "fin.clm", "WideBand", 1, order=3).output)
    encode = base_model_encoder(configured_base_models()["WideBand"].model)
    assert encode is not None
    mid, start = encode([" revolver", " Revolver"])
    assert len(mid) == 1 and mid[0] not in start
    tokens = lm.token_model
    assert tokens.knows(token_word(mid[0])) and all(tokens.knows(token_word(t)) for t in start)
    assert not tokens.knows(token_word(encode([" Term"])[0][0]))  # only sentence starts are read again
