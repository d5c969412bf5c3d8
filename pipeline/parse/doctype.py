"""A paper's type (report, minutes, decision notice, forward plan, appendix, agenda pack) from its title lines."""

from __future__ import annotations

import re
from typing import Sequence

from pipeline.model import (
    Line,
)

#: Paper types whose title is not a subject.
NO_SUBJECT_TYPES: frozenset[str] = frozenset({"minutes", "decision_notice", "forward_plan", "agenda_pack"})


#: Paper types whose title date is the meeting's date (a forward plan's is its publication).
DATED_TYPES: frozenset[str] = frozenset({"minutes", "decision_notice", "agenda_pack"})


#: Document types by their title words, strongest first.
DOC_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE | re.VERBOSE))
    for kind, pattern in (
        ("agenda_pack", r"public\s+document\s+pack"),
        (
            "forward_plan",
            r"forward\s+plan(?!\s+(?:ref|reference|no\b|number|item))|work\s+programme"
            r"|notice\s+of\s+(?:anticipated\s+)?key\s+decisions",
        ),
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


def detect_doc_type(lines: Sequence[Line]) -> str:
    """The paper's type from its title lines (short lines at the top, not prose)."""
    head = [l.text for l in lines[:DOC_TYPE_LINES] if len(l.text.split()) <= DOC_TYPE_MAX_WORDS]
    for kind, pattern in DOC_TYPE_PATTERNS:
        for text in head:
            if pattern.search(text) and (kind != "appendix" or len(text.split()) <= APPENDIX_TITLE_MAX_WORDS):
                return kind
    return "report"


#: A file named as an appendix ("Appendix 6 - Primary scheme.pdf", "..._appendix6_...", "Annex B.pdf").
APPENDIX_FILE_NAME = re.compile(
    r"""
    (?:^|[\W_])(?:appendix|annexe?)         # the word, at a word or underscore boundary
    (?:[\W_]*[0-9]{1,2}[a-z]?|[\W_]+[a-z])?   # its number or letter: "6", "_b", " A"
    (?:[\W_]|$)                             # and a boundary after it
    """,
    re.VERBOSE | re.IGNORECASE,
)


def doc_type_of(lines: Sequence[Line], file_name: str = "") -> str:
    """The paper's type from its title lines, else an appendix by its file name (its pages may not say so)."""
    kind = detect_doc_type(lines)
    if kind == "report" and file_name and APPENDIX_FILE_NAME.search(file_name):
        return "appendix"
    return kind
