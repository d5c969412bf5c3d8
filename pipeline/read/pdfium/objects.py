"""The fast path: a page's words read per text object and word, not asked of PDFium char by char.

Taken on unrotated pages of upright text. Each text object's chars are found
by bisecting over ``FPDFText_GetTextObject``, placed from the font's glyph
advances, and the placement checked against the boxes of the object's first
and last chars; where kerning or spacing moved them, against each word's
first and last char boxes (:data:`TOKEN_ADVANCE_TOLERANCE`); else char by
char. Lines whose objects overlap, and pages of rotated text, are read char
by char (:mod:`~pipeline.read.pdfium.words`). The words are the ones
:func:`~pipeline.read.pdfium.words.chars_to_words` makes from the chars
(tests/test_pdfium_fast.py compares the two paths).
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import operator
import re
from typing import Any, Callable, NamedTuple, Sequence

from pipeline.read.pdfium.chars import (
    PDFIUM_CHARS,
    Api,
    FontCache,
    PageGeometry,
    Run,
    handle_address,
    object_run,
    page_blanks,
    page_chars,
    pdfium_api,
    raw_handle,
)
from pipeline.read.pdfium.words import WORD_Y_TOLERANCE, blank_xs, cluster, line_words
from pipeline.read.pdfplumber import WORD_X_TOLERANCE

#: A text object's last char must start where its font's advances put it, within
#: this many points, for its other chars to be placed from the advances (no box each).
ADVANCE_TOLERANCE = 0.01
#: Else each word's last char must start where the advances put it, within this
#: many points, for the word to be whole: a gap wider than WORD_X_TOLERANCE inside
#: it would need an opposite adjustment larger than the difference. Word-processor
#: PDFs nudge glyphs by hundredths of a point (TJ adjustments).
TOKEN_ADVANCE_TOLERANCE = 0.25
#: What a word is within a text object: chars that are not whitespace
#: (``\s`` is exactly ``str.isspace``, the test ``chars_to_words`` splits at).
TOKEN_RE = re.compile(
    r"""
    \S+    # a run of non-whitespace chars
    """,
    re.VERBOSE,
)
#: A UTF-16 surrogate left in decoded text.
_SURROGATE_RE = re.compile(
    r"""
    [\ud800-\udfff]    # a high or low surrogate
    """,
    re.VERBOSE,
)
_TOP = operator.attrgetter("top")


class _Token(NamedTuple):
    """A run of non-whitespace chars of one text object, placed as its chars are."""

    text: str
    x0: float  # its first char's x0
    last_x0: float  # its last char's x0
    x1: float  # its last char's x1
    joins: bool  # no whitespace between it and the char before it in its object (or it starts the object)


class _Object(NamedTuple):
    """A span of one text object's chars: its tokens in order, and what is constant over it."""

    start: int  # index of its first char in the text page
    end: int
    x0: float  # the first char's x0 (top-down page space, as Char)
    last_x0: float  # the last char's x0
    top: float
    bottom: float
    baseline: float
    fontname: str
    size: float
    tokens: list[_Token]
    open_end: bool  # it ends with a non-whitespace char: the next object's first token may join its last
    separate: bool  # whitespace between each of its tokens: only its first and last may join others


def _bulk_text(api: Api, tp: int, n: int) -> str | None:
    """The page's text as one string indexed like its chars; None when PDFium's
    text indices drift from char indices (surrogate pairs, skipped control chars)."""
    buf = (ctypes.c_ushort * (n + 1))()
    written = api.get_text(tp, 0, n, buf)
    if written - 1 != n:
        return None
    text = ctypes.string_at(buf, 2 * n).decode("utf-16-le", "surrogatepass")
    if len(text) != n or _SURROGATE_RE.search(text):
        return None
    return text


