"""`python -m bench.domain_suite` as a DEV tool: chosen systems, setting overrides, saved runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.domain_suite import consecutive_parts, main
from bench.overrides import with_overrides
from jargonaut.asr.options import FusionSettings


def test_overrides_change_the_named_fields_only() -> None:
    base = FusionSettings()
    changed = with_overrides(base, ["token_alpha=0.4", "biasing.max_terms=12", "biasing.context_inflection_min_fit=None"])
    assert changed.token_alpha == 0.4 and changed.biasing.max_terms == 12
    assert changed.biasing.context_inflection_min_fit is None
    assert changed.clm_share == base.clm_share and changed.biasing.min_similarity == base.biasing.min_similarity


def test_a_token_alpha_override_is_every_recordings_at_narrowband_too() -> None:
    """NarrowBand's clips have an alpha of their own (options.NARROWBAND_FUSION); an explicit
    token alpha replaces it, so a tuning run measures the alpha it names."""
    import dataclasses

    from jargonaut.asr.options import NARROWBAND_FUSION

    narrow = dataclasses.replace(FusionSettings(), **NARROWBAND_FUSION)
    changed = with_overrides(narrow, ["token_alpha=0.3"])
    assert narrow.fused_token_alpha(0.5) != 0.3
    assert changed.fused_token_alpha(0.5) == changed.token_alpha == 0.3
    assert dataclasses.replace(changed, long_form=True).fused_token_alpha(0.5) == 0.3 * changed.long_form_weight


@pytest.mark.parametrize("item, message", [
    ("biasing.no_such_field=1", "has no field 'no_such_field'"),
    ("token_alpha=half", "must be a Python literal"),
    ("gate.min=1", "FIELD=VALUE or biasing.FIELD=VALUE"),
    ("token_alpha", "FIELD=VALUE or biasing.FIELD=VALUE"),
])
def test_a_bad_override_is_refused_with_what_is_wrong(item: str, message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        with_overrides(FusionSettings(), [item])


def _devops_8k(args: list[str], save: Path) -> tuple[str, list[str]]:
    """The suite run on devops at 8 kHz with `args`, saving into `save`: its output and the row's cells."""
    out = subprocess.run([sys.executable, "-m", "bench.domain_suite", "--domains", "devops", "--bands", "8k", *args,
                          "--save", str(save), "--no-progress"], capture_output=True, text=True, check=True).stdout
    return out, next(line for line in out.splitlines() if line.startswith("| devops | 8k |")).split(" | ")


@pytest.mark.slow
def test_a_dev_run_saves_what_bench_compare_reads(tmp_path: Path) -> None:
    """Two clips of devops at 8 kHz, plain and the CLM with a changed setting, per clip only."""
    save = tmp_path / "run"
    out, row = _devops_8k(["--limit", "2", "--systems", "plain,clm", "--no-long", "--set", "biasing.max_terms=3"], save)
    assert "max_terms=3" in out.splitlines()[0]
    assert row[2] == "2" and row[4] == "-"  # two clips; hotwords not run
    assert row[8:13] == ["-"] * 5  # no long recording
    plain_lacking, clm_lacking = row[14].rstrip(" |").split(" / ")  # words train.txt lacks, misrecognised
    assert plain_lacking.isdigit() and clm_lacking.isdigit()
    assert sorted(p.name for p in save.iterdir()) == ["devops-8k-clm.json", "devops-8k-plain.json"]
    assert len(json.loads((save / "devops-8k-clm.json").read_text())["clips"]) == 2
    compared = subprocess.run([sys.executable, "-m", "bench.compare", str(save), str(save), "--against", "plain"],
                              capture_output=True, text=True, check=True).stdout
    assert "| devops | 8k | 2 |" in compared


