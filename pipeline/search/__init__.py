"""The engine-independent search API: queries and filters in, shaped results out.

    from pipeline.search import search, show
    page = search("index", '"foster carers"')                 # grouped by report
    page = search("index", "performance", section="recommendations", date_from="2017-01-01", flat=True)
    report = show("index", "002_03db")                         # a unique id prefix

Every function takes the index's directory (opened for the call), or an
index already open (``pipeline.index.open_index``), which a program answering
many queries keeps instead of reopening it each time.

Options become filters in the same query language as ``field:value`` terms
(``pipeline.search.query``), and the index engine (``pipeline.index``) only ever sees
the parsed AST: nothing here knows which engine answers.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Iterator

from pipeline import config
from pipeline.errors import BoardpapersError, QueryError
from pipeline.search.query import (
    MAX_QUERY_TERMS,
    conjoin,
    normalize_fiscal_year,
    normalize_quarter,
    normalize_section_kind,
    parse_date_bound,
    parse_query,
)

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.index import Index

from pipeline.model import (
    DOC_TYPES,
    SECTION_KINDS,
    Hit,
    IndexStats,
    Lineage,
    QAll,
    QAnd,
    QDateRange,
    QTerm,
    QueryNode,
    Report,
    ReportHits,
    SearchPage,
    SearchRequest,
    Section,
    StatCount,
    TraceEntry,
    TraceResult,
)

#: Results per page (reports when grouped, sections when flat).
DEFAULT_LIMIT = 10
#: Largest --limit, --page and --sections accepted (see pipeline.config).
MAX_LIMIT = config.MAX_LIMIT
MAX_PAGE = config.MAX_PAGE
MAX_SECTIONS = config.MAX_SECTIONS
#: Best sections shown for each report when results are grouped.
DEFAULT_SECTIONS = 3
#: Orders results can be sorted in.
SORTS: tuple[str, ...] = ("relevance", "date")
#: Ids listed in an "ambiguous id" message.
AMBIGUOUS_SHOWN = 5


@contextmanager
def _opened(index: "str | os.PathLike[str] | Index") -> Iterator["Index"]:
    """The index at a path, opened for the call and closed after; or an index already open, left open.

    A program answering many queries (or a benchmark timing queries apart
    from opening) passes an open :class:`~pipeline.index.Index` instead of
    its directory.
    """
    if not isinstance(index, (str, os.PathLike)):
        yield index
        return
    from pipeline.index import open_index

    with open_index(index, readonly=True) as ix:
        yield ix


def _words_filter(field: str, value: str | None) -> QueryNode | None:
    """Every word of an option's value must occur in the field."""
    if value is None or not value.strip():
        return None
    words = [QTerm(w, field) for w in value.replace('"', " ").split()]
    if len(words) > MAX_QUERY_TERMS:
        raise QueryError(f"--{field} has too many words: {len(words):,} (at most {MAX_QUERY_TERMS})")
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
    council: str | None = None,
    doc_type: str | None = None,
) -> QueryNode | None:
    """The command-line filters as one query node (None: no filter). Bad values raise QueryError."""
    parts: list[QueryNode | None] = [
        _words_filter("committee", committee),
        _words_filter("officer", officer),
        _words_filter("council", council),
    ]
    if doc_type:
        wanted = doc_type.strip().lower().replace(" ", "_").replace("-", "_")
        if wanted not in DOC_TYPES:
            raise QueryError(f"unknown doc type {doc_type!r} (doc types: {', '.join(DOC_TYPES)})")
        parts.append(QTerm(wanted, "doc_type"))
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
        if key is not None:
            parts.append(QTerm(key, "quarter"))
        elif fy is not None:
            parts.append(QTerm(fy, "fy"))
        else:
            raise QueryError(f"--quarter {quarter!r} is not a quarter like 2017/18-Q2 (or a year like 2017/18)")
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
    sizes = (("limit", limit, MAX_LIMIT), ("page", page, MAX_PAGE), ("sections", sections, MAX_SECTIONS))
    for name, value, most in sizes:
        if not isinstance(value, int) or not 1 <= value <= most:
            raise QueryError(f"--{name} must be a whole number from 1 to {most:,}")
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
    return SearchRequest(query, filter, limit=limit, offset=(page - 1) * limit, per_report=1, sort=sort, snippets=False)