def _object_spans(
    text_object: Callable[[int, int], int], tp: int, n: int, text: str | None = None
) -> list[tuple[int, int, int]]:
    """(first, end, object) of each run of chars one text object drew, found by
    galloping and bisecting over ``FPDFText_GetTextObject`` instead of asking per char.

    An object's chars are contiguous in the text page; a generated char (no object)
    inside one may end a span early (the rest is another span of the same object) or
    be enclosed by it -- then it is whitespace, which :meth:`_Placer.tokens` checks.
    With the page's ``text``, the line break PDFium put after a span is tried first:
    most objects end a line.
    """
    spans: list[tuple[int, int, int]] = []
    i = 0
    find = text.find if text is not None else None
    while i < n:
        obj = text_object(tp, i)
        if not obj:
            i += 1
            continue
        lo, hi = i, n
        if find is not None:
            brk = find("\r", i + 1)
            brk = n if brk < 0 else brk
            if text_object(tp, brk - 1) == obj:
                lo = brk - 1  # the object runs at least to the break
                if brk == n or text_object(tp, brk) != obj:
                    spans.append((i, brk, obj))
                    i = brk
                    continue
            else:
                hi = brk - 1  # it ends before the break
        step = 1
        while lo + step < hi:
            if text_object(tp, lo + step) == obj:
                lo += step
                step *= 2
            else:
                hi = lo + step
                break
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if text_object(tp, mid) == obj:
                lo = mid
            else:
                hi = mid
        spans.append((i, lo + 1, obj))
        i = lo + 1
    return spans


class _Placer:
    """Places one page's text-object spans: their tokens and the boxes they need."""

    def __init__(
        self, api: Api, fonts: FontCache, tp: int, text: str, raw_text: str, geometry: PageGeometry, textpage: Any
    ) -> None:
        self.api, self.fonts, self.tp, self.text, self.raw_text = api, fonts, tp, text, raw_text
        self.geometry, self.textpage = geometry, textpage
        self.rect = api.c.FS_RECTF()
        self.rect_p = ctypes.pointer(self.rect)
        self.x_base = geometry.x_shift + geometry.ctm[4]

    def box(self, index: int) -> tuple[float, float]:
        """x0 and x1 of char ``index`` (one C call)."""
        self.api.loose_box(self.tp, index, self.rect_p)
        return self.rect.left + self.x_base, self.rect.right + self.x_base

    def tokens(self, start: int, end: int, run: Run) -> list[_Token] | None:
        """The span's tokens, each char placed from its font's advances; checked
        against the span's first and last char boxes (no box per char), else
        against each token's first and last char boxes (two per word), else per
        char (:meth:`char_tokens`). None when the chars go backwards in x."""
        chunk = self.text[start:end]
        fonts, scale = self.fonts, run.advance
        boxes = fonts.boxes.setdefault(run.font, {})
        x0, first_x1 = self.box(start)
        last_x0, x1 = self.box(end - 1) if end - start > 1 else (x0, first_x1)
        if scale:
            boxes.setdefault(chunk[0], (first_x1 - x0) / scale)
            boxes.setdefault(chunk[-1], (x1 - last_x0) / scale)
        # Each char's x0 (and the span's x1) from the advances, in units of the scale.
        cum = list(itertools.accumulate(fonts.advances(self.api, run.font, chunk), initial=0.0))
        exact = abs(x0 + cum[-2] * scale - last_x0) <= ADVANCE_TOLERANCE
        tokens: list[_Token] = []
        append = tokens.append
        new = tuple.__new__  # builds a _Token without NamedTuple's slower __new__
        narrow = WORD_X_TOLERANCE + ADVANCE_TOLERANCE
        length = len(chunk)
        prev_last = prev_x1 = 0.0
        for m in TOKEN_RE.finditer(chunk):
            first, stop = m.span()
            if exact:
                t_x0, t_last = x0 + cum[first] * scale, x0 + cum[stop - 1] * scale
            else:
                t_x0 = self.box(start + first)[0]
                t_last = self.box(start + stop - 1)[0] if stop - first > 1 else t_x0
                # The word's advances must account for where its last char is;
                # otherwise its chars are read one by one.
                if abs((t_last - t_x0) - (cum[stop - 1] - cum[first]) * scale) > TOKEN_ADVANCE_TOLERANCE:
                    return self.char_tokens(start, end)
            if stop == length:
                t_x1 = x1
            else:
                ch = chunk[stop - 1]
                width = boxes.get(ch) if scale else None
                if width is None:
                    t_x1 = self.box(start + stop - 1)[1]
                    if scale:
                        boxes[ch] = (t_x1 - t_last) / scale
                else:
                    t_x1 = t_last + width * scale
            if tokens:
                if t_x0 - prev_x1 <= narrow:
                    # Whitespace this narrow might be a space PDFium generated (which
                    # splits nothing): read the span char by char.
                    return self.char_tokens(start, end)
                if t_x0 <= prev_last:
                    return None
            append(new(_Token, (m.group(), t_x0, t_last, t_x1, first == 0)))
            prev_last, prev_x1 = t_last, t_x1
        return tokens

    def char_tokens(self, start: int, end: int) -> list[_Token] | None:
        """The span's chars, each its own token (joining the one before unless
        whitespace comes between); None when they go backwards in x."""
        chars = page_chars(self.textpage, self.geometry, self.fonts, span=(start, end), texts=self.raw_text)
        tokens: list[_Token] = []
        joins = True
        for ch in chars:
            if ch.text.isspace():
                joins = False
                continue
            if tokens and ch.x0 < tokens[-1].x0:
                return None
            tokens.append(_Token(ch.text, ch.x0, ch.x0, ch.x1, joins))
            joins = True
        return tokens


