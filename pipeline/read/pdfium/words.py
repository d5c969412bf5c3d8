"""pdfplumber's words from PDFium's chars: its ``WordExtractor`` with the options the pdfplumber reader passes.

Runs of chars with the same font name and size, clustered into lines by top,
sorted by x, split at blanks (:func:`~pipeline.read.pdfium.chars.page_blanks`)
and at gaps wider than ``WORD_X_TOLERANCE``.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from typing import Any, Callable, Sequence

from pipeline.read.pdfium.chars import Blank, Char
from pipeline.read.pdfplumber import LINE_TOLERANCE, WORD_X_TOLERANCE

#: pdfplumber's y_tolerance (its default, which ``pipeline.read.pdfplumber`` keeps):
#: chars whose tops differ by more than this are on different lines.
WORD_Y_TOLERANCE = 3.0
#: A blank splits words on a line whose baseline is within this many points of its own.
BLANK_BASELINE_TOLERANCE = 1.0

# The shared line tolerance must not be wider than the word extractor's.
assert WORD_Y_TOLERANCE >= LINE_TOLERANCE


_RUN_KEY = operator.attrgetter("upright", "fontname", "size")
_X0 = operator.attrgetter("x0")
_TOP = operator.attrgetter("top")
_X1 = operator.attrgetter("x1")
_BOTTOM = operator.attrgetter("bottom")
_TOP_BOTTOM = operator.attrgetter("top", "bottom")


def cluster(chars: list[Any], key: Callable[[Any], float], tolerance: float) -> list[list[Any]]:
    """pdfplumber's ``cluster_objects``: chain sorted key values within ``tolerance``."""
    values = sorted(set(map(key, chars)))
    if len(values) == 1:
        return [chars]
    cluster_of: dict[float, int] = {}
    group = 0
    last = values[0]
    for v in values:
        if v > last + tolerance:
            group += 1
        cluster_of[v] = group
        last = v
    groups: list[list[Any]] = [[] for _ in range(group + 1)]
    for ch in chars:  # PDFium's order within a cluster, as pdfplumber's stable sort keeps its own
        groups[cluster_of[key(ch)]].append(ch)
    return groups


def _begins_new_word(prev: Char, cur: Char, upright: bool) -> bool:
    if upright:
        ax, bx, cx, ay, cy = prev.x0, prev.x1, cur.x0, prev.top, cur.top
        x_tol, y_tol = WORD_X_TOLERANCE, WORD_Y_TOLERANCE
    else:  # rotated text reads top to bottom; the tolerances swap
        ax, bx, cx, ay, cy = prev.top, prev.bottom, cur.top, prev.x0, cur.x0
        x_tol, y_tol = WORD_Y_TOLERANCE, WORD_X_TOLERANCE
    return cx < ax or cx > bx + x_tol or abs(cy - ay) > y_tol


def _word(chars: list[Char]) -> dict[str, Any]:
    first = chars[0]
    if len(chars) == 1:
        return {
            "text": first.text,
            "x0": first.x0,
            "x1": first.x1,
            "top": first.top,
            "bottom": first.bottom,
            "upright": first.upright,
            "fontname": first.fontname,
            "size": first.size,
        }
    return {
        "text": "".join([ch.text for ch in chars]),
        "x0": min(map(_X0, chars)),
        "x1": max(map(_X1, chars)),
        "top": min(map(_TOP, chars)),
        "bottom": max(map(_BOTTOM, chars)),
        "upright": first.upright,
        "fontname": first.fontname,
        "size": first.size,
    }


def blank_xs(blanks: Sequence[Blank], baselines: Sequence[float], baseline: float) -> list[float]:
    """The x of every blank on the line at ``baseline``, sorted."""
    lo = bisect.bisect_left(baselines, baseline - BLANK_BASELINE_TOLERANCE)
    hi = bisect.bisect_right(baselines, baseline + BLANK_BASELINE_TOLERANCE)
    return sorted(bl.x for bl in blanks[lo:hi])


def chars_to_words(chars: Sequence[Char], blanks: Sequence[Blank] = ()) -> list[dict[str, Any]]:
    """Word dicts (text, x0, x1, top, bottom, fontname, size) as pdfplumber's
    ``extract_words(x_tolerance=WORD_X_TOLERANCE, extra_attrs=["fontname", "size"])``
    makes them; ``blanks`` (sorted by baseline) split upright words as blank chars do."""
    baselines = [bl.baseline for bl in blanks]
    words: list[dict[str, Any]] = []
    emit = words.append
    x_tol, y_tol = WORD_X_TOLERANCE, WORD_Y_TOLERANCE
    for (upright, _, _), run in itertools.groupby(chars, key=_RUN_KEY):
        run_chars = list(run)
        if not upright:
            for line in cluster(run_chars, _X0, x_tol):
                current: list[Char] = []
                for ch in sorted(line, key=_TOP_BOTTOM):
                    if ch.text.isspace():
                        if current:
                            emit(_word(current))
                        current = []
                    elif current and _begins_new_word(current[-1], ch, False):
                        emit(_word(current))
                        current = [ch]
                    else:
                        current.append(ch)
                if current:
                    emit(_word(current))
            continue
        for line in cluster(run_chars, _TOP, y_tol):
            xs = blank_xs(blanks, baselines, line[0].baseline) if blanks else []
            line_words(line, xs, emit)
    return words


def line_words(line: Sequence[Char], xs: Sequence[float], emit: Callable[[dict[str, Any]], None]) -> None:
    """The words of one line of upright chars of one run (PDFium's order), split
    as pdfplumber splits them; ``xs``: the blanks on the line, sorted."""
    x_tol, y_tol = WORD_X_TOLERANCE, WORD_Y_TOLERANCE
    current: list[Char] = []
    prev: Char | None = None
    for ch in sorted(line, key=_X0):
        if ch.text.isspace():
            if current:
                emit(_word(current))
            current = []
            prev = None
            continue
        if prev is not None:
            # pdfplumber's test: going backwards, a gap wider than x_tol, or another line.
            split = ch.x0 < prev.x0 or ch.x0 > prev.x1 + x_tol or abs(ch.top - prev.top) > y_tol
            if not split and xs:
                # A blank drawn between the two chars (in x order) ends the word.
                k = bisect.bisect_right(xs, prev.x0)
                split = k < len(xs) and xs[k] <= ch.x0
            if split:
                emit(_word(current))
                current = []
        current.append(ch)
        prev = ch
    if current:
        emit(_word(current))