def sections_request(first: SearchRequest, report_ids: tuple[str, ...], sections: int) -> SearchRequest:
    """...then the best ``sections`` sections of each of those reports."""
    return replace(
        first,
        limit=len(report_ids) * sections,
        offset=0,
        per_report=sections,
        report_ids=report_ids,
        snippets=True,
        counts=False,
    )


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
    index_dir: "str | os.PathLike[str] | Index",
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
    limit: int = DEFAULT_LIMIT,
    page: int = 1,
    sort: str = "relevance",
    sections: int = DEFAULT_SECTIONS,
    flat: bool = False,
) -> SearchPage:
    """Search the index: one page of hits, grouped by report (best ``sections`` each) or ``flat``."""

    filt = build_filter(
        committee=committee,
        officer=officer,
        section=section,
        date_from=date_from,
        date_to=date_to,
        quarter=quarter,
        council=council,
        doc_type=doc_type,
    )
    request = build_request(text, filter=filt, limit=limit, page=page, sort=sort, sections=sections, flat=flat)
    with _opened(index_dir) as ix:
        result = ix.search(request)
        if flat:
            return SearchPage(
                text,
                page,
                limit,
                result.total,
                result.reports,
                False,
                (),
                result.hits,
                reports_exact=result.reports_exact,
            )
        ids = tuple(h.report_id for h in result.hits)
        best = ix.search(sections_request(request, ids, sections)).hits if ids else ()
    by_report = {g.report_id: g for g in group_hits(best)}
    groups = tuple(by_report[i] for i in ids if i in by_report)
    hits = tuple(h for g in groups for h in g.hits)
    return SearchPage(
        text, page, limit, result.total, result.reports, True, groups, hits, reports_exact=result.reports_exact
    )


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

    with _opened(index_dir) as ix:
        report = ix.get_report(resolve_report_id(ix, id_or_prefix))
    assert report is not None
    return report


# ---------------------------------------------------------------- wording similarity (trace, similar)

#: Recommendations in one lineage have at least this wording similarity (0-100, see wording_similarity).
LINEAGE_MIN_SIMILARITY = 80.0
#: ``trace ID`` lists recommendations at least this similar to the one traced.
TRACE_MIN_SIMILARITY = 55.0
#: Most recommendations ``trace`` considers.
TRACE_CANDIDATES = 500
#: Sections ``similar`` fetches by BM25 before comparing passages.
SIMILAR_CANDIDATES = 60
#: Most distinct words of the given text used to fetch candidates.
SIMILAR_MAX_TERMS = 64
#: Passages shown by ``similar``.
SIMILAR_DEFAULT_LIMIT = 10
#: Lines shorter than this are joined to the next to form a passage.
PASSAGE_MIN_CHARS = 60
#: Most consecutive passages compared as one (for a long text given to ``similar``).
PASSAGE_MAX_JOINED = 3
#: Joined passages may be at most this many times as long as the text given.
PASSAGE_LENGTH_FACTOR = 1.5
#: A passage up to this long is shown whole; longer ones are cut around the shared words.
PASSAGE_SHOWN_WHOLE = 600
#: Passage similarity = this weight x token-set ratio + the rest x Dice overlap of terms.
TOKEN_SET_WEIGHT = 0.6
#: Separates a report id from a recommendation's number: ``003_8f5a...-76a6580b#r1``.
RECOMMENDATION_SEP = "#r"

_RECOMMENDATION_ID = re.compile(
    r"""
    (?P<rid>\S+?)    # a report id, or a unique start of one
    \#r              # RECOMMENDATION_SEP
    (?P<n>\d+)       # the recommendation's 1-based number
    """,
    re.VERBOSE,
)


def recommendation_id(report_id: str, number: int) -> str:
    return f"{report_id}{RECOMMENDATION_SEP}{number}"


def wording_similarity(a: str, b: str) -> float:
    """0-100: how alike two normalised wordings are, in order (rapidfuzz ratio)."""
    from rapidfuzz import fuzz

    return round(fuzz.ratio(a, b), 1)


def passage_similarity(a: list[str], b: list[str]) -> float:
    """0-100: how much wording two term lists share, in any order.

    Token-set ratio rewards a passage that says what the text says; the Dice
    overlap keeps a short passage that shares a few words from scoring high.
    """
    from rapidfuzz import fuzz

    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    dice = 200.0 * len(sa & sb) / (len(sa) + len(sb))
    return round(TOKEN_SET_WEIGHT * fuzz.token_set_ratio(" ".join(a), " ".join(b)) + (1 - TOKEN_SET_WEIGHT) * dice, 1)


def _normal(ix, text: str) -> str:
    """Wording as the index sees it: stemmed terms, stop words dropped."""
    return " ".join(t for _, _, t in ix.terms(text))


