from pathlib import Path

import pytest

from jargonaut.errors import BadRequestError
from jargonaut.lm.validate import iter_lines


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _error(path: Path) -> str:
    with pytest.raises(BadRequestError) as e:
        list(iter_lines(path))
    assert path.name in e.value.message
    return e.value.message


def test_plain_text_ok_with_bom_and_crlf(tmp_path):
    p = _write(tmp_path, "ok.txt", b"\xef\xbb\xbfhello world\r\nx<y and a > b\nlast")
    assert list(iter_lines(p)) == ["hello world\r", "x<y and a > b", "last"]


def test_nul_byte_reports_offset_and_line(tmp_path):
    msg = _error(_write(tmp_path, "bin.txt", b"hello\nwor\x00ld"))
    assert "byte offset 9" in msg and "line 2" in msg


def test_pdf_and_zip_magic(tmp_path):
    assert "PDF" in _error(_write(tmp_path, "doc.pdf", b"%PDF-1.7\n1 0 obj\n"))
    assert "ZIP" in _error(_write(tmp_path, "doc.docx", b"PK\x03\x04rest"))


def test_control_characters(tmp_path):
    assert "control characters" in _error(_write(tmp_path, "ctl.txt", b"\x01\x02\x03abc" * 100))


def test_html_reports_line(tmp_path):
    msg = _error(_write(tmp_path, "page.html", b"plain line\nsecond\n<p class=\"x\">hello</p>\n"))
    assert "line 3" in msg and "markup" in msg
    assert "line 1" in _error(_write(tmp_path, "x.xml", b'<?xml version="1.0"?>\n<a/>'))


def test_invalid_utf8_reports_byte_offset(tmp_path):
    msg = _error(_write(tmp_path, "latin1.txt", "line one\ncaf\u00e9\n".encode("latin-1")))
    assert "byte offset 12" in msg and "line 2" in msg


def test_invalid_utf8_across_chunk_boundary(tmp_path, monkeypatch):
    from jargonaut.lm import validate

    monkeypatch.setattr(validate, "CHUNK_BYTES", 8)
    data = b"abcdefg\xc3\xa9xyz\nok\xff"  # valid 2-byte char split across chunks, then a bad byte
    msg = _error(_write(tmp_path, "split.txt", data))
    assert "byte offset 15" in msg and "line 2" in msg
    # A sequence cut by the chunk boundary and then broken: the offset is where it began.
    msg = _error(_write(tmp_path, "cut.txt", b"ab\ncdef\xc3(more"))
    assert "byte offset 7" in msg and "line 2" in msg
