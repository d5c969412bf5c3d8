"""The parsed query language and a search request."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QTerm:
    """A word (the engine applies its analyzer: case, stemming)."""

    text: str
    field: str | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class QPhrase:
    """Words that must occur together, in order ("foster carers")."""

    text: str
    field: str | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class QPrefix:
    """Words starting with ``text`` (``recruit*``)."""

    text: str
    field: str | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class QFuzzy:
    """Words within ``distance`` edits of ``text`` (``recruitmnet~``)."""

    text: str
    field: str | None = None
    distance: int = 2
    position: int = 0


@dataclass(frozen=True, slots=True)
class QDateRange:
    """Meeting dates from ``start`` to ``end`` inclusive (None: open)."""

    start: _dt.date | None
    end: _dt.date | None
    position: int = 0


@dataclass(frozen=True, slots=True)
class QAnd:
    children: tuple["QueryNode", ...]


@dataclass(frozen=True, slots=True)
class QOr:
    children: tuple["QueryNode", ...]


@dataclass(frozen=True, slots=True)
class QNot:
    child: "QueryNode"


@dataclass(frozen=True, slots=True)
class QAll:
    """Matches everything (an empty query with filters, or ``*``)."""


QueryNode = QTerm | QPhrase | QPrefix | QFuzzy | QDateRange | QAnd | QOr | QNot | QAll


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What the search layer asks an index engine for (``Index.search``)."""

    query: QueryNode
    filter: QueryNode | None = None  # restricts the matches without scoring
    target: str = "section"  # "section" | "recommendation"
    limit: int = 10
    offset: int = 0
    per_report: int | None = None  # keep at most this many hits per report
    sort: str = "relevance"  # "relevance" (ties: newest first) | "date" (newest first)
    report_ids: tuple[str, ...] = ()  # only these reports (empty: all)
    snippets: bool = True  # False: hits carry no snippet (cheaper)
    counts: bool = True  # False: total and reports may be left 0 (cheaper: the caller wants the hits only)
    texts: bool = False  # True: each hit carries its document's stored text (Hit.text)


def positive_leaves(node: QueryNode) -> list[QueryNode]:
    """The leaves a hit matched for (not under NOT): what a snippet highlights."""
    if isinstance(node, (QAnd, QOr)):
        return [leaf for child in node.children for leaf in positive_leaves(child)]
    if isinstance(node, QNot):
        return []
    return [node]
