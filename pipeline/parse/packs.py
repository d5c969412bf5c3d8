"""Agenda packs: a public document pack split into its component reports.

A pack holds a cover, an agenda, previous minutes and several committee
reports, each with its own header. ``parse_pack`` returns the pack's own
layout (agenda items as sections, the meeting's committee and date) with one
part per report, each parsed as a report of its own with the pack as its source.

How a pack is read (ModernGov packs from many councils share this shape):

* The **cover** is everything above the agenda's first item: the committee's
  name under the "Public Document Pack" line and above "Agenda", and the
  meeting's "Date:" line.
* The **agenda** is a run of items numbered 1, 2, 3... in order (numbered
  lines that break the sequence, such as the public forum's rules, are item
  text), each with an optional "(Pages a - b)" range.
* **Agenda-level items** start at an "Agenda Item N" stamp (ModernGov prints
  one on the first page of every item's papers). Without stamps, a page that
  opens with "Minutes of ..." starts an agenda-level item.
* A **report** starts at its header block: known header labels
  (:func:`pipeline.parse.headers.match_label`) clustered on one page. A block after
  a stamp needs little (a title or an officer); elsewhere it must name the
  meeting and the paper and carry several fields. With stamps there is one
  report per stamped item, so papers appended to a report (EqIAs, an earlier
  report) stay with it; without stamps every strong header block starts one.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from pipeline.model import Document, HeaderFields, Layout, Line, Provenance, ReportWarning, Section
from pipeline.parse.council import COUNCIL_RE
from pipeline.parse.furniture import join_lines_cited
from pipeline.parse.headers import (
    APPEND,
    COMMITTEE_AND_DATE,
    IGNORE,
    PEOPLE,
    match_label,
)
from pipeline.parse.headings import classify_kind, detect_heading

# ---------------------------------------------------------------- vocabulary

#: The stamp on the first page of an agenda item's papers: "Agenda Item 7", "Agenda Item 7a".
AGENDA_STAMP = re.compile(
    r"""
    ^\s*agenda\s+item\s+                      # the words of the stamp
    (?P<num>\d{1,3}                           # the item number: 7
      (?:\s?[a-z]\b | \.\d{1,2})?)            # a sub-item: 7a, 7 a, 7.1
    \s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A page that opens with these words starts an agenda-level item (used without stamps).
