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
    line: int = 0  # the cited line (1-based in the paper) when known: ``similar`` cites its passage's first line


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
class DecisionLink:
    """What became of one recommendation at the meeting it went to (``pipeline.search.decisions``).

    The decision cited is ``decisions[decision_index]`` of the record ``decision_report_id``
    (minutes, a decision notice, or an agenda pack holding the minutes).
    """

    recommendation_id: str  # "<report id>#r<number>"
    report_id: str
    number: int
    outcome: str  # one of pipeline.model.vocab.LINK_OUTCOMES
    amendment: str | None = None  # "agreed with amendment": the words the decision changed
    similarity: float = 0.0  # 0-100: the recommendation's wording against the decision's
    decision_report_id: str | None = None
    decision_index: int | None = None
    path: str | None = None  # the minutes' file
    page: int | None = None
    line: int | None = None
    meeting_date: _dt.date | None = None  # the meeting that decided
    committee: str | None = None
    item: str | None = None  # the minute item
    decision_text: str | None = None
    wording: str | None = None  # "RESOLVED", "It was APPROVED", "was LOST"
    reason: str | None = None  # "not found": why

    @property
    def label(self) -> str:
        """``agreed with amendment: adds "over a two year period"`` (the outcome, and the change)."""
        return f"{self.outcome}: {self.amendment}" if self.amendment else self.outcome


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
    outcome: DecisionLink | None = None  # what its meeting decided (None: not looked up)


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
