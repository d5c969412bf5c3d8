"""UTF-16 and UTF-32 text (with a byte order mark) is read; one stray cp1252 byte in UTF-8 is read per line."""

from __future__ import annotations

import pytest

from pipeline.index import ENGINES
from pipeline.ingest import ingest
from pipeline.read import read_lines
from pipeline.read.text import decode_text

PAPER = "PERFORMANCE REPORT\nCafé review of the naïve budget\n1.0 PURPOSE\nTo consider the £5m budget.\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_text_with_a_byte_order_mark_is_read_not_rejected_as_binary(tmp_path, codec):
    path = tmp_path / "paper.txt"
    data = PAPER.encode(codec)
    if not codec.endswith(("le", "be")):
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")  # Python writes the mark itself
    else:
        data = "\ufeff".encode(codec) + data
    path.write_bytes(data)
    texts = [line.text for line in read_lines(path).lines]
    assert texts == [line for line in PAPER.splitlines()]


def test_one_stray_cp1252_byte_in_utf8_is_read_per_line_with_a_note():
    raw = "Café review\n".encode() + b"Caf\xe9 budget\n" + "£5m for naïve plans\n".encode()
    decoded = decode_text(raw)
    assert decoded.text == "Café review\nCafé budget\n£5m for naïve plans\n"  # not "CafÃ© review"
    assert decoded.note == "UTF-8 but for line 2, read as Windows-1252"


def test_a_wholly_cp1252_file_is_still_read_as_windows_1252():
    decoded = decode_text("Café review\n“quoted” £5m\n".encode("cp1252"))
    assert decoded.text == "Café review\n“quoted” £5m\n"
    assert decoded.note == "not UTF-8: read as Windows-1252 text"


def test_plain_utf8_has_no_note():
    assert decode_text(PAPER.encode()).note is None
    assert decode_text(b"\xef\xbb\xbf" + PAPER.encode()) == decode_text(PAPER.encode())


def test_binary_with_nuls_is_still_binary(tmp_path):
    from pipeline.errors import ReadError

    path = tmp_path / "paper.txt"
    path.write_bytes(b"abc\x00\x01\x02" * 100)
    with pytest.raises(ReadError, match="binary"):
        read_lines(path)


@pytest.mark.parametrize("engine", ENGINES)
def test_ingest_indexes_utf16_and_mixed_files_with_notes_saying_how_they_were_read(tmp_path, engine):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "unicode.txt").write_bytes(PAPER.encode("utf-16"))
    (folder / "mixed.txt").write_bytes(PAPER.encode().replace("naïve".encode(), b"na\xefve"))
    summary = ingest([folder], tmp_path / "index", engine=engine, workers=1)
    notes = {o.path.rsplit("/", 1)[-1]: (o.status, o.reason) for o in summary.outcomes}
    assert notes["unicode.txt"] == ("indexed", "read as UTF-16 text (it starts with a byte order mark)")
    assert notes["mixed.txt"] == ("indexed", "UTF-8 but for line 2, read as Windows-1252")
