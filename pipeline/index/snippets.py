"""Snippets: the fragments of a hit's text around what matched, the matched words marked.

Each engine finds the spans its analyzer matched (its highlighter) and hands
them to :func:`merge_spans` and :func:`make_snippet`, so both engines cut and
mark snippets alike.
"""

from __future__ import annotations

import bisect
import re

#: Characters of context shown either side of a match.
SNIPPET_CONTEXT = 90
#: Most fragments in one snippet.
SNIPPET_FRAGMENTS = 2
#: Text no longer than this is shown whole (recommendations, short sections).
SNIPPET_WHOLE = 300
#: Most matches of one text a snippet's fragments are chosen among (the first ones): the work per
#: hit stays bounded however often a long text matches.
SNIPPET_MAX_SPANS = 1000
#: Joins fragments.
SNIPPET_ELLIPSIS = " … "
#: Wrap matched words.
MARK_OPEN, MARK_CLOSE = "[[", "]]"
#: A run of whitespace, which a fragment shows as one space.
_WHITESPACE = re.compile(
    r"""
    \s+    # spaces, tabs, line breaks
    """,
    re.VERBOSE,
)


def merge_spans(text: str, marked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Marked (start, end) spans of ``text`` in order, overlapping ones and ones apart by spaces only joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(marked):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, spans: list[tuple[int, int]], *, whole: int = SNIPPET_WHOLE) -> str:
    """Up to :data:`SNIPPET_FRAGMENTS` fragments of ``text`` around ``spans``, marks in [[ ]].

    Text no longer than ``whole`` is shown whole.
    """
    if not text:
        return ""
    spans = sorted(spans)[:SNIPPET_MAX_SPANS]
    if len(text) <= whole:
        windows = [(0, len(text))]
    elif not spans:
        windows = [(0, min(len(text), 2 * SNIPPET_CONTEXT))]
    else:
        # Score a window around each match by the distinct matched words it holds. The spans
        # are sorted and do not overlap, so those inside a window are a run between two
        # pointers that only move forward: one pass, counting words in and out.
        words = [text[s:e].lower() for s, e in spans]
        counts: dict[str, int] = {}
        first = last = 0  # the run spans[first:last] lies inside the current window
        candidates = []
        for start, end in spans:
            lo, hi = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
            while last < len(spans) and spans[last][1] <= hi:
                counts[words[last]] = counts.get(words[last], 0) + 1
                last += 1
            while first < last and spans[first][0] < lo:
                counts[words[first]] -= 1
                if not counts[words[first]]:
                    del counts[words[first]]
                first += 1
            candidates.append((-len(counts), lo, hi))
        chosen: list[tuple[int, int]] = []
        for _, lo, hi in sorted(candidates):
            if any(lo < c_hi and hi > c_lo for c_lo, c_hi in chosen):
                continue
            chosen.append((lo, hi))
            if len(chosen) == SNIPPET_FRAGMENTS:
                break
        windows = sorted(chosen)
    fragments = []
    for lo, hi in windows:
        lo, hi = _word_boundary(text, lo, hi)
        parts, pos = [], lo
        for s, e in spans[bisect.bisect_left(spans, (lo, lo)) :]:
            if s > hi:
                break
            if e <= hi:
                parts += [text[pos:s], MARK_OPEN, text[s:e], MARK_CLOSE]
                pos = e
        parts.append(text[pos:hi])
        fragments.append(_WHITESPACE.sub(" ", "".join(parts)).strip())
    lead = "…" if _word_boundary(text, *windows[0])[0] > 0 else ""
    tail = "…" if _word_boundary(text, *windows[-1])[1] < len(text) else ""
    return lead + SNIPPET_ELLIPSIS.join(fragments) + tail


def _word_boundary(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Widen a window so that it doesn't cut words in half."""
    while lo > 0 and not text[lo - 1].isspace():
        lo -= 1
    while hi < len(text) and not text[hi].isspace():
        hi += 1
    return lo, hi
