"""PDF reader on pypdfium2 (PDFium): the same lines as the pdfplumber reader, several times faster.

The only package that imports pypdfium2. It reproduces what
``pipeline.read.pdfplumber`` gets from pdfplumber, so the parser sees the same
:class:`~pipeline.model.Line` values whichever engine read the file:

1. **chars** -- PDFium's text page gives every character with its advance box
   (``FPDFText_GetLooseCharBox``: x0/x1 as pdfminer computes them) and the text
   object that drew it. Font name, size, text matrix and baseline are constant
   within a text object, so they are read once per object and the per-char cost
   is two C calls. Boxes are made pdfminer-shaped: ``bottom`` is the baseline
   minus the font's descent and ``top`` is ``bottom - size``, both measured
   top-down from the page's top edge (PDF space is bottom-up). The characters
   PDFium generates itself (the spaces and line breaks it infers) are dropped:
   words are split by pdfplumber's geometry rules instead.
2. **blanks** -- PDFium's text page leaves out every text object whose glyphs
   have no ink, which is how many producers draw the space between a paragraph
   number and its text ("2.8 It should...") or between words of a table cell.
   pdfminer keeps those spaces and they split words, so the reader collects the
   positions of ink-less text objects from the page's object list
   (:func:`~pipeline.read.pdfium.chars.page_blanks`) and splits words there too.
   Both in :mod:`~pipeline.read.pdfium.chars`.
3. **words** -- :func:`~pipeline.read.pdfium.words.chars_to_words` mirrors pdfplumber's ``WordExtractor``
   with the options ``pipeline.read.pdfplumber`` passes: runs of chars with the
   same font name and size, clustered into lines by top, sorted by x, split at
   blanks and at gaps wider than ``WORD_X_TOLERANCE``.
   **The fast path** (:mod:`~pipeline.read.pdfium.objects`, taken on unrotated pages of
   upright text) gets the same words without asking PDFium about every char:
   it finds each text object's chars by bisecting over ``FPDFText_GetTextObject``,
   places its chars from the font's glyph advances, and checks the placement
   against the boxes of the object's first and last chars; where kerning or
   spacing moved them, against each word's first and last char boxes
   (``TOKEN_ADVANCE_TOLERANCE``); else char by char. Lines whose objects
   overlap, and pages of rotated text, are read char by char as above.
   tests/test_pdfium_fast.py compares the two paths.
4. **lines** -- :func:`pipeline.read.pdfplumber.group_lines`, shared with the
   pdfplumber reader (spans, bold/italic from font names, superscript ordinals,
   bullets), and the same ``body_font_size``, ``NeedsOCR`` and ``ReadError`` rules.

Known, tolerated differences from pdfplumber (measured in tests/test_pdfium.py):

* PDFium names a font without its subset tag (``ArialMT``, not ``FAAAAJ+ArialMT``);
  ``font_flags`` ignores the tag, so bold/italic agree.
* Ligature glyphs (U+FB00-FB06) are expanded by PDFium itself, as pdfplumber's
  ``expand_ligatures`` does. PDFium drops a character that exactly overdraws
  the same character (fake bold); where a glyph has no Unicode mapping the two
  libraries decode it differently (pdfminer writes ``(cid:N)``).
* Blank text objects inside form XObjects are not looked for.
* Text that runs vertically on the displayed page (non-upright) is grouped by
  pdfplumber's rules, but pdfminer gives such chars its own sizes (the glyph's
  advance), so words split differently; neither result reads well.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any

from pipeline.errors import DamagedPDF, NeedsOCR, ReadError
from pipeline.model import Document, Line, Source
from pipeline.read.failures import exception_detail
from pipeline.read.pdfium.chars import (
    FontCache,
    PageGeometry,
    handle_address,
    page_blanks,
    page_chars,
    pdfium_api,
    raw_handle,
)
from pipeline.read.pdfium.objects import fast_page_words
from pipeline.read.pdfium.words import chars_to_words
from pipeline.read.pdfplumber import MIN_TEXT_CHARS, body_font_size, group_lines, is_truncated

#: PDFium's error codes for a document that failed to load (fpdfview.h).
ERR_FILE, ERR_FORMAT, ERR_PASSWORD, ERR_SECURITY = 2, 3, 4, 5
#: What the other load errors mean.
ERROR_REASONS: dict[int, str] = {ERR_FILE: "the file cannot be opened", ERR_FORMAT: "not in PDF format or corrupted"}


def _open(path: Path) -> Any:
    """The open ``PdfDocument``; a ReadError worded as the pdfplumber reader words it."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == ERR_PASSWORD:
            raise ReadError(str(path), "encrypted PDF: a password is needed to open it") from None
        if code == ERR_SECURITY:
            raise ReadError(str(path), "encrypted PDF: its security handler is not supported") from None
        if is_truncated(path):
            raise ReadError(
                str(path), "truncated PDF: the file ends before its %%EOF marker (an incomplete download or copy?)"
            ) from None
        reason = ERROR_REASONS.get(code or 0, str(exc))
        raise DamagedPDF(str(path), f"damaged or unreadable PDF (PDFium: {reason})") from None