def _words_query(ix, text: str, max_terms: int) -> QueryNode | None:
    """Any of the text's distinct words (OR), to fetch candidates by BM25."""
    from pipeline.model import QOr

    seen: dict[str, QTerm] = {}
    for start, end, term in ix.terms(text):
        if term not in seen and len(seen) < max_terms:
            seen[term] = QTerm(text[start:end])
    if not seen:
        return None
    words = tuple(seen.values())
    return words[0] if len(words) == 1 else QOr(words)


class _Records:
    """Reports fetched from the index once each."""

    def __init__(self, ix) -> None:
        self.ix = ix
        self._cache: dict[str, Report | None] = {}

    def get(self, report_id: str) -> Report | None:
        if report_id not in self._cache:
            self._cache[report_id] = self.ix.get_report(report_id)
        return self._cache[report_id]


# ---------------------------------------------------------------- trace


def _entry(hit: Hit) -> TraceEntry:
    """A recommendation found by a search (``SearchRequest.texts``: its wording on the hit) as a trace entry.

    The recommendation's document carries its report's fields (committee, officer, period, date),
    so no record is fetched.
    """
    return TraceEntry(
        recommendation_id=recommendation_id(hit.report_id, hit.section_index),
        report_id=hit.report_id,
        path=hit.path,
        number=hit.section_index,
        text=hit.text,
        meeting_date=hit.meeting_date,
        committee=hit.committee,
        officer=hit.officer,
        period=hit.period,
        similarity=100.0,
        lineage="",
    )


def _seed(ix, records: _Records, text: str) -> TraceEntry | None:
    """The recommendation named by ``<report id or unique prefix>#r<number>``, else None."""
    m = _RECOMMENDATION_ID.fullmatch(text.strip())
    if not m:
        return None
    rid = resolve_report_id(ix, m["rid"])
    report = records.get(rid)
    number = int(m["n"])
    rec = next((r for r in report.recommendations if r.number == number), None) if report else None
    if report is None or rec is None:
        have = len(report.recommendations) if report else 0
        raise BoardpapersError(f"report {rid} has no recommendation {number} (it has {have})")
    return TraceEntry(
        recommendation_id=recommendation_id(rid, number),
        report_id=rid,
        path=report.source.path,
        number=number,
        text=rec.text,
        meeting_date=report.meeting_date,
        committee=report.committee,
        officer=report.reporting_officer,
        period=report.period.key if report.period else None,
        similarity=100.0,
        lineage="",
    )


def _placed(e: TraceEntry, lineage: str, similarity: float) -> TraceEntry:
    """The entry in its lineage (``dataclasses.replace`` cost ~8 us an entry; a trace places 500)."""
    return TraceEntry(
        recommendation_id=e.recommendation_id,
        report_id=e.report_id,
        path=e.path,
        number=e.number,
        text=e.text,
        meeting_date=e.meeting_date,
        committee=e.committee,
        officer=e.officer,
        period=e.period,
        similarity=similarity,
        lineage=lineage,
    )


def _date_key(e: TraceEntry) -> tuple:
    return (e.meeting_date or _dt.date.max, e.report_id, e.number)


def group_lineages(
    entries: list[TraceEntry], normal: dict[str, str], *, seed: TraceEntry | None = None
) -> list[Lineage]:
    """Near-identical wordings (single link, :data:`LINEAGE_MIN_SIMILARITY`) as lineages in date order.

    Similarity is to the ``seed`` when given, else to the lineage's earliest entry.
    Lineages are ordered by their earliest meeting (with a seed: the seed's first,
    then by best similarity).
    """
    clusters: list[list[TraceEntry]] = []
    for e in sorted(entries, key=_date_key):
        home = next(
            (
                c
                for c in clusters
                if any(
                    wording_similarity(normal[e.recommendation_id], normal[o.recommendation_id])
                    >= LINEAGE_MIN_SIMILARITY
                    for o in c
                )
            ),
            None,
        )
        if home is None:
            clusters.append([e])
        else:
            home.append(e)
    if seed is not None:
        clusters.sort(
            key=lambda c: (
                all(e.recommendation_id != seed.recommendation_id for e in c),
                -max(e.similarity for e in c),
                _date_key(c[0]),
            )
        )
    out = []
    for i, c in enumerate(clusters, 1):
        lid = f"L{i}"
        first = normal[c[0].recommendation_id]
        members = tuple(
            _placed(e, lid, e.similarity if seed else wording_similarity(first, normal[e.recommendation_id])) for e in c
        )
        out.append(Lineage(lid, c[0].text, members))
    return out


