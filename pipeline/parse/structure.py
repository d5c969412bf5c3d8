"""Headings judged against the document itself: its margins, right edge, body size and numbering.

A line that looks like a heading (:func:`pipeline.parse.headings.detect_heading`) is one
only when the lines around it agree: table rows, numbered paragraphs, list runs and
prose that wraps are not headings.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Sequence

from pipeline.model import (
    Line,
)
from pipeline.parse.headings import (
    DEFAULT_KIND,
    NUMBER_RE,
    TITLE_MAX_CHARS,
    Heading,
    classify_kind,
    continues_heading,
    detect_heading,
    is_caps,
    title_like,
)
from pipeline.read.pdfplumber import BODY_LINE_MIN_CHARS

#: Kinds of heading that may stand unnumbered in a numbered document.
UNNUMBERED_KINDS_IN_NUMBERED_DOC: frozenset[str] = frozenset(
    {"summary", "recommendations", "purpose", "contact", "background_papers", "appendix"}
)


#: Prose lines end beyond this quantile of their right edges.
RIGHT_EDGE_QUANTILE = 0.8


#: A line ending within this many font sizes of the right edge runs to the margin.
FULL_LINE_EMS = 2.5


#: A following line closer than this (font sizes) is the same paragraph.
PARAGRAPH_GAP_EMS = 0.6


#: An unnumbered heading starts within this many font sizes of the left margin.
HEADING_INDENT_EMS = 5.0


#: Cells further apart than this many font sizes make a line a table row.
TABLE_GAP_EMS = 2.5


#: A line with more than this share of figures and currency signs is table content.
TABLE_FIGURE_SHARE = 0.3


#: The signs counted with digits as figures.
FIGURE_SIGNS: frozenset[str] = frozenset("£%$€,.")


#: A table row this close (font sizes) above or below makes a short line a table cell.
TABLE_NEIGHBOUR_EMS = 1.0


#: Section kinds that close a report: appended documents may follow them.
END_KINDS: frozenset[str] = frozenset({"contact", "background_papers"})


#: A reference to one appendix ("Appendix A:", "Appendix 1 – Change Requests") is not a heading.
APPENDIX_REFERENCE = re.compile(
    r"""
    ^(?:appendix|annex|annexe)\s+[A-Z0-9]{1,3}\b   # Appendix A, Annex 2
    """,
    re.VERBOSE | re.IGNORECASE,
)


#: A heading run into the end of the line before it in a text export:
#: "...within the Borough.2RECOMMENDATIONS", "...response.3SUPPORTING INFORMATION".
GLUED_HEADING = re.compile(
    r"""
    (?<=[a-z)][.!?])                    # a sentence ends ("Borough.")
    \s*(?P<num>\d{1,2}(?:\.\d{1,2})?)    # the next section's number, spaced or not
    \s*(?P<title>[A-Z][A-Z&/,’'()\- ]{3,}[A-Z)])   # its title in capitals, to the end of the line
    \s*$
    """,
    re.VERBOSE,
)
#: Letter-spaced capitals (OCR of a spaced title): "R E C O MM E N D A T I O N S".
LETTER_SPACED = re.compile(
    r"""
    ^\s*(?:[A-Z]{1,2}\s{1,3}){4,}[A-Z]{1,2}\s*$   # five or more runs of one or two capitals, spaced apart
    """,
    re.VERBOSE,
)
#: In a letter-spaced line, a gap this wide (spaces) or wider separates words.
LETTER_SPACED_WORD_GAP = 2
#: ...and in a PDF line, a gap this many font sizes wide between letters separates words.
LETTER_SPACED_WORD_GAP_EMS = 0.5


def join_letter_spacing(line: Line) -> Line:
    """ "R E C O MM E N D A T I O N S" -> "RECOMMENDATIONS" (words kept apart where the gaps are wider)."""
    text = line.text
    if not LETTER_SPACED.match(text):
        return line
    if line.size and len(line.spans) > 1:
        # A PDF: each span a run of letters; a wide gap between spans separates words.
        parts = [line.spans[0].text.replace(" ", "")]
        for a, b in zip(line.spans, line.spans[1:]):
            sep = " " if b.x0 - a.x1 > LETTER_SPACED_WORD_GAP_EMS * line.size else ""
            parts.append(sep + b.text.replace(" ", ""))
        joined = "".join(parts)
    else:
        words = re.split(r"\s{%d,}" % LETTER_SPACED_WORD_GAP, text.strip())
        joined = " ".join(w.replace(" ", "") for w in words)
    return dataclasses.replace(line, text=joined, spans=())


def repair_lines(lines: Sequence[Line]) -> tuple[Line, ...]:
    """Undo extraction damage before headings are judged: letter-spaced capitals joined,
    and a heading glued to the end of the previous sentence (text exports) put on its own line
    (both parts keep the source line number)."""
    out: list[Line] = []
    for line in lines:
        line = join_letter_spacing(line)
        m = GLUED_HEADING.search(line.text) if not line.size else None
        if m and m.start() > 0:
            out.append(dataclasses.replace(line, text=line.text[: m.start()].rstrip()))
            out.append(dataclasses.replace(line, text=f"{m.group('num')} {m.group('title').strip()}", x0=0.0))
            continue
        out.append(line)
    return tuple(out)


#: Kinds of heading a report's body opens with.
OPENING_KINDS: frozenset[str] = frozenset({"purpose", "summary", "recommendations"})
#: Titles that open a report's body though their kind is the default one.
OPENING_TITLES = re.compile(
    r"""
    ^(?:background|introduction|context)\b   # "Background", "Introduction and context"
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: The report's body starts within this many pages: the title block is before it.
FRONT_MATTER_MAX_PAGES = 2


def _opens_body(h: Heading) -> bool:
    """A heading a report's body starts with: numbered, of an opening kind, or an opening title."""
    return bool(h.number) or classify_kind(h.title) in OPENING_KINDS or bool(OPENING_TITLES.match(h.title))


def drop_title_block(found: list[tuple[int, Heading, int]], first_page: int) -> list[tuple[int, Heading, int]]:
    """Unnumbered lines of no opening kind before the first heading that opens the body
    (the committee's name, the report's title, "For general release"), on the page the body
    starts, are its title block, not sections, when the body opens within FRONT_MATTER_MAX_PAGES."""
    first = next((k for k, f in enumerate(found) if _opens_body(f[1])), None)
    if not first:
        return found
    if found[first][1].line.page - first_page >= FRONT_MATTER_MAX_PAGES:
        return found
    # The title block is on the page the body starts on: a heading on a later page
    # ("Alternative options considered" before "Officer Recommendations") is a section.
    return [item for item in found[:first] if item[1].line.page != first_page] + found[first:]


def _is_heading_factory(body_size: float):
    def is_heading(line: Line) -> bool:
        return detect_heading(line, body_size=body_size) is not None

    return is_heading


def right_edge(lines: Sequence[Line]) -> float:
    """Where prose lines end on the right (PDF), 0.0 when unknown."""
    xs = sorted(l.x1 for l in lines if l.size and len(l.text) >= BODY_LINE_MIN_CHARS)
    return xs[int(len(xs) * RIGHT_EDGE_QUANTILE)] if xs else 0.0


def left_margin(lines: Sequence[Line]) -> float:
    """The commonest left edge of prose lines (PDF), 0.0 when unknown."""
    edges = Counter(round(l.x0) for l in lines if l.size and len(l.text) >= BODY_LINE_MIN_CHARS)
    return float(edges.most_common(1)[0][0]) if edges else 0.0


def _ends_paragraph(lines: Sequence[Line], i: int, right: float) -> bool:
    """Is line ``i`` the tail of a paragraph whose previous line ran to the margin?"""
    line = lines[i]
    if i == 0 or not line.size or not right:
        return False
    prev = lines[i - 1]
    return (
        prev.page == line.page
        and prev.x1 >= right - FULL_LINE_EMS * prev.size
        and line.top - prev.bottom <= PARAGRAPH_GAP_EMS * line.size
    )


def _far_from_margin(line: Line, left: float, body_size: float) -> bool:
    if not line.size or not left:
        return False
    if body_size and line.size >= body_size + 1.0:
        return False  # a larger title may be centred
    return line.x0 - left > HEADING_INDENT_EMS * line.size


def is_table_row(line: Line) -> bool:
    """Cells spread across the page, or mostly figures: a table row, not a heading."""
    text = line.text
    # C-level counts (this runs on every heading candidate): digits, then figure signs.
    figures = sum(map(str.isdigit, text)) + sum(map(FIGURE_SIGNS.__contains__, text))
    if len(text) >= 6 and figures / len(text) > TABLE_FIGURE_SHARE:
        return True
    if not line.size:
        return False
    cells = [s for s in line.spans if s.text.strip(" :.-–")]
    if cells and NUMBER_RE.match(cells[0].text + " x") and len(cells[0].text) <= 6:
        cells = cells[1:]  # "1." then "Introduction": the number is not a cell
    if len(cells) < 2:
        return False
    gaps = [b.x0 - a.x1 for a, b in zip(cells, cells[1:])]
    return max(gaps) > TABLE_GAP_EMS * (line.size or 10.0)


def is_paragraph_start(line: Line, nxt: Line | None, right: float) -> bool:
    """A line that runs to the right margin and carries on below: a paragraph's first line."""
    if not line.size or not right or nxt is None or nxt.page != line.page:
        return False
    if line.x1 < right - FULL_LINE_EMS * line.size:
        return False
    if nxt.top - line.bottom > PARAGRAPH_GAP_EMS * line.size:
        return False
    return not (line.bold and nxt.bold)


def _is_list_run(found: list[tuple[int, Heading, int]], k: int) -> bool:
    """Numbered candidates on consecutive lines with nothing between: a list, not headings."""
    start, h, last = found[k]
    if not h.number or h.strong or h.text:
        return False
    for j in (k - 1, k + 1):
        if 0 <= j < len(found):
            s2, h2, l2 = found[j]
            adjacent = s2 == last + 1 if j > k else start == l2 + 1
            if adjacent and h2.number and not h2.strong and h2.level == h.level:
                return True
    return False


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", number))


def _inside_numbered_run(found: list[tuple[int, Heading, int]], k: int) -> bool:
    """An unnumbered candidate between two numbered headings whose numbering runs on
    (3.1 ... 3.2, or 3.4 ... 4.0) is a sub-heading of the text, not a section:
    "Emerging Issues" between "3.1 Universal and Learning Services" and "3.2 ...".
    Known section titles (Summary, Recommendations, Contact...) are kept.
    """
    h = found[k][1]
    if h.number or classify_kind(h.title) in UNNUMBERED_KINDS_IN_NUMBERED_DOC:
        return False
    before = next((f[1] for f in reversed(found[:k]) if f[1].number), None)
    after = next((f[1] for f in found[k + 1 :] if f[1].number), None)
    if before is None or after is None:
        return False
    a, b = _number_key(before.number or ""), _number_key(after.number or "")
    return bool(a and b) and b > a and b[0] - a[0] <= 1


def _title_key(text: str) -> str:
    return " ".join(text.replace("*", "").lower().split()).rstrip(" :")


def _sub_headings(lines: Sequence[Line], found: list[tuple[int, Heading, int]]) -> list[tuple[int, Heading, int]]:
    """Unnumbered headings inside a numbered run are sub-headings of the numbered section
    before them (one level below it), unless their title recurs as a line of its own: a label
    the template repeats in every section ("Emerging Issues" under 3.1, 3.2 and 3.3) is not a section."""
    counts = Counter(_title_key(l.text) for l in lines if len(l.text) <= TITLE_MAX_CHARS)
    out: list[tuple[int, Heading, int]] = []
    for k, (start, h, last) in enumerate(found):
        if _inside_numbered_run(found, k):
            if counts[_title_key(h.title)] > 1:
                continue
            parent = next(f[1] for f in reversed(found[:k]) if f[1].number)
            h = Heading(h.number, h.title, h.text, parent.level + 1, h.line, h.strong)
        out.append((start, h, last))
    return out


def _in_table(lines: Sequence[Line], i: int) -> bool:
    """A short bold line set among table rows is a cell, not a heading."""
    line = lines[i]
    if not line.size:
        return False
    for j in (i - 1, i + 1):
        if 0 <= j < len(lines) and lines[j].page == line.page and is_table_row(lines[j]):
            gap = lines[j].top - line.bottom if j > i else line.top - lines[j].bottom
            if gap <= TABLE_NEIGHBOUR_EMS * line.size:
                return True
    return False


def _continues_paragraph_numbering(
    lines: Sequence[Line], i: int, h: Heading, found: Sequence[tuple[int, Heading, int]]
) -> bool:
    """ "10. Economy and Skills Delivery: The variance ..." after paragraph 9 is
    paragraph 10 with a bold lead-in, not a section."""
    if not h.number or not h.number.isdigit():
        return False
    headings_at = {f[0] for f in found}
    for j in range(i - 1, -1, -1):
        m = NUMBER_RE.match(lines[j].text)
        if m and m.group("num").rstrip(".").isdigit():
            return j not in headings_at and int(m.group("num").rstrip(".")) == int(h.number) - 1
    return False


def _is_contact_label(title: str) -> bool:
    from pipeline.parse.contacts import AUTHOR_LABEL, DIRECTOR_LABEL

    return len(title.split()) <= 4 and bool(AUTHOR_LABEL.search(title) or DIRECTOR_LABEL.search(title))


#: Text files: the width prose lines wrap at is this quantile of the long lines' lengths...
TEXT_WIDTH_QUANTILE = 0.8
#: ...a line this share of that width or longer runs to the margin (it wraps)...
TEXT_FULL_LINE_SHARE = 0.85
#: ...and a heading in plain text is at most this share of it, and this many words.
TEXT_HEADING_MAX_SHARE = 0.8
TEXT_HEADING_MAX_WORDS = 10
#: A text line ending in these ends its sentence: what follows starts a paragraph.
SENTENCE_ENDS: tuple[str, ...] = (".", "!", "?")


#: Text files: a short line opening like a resolution ("That the Committee ...") is its lead-in, not a heading.
TEXT_LEADIN = re.compile(r"that\b", re.IGNORECASE)


def text_width(lines: Sequence[Line]) -> int:
    """Text files: how long prose lines run before they wrap (0 when unknown)."""
    lengths = sorted(len(l.text) for l in lines if not l.size and len(l.text) >= BODY_LINE_MIN_CHARS)
    return lengths[int(len(lengths) * TEXT_WIDTH_QUANTILE)] if lengths else 0


def _starts_paragraph(lines: Sequence[Line], i: int) -> bool:
    """Text files: the line before ``i`` ended a sentence, or a blank line or a page break comes between."""
    if i == 0:
        return True
    prev, line = lines[i - 1], lines[i]
    return prev.page != line.page or line.line_no - prev.line_no > 1 or prev.text.rstrip().endswith(SENTENCE_ENDS)


def text_wraps(lines: Sequence[Line], i: int, width: int) -> bool:
    """Text files: line ``i`` runs to the margin and its sentence carries on the next line (prose)."""
    line = lines[i]
    if line.size or not width or i + 1 >= len(lines):
        return False
    nxt = lines[i + 1]
    return (
        len(line.text.strip()) >= TEXT_FULL_LINE_SHARE * width
        and nxt.page == line.page
        and nxt.line_no == line.line_no + 1
        and not line.text.rstrip().endswith((*SENTENCE_ENDS, ":"))
    )


def plain_text_heading(lines: Sequence[Line], i: int, width: int) -> Heading | None:
    """Text files: a short title-like line standing between paragraphs is a heading
    ("Summary of financial implications" after a paragraph's last sentence, before the next
    paragraph): no bold or size to go by, so its place decides."""
    line = lines[i]
    if line.size or line.md_level or not width or i + 1 >= len(lines):
        return None
    text = " ".join(line.text.split())
    if len(text.split()) > TEXT_HEADING_MAX_WORDS or len(text) > TEXT_HEADING_MAX_SHARE * width:
        return None
    if NUMBER_RE.match(text) or text.endswith((*SENTENCE_ENDS, ",", ";", ":")) or not title_like(text, strong=True):
        return None
    if TEXT_LEADIN.match(text):
        return None  # "That the Committee for Transport and Connectivity" leads into the items below
    if not _starts_paragraph(lines, i):
        return None
    nxt = " ".join(lines[i + 1].text.split())
    if not (nxt[:1].isupper() or nxt[:1].isdigit()):
        return None
    # Prose or a numbered paragraph below; a known title may head a short reply ("None.").
    below_is_prose = len(nxt) >= TEXT_FULL_LINE_SHARE * width or bool(NUMBER_RE.match(nxt))
    if not below_is_prose and classify_kind(text) == DEFAULT_KIND:
        return None
    return Heading(None, text, "", 1, line, False)


def find_headings(lines: Sequence[Line], body_size: float) -> list[tuple[int, Heading, int]]:
    """(first line index, heading, last line index) for every heading in ``lines``."""
    right = right_edge(lines)
    left = left_margin(lines)
    width = text_width(lines)
    found: list[tuple[int, Heading, int]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        h = detect_heading(line, body_size=body_size)
        if h is not None and not line.size and not h.text and not is_caps(h.title) and text_wraps(lines, i, width):
            h = None  # "12. Achieving the recommendations contained in the ..." runs on: a paragraph
        if h is None and not line.size:
            h = plain_text_heading(lines, i, width)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if h is None or is_table_row(line) or (not h.text and is_paragraph_start(line, nxt, right)):
            i += 1
            continue
        if APPENDIX_REFERENCE.match(h.title):
            # "Appendix 1" opening a page after the report's closing sections starts
            # the appended documents: they become one appendix section.
            first_on_page = i == 0 or lines[i - 1].page != line.page
            ended = any(classify_kind(f[1].title) in END_KINDS for f in found)
            if first_on_page and ended and line.size:
                found.append((i, Heading(None, line.text.strip(), "", 1, line, True), i))
                break
            i += 1
            continue
        if (
            not h.number
            and classify_kind(h.title) == "appendix"
            and found
            and classify_kind(found[-1][1].title) in END_KINDS
        ):
            # "Appendix" straight after the closing sections (background papers, contact):
            # the appended documents follow, one appendix section.
            found.append((i, h, i))
            break
        if not h.number and _in_table(lines, i):
            i += 1
            continue
        if not h.number and not line.bold and _ends_paragraph(lines, i, right):
            i += 1
            continue  # the last line of a wrapped paragraph
        if not h.number and _far_from_margin(line, left, body_size):
            i += 1
            continue  # a centred caption or a table cell
        if h.number and h.text and _continues_paragraph_numbering(lines, i, h, found):
            i += 1
            continue
        last = i
        while last + 1 < len(lines) and continues_heading(h, lines[last + 1], body_size=body_size):
            nxt = lines[last + 1]
            h = Heading(h.number, f"{h.title} {nxt.text.strip()}", h.text, h.level, h.line, h.strong)
            last += 1
        found.append((i, h, last))
        i = last + 1
    found = drop_title_block(found, lines[0].page if lines else 1)
    found = [item for k, item in enumerate(found) if not _is_list_run(found, k)]
    found = _sub_headings(lines, found)
    # Numbered lines inside a recommendations section are its items, not headings,
    # unless their number carries on the document's own numbering.
    kept: list[tuple[int, Heading, int]] = []
    current = None
    last_top: tuple[int, ...] = ()
    for item in found:
        h = item[1]
        kind = classify_kind(h.title)
        if current == "recommendations" and h.number and not is_caps(h.title):
            key = _number_key(h.number)
            carries_on = bool(key) and (
                (bool(last_top) and key[0] == last_top[0] + 1) or (not last_top and key[0] == 1 and h.strong)
            )
            if not carries_on:
                continue
        if current == "contact" and not h.number and _is_contact_label(h.title):
            continue  # "Author", "Relevant Director" inside a contact block
        kept.append(item)
        if h.number:
            last_top = _number_key(h.number)[:1] or last_top
        current = kind if h.level <= 1 or kind != DEFAULT_KIND else current
    return kept
