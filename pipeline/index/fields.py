"""What the query language's fields search, and how the engines weigh them: one set of rules for both.

Both engines (:mod:`pipeline.index.whoosh`, :mod:`pipeline.index.tantivy`)
translate the query AST with these names and weights, analyse with the same
shortest token and expand prefix and fuzzy words the same way, so the two
rank alike.
"""

from __future__ import annotations

# Field weights (BM25F): subject and headings > recommendations > body text.
#: Weight of the section's text (title included).
BODY_WEIGHT = 1.0
#: Extra weight for text in a recommendations section (added to the body weight).
RECOMMENDATIONS_WEIGHT = 0.75
#: Weight of section headings.
HEADING_WEIGHT = 2.5
#: Weight of the report's subject line.
SUBJECT_WEIGHT = 2.5
#: BM25 term-frequency saturation and length normalisation.
BM25_K1 = 1.2
BM25_B = 0.75

#: Shortest token the stemming analyzers keep.
MIN_TOKEN_LENGTH = 2
#: Fuzzy matches must share this many leading characters with the query word.
FUZZY_PREFIX_LENGTH = 1
#: Most index terms a prefix/fuzzy word expands to when highlighting.
MAX_EXPANSIONS = 200

#: What a search can return hits of: one per section, or one per recommendation.
SEARCH_TARGETS: tuple[str, ...] = ("section", "recommendation")

#: Query-language field -> index field, for fields holding words.
TEXT_FIELD_MAP: dict[str, str] = {
    "committee": "committee",
    "officer": "officer",
    "subject": "subject",
    "council": "council",
}
#: Query-language field -> index field, for exact keywords.
KEYWORD_FIELD_MAP: dict[str, str] = {
    "section": "kind",
    "doc_type": "doc_type",
    "fy": "fy",
    "quarter": "quarter",
}
