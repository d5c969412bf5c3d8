"""The engine-independent search API: queries and filters in, shaped results out.

    from pipeline.search import search, show
    page = search("index", '"foster carers"')                 # grouped by report
    page = search("index", "performance", section="recommendations", date_from="2017-01-01", flat=True)
    report = show("index", "002_03db")                         # a unique id prefix

Options become filters in the same query language as ``field:value`` terms
(``pipeline.query``), and the index engine (``pipeline.index``) only ever sees
the parsed AST: nothing here knows which engine answers.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Iterable

from pipeline.errors import BoardpapersError, QueryError
from pipeline.query import (
    conjoin,
    normalize_fiscal_year,
    normalize_quarter,
    normalize_section_kind,
    parse_date_bound,
    parse_query,
)
from pipeline.types import (
    SECTION_KINDS,
    Hit,
    QAll,
    QAnd,
    QDateRange,
    QTerm,
    QueryNode,
    Report,
    ReportHits,
    SearchPage,
    SearchRequest,
)

#: Results per page (reports when grouped, sections when flat).
DEFAULT_LIMIT = 10
#: Largest --limit accepted.
MAX_LIMIT = 1000
#: Best sections shown for each report when results are grouped.
DEFAULT_SECTIONS = 3
#: Orders results can be sorted in.
SORTS: tuple[str, ...] = ("relevance", "date")
#: Ids listed in an "ambiguous id" message.
AMBIGUOUS_SHOWN = 5


def _words_filter(field: str, value: str | None) -> QueryNode | None:
    """Every word of an option's value must occur in the field."""
    if value is None or not value.strip():
        return None
    words = [QTerm(w, field) for w in value.replace('"', " ").split()]
    return words[0] if len(words) == 1 else QAnd(tuple(words))


def _date_option(name: str, value: str | None, *, upper: bool):
    if value is None or not value.strip():
        return None
    try:
        return parse_date_bound(value, upper=upper)
    except ValueError:
        raise QueryError(f"{name} {value!r} is not a date (use 2018, 2018-01 or 2018-01-29)") from None


def build_filter(
    *,
    committee: str | None = None,
    officer: str | None = None,
    section: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    quarter: str | None = None,
) -> QueryNode | None:
    """The command-line filters as one query node (None: no filter). Bad values raise QueryError."""
    parts: list[QueryNode | None] = [_words_filter("committee", committee), _words_filter("officer", officer)]
    if section:
        kind = normalize_section_kind(section)
        if kind is None:
            raise QueryError(f"unknown section kind {section!r} (kinds: {', '.join(SECTION_KINDS)})")
        parts.append(QTerm(kind, "section"))
    start = _date_option("--from", date_from, upper=False)
    end = _date_option("--to", date_to, upper=True)
    if start and end and start > end:
        raise QueryError(f"--from {date_from} is after --to {date_to}")
    if start or end:
        parts.append(QDateRange(start, end))
    if quarter:
        key = normalize_quarter(quarter)
        fy = None if key else normalize_fiscal_year(quarter)
        if key is None and fy is None:
            raise QueryError(f"--quarter {quarter!r} is not a quarter like 2017/18-Q2 (or a year like 2017/18)")
        parts.append(QTerm(key, "quarter") if key else QTerm(fy, "fy"))
    return conjoin(*parts)


def build_request(
    text: str,
    *,
    filter: QueryNode | None = None,
    limit: int = DEFAULT_LIMIT,
    page: int = 1,
    sort: str = "relevance",
    sections: int = DEFAULT_SECTIONS,
    flat: bool = False,
) -> SearchRequest:
    """Parse the query and size the request for the page wanted."""
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"--limit must be 1 to {MAX_LIMIT}")
    if page < 1:
        raise QueryError("--page must be 1 or more")
    if sections < 1:
        raise QueryError("--sections must be 1 or more")
    if sort not in SORTS:
        raise QueryError(f"--sort must be one of {', '.join(SORTS)}")
    if not text.strip():
        if filter is None:
            raise QueryError("empty query (give words to search for, or * with filters)")
        query: QueryNode = QAll()
    else:
        query = parse_query(text)
    if flat:
        return SearchRequest(query, filter, limit=limit, offset=(page - 1) * limit, sort=sort)
    # Grouped: first the page's reports (each by its best section)...
    return SearchRequest(query, filter, limit=limit, offset=(page - 1) * limit, per_report=1, sort=sort,
                         snippets=False)


