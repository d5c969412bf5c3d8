"""A paper's header fields chosen from their candidates: the label table, then the title block.

:func:`pipeline.parse.headers.scan_header` reads the label table (values
checked there); :mod:`pipeline.parse.titles` reads the lines without labels
above and below it.  A labelled value wins over a title line's; each field
keeps the line it was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from pipeline.model import Line, Provenance
from pipeline.parse.doctype import NO_SUBJECT_TYPES
from pipeline.parse.headers import (
    HEADER_MAX_LINES,
    HeaderResult,
    match_label,
    parse_key_decision,
    report_by,
    scan_header,
)
from pipeline.parse.titles import Candidate, between_zone, read_title_block, title_zone
from pipeline.parse.values import check

#: A decision maker who is a portfolio councillor: "Cabinet Member for Traffic & Transportation".
PORTFOLIO_DECISION_MAKER = re.compile(
    r"""
    ^(?:the\s+)?(?:cabinet|executive|lead)\s+member\s+for\s+\S   # Cabinet Member for ..., Executive Member for ...
    | ^(?:the\s+)?portfolio\s+holder\s+for\s+\S                  # Portfolio Holder for ...
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: An agenda item's number stands within this many line heights of its label...
STAMP_NEAR_LINES = 3
#: ...and is this short ("5", "12a").
STAMP_MAX_CHARS = 4

#: A summary's sentence naming the wards: "This matter affects all Wards within the Borough."
WARDS_SENTENCE = re.compile(
    r"""
    \bthis\s+(?:matter|report|decision|proposal)\s+(?:affects|relates\s+to)\s+  # "This matter affects"
    (?P<wards>all\s+wards\b[^.;:]{0,40}                                     # "all Wards within the Borough"
      | (?:the\s+)?(?-i:[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,3})\s+wards?\b)  # "the Riverside ward"
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: The wards sentence is looked for in the paper's first lines.
WARDS_SENTENCE_LINES = 60

#: Paper types whose title block may name the meeting and the paper (others have their own readers).
TITLE_BLOCK_TYPES: frozenset[str] = frozenset({"report", "appendix"})


@dataclass(frozen=True, slots=True)
class HeaderRead:
    """The header's values with their provenance, and where the body starts."""

    values: dict[str, object]
    provenance: dict[str, Provenance]
    end: int  # index of the first line after the header table (0: none)
    table: HeaderResult


def read_header(
    lines: Sequence[Line], doc_type: str, *, is_heading: Callable[[Line], bool], body_size: float = 0.0
) -> HeaderRead:
    """Header fields of one paper's lines (furniture removed)."""
    table = scan_header(lines, is_heading=is_heading, body_size=body_size)
    values: dict[str, object] = dict(table.values)
    prov: dict[str, Provenance] = dict(table.provenance)

    def take(cands: Sequence[Candidate], only: str | None = None) -> None:
        for c in cands:
            if (only is None or c.field == only) and c.field not in values and check(c.field, c.value):
                values[c.field], prov[c.field] = c.value, Provenance(c.line.page, c.line.line_no)

    for name, (value, line) in report_by(lines[:HEADER_MAX_LINES]).items():
        if name not in values and check(name, value):
            values[name], prov[name] = value, Provenance(line.page, line.line_no)
    if doc_type in TITLE_BLOCK_TYPES:
        if table.found_labels:
            above = read_title_block(table.preamble)
            below = read_title_block(between_zone(lines[table.end :], body_size=body_size))
            take(below, only="subject")  # a title under the table ("Report Of: ..." / bold title)
            take(above)
            take(below)
        else:
            take(read_title_block(title_zone(lines, body_size=body_size)))
    if doc_type == "report" and "key_decision" not in values:
        # A key-decision row further on: a table of decision details at the end of the paper.
        for line in lines[table.end :]:
            if "key" not in line.text.lower():
                continue  # a cheap test before the label table
            row = match_label(line)
            decided = parse_key_decision(row.value) if row is not None and row.field == "key_decision" else None
            if decided is not None:
                values["key_decision"], prov["key_decision"] = decided, Provenance(line.page, line.line_no)
                break
    if doc_type == "report" and "wards" not in values:
        for line in lines[:WARDS_SENTENCE_LINES]:
            said = WARDS_SENTENCE.search(line.text)
            if said and check("wards", said.group("wards").strip()):
                values["wards"], prov["wards"] = said.group("wards").strip(), Provenance(line.page, line.line_no)
                break
    if "reference" not in values:
        stamp = _stamp_beside_label(lines[:HEADER_MAX_LINES])
        if stamp is not None:
            values["reference"], prov["reference"] = stamp[0], Provenance(stamp[1].page, stamp[1].line_no)
    committee = values.get("committee")
    if isinstance(committee, str) and "cabinet_member" not in values and PORTFOLIO_DECISION_MAKER.match(committee):
        # a single member's decision: the decision maker is the portfolio named in the header
        values["cabinet_member"], prov["cabinet_member"] = committee, prov["committee"]
    if doc_type in NO_SUBJECT_TYPES:
        values.pop("subject", None)
        prov.pop("subject", None)
    return HeaderRead(values, prov, table.end, table)


def _stamp_beside_label(lines: Sequence[Line]) -> tuple[str, Line] | None:
    """An "Agenda item:" label with its number in a box of its own, on the line above or below ("5")."""
    for k, line in enumerate(lines):
        row = match_label(line)
        if row is None or row.field != "reference" or row.value:
            continue
        for near in (lines[k - 1] if k else None, lines[k + 1] if k + 1 < len(lines) else None):
            if near is None or near.page != line.page or abs(near.top - line.top) > STAMP_NEAR_LINES * (line.size or 1):
                continue
            code = near.text.strip()
            if len(code) <= STAMP_MAX_CHARS and check("reference", code):
                return code, near
    return None
