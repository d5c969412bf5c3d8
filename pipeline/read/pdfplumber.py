"""PDF reader on pdfplumber: words with positions and fonts grouped into lines.

The only module that imports pdfplumber. Pages are processed one at a time and
closed after use, so memory stays bounded on long papers.
"""

from __future__ import annotations

import contextlib
import functools
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Sequence

from pipeline.errors import DamagedPDF, NeedsOCR, ReadError
from pipeline.model import Document, Line, Source, Span
from pipeline.read.failures import exception_detail, plain_reason

#: Words whose tops differ by at most this many points share a line.
LINE_TOLERANCE = 3.0
#: A horizontal gap wider than this many times the font size starts a new span (table cell).
SPAN_GAP_EMS = 1.0
#: pdfplumber's x_tolerance for joining characters into words.
WORD_X_TOLERANCE = 1.5
#: Substrings of a font name that mean bold / italic.
BOLD_MARKERS: tuple[str, ...] = ("bold", "black", "heavy", "semibold", "demi", ",b")
ITALIC_MARKERS: tuple[str, ...] = ("italic", "oblique", ",i")
#: Ordinal suffixes set as superscripts after a day number.
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
#: Every way an ordinal suffix can be written ("nd", "ND", "Nd"...): what str.lower() maps to one.
_SUFFIX_FORMS = frozenset(
    a + b for suffix in ORDINAL_SUFFIXES for a in (suffix[0], suffix[0].upper()) for b in (suffix[1], suffix[1].upper())
)
#: A word smaller than this share of its neighbour's size is a superscript.
SUPERSCRIPT_RATIO = 0.85
#: The body size is read from lines at least this long...
BODY_LINE_MIN_CHARS = 30
#: ...on the first half of the pages, or at least this many pages.
BODY_SIZE_MIN_PAGES = 3
#: Fewer text characters than this on every page means a scan needing OCR.
MIN_TEXT_CHARS = 20
#: A complete PDF ends with ``%%EOF`` within this many bytes of its end.
EOF_TAIL_BYTES = 1024
#: Bullet glyphs that fonts such as Symbol/OpenSymbol map to private-use code points.
BULLET_CHARS = frozenset("\uf0b7\uf0a7\uf0d8\uf076\uf0fc\u2022\u25aa\u25cf\u2023\u2043\u25e6\uf02d")


#: Bullet glyphs to the one bullet the parser knows.
_BULLET_TABLE = str.maketrans({ch: "•" for ch in BULLET_CHARS})


@functools.lru_cache(maxsize=1024)
def font_flags(fontname: str) -> tuple[bool, bool]:
    """(bold, italic) from a font's name (its subset tag ignored); a paper uses a few fonts."""
    name = fontname.lower().split("+", 1)[-1]
    return any(m in name for m in BOLD_MARKERS), any(m in name for m in ITALIC_MARKERS)


def _normalise_word(text: str) -> str:
    """Bullet glyphs as "•"; a word of bullets only is one bullet."""
    out = text.translate(_BULLET_TABLE)
    return "•" if out and not out.strip("•") else out


def group_lines(
    words: Sequence[dict[str, Any]],
    *,
    page: int,
    first_line_no: int,
    page_width: float,
    page_height: float,
) -> list[Line]:
    """Group pdfplumber word dicts (with fontname and size) into Lines with spans."""
    rows: list[list[dict[str, Any]]] = []
    row_top = 0.0
    for w in sorted(words, key=_row_key):
        if rows and abs(w["top"] - row_top) <= LINE_TOLERANCE:
            rows[-1].append(w)
        else:
            rows.append([w])
            row_top = w["top"]
    lines: list[Line] = []
    for row in rows:
        if len(row) > 1:
            row = sorted(row, key=_word_x0)
            if any(w["text"] in _SUFFIX_FORMS for w in row):
                row = _join_superscripts(row)
        spans: list[Span] = []
        start = 0
        prev = row[0]
        prev_bold = font_flags(prev.get("fontname", ""))[0]
        for k in range(1, len(row)):
            w = row[k]
            bold = font_flags(w.get("fontname", ""))[0]
            if bold != prev_bold or w["x0"] - prev["x1"] > SPAN_GAP_EMS * max(prev.get("size", 10.0), 1.0):
                spans.append(_span(row[start:k]))
                start = k
            prev, prev_bold = w, bold
        spans.append(_span(row[start:]))
        text = " ".join([s.text for s in spans]).strip()
        if not text:
            continue
        sizes = sorted([w.get("size", 0.0) for w in row])
        mid = len(sizes) // 2
        median = sizes[mid] if len(sizes) % 2 else (sizes[mid - 1] + sizes[mid]) / 2
        nchars = bold_chars = italic_chars = 0
        for s in spans:
            n = len(s.text)
            nchars += n
            if s.bold:
                bold_chars += n
            if s.italic:
                italic_chars += n
        lines.append(
            Line(
                text=text,
                page=page,
                line_no=first_line_no + len(lines),
                x0=row[0]["x0"],
                top=min([w["top"] for w in row]),
                x1=max([w["x1"] for w in row]),
                bottom=max([w["bottom"] for w in row]),
                size=round(median, 1),
                bold=nchars > 0 and bold_chars >= 0.8 * nchars,
                italic=nchars > 0 and italic_chars >= 0.8 * nchars,
                spans=tuple(spans),
                page_width=page_width,
                page_height=page_height,
            )
        )
    return lines


