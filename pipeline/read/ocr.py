"""OCR for scanned papers: the only module that runs ocrmypdf.

``ocrmypdf`` (a Python package) drives ``tesseract`` (a system program) to
add a text layer to an image-only PDF; the result is read like any other PDF.
It runs as a child process (``python -m ocrmypdf``) with a time limit, into a
temporary directory removed afterwards, so the original file is never
changed. With ``--output-type pdf`` and pypdfium2 rasterising (both set here)
ocrmypdf needs no Ghostscript.

Modes (``ingest --ocr``): ``auto`` OCRs only PDFs without a text layer,
``always`` OCRs every PDF (replacing any text layer), ``never`` reports
scans as needing OCR.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.errors import NeedsOCR, ReadError
from pipeline.model import Document
from pipeline.read.failures import plain_reason, traceback_tail
from pipeline.read.walk import storable_path

#: Tesseract language(s), ``eng+cym`` style.
OCR_LANGUAGE = "eng"
#: The tesseract program ocrmypdf runs.
TESSERACT = "tesseract"
#: Seconds allowed per page, and at least this many for a whole file.
OCR_SECONDS_PER_PAGE = 120.0
OCR_MIN_SECONDS = 300.0
#: Characters of ocrmypdf's error output kept in a failure reason.
ERROR_TAIL_CHARS = 300
#: How to install what OCR needs.
INSTALL_HINT = "to OCR scans install them: pip install ocrmypdf; apt-get install tesseract-ocr"


def missing_tools() -> tuple[str, ...]:
    """What OCR needs and is not installed: ``ocrmypdf`` (Python) and ``tesseract`` (program)."""
    missing = []
    if importlib.util.find_spec("ocrmypdf") is None:
        missing.append("ocrmypdf")
    if shutil.which(TESSERACT) is None:
        missing.append(TESSERACT)
    return tuple(missing)


def unavailable_reason() -> str | None:
    """Why OCR can't run here (None when it can)."""
    missing = missing_tools()
    if not missing:
        return None
    return f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed"


def page_count(path: Path) -> int:
    """Pages in a PDF (1 when it can't be told)."""
    from pipeline.read.pdfium import page_count as pdfium_page_count

    try:
        return max(pdfium_page_count(path), 1)
    except Exception:  # an unreadable PDF: ocrmypdf will say why
        return 1


def ocr_pdf(src: Path, dest: Path, *, force: bool = False) -> None:
    """Write ``src`` with an OCR text layer to ``dest``; raises ReadError (naming ``src``) on failure.

    ``force`` rasterises and OCRs pages that already have text.
    """
    reason = unavailable_reason()
    if reason is not None:
        raise NeedsOCR(str(src), f"no text layer: a scanned PDF needs OCR, but {reason}", hint=INSTALL_HINT)
    cmd = [
        sys.executable,
        "-m",
        "ocrmypdf",
        "--quiet",
        "--output-type",
        "pdf",  # no PDF/A conversion: no Ghostscript needed
        "--rasterizer",
        "pypdfium",  # pypdfium2 is already a dependency
        "--optimize",
        "0",
        "--language",
        OCR_LANGUAGE,
        "--force-ocr" if force else "--skip-text",
        str(src),
        str(dest),
    ]
    timeout = max(OCR_MIN_SECONDS, OCR_SECONDS_PER_PAGE * page_count(src))
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ReadError(str(src), f"OCR gave up after {timeout:g} s") from None
    except OSError as exc:
        raise ReadError(str(src), f"cannot run ocrmypdf: {exc.strerror or exc}") from None
    if done.returncode != 0 or not dest.exists():
        output = done.stderr or done.stdout or ""
        if "Traceback" in output:  # ocrmypdf crashed: its error, in plain words
            tail = traceback_tail(output)
            raise ReadError(
                str(src), f"OCR failed: {plain_reason(tail)}", hint=f"ocrmypdf exit {done.returncode}: {tail}"
            )
        tail = " ".join(output.split())[-ERROR_TAIL_CHARS:]
        raise ReadError(str(src), f"OCR failed (ocrmypdf exit {done.returncode}: {tail or 'no message'})")


def ocr_document(path: Path, sha256: str, *, force: bool = False) -> Document:
    """OCR a PDF and read the result as the original file (its path, hash and size).

    Raises :class:`~pipeline.errors.NeedsOCR` when OCR is unavailable or
    finds no text, :class:`~pipeline.errors.ReadError` when it fails.
    """
    from pipeline.read import read_lines

    with tempfile.TemporaryDirectory(prefix="boardpapers-ocr-") as tmp:
        out = Path(tmp) / path.name
        ocr_pdf(path, out, force=force)
        try:
            doc = read_lines(out)
        except NeedsOCR:
            raise NeedsOCR(str(path), "no text found even after OCR (a blank or unreadable scan?)") from None
        except ReadError as exc:
            raise ReadError(str(path), f"after OCR: {exc.reason}") from None
    source = dataclasses.replace(
        doc.source, path=storable_path(str(path)), sha256=sha256, size_bytes=os.path.getsize(path)
    )
    return dataclasses.replace(doc, source=source)


def read_document(path: Path, *, ocr: str = "never", pdf_engine: str | None = None) -> tuple[Document, str | None]:
    """Read a paper, OCR-ing a scanned PDF per ``ocr`` mode; returns the document and how it was read.

    ``ocr``: ``auto`` OCRs a PDF without a text layer, ``always`` every PDF
    (replacing its text layer), ``never`` raises :class:`NeedsOCR` for a scan.
    The note is ``None`` when the file's own text was read.
    """
    from pipeline import config
    from pipeline.read import file_sha256, read_lines

    if ocr not in config.OCR_MODES:
        raise ValueError(f"unknown OCR mode {ocr!r} (choose from {', '.join(config.OCR_MODES)})")
    path = Path(path)
    if ocr == "always" and _is_pdf(path):
        return ocr_document(path, file_sha256(path), force=True), "text from OCR (--ocr always)"
    try:
        return read_lines(path, pdf_engine=pdf_engine), None
    except NeedsOCR as exc:
        if ocr == "never":
            raise NeedsOCR(str(path), exc.reason, hint="OCR is off (--ocr never): use --ocr auto") from None
    return ocr_document(path, file_sha256(path)), "text from OCR (a scanned PDF)"


def _is_pdf(path: Path) -> bool:
    """Does the file start like a PDF (whatever its extension)?"""
    try:
        with open(path, "rb") as fh:
            return fh.read(1024).lstrip()[:5] == b"%PDF-"
    except OSError:
        return False
