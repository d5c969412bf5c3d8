"""Snippets cost time linear in a text's matches, and a bounded amount per hit (SNIPPET_MAX_SPANS)."""

from __future__ import annotations

import time

import pytest
from conftest import make_report

from pipeline.index import ENGINES, make_snippet, open_index
from pipeline.index.snippets import SNIPPET_MAX_SPANS
from pipeline.search import search

#: Matches in the long texts below (the snippet compared every match with every other).
MATCHES = 50_000
#: Seconds a snippet (or a search) of such a text may take: generous for a slow, shared machine.
BUDGET_SECONDS = 5.0


def many_matches(n: int) -> tuple[str, list[tuple[int, int]]]:
    words = [f"budget{i % 7} line" for i in range(n)]
    text = " ".join(words)
    spans, pos = [], 0
    for w in words:
        spans.append((pos, pos + len(w.split()[0])))
        pos += len(w) + 1
    return text, spans


def test_a_snippet_of_a_text_with_fifty_thousand_matches_is_quick():
    text, spans = many_matches(MATCHES)
    start = time.perf_counter()
    snippet = make_snippet(text, spans)
    assert time.perf_counter() - start < BUDGET_SECONDS
    assert snippet.startswith("[[budget0]] line [[budget1]]") and snippet.endswith("…")


def test_the_snippet_picks_the_window_with_most_distinct_matched_words():
    filler = "x " * 200
    text = f"budget {filler} budget budget {filler} budget care foster {filler}"
    spans = [(i, i + len(w)) for w in ("budget", "care", "foster") for i in _find_all(text, w)]
    snippet = make_snippet(text, spans)
    assert "[[budget]] [[care]] [[foster]]" in snippet


def test_matches_beyond_the_cap_do_not_change_the_snippet():
    text, spans = many_matches(SNIPPET_MAX_SPANS * 3)
    assert make_snippet(text, spans) == make_snippet(text, spans[:SNIPPET_MAX_SPANS])


def _find_all(text: str, word: str) -> list[int]:
    out, i = [], text.find(word)
    while i != -1:
        out.append(i)
        i = text.find(word, i + 1)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_searching_a_section_with_twenty_thousand_matches_is_quick(tmp_path, engine):
    text = " ".join(f"the budget line {i}" for i in range(20_000))
    with open_index(tmp_path / "index", create=True, engine=engine) as ix:
        ix.add_reports([make_report("long", [("1.0", "BUDGET", "supporting_information", text)])])
        start = time.perf_counter()
        page = search(ix, "budget")
        assert time.perf_counter() - start < BUDGET_SECONDS
    assert page.hits and "[[budget]]" in page.hits[0].snippet
