"""A CLM over Whisper's BPE tokens instead of words (the alternative the decoder can fuse
at every token). Token ids are written as lower-case letter "words" (`qbc`...) so the
same streaming Kneser-Ney trainer, artefact and `NgramLM` scorer serve both units.
"""
from __future__ import annotations

import string
from pathlib import Path
from typing import Callable, Iterable

_LETTERS = string.ascii_lowercase


def token_word(token_id: int) -> str:
    """A letters-only spelling of a token id that the text normaliser leaves unchanged."""
    digits = ""
    n = token_id
    while True:
        n, r = divmod(n, 26)
        digits = _LETTERS[r] + digits
        if n == 0:
            return "q" + digits


def as_transcript(text: str) -> str:
    """`text` as it appears inside a Whisper transcript: one leading space, no trailing one."""
    return " " + text.strip()


def token_words(text: str, encode: Callable[[str], list[int]]) -> list[str]:
    """Whisper's tokens of `text` as it would appear inside a transcript."""
    return [token_word(t) for t in encode(as_transcript(text))]


def write_token_corpus(lines: Iterable[str], encode_many: Callable[[list[str]], list[list[int]]], out: Path,
                       batch: int = 4096) -> Path:
    """One tokenised line per non-blank input line, encoded a batch at a time."""
    def flush(chunk: list[str]) -> None:
        for ids in encode_many([as_transcript(line) for line in chunk]):
            f.write(" ".join(token_word(t) for t in ids) + "\n")

    with out.open("w", encoding="utf-8") as f:
        chunk: list[str] = []
        for line in lines:
            if line.strip():
                chunk.append(line)
                if len(chunk) >= batch:
                    flush(chunk)
                    chunk = []
        if chunk:
            flush(chunk)
    return out


def tokenizer_fingerprint(model_dir: str | Path) -> str:
    """Identifies a base model's tokenizer (its `tokenizer.json`): a token-level CLM is only
    fused with a base model whose tokenizer numbers tokens the same way."""
    import hashlib

    path = Path(model_dir) / "tokenizer.json"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else ""


def base_model_encoder(model_dir: str | Path) -> Callable[[list[str]], list[list[int]]] | None:
    """Whisper's tokenizer of a base model directory (its `tokenizer.json`) as a batch
    encoder (the Rust tokenizer encodes a batch on all cores), or None."""
    path = Path(model_dir) / "tokenizer.json"
    if not path.is_file():
        return None
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    return lambda texts: [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)]
