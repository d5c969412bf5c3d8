"""The query AST (``pipeline.model``) as tantivy queries."""

from __future__ import annotations

import tantivy as tv

from pipeline.errors import QueryError
from pipeline.index.fields import (
    BODY_WEIGHT,
    FUZZY_PREFIX_LENGTH,
    HEADING_WEIGHT,
    KEYWORD_FIELD_MAP,
    RECOMMENDATIONS_WEIGHT,
    SUBJECT_WEIGHT,
    TEXT_FIELD_MAP,
)
from pipeline.index.tantivy.schema import DAY_FIELD, KIND_FIELDS, SECTION_SUBJECT_FIELD, analyse
from pipeline.model import QAll, QAnd, QDateRange, QFuzzy, QNot, QOr, QPhrase, QPrefix, QTerm, QueryNode


def _text_fields(target: str = "section") -> dict[str, float]:
    """The fields a bare word searches, with their weights (as the Whoosh engine's).

    A recommendation is matched on its own words, not its report's subject.
    """
    if target == "recommendation":
        return {"rec_content": BODY_WEIGHT}
    return {
        "content": BODY_WEIGHT,
        "recs": RECOMMENDATIONS_WEIGHT,
        "title": HEADING_WEIGHT,
        SECTION_SUBJECT_FIELD: SUBJECT_WEIGHT,
    }


def words_field(target: str = "section") -> str:
    """The plain-words field (prefix and fuzzy matching) of a target's documents."""
    return KIND_FIELDS.get(target, {}).get("words", "words")


def _boosted(query: tv.Query, boost: float) -> tv.Query:
    return query if boost == 1.0 else tv.Query.boost_query(query, boost)


def _everything() -> tv.Query:
    """Every document, scoring 1 (a bare all-query adds nothing to a conjunction's score)."""
    return tv.Query.const_score_query(tv.Query.all_query(), 1.0)


def _should(queries: list[tv.Query]) -> tv.Query | None:
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return tv.Query.boolean_query([(tv.Occur.Should, q) for q in queries])


def expand(searcher: tv.Searcher, field: str, node: QPrefix | QFuzzy, text: str) -> list[str]:
    """The index terms of ``field`` a prefix or fuzzy word stands for, sorted.

    Fuzzy: Levenshtein distance (a transposition is two edits), sharing the
    first :data:`~pipeline.index.fields.FUZZY_PREFIX_LENGTH` characters, like Whoosh.
    """
    if isinstance(node, QPrefix):
        return sorted(t for t, _ in searcher.terms_with_prefix(field, text))
    from rapidfuzz.distance import Levenshtein

    start = text[:FUZZY_PREFIX_LENGTH]
    return sorted(
        t
        for t, _ in searcher.terms_with_prefix(field, start)
        if Levenshtein.distance(text, t, score_cutoff=node.distance) <= node.distance
    )


