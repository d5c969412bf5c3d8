"""Header fields from a paper's title block: the lines at its top that carry no labels.

Many papers open without a label table, or with title lines above it:
"EXECUTIVE 14 MARCH 2019", "PLANNING SUB-COMMITTEE – 3RD JUNE 2015",
"Audit Panel, 20 January 2021", a committee line over a date line over a bold
title, "Council ¦ Agenda Item 6", "Report of the Director of Place to the
Cabinet on 12 May 2015", "Meeting of the Licensing Committee held on ...".
Each line (or table cell) is read as one of these forms, and the rest are
title lines, from which the subject is the first run in one style.  Every
value is checked (:mod:`pipeline.parse.values`); a line that fits no form is
only ever a title line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Sequence

from pipeline.model import Line
from pipeline.parse.dates import find_dates, parse_date
from pipeline.parse.headers import (
    NUMBERED_LINE,
    PREAMBLE_MAX_LINES,
    PROSE_MIN_WORDS,
    REPORT_BY_RE,
    match_label,
    starts_body,
)
from pipeline.parse.values import BARE_NUMBER, check, is_authority, is_body_name, is_committee, is_sentence

# ---------------------------------------------------------------- vocabulary

#: An agenda stamp or paper number: the reference ("Agenda Item 7", "Item No. 4", "Paper No. 19-42").
STAMP_RE: Final = re.compile(
    r"""
    ^\s*(?:agenda\s+item|item)(?:\s+no\.?|\s+number)?\s*[:.]?\s*          # "Agenda Item", "Item No."
      (?P<item>\d{1,3}[a-z]?(?:\.\d{1,2})?)\s*$                             # 7, 7a, 4.2
    | ^\s*(?:paper|report|decision)\s+(?:no\.?|number|ref(?:erence)?\.?)\s*[:.]?\s*  # "Paper No.", "Decision No."
      (?P<code>[\w/.\-]{1,20})\s*$                                                  # 19-42, 24/00109
    | ^\s*ref(?:erence)?\s*[:.]\s*(?P<ref>[\w/.\-]{1,20})\s*$                       # Ref: CAB123
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: "Meeting of the Licensing Committee held on 3 June 2015" / "... to be held on ...".
MEETING_HELD_RE: Final = re.compile(
    r"""
    ^\s*(?:(?:a\s+)?meeting\s+of\s+(?:the\s+)?)?   # "Meeting of the"
    (?P<body>[A-Z].{2,100}?)                       # the body
    ,?\s+(?:meeting\s+)?(?:to\s+be\s+)?held\s+on\s+  # "held on", "to be held on"
    (?P<date>.+?)\s*$                              # the date (checked by parsing)
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: "Report to the Audit Committee" (no colon): the body the paper goes to.
REPORT_TO_RE: Final = re.compile(
    r"""
    ^\s*(?:a\s+)?report\s+to\s+(?:the\s+)?(?P<body>[A-Z][^.:;]{2,80}?)\s*$   # "Report to the Audit Committee"
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: Lines that mark the paper rather than name it: never a subject.
MARKING_RE: Final = re.compile(
    r"""
    ^\s*(?:
      (?:committee\s+|cabinet\s+|council\s+)?report                                  # "Committee Report"
      (?:\s+for\s+(?:resolution|decision|information|noting|approval))?              # "Report for Resolution"
    | for\s+(?:general\s+)?(?:release|publication|decision|information)   # "For general release"
    | (?:not\s+)?for\s+publication | (?:part\s+)?(?:exempt|confidential|restricted)(?:\s+\w+)?  # exemption marks
    | official(?:[\s-]+sensitive)? | public(?:\s+report)? | unrestricted | open | part\s+(?:[1-3]|i{1,3}|a|b)
    | not\s+protectively\s+marked
    | (?:agenda\s+)?item\s+\d.* | appendix\s+[\dA-Z]{1,3}\.?            # a stamp alone
    | page\s+\d+(?:\s+of\s+\d+)?                                       # page number
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)

#: A key-decision statement standing alone ("Key Decision", "Non-key decision", "Not a key decision").
KEY_DECISION_LINE: Final = re.compile(
    r"""
    ^\s*(?P<no>non[\s-]?key\s+decision | not\s+a\s+key\s+decision)\s*\.?\s*$   # not key
    | ^\s*(?P<yes>(?:this\s+is\s+a\s+)?key\s+decision)\s*\.?\s*$                # key
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: Separators between a body and its date on one line ("Executive - 25 July 2018", "Audit Panel, 20 ...").
BODY_DATE_SEPARATORS: Final = " \t,–—-:|/"

#: Cells further apart than this many font sizes are separate title cells ("Council ¦ Agenda Item 6").
CELL_GAP_EMS: Final = 2.0
#: A subject is at most this many title lines...
SUBJECT_MAX_LINES: Final = 3
#: ...and a title block holds at most this many lines below a header table.
BETWEEN_MAX_LINES: Final = 4
#: Lines of one title are at most this many font sizes apart.
TITLE_LINE_GAP_EMS: Final = 1.0
#: A regular line reaching past this share of the page width is prose.
PROSE_RIGHT_SHARE: Final = 0.75
#: Two lines are in one style when their font sizes differ by less than this (points).
SAME_SIZE_POINTS: Final = 0.5


@dataclass(frozen=True, slots=True)
class Candidate:
    """A value for a header field, the line it was read from and the form that gave it."""

    field: str
    value: object
    line: Line
    form: str  # "title_body_date", "stamp", "report_by", ...


def _cells(line: Line) -> list[str]:
    """The line's cells: spans far apart are separate cells ("Council ¦ Agenda Item 6")."""
    spans = [s for s in line.spans if s.text.strip()]
    if len(spans) < 2 or not line.size:
        return [line.text.strip()]
    cells = [spans[0].text.strip()]
    for prev, span in zip(spans, spans[1:]):
        if span.x0 - prev.x1 > CELL_GAP_EMS * line.size:
            cells.append(span.text.strip())
        else:
            cells[-1] = f"{cells[-1]} {span.text.strip()}"
    return cells


def _body_and_date(text: str) -> tuple[str, object] | None:
    """A body and a date in one cell, either order; ("", date) for a date alone."""
    dates = find_dates(text)
    full = [(a, b, d) for a, b, d in dates if parse_date(text[a:b]) is not None]
    if len(full) != 1:
        return None
    a, b, d = full[0]
    before, after = text[:a].strip(BODY_DATE_SEPARATORS), text[b:].strip(BODY_DATE_SEPARATORS)
    if before and after:
        return None
    rest = before or after
    rest = re.sub(r"\b(?:meeting|on)$", "", rest, flags=re.IGNORECASE).strip(BODY_DATE_SEPARATORS)
    if rest and not is_body_name(rest):
        return None
    return rest, d


def read_cell(text: str, line: Line) -> list[Candidate] | None:
    """The header fields one title cell gives, or None when it is a title line (or nothing)."""
    t = re.sub(r"\s+", " ", text).strip()
    if not t or BARE_NUMBER.match(t):
        return []
    m = STAMP_RE.match(t)
    if m:
        ref = m.group("item") or m.group("code") or m.group("ref")
        return [Candidate("reference", ref, line, "stamp")] if check("reference", ref) else []
    m = KEY_DECISION_LINE.match(t)
    if m:
        return [Candidate("key_decision", m.group("yes") is not None, line, "key_decision_line")]
    m = REPORT_BY_RE.match(t)
    if m:
        out = []
        officer = m.group("officer").strip(" ,;:")
        if check("reporting_officer", officer):
            out.append(Candidate("reporting_officer", officer, line, "report_by"))
        if m.group("committee") and is_committee(m.group("committee").strip(" ,;:")):
            out.append(Candidate("committee", m.group("committee").strip(" ,;:"), line, "report_by"))
        if m.group("date") and parse_date(m.group("date")):
            out.append(Candidate("meeting_date", parse_date(m.group("date")), line, "report_by"))
        if m.group("subject") and check("subject", m.group("subject").strip(" .")):
            out.append(Candidate("subject", m.group("subject").strip(" ."), line, "report_by"))
        return out
    m = MEETING_HELD_RE.match(t)
    if m and parse_date(m.group("date")) and is_committee(m.group("body")):
        return [
            Candidate("committee", m.group("body").strip(" ,"), line, "meeting_held"),
            Candidate("meeting_date", parse_date(m.group("date")), line, "meeting_held"),
        ]
    bd = _body_and_date(t)
    if bd is not None:
        body, d = bd
        out = [Candidate("meeting_date", d, line, "title_date")]
        if body:
            out.insert(0, Candidate("committee", body, line, "title_body_date"))
        return out
    if is_authority(t) or MARKING_RE.match(t):
        return []
    m = REPORT_TO_RE.match(t)
    if m and is_committee(m.group("body")):
        return [Candidate("committee", m.group("body"), line, "report_to")]
    if is_body_name(t) and not is_sentence(t):
        return [Candidate("committee", t, line, "title_body")]
    return None


def _same_style(a: Line, b: Line) -> bool:
    """Is ``b`` the next line of ``a``'s title: same type, close below (text: no blank line between)?"""
    if a.page != b.page or a.bold != b.bold or abs(a.size - b.size) >= SAME_SIZE_POINTS:
        return False
    if not a.size:
        return b.line_no == a.line_no + 1
    return b.top - a.bottom < TITLE_LINE_GAP_EMS * a.size


def read_title_block(lines: Sequence[Line]) -> list[Candidate]:
    """Candidates from title lines: each cell's fields, then the subject from the first run of title lines."""
    out: list[Candidate] = []
    title_runs: list[list[Line]] = []
    for k, line in enumerate(lines):
        cells = _cells(line)
        title_cells = []
        for cell in cells:
            got = read_cell(cell, line)
            if got is None:
                title_cells.append(cell)
            else:
                out.extend(got)
        if len(title_cells) == len(cells) and len(cells) == 1:
            run = title_runs[-1] if title_runs else None
            if run is not None and k and run[-1] is lines[k - 1] and _same_style(run[-1], line):
                run.append(line)
            else:
                title_runs.append([line])
    emphasised = [r for r in title_runs if _emphasised(r[0], lines)]
    for run in emphasised or title_runs:
        text = re.sub(r"\s+", " ", " ".join(l.text.strip() for l in run[:SUBJECT_MAX_LINES])).strip()
        if (
            check("subject", text)
            and not is_sentence(text)
            and not any(parse_date(text[a:b]) for a, b, _ in find_dates(text))
        ):
            out.append(Candidate("subject", text, run[0], "title_lines"))
            break
    return out


def _emphasised(line: Line, lines: Sequence[Line]) -> bool:
    """Bold, or larger than the other title lines: how a title stands out (text files: never)."""
    if not line.size:
        return False
    return line.bold or line.size > min(l.size for l in lines) + SAME_SIZE_POINTS


def title_zone(lines: Sequence[Line], *, body_size: float = 0.0) -> list[Line]:
    """The title block at the top of a paper with no label table: up to the body's first heading or prose."""
    zone: list[Line] = []
    for k, line in enumerate(lines[:PREAMBLE_MAX_LINES]):
        if zone and line.page != zone[0].page:
            break
        if starts_body(line, body_size=body_size) or match_label(line) is not None:
            break
        if len(line.text.split()) > PROSE_MIN_WORDS or (_numbered(line) and zone):
            break
        if _prose(line, lines[k + 1] if k + 1 < len(lines) else None):
            break
        zone.append(line)
    return zone


def between_zone(lines: Sequence[Line], *, body_size: float = 0.0) -> list[Line]:
    """Title lines just below a header table, before the body's first heading."""
    zone: list[Line] = []
    for k, line in enumerate(lines[:BETWEEN_MAX_LINES]):
        if starts_body(line, body_size=body_size) or _numbered(line):
            break
        if len(line.text.split()) > PROSE_MIN_WORDS or _prose(line, lines[k + 1] if k + 1 < len(lines) else None):
            break
        zone.append(line)
    return zone


def _numbered(line: Line) -> bool:
    """A numbered paragraph or heading ("1. The council ..."), not a date ("15 January 2026")."""
    dates = find_dates(line.text)
    return NUMBERED_LINE.match(line.text) is not None and not (dates and dates[0][0] == 0)


def _prose(line: Line, nxt: Line | None) -> bool:
    """A PDF paragraph: a line of regular type running to the right margin, wrapping onto a line like it."""
    if not line.page_width or line.bold or line.x1 < PROSE_RIGHT_SHARE * line.page_width:
        return False
    return (
        nxt is not None
        and nxt.page == line.page
        and not nxt.bold
        and abs(nxt.size - line.size) < SAME_SIZE_POINTS
        and nxt.top - line.bottom < line.size
    )