DOCUMENT_START = re.compile(
    r"""
    ^(?:minutes\s+of\b                        # Minutes of the Cabinet / of the meeting
      | minutes\s*$                           # MINUTES alone
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: ...when it is among this many lines from the top of its page.
DOCUMENT_START_LINES = 3

#: An agenda item line: its number, then its title.
AGENDA_ITEM = re.compile(
    r"""
    ^\s*(?:item\s+)?                          # "Item 3" as some agendas write it
    (?P<num>\d{1,2})                          # the item number
    (?:\s?\(?(?P<sub>[a-z])\)?(?=[.)\s]))?    # a sub-item letter: 7a, 7(a), 7 a)
    (?P<punct>[.):]?)                         # its punctuation: "1." "1)" "1:"
    \s+(?P<title>\S.*)$
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: The page range an agenda gives for an item's papers.
PAGES_RANGE = re.compile(
    r"""
    \s*\(\s*pages?\s+                         # "(Pages" or "(Page"
    (?P<first>\d{1,4})                        # first page
    (?:\s*[-–—]\s*(?P<last>\d{1,4}))?         # " - last", when a range
    \s*\)
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A title line ending with these carries on to the next line.
TITLE_CONTINUES = re.compile(
    r"""
    (?:[,&:/–—-]                              # a comma, ampersand, colon or dash
      | \b(?:a|an|and|or|of|the|to|for|in|on|at|by|with|from|into|through)   # a connecting word
    )\s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: An agenda item title wraps over at most this many lines.
TITLE_MAX_LINES = 3

#: The line that closes the cover's committee name ("Agenda", "Agenda and Reports").
AGENDA_WORD = re.compile(
    r"""
    ^(?:supplementary\s+|revised\s+)?         # "Supplementary Agenda"
    agenda\b                                  # "Agenda", "Agenda and reports"
    (?:\s+(?:and\s+)?(?:reports?|papers?|pack))?\s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: Cover lines that are not the committee's name.
COVER_NOISE = re.compile(
    r"""
    ^(?:public\s+document\s+pack             # the pack's own marker
      | notice\s+of\s+(?:a\s+)?meeting        # "Notice of Meeting"
      | summons                               # "Summons to attend"
      | (?:www\.|https?://)\S+                # a web address
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: The committee's name on the cover runs over at most this many lines.
COVER_NAME_MAX_LINES = 4
#: Cover date labels are read only in the cover's first lines (later "Date:" lines give the issue date).
COVER_MAX_LINES = 60

#: Header fields that name the meeting...
MEETING_FIELDS: frozenset[str] = frozenset({"committee", "meeting_date", COMMITTEE_AND_DATE})
#: ...and those that name the paper.
PAPER_FIELDS: frozenset[str] = frozenset({"subject", "reporting_officer", PEOPLE})
#: Header fields that name the paper's officer.
OFFICER_FIELDS: frozenset[str] = frozenset({"reporting_officer", PEOPLE})
#: Labels that belong to a header but say nothing of the paper.
WEAK_FIELDS: frozenset[str] = frozenset({IGNORE, APPEND})
#: Label lines this many lines apart (or closer) belong to one header block.
BLOCK_GAP_LINES = 3
#: A header block far from a stamp needs this many distinct fields naming meeting and paper
#: (or this many labels giving the title and an officer).
STRONG_HEADER_FIELDS = 3
#: A header block just after a stamp needs this many labels (one naming the paper).
STAMPED_HEADER_LABELS = 2
#: "Just after a stamp": the block starts within this many lines of it.
STAMP_WINDOW_LINES = 12
#: Title lines above a header block on its page that belong to the report.
PREAMBLE_MAX_LINES = 4
#: A repeated line ending like this is a running header even when the cover gave no committee.
RUNNING_HEADER_END = re.compile(
    r"""
    \bagenda\s*$                             # "Cabinet – Agenda", "Agenda"
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: A line naming the meeting repeated this often in the agenda is a running header, not item text.
RUNNING_HEADER_REPEATS = 2


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class HeaderBlock:
    """Label lines clustered on one page: ``lines[start:end]``, with each label's field."""

    start: int
    end: int
    fields: tuple[str, ...]

    @property
    def distinct(self) -> frozenset[str]:
        return frozenset(f for f in self.fields if f not in WEAK_FIELDS)

    @property
    def labels(self) -> int:
        return sum(1 for f in self.fields if f not in WEAK_FIELDS)

    def strong(self) -> bool:
        """Enough to start a report on its own: several labels naming the meeting and
        the paper, or the paper's title and its officer ("Report of:", "Title:",
        "Officer presenting report:")."""
        d = self.distinct
        names_meeting = len(d) >= STRONG_HEADER_FIELDS and bool(d & MEETING_FIELDS) and bool(d & PAPER_FIELDS)
        names_author = self.labels >= STRONG_HEADER_FIELDS and "subject" in d and bool(d & OFFICER_FIELDS)
        return names_meeting or names_author

    def stamped(self) -> bool:
        """Enough to start a report just after an agenda item stamp."""
        return self.labels >= STAMPED_HEADER_LABELS and bool(self.distinct & PAPER_FIELDS)


@dataclass(frozen=True, slots=True)
class AgendaItem:
    number: str  # "7", "7a"
    title: str
    line: Line
    text: str
    end_page: int
    pages: tuple[int, int] | None  # the "(Pages a - b)" range
    paragraphs: tuple[tuple[int, int], ...] = ()  # (page, line) of each line of ``text`` (Section.paragraphs)


# ---------------------------------------------------------------- cover


def _prov(line: Line) -> Provenance:
    return Provenance(line.page, line.line_no)


def _first_full_date(text: str) -> _dt.date | None:
    from pipeline.parse.dates import find_dates, parse_date

    for start, end, _ in find_dates(text):
        value = parse_date(text[start:end])
        if value is not None:
            return value
    return None


def cover_fields(cover: Sequence[Line]) -> tuple[dict[str, object], dict[str, Provenance]]:
    """The meeting's committee and date from the pack's cover lines."""
    fields: dict[str, object] = {}
    prov: dict[str, Provenance] = {}
    head = list(cover[:COVER_MAX_LINES])
    # Committee: a labelled name ("Meeting: Cabinet"), else the title lines above "Agenda".
    for line in head:
        m = match_label(line)
        if m is not None and m.field == "committee" and m.value:
            fields["committee"], prov["committee"] = m.value, _prov(line)
            break
    if "committee" not in fields:
        name: list[Line] = []
        for line in head:
            text = line.text.strip()
            if COVER_NOISE.match(text) and not name:
                continue
            if AGENDA_WORD.match(text) or match_label(line) is not None or _first_full_date(text):
                break
            name.append(line)
            if len(name) > COVER_NAME_MAX_LINES:
                name = []  # a long run of text is not a name: no committee from the cover
                break
        if len(name) > 1 and COUNCIL_RE.fullmatch(name[0].text.strip()):
            name = name[1:]  # "Bristol City Council" above "Cabinet": the authority, not the meeting
        if name:
            fields["committee"] = re.sub(r"\s+", " ", " ".join(l.text for l in name)).strip()
            prov["committee"] = _prov(name[0])
    # Meeting date: the first "Date:" label with a date, else the first full date on the cover.
    for line in head:
        m = match_label(line)
        if m is not None and m.field in ("meeting_date", COMMITTEE_AND_DATE):
            value = _first_full_date(m.value)
            if value is not None:
                fields["meeting_date"], prov["meeting_date"] = value, _prov(line)
                break
    if "meeting_date" not in fields:
        for line in head:
            value = _first_full_date(line.text)
            if value is not None:
                fields["meeting_date"], prov["meeting_date"] = value, _prov(line)
                break
    return fields, prov


# ---------------------------------------------------------------- agenda


def _item_key(m: re.Match[str]) -> tuple[int, str]:
    return int(m.group("num")), (m.group("sub") or "").lower()


def _follows(key: tuple[int, str], last: tuple[int, str] | None) -> bool:
    """Does item ``key`` come next after ``last`` (1 first; 7 or 7a after 6; 7b after 7a)?"""
    n, sub = key
    if last is None:
        return n == 1 and sub in ("", "a")
    ln, lsub = last
    if n == ln + 1:
        return sub in ("", "a")
    return n == ln and bool(sub) and (not lsub or ord(sub) == ord(lsub) + 1)


def _item_match(line: Line) -> re.Match[str] | None:
    m = AGENDA_ITEM.match(line.text)
    if m is None:
        return None
    # A bare number ("3 Declarations") needs a cell of its own or a capitalised title:
    # "3 clear working days prior..." is a wrapped line of text.
    if not m.group("punct") and not m.group("sub"):
        own_cell = len(line.spans) > 1 and line.spans[0].text.strip() == m.group("num")
        if not own_cell and not m.group("title")[:1].isupper():
            return None
    return m


def _continues_title(title_line: Line, title: str, nxt: Line) -> bool:
    text = nxt.text.strip()
    if not text or PAGES_RANGE.fullmatch(text) or _item_match(nxt) is not None:
        return False
    if PAGES_RANGE.search(title_line.text) or nxt.page != title_line.page:
        return False
    if title_line.bold and nxt.bold and title_line.size == nxt.size:
        return True
    return text[:1].islower() or TITLE_CONTINUES.search(title) is not None


def find_agenda_start(lines: Sequence[Line], end: int) -> int | None:
    """Index of the agenda's first item ("1. Apologies") before ``end``."""
    for i in range(end):
        m = _item_match(lines[i])
        if m is not None and _follows(_item_key(m), None):
            return i
    return None


def _name_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).strip()


def running_headers(region: Sequence[Line], committee: str | None) -> frozenset[str]:
    """Lines of the agenda repeated at the top of its pages: "Cabinet – Agenda".

    A repeated line is a running header when it names the meeting (the cover's
    committee) or ends with "Agenda"; other repeats are text ("working days
    prior to the meeting...").
    """
    name = _name_key(committee or "")
    counts = Counter(l.text.strip() for l in region)
    return frozenset(
        text
        for text, n in counts.items()
        if n >= RUNNING_HEADER_REPEATS
        and ((name and name in _name_key(text)) or RUNNING_HEADER_END.search(text) is not None)
    )


def parse_agenda(lines: Sequence[Line], start: int, end: int, *, committee: str | None = None) -> list[AgendaItem]:
    """The numbered items of the agenda in ``lines[start:end]``, in order.

    ``committee`` (the cover's) tells running headers from repeated text.
    """
    region = list(lines[start:end])
    furniture = running_headers(lines[:end], committee)  # the cover's pages count too
    starts: list[tuple[int, re.Match[str]]] = []
    last: tuple[int, str] | None = None
    for k, line in enumerate(region):
        m = _item_match(line)
        if m is not None and _follows(_item_key(m), last):
            starts.append((k, m))
            last = _item_key(m)
    items: list[AgendaItem] = []
    for n, (k, m) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(region)
        line = region[k]
        title = m.group("title")
        pages = PAGES_RANGE.search(line.text)
        j = k + 1
        while j < stop and j - k < TITLE_MAX_LINES and _continues_title(region[j - 1], title, region[j]):
            title = f"{title} {region[j].text.strip()}"
            pages = pages or PAGES_RANGE.search(region[j].text)
            j += 1
        body: list[Line] = []
        for l in region[j:stop]:
            if l.text.strip() in furniture:
                continue  # "Cabinet – Agenda" at the top of each agenda page
            pages = pages or PAGES_RANGE.search(l.text)
            cleaned = PAGES_RANGE.sub("", l.text).strip()
            if cleaned:
                body.append(dataclasses.replace(l, text=cleaned))
        title = re.sub(r"\s+", " ", PAGES_RANGE.sub("", title)).strip()
        page_range = None
        if pages is not None:
            first = int(pages.group("first"))
            page_range = (first, int(pages.group("last") or first))
        number = m.group("num") + (m.group("sub") or "").lower()
        end_page = body[-1].page if body else line.page
        text, paragraphs = join_lines_cited(body)
        items.append(AgendaItem(number, title, line, text, end_page, page_range, paragraphs))
    return items


# ---------------------------------------------------------------- reports


def find_header_blocks(lines: Sequence[Line]) -> list[HeaderBlock]:
    """Clusters of header label lines, each on one page."""
    blocks: list[HeaderBlock] = []
    cur: list[tuple[int, str]] = []

    def close() -> None:
        if cur:
            blocks.append(HeaderBlock(cur[0][0], cur[-1][0] + 1, tuple(f for _, f in cur)))

    for i, line in enumerate(lines):
        m = match_label(line)
        if m is None:
            continue
        if cur and (i - cur[-1][0] > BLOCK_GAP_LINES or lines[cur[-1][0]].page != line.page):
            close()
            cur = []
        cur.append((i, m.field))
    close()
    return blocks


def find_boundaries(lines: Sequence[Line]) -> tuple[list[int], bool]:
    """Where agenda-level items start, and whether they were found by stamps.

    A stamp repeated on the following pages of its item ("Agenda Item 7" on
    every page) starts the item once.
    """
    stamps: list[int] = []
    last_item: str | None = None
    for i, line in enumerate(lines):
        m = AGENDA_STAMP.match(line.text)
        if m is not None:
            item = re.sub(r"\s+", "", m.group("num").lower())
            if item != last_item:
                stamps.append(i)
            last_item = item
    if stamps:
        return stamps, True
    starts: list[int] = []
    page_start = 0
    for i, line in enumerate(lines):
        if i and line.page != lines[i - 1].page:
            page_start = i
        if i - page_start < DOCUMENT_START_LINES and DOCUMENT_START.match(line.text.strip()):
            starts.append(i)
    return starts, False


def _report_start(lines: Sequence[Line], block: HeaderBlock, floor: int, body_size: float) -> int:
    """First line of a report: its header block and the title lines above it on its page."""
    start = block.start
    page = lines[block.start].page
    while start > floor and block.start - start < PREAMBLE_MAX_LINES and lines[start - 1].page == page:
        if detect_heading(lines[start - 1], body_size=body_size) is not None:
            break  # the header scan would end at it ("19 March 2026" reads as item 19)
        start -= 1
    return start


def find_reports(
    lines: Sequence[Line],
    after: int = 0,
    *,
    body_size: float = 0.0,
    blocks: Sequence[HeaderBlock] | None = None,
) -> list[tuple[int, int]]:
    """(start, end) line ranges of the component reports, from index ``after`` on.

    ``blocks`` are ``find_header_blocks(lines)`` when the caller has them.
    """
    boundaries, stamped = find_boundaries(lines)
    blocks = [b for b in (find_header_blocks(lines) if blocks is None else blocks) if b.start >= after]
    cuts = sorted({after, *[b for b in boundaries if b >= after], len(lines)})
    starts: list[tuple[int, int]] = []  # (report start, segment end)
    for seg_start, seg_end in zip(cuts, cuts[1:]):
        is_stamp = stamped and seg_start in boundaries
        body = seg_start + 1 if is_stamp else seg_start
        for b in (b for b in blocks if body <= b.start < seg_end):
            near = is_stamp and b.start - body <= STAMP_WINDOW_LINES
            if b.strong() or (near and b.stamped()):
                starts.append((_report_start(lines, b, body, body_size), seg_end))
                if stamped:
                    break  # one report per stamped item: later headers are its appendices
    out: list[tuple[int, int]] = []
    for n, (start, seg_end) in enumerate(starts):
        nxt = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        out.append((start, min(seg_end, nxt)))
    return out


# ---------------------------------------------------------------- the pack


def parse_pack(doc: Document, lines: Sequence[Line]) -> Layout:
    """The pack's layout: agenda items as sections, one part per component report."""
    from pipeline.parse.report import parse_report_lines

    boundaries, _ = find_boundaries(lines)
    blocks = find_header_blocks(lines)
    # The agenda comes before the first item's papers and the first report header.
    first_boundary = min([len(lines), *boundaries[:1], *[b.start for b in blocks if b.strong()][:1]])
    agenda_start = find_agenda_start(lines, first_boundary)
    reports = find_reports(
        lines, after=agenda_start + 1 if agenda_start is not None else 0, body_size=doc.body_size, blocks=blocks
    )
    agenda_end = min([first_boundary, *[s for s, _ in reports]])
    cover = lines[: agenda_start if agenda_start is not None else agenda_end]
    fields, prov = cover_fields(cover)

    sections: list[Section] = []
    if agenda_start is not None:
        for item in parse_agenda(lines, agenda_start, agenda_end, committee=str(fields.get("committee") or "")):
            sections.append(
                Section(
                    number=item.number,
                    title=item.title,
                    kind=classify_kind(item.title),
                    level=1,
                    page=item.line.page,
                    text=item.text,
                    line=item.line.line_no,
                    end_page=item.end_page,
                    paragraphs=item.paragraphs,
                )
            )

    parts: list[Layout] = []
    meeting = {name: (fields[name], prov[name]) for name in ("committee", "meeting_date") if fields.get(name)}
    for start, end in reports:
        parts.append(parse_report_lines(doc, lines[start:end], "report", defaults=meeting))

    warnings: list[ReportWarning] = []
    if not parts:
        warnings.append(ReportWarning("pack_without_reports", "no report header found in the pack"))
    for name in ("committee", "meeting_date"):
        if name not in fields:
            warnings.append(ReportWarning("missing_field", f"no {name.replace('_', ' ')} on the pack's cover"))
    return Layout(
        document=doc,
        header=HeaderFields.from_values(fields, prov),
        sections=tuple(sections),
        recommendations=(),
        recommendation_leadin=None,
        doc_type="agenda_pack",
        warnings=tuple(warnings),
        parts=tuple(parts),
    )
