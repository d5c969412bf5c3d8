"""Facet counts over a search's matches, narrowing a search by one value, and the archive's coverage.

    from pipeline.search.facets import facets, narrow, coverage
    f = facets("index", "budget", date_from="2017")       # the same query and options as pipeline.search.search
    f.values("committee")                                 # FacetCount(dimension, value, count), most papers first
    f.left_out_undated                                    # papers the date range leaves out for having no date
    narrow("budget", "committee", "Children Board")       # 'budget committee:"Children Board"'
    coverage("index").cells                               # papers per committee per financial quarter

A facet counts matching *papers* (indexed reports): a paper counts once for
each value it has. The counts come from the same requests as
:func:`pipeline.search.search` (:func:`pipeline.search.build_filter`,
:func:`pipeline.search.build_request`) run through the engine seam, so they
agree with the search on either engine. The counts by council, committee,
financial year and quarter cover the best :data:`FACET_PAPERS` matching
papers, those by section kind the papers of the best :data:`FACET_SECTIONS`
matching sections (``Facets.partial`` names the dimensions that covered
fewer than all matches); doc types and undated papers are counted exactly
(one counting search each).

Council and committee names are counted as written. Narrowing to one
(:func:`narrow`) searches the name as a phrase in its field, which can also
find papers whose name holds it (and, on Whoosh, a name with "&" for
"and"), so its result can count more papers than the facet did.

A filter on the meeting date (or the committee) drops papers whose date (or
committee) is unknown. :func:`facets` says how many: ``left_out_undated``
and ``left_out_no_committee`` count the papers that match everything else;
:func:`left_out` does so for every such filter (date, committee, council,
officer, quarter). :func:`faceted_search` is ``boardpapers search``: a page of
hits, the facets asked for and what the filters left out, over one opened
index.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pipeline.errors import QueryError
from pipeline.model import (
    DOC_TYPES,
    Hit,
    QAll,
    QAnd,
    QDateRange,
    QTerm,
    QueryNode,
    SearchPage,
    SearchRequest,
    SearchResult,
)
from pipeline.search import NO_VALUE, _opened, build_filter, build_request
from pipeline.search.query import conjoin

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.index import Index

#: The dimensions facets count papers by, in display order.
FACET_DIMENSIONS: tuple[str, ...] = ("council", "committee", "fiscal_year", "quarter", "section", "doc_type")
#: The query-language field that narrows a search to one value of each dimension (``search --help``).
NARROWING_FIELDS: dict[str, str] = {
    "council": "council",
    "committee": "committee",
    "fiscal_year": "fy",
    "quarter": "quarter",
    "section": "section",
    "doc_type": "doc_type",
}
#: Dimensions whose values are names of several words: narrowed by a phrase in the field.
PHRASE_DIMENSIONS: frozenset[str] = frozenset({"council", "committee"})
#: Matching papers (each by its best section) whose council, committee, year and quarter are counted.
FACET_PAPERS = 200
#: Best matching sections whose kinds are counted (each kind once per paper).
FACET_SECTIONS = 400
#: Earliest possible meeting date: a range from it matches every dated paper, and only those.
EVER = _dt.date(1, 1, 1)

_TOP_LEVEL_OR = re.compile(
    r"""
    "[^"]*"        # a phrase (skipped: an OR inside it is a word)
    | \( | \)      # brackets, to know the depth
    | \bOR\b       # the operator
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class FacetCount:
    dimension: str  # one of FACET_DIMENSIONS
    value: str  # NO_VALUE for papers without one
    count: int  # matching papers with this value


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts of a search's matching papers by council, committee, year, quarter, section kind and doc type."""

    counts: tuple[FacetCount, ...]  # by dimension (FACET_DIMENSIONS order), then most papers first
    papers: int  # matching papers (as pipeline.search.search counts them)
    papers_exact: bool  # False: ``papers`` is the engine's estimate
    sections: int  # matching sections
    counted_papers: int  # papers whose council, committee, year and quarter were counted
    counted_sections: int  # sections whose kind was counted
    undated: int  # matching papers with no meeting date
    no_committee: int  # counted papers with no committee
    left_out_undated: int | None  # papers matching all but the date restriction, undated (None: no such restriction)
    left_out_no_committee: int | None  # likewise for a committee restriction (counted as no_committee is)

    @property
    def partial(self) -> tuple[str, ...]:
        """Dimensions counted over fewer than all the matches (the best ones)."""
        out = []
        if self.counted_papers < self.papers or not self.papers_exact:
            out += ["council", "committee", "fiscal_year", "quarter"]
        if self.counted_sections < self.sections:
            out.append("section")
        if not self.papers_exact:
            out.append("doc_type")
        return tuple(d for d in FACET_DIMENSIONS if d in out)

    def values(self, dimension: str) -> tuple[FacetCount, ...]:
        return tuple(c for c in self.counts if c.dimension == dimension)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape (``/api/facets``): totals, then ``counts`` as {dimension: [{value, count}]}."""
        return {
            "papers": self.papers,
            "papers_exact": self.papers_exact,
            "sections": self.sections,
            "counted_papers": self.counted_papers,
            "counted_sections": self.counted_sections,
            "partial": list(self.partial),
            "undated": self.undated,
            "no_committee": self.no_committee,
            "left_out_undated": self.left_out_undated,
            "left_out_no_committee": self.left_out_no_committee,
            "counts": {d: [{"value": c.value, "count": c.count} for c in self.values(d)] for d in FACET_DIMENSIONS},
        }


# ---------------------------------------------------------------- facets of a search


def _fiscal_year(hit: Hit) -> str:
    return hit.period.split("-")[0] if hit.period else NO_VALUE


def _quarter(hit: Hit) -> str:
    return hit.period if hit.period and "-Q" in hit.period else NO_VALUE


#: How each report-level dimension is read from a paper's best hit.
_PAPER_VALUES: dict[str, Callable[[Hit], str]] = {
    "council": lambda h: h.council or NO_VALUE,
    "committee": lambda h: h.committee or NO_VALUE,
    "fiscal_year": _fiscal_year,
    "quarter": _quarter,
}


def _without(node: QueryNode, drop: Callable[[QueryNode], bool]) -> QueryNode:
    """The query without its top-level conjuncts that ``drop`` picks (QAll when none is left)."""
    if drop(node):
        return QAll()
    if isinstance(node, QAnd):
        kept = tuple(c for c in node.children if not drop(c))
        if not kept:
            return QAll()
        return kept[0] if len(kept) == 1 else QAnd(kept)
    return node


def _is_date(node: QueryNode) -> bool:
    return isinstance(node, QDateRange)


def _is_committee(node: QueryNode) -> bool:
    return getattr(node, "field", None) == "committee"


def _restricts(node: QueryNode | None, test: Callable[[QueryNode], bool]) -> bool:
    if node is None:
        return False
    return test(node) or (isinstance(node, QAnd) and any(test(c) for c in node.children))


def _count(ix: Index, request: SearchRequest, extra: QueryNode | None = None) -> SearchResult:
    """How many sections and papers match (with ``extra`` added to the filter); no hits."""
    return ix.search(
        replace(
            request,
            filter=conjoin(request.filter, extra),
            limit=1,
            offset=0,
            per_report=1,
            snippets=False,
            counts=True,
            report_ids=(),
        )
    )


def _best_papers(ix: Index, request: SearchRequest, n: int) -> SearchResult:
    return ix.search(replace(request, limit=n, offset=0, per_report=1, snippets=False, counts=True, sort="relevance"))


def _undated(ix: Index, request: SearchRequest, matched: SearchResult) -> int:
    """Papers matching ``request`` with no meeting date: all of them less the dated ones."""
    if not matched.reports:
        return 0
    return max(0, matched.reports - _count(ix, request, QDateRange(EVER, None)).reports)


def facets(
    index_dir: str | os.PathLike[str] | Index,
    text: str,
    *,
    committee: str | None = None,
    officer: str | None = None,
    section: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    quarter: str | None = None,
    council: str | None = None,
    doc_type: str | None = None,
    papers: int = FACET_PAPERS,
    sections: int = FACET_SECTIONS,
) -> Facets:
    """Facet counts for the search :func:`pipeline.search.search` runs with the same query and options."""
    options = {
        "committee": committee,
        "officer": officer,
        "section": section,
        "date_from": date_from,
        "date_to": date_to,
        "quarter": quarter,
        "council": council,
        "doc_type": doc_type,
    }
    request = build_request(text, filter=build_filter(**options))
    with _opened(index_dir) as ix:
        best = _best_papers(ix, request, papers)
        flat = (
            ix.search(
                replace(
                    request, limit=sections, offset=0, per_report=None, snippets=False, counts=False, sort="relevance"
                )
            )
            if best.total
            else best
        )
        counters: dict[str, Counter[str]] = {d: Counter() for d in FACET_DIMENSIONS}
        for h in best.hits:
            for dimension, value in _PAPER_VALUES.items():
                counters[dimension][value(h)] += 1
        kinds = {(h.report_id, h.section_kind) for h in flat.hits}
        counters["section"].update(kind for _, kind in kinds)
        remaining = best.reports
        for doc_type in DOC_TYPES:  # each paper has one doc type: stop when all are counted
            if best.reports_exact and remaining <= 0:
                break
            n = _count(ix, request, QTerm(doc_type, "doc_type")).reports
            if n:
                counters["doc_type"][doc_type] = n
                remaining -= n
        undated = _undated(ix, request, best)
        left_out_undated = left_out_no_committee = None
        if date_from or date_to or _restricts(request.query, _is_date):
            relaxed = replace(
                request,
                query=_without(request.query, _is_date),
                filter=build_filter(**{**options, "date_from": None, "date_to": None}),
            )
            left_out_undated = _undated(ix, relaxed, _count(ix, relaxed))
        if committee or _restricts(request.query, _is_committee):
            relaxed = replace(
                request,
                query=_without(request.query, _is_committee),
                filter=build_filter(**{**options, "committee": None}),
            )
            left_out_no_committee = sum(1 for h in _best_papers(ix, relaxed, papers).hits if not h.committee)
    counts = tuple(
        FacetCount(d, value, n)
        for d in FACET_DIMENSIONS
        for value, n in sorted(counters[d].items(), key=lambda kv: (kv[0] == NO_VALUE, -kv[1], kv[0]))
    )
    return Facets(
        counts=counts,
        papers=best.reports,
        papers_exact=best.reports_exact,
        sections=best.total,
        counted_papers=len(best.hits),
        counted_sections=len(flat.hits),
        undated=undated,
        no_committee=counters["committee"][NO_VALUE],
        left_out_undated=left_out_undated,
        left_out_no_committee=left_out_no_committee,
    )


# ---------------------------------------------------------------- papers a filter leaves out


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Papers a filter drops because theirs is unknown: they match the query and every other filter."""

    filter: str  # a key of UNKNOWN_WHEN: date, committee, council, officer, quarter
    papers: int
    exact: bool  # False: counted among the best FACET_PAPERS papers that match without the filter


