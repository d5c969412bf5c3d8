"""Snippets of Whoosh hits: the query's matches marked in a hit's text."""

from __future__ import annotations

from typing import Any

from pipeline.index.fields import MAX_EXPANSIONS
from pipeline.index.snippets import make_snippet, merge_spans
from pipeline.index.whoosh.translate import expanding
from pipeline.model import QFuzzy, QPhrase, QPrefix, QTerm, QueryNode
from pipeline.model.query import positive_leaves


class Highlighter:
    """Marks the query's matches in a text and cuts the best fragments around them.

    Works on the analyzer's tokens, so "carers" matches the term "carer" and a
    phrase only where its words are consecutive.
    """

    def __init__(self, query: QueryNode, searcher: Any, stem: Any) -> None:
        self._stem = stem
        self.terms: set[str] = set()  # stemmed single terms
        self.phrases: list[tuple[str, ...]] = []  # stemmed phrase sequences
        self.exact: set[str] = set()  # surface words matched by prefix/fuzzy
        for leaf in positive_leaves(query):
            if getattr(leaf, "field", "x") is not None:
                continue
            if isinstance(leaf, (QTerm, QPhrase)):
                terms = tuple(t.text for t in stem(leaf.text, mode="query"))
                if len(terms) == 1:
                    self.terms.add(terms[0])
                elif terms:
                    self.phrases.append(terms)
            elif isinstance(leaf, (QPrefix, QFuzzy)):
                wq = expanding(searcher.schema, leaf, "words", 1.0)
                found = sorted(wq.existing_terms(searcher.reader(), expand=True))[:MAX_EXPANSIONS]
                self.exact.update(t.decode("utf-8") if isinstance(t, bytes) else t for _, t in found)

    def spans(self, text: str) -> list[tuple[int, int]]:
        tokens = [(t.startchar, t.endchar, t.text) for t in self._stem(text, chars=True, mode="index")]
        marked: list[tuple[int, int]] = []
        for i, (start, end, term) in enumerate(tokens):
            if term in self.terms or text[start:end].lower() in self.exact:
                marked.append((start, end))
            for phrase in self.phrases:
                if tuple(t[2] for t in tokens[i : i + len(phrase)]) == phrase:
                    marked.append((start, tokens[i + len(phrase) - 1][1]))
        return merge_spans(text, marked)

    def snippet(self, text: str) -> str:
        return make_snippet(text, self.spans(text))
