from __future__ import annotations

from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not EVAL.is_dir():
        pytest.skip("evaluation data (../shared/eval) not available")
    return EVAL


@pytest.fixture(scope="session")
def model_dir() -> str:
    from jargonaut.asr.base_models import configured_base_models

    return configured_base_models()["WideBand"].model


@pytest.fixture(scope="session")
def biomed_clm_path(eval_dir, tmp_path_factory) -> Path:
    from jargonaut.lm.train import train_clm

    out = tmp_path_factory.mktemp("clm") / "biomed.clm"
    train_clm([eval_dir / "biomed-tts" / "train.txt"], None, out, "WideBand", 1)
    return out


@pytest.fixture(scope="session")
def biomed_clm(biomed_clm_path):
    from jargonaut.lm.train import load_clm

    return load_clm(biomed_clm_path)