def _page_objects(api: Api, placer: _Placer, n: int) -> list[_Object] | None:
    """The page's text-object spans with their tokens; None when the page must be
    read char by char (text that is not upright, or chars going backwards)."""
    geometry = placer.geometry
    top_base = geometry.height + geometry.top_shift - geometry.ctm[5]
    objects: list[_Object] = []
    last_obj = 0
    run: Run | None = None
    baseline = top = bottom = 0.0
    text = placer.text
    for start, end, obj in _object_spans(api.text_object, placer.tp, n, text):
        if obj != last_obj:
            run = object_run(api, placer.fonts, placer.tp, start, obj, geometry)
            last_obj = obj
            if not run.upright:
                return None
            baseline = top_base - run.baseline
            bottom = baseline + run.descent
            top = bottom - run.size
        assert run is not None
        tokens = placer.tokens(start, end, run)
        if tokens is None:
            return None
        x0 = tokens[0].x0 if tokens and tokens[0].joins else placer.box(start)[0]
        last_x0 = tokens[-1].last_x0 if tokens and not text[end - 1].isspace() else placer.box(end - 1)[0]
        objects.append(
            tuple.__new__(
                _Object,
                (
                    start,
                    end,
                    x0,
                    last_x0,
                    top,
                    bottom,
                    baseline,
                    run.fontname,
                    run.size,
                    tokens,
                    not text[end - 1].isspace(),
                    not any(map(_JOINS, tokens[1:])),
                ),
            )
        )
    return objects


_FONT_KEY = operator.attrgetter("fontname", "size")
_JOINS = operator.attrgetter("joins")
_X0_START = operator.attrgetter("x0", "start")