#: The filters a paper can fail for want of a value: filter -> (options it comes from, query-language
#: test of the restriction, whether a hit's paper lacks the value). A paper without a period has no quarter.
UNKNOWN_WHEN: dict[str, tuple[tuple[str, ...], Callable[[QueryNode], bool], Callable[[Hit], bool]]] = {
    "date": (("date_from", "date_to"), _is_date, lambda h: h.meeting_date is None),
    "committee": (("committee",), _is_committee, lambda h: not h.committee),
    "council": (("council",), lambda n: getattr(n, "field", None) == "council", lambda h: not h.council),
    "officer": (("officer",), lambda n: getattr(n, "field", None) == "officer", lambda h: not h.officer),
    "quarter": (("quarter",), lambda n: getattr(n, "field", None) in ("quarter", "fy"), lambda h: not h.period),
}


def left_out(
    index_dir: str | os.PathLike[str] | Index,
    text: str,
    *,
    papers: int = FACET_PAPERS,
    **options: str | None,
) -> tuple[LeftOut, ...]:
    """For each filter of the search on a field a paper may lack (an option, or a ``field:`` term of the
    query's top level), how many papers it drops for having no value: those that match the search without
    that filter and have none. Dates are counted exactly; the others among the best ``papers`` papers.
    ``options`` are :func:`pipeline.search.search`'s filters."""
    request = build_request(text, filter=build_filter(**options))
    out: list[LeftOut] = []
    with _opened(index_dir) as ix:
        for name, (keys, restricts, lacks) in UNKNOWN_WHEN.items():
            if not any(options.get(k) for k in keys) and not _restricts(request.query, restricts):
                continue
            relaxed = replace(
                request,
                query=_without(request.query, restricts),
                filter=build_filter(**{**options, **{k: None for k in keys}}),
            )
            if name == "date":
                out.append(LeftOut(name, _undated(ix, relaxed, _count(ix, relaxed)), True))
                continue
            best = _best_papers(ix, relaxed, papers)
            n = sum(1 for h in best.hits if lacks(h))
            out.append(LeftOut(name, n, best.reports_exact and len(best.hits) >= best.reports))
    return tuple(out)


