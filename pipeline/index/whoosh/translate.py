"""The query AST (``pipeline.model``) as Whoosh queries."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pipeline.errors import QueryError
from pipeline.index.documents import as_datetime
from pipeline.index.fields import (
    BODY_WEIGHT,
    FUZZY_PREFIX_LENGTH,
    HEADING_WEIGHT,
    KEYWORD_FIELD_MAP,
    RECOMMENDATIONS_WEIGHT,
    SUBJECT_WEIGHT,
    TEXT_FIELD_MAP,
)
from pipeline.model import QAll, QAnd, QDateRange, QFuzzy, QNot, QOr, QPrefix, QueryNode


def _text_fields(target: str = "section") -> dict[str, float]:
    """The fields a bare word searches, with their weights.

    A recommendation is matched on its own words, not its report's subject.
    """
    if target == "recommendation":
        return {"content": BODY_WEIGHT}
    return {
        "content": BODY_WEIGHT,
        "recs": RECOMMENDATIONS_WEIGHT,
        "title": HEADING_WEIGHT,
        "subject": SUBJECT_WEIGHT,
    }


def _analyzed(schema: Any, field: str, text: str) -> list[str]:
    return [t.text for t in schema[field].analyzer(text, mode="query")]


def _words_query(schema: Any, field: str, text: str, boost: float) -> Any:
    """A word or phrase in one analysed field (text that analyses to several terms is a phrase)."""
    from whoosh import query as Q

    terms = _analyzed(schema, field, text)
    if not terms:
        return Q.NullQuery
    if len(terms) == 1:
        return Q.Term(field, terms[0], boost=boost)
    return Q.Phrase(field, terms, boost=boost)


def expanding(schema: Any, node: QPrefix | QFuzzy, field: str, boost: float) -> Any:
    """A prefix or fuzzy word as the Whoosh query that expands it to the field's terms."""
    from whoosh import query as Q

    text = node.text.lower()
    if isinstance(node, QPrefix):
        return Q.Prefix(field, text, boost=boost)
    return Q.FuzzyTerm(field, text, boost=boost, maxdist=node.distance, prefixlength=FUZZY_PREFIX_LENGTH)


def date_bounds(node: QDateRange) -> tuple[_dt.datetime | None, _dt.datetime | None]:
    """A date range's inclusive bounds as datetimes: from the start of its first day to the end of its last."""
    start = as_datetime(node.start)
    end = None if node.end is None else _dt.datetime(node.end.year, node.end.month, node.end.day, 23, 59, 59)
    return start, end


def split_date_ranges(node: QueryNode | None) -> tuple[QueryNode | None, list[QDateRange]]:
    """A filter as (the rest, the date ranges it requires): ranges alone or ANDed at its top level."""
    if isinstance(node, QDateRange):
        return None, [node]
    if not isinstance(node, QAnd):
        return node, []
    ranges = [c for c in node.children if isinstance(c, QDateRange)]
    rest = tuple(c for c in node.children if not isinstance(c, QDateRange))
    if not ranges:
        return node, []
    if not rest:
        return None, ranges
    return (rest[0] if len(rest) == 1 else QAnd(rest)), ranges


def translate_query(node: QueryNode, schema: Any, target: str = "section") -> Any:
    """The query AST as a Whoosh query (bare words search the ``target``'s text fields)."""
    from whoosh import query as Q

    if isinstance(node, QAll):
        return Q.Every()
    if isinstance(node, QAnd):
        # A child that can match nothing (a stop word) is dropped, not allowed to empty the AND.
        positives = _live([translate_query(c, schema, target) for c in node.children if not isinstance(c, QNot)])
        negatives = _live([translate_query(c.child, schema, target) for c in node.children if isinstance(c, QNot)])
        if not positives and not all(isinstance(c, QNot) for c in node.children):
            return Q.NullQuery  # only stop words left to require
        base = Q.And(positives) if positives else Q.Every()
        return Q.AndNot(base, Q.Or(negatives)) if negatives else base
    if isinstance(node, QOr):
        children = _live([translate_query(c, schema, target) for c in node.children])
        return Q.Or(children) if children else Q.NullQuery
    if isinstance(node, QNot):
        return Q.AndNot(Q.Every(), translate_query(node.child, schema, target))
    if isinstance(node, QDateRange):
        return Q.DateRange("meeting_date", *date_bounds(node))
    field = node.field
    if field in KEYWORD_FIELD_MAP:
        target = KEYWORD_FIELD_MAP[field]
        if isinstance(node, QPrefix):
            return Q.Prefix(target, node.text)
        if isinstance(node, QFuzzy):
            return Q.FuzzyTerm(target, node.text, maxdist=node.distance)
        return Q.Term(target, node.text)
    if field is not None:
        if field not in TEXT_FIELD_MAP:
            raise QueryError(f"unknown field {field!r}", position=getattr(node, "position", None))
        target = TEXT_FIELD_MAP[field]
        if isinstance(node, (QPrefix, QFuzzy)):
            return expanding(schema, node, target, 1.0)
        return _words_query(schema, target, node.text, 1.0)
    # The text fields: content, headings, subject, recommendations.
    if isinstance(node, (QPrefix, QFuzzy)):
        # Unstemmed words, so that recruit* and recruitmnet~ see "recruitment".
        return expanding(schema, node, "words", BODY_WEIGHT)
    alternatives = _live([_words_query(schema, f, node.text, w) for f, w in _text_fields(target).items()])
    return Q.Or(alternatives) if alternatives else Q.NullQuery


def _live(queries: list[Any]) -> list[Any]:
    """Drop queries that can match nothing (words that analyse to no terms)."""
    from whoosh import query as Q

    return [x for x in queries if x is not Q.NullQuery]
