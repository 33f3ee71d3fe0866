"""Shared data for the CLM tests: a small generated corpus and the shared eval text."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
MEDICAL_TEXT = EVAL / "medical" / "lm-text"

_SUBJECTS = ["the patient", "my mother", "the doctor", "she", "he", "the nurse", "my husband"]
_VERBS = ["has", "reports", "denies", "had", "complains of", "noticed"]
_OBJECTS = ["chest pain", "shortness of breath", "a cough", "fever", "a headache", "nausea",
            "pain in the left knee", "swelling of the ankles", "trouble sleeping"]
_TAILS = ["", "since yesterday", "for two weeks", "at night", "after eating", "on and off"]


def synthetic_lines(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        s = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}".strip()
        out.append(s.capitalize() + rng.choice([".", "?", "!", ""]))
    return out


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    path = tmp_path / "train.txt"
    path.write_text("\n".join(synthetic_lines(1500)) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def medical_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The shared medical LM text. One shared file embeds a UTF-16 fragment (NUL bytes),
    which validation rightly rejects, so tests train on a copy with NULs removed."""
    files = sorted(MEDICAL_TEXT.glob("*.txt"))
    if not files:
        pytest.skip(f"no medical LM text under {MEDICAL_TEXT}")
    out = tmp_path_factory.mktemp("medical")
    copies = []
    for f in files:
        dst = out / f.name
        dst.write_bytes(f.read_bytes().replace(b"\x00", b""))
        copies.append(dst)
    return copies
