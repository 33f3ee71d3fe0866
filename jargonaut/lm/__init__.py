"""Custom language models: validate text, normalise, count, estimate (modified
Kneser-Ney), store as a memory-mappable `.clm` file, and score words for the decoder.

    from jargonaut.lm import train_clm, load_clm, normalise_words
"""
from __future__ import annotations

from typing import Any

__all__ = ["train_clm", "load_clm", "normalise_words", "NgramLM", "TrainingReport", "WordScorer"]
_WHERE = {
    "train_clm": "train", "load_clm": "train", "normalise_words": "normalise",
    "NgramLM": "model", "TrainingReport": "report", "WordScorer": "scoring",
}


def __getattr__(name: str) -> Any:  # lazy: importing jargonaut.lm.scoring stays cheap
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"jargonaut.lm.{_WHERE[name]}"), name)
    raise AttributeError(name)