# ---------------------------------------------------------------- a search with its facets

#: What ``search --facets`` takes for each dimension (``fy`` as the query language writes it).
FACET_NAMES: dict[str, str] = {
    "council": "council",
    "committee": "committee",
    "fy": "fiscal_year",
    "fiscal_year": "fiscal_year",
    "quarter": "quarter",
    "section": "section",
    "doc_type": "doc_type",
}


def facet_dimensions(names: str) -> tuple[str, ...]:
    """``council,fy`` -> ("council", "fiscal_year") in FACET_DIMENSIONS order; ``all`` is every one."""
    wanted = [n.strip().lower().replace("-", "_") for n in names.split(",") if n.strip()]
    if wanted == ["all"]:
        return FACET_DIMENSIONS
    unknown = [n for n in wanted if n not in FACET_NAMES]
    if unknown or not wanted:
        named = ", ".join(unknown) if unknown else repr(names)
        raise QueryError(f"unknown facet {named} (facets: {', '.join(FACET_NAMES)}, all)")
    chosen = {FACET_NAMES[n] for n in wanted}
    return tuple(d for d in FACET_DIMENSIONS if d in chosen)


@dataclass(frozen=True, slots=True)
class FacetedSearch:
    """One page of a search, the facet counts of all its matches (when asked) and what its filters left out."""

    page: SearchPage
    facets: Facets | None
    dimensions: tuple[str, ...]  # the facet dimensions asked for
    left_out: tuple[LeftOut, ...]

    def facet_rows(self) -> list[dict[str, object]]:
        """One row per (dimension, value): ``{dimension, value, count}``, dimensions as asked."""
        if self.facets is None:
            return []
        return [
            {"dimension": c.dimension, "value": c.value, "count": c.count}
            for d in self.dimensions
            for c in self.facets.values(d)
        ]

    def summary(self) -> dict[str, object]:
        """The ``--json`` summary object: the facets asked for and their totals."""
        out: dict[str, object] = {}
        if self.facets is not None:
            data = self.facets.to_dict()
            counts = data.pop("counts")
            assert isinstance(counts, dict)
            out = {"facets": {d: counts[d] for d in self.dimensions}, **data}
        return out


