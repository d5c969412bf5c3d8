"""Plain text and markdown reader: the same :class:`Line` type as the PDF reader.

Markdown emphasis (``**bold**``, ``*italic*``), ``<sup>`` tags and ``#``
heading marks are removed from the text; bold and heading level are kept as
layout hints. Tabs split a line into spans (a two-column header table).
Pages come from form feeds, or from "Page N" stamps that a PDF-to-text
export leaves at the foot of each page.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import MARKDOWN_EXTENSIONS
from pipeline.errors import ReadError
from pipeline.model import Document, Line, Source, Span

#: The encoding of a file that is not UTF-8; cp1252 covers Word exports saved as "ANSI".
FALLBACK_ENCODING = "cp1252"
#: Share of undecodable or control characters above which a file is not text.
MAX_BINARY_SHARE = 0.05
#: Byte order marks -> (codec, name): a text file saved as "Unicode" by Windows tools.
#: UTF-32's come first: its little-endian mark starts with UTF-16's.
BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
#: Line numbers listed in the note on lines read as Windows-1252.
NOTE_LINES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Decoded:
    """A text file's characters and, when it was not plain UTF-8, how it was read."""

    text: str
    note: str | None = None


def bom_encoding(head: bytes) -> tuple[str, str] | None:
    """(codec, name) of the byte order mark ``head`` starts with (UTF-16 or UTF-32), or None."""
    for mark, codec, name in BOMS:
        if head.startswith(mark):
            return codec, name
    return None


