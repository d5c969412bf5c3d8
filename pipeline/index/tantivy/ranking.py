"""Ordering a tantivy search's matches into a page: from tantivy's top documents when they settle it.

tantivy finds the k best-scoring documents of a query without scoring the
rest. The relevance order is best score first, then newest meeting (undated
last), then report and address: tantivy's top k are the head of that order
once, capped per report, they fill the page and the last score's run is
whole. :func:`rank` reads the top k first and grows k, or reads a long run of
equal scores by day, only as far as the page needs; the date order, and a
page that needs most matches, read and sort every match. Reports among the
matches are counted exactly up to :data:`EXACT_REPORTS_UP_TO` matches, and
estimated beyond.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np
import tantivy as tv

from pipeline.index.tantivy.schema import DAY_FIELD, REPORT_KEY_FIELD, count_matches, match_count, stored
from pipeline.model import SearchRequest

# Large result sets. A search first reads tantivy's top k documents (and the count of all);
# in relevance order that usually settles the page without reading every match.
#: k holds this many times the documents the page needs...
TOP_K_FACTOR = 4
#: ...and at least this many (the best scores of a common phrase tie in runs of hundreds: a smaller
#: k often ends inside such a run, and the page needs a second read, a second evaluation of the
#: phrase; a larger k costs every search a little).
TOP_K_MIN = 1000
#: Each further read holds this many times more; a read of more than total / this is not tried
#: (every match is read and sorted instead).
TOP_K_GROWTH = 8
#: Reports among the matches are counted exactly up to this many matches; beyond, tantivy's
#: cardinality aggregation estimates them (HyperLogLog: within about 1 %, for a figure shown
#: as "N sections in M reports match").
EXACT_REPORTS_UP_TO = 50_000
#: Estimate the reports among a relevance search's matches in a second thread while the first
#: thread reads the top documents (tantivy's binding releases the GIL while it searches, so the
#: two evaluations of the query run at once on two cores).
ESTIMATE_ALONGSIDE = True
#: The top k ending inside a run of equal scores that fills at least this share of them: the run's
#: newest matches are read by day (``_newest_of_run``) rather than every match.
NEWEST_RUN_SHARE = 0.5
#: That read takes up to this many times k matches (the days the k newest matches span, whole).
NEWEST_READ_FACTOR = 2
#: Matches a relevance page orders at a time (whole runs of equal scores; see ``_head``).
HEAD_CHUNK = 256
#: Stands for the count of matches when it was not asked for and the top k did not reach it.
_UNKNOWN = 2**62


@dataclass(frozen=True, slots=True)
class _Match:
    score: float
    day: int | None
    key: int  # report_key
    segment: int
    doc: int
    address: Any


def order(sort: str) -> tuple[Callable[[_Match], tuple], Callable[[_Match], tuple]]:
    """(the order's key up to the report, the key of a tie run) for a sort.

    Newest first; a match without a date comes after every dated one.
    """
    if sort == "relevance":

        def tie(m: _Match) -> tuple:
            return (-m.score, m.day is None, -(m.day or 0))
    elif sort == "date":

        def tie(m: _Match) -> tuple:
            return (m.day is None, -(m.day or 0), -m.score)
    else:
        raise ValueError(f"unknown sort {sort!r}")

    def full(m: _Match) -> tuple:
        return (*tie(m), m.key, m.segment, m.doc)

    return full, tie


def all_matches(searcher: tv.Searcher, query: tv.Query, total: int | None = None) -> list[tuple[float, Any]]:
    """Every match of a query, best first (``total``: their count, if known)."""
    n = count_matches(searcher, query) if total is None else total
    return searcher.search(query, limit=n, count=False).hits if n else []


class Ranked(NamedTuple):
    """A search's page: each hit's score and stored fields, in order, and what the matches count to."""

    page: list[tuple[float, dict[str, Any]]]
    total: int  # matches (0 when not asked for)
    reports: int  # reports among them
    reports_exact: bool  # False: ``reports`` is an estimate


def rank(
    s: tv.Searcher,
    schema: tv.Schema,
    request: SearchRequest,
    query: tv.Query,
    keys: tuple[Callable[[_Match], tuple], Callable[[_Match], tuple]],
) -> Ranked:
    """The page of ``request`` among the matches of ``query`` (its scope included), in ``keys``' order.

    ``keys``: :func:`order`'s pair for the request's sort.
    """
    full_key, tie_key = keys
    want = request.offset + request.limit
    k = max(TOP_K_MIN, want * (request.per_report or 1) * TOP_K_FACTOR)
    estimate = None
    if request.counts and request.sort == "relevance" and ESTIMATE_ALONGSIDE:
        estimate = Alongside(s.cardinality, query, REPORT_KEY_FIELD)  # used if the matches are many
    try:
        # Counting every match stops tantivy skipping the blocks that can't reach the top k.
        first = s.search(query, limit=k, count=request.counts)
        total = match_count(first) if request.counts else (len(first.hits) if len(first.hits) < k else _UNKNOWN)
        if not total:
            return Ranked([], 0, 0, True)
        best = None
        if request.sort == "relevance" and total > len(first.hits):
            best, total = _best(s, schema, query, request, total, full_key, first.hits)
        if best is None:
            found = (
                first.hits if total <= len(first.hits) else all_matches(s, query, None if total == _UNKNOWN else total)
            )
            if request.sort == "relevance":  # ordered only as far as the page needs
                matches, _ = _head(s, found, full_key, request.per_report, want, complete=True)
            else:
                matches = _capped(_matches(s, found, full_key), request.per_report)
            reports = len(set(s.fast_field_values(REPORT_KEY_FIELD, [a for _, a in found]))) if request.counts else 0
            exact = True
        else:
            matches = best
            reports, exact = _reports(s, query, total, estimate) if request.counts else (0, True)
        if not request.counts:
            total = 0  # not asked for (it may have been counted on the way, or not)
        page, fields = _page(s, matches, request.offset, want, tie_key)
        return Ranked([(m.score, fields[(m.segment, m.doc)]) for m in page], total, reports, exact)
    finally:
        if estimate is not None:
            estimate.join()


def _matches(s: tv.Searcher, found: list[tuple[float, Any]], key: Callable[[_Match], tuple]) -> list[_Match]:
    """Scored addresses as matches (date and report from the fast fields), in the order of ``key``."""
    addresses = [a for _, a in found]
    days = s.fast_field_values(DAY_FIELD, addresses)
    keys = s.fast_field_values(REPORT_KEY_FIELD, addresses)
    matches = [
        _Match(float(score), None if day is None else int(day), int(k or 0), a.segment_ord, a.doc, a)
        for (score, a), day, k in zip(found, days, keys)
    ]
    matches.sort(key=key)
    return matches


def _best(
    s: tv.Searcher,
    schema: tv.Schema,
    query: tv.Query,
    request: SearchRequest,
    total: int,
    key: Callable[[_Match], tuple],
    found: list[tuple[float, Any]],
) -> tuple[list[_Match] | None, int]:
    """(the head of the relevance order when tantivy's top documents settle the page, the count of matches).

    ``found``: the first k top documents. tantivy finds the k
    best-scoring documents without scoring the rest. Every document
    scoring above the k-th is among them, and every other one sorts after
    them; so once those alone, capped per report, fill the page, the page
    is exact. When the k-th score's run is most of the k and was cut short,
    its newest matches are read by meeting day (:func:`_newest_of_run`).
    Else k grows (:data:`TOP_K_GROWTH`); None: the head is most of the
    matches, sort them all. ``total`` may be :data:`_UNKNOWN`: it is
    counted (one pass, no documents read) when the first k do not settle
    the page, so that a large head is read once, not grown to.
    """
    k = len(found)
    want = request.offset + request.limit
    tried_newest = False
    while True:
        # Fewer than k: every match, the last score's run whole.
        head, settled = _head(s, found, key, request.per_report, want, complete=len(found) < k)
        if settled:
            return head, total
        if not tried_newest and len(found) >= k:
            tried_newest = True
            newest = _newest_of_run(s, schema, query, request, key, found, want)
            if newest is not None:
                return newest, total
        if total == _UNKNOWN:
            total = count_matches(s, query)
        k *= TOP_K_GROWTH
        if k >= total // TOP_K_GROWTH:
            return None, total
        found = s.search(query, limit=k, count=False).hits


def _newest_of_run(
    s: tv.Searcher,
    schema: tv.Schema,
    query: tv.Query,
    request: SearchRequest,
    key: Callable[[_Match], tuple],
    found: list[tuple[float, Any]],
    want: int,
) -> list[_Match] | None:
    """The head of the relevance order when the top k ended inside a long run of equal scores, else None.

    Within a score, newer meetings come first, so what the page still
    needs are the run's newest matches. tantivy lists the matches newest
    first (by the day fast field, not scored): the day of the m-th newest
    bounds a read of every match on or after that day, with scores; the
    run's matches among them, after the higher-scoring ones in ``found``,
    settle the page if they fill it (that day's matches are all read, so
    the page's ties are whole). Tried only when the cut run is at least
    :data:`NEWEST_RUN_SHARE` of the top k (a run of thousands of ties:
    boilerplate wording); None: not settled, grow k as before.
    """
    cut = found[-1][0]
    if sum(1 for h in found if h[0] == cut) < NEWEST_RUN_SHARE * len(found):
        return None
    m = len(found)
    newest = s.search(query, limit=m, count=False, order_by_field=DAY_FIELD).hits
    since = newest[-1][0] if len(newest) == m else None
    if not isinstance(since, int) or since <= 0:  # fewer dated matches than that: no shortcut
        return None
    recent = tv.Query.boolean_query(
        [
            (tv.Occur.Must, query),
            (
                tv.Occur.Must,
                tv.Query.const_score_query(
                    tv.Query.range_query(schema, DAY_FIELD, tv.FieldType.Integer, since, None), 0.0
                ),
            ),
        ]
    )
    read = s.search(recent, limit=NEWEST_READ_FACTOR * m, count=True)
    if match_count(read) > len(read.hits):  # that day and after hold too many matches to read here
        return None
    candidates = [h for h in found if h[0] > cut] + [h for h in read.hits if h[0] == cut]
    head, settled = _head(s, candidates, key, request.per_report, want, complete=False, last_run_usable=True)
    return head if settled else None


def _reports(s: tv.Searcher, query: tv.Query, total: int, estimate: "Alongside | None" = None) -> tuple[int, bool]:
    """(reports among a query's matches, exactly counted?): counted up to :data:`EXACT_REPORTS_UP_TO`
    matches, else estimated (by ``estimate`` when it was started alongside)."""
    if total <= EXACT_REPORTS_UP_TO:
        addresses = [a for _, a in all_matches(s, query)]
        return len(set(s.fast_field_values(REPORT_KEY_FIELD, addresses))), True
    value = estimate.result() if estimate is not None else s.cardinality(query, REPORT_KEY_FIELD)
    return int(round(value)), False


def _page(
    s: tv.Searcher, matches: list[_Match], start: int, stop: int, tie: Callable[[_Match], tuple]
) -> tuple[list[_Match], dict[tuple[int, int], dict[str, Any]]]:
    """The matches from ``start`` to ``stop``, ties (equal score and date) in report id order.

    Only the tie runs the page touches are loaded to read their report ids.
    """
    stop = min(stop, len(matches))
    if start >= stop:
        return [], {}
    lo, hi = start, stop
    while lo > 0 and tie(matches[lo - 1]) == tie(matches[start]):
        lo -= 1
    while hi < len(matches) and tie(matches[hi]) == tie(matches[stop - 1]):
        hi += 1
    fields = {(m.segment, m.doc): stored(s.doc(m.address)) for m in matches[lo:hi]}
    run = sorted(matches[lo:hi], key=lambda m: (*tie(m), fields[(m.segment, m.doc)]["report_id"], m.segment, m.doc))
    return run[start - lo : stop - lo], fields


class Alongside:
    """A call run in a second thread, its result (or its exception) taken when wanted."""

    def __init__(self, call: Callable[..., Any], *args: Any) -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._value = call(*args)
            except BaseException as exc:  # re-raised in the thread that asks for the result
                self._error = exc

        self._thread = threading.Thread(target=run, name="boardpapers-tantivy", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _head(
    s: tv.Searcher,
    found: list[tuple[float, Any]],
    key: Callable[[_Match], tuple],
    per_report: int | None,
    want: int,
    *,
    complete: bool,
    last_run_usable: bool | None = None,
) -> tuple[list[_Match], bool]:
    """(the first matches in relevance order, capped per report, until ``want`` are kept; settled?).

    ``found``: tantivy's best-scoring documents. The relevance order (``key``,
    ``_order``'s) is best score first, then newest meeting (undated last),
    then report and address. The matches are taken a run of equal scores at a
    time, best first; a run is ordered by day in one vectorised sort, and
    only the days the page needs become :class:`_Match` es (a trace wants 500
    among tens of thousands of matches whose scores tie: ordering every match
    in Python cost most of its time). The (score, day) run that reaches
    ``want`` is kept whole, so the page's ties (equal score and date) are all
    there. The last score's run is usable only when ``found`` is ``complete``
    (every match); else it may be cut short, and without it the page is not
    settled (False). ``last_run_usable``: the last run is in order as far as
    it goes (its newest matches), though not ``complete``: settled only if
    the page is filled before it ends.
    """
    if not found:
        return [], complete
    scores = np.array([h[0] for h in found], dtype=np.float64)
    if len(scores) > 1 and not np.all(scores[:-1] >= scores[1:]):  # tantivy gives them best first; if not, sort
        ranked = np.argsort(-scores, kind="stable")
        found, scores = [found[i] for i in ranked.tolist()], scores[ranked]
    run_ends = [*(np.flatnonzero(scores[1:] != scores[:-1]) + 1).tolist(), len(found)]  # where each score's run ends
    if not (complete if last_run_usable is None else last_run_usable):  # the last run may be cut short: not read
        run_ends.pop()
    kept: dict[int, int] = {}
    out: list[_Match] = []
    lo = 0
    while run_ends:
        # A chunk of whole runs, at least HEAD_CHUNK matches unless the runs end first.
        end = bisect_left(run_ends, lo + HEAD_CHUNK)
        hi = run_ends[min(end, len(run_ends) - 1)]
        del run_ends[: end + 1]
        addresses = [h[1] for h in found[lo:hi]]
        days = s.fast_field_values(DAY_FIELD, addresses)
        keys = s.fast_field_values(REPORT_KEY_FIELD, addresses)
        chunk_scores = scores[lo:hi]
        # Best score first, then newest day (None -> NaN: undated last); stable, so ties keep found's order.
        order = np.lexsort((-np.array(days, dtype=np.float64), -chunk_scores)).tolist()
        score_of = chunk_scores.tolist()
        x, n = 0, len(order)
        while x < n:
            run_score, run_day = score_of[order[x]], days[order[x]]
            y = x + 1
            while y < n and score_of[order[y]] == run_score and days[order[y]] == run_day:
                y += 1
            same = [
                _Match(run_score, run_day, keys[r], addresses[r].segment_ord, addresses[r].doc, addresses[r])
                for r in order[x:y]
            ]
            same.sort(key=key)  # a (score, day) run's matches by report and address
            for m in same:
                if per_report:
                    c = kept.get(m.key, 0)
                    if c >= per_report:
                        continue
                    kept[m.key] = c + 1
                out.append(m)
            if len(out) >= want:  # this (score, day) run whole: the page's ties are all here
                return out, True
            x = y
        lo = hi
    return out, complete


def _capped(matches: list[_Match], per_report: int | None) -> list[_Match]:
    """At most ``per_report`` matches of each report, in order (all of them without a cap)."""
    if not per_report:
        return matches
    kept: dict[int, int] = {}
    out = []
    for m in matches:
        n = kept.get(m.key, 0)
        if n < per_report:
            kept[m.key] = n + 1
            out.append(m)
    return out