#: What a page's MediaBox is taken to be when it has none (as pypdfium2 does: ANSI A).
DEFAULT_MEDIABOX: tuple[float, float, float, float] = (0.0, 0.0, 612.0, 792.0)


def page_words(pdf: Any, index: int, fonts: FontCache | None = None) -> tuple[list[dict[str, Any]], PageGeometry]:
    """pdfplumber-shaped word dicts of page ``index`` (0-based); the page is closed after use."""
    api = pdfium_api()
    page = api.load_page(handle_address(raw_handle(pdf)), index)
    if not page:
        raise RuntimeError(f"page {index + 1} cannot be loaded")
    textpage = 0
    try:
        box = [ctypes.c_float() for _ in range(4)]
        if api.mediabox(page, *(ctypes.byref(v) for v in box)):
            mediabox = tuple(float(v.value) for v in box)
        else:
            mediabox = DEFAULT_MEDIABOX
        rotation = api.rotation(page)
        if rotation < 0:
            raise RuntimeError(f"page {index + 1} has no readable rotation")
        geometry = PageGeometry.of(mediabox, rotation * 90)
        textpage = api.load_textpage(page)
        if not textpage:
            raise RuntimeError(f"page {index + 1} has no readable text page")
        fonts = fonts or FontCache()
        words = None if geometry.rotated else fast_page_words(page, textpage, geometry, fonts)
        if words is None:
            chars = page_chars(textpage, geometry, fonts)
            blanks = page_blanks(page, geometry) if chars else []
            words = chars_to_words(chars, blanks)
        return words, geometry
    finally:
        if textpage:
            api.close_textpage(textpage)
        api.close_page(page)


def page_count(path: Path) -> int:
    """The pages of a PDF; raises when PDFium cannot open it."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def read_pdf_pdfium(path: Path, sha256: str, size: int) -> Document:
    """Read a PDF into lines with PDFium (``pdf_engine="pdfium"``)."""
    pdf = _open(path)
    lines: list[Line] = []
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise DamagedPDF(str(path), "PDF has no pages")
        fonts = FontCache()
        for index in range(n_pages):
            try:
                words, geometry = page_words(pdf, index, fonts)
                lines.extend(
                    group_lines(
                        words,
                        page=index + 1,
                        first_line_no=len(lines) + 1,
                        page_width=geometry.width,
                        page_height=geometry.height,
                    )
                )
            except ReadError:
                raise
            except Exception as exc:
                raise DamagedPDF(
                    str(path),
                    f"damaged or unreadable PDF: page {index + 1} cannot be read (PDFium: {exception_detail(exc)})",
                ) from None
    finally:
        pdf.close()
    if sum(len(l.text) for l in lines) < MIN_TEXT_CHARS:
        raise NeedsOCR(
            str(path),
            "no text layer: an image-only (scanned) PDF needs OCR",
            hint="install ocrmypdf and tesseract-ocr, then ingest with --ocr auto",
        )
    return Document(Source(str(path), sha256, "pdf", n_pages, size), tuple(lines), body_font_size(lines))