def trace(
    index_dir: "str | os.PathLike[str] | Index",
    query_or_id: str,
    *,
    committee: str | None = None,
    officer: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    quarter: str | None = None,
    min_similarity: float = TRACE_MIN_SIMILARITY,
    council: str | None = None,
) -> TraceResult:
    """Recommendations across reports matching a query, or resembling one recommendation
    (``<report id>#r<n>``), grouped into lineages of near-identical wording."""

    filt = build_filter(
        committee=committee, officer=officer, date_from=date_from, date_to=date_to, quarter=quarter, council=council
    )
    with _opened(index_dir) as ix:
        records = _Records(ix)
        seed = _seed(ix, records, query_or_id)
        if seed is not None:
            query = _words_query(ix, seed.text, SIMILAR_MAX_TERMS) or QAll()
        elif not query_or_id.strip():
            raise QueryError("empty query (give words, or a recommendation id like REPORT#r1)")
        else:
            query = parse_query(query_or_id)
        hits = ix.search(
            SearchRequest(
                query, filt, target="recommendation", limit=TRACE_CANDIDATES, snippets=False, counts=False, texts=True
            )
        ).hits
        entries = [_entry(h) for h in hits]
        if seed is not None and all(e.recommendation_id != seed.recommendation_id for e in entries):
            entries.append(seed)  # filtered out by an option: still show what is traced
        normal = {e.recommendation_id: _normal(ix, e.text) for e in entries}
    if seed is not None:
        target = normal[seed.recommendation_id]
        entries = [
            replace(e, similarity=s)
            for e in entries
            if (s := wording_similarity(target, normal[e.recommendation_id])) >= min_similarity
            or e.recommendation_id == seed.recommendation_id
        ]
    return TraceResult(query_or_id, seed, tuple(group_lineages(entries, normal, seed=seed)))


# ---------------------------------------------------------------- similar


