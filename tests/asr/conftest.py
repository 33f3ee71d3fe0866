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


@pytest.fixture(scope="session")
def jfk_float32(eval_dir, model_dir):
    """The float32 base model's parts (faster-whisper model, step decoder, vocabulary) and the
    encoder output of the first 30 s window of jfk.flac."""
    import numpy as np

    from jargonaut.asr.audio import decode
    from tests.asr.parts import _components

    whisper, decoder, vocab = _components(model_dir, "float32", 2)
    audio = decode(eval_dir / "general" / "audio" / "jfk.flac")
    feats = whisper.feature_extractor(audio)[:, :3000]
    feats = np.pad(feats, ((0, 0), (0, 3000 - feats.shape[1])))
    return whisper, decoder, vocab, whisper.encode(feats[None])
