"""Page furniture and paragraphs: what is on the page but not part of the text.

Running headers and footers (lines that repeat at the top or foot of many
pages), page numbers and "Page N" stamps are removed before parsing, and
hyphenated line breaks are joined when lines are put back into paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

from pipeline.model import Line

#: Share of the page height at the top and the foot where furniture lives.
MARGIN_SHARE = 0.1
#: A line repeated (digits ignored) on at least this share of pages is furniture...
REPEAT_SHARE = 0.5
#: ...provided the document has at least this many pages.
REPEAT_MIN_PAGES = 2

PAGE_NUMBER = re.compile(
    r"""
    ^\s*(?:
        page\s+\d+(?:\s+of\s+\d+)?         # "Page 3", "Page 3 of 12"
      | \d{1,4}(?:\s+of\s+\d{1,4})?        # "3", "3 of 12"
      | [-–]\s*\d{1,4}\s*[-–]              # "- 3 -"
      | \d{1,4}\s*/\s*\d{1,4}              # "3/12"
    )\s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: Protective markings stamped on a page ("OFFICIAL", "NOT PROTECTIVELY MARKED"): furniture
#: wherever they stand, even on a one-page paper.
PROTECTIVE_MARKING = re.compile(
    r"""
    ^\s*(?:
        official(?:[\s-]+sensitive)?(?:\s*[-–:]\s*\w+)?   # OFFICIAL, OFFICIAL-SENSITIVE, OFFICIAL - SENSITIVE
      | not\s+protectively\s+marked                       # NOT PROTECTIVELY MARKED
      | unclassified | unrestricted                        # older markings
      | protect(?:\s*[-–:]\s*\w+)?                        # PROTECT, PROTECT - PERSONAL
    )\s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: Stamps that look like furniture but carry structure ("Agenda Item 7" starts a report).
KEEP_STAMPS = re.compile(r"^\s*agenda\s+item\s+\d+", re.IGNORECASE)
#: In a text file, a line of at most this many words repeated on most pages is furniture...
TEXT_FURNITURE_MAX_WORDS = 6
#: ...when the file has at least this many pages.
TEXT_REPEAT_MIN_PAGES = 4
#: A running footer or header that carries the page number (in its digit-folded shape).
NUMBERED_FOOTER = re.compile(
    r"""
    \bpage\s+\#(?:\s+of\s+\#)?\s*$   # "... Page 16", "... page 3 of 12" at the end of the line
    """,
    re.VERBOSE,
)
#: ...repeated on at least this many pages.
NUMBERED_FOOTER_MIN_PAGES = 3
#: A line ending with a word broken by a hyphen ("develop-" + "ment").
HYPHEN_BREAK = re.compile(r"[A-Za-z]{2,}-$")


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _in_margin(line: Line) -> bool:
    if not line.page_height:
        return False
    return line.top < line.page_height * MARGIN_SHARE or line.bottom > line.page_height * (1 - MARGIN_SHARE)


def furniture(lines: Sequence[Line]) -> set[int]:
    """line_no of every running header, footer and page number."""
    out: set[int] = set()
    pages = {l.page for l in lines}
    shapes: Counter[str] = Counter()
    seen: set[tuple[int, str]] = set()
    for l in lines:
        if l.size and _in_margin(l):
            key = (l.page, _shape(l.text))
            if key not in seen:
                seen.add(key)
                shapes[key[1]] += 1
    threshold = max(2, int(len(pages) * REPEAT_SHARE + 0.5))
    repeated = {s for s, n in shapes.items() if n >= threshold} if len(pages) >= REPEAT_MIN_PAGES else set()
    # Text files have no margins: a short line on most pages is a running header or footer.
    text_shapes: Counter[str] = Counter()
    text_seen: set[tuple[int, str]] = set()
    for l in lines:
        if not l.size and len(l.text.split()) <= TEXT_FURNITURE_MAX_WORDS:
            key = (l.page, _shape(l.text))
            if key not in text_seen:
                text_seen.add(key)
                text_shapes[key[1]] += 1
    text_threshold = max(TEXT_REPEAT_MIN_PAGES, int(len(pages) * REPEAT_SHARE + 0.5))
    text_repeated = {s for s, n in text_shapes.items() if n >= text_threshold}
    # A footer that carries the page number ("Version January 2024 Page 16") is furniture on
    # fewer pages too: each report in an agenda pack has its own.
    numbered = {
        s
        for s, n in (*shapes.items(), *text_shapes.items())
        if n >= NUMBERED_FOOTER_MIN_PAGES and NUMBERED_FOOTER.search(s)
    }
    repeated |= numbered
    text_repeated |= numbered
    for l in lines:
        if PROTECTIVE_MARKING.match(l.text):
            out.add(l.line_no)
            continue
        if l.size:  # PDF: judge by position
            if (
                _in_margin(l)
                and (PAGE_NUMBER.match(l.text) or _shape(l.text) in repeated)
                and not KEEP_STAMPS.match(l.text)
            ):
                out.add(l.line_no)
        elif re.match(r"^\s*page\s+\d+\s*$", l.text, re.IGNORECASE) or (
            _shape(l.text) in text_repeated and not KEEP_STAMPS.match(l.text)
        ):
            out.add(l.line_no)
    return out


#: The number a page-number stamp prints: "Page 153", "153", "- 3 -", "3 of 12", "3/12".
PRINTED_NUMBER = re.compile(
    r"""
    ^\s*(?:page\s+)?        # an optional "Page"
    [-–]?\s*(?P<n>\d{1,4})   # the number, perhaps between dashes ("- 3 -")
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: The page number at the end of a running footer: "Version January 2024 Page 16".
FOOTER_PAGE_NUMBER = re.compile(
    r"""
    \bpage\s+(?P<n>\d{1,4})(?:\s+of\s+\d{1,4})?\s*$   # "Page 16", "Page 3 of 12" last
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: Printed numbers are trusted when at least this share of the numbered pages
#: agree on one offset from the file's page numbers (an agenda pack's "Page 153").
PRINTED_OFFSET_SHARE = 0.6
#: ...and at least this many pages carry a number.
PRINTED_MIN_PAGES = 2


def _page_stamp(line: Line) -> int | None:
    """The printed page number a furniture line carries, if it is a page-number stamp or a footer ending in one."""
    if PAGE_NUMBER.match(line.text):
        m = PRINTED_NUMBER.match(line.text)
        return int(m.group("n")) if m else None
    m = FOOTER_PAGE_NUMBER.search(line.text)
    return int(m.group("n")) if m else None


def printed_pages(lines: Sequence[Line]) -> dict[int, int]:
    """File page -> the page number printed on it, where the paper numbers its pages.

    Read from page-number stamps in the margins ("Page 153" footers of an agenda
    pack, a bare "7"); a page without a stamp takes the offset most stamped pages
    share. Empty when the paper prints no page numbers, or its stamps disagree.
    """
    drop = furniture(lines)
    stamps: dict[int, int] = {}
    for l in lines:
        if l.line_no in drop and l.page not in stamps:
            n = _page_stamp(l)
            if n is not None:
                stamps[l.page] = n
    if len(stamps) < PRINTED_MIN_PAGES:
        return {}
    offsets = Counter(n - page for page, n in stamps.items())
    offset, votes = offsets.most_common(1)[0]
    if votes < PRINTED_OFFSET_SHARE * len(stamps):
        return {}
    pages = sorted({l.page for l in lines})
    # Every page by the shared offset: a stamp off the run (a misread figure) is outvoted.
    return {p: p + offset for p in pages if p + offset > 0}


def strip_furniture(lines: Sequence[Line]) -> tuple[Line, ...]:
    drop = furniture(lines)
    return tuple(l for l in lines if l.line_no not in drop)


def paragraph_break(prev: Line, line: Line) -> bool:
    """Does ``line`` start a new paragraph after ``prev``?"""
    if line.page != prev.page:
        return False if prev.size else True
    if prev.size:
        return (line.top - prev.bottom) > 0.55 * prev.size
    return (line.top - prev.bottom) >= 1


def join_lines(lines: Sequence[Line]) -> str:
    """Lines back into text: paragraphs separated by blank lines, hyphen breaks joined."""
    return join_lines_cited(lines)[0]


def join_lines_cited(lines: Sequence[Line]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """:func:`join_lines`, and the (page, line) where each of the text's lines begins.

    The text's lines (split at newlines, blank ones skipped) are its paragraphs
    and list items; the second value cites each one's first line in the paper,
    so a passage found in the text can be cited where it is printed.
    """
    out: list[str] = []
    starts: list[tuple[int, int]] = []
    prev: Line | None = None
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if prev is None:
            out.append(text)
            starts.append((line.page, line.line_no))
        elif (
            paragraph_break(prev, line) or text[:1] in "•-–" or re.match(r"^\(?\w{1,3}[.)]\s", text) and prev.size == 0
        ):
            out.append("\n\n" + text if paragraph_break(prev, line) else "\n" + text)
            starts.append((line.page, line.line_no))
        elif HYPHEN_BREAK.search(out[-1]) and text[:1].islower() and prev.size:
            out[-1] = out[-1][:-1]
            out.append(text)
        else:
            out.append(" " + text)
        prev = line
    return "".join(out).strip(), tuple(starts)
