"""Readers for the evaluation sets under ../shared/eval (one `EvalItem` per recording).

- general: `manifest.tsv` with a header (audio, reference, sample_rate, source)
- biomed-tts: `test.tsv` (id, text) with audio in `wav16/` (default) or `wav8/`
- medical: a directory with `audio/<id>.mp3` and `references/<id>.txt`
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EvalItem:
    id: str
    audio: Path
    reference: str
    sample_rate: int | None = None


def _general(path: Path) -> list[EvalItem]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        EvalItem(Path(r["audio"]).stem, path.parent / r["audio"], r["reference"], int(r["sample_rate"] or 0) or None)
        for r in rows
    ]


def _id_text(path: Path, audio_dir: str | None) -> list[EvalItem]:
    folder = path.parent / (audio_dir or "wav16")
    rate = 8000 if folder.name.endswith("8") else 16000
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        key, text = line.split("\t", 1)
        items.append(EvalItem(key, folder / f"{key}.wav", text.strip(), rate))
    return items


def _directory(path: Path) -> list[EvalItem]:
    items = []
    for ref in sorted((path / "references").glob("*.txt")):
        audio = next(iter(sorted((path / "audio").glob(ref.stem + ".*"))), None)
        if audio is not None:
            items.append(EvalItem(ref.stem, audio, ref.read_text(encoding="utf-8").strip()))
    return items


def read_manifest(manifest: str | Path, audio_dir: str | None = None, ids: list[str] | None = None) -> list[EvalItem]:
    """Items of a manifest file or a medical-style directory, optionally only `ids`."""
    path = Path(manifest)
    if path.is_dir():
        items = _directory(path)
    else:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0].split("\t")
        items = _general(path) if first[:2] == ["audio", "reference"] else _id_text(path, audio_dir)
    if ids:
        wanted = set(ids)
        items = [i for i in items if i.id in wanted]
    if not items:
        raise ValueError(f"no evaluation items found in {path}")
    return items
