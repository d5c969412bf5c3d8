"""Parsing one paper for an ingest: the default parser (with OCR), and one file's result or its reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline import config
from pipeline.errors import NeedsOCR
from pipeline.ingest.files import file_sha256, is_pdf, reason
from pipeline.model import Report

#: Turns a file into its record (:class:`PaperParser` by default).
Parser = Callable[[Path], Report]


class PaperParser:
    """The default parser: read and parse a paper, OCR-ing scanned PDFs per ``ocr`` mode.

    ``pdf_engine``: ``pdfplumber`` | ``pdfium`` (default ``$BOARDPAPERS_PDF_ENGINE``,
    else pdfplumber). ``notes`` maps a path to how it was read (``"text from OCR"``).
    """

    def __init__(self, ocr: str = "auto", *, pdf_engine: str | None = None) -> None:
        if ocr not in config.OCR_MODES:
            raise ValueError(f"unknown OCR mode {ocr!r} (choose from {', '.join(config.OCR_MODES)})")
        self.ocr = ocr
        self.pdf_engine = config.pdf_engine(pdf_engine)
        self.notes: dict[str, str] = {}

    def __call__(self, path: Path) -> Report:
        from pipeline.read.sidecar import with_sidecar

        # A fetched paper's sidecar (<file>.meta.json) adds what the council's website knows.
        return with_sidecar(path, self._parse(path))

    def _parse(self, path: Path) -> Report:
        from pipeline.enrich.report import parse_document
        from pipeline.read import read_lines
        from pipeline.read.ocr import ocr_document

        if self.ocr == "always" and is_pdf(path):
            doc = ocr_document(path, file_sha256(path), force=True)
            self.notes[str(path)] = "text from OCR (--ocr always)"
            return parse_document(doc)
        try:
            doc = read_lines(path, pdf_engine=self.pdf_engine)
        except NeedsOCR as exc:
            if self.ocr == "never":
                raise NeedsOCR(str(path), exc.reason, hint="OCR is off (--ocr never): ingest with --ocr auto") from None
            doc = ocr_document(path, file_sha256(path))
            self.notes[str(path)] = "text from OCR (a scanned PDF)"
        return parse_document(doc)

    def warm_up(self) -> None:
        """Load the parser's modules and the spaCy pipeline now (once per worker process)."""
        from pipeline.enrich.entities import get_nlp
        from pipeline.enrich.report import parse_document  # noqa: F401

        get_nlp()


@dataclass(frozen=True, slots=True)
class Parsed:
    """What parsing one file gave: a report (and how it was read), or the one-line reason it failed."""

    report: Report | None
    note: str | None = None
    error: str | None = None


def parse_one(parse: Parser, path: Path) -> Parsed:
    """Parse one file; a failure becomes its one-line reason (never an exception, but Ctrl-C).

    The default parser's note on how it read the file (OCR) comes with the report.
    """
    notes: dict[str, str] = parse.notes if isinstance(parse, PaperParser) else {}
    try:
        report = parse(path)
    except Exception as exc:  # one bad file must not stop the run
        notes.pop(str(path), None)
        return Parsed(None, error=reason(path, exc))
    return Parsed(report, note=notes.pop(str(path), None))


def warm_up_of(parse: Parser) -> Callable[[], None] | None:
    """What loads a parser's models once per worker process: the default parser's ``warm_up``; None for others."""
    return parse.warm_up if isinstance(parse, PaperParser) else None