def faceted_search(
    index_dir: str | os.PathLike[str] | Index,
    text: str,
    *,
    facet_dimensions: tuple[str, ...] = (),
    limit: int = 10,
    page: int = 1,
    sort: str = "relevance",
    sections: int = 3,
    flat: bool = False,
    **options: str | None,
) -> FacetedSearch:
    """:func:`pipeline.search.search`, then the :func:`facets` of its matches (the dimensions asked for:
    none, none counted) and :func:`left_out` by its filters, over one opened index."""
    from pipeline.search import search

    filters: dict[str, Any] = dict(options)
    with _opened(index_dir) as ix:
        result = search(ix, text, limit=limit, page=page, sort=sort, sections=sections, flat=flat, **filters)
        counted = facets(ix, text, **filters) if facet_dimensions else None
        dropped = left_out(ix, text, **filters)
    return FacetedSearch(result, counted, facet_dimensions, dropped)


# ---------------------------------------------------------------- narrowing a search


def narrowing_term(dimension: str, value: str) -> str:
    """The query-language term that keeps only papers with this value: ``committee:"Children Board"``."""
    if dimension not in NARROWING_FIELDS:
        raise ValueError(f"unknown facet dimension {dimension!r} (dimensions: {', '.join(FACET_DIMENSIONS)})")
    field = NARROWING_FIELDS[dimension]
    if dimension in PHRASE_DIMENSIONS:
        return f'{field}:"{" ".join(value.replace(chr(34), " ").split())}"'
    return f"{field}:{value.strip()}"


def _has_top_level_or(text: str) -> bool:
    depth = 0
    for m in _TOP_LEVEL_OR.finditer(text):
        token = m.group()
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(0, depth - 1)
        elif token == "OR" and depth == 0:
            return True
    return False


def narrow(text: str, dimension: str, value: str) -> str:
    """The query ``text`` narrowed to papers with this value (unchanged when it already is)."""
    term = narrowing_term(dimension, value)
    base = text.strip()
    if term in base.split() or f" {term}" in f" {base}":
        return base
    if not base or base == "*":
        return term
    if _has_top_level_or(base):
        base = f"({base})"
    return f"{base} {term}"


