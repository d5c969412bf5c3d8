"""Typed, frozen records passed between the pipeline's stages.

Every stage boundary uses these types; dicts appear only at the edges
(``to_dict`` for JSON/CSV output and the index's stored fields).

    file --read_lines--> Document(lines)
         --parse_sections--> Layout(header fields, sections)
         --parse_file--> Report (record, with entities, dates, period, warnings)
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping

# ---------------------------------------------------------------- vocabularies

#: Section kinds (see ../shared/labels/README.md).
SECTION_KINDS: tuple[str, ...] = (
    "purpose",
    "recommendations",
    "summary",
    "supporting_information",
    "policy_implications",
    "financial_implications",
    "legal_implications",
    "other_implications",
    "priority_implications",
    "risk_analysis",
    "equality_diversity",
    "climate_implications",
    "background_papers",
    "contact",
    "conclusion",
    "appendix",
    "other",
)

#: Document types a file may be classified as.
DOC_TYPES: tuple[str, ...] = (
    "report",
    "minutes",
    "decision_notice",
    "forward_plan",
    "appendix",
    "agenda_pack",
)

#: Header fields a report may carry, in output order.
HEADER_FIELDS: tuple[str, ...] = (
    "council",
    "committee",
    "meeting_date",
    "reporting_officer",
    "portfolio",
    "cabinet_member",
    "contact",
    "subject",
    "wards",
    "key_decision",
    "reference",
)


# ---------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Span:
    """A run of words on one line that belongs together (a table cell, a bold label).

    A reader splits a line into spans at wide horizontal gaps (PDF) or tabs
    (text), and at changes between bold and regular type.
    """

    text: str
    x0: float
    x1: float
    bold: bool = False
    italic: bool = False
    size: float = 0.0


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line of a document, with its layout.

    For text and markdown files, ``x0`` is the indentation in characters,
    ``size`` is 0.0 (unknown) and ``md_level`` carries a markdown ``#`` level.
    """

    text: str
    page: int  # 1-based
    line_no: int  # 1-based within the document
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    italic: bool = False
    spans: tuple[Span, ...] = ()
    md_level: int = 0
    page_width: float = 0.0
    page_height: float = 0.0


@dataclass(frozen=True, slots=True)
class Source:
    path: str
    sha256: str
    format: str  # "pdf" | "text" | "markdown"
    pages: int
    size_bytes: int = 0