def _word_x0(w: dict[str, Any]) -> float:
    return w["x0"]


def _row_key(w: dict[str, Any]) -> tuple[float, float]:
    return round(w["top"], 1), w["x0"]


def _join_superscripts(row: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach superscript ordinals ("2" + small "nd") to their number: "2nd"."""
    out: list[dict[str, Any]] = []
    for w in row:
        if (
            out
            and w["text"].lower() in ORDINAL_SUFFIXES
            and out[-1]["text"][-1:].isdigit()
            and w.get("size", 0) < SUPERSCRIPT_RATIO * out[-1].get("size", 0)
            and w["x0"] - out[-1]["x1"] < out[-1].get("size", 10)
        ):
            prev = dict(out[-1])
            prev["text"] += w["text"]
            prev["x1"] = w["x1"]
            out[-1] = prev
        else:
            out.append(w)
    return out


def _span_text(words: list[dict[str, Any]]) -> str:
    """The words joined by spaces, bullets normalised word by word."""
    text = " ".join([w["text"] for w in words]).translate(_BULLET_TABLE)
    if "•" not in text:
        return text  # no bullet anywhere: nothing to normalise
    return " ".join([_normalise_word(w["text"]) for w in words])


def _span(words: list[dict[str, Any]]) -> Span:
    bold, italic = font_flags(words[0].get("fontname", ""))
    return Span(
        text=_span_text(words),
        x0=words[0]["x0"],
        x1=words[-1]["x1"],
        bold=bold,
        italic=italic,
        size=round(words[0].get("size", 0.0), 1),
    )


def body_font_size(lines: Iterable[Line]) -> float:
    """The size of the report's prose: the commonest size of long lines in its first pages.

    Appendices and financial tables at the back of a paper are often set
    smaller; they must not decide what "larger than the body" means.
    """
    lines = list(lines)
    if not lines:
        return 0.0
    last_page = max(l.page for l in lines)
    horizon = max(BODY_SIZE_MIN_PAGES, (last_page + 1) // 2)
    counts: Counter[float] = Counter()
    for line in lines:
        if line.page <= horizon and len(line.text) >= BODY_LINE_MIN_CHARS:
            counts[line.size] += len(line.text)
    if not counts:
        for line in lines:
            counts[line.size] += len(line.text)
    return counts.most_common(1)[0][0]


def is_truncated(path: Path) -> bool:
    """No ``%%EOF`` marker near the end: the file was cut short (an interrupted download or copy)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - EOF_TAIL_BYTES))
            return b"%%EOF" not in fh.read()
    except OSError:
        return False


def _unwrap(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer's error in a ``PdfminerException``: the original says what happened."""
    if type(exc).__name__ == "PdfminerException" and exc.args and isinstance(exc.args[0], BaseException):
        return exc.args[0]
    return exc


def _failure(path: Path, exc: BaseException, what: str = "") -> ReadError:
    """The ReadError for a PDF that pdfminer could not open or read."""
    exc = _unwrap(exc)
    name = type(exc).__name__
    if "Password" in name or "Encrypt" in name:
        return ReadError(str(path), "encrypted PDF: a password is needed to open it")
    if is_truncated(path):
        return ReadError(
            str(path), "truncated PDF: the file ends before its %%EOF marker (an incomplete download or copy?)"
        )
    detail = exception_detail(exc)
    return DamagedPDF(str(path), f"damaged or unreadable PDF{what}: {plain_reason(detail)}", hint=detail)


def _no_pages(path: Path, pdf: Any) -> ReadError:
    """ "PDF has no pages", and what is broken: the cross-reference table, or the page tree."""
    xrefs = getattr(getattr(pdf, "doc", None), "xrefs", ())
    if any(type(x).__name__ == "PDFXRefFallback" for x in xrefs):
        return DamagedPDF(
            str(path),
            "PDF has no pages: its cross-reference table is damaged, and no page was found by scanning the file",
        )
    return DamagedPDF(str(path), "PDF has no pages: its page tree lists none")


def _open(path: Path) -> Any:
    import pdfplumber

    try:
        return pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        raise _failure(path, exc) from None


def read_pdf(path: Path, sha256: str, size: int) -> Document:
    pdf = _open(path)
    lines: list[Line] = []
    try:
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:
            raise _failure(path, exc) from None
        if n_pages == 0:
            raise _no_pages(path, pdf)
        for page in pdf.pages:
            try:
                words = page.extract_words(
                    x_tolerance=WORD_X_TOLERANCE,
                    keep_blank_chars=False,
                    use_text_flow=False,
                    extra_attrs=["fontname", "size"],
                )
                lines.extend(
                    group_lines(
                        words,
                        page=page.page_number,
                        first_line_no=len(lines) + 1,
                        page_width=float(page.width),
                        page_height=float(page.height),
                    )
                )
            except ReadError:
                raise
            except Exception as exc:
                raise _failure(path, exc, f": page {page.page_number} cannot be read") from None
            finally:
                page.close()
    finally:
        with contextlib.suppress(Exception, RecursionError):  # closing walks the pages again: the same failure
            pdf.close()
    if sum(len(l.text) for l in lines) < MIN_TEXT_CHARS:
        raise NeedsOCR(
            str(path),
            "no text layer: an image-only (scanned) PDF needs OCR",
            hint="install ocrmypdf and tesseract-ocr, then ingest with --ocr auto",
        )
    return Document(Source(str(path), sha256, "pdf", n_pages, size), tuple(lines), body_font_size(lines))
