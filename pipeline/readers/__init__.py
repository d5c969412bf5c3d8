"""Readers: one per format behind a small registry, all yielding :class:`Line`.

``read_lines(path)`` picks the reader from the file's content (PDF magic
bytes) and then its extension, so a PDF named ``.txt`` is still read as PDF.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

from pipeline.errors import ReadError, UnsupportedFormat
from pipeline.types import Document

#: Extensions read as plain text / markdown.
TEXT_EXTENSIONS: frozenset[str] = frozenset({".txt", ".text"})
MARKDOWN_EXTENSIONS: frozenset[str] = frozenset({".md", ".markdown"})
PDF_EXTENSIONS: frozenset[str] = frozenset({".pdf"})
#: Every extension ``ingest`` picks up when walking a folder.
SUPPORTED_EXTENSIONS: frozenset[str] = TEXT_EXTENSIONS | MARKDOWN_EXTENSIONS | PDF_EXTENSIONS
#: PDF engines selectable with ``--pdf-engine``.
PDF_ENGINES: tuple[str, ...] = ("pdfplumber", "pdfium")
DEFAULT_PDF_ENGINE = "pdfplumber"
#: How many leading bytes are sniffed for the format.
SNIFF_BYTES = 1024

Reader = Callable[[Path, str, int], Document]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sniff_format(path: Path, head: bytes) -> str:
    """``pdf``, ``markdown`` or ``text``; raises UnsupportedFormat otherwise."""
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    ext = path.suffix.lower()
    if ext in PDF_EXTENSIONS:
        raise ReadError(str(path), "not a PDF: the file does not start with %PDF-")
    if b"\x00" in head:
        raise UnsupportedFormat(str(path), "binary file: not a PDF, text or markdown paper")
    if ext in MARKDOWN_EXTENSIONS:
        return "markdown"
    return "text"


def _reader_for(fmt: str, pdf_engine: str) -> Reader:
    if fmt == "pdf":
        if pdf_engine == "pdfium":
            from pipeline.readers.pdfium import read_pdf_pdfium

            return read_pdf_pdfium
        from pipeline.readers.pdf import read_pdf

        return read_pdf
    from pipeline.readers.text import read_text

    return read_text


def read_lines(path: str | os.PathLike[str], *, pdf_engine: str | None = None) -> Document:
    """Read one paper into lines with layout (the first stage of the pipeline).

    Raises :class:`~pipeline.errors.ReadError` (naming the file and the
    reason) for anything that is not a readable paper.
    """
    p = Path(path)
    engine = pdf_engine or os.environ.get("BOARDPAPERS_PDF_ENGINE") or DEFAULT_PDF_ENGINE
    if engine not in PDF_ENGINES:
        raise ReadError(str(p), f"unknown PDF engine {engine!r} (choose from {', '.join(PDF_ENGINES)})")
    try:
        if p.is_dir():
            raise ReadError(str(p), "is a folder, not a file")
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise ReadError(str(p), "no such file") from None
    except PermissionError:
        raise ReadError(str(p), "permission denied") from None
    except OSError as exc:
        raise ReadError(str(p), f"cannot read: {exc.strerror or exc}") from None
    if size == 0:
        raise ReadError(str(p), "empty file")
    fmt = sniff_format(p, head)
    sha = file_sha256(p)
    return _reader_for(fmt, engine)(p, sha, size)