@pytest.mark.slow
def test_a_clm_from_another_domains_text_reads_the_clips(tmp_path: Path) -> None:
    """`--clm-text hotel` on devops' clips: the CLM is trained from hotel's text, not devops'."""
    def clm_text_line(out: str) -> str:
        return next(line for line in out.splitlines() if line.startswith("CLM text ("))

    args = ["--limit", "1", "--systems", "clm", "--no-long"]
    crossed, row = _devops_8k([*args, "--clm-text", "hotel"], tmp_path / "crossed")
    own, _ = _devops_8k(args, tmp_path / "own")
    assert crossed.splitlines()[0].endswith("; CLM text from hotel")
    assert clm_text_line(crossed) != clm_text_line(own)  # hotel's text, another everyday share
    assert row[2] == "1" and float(row[5]) >= 0.0  # devops' clip, scored under the hotel CLM
    refused = subprocess.run([sys.executable, "-m", "bench.domain_suite", "--domains", "devops", "--clm-text", "nowhere"],
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "not in the suite: nowhere" in refused.stderr


@pytest.mark.slow
def test_a_long_only_run_scores_and_saves_the_long_recordings_alone(tmp_path: Path) -> None:
    """Three clips of devops at 8 kHz as two recordings, plain only, no clips scored."""
    save = tmp_path / "run"
    _, row = _devops_8k(["--limit", "3", "--systems", "plain", "--long-only", "--long-parts", "2"], save)
    assert row[3:8] == ["-"] * 5  # nothing per clip
    assert float(row[8]) >= 0.0 and row[10] == "-"  # plain's long recordings scored, the CLM not run
    saved = json.loads((save / "devops-8k-plain.json").read_text())
    assert saved["clips"] == [] and len(saved["long"][1].split()) > 5
    assert [key for key, _ in saved["long_clips"]] == ["test_000", "test_001", "test_002"]  # both parts' clips
    compared = subprocess.run([sys.executable, "-m", "bench.compare", str(save), str(save), "--system", "plain",
                               "--long"], capture_output=True, text=True, check=True).stdout
    assert "| devops | 8k | 3 |" in compared  # the recordings' errors, clip by clip, against themselves


@pytest.mark.slow
def test_long_pauses_join_the_same_parts_again_and_pool_their_errors(tmp_path: Path) -> None:
    """Two clips of devops at 8 kHz joined with two silence lengths: four recordings, one pooled score."""
    save = tmp_path / "run"
    _, row = _devops_8k(["--limit", "2", "--systems", "plain", "--long-only", "--long-parts", "2",
                         "--long-pauses", "0.6,1.5"], save)
    assert float(row[8]) >= 0.0
    saved = json.loads((save / "devops-8k-plain.json").read_text())
    assert [key for key, _ in saved["long_clips"]] == ["test_000@0.6", "test_001@0.6", "test_000@1.5", "test_001@1.5"]
    reference, heard = saved["long"]
    first, second = (ref for _, ref in saved["long_clips"][:2])
    assert reference == " ".join([first, second, first, second])  # each placement scored against the clips again
    assert len(heard.split()) > len(first.split())


@pytest.mark.parametrize("count, parts, sizes", [(40, 3, [14, 13, 13]), (60, 3, [20, 20, 20]), (2, 3, [1, 1]),
                                                 (5, 1, [5])])
def test_long_parts_are_runs_of_consecutive_clips(count: int, parts: int, sizes: list[int]) -> None:
    runs = consecutive_parts(list(range(count)), parts)
    assert [len(run) for run in runs] == sizes
    assert [item for run in runs for item in run] == list(range(count))  # every clip once, in order


@pytest.mark.parametrize("argv, message", [
    (["--long-parts", "0"], "--long-parts takes a whole number from 1"),
    (["--no-long", "--long-parts", "3"], None),  # argparse: not allowed with --no-long
    (["--long-only", "--no-long"], "--long-only and --no-long leave nothing to score"),
    (["--long-pauses", "0.6,x"], "--long-pauses takes distinct seconds of silence from 0 to 10, comma-separated"),
    (["--long-pauses", "0.6,0.6"], "--long-pauses takes distinct seconds of silence from 0 to 10, comma-separated"),
    (["--long-pauses", "-1"], "--long-pauses takes distinct seconds of silence from 0 to 10, comma-separated"),
])
def test_long_parts_are_refused_where_they_cannot_apply(argv: list[str], message: str | None,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    if message is None:
        assert ended.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
    else:
        assert str(ended.value) == message


def test_a_long_recordings_reduction_comes_with_its_interval_over_its_clips() -> None:
    from bench.domain_suite import Scores, row_cells
    from jargonaut.evaluate.long_form import clip_scores
    from jargonaut.evaluate.significance import compare

    reference, wrong = "the pod was evicted when the node ran out of memory", "the pot was evicted when the note ran out"
    clips = [(f"test_{i:03d}", reference) for i in range(30)]
    plain = clip_scores(clips, " ".join([wrong] * 30))
    clm = clip_scores(clips, " ".join([reference] * 20 + [wrong] * 10))
    scores = Scores("devops", "16k", 30, {}, {"plain": 0.4, "clm": 0.1}, long_clm_vs_plain=compare(plain, clm))
    cell = row_cells(scores)[11]
    assert cell.startswith("75.0 [") and cell.endswith("]")  # the long view's reduction, then its interval
    low, high = (float(x) for x in cell[cell.index("[") + 1:-1].split(", "))
    assert 0 < low < 75.0 < high <= 100.0


@pytest.mark.slow
def test_each_base_model_gets_a_clm_over_its_own_tokenizer(tmp_path: Path) -> None:
    """A band on another base model (NarrowBand on whisper-base) gets its own CLM, as the service
    would train it: a token model over whisper-base's tokenizer, not WideBand's (the engine then
    fused words instead of tokens, so the band was measured with the wrong unit). Bands on one
    base model share a CLM."""
    script = """
import sys
from pathlib import Path
from bench.clm_wer import engine, lm_for, synthetic_domain
from jargonaut.lm.bpe import tokenizer_fingerprint
work, text = Path(sys.argv[1]), [synthetic_domain("devops") / "train.txt"]
trained = {}
wide, narrow = lm_for(text, work, "WideBand", trained), lm_for(text, work, "NarrowBand", trained)
assert narrow is lm_for(text, work, "NarrowBand", trained) and narrow is not wide
models = engine().base_models
assert wide.header["token_tokenizer"] == tokenizer_fingerprint(models["WideBand"].model)
assert narrow.header["token_tokenizer"] == tokenizer_fingerprint(models["NarrowBand"].model)
assert narrow.header["token_tokenizer"] != wide.header["token_tokenizer"]
print("ok")
"""
    env = {**os.environ, "JARGONAUT_NARROWBAND_MODEL": "whisper-base", "JARGONAUT_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]


def test_words_the_text_lacks_are_counted_where_misrecognised() -> None:
    """Substituted and deleted reference words count, inserted ones do not; the mean row sums."""
    from types import SimpleNamespace

    from bench.domain_suite import Scores, lacking_cell, misrecognised

    files = [SimpleNamespace(reference="the kubelet evicted the pod", hypothesis="the cube let evicted pod"),
             SimpleNamespace(reference="helm rolled back", hypothesis="")]
    wrong = misrecognised(SimpleNamespace(files=files))
    assert sorted(wrong) == ["back", "helm", "kubelet", "rolled", "the"]
    text = {"the", "kubelet", "pod", "helm"}
    rows = [Scores("devops", "8k", 2, {}, {}, lacking={"plain": sum(w not in text for w in wrong), "clm": 1}),
            Scores("legal", "8k", 2, {}, {}, lacking={"plain": 4, "clm": 5})]
    assert lacking_cell(rows[:1]) == "2 / 1" and lacking_cell(rows) == "6 / 6"
    assert lacking_cell([Scores("devops", "8k", 2, {}, {}, lacking={"clm": 1})]) == "- / 1"  # plain not run