def decode_text(raw: bytes) -> Decoded:
    """The characters of a text file: by its byte order mark (UTF-16, UTF-32), else UTF-8,
    line by line: a line that is not UTF-8 (one stray Windows-1252 byte in a UTF-8 file)
    is read as Windows-1252, the others stay UTF-8; the note says which lines."""
    bom = bom_encoding(raw)
    if bom is not None:
        codec, name = bom
        try:
            return Decoded(raw.decode(codec), f"read as {name} text (it starts with a byte order mark)")
        except UnicodeDecodeError:
            return Decoded(
                raw.decode(codec, "replace"),
                f"read as {name} text (it starts with a byte order mark); bytes that are not {name} replaced by \ufffd",
            )
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return Decoded(raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    out: list[str] = []
    fallback: list[int] = []
    for number, line in enumerate(lines, start=1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode(FALLBACK_ENCODING, "replace"))  # cp1252 leaves 5 bytes undefined
            fallback.append(number)
    text = "\n".join(out)
    if len(fallback) == sum(1 for line in lines if not line.isascii()):
        return Decoded(text, "not UTF-8: read as Windows-1252 text")
    shown = ", ".join(map(str, fallback[:NOTE_LINES_SHOWN])) + (", ..." if len(fallback) > NOTE_LINES_SHOWN else "")
    what = f"line {shown}" if len(fallback) == 1 else f"{len(fallback)} lines ({shown})"
    return Decoded(text, f"UTF-8 but for {what}, read as Windows-1252")


def decode(path: Path, raw: bytes) -> str:
    """:func:`decode_text`'s characters; raises ReadError for a binary file."""
    text = decode_text(raw).text
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if text and bad / len(text) > MAX_BINARY_SHARE:
        raise ReadError(str(path), "not a text file (binary content)")
    return text


def encoding_note(path: Path) -> str | None:
    """How a text file's characters were read, when it was not plain UTF-8 (None: UTF-8)."""
    try:
        return decode_text(path.read_bytes()).note
    except OSError:
        return None


_HTML_TAG = re.compile(
    r"""
    </?(?:sup|sub|span|b|i|u|em|strong|br|font)\b[^>]*>   # inline HTML a Word->markdown export leaves
    """,
    re.VERBOSE | re.IGNORECASE,
)

_MD_HEADING = re.compile(
    r"""
    ^\s{0,3}(\#{1,6})\s+      # ATX heading marks: '## '
    """,
    re.VERBOSE,
)

_EMPHASIS = re.compile(
    r"""
    (\*\*|__)                 # bold markers (** or __)
    | (?<![\w*\\])\*(?=\S)    # an opening single * (italic), not a bullet '* '
    | (?<=\S)(?<!\\)\*(?![\w*]) # a closing single * (italic)
    """,
    re.VERBOSE,
)

_PAGE_STAMP = re.compile(
    r"""
    ^\s*Page\s+(\d{1,5})\s*$      # "Page 12" alone on a line: the foot of page 12
    """,
    re.VERBOSE | re.IGNORECASE,
)

_ESCAPE = re.compile(r"\\([\\*_#\[\]()`>+.!-])")


def _bold_spans(text: str) -> tuple[str, list[tuple[str, bool, bool]]]:
    """Strip emphasis markers; return clean text and (piece, bold, italic) runs."""
    runs: list[tuple[str, bool, bool]] = []
    bold = italic = False
    pos = 0
    buf: list[str] = []
    for m in _EMPHASIS.finditer(text):
        piece = text[pos : m.start()]
        if piece:
            runs.append((piece, bold, italic))
            buf.append(piece)
        if m.group(1):
            bold = not bold
        else:
            italic = not italic
        pos = m.end()
    tail = text[pos:]
    if tail:
        runs.append((tail, bold, italic))
        buf.append(tail)
    return "".join(buf), runs


def _make_line(raw: str, page: int, line_no: int) -> Line | None:
    raw = _HTML_TAG.sub("", raw).rstrip()
    md_level = 0
    m = _MD_HEADING.match(raw)
    if m:
        md_level = len(m.group(1))
        raw = raw[m.end() :]
    if not raw.strip():
        return None
    indent = len(raw) - len(raw.lstrip(" "))
    spans: list[Span] = []
    texts: list[str] = []
    col = float(indent)
    for cell_no, cell in enumerate(raw.split("\t")):
        clean, runs = _bold_spans(cell)
        cell_start = len(spans)
        clean = _ESCAPE.sub(r"\1", clean)
        if not clean.strip():
            col += len(cell) + 1
            continue
        # Merge runs into spans at bold changes, as a PDF reader would.
        for piece, bold, italic in runs:
            piece = _ESCAPE.sub(r"\1", piece)
            if not piece.strip():
                continue
            x0 = col
            col += len(piece)
            if len(spans) > cell_start and spans[-1].bold == bold:
                prev = spans[-1]
                spans[-1] = Span(prev.text + piece, prev.x0, col, bold, italic)
            else:
                spans.append(Span(piece, x0, col, bold, italic))
        texts.append(clean.strip())
        col += 1
    spans = [Span(" ".join(s.text.split()), s.x0, s.x1, s.bold, s.italic) for s in spans if s.text.strip()]
    text = " ".join(" ".join(t.split()) for t in texts if t)
    if not text:
        return None
    # A line whose first character sits inside a bold run that spans the whole
    # visible text counts as bold.
    bold = bool(spans) and all(s.bold for s in spans)
    return Line(
        text=text,
        page=page,
        line_no=line_no,
        x0=float(indent),
        top=float(line_no),
        x1=float(indent + len(text)),
        bottom=float(line_no + 1),
        bold=bold,
        italic=bool(spans) and all(s.italic for s in spans),
        spans=tuple(spans),
        md_level=md_level,
    )


def read_text(path: Path, sha256: str, size: int) -> Document:
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise ReadError(str(path), "permission denied") from None
    text = decode(path, raw).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadError(str(path), "no text: the file is blank")
    raw_lines = text.split("\n")
    # Page numbering: form feeds, else increasing "Page N" stamps at page feet.
    stamps = [i for i, l in enumerate(raw_lines) if _PAGE_STAMP.match(l)]
    use_stamps = "\f" not in text and len(stamps) >= 2
    lines: list[Line] = []
    page = 1
    if use_stamps:
        first = int(_PAGE_STAMP.match(raw_lines[stamps[0]]).group(1))  # type: ignore[union-attr]
        page = first if first >= 1 else 1
    for i, raw_line in enumerate(raw_lines, start=1):
        parts = raw_line.split("\f")
        for k, part in enumerate(parts):
            if k:
                page += 1
            if use_stamps:
                m = _PAGE_STAMP.match(part)
                if m:
                    line = _make_line(part, page, i)
                    if line:
                        lines.append(line)
                    page = int(m.group(1)) + 1
                    continue
            line = _make_line(part, page, i)
            if line:
                lines.append(line)
    fmt = "markdown" if path.suffix.lower() in MARKDOWN_EXTENSIONS else "text"
    pages = max((l.page for l in lines), default=1)
    if use_stamps and lines and _PAGE_STAMP.match(lines[-1].text):
        pages = lines[-1].page
    return Document(Source(str(path), sha256, fmt, pages, size), tuple(lines), 0.0)