def passages(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text's passages: its lines, short ones joined to the next."""
    out: list[tuple[int, int]] = []
    start = None
    for m in re.finditer(r"[^\n]+", text):
        if not m.group().strip():
            continue
        if start is None:
            start = m.start()
        if m.end() - start >= PASSAGE_MIN_CHARS:
            out.append((start, m.end()))
            start = None
    if start is not None:
        if out and len(text[start:].strip()) < PASSAGE_MIN_CHARS:
            out[-1] = (out[-1][0], len(text.rstrip()))
        else:
            out.append((start, len(text.rstrip())))
    return out


def _within(terms: list[tuple[int, int, str]], starts: list[int], lo: int, hi: int) -> list[tuple[int, int, str]]:
    """The terms (sorted by start, not overlapping) lying wholly inside text[lo:hi]."""
    from bisect import bisect_left

    out = []
    for k in range(bisect_left(starts, lo), len(terms)):
        if terms[k][1] > hi:
            break
        out.append(terms[k])
    return out


#: A line of a section's text: the unit ``Section.paragraphs`` cites.
_TEXT_LINE = re.compile(r"[^\n]+")


def paragraph_citation(section: Section, text: str, offset: int) -> tuple[int, int]:
    """(page, line) in the paper where the paragraph of ``text`` (the section's) holding ``offset`` begins.

    ``Section.paragraphs`` cites each of the text's lines (blank ones skipped);
    a record without them (indexed before the parser kept them), or a text
    that is not the section's (its title standing in for an empty text),
    gives the section's own page and line.
    """
    from bisect import bisect_right

    starts = [m.start() for m in _TEXT_LINE.finditer(text)]
    if not section.paragraphs or len(section.paragraphs) != len(starts) or text != section.text:
        return section.page, section.line
    k = max(0, bisect_right(starts, offset) - 1)
    return section.paragraphs[k]


def _best_passage(
    wanted: list[str], text_length: int, body: str, body_terms: list[tuple[int, int, str]]
) -> tuple[float, int, int] | None:
    """The passage of ``body`` (consecutive paragraphs, see :func:`passages`) most like the wanted terms."""
    spans = passages(body)
    # The body's terms once; a passage's are those inside it (passages are whole
    # lines, and no term crosses a line, so this is what analysing it alone gives).
    starts = [start for start, _, _ in body_terms]
    best: tuple[float, int, int] | None = None
    for i in range(len(spans)):
        for j in range(i, min(i + PASSAGE_MAX_JOINED, len(spans))):
            lo, hi = spans[i][0], spans[j][1]
            if j > i and hi - lo > PASSAGE_LENGTH_FACTOR * text_length:
                break
            sim = passage_similarity(wanted, [t for _, _, t in _within(body_terms, starts, lo, hi)])
            if best is None or sim > best[0]:
                best = (sim, lo, hi)
    return best


def _marks(tokens: list[tuple[int, int, str]], wanted: set[str]) -> list[tuple[int, int]]:
    """Spans of the shared words, consecutive shared words as one mark."""
    marks: list[tuple[int, int]] = []
    previous = -2
    for k, (s, e, term) in enumerate(tokens):
        if term in wanted:
            if previous == k - 1 and marks:
                marks[-1] = (marks[-1][0], e)
            else:
                marks.append((s, e))
            previous = k
    return marks


def similar(
    index_dir: "str | os.PathLike[str] | Index",
    text: str,
    *,
    section: str | None = None,
    committee: str | None = None,
    officer: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    quarter: str | None = None,
    council: str | None = None,
    limit: int = SIMILAR_DEFAULT_LIMIT,
) -> tuple[Hit, ...]:
    """Passages in the index worded most like ``text``, best first.

    Sections are fetched by BM25, then each is scored by its passage (a
    paragraph, or a few consecutive ones) most like the text: the hit's
    ``score`` is that passage's similarity (0-100, :func:`passage_similarity`),
    its ``page`` and ``line`` where the passage begins in the paper
    (:func:`paragraph_citation`) and its ``snippet`` the passage with the
    shared wording in [[ ]]. ``section`` and the report filters (as
    :func:`search` takes them) restrict the candidates.
    """
    from pipeline.index import make_snippet

    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"--limit must be 1 to {MAX_LIMIT}")
    filt = build_filter(
        section=section,
        committee=committee,
        officer=officer,
        date_from=date_from,
        date_to=date_to,
        quarter=quarter,
        council=council,
    )
    with _opened(index_dir) as ix:
        query = _words_query(ix, text, SIMILAR_MAX_TERMS)
        if query is None:
            raise QueryError("the text has no searchable words")
        wanted = [t for _, _, t in ix.terms(text)]
        wanted_set = set(wanted)
        records = _Records(ix)
        candidates = ix.search(SearchRequest(query, filt, limit=SIMILAR_CANDIDATES, snippets=False, counts=False)).hits
        scored: list[tuple[float, float, Hit]] = []
        for hit in candidates:
            report = records.get(hit.report_id)
            if report is None or hit.section_index >= len(report.sections):
                continue
            found = report.sections[hit.section_index]
            body = found.text or found.title  # a run-in heading may hold all its wording
            body_terms = ix.terms(body)
            best = _best_passage(wanted, len(text), body, body_terms)
            if best is None:
                continue
            sim, lo, hi = best
            tokens = [(s - lo, e - lo, t) for s, e, t in _within(body_terms, [b for b, _, _ in body_terms], lo, hi)]
            snippet = make_snippet(body[lo:hi], _marks(tokens, wanted_set), whole=PASSAGE_SHOWN_WHOLE)
            page, line = paragraph_citation(found, body, lo)
            scored.append((sim, hit.score, replace(hit, score=sim, snippet=snippet, page=page, line=line)))
    scored.sort(key=lambda x: (-x[0], -x[1], x[2].report_id, x[2].section_index))
    return tuple(h for _, _, h in scored[:limit])


# ---------------------------------------------------------------- stats

#: The dimensions ``stats`` counts reports by, in output order.
STAT_DIMENSIONS: tuple[str, ...] = ("council", "committee", "fiscal_year", "quarter", "doc_type", "warning")
#: Shown for a report without a value.
NO_VALUE = "(none)"


def stats(index_dir: str | os.PathLike[str]) -> IndexStats:
    """Reports by council, committee, financial year and quarter; doc types; warnings by code."""
    from collections import Counter

    counters: dict[str, Counter[str]] = {d: Counter() for d in STAT_DIMENSIONS}
    n = 0
    with _opened(index_dir) as ix:
        for r in ix.iter_reports():
            n += 1
            counters["council"][r.council or NO_VALUE] += 1
            counters["committee"][r.committee or NO_VALUE] += 1
            counters["fiscal_year"][r.period.fiscal_year if r.period else NO_VALUE] += 1
            counters["quarter"][r.period.key if r.period and r.period.quarter else NO_VALUE] += 1
            counters["doc_type"][r.doc_type] += 1
            for w in r.warnings:
                counters["warning"][w.code] += 1
        sections, files = ix.count("section"), len(ix.files())
    counts = tuple(
        StatCount(d, value, c)
        for d in STAT_DIMENSIONS
        for value, c in sorted(counters[d].items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return IndexStats(reports=n, sections=sections, files=files, counts=counts)
