"""Snippets of tantivy hits: the query's matches marked in a hit's text, as the Whoosh engine marks them."""

from __future__ import annotations

import tantivy as tv

from pipeline.index.fields import MAX_EXPANSIONS
from pipeline.index.snippets import make_snippet, merge_spans
from pipeline.index.tantivy.schema import analyse
from pipeline.index.tantivy.translate import expand, words_field
from pipeline.model import QFuzzy, QPhrase, QPrefix, QTerm, QueryNode
from pipeline.model.query import positive_leaves


class Highlighter:
    """Marks the query's matches in a text (as the Whoosh engine does) for :func:`make_snippet`.

    Works on the analyzer's tokens, so "carers" matches the term "carer" and a
    phrase only where its words stand at the same relative positions.
    """

    def __init__(
        self,
        query: QueryNode,
        searcher: tv.Searcher,
        stem: tv.TextAnalyzer,
        words: tv.TextAnalyzer,
        target: str = "section",
    ) -> None:
        self._stem, self._words = stem, words
        self.terms: set[str] = set()  # stemmed single terms
        self.phrases: list[tuple[tuple[int, str], ...]] = []  # (relative position, stemmed term)
        self.exact: set[str] = set()  # surface words matched by prefix/fuzzy
        for leaf in positive_leaves(query):
            if getattr(leaf, "field", "x") is not None:
                continue
            if isinstance(leaf, (QTerm, QPhrase)):
                tokens = analyse(stem, leaf.text)
                if len(tokens) == 1:
                    self.terms.add(tokens[0].text)
                elif tokens:
                    self.phrases.append(tuple((t.position - tokens[0].position, t.text) for t in tokens))
            elif isinstance(leaf, (QPrefix, QFuzzy)):
                self.exact.update(expand(searcher, words_field(target), leaf, leaf.text.lower())[:MAX_EXPANSIONS])

    def spans(self, text: str) -> list[tuple[int, int]]:
        tokens = analyse(self._stem, text)
        at = {t.position: t for t in tokens}
        marked: list[tuple[int, int]] = []
        for t in tokens:
            if t.text in self.terms:
                marked.append((t.start, t.end))
            for phrase in self.phrases:
                if phrase[0][1] != t.text:  # a phrase starts at its first term (relative position 0)
                    continue
                run = [at.get(t.position + offset) for offset, _ in phrase]
                if all(r is not None and r.text == term for r, (_, term) in zip(run, phrase)):
                    marked.append((t.start, run[-1].end))  # type: ignore[union-attr]
        if self.exact:
            marked += [(w.start, w.end) for w in analyse(self._words, text) if w.text in self.exact]
        return merge_spans(text, marked)

    def snippet(self, text: str) -> str:
        return make_snippet(text, self.spans(text))