@dataclass(frozen=True, slots=True)
class Document:
    """What a reader returns: the source and its lines in reading order."""

    source: Source
    lines: tuple[Line, ...]
    body_size: float = 0.0  # the commonest font size (0.0 when unknown)


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a value was read: 1-based page and line number in the source."""

    page: int
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    number: str | None
    title: str
    kind: str
    level: int
    page: int
    text: str
    line: int = 0
    end_page: int = 0


@dataclass(frozen=True, slots=True)
class Recommendation:
    number: int  # 1-based position in the report
    text: str
    page: int
    line: int = 0
    label: str | None = None  # the numbering as written: "1)", "(a)", "i."


@dataclass(frozen=True, slots=True)
class Period:
    """A UK financial-year quarter (Q1 = April to June)."""

    fiscal_year: str  # "2023/24"
    quarter: int | None
    start: _dt.date | None
    end: _dt.date | None

    @property
    def key(self) -> str:
        """``2023/24-Q2`` (or ``2023/24`` for a whole year)."""
        return f"{self.fiscal_year}-Q{self.quarter}" if self.quarter else self.fiscal_year


@dataclass(frozen=True, slots=True)
class Entity:
    text: str
    label: str  # MONEY, PERCENT, DATE, QUARTER, ORG, PERSON, GPE...
    section: int | None  # index into Report.sections, None for the header
    start: int  # character offsets within that section's text (or header)
    end: int
    value: str | None = None  # normalised value: ISO date, amount in pounds...


@dataclass(frozen=True, slots=True)
class Warning_:
    code: str  # period_conflict, duplicate_section_number, missing_field, ...
    message: str
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    """The structural parse of one document (``parse_sections``'s result)."""

    document: Document
    fields: Mapping[str, Any]  # header field -> value (str | bool | date)
    provenance: Mapping[str, Provenance]
    sections: tuple[Section, ...]
    recommendations: tuple[Recommendation, ...]
    recommendation_leadin: str | None
    doc_type: str
    warnings: tuple[Warning_, ...] = ()
    parts: tuple["Layout", ...] = ()  # component reports of an agenda pack


@dataclass(frozen=True, slots=True)
class Report:
    """One record per report: the pipeline's product."""

    id: str
    source: Source
    doc_type: str
    council: str | None = None
    committee: str | None = None
    meeting_date: _dt.date | None = None
    reporting_officer: str | None = None
    portfolio: str | None = None
    cabinet_member: str | None = None
    contact: str | None = None
    subject: str | None = None
    wards: str | None = None
    key_decision: bool | None = None
    reference: str | None = None
    period: Period | None = None
    recommendations: tuple[Recommendation, ...] = ()
    recommendation_leadin: str | None = None
    sections: tuple[Section, ...] = ()
    entities: tuple[Entity, ...] = ()
    warnings: tuple[Warning_, ...] = ()
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    parts: tuple["Report", ...] = ()  # reports found inside an agenda pack
    parent_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return report_to_dict(self)


# ---------------------------------------------------------------- search


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
    # wording, a section's title and text (pipeline.index.section_content)


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    path: str
    status: str  # indexed | unchanged | replaced | duplicate | failed
    reason: str | None = None
    report_id: str | None = None
    sha256: str | None = None
    sections: int = 0


@dataclass(frozen=True, slots=True)
class IngestSummary:
    outcomes: tuple[IngestOutcome, ...]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> tuple[IngestOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")


# ---------------------------------------------------------------- edges


def _jsonable(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def report_to_dict(report: Report) -> dict[str, Any]:
    """The stable JSON shape of a report (``boardpapers parse --json``)."""
    out: dict[str, Any] = {
        "id": report.id,
        "source": _jsonable(report.source),
        "council": report.council,
        "doc_type": report.doc_type,
    }
    for name in HEADER_FIELDS:
        if name != "council":
            out[name] = _jsonable(getattr(report, name))
    out["period"] = (
        None
        if report.period is None
        else {
            "fiscal_year": report.period.fiscal_year,
            "quarter": report.period.quarter,
            "start": _jsonable(report.period.start),
            "end": _jsonable(report.period.end),
        }
    )
    out["recommendations"] = [
        {"number": r.number, "text": r.text, "page": r.page, "line": r.line, "label": r.label}
        for r in report.recommendations
    ]
    out["recommendation_leadin"] = report.recommendation_leadin
    out["sections"] = [
        {
            "number": s.number,
            "title": s.title,
            "kind": s.kind,
            "level": s.level,
            "page": s.page,
            "line": s.line,
            "end_page": s.end_page,
            "text": s.text,
        }
        for s in report.sections
    ]
    out["entities"] = [_jsonable(e) for e in report.entities]
    out["warnings"] = [_jsonable(w) for w in report.warnings]
    out["provenance"] = {k: _jsonable(v) for k, v in report.provenance.items()}
    out["parent_id"] = report.parent_id
    out["parts"] = [report_to_dict(p) for p in report.parts]
    return out


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """Inverse of :func:`report_to_dict` (used to load records stored in the index)."""

    def d(v: Any) -> _dt.date | None:
        return _dt.date.fromisoformat(v) if v else None

    p = data.get("period")
    period = (
        Period(p["fiscal_year"], p.get("quarter"), d(p.get("start")), d(p.get("end"))) if p else None
    )
    return Report(
        id=data["id"],
        source=Source(**data["source"]),
        doc_type=data.get("doc_type") or "report",
        council=data.get("council"),
        committee=data.get("committee"),
        meeting_date=d(data.get("meeting_date")),
        reporting_officer=data.get("reporting_officer"),
        portfolio=data.get("portfolio"),
        cabinet_member=data.get("cabinet_member"),
        contact=data.get("contact"),
        subject=data.get("subject"),
        wards=data.get("wards"),
        key_decision=data.get("key_decision"),
        reference=data.get("reference"),
        period=period,
        recommendations=tuple(Recommendation(**r) for r in data.get("recommendations", ())),
        recommendation_leadin=data.get("recommendation_leadin"),
        sections=tuple(Section(**{k: v for k, v in s.items()}) for s in data.get("sections", ())),
        entities=tuple(Entity(**e) for e in data.get("entities", ())),
        warnings=tuple(Warning_(**w) for w in data.get("warnings", ())),
        provenance={k: Provenance(**v) for k, v in (data.get("provenance") or {}).items()},
        parts=tuple(report_from_dict(x) for x in data.get("parts", ())),
        parent_id=data.get("parent_id"),
    )


@dataclass(frozen=True, slots=True)
class QuarterMention:
    """A financial quarter named in text ("Q2 2009-10", "second quarter period ...")."""

    text: str
    start: int  # character offsets in the searched text
    end: int
    quarter: int | None
    fiscal_year: str | None  # "2009/10" when the mention names the year
    date_from: _dt.date | None = None  # explicit range given with the mention
    date_to: _dt.date | None = None


# ---------------------------------------------------------------- query language
# The parsed form of a search query (``pipeline.query.parse_query``): engine-neutral,
# translated into an engine's own query objects by ``pipeline.index``.
# ``field`` None means the text fields (section content, headings, subject);
# ``position`` is the 0-based offset of the node in the query text.


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


# ---------------------------------------------------------------- search results


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


# ---------------------------------------------------------------- ingest ledger


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What the archive knows about one file (``boardpapers status``).

    ``status`` is the file's standing: ``indexed`` (held in the index),
    ``duplicate`` (its content is indexed under another path), ``failed``
    (``reason`` says why) or ``missing`` (recorded as indexed, but the index
    no longer holds it). ``time`` is the UTC time of the last ingest that saw
    the file (ISO 8601; empty when only the index knows it).
    """

    path: str
    status: str
    sha256: str | None = None
    reason: str | None = None
    report_id: str | None = None
    sections: int = 0
    time: str = ""
