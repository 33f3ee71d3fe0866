"""Streaming validation of CLM text: UTF-8 plain text only, one pass, bounded memory.

`iter_lines` validates while it reads, so counting and validation share one pass over
files of up to 2 GB; callers keep nothing until the whole input has been read, so a
failure anywhere leaves no partial model behind.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Iterator

from jargonaut.errors import BadRequestError

CHUNK_BYTES = 1 << 20
MAX_LINE_CHARS = 1_000_000
#: control bytes other than tab/newline/CR/FF/VT; more than this share means "binary"
MAX_CONTROL_RATIO = 0.01

# Signatures of formats people upload by mistake (checked at byte 0).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/ODT)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0", "a Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
)
_UTF8_BOM = b"\xef\xbb\xbf"
# Control bytes that do not belong in text (NUL is reported separately).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13)) + b"\x7f"
# Tags: bare "<b>", "</b>", "<br/>", or with at least one name=value attribute, so that
# prose such as "x<y and a > b" is not mistaken for markup.
_MARKUP = re.compile(
    r"</?[A-Za-z][\w:.-]*\s*/?>"
    r"|<[A-Za-z][\w:.-]*(?:\s+[\w:.-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>\"']+))?)*"
    r"\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>\"']+)"
    r"(?:\s+[\w:.-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>\"']+))?)*\s*/?>"
    r"|<!--|<!doctype\b|<!\[cdata\[|<\?xml\b",
    re.IGNORECASE,
)


def _fail(path: Path, what: str) -> BadRequestError:
    return BadRequestError(f"{path.name}: {what}. Provide UTF-8 plain text, one sentence or paragraph per line.")


def iter_lines(path: Path) -> Iterator[str]:
    """Yield the lines of `path` (without newline), raising BadRequestError on bad input."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0  # byte offset of the start of the current chunk
    line_no = 1
    control = 0
    carry = ""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK_BYTES)
            if offset == 0:
                for magic, kind in _MAGIC:
                    if chunk.startswith(magic):
                        raise _fail(path, f"looks like {kind}, not plain text (byte 0)")
                if chunk.startswith(_UTF8_BOM):
                    chunk = chunk[3:]
                    offset = 3
            nul = chunk.find(b"\x00")
            if nul >= 0:
                at_line = line_no + chunk.count(b"\n", 0, nul)
                raise _fail(path, f"contains a NUL byte at byte offset {offset + nul} (line {at_line}); "
                            "binary files are not accepted")
            control += len(chunk) - len(chunk.translate(None, _CONTROL))
            seen = offset + len(chunk)
            if control > 64 and control > MAX_CONTROL_RATIO * seen:
                raise _fail(path, f"{control} control characters in the first {seen} bytes; "
                            "this looks like binary data")
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as e:
                bad = offset - pending + e.start
                lines_before = chunk.count(b"\n", 0, max(e.start - pending, 0))
                raise _fail(path, f"is not valid UTF-8: invalid byte 0x{e.object[e.start]:02x} at byte offset "
                            f"{bad} (line {line_no + lines_before})") from None
            offset += len(chunk)
            parts = (carry + text).split("\n")
            carry = parts.pop()
            for line in parts:
                if "<" in line:
                    _check_markup(path, line, line_no)
                yield line
                line_no += 1
            if len(carry) > MAX_LINE_CHARS:
                raise _fail(path, f"line {line_no} is longer than {MAX_LINE_CHARS} characters")
            if not chunk:
                break
    if carry:
        _check_markup(path, carry, line_no)
        yield carry


def _check_markup(path: Path, line: str, line_no: int) -> None:
    m = _MARKUP.search(line)
    if m is not None:
        raise _fail(path, f"contains markup {m.group(0)[:60]!r} on line {line_no}; HTML/XML is not accepted")


def validate_file(path: Path) -> int:
    """Validate one file completely; returns its number of lines."""
    return sum(1 for _ in iter_lines(path))
