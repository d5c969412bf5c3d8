"""One report's layout: header fields, sections, recommendations and structural warnings from its lines."""

from __future__ import annotations

import dataclasses
import re
from typing import Mapping, Sequence

from pipeline.model import (
    Document,
    HeaderFields,
    Layout,
    Line,
    Provenance,
    ReportWarning,
    Section,
)
from pipeline.parse.contacts import find_contact
from pipeline.parse.doctype import DATED_TYPES
from pipeline.parse.fields import read_header
from pipeline.parse.furniture import join_lines_cited
from pipeline.parse.headings import (
    DEFAULT_KIND,
    classify_kind,
)
from pipeline.parse.recommendations import RecLine, extract_recommendations
from pipeline.parse.structure import _is_heading_factory, find_headings
from pipeline.parse.values import check

#: Fields whose absence from a report is worth a ``missing_field`` warning.
REQUIRED_FIELDS: tuple[str, ...] = ("meeting_date", "subject")


#: Title lines of a non-report paper read for its meeting.
TITLE_LINES = 12


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


#: A recommendations section's title that says so (not "Proposal").
RECOMMENDS_TITLE = re.compile(
    r"""
    recommend          # Recommendation(s), Recommended, Officer recommendation
    | ^resolution      # Resolution
    | decisions?\b     # Decision(s) required
    """,
    re.VERBOSE | re.IGNORECASE,
)


#: A paper without headings is one section, titled by its subject or this many words of its first line.
UNTITLED_TITLE_WORDS = 12


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
    header = read_header(lines, doc_type, is_heading=is_heading, body_size=doc.body_size)
    fields: dict[str, object] = dict(header.values)
    provenance: dict[str, Provenance] = dict(header.provenance)
    body = lines[header.end :]
    headings = find_headings(body, doc.body_size)
    warnings: list[ReportWarning] = []

    # Papers that are not reports: the meeting from their title lines.
    if doc_type != "report":
        for name, value, where in meeting_from_title(lines, doc_type):
            if name not in fields:
                fields[name], provenance[name] = value, where

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
        text, paragraphs = join_lines_cited(content_for_text)
        end_page = content[-1].page if content else h.line.page
        sections.append(
            Section(
                h.number,
                h.title.strip(),
                kind,
                h.level,
                h.line.page,
                text,
                h.line.line_no,
                end_page,
                paragraphs=paragraphs,
            )
        )
        section_lines.append(content)

    # No headings at all (a scan's OCR text, a letter): its text is one section, so it is searchable.
    if not sections:
        whole = _untitled_section(body or lines, fields.get("subject"))
        if whole is not None:
            sections.append(whole)
            section_lines.append(list(body or lines))

    # Contact from the contact sections (or a contact block) when the header had none.
    if "contact" not in fields:
        found = find_contact(lines, sections, headings, section_lines)
        if found and check("contact", found[0]):
            fields["contact"], provenance["contact"] = found

    for name, (value, where) in (defaults or {}).items():
        if not fields.get(name) and value:
            fields[name], provenance[name] = value, where

    # Recommendations: the first recommendations section that yields items.
    recs: tuple = ()
    leadin = None
    if doc_type == "report":
        candidates = [c for c in zip(sections, headings, section_lines) if c[0].kind == "recommendations"]
        # A section that says it recommends comes before one that describes a proposal
        # (a planning application's "Proposal: Erection of two dwellings ...").
        candidates.sort(key=lambda c: 0 if RECOMMENDS_TITLE.search(c[0].title) else 1)
        for s, (start, h, last), content in candidates:
            rl = ([RecLine(h.text, h.line)] if h.text else []) + [RecLine(l.text, l) for l in content]
            recs, leadin = extract_recommendations(rl)
            if recs:
                break

    # Structural warnings.
    seen: dict[str, Section] = {}
    for s in sections:
        if s.number and s.number in seen:
            warnings.append(
                ReportWarning(
                    "duplicate_section_number",
                    f"section {s.number} is numbered twice ({seen[s.number].title!r} and {s.title!r})",
                    s.page,
                )
            )
        elif s.number:
            seen[s.number] = s
    if doc_type == "report":
        for name in REQUIRED_FIELDS:
            if not fields.get(name):
                warnings.append(ReportWarning("missing_field", f"no {name.replace('_', ' ')} in the document"))

    return Layout(
        document=doc,
        header=HeaderFields.from_values(fields, provenance),
        sections=tuple(sections),
        recommendations=recs,
        recommendation_leadin=leadin,
        doc_type=doc_type,
        warnings=tuple(warnings),
    )


def _untitled_section(lines: Sequence[Line], subject: object) -> Section | None:
    """All of a paper's text as one section, titled by its subject, else its first line."""
    text, paragraphs = join_lines_cited(lines)
    if not text:
        return None
    first = next(l for l in lines if l.text.strip())
    title = str(subject) if subject else " ".join(first.text.split()[:UNTITLED_TITLE_WORDS])
    return Section(None, title, DEFAULT_KIND, 1, first.page, text, first.line_no, lines[-1].page, paragraphs=paragraphs)


def meeting_from_title(lines: Sequence[Line], doc_type: str) -> list[tuple[str, object, Provenance]]:
    """Committee and meeting date from the title lines of minutes, decision notices and plans.

    "Minutes of the Transport and Connectivity / Policy Committee / 12 September 2024",
    "Decision determined at ... Committee meeting on 12 September 2024",
    "... KEY DECISIONS TO BE TAKEN AT TRANSPORT & CONNECTIVITY POLICY COMMITTEE".
    """
    from pipeline.parse.council import uncap
    from pipeline.parse.dates import find_dates

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