def _object_line_words(line: Sequence[_Object], xs: Sequence[float], emit: Callable[[dict[str, Any]], None]) -> bool:
    """The words of one line of text objects of one run, as :func:`_line_words`
    makes them from their chars. False (nothing emitted) when the objects overlap
    in x or a blank falls inside one: their chars would interleave, so the line
    must be read char by char."""
    objects = sorted(line, key=_X0_START)
    for a, b in zip(objects, objects[1:]):
        if b.x0 <= a.last_x0:
            return False
    if xs:
        for o in objects:
            k = bisect.bisect_right(xs, o.x0)
            if k < len(xs) and xs[k] <= o.last_x0:
                return False
    x_tol, y_tol = WORD_X_TOLERANCE, WORD_Y_TOLERANCE
    parts: list[str] = []
    w_x0 = w_x1 = w_top = w_bottom = 0.0
    w_font, w_size = "", 0.0
    prev: _Token | None = None
    prev_top = 0.0
    open_end = False  # the last token ended its object: the next object's first may join it
    for o in objects:
        top = o.top
        for n, t in enumerate(o.tokens):
            if parts:
                joins = (
                    t.joins
                    and (n > 0 or open_end)
                    and prev is not None
                    and not (t.x0 < prev.last_x0 or t.x0 > prev.x1 + x_tol or abs(top - prev_top) > y_tol)
                )
                if joins and xs:
                    k = bisect.bisect_right(xs, prev.last_x0)  # type: ignore[union-attr]
                    joins = not (k < len(xs) and xs[k] <= t.x0)
                if joins:
                    parts.append(t.text)
                    w_x1 = max(w_x1, t.x1)
                    w_top, w_bottom = min(w_top, top), max(w_bottom, o.bottom)
                else:
                    emit(
                        {
                            "text": "".join(parts),
                            "x0": w_x0,
                            "x1": w_x1,
                            "top": w_top,
                            "bottom": w_bottom,
                            "upright": True,
                            "fontname": w_font,
                            "size": w_size,
                        }
                    )
                    parts = []
            if not parts:
                parts = [t.text]
                w_x0, w_x1, w_top, w_bottom, w_font, w_size = t.x0, t.x1, top, o.bottom, o.fontname, o.size
            prev, prev_top = t, top
            if n == 0 and o.separate and len(o.tokens) > 1:
                # The rest are words of their own (whitespace before each); the last
                # stays open for the next object. Emitted without the tests above.
                emit(
                    {
                        "text": "".join(parts),
                        "x0": w_x0,
                        "x1": w_x1,
                        "top": w_top,
                        "bottom": w_bottom,
                        "upright": True,
                        "fontname": w_font,
                        "size": w_size,
                    }
                )
                font, size, bottom = o.fontname, o.size, o.bottom
                for m in o.tokens[1:-1]:
                    emit(
                        {
                            "text": m.text,
                            "x0": m.x0,
                            "x1": m.x1,
                            "top": top,
                            "bottom": bottom,
                            "upright": True,
                            "fontname": font,
                            "size": size,
                        }
                    )
                prev = o.tokens[-1]
                parts = [prev.text]
                w_x0, w_x1, w_top, w_bottom, w_font, w_size = prev.x0, prev.x1, top, bottom, font, size
                break
        open_end = o.open_end and bool(o.tokens)
    if parts:
        emit(
            {
                "text": "".join(parts),
                "x0": w_x0,
                "x1": w_x1,
                "top": w_top,
                "bottom": w_bottom,
                "upright": True,
                "fontname": w_font,
                "size": w_size,
            }
        )
    return True


def fast_page_words(page: Any, textpage: Any, geometry: PageGeometry, fonts: FontCache) -> list[dict[str, Any]] | None:
    """The page's words read per text object and word (see :class:`_Placer`); None
    when the page must be read char by char. A line whose objects overlap is read
    char by char on its own."""
    api = pdfium_api()
    raw_tp = raw_handle(textpage)
    tp = handle_address(raw_tp)
    n = api.count_chars(tp)
    if n <= 0:
        return []
    raw_text = _bulk_text(api, tp, n)
    if raw_text is None:
        return None
    text = raw_text
    for drawn, meant in PDFIUM_CHARS.items():
        text = text.replace(drawn, meant)
    placer = _Placer(api, fonts, tp, text, raw_text, geometry, textpage)
    objects = _page_objects(api, placer, n)
    if objects is None:
        return None
    blanks = page_blanks(page, geometry) if objects else []
    baselines = [bl.baseline for bl in blanks]
    words: list[dict[str, Any]] = []
    emit = words.append
    for _, run in itertools.groupby(objects, key=_FONT_KEY):
        for line in cluster(list(run), _TOP, WORD_Y_TOLERANCE):
            xs = blank_xs(blanks, baselines, line[0].baseline) if blanks else []
            if not _object_line_words(line, xs, emit):
                chars = [
                    ch
                    for o in line
                    for ch in page_chars(textpage, geometry, fonts, span=(o.start, o.end), texts=raw_text)
                ]
                line_words(chars, xs, emit)
    return words
