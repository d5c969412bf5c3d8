"""The layered parsing API: ``read_lines`` -> ``parse_sections`` -> ``parse_file``.

* :func:`pipeline.readers.read_lines` — a file into lines with layout.
* :func:`parse_sections` — lines into header fields, sections, recommendations,
  document type and structural warnings (:class:`~pipeline.types.Layout`).
* :func:`parse_document` / :func:`parse_file` — the full record
  (:class:`~pipeline.types.Report`) with period, entities and every warning.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from pipeline.errors import BoardpapersError, ReadError
from pipeline.council import detect_council
from pipeline.headers import HEADER_MAX_LINES, clean_contact, report_by, scan_header
from pipeline.layout import join_lines, strip_furniture
from pipeline.readers import SUPPORTED_EXTENSIONS, read_lines
from pipeline.recommendations import RecLine, extract_recommendations
from pipeline.readers.pdf import BODY_LINE_MIN_CHARS
from pipeline.sections import (
    DEFAULT_KIND,
    NUMBER_RE,
    Heading,
    classify_kind,
    continues_heading,
    detect_heading,
    is_caps,
)
from pipeline.types import (
    Document,
    Layout,
    Line,
    Provenance,
    Report,
    Section,
    Warning_,
)

# ---------------------------------------------------------------- vocabulary

#: Fields whose absence from a report is worth a ``missing_field`` warning.
REQUIRED_FIELDS: tuple[str, ...] = ("meeting_date", "subject")

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
#: Title lines of a non-report paper read for its meeting.
TITLE_LINES = 12
#: Paper types whose title is not a subject.
NO_SUBJECT_TYPES: frozenset[str] = frozenset({"minutes", "decision_notice", "forward_plan", "agenda_pack"})
#: Paper types whose title date is the meeting's date (a forward plan's is its publication).
DATED_TYPES: frozenset[str] = frozenset({"minutes", "decision_notice", "agenda_pack"})
#: The meeting a title names: "Minutes of the X Committee", "determined at X Committee".
MEETING_TITLE_RE = re.compile(
    r"""
    (?:minutes\s+of\s+(?:the\s+)?(?:meeting\s+of\s+(?:the\s+)?)?   # "Minutes of the ..."
      | (?:determined|taken|made)\s+(?:at|by)\s+(?:the\s+)?          # "Decision determined at ..."
      | to\s+be\s+taken\s+(?:at|by)\s+(?:the\s+)?                   # "decisions to be taken at ..."
    )
    (?P<committee>(?:[A-Z][\w&,'’\- ]{1,80}?\s)?(?:Committee|Board|Cabinet|Council|Panel|Forum|Commission|Executive|Sub-Committee))\b
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: Lines above a paper's title that are stamps, not its subject.
TITLE_STAMP = re.compile(
    r"""
    ^\s*(?:agenda\s+item|item|paper|appendix|annex)\s*(?:no\.?\s*)?[\dA-Z]{0,4}\.?\s*$   # "Agenda Item 7", "Item 4"
    | ^\s*(?:committee\s+)?report\s*$                                                  # "Committee Report"
    | ^\s*(?:official|official[\s-]+sensitive|public|part\s+[1iI]+|not\s+protectively\s+marked|unrestricted)\s*$  # markings
    | ^\s*[A-Z][\w ]+\s+(?:Borough|County|City|District|Metropolitan\s+Borough\s+)?Council\s*$  # the council's name
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: A title line has at most this many words.
TITLE_MAX_WORDS_SUBJECT = 25
#: A contact block introduced by a plain label line.
CONTACT_LABEL_LINE = re.compile(r"^\s*contact(?:s|\s+details|\s+officers?)?\s*:?\s*$", re.IGNORECASE)
#: "Contact: Sam Wilcock, Policy Committee Officer, email: ..." on a cover page.
CONTACT_INLINE = re.compile(r"^\s*contact(?:\s+officer)?\s*:\s*(?P<value>[A-Z].+)$", re.IGNORECASE)
#: How many lines after such a label are read as the block.
CONTACT_BLOCK_LINES = 12
#: "Sangeeta Surana – Pension Fund and Treasury Investments Manager": a signature line.
NAME_ROLE_LINE = re.compile(r"^(?:Dr\.?\s+)?[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+){1,2}\s*[–,\-]\s+[A-Z].{3,80}$")
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

#: Document types by their title words, strongest first.
DOC_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE | re.VERBOSE))
    for kind, pattern in (
        ("agenda_pack", r"public\s+document\s+pack"),
        ("forward_plan", r"forward\s+plan|work\s+programme|notice\s+of\s+(?:anticipated\s+)?key\s+decisions"),
        ("decision_notice", r"decision\s+(?:recording\s+form|notice|record)|record\s+of\s+(?:executive\s+)?decision"),
        ("minutes", r"^minutes\b|\bminutes\s+of\s+the\b"),
        ("appendix", r"^appendix\b|impact\s+assessment|^annex\b"),
    )
)
#: How many lines from the top are read for the document type...
DOC_TYPE_LINES = 12
#: ...and only title-like ones ("MINUTES of the meeting of the CABINET held on ...")...
DOC_TYPE_MAX_WORDS = 25
#: ...an appendix's title is short: a wrapped prose line starting "Appendix B." is not one.
APPENDIX_TITLE_MAX_WORDS = 12


# ---------------------------------------------------------------- helpers


def report_id(path: Path, sha256: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-") or "paper"
    return f"{stem}-{sha256[:8]}"


def detect_doc_type(lines: Sequence[Line], fields: dict) -> str:
    """The paper's type from its title lines (short lines at the top, not prose)."""
    head = [l.text for l in lines[:DOC_TYPE_LINES] if len(l.text.split()) <= DOC_TYPE_MAX_WORDS]
    for kind, pattern in DOC_TYPE_PATTERNS:
        for text in head:
            if pattern.search(text) and (kind != "appendix" or len(text.split()) <= APPENDIX_TITLE_MAX_WORDS):
                return kind
    return "report"


# ---------------------------------------------------------------- structure


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
    """"10. Economy and Skills Delivery: The variance ..." after paragraph 9 is
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
    from pipeline.contacts import AUTHOR_LABEL, DIRECTOR_LABEL

    return len(title.split()) <= 4 and bool(AUTHOR_LABEL.search(title) or DIRECTOR_LABEL.search(title))


def find_headings(lines: Sequence[Line], body_size: float) -> list[tuple[int, Heading, int]]:
    """(first line index, heading, last line index) for every heading in ``lines``."""
    right = right_edge(lines)
    left = left_margin(lines)
    found: list[tuple[int, Heading, int]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        h = detect_heading(line, body_size=body_size)
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
    found = [item for k, item in enumerate(found) if not _is_list_run(found, k)]
    found = [item for k, item in enumerate(found) if not _inside_numbered_run(found, k)]
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


def parse_sections(doc: Document) -> Layout:
    """Header fields, sections and recommendations of one document (no enrichment)."""
    lines = strip_furniture(doc.lines)
    doc_type = detect_doc_type(lines, {})
    if doc_type == "agenda_pack":
        from pipeline.packs import parse_pack

        return parse_pack(doc, lines)
    return parse_report_lines(doc, lines, doc_type)


def parse_report_lines(
    doc: Document,
    lines: Sequence[Line],
    doc_type: str,
    *,
    defaults: Mapping[str, tuple[object, Provenance]] | None = None,
) -> Layout:
    """Header, sections and recommendations of one paper's lines (furniture removed).

    ``defaults`` fill header fields the paper leaves out (a report in an agenda
    pack goes to the pack's meeting), with their provenance.
    """
    is_heading = _is_heading_factory(doc.body_size)
    header = scan_header(lines, is_heading=is_heading)
    fields: dict[str, object] = dict(header.values)
    provenance: dict[str, Provenance] = dict(header.provenance)
    body = lines[header.end :]
    for name, (value, line) in report_by(lines[:HEADER_MAX_LINES]).items():
        if name not in fields:
            fields[name], provenance[name] = value, Provenance(line.page, line.line_no)
    headings = find_headings(body, doc.body_size)
    warnings: list[Warning_] = []

    # Papers that are not reports: the meeting from their title lines, no invented subject.
    if doc_type != "report":
        for name, value, where in meeting_from_title(lines, doc_type):
            if name not in fields:
                fields[name], provenance[name] = value, where
        if doc_type in NO_SUBJECT_TYPES:
            fields.pop("subject", None)
            provenance.pop("subject", None)
    # Subject from the preamble when no label gave it (a title line above the body).
    if "subject" not in fields and doc_type == "report":
        # The title stands between the header table and the first heading, else above the table.
        between = [l for l in (body[: headings[0][0]] if headings else ()) if len(l.text.split()) <= TITLE_MAX_WORDS_SUBJECT]
        pre = between[:3] if header.found_labels and between else (header.preamble if header.found_labels else between)
        title_lines = [
            l for l in pre
            if l.text.strip() and detect_doc_type([l], {}) == "report" and not TITLE_STAMP.match(l.text)
        ]
        if title_lines:
            fields["subject"] = re.sub(r"\s+", " ", " ".join(l.text for l in title_lines[:3])).strip()
            provenance["subject"] = Provenance(title_lines[0].page, title_lines[0].line_no)

    sections: list[Section] = []
    kinds_by_level: dict[int, str] = {}
    section_lines: list[list[Line]] = []
    for n, (start, h, last) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(body)
        content = list(body[last + 1 : end])
        parent = None
        for lvl in range(h.level - 1, 0, -1):
            if lvl in kinds_by_level:
                parent = kinds_by_level[lvl]
                break
        kind = classify_kind(h.title, parent, level=h.level)
        kinds_by_level[h.level] = kind
        for lvl in [k for k in kinds_by_level if k > h.level]:
            del kinds_by_level[lvl]
        if h.text:  # the run-in text is the section's first line
            content_for_text = [dataclasses.replace(h.line, text=h.text), *content]
        else:
            content_for_text = content
        text = join_lines(content_for_text)
        end_page = content[-1].page if content else h.line.page
        sections.append(
            Section(h.number, h.title.strip(), kind, h.level, h.line.page, text, h.line.line_no, end_page)
        )
        section_lines.append(content)

    # Contact from the contact sections (or a contact block) when the header had none.
    if "contact" not in fields:
        found = find_contact(lines, sections, headings, section_lines)
        if found:
            fields["contact"], provenance["contact"] = found

    for name, (value, where) in (defaults or {}).items():
        if not fields.get(name) and value:
            fields[name], provenance[name] = value, where

    # Recommendations: the first recommendations section that yields items.
    recs: tuple = ()
    leadin = None
    if doc_type == "report":
        for s, (start, h, last), content in zip(sections, headings, section_lines):
            if s.kind != "recommendations":
                continue
            rl = ([RecLine(h.text, h.line)] if h.text else []) + [RecLine(l.text, l) for l in content]
            recs, leadin = extract_recommendations(rl)
            if recs:
                break

    # Structural warnings.
    seen: dict[str, Section] = {}
    for s in sections:
        if s.number and s.number in seen:
            warnings.append(
                Warning_("duplicate_section_number", f"section {s.number} is numbered twice "
                         f"({seen[s.number].title!r} and {s.title!r})", s.page)
            )
        elif s.number:
            seen[s.number] = s
    if doc_type == "report":
        for name in REQUIRED_FIELDS:
            if not fields.get(name):
                warnings.append(Warning_("missing_field", f"no {name.replace('_', ' ')} in the document"))

    return Layout(
        document=doc,
        fields=fields,
        provenance=provenance,
        sections=tuple(sections),
        recommendations=recs,
        recommendation_leadin=leadin,
        doc_type=doc_type,
        warnings=tuple(warnings),
    )


def meeting_from_title(lines: Sequence[Line], doc_type: str) -> list[tuple[str, object, Provenance]]:
    """Committee and meeting date from the title lines of minutes, decision notices and plans.

    "Minutes of the Transport and Connectivity / Policy Committee / 12 September 2024",
    "Decision determined at ... Committee meeting on 12 September 2024",
    "... KEY DECISIONS TO BE TAKEN AT TRANSPORT & CONNECTIVITY POLICY COMMITTEE".
    """
    from pipeline.council import uncap
    from pipeline.dates import find_dates

    first_page = lines[0].page if lines else 1
    head = [l for l in lines[:TITLE_LINES] if l.page == first_page]
    text = " ".join(l.text for l in head)
    out: list[tuple[str, object, Provenance]] = []
    m = MEETING_TITLE_RE.search(text)
    if m:
        committee = re.sub(r"\s+", " ", m.group("committee")).strip()
        where = head[0]
        for l in head:
            if committee.split()[0].lower() in l.text.lower():
                where = l
                break
        out.append(("committee", uncap(committee), Provenance(where.page, where.line_no)))
    if doc_type in DATED_TYPES:
        for l in head:
            dates = find_dates(l.text)
            if dates:
                out.append(("meeting_date", dates[0][2], Provenance(l.page, l.line_no)))
                break
    return out


def find_contact(
    lines: Sequence[Line],
    sections: Sequence[Section],
    headings: Sequence[tuple[int, Heading, int]],
    section_lines: Sequence[Sequence[Line]],
) -> tuple[str, Provenance] | None:
    """The contact people, from contact sections, else a "Contact details:" block,
    else a signature block (a name and role followed by a telephone or e-mail line)."""
    from pipeline.contacts import DETAIL_RE, contact_from_lines

    people: list[str] = []
    where: Provenance | None = None
    for s, (_, h, _), content in zip(sections, headings, section_lines):
        if s.kind != "contact":
            continue
        block = ([dataclasses.replace(h.line, text=h.text, spans=h.line.spans[-1:])] if h.text else []) + list(content)
        value = contact_from_lines(block)
        if value:
            people.extend(p for p in value.split("; ") if p not in people)
            where = where or Provenance(s.page, s.line)
    if people and where:
        return "; ".join(people), where
    for line in lines:
        m = CONTACT_INLINE.match(line.text)
        if m and line.page == lines[0].page:
            value = clean_contact(m.group("value"))
            if value:
                return value, Provenance(line.page, line.line_no)
    for i, line in enumerate(lines):
        if CONTACT_LABEL_LINE.match(line.text):
            value = contact_from_lines(lines[i + 1 : i + 1 + CONTACT_BLOCK_LINES])
            if value:
                return value, Provenance(line.page, line.line_no)
    last_page = max((l.page for l in lines), default=0)
    tail = [l for l in lines if l.page >= last_page - 1]
    for i, line in enumerate(tail[:-1]):
        nxt = tail[i + 1]
        if NAME_ROLE_LINE.match(line.text) and DETAIL_RE.match(nxt.text.strip()):
            value = contact_from_lines(tail[i : i + 3])
            if value:
                return value, Provenance(line.page, line.line_no)
    return None


# ---------------------------------------------------------------- the record


def parse_document(doc: Document, *, model: str | None = None, entities: bool = True) -> Report:
    """The full record for one read document: structure, council, period, entities."""
    layout = parse_sections(doc)
    return report_from_layout(layout, model=model, entities=entities)


def report_from_layout(
    layout: Layout,
    *,
    model: str | None = None,
    entities: bool = True,
    report_id_: str | None = None,
    parent_id: str | None = None,
) -> Report:
    from pipeline.periods import detect_period

    doc = layout.document
    path = Path(doc.source.path)
    rid = report_id_ or report_id(path, doc.source.sha256)
    parts = tuple(
        report_from_layout(part, model=model, entities=entities, report_id_=f"{rid}-p{n}", parent_id=rid)
        for n, part in enumerate(layout.parts, start=1)
    )
    f = dict(layout.fields)
    council = f.get("council") or detect_council(
        ((l.page, l.text) for l in doc.lines), header=[str(f.get(k) or "") for k in ("committee", "subject")]
    )
    provenance = dict(layout.provenance)
    if council and "council" not in provenance:
        # Cite the first line that names the council (or its place).
        place = council.split()[0].lower()
        where = next((l for l in doc.lines if council.lower() in l.text.lower()), None) or next(
            (l for l in doc.lines if place in l.text.lower()), None
        )
        if where is not None:
            provenance["council"] = Provenance(where.page, where.line_no)
    warnings = list(layout.warnings)
    period = None
    if layout.doc_type == "report":
        body = "\n".join(s.text for s in layout.sections) or " ".join(l.text for l in doc.lines[:400])
        period, period_warnings = detect_period(f.get("subject"), body, f.get("meeting_date"))
        warnings.extend(period_warnings)
    ents: tuple = ()
    if entities:
        from pipeline.entities import extract_entities

        people = [str(f[k]) .split(",")[0] for k in ("contact",) if f.get(k)]
        header_text = "\n".join(f"{k}: {v}" for k, v in f.items() if isinstance(v, str))
        ents = extract_entities(layout.sections, header=header_text, people=people, model=model)
    return Report(
        id=rid,
        source=doc.source,
        doc_type=layout.doc_type,
        council=council,
        committee=f.get("committee"),
        meeting_date=f.get("meeting_date"),
        reporting_officer=f.get("reporting_officer"),
        portfolio=f.get("portfolio"),
        cabinet_member=f.get("cabinet_member"),
        contact=f.get("contact"),
        subject=f.get("subject"),
        wards=f.get("wards"),
        key_decision=f.get("key_decision"),
        reference=f.get("reference"),
        period=period,
        recommendations=layout.recommendations,
        recommendation_leadin=layout.recommendation_leadin,
        sections=layout.sections,
        entities=ents,
        warnings=tuple(warnings),
        provenance=provenance,
        parts=parts,
        parent_id=parent_id,
    )


def parse_file(
    path: str | os.PathLike[str], *, pdf_engine: str | None = None, model: str | None = None, entities: bool = True
) -> Report:
    """Read and parse one paper into its record. Raises ReadError for bad input."""
    doc = read_lines(path, pdf_engine=pdf_engine)
    return parse_document(doc, model=model, entities=entities)


def iter_paper_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named and the papers inside folders named (recursively, sorted, no symlink loops)."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            seen: set[tuple[int, int]] = set()
            for root, dirs, files in os.walk(p, followlinks=True):
                st = os.stat(root)
                key = (st.st_dev, st.st_ino)
                if key in seen:
                    dirs[:] = []
                    continue
                seen.add(key)
                dirs.sort()
                for name in sorted(files):
                    fp = Path(root) / name
                    if fp.suffix.lower() in SUPPORTED_EXTENSIONS and not name.startswith("."):
                        yield fp
        else:
            yield p


def committee_key(committee: str | None) -> str | None:
    """A committee's name compared across papers: case and punctuation folded, "&" = "and"."""
    if not committee:
        return None
    t = committee.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", t).strip() or None


def council_lender(
    named: Iterable[tuple[str | None, str, str]],
) -> Callable[[str | None, str], str | None]:
    """The rule by which a paper that names no council borrows one from its siblings.

    ``named`` holds ``(committee, folder, council)`` for every paper that names
    its council itself (a ``council`` provenance, not a borrowed one). The
    returned function gives, for a committee and a folder, the council named by
    papers to that committee (compared by :func:`committee_key`) in the same
    folder when there is exactly one, else the only one named anywhere, else
    None: a committee name several councils share ("Cabinet") lends nothing.
    Used by :func:`fill_from_siblings` (a parsed batch) and by
    :func:`pipeline.ingest.fill_councils` (the whole index).
    """
    anywhere: dict[str, set[str]] = {}
    here: dict[tuple[str, str], set[str]] = {}
    for committee, folder, council in named:
        key = committee_key(committee)
        if key:
            anywhere.setdefault(key, set()).add(council)
            here.setdefault((folder, key), set()).add(council)

    def lent(committee: str | None, folder: str) -> str | None:
        key = committee_key(committee)
        if not key:
            return None
        for councils in (here.get((folder, key)), anywhere.get(key)):
            if councils:
                return next(iter(councils)) if len(councils) == 1 else None
        return None

    return lent


def _with_parts(reports: Iterable[Report]) -> Iterator[Report]:
    """Each report, then its component reports (a pack's parts), depth first."""
    for r in reports:
        yield r
        yield from _with_parts(r.parts)


def fill_from_siblings(reports: Sequence[Report]) -> list[Report]:
    """Papers that do not name their council take it from papers to the same committee.

    A batch from one archive shares its committees: "Children and Young People
    Policy and Performance Board" names the council in one paper and not in
    another. The rule is ingest's (:func:`pipeline.ingest.fill_councils`): only
    councils a paper names count (those with a ``council`` provenance, not
    borrowed ones); the council is lent when it is the only one named by papers
    to that committee in the same folder, else the only one in the whole batch;
    a committee name several councils share ("Cabinet") lends nothing. A pack's
    component reports lend and borrow as papers do. The borrowed council gets
    no provenance: no line of the paper names it.
    """
    lent = council_lender(
        (r.committee, os.path.dirname(r.source.path), r.council)
        for r in _with_parts(reports)
        if r.council and "council" in r.provenance
    )

    def filled(r: Report) -> Report:
        parts = tuple(filled(p) for p in r.parts)
        council = r.council or lent(r.committee, os.path.dirname(r.source.path))
        if council == r.council and all(a is b for a, b in zip(parts, r.parts)):
            return r
        return dataclasses.replace(r, council=council, parts=parts)

    return [filled(r) for r in reports]


def parse_paths(
    paths: Iterable[str | os.PathLike[str]], *, pdf_engine: str | None = None, model: str | None = None
) -> list[tuple[Path, Report | BoardpapersError]]:
    """Parse every paper named (folders expanded), returning errors instead of raising.

    Results keep the order of the arguments; councils missing from one paper
    are filled from papers to the same committee in the batch.
    """
    results: list[tuple[Path, Report | BoardpapersError]] = []
    for p in iter_paper_paths(paths):
        try:
            results.append((p, parse_file(p, pdf_engine=pdf_engine, model=model)))
        except BoardpapersError as exc:
            results.append((p, exc))
        except Exception as exc:  # a parser bug must not stop a batch
            results.append((p, ReadError(str(p), f"could not be parsed ({type(exc).__name__}: {exc})")))
    reports = fill_from_siblings([r for _, r in results if isinstance(r, Report)])
    it = iter(reports)
    return [(p, next(it) if isinstance(r, Report) else r) for p, r in results]
