"""Scoring every match of a Whoosh query, as Whoosh's searcher scores it, and ordering the matches.

Whoosh's own collectors (sorting, grouping, collapsing by report) cost
several times the scoring itself, and its union matchers several times their
leaves: :func:`matches` walks Whoosh's tree of matchers itself, leaf by leaf,
with the same scores to the last bit, and keys each match by its report and
meeting date read from the index's columns; :func:`sort_key` orders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

#: Marks a report whose date has not been read yet.
_UNSEEN: Any = object()


def lengths_in_memory(searcher: Any) -> None:
    """Read each segment's field-length columns (a byte a document a field) into memory.

    BM25 reads a document's field length for every posting it scores, and a
    column in a plain segment file costs a seek and a read each time (half of
    ``similar``'s time, which scores a few hundred thousand postings). Only
    Whoosh's W3 per-document reader is known; others are left as they are.
    """
    from whoosh.codec import whoosh3
    from whoosh.columns import NumericColumn

    fields = [name for name, field in searcher.schema.items() if field.scorable]
    for reader, _ in searcher.reader().leaf_readers():
        perdoc = getattr(reader, "_perdoc", None)
        if not isinstance(perdoc, whoosh3.W3PerDocReader):
            continue
        for name in fields:
            lenfield = whoosh3._lenfield(name)
            column = perdoc._cached_reader(lenfield, whoosh3.LENGTHS_COLUMN)
            if type(column) is not NumericColumn.Reader or column._fixedlen != 1:
                continue
            data = column._dbfile.get(column._basepos, column._count)
            # bytes index to ints, as the column does; documents past its end have length 0
            perdoc._readers[lenfield] = bytes(data) + bytes(max(0, column._doccount - column._count))


@dataclass(frozen=True, slots=True)
class Match:
    """One scored match, with what orders it: its report's meeting date (None: undated) and id."""

    score: float
    day: int | None  # the meeting date as Whoosh's column holds it
    report: bytes  # the report id (UTF-8: orders as the text does)
    docnum: int


def _within(day: int | None, ranges: Iterable[tuple[int | None, int | None]]) -> bool:
    return day is not None and all((lo is None or day >= lo) and (hi is None or day <= hi) for lo, hi in ranges)


def sort_key(sort: str) -> Callable[[Match], tuple]:
    """The order of matches for a sort: relevance (ties: newest first) or date (newest first).

    An undated report comes after every dated one, in both (as the tantivy
    engine orders them); then the report id, then the document's place in
    the index (a report's sections in their order).
    """
    if sort == "relevance":
        return lambda m: (-m.score, m.day is None, -(m.day or 0), m.report, m.docnum)
    if sort == "date":
        return lambda m: (m.day is None, -(m.day or 0), -m.score, m.report, m.docnum)
    raise ValueError(f"unknown sort {sort!r}")


def matches(searcher: Any, query: Any, days: Sequence[tuple[int | None, int | None]] = ()) -> list[Match]:
    """Every document matching ``query``, scored, with its report id and meeting date from the columns.

    Segment by segment, as Whoosh's collectors do. The date is read once per
    report (every document of a report carries the report's date). With
    ``days`` (inclusive (low, high) bounds in the column's units, None: open),
    only documents dated within every range are kept.
    """
    context = searcher.context()
    missing = searcher.schema["meeting_date"].column_type.default_value()
    out: list[Match] = []
    for sub, offset in searcher.leaf_searchers():
        scores = _scores(query.matcher(sub, context), getattr(sub.reader(), "_perdoc", None))
        if not scores:
            continue
        reader = sub.reader()
        ids = reader.column_reader("report_id", translate=False)
        column = reader.column_reader("meeting_date", translate=False)
        seen: dict[bytes, int | None] = {}
        for docnum, score in scores.items():
            report = ids[docnum]
            day = seen.get(report, _UNSEEN)
            if day is _UNSEEN:
                raw = column[docnum]
                day = seen[report] = None if raw == missing else raw
            if not days or _within(day, days):
                out.append(Match(score, day, report, offset + docnum))
    return out


def _scores(matcher: Any, perdoc: Any = None) -> dict[int, float]:
    """Document number -> score of every match of a fresh Whoosh matcher.

    Whoosh's own tree of matchers for the query, walked here: each leaf (a
    term, a phrase, a prefix's terms...) is run by itself and the unions,
    intersections and exclusions above the leaves are done with dictionaries,
    adding scores in the order Whoosh's matchers add them, so scores are
    equal to the last bit. Whoosh's union matchers cost several times their
    leaves for every match (a word searches four fields; ``similar`` ORs
    sixty-four words). A matcher this does not know is run as it is (among
    them the union Whoosh uses in small segments, which reads its clauses as
    it is made). Matchers that advance their children when made (an
    intersection, an exclusion) only skip documents they would not match.
    """
    from whoosh import matching as M

    kind = type(matcher)
    if kind is M.UnionMatcher:
        a, b = _scores(matcher.a, perdoc), _scores(matcher.b, perdoc)
        if len(b) > len(a):  # fold the smaller into the larger (fresh dicts; x + y == y + x, to the bit)
            a, b = b, a
        for d, v in b.items():
            a[d] = a[d] + v if d in a else v
        return a
    if kind is M.IntersectionMatcher:
        a, b = _scores(matcher.a, perdoc), _scores(matcher.b, perdoc)
        return {d: v + b[d] for d, v in a.items() if d in b}
    if kind is M.RequireMatcher:
        a = _scores(matcher.a, perdoc)
        return {d: a[d] for d in _present(matcher.b, sorted(a))}
    if kind is M.AndNotMatcher:
        a = _scores(matcher.a, perdoc)
        for d in _present(matcher.b, sorted(a)):
            del a[d]
        return a
    if kind is M.WrappingMatcher:
        boost = matcher.boost
        return {d: v * boost for d, v in _scores(matcher.child, perdoc).items()}
    out = {}
    bm25 = _bm25_of(matcher, perdoc)
    if bm25 is not None:
        # a term's postings scored straight from the in-memory field lengths, a block at a
        # time: BM25F's formula written out on the same numbers as matcher.score(), its
        # length-dependent part looked up by the length byte (the block is read by the
        # matcher's own methods, as id()/weight() do)
        idf, k1p, lengths, denominator, slow = bm25
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids, weights = matcher._ids, matcher._weights
            for i in range(matcher._i, matcher._blocklength):
                d = ids[i]
                tf = weights[i]
                lbyte = lengths[d]
                out[d] = idf * ((tf * k1p) / (tf + (denominator[lbyte] if lbyte else slow(d))))
            matcher._i = matcher._blocklength - 1
            matcher.next()  # past the block's last posting: the next block, or the end
        return out
    while matcher.is_active():
        out[matcher.id()] = matcher.score()
        matcher.next()
    return out


def _bm25_of(matcher: Any, perdoc: Any) -> tuple[float, float, bytes, list[float], Callable[[int], float]] | None:
    """For a term's postings scored by BM25F with its field lengths in memory: (idf, K1 + 1, the
    length bytes, the length part of the denominator by length byte, that part for a document
    without a length byte).

    Whoosh's ``bm25`` is ``idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))``;
    the same operations on the same numbers give the same score to the bit.
    """
    from whoosh.codec import whoosh3
    from whoosh.scoring import BM25FScorer
    from whoosh.util.numeric import byte_to_length

    scorer: Any = getattr(matcher, "scorer", None)
    term = getattr(matcher, "_term", None)
    if type(matcher) is not whoosh3.W3LeafMatcher or type(scorer) is not BM25FScorer or not term:
        return None
    lengths = getattr(perdoc, "_readers", {}).get(whoosh3._lenfield(term[0]))
    if type(lengths) is not bytes:
        return None
    K1, B, avgfl, dfl = scorer.K1, scorer.B, scorer.avgfl, scorer.dfl

    def part(fl: float) -> float:
        return K1 * ((1 - B) + B * fl / avgfl)

    denominator = [part(byte_to_length(lbyte)) for lbyte in range(256)]
    return scorer.idf, K1 + 1, lengths, denominator, lambda docnum: part(dfl(docnum))


def _present(matcher: Any, docnums: list[int]) -> list[int]:
    """Those of ``docnums`` (ascending) that a fresh matcher matches: a term's postings read whole, else by skipping."""
    from whoosh.codec import whoosh3

    if type(matcher) is whoosh3.W3LeafMatcher and not matcher._byteids:
        ids: set[int] = set()
        while matcher.is_active():  # a block at a time, with the matcher's own reader
            if matcher._ids is None:
                matcher._read_ids()
            ids.update(matcher._ids[matcher._i :])
            matcher._i = matcher._blocklength - 1
            matcher.next()
        return [d for d in docnums if d in ids]
    found = []
    for d in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < d:
            matcher.skip_to(d)
            if not matcher.is_active():
                break
        if matcher.id() == d:
            found.append(d)
    return found
