"""Readers: one per format behind a small registry, all yielding :class:`Line`.

``read_lines(path)`` picks the reader from the file's content (PDF magic
bytes) and then its extension, so a PDF named ``.txt`` is still read as PDF.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path
from typing import Callable

from pipeline import config
from pipeline.config import MARKDOWN_EXTENSIONS, PDF_EXTENSIONS
from pipeline.errors import DamagedPDF, ReadError, UnsupportedFormat
from pipeline.model import Document
from pipeline.read.walk import storable_path

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
    from pipeline.read.text import bom_encoding

    if b"\x00" in head and bom_encoding(head) is None:  # UTF-16 and UTF-32 text holds NULs
        raise UnsupportedFormat(str(path), "binary file: not a PDF, text or markdown paper")
    if ext in MARKDOWN_EXTENSIONS:
        return "markdown"
    return "text"


def _reader_for(fmt: str, pdf_engine: str) -> Reader:
    if fmt == "pdf":
        if pdf_engine == "pdfium":
            from pipeline.read.pdfium import read_pdf_pdfium

            return read_pdf_pdfium
        from pipeline.read.pdfplumber import read_pdf

        return read_pdf
    from pipeline.read.text import read_text

    return read_text


def _other_engine(path: Path, sha: str, size: int, engine: str, failed: DamagedPDF) -> Document:
    """A PDF one engine could not read, read by the other (PDFium fails on page trees pdfminer
    repairs, pdfminer on objects PDFium repairs). When both fail, pdfplumber's reason: pdfminer
    says more of what is broken."""
    other = next(e for e in config.PDF_ENGINES if e != engine)
    try:
        return _reader_for("pdf", other)(path, sha, size)
    except ReadError as also:
        raise (also if other == "pdfplumber" else failed) from None


def read_lines(path: str | os.PathLike[str], *, pdf_engine: str | None = None) -> Document:
    """Read one paper into lines with layout (the first stage of the pipeline).

    Raises :class:`~pipeline.errors.ReadError` (naming the file and the
    reason) for anything that is not a readable paper.
    """
    p = Path(path)
    try:
        engine = config.pdf_engine(pdf_engine)
    except ValueError as exc:
        raise ReadError(str(p), str(exc)) from None
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
    try:
        doc = _reader_for(fmt, engine)(p, sha, size)
    except DamagedPDF as failed:
        doc = _other_engine(p, sha, size, engine, failed)
    if (stored := storable_path(doc.source.path)) != doc.source.path:  # a name that is not UTF-8
        doc = replace(doc, source=replace(doc.source, path=stored))
    return doc
