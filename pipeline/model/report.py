"""What parsing and enrichment give: sections, recommendations, periods, entities, warnings, the report record."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from pipeline.model.document import Document, Provenance, Source
from pipeline.model.vocab import HEADER_FIELDS


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
    printed_page: int | None = None  # the page number printed on ``page`` (see Provenance)
    # (page, line) where each of ``text``'s lines (its paragraphs and list items, blank lines
    # skipped) begins in the paper; empty for records parsed before it was kept.
    paragraphs: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Recommendation:
    number: int  # 1-based position in the report
    text: str
    page: int
    line: int = 0
    label: str | None = None  # the numbering as written: "1)", "(a)", "i."
    printed_page: int | None = None  # the page number printed on ``page`` (see Provenance)


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
class ReportWarning:
    code: str  # period_conflict, duplicate_section_number, missing_field, ...
    message: str
    page: int | None = None


@dataclass(frozen=True, slots=True)
class HeaderFields:
    """A paper's header fields as read by the parser, each with the line it was read from.

    A field is None where the paper does not say it (or what it says failed the
    field's check); ``provenance`` has an entry for every field that is set.
    """

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
    provenance: Mapping[str, Provenance] = field(default_factory=dict)

    @classmethod
    def from_values(cls, values: Mapping[str, Any], provenance: Mapping[str, Provenance]) -> "HeaderFields":
        """The record of ``values`` (field name -> value); unknown names are an error, empty values are dropped."""
        unknown = set(values) - set(HEADER_FIELDS)
        if unknown:
            raise ValueError(f"not header fields: {sorted(unknown)}")
        kept = {k: v for k, v in values.items() if v is not None and v != ""}
        return cls(**kept, provenance={k: provenance[k] for k in kept if k in provenance})

    def get(self, name: str) -> Any:
        """The value of header field ``name`` (None when unset)."""
        if name not in HEADER_FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def values(self) -> dict[str, Any]:
        """The fields that are set, in :data:`HEADER_FIELDS` order."""
        return {k: getattr(self, k) for k in HEADER_FIELDS if getattr(self, k) is not None}


@dataclass(frozen=True, slots=True)
class Decision:
    """One item a meeting decided, as its minutes or decision notice record it ("RESOLVED – that ...")."""

    text: str  # the resolution as written, its numbering removed
    outcome: str  # one of DECISION_OUTCOMES (pipeline.model.vocab): agreed, noted, deferred, rejected
    wording: str  # the words that record it, as written: "RESOLVED", "It was APPROVED", "was LOST"
    page: int
    line: int = 0
    item: str | None = None  # the minute or agenda item number: "10"
    item_title: str | None = None  # that item's heading: "Workplace Parking Levy"
    number: str | None = None  # its number within the resolution: "2a"
    refs: tuple[str, ...] = ()  # the report's recommendations it names: ("4c", "5")
    amended: bool = False  # the minutes record an amendment carried before it
    committee: str | None = None  # the meeting's body (the paper's unless the minutes sit in a pack)
    meeting_date: _dt.date | None = None  # the meeting's date (likewise)


@dataclass(frozen=True, slots=True)
class Layout:
    """The structural parse of one document (``parse_sections``'s result)."""

    document: Document
    header: HeaderFields
    sections: tuple[Section, ...]
    recommendations: tuple[Recommendation, ...]
    recommendation_leadin: str | None
    doc_type: str
    warnings: tuple[ReportWarning, ...] = ()
    parts: tuple["Layout", ...] = ()  # component reports of an agenda pack
    decisions: tuple[Decision, ...] = ()  # what minutes and decision notices (or a pack's minutes) record
    printed_pages: Mapping[int, int] = field(default_factory=dict)  # file page -> page number printed on it

    @property
    def provenance(self) -> Mapping[str, Provenance]:
        """Where each header field was read (the header's provenance)."""
        return self.header.provenance


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
    warnings: tuple[ReportWarning, ...] = ()
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    parts: tuple["Report", ...] = ()  # reports found inside an agenda pack
    parent_id: str | None = None
    decisions: tuple[Decision, ...] = ()  # minutes and decision notices: the meeting's decisions

    def to_dict(self) -> dict[str, Any]:
        return report_to_dict(self)


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


def _provenance_dict(p: Provenance) -> dict[str, Any]:
    """A provenance as JSON; ``printed_page`` only where the paper prints page numbers."""
    data = _jsonable(p)
    if data.get("printed_page") is None:
        data.pop("printed_page", None)
    return data


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
        {
            "number": r.number,
            "text": r.text,
            "page": r.page,
            "printed_page": r.printed_page,
            "line": r.line,
            "label": r.label,
        }
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
            "printed_page": s.printed_page,
            "line": s.line,
            "end_page": s.end_page,
            "text": s.text,
            "paragraphs": [list(p) for p in s.paragraphs],
        }
        for s in report.sections
    ]
    out["entities"] = [_jsonable(e) for e in report.entities]
    out["warnings"] = [_jsonable(w) for w in report.warnings]
    out["provenance"] = {k: _provenance_dict(v) for k, v in report.provenance.items()}
    out["parent_id"] = report.parent_id
    out["parts"] = [report_to_dict(p) for p in report.parts]
    out["decisions"] = [_jsonable(x) for x in report.decisions]
    return out


def decision_from_dict(data: Mapping[str, Any]) -> Decision:
    """A stored decision (unknown keys ignored, so a newer record still loads)."""
    names = {f.name for f in dataclasses.fields(Decision)}
    values = {k: v for k, v in data.items() if k in names}
    values["refs"] = tuple(values.get("refs") or ())
    if values.get("meeting_date"):
        values["meeting_date"] = _dt.date.fromisoformat(values["meeting_date"])
    return Decision(**values)


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """Inverse of :func:`report_to_dict` (used to load records stored in the index)."""

    def d(v: Any) -> _dt.date | None:
        return _dt.date.fromisoformat(v) if v else None

    p = data.get("period")
    period = Period(p["fiscal_year"], p.get("quarter"), d(p.get("start")), d(p.get("end"))) if p else None
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
        sections=tuple(
            Section(
                **{k: v for k, v in s.items() if k != "paragraphs"},
                paragraphs=tuple((int(p), int(l)) for p, l in s.get("paragraphs", ())),
            )
            for s in data.get("sections", ())
        ),
        entities=tuple(Entity(**e) for e in data.get("entities", ())),
        warnings=tuple(ReportWarning(**w) for w in data.get("warnings", ())),
        provenance={k: Provenance(**v) for k, v in (data.get("provenance") or {}).items()},
        parts=tuple(report_from_dict(x) for x in data.get("parts", ())),
        parent_id=data.get("parent_id"),
        decisions=tuple(decision_from_dict(x) for x in data.get("decisions") or ()),  # absent in older records
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