class Translator:
    """Our query AST as tantivy queries. ``None`` stands for a query that matches nothing."""

    def __init__(self, schema: tv.Schema, searcher: tv.Searcher, stem: tv.TextAnalyzer) -> None:
        self.schema = schema
        self.searcher = searcher
        self.stem = stem
        self._expanded: dict[tuple[str, QueryNode, str], list[str]] = {}

    def words(self, field: str, text: str, boost: float) -> tv.Query | None:
        """A word or phrase in one analysed field (text that analyses to several terms is a phrase)."""
        tokens = analyse(self.stem, text)
        if not tokens:
            return None
        if len(tokens) == 1:
            return _boosted(tv.Query.term_query(self.schema, field, tokens[0].text), boost)
        first = tokens[0].position
        phrase: list[str | tuple[int, str]] = [(t.position - first, t.text) for t in tokens]
        return _boosted(tv.Query.phrase_query(self.schema, field, phrase), boost)

    def expanding(self, node: QPrefix | QFuzzy, field: str, text: str, boost: float) -> tv.Query | None:
        """Any of the terms a prefix or fuzzy word expands to, each scored (as Whoosh's Or of its terms)."""
        cache_key = (field, node, text)
        if cache_key not in self._expanded:
            self._expanded[cache_key] = expand(self.searcher, field, node, text)
        terms = self._expanded[cache_key]
        return _boosted(q, boost) if (q := _should([self.term(field, t) for t in terms])) is not None else None

    def term(self, field: str, value: str) -> tv.Query:
        return tv.Query.term_query(self.schema, field, value)

    def translate(self, node: QueryNode, target: str = "section") -> tv.Query | None:
        """The query AST as a tantivy query (bare words search the ``target``'s text fields)."""
        Q, Must, MustNot = tv.Query, tv.Occur.Must, tv.Occur.MustNot
        if isinstance(node, QAll):
            return _everything()
        if isinstance(node, QAnd):
            # A child that can match nothing (a stop word) is dropped, not allowed to empty the AND.
            positives = [
                q for c in node.children if not isinstance(c, QNot) if (q := self.translate(c, target)) is not None
            ]
            negatives = [
                q for c in node.children if isinstance(c, QNot) if (q := self.translate(c.child, target)) is not None
            ]
            if not positives and not all(isinstance(c, QNot) for c in node.children):
                return None  # only stop words left to require
            if len(positives) == 1 and not negatives:
                return positives[0]
            clauses = [(Must, q) for q in positives] or [(Must, _everything())]
            return Q.boolean_query(clauses + [(MustNot, q) for q in negatives])
        if isinstance(node, QOr):
            return _should(self.alternatives(node, target))
        if isinstance(node, QNot):
            child = self.translate(node.child, target)
            if child is None:
                return _everything()
            return Q.boolean_query([(Must, _everything()), (MustNot, child)])
        if isinstance(node, QDateRange):
            return Q.range_query(
                self.schema,
                DAY_FIELD,
                tv.FieldType.Integer,
                None if node.start is None else node.start.toordinal(),
                None if node.end is None else node.end.toordinal(),
            )
        field = node.field
        if field in KEYWORD_FIELD_MAP:
            name = KEYWORD_FIELD_MAP[field]
            if isinstance(node, (QPrefix, QFuzzy)):
                return self.expanding(node, name, node.text, 1.0)
            return Q.term_query(self.schema, name, node.text)
        if field is not None:
            if field not in TEXT_FIELD_MAP:
                raise QueryError(f"unknown field {field!r}", position=getattr(node, "position", None))
            name = TEXT_FIELD_MAP[field]
            if isinstance(node, (QPrefix, QFuzzy)):
                return self.expanding(node, name, node.text.lower(), 1.0)
            return self.words(name, node.text, 1.0)
        # The text fields: content, headings, subject, recommendations.
        if isinstance(node, (QPrefix, QFuzzy)):
            # Unstemmed words, so that recruit* and recruitmnet~ see "recruitment".
            return self.expanding(node, words_field(target), node.text.lower(), BODY_WEIGHT)
        return _should(self.alternatives(node, target))

    def confined(self, node: QueryNode, target: str = "section") -> bool:
        """Whether the translated query can match only documents of the ``target``'s kind.

        A bare word's fields exist on no other kind (:data:`KIND_FIELDS`); a
        conjunction is confined by any confined part it keeps (a stop word is
        dropped), a disjunction when every alternative it keeps is. Anything
        else (a field, a date range, a lone NOT) may match any document.
        """
        if isinstance(node, (QTerm, QPhrase, QPrefix, QFuzzy)):
            return node.field is None and self.translate(node, target) is not None
        if isinstance(node, QAnd):
            return any(self.confined(c, target) for c in node.children if not isinstance(c, QNot))
        if isinstance(node, QOr):
            kept = [c for c in node.children if self.translate(c, target) is not None]
            return bool(kept) and all(self.confined(c, target) for c in kept)
        return False

    def alternatives(self, node: QueryNode, target: str) -> list[tv.Query]:
        """The queries any of which an OR (or a bare word, in each text field) matches, unnested.

        One union of every word in every field, rather than a union of unions:
        the same matches and scores (sums, up to the order of adding), and
        tantivy's union of term scorers is about twice as fast as nested ones
        (``similar`` ORs a dozen words in four fields).
        """
        if isinstance(node, QOr):
            return [q for c in node.children for q in self.alternatives(c, target)]
        if isinstance(node, (QTerm, QPhrase)) and node.field is None:
            return [q for f, w in _text_fields(target).items() if (q := self.words(f, node.text, w)) is not None]
        q = self.translate(node, target)
        return [] if q is None else [q]
