"""What the index and search give back: hits, pages of results, lineages, statistics."""

from __future__ import annotations



import datetime as _dt
from dataclasses import dataclass

@dataclass(frozen=True, slots=True)
class Hit:
    """One matching section of one report."""

    report_id: str
    path: str
    section_index: int
    section_number: str | None
    section_title: str
    section_kind: str
    page: int
    meeting_date: _dt.date | None
    committee: str | None
    officer: str | None
    subject: str | None
    council: str | None
    period: str | None  # "2017/18-Q2"
    score: float
    snippet: str  # plain text, matched terms wrapped in [[ ]]
    text: str = ""  # the document's stored text, when asked for (SearchRequest.texts): a recommendation's


@dataclass(frozen=True, slots=True)
class SearchResult:
    """An engine's answer. For target "recommendation" each Hit is one
    recommendation: ``section_kind`` "recommendation", ``section_index`` its
    1-based number, ``section_number`` its label."""

    hits: tuple[Hit, ...]
    total: int  # matching documents (sections or recommendations)
    reports: int  # distinct reports among them
    reports_exact: bool = True  # False: ``reports`` is an estimate (a large result set on some engines)


@dataclass(frozen=True, slots=True)
class ReportHits:
    """One report's best matching sections (grouped search results)."""

    report_id: str
    path: str
    meeting_date: _dt.date | None
    committee: str | None
    subject: str | None
    period: str | None
    score: float  # its best section's score
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of search results, grouped by report or flat."""

    query: str
    page: int
    limit: int
    total: int  # matching sections
    reports: int  # matching reports
    grouped: bool
    groups: tuple[ReportHits, ...]  # empty when flat
    hits: tuple[Hit, ...]  # the page's hits in display order (both modes)
    reports_exact: bool = True  # False: ``reports`` is an estimate (see SearchResult)


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One recommendation in a lineage (``boardpapers trace``)."""

    recommendation_id: str  # "<report id>#r<number>"
    report_id: str
    path: str
    number: int
    text: str
    meeting_date: _dt.date | None
    committee: str | None
    officer: str | None
    period: str | None
    similarity: float  # 0-100, to the seed recommendation or the lineage's first entry
    lineage: str  # "L1", "L2"...


@dataclass(frozen=True, slots=True)
class Lineage:
    """Near-identical recommendations across reports, in date order."""

    id: str
    text: str  # the earliest wording
    entries: tuple[TraceEntry, ...]


@dataclass(frozen=True, slots=True)
class TraceResult:
    query: str
    seed: TraceEntry | None  # the recommendation traced, when given by id
    lineages: tuple[Lineage, ...]


@dataclass(frozen=True, slots=True)
class StatCount:
    dimension: str  # council | committee | fiscal_year | quarter | doc_type | warning
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class IndexStats:
    reports: int
    sections: int
    files: int
    counts: tuple[StatCount, ...]
