"""Evaluation harness: manifests, WER (Whisper English normaliser on both sides), term recall."""
from jargonaut.evaluate.manifests import EvalItem, read_manifest
from jargonaut.evaluate.metrics import FileScore, Report, score_files, term_recall

__all__ = ["EvalItem", "read_manifest", "FileScore", "Report", "score_files", "term_recall"]