def sections_request(first: SearchRequest, report_ids: tuple[str, ...], sections: int) -> SearchRequest:
    """...then the best ``sections`` sections of each of those reports."""
    return replace(first, limit=len(report_ids) * sections, offset=0, per_report=sections,
                   report_ids=report_ids, snippets=True)


def group_hits(hits: Iterable[Hit]) -> list[ReportHits]:
    """Hits grouped by report, reports in the order of their first (best) hit."""
    groups: dict[str, list[Hit]] = {}
    for h in hits:
        groups.setdefault(h.report_id, []).append(h)
    out = []
    for rid, hs in groups.items():
        first = hs[0]
        out.append(
            ReportHits(
                report_id=rid,
                path=first.path,
                meeting_date=first.meeting_date,
                committee=first.committee,
                subject=first.subject,
                period=first.period,
                score=max(h.score for h in hs),
                hits=tuple(hs),
            )
        )
    return out


def search(
    index_dir: str | os.PathLike[str],
    text: str,
    *,
    committee: str | None = None,
    officer: str | None = None,
    section: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    quarter: str | None = None,
    limit: int = DEFAULT_LIMIT,
    page: int = 1,
    sort: str = "relevance",
    sections: int = DEFAULT_SECTIONS,
    flat: bool = False,
) -> SearchPage:
    """Search the index: one page of hits, grouped by report (best ``sections`` each) or ``flat``."""
    from pipeline.index import open_index

    filt = build_filter(
        committee=committee, officer=officer, section=section, date_from=date_from, date_to=date_to, quarter=quarter
    )
    request = build_request(text, filter=filt, limit=limit, page=page, sort=sort, sections=sections, flat=flat)
    with open_index(index_dir) as ix:
        result = ix.search(request)
        if flat:
            return SearchPage(text, page, limit, result.total, result.reports, False, (), result.hits)
        ids = tuple(h.report_id for h in result.hits)
        best = ix.search(sections_request(request, ids, sections)).hits if ids else ()
    by_report = {g.report_id: g for g in group_hits(best)}
    groups = tuple(by_report[i] for i in ids if i in by_report)
    hits = tuple(h for g in groups for h in g.hits)
    return SearchPage(text, page, limit, result.total, result.reports, True, groups, hits)


def resolve_report_id(ix, id_or_prefix: str) -> str:
    """The one indexed report id equal to, or else starting with, ``id_or_prefix``."""
    wanted = id_or_prefix.strip()
    if not wanted:
        raise BoardpapersError("give a report id (or the start of one)")
    ids = ix.report_ids(wanted)
    if wanted in ids:
        return wanted
    if not ids:
        raise BoardpapersError(f"no report with id {wanted!r} in the index at {ix.path}")
    if len(ids) > 1:
        shown = ", ".join(ids[:AMBIGUOUS_SHOWN]) + (", ..." if len(ids) > AMBIGUOUS_SHOWN else "")
        raise BoardpapersError(f"{wanted!r} matches {len(ids)} reports ({shown}): give more of the id")
    return ids[0]


def show(index_dir: str | os.PathLike[str], id_or_prefix: str) -> Report:
    """One report's record from the index, by id or unique id prefix."""
    from pipeline.index import open_index

    with open_index(index_dir) as ix:
        report = ix.get_report(resolve_report_id(ix, id_or_prefix))
    assert report is not None
    return report