def widen(text: str, dimension: str, value: str) -> str:
    """The query ``text`` without the term :func:`narrow` added for this value."""
    term = narrowing_term(dimension, value)
    out = " ".join(text.replace(term, " ").split())
    return out


def narrowed(text: str, dimension: str, value: str) -> bool:
    """Whether ``text`` holds the term narrowing to this value."""
    return narrowing_term(dimension, value) in text


# ---------------------------------------------------------------- coverage of the archive

#: Committee names are written differently from paper to paper: these are spelled out before counting.
COMMITTEE_ABBREVIATIONS: tuple[tuple[str, str], ...] = ((" PPB", " Policy and Performance Board"), (" & ", " and "))
#: The row of papers whose committee was not found.
NO_COMMITTEE = "(no committee found)"


@dataclass(frozen=True, slots=True)
class CoverageCell:
    committee: str  # normalised (COMMITTEE_ABBREVIATIONS), or NO_COMMITTEE
    quarter: str  # "2017/18-Q2"
    papers: int


@dataclass(frozen=True, slots=True)
class ReportWarningRow:
    """One data-quality warning with its report's context."""

    report_id: str
    committee: str | None
    meeting_date: _dt.date | None
    code: str
    message: str
    page: int | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Papers per committee per financial quarter reported on (notebook 03), and every warning."""

    committees: tuple[str, ...]  # rows, sorted (NO_COMMITTEE last)
    quarters: tuple[str, ...]  # columns: every quarter from the first to the last, gaps included
    cells: tuple[CoverageCell, ...]  # the non-empty cells
    papers: int
    without_quarter: int  # papers naming no quarter (not in the grid)
    warnings: tuple[ReportWarningRow, ...]  # by report id

    def count(self, committee: str, quarter: str) -> int:
        return next((c.papers for c in self.cells if c.committee == committee and c.quarter == quarter), 0)


def normalise_committee(name: str | None) -> str:
    """A committee name with abbreviations spelled out and spaces collapsed (NO_COMMITTEE for none)."""
    if not name:
        return NO_COMMITTEE
    for short, full in COMMITTEE_ABBREVIATIONS:
        name = name.replace(short, full)
    return " ".join(name.split())


def quarter_number(fiscal_year: str, quarter: int) -> int:
    """Consecutive numbers for quarters: 2017/18-Q4 and 2018/19-Q1 differ by one."""
    return int(fiscal_year[:4]) * 4 + quarter - 1


def quarter_key(number: int) -> str:
    year, q = divmod(number, 4)
    return f"{year}/{(year + 1) % 100:02d}-Q{q + 1}"


def coverage(index_dir: str | os.PathLike[str] | Index) -> Coverage:
    """Papers per committee per financial quarter reported on, with every quarter between the first and last."""
    grid: Counter[tuple[str, int]] = Counter()
    warnings: list[ReportWarningRow] = []
    papers = without = 0
    with _opened(index_dir) as ix:
        for r in ix.iter_reports():
            papers += 1
            if r.period and r.period.quarter:
                grid[(normalise_committee(r.committee), quarter_number(r.period.fiscal_year, r.period.quarter))] += 1
            else:
                without += 1
            warnings.extend(
                ReportWarningRow(r.id, r.committee, r.meeting_date, w.code, w.message, w.page) for w in r.warnings
            )
    numbers = [n for _, n in grid]
    quarters = tuple(quarter_key(n) for n in range(min(numbers), max(numbers) + 1)) if numbers else ()
    committees = tuple(sorted({c for c, _ in grid}, key=lambda c: (c == NO_COMMITTEE, c)))
    cells = tuple(CoverageCell(c, quarter_key(n), k) for (c, n), k in sorted(grid.items()))
    return Coverage(
        committees, quarters, cells, papers, without, tuple(sorted(warnings, key=lambda w: (w.report_id, w.code)))
    )


def coverage_rows(cov: Coverage) -> list[dict[str, object]]:
    """The grid's non-empty cells as rows (``/api/overview``)."""
    return [{"committee": c.committee, "quarter": c.quarter, "papers": c.papers} for c in cov.cells]


def warning_rows(rows: Iterable[ReportWarningRow]) -> list[dict[str, object]]:
    return [
        {
            "report_id": w.report_id,
            "committee": w.committee,
            "meeting_date": w.meeting_date.isoformat() if w.meeting_date else None,
            "code": w.code,
            "message": w.message,
            "page": w.page,
        }
        for w in rows
    ]
