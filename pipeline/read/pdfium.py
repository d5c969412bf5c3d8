"""PDF reader on pypdfium2 (PDFium): the same lines as the pdfplumber reader, several times faster.

The only module that imports pypdfium2. It reproduces what
``pipeline.read.pdfplumber`` gets from pdfplumber, so the parser sees the same
:class:`~pipeline.model.Line` values whichever engine read the file:

1. **chars** -- PDFium's text page gives every character with its advance box
   (``FPDFText_GetLooseCharBox``: x0/x1 as pdfminer computes them) and the text
   object that drew it. Font name, size, text matrix and baseline are constant
   within a text object, so they are read once per object and the per-char cost
   is two C calls. Boxes are made pdfminer-shaped: ``bottom`` is the baseline
   minus the font's descent and ``top`` is ``bottom - size``, both measured
   top-down from the page's top edge (PDF space is bottom-up). The characters
   PDFium generates itself (the spaces and line breaks it infers) are dropped:
   words are split by pdfplumber's geometry rules instead.
2. **blanks** -- PDFium's text page leaves out every text object whose glyphs
   have no ink, which is how many producers draw the space between a paragraph
   number and its text ("2.8 It should...") or between words of a table cell.
   pdfminer keeps those spaces and they split words, so the reader collects the
   positions of ink-less text objects from the page's object list
   (:func:`page_blanks`) and splits words there too.
3. **words** -- :func:`chars_to_words` mirrors pdfplumber's ``WordExtractor``
   with the options ``pipeline.read.pdfplumber`` passes: runs of chars with the
   same font name and size, clustered into lines by top, sorted by x, split at
   blanks and at gaps wider than ``WORD_X_TOLERANCE``.
   **The fast path** (:func:`_fast_page_words`, taken on unrotated pages of
   upright text) gets the same words without asking PDFium about every char:
   it finds each text object's chars by bisecting over ``FPDFText_GetTextObject``,
   places its chars from the font's glyph advances, and checks the placement
   against the boxes of the object's first and last chars; where kerning or
   spacing moved them, against each word's first and last char boxes
   (``TOKEN_ADVANCE_TOLERANCE``); else char by char. Lines whose objects
   overlap, and pages of rotated text, are read char by char as above.
   tests/test_pdfium_fast.py compares the two paths.
4. **lines** -- :func:`pipeline.read.pdfplumber.group_lines`, shared with the
   pdfplumber reader (spans, bold/italic from font names, superscript ordinals,
   bullets), and the same ``body_font_size``, ``NeedsOCR`` and ``ReadError`` rules.

Known, tolerated differences from pdfplumber (measured in tests/test_pdfium.py):

* PDFium names a font without its subset tag (``ArialMT``, not ``FAAAAJ+ArialMT``);
  ``font_flags`` ignores the tag, so bold/italic agree.
* Ligature glyphs (U+FB00-FB06) are expanded by PDFium itself, as pdfplumber's
  ``expand_ligatures`` does. PDFium drops a character that exactly overdraws
  the same character (fake bold); where a glyph has no Unicode mapping the two
  libraries decode it differently (pdfminer writes ``(cid:N)``).
* Blank text objects inside form XObjects are not looked for.
* Text that runs vertically on the displayed page (non-upright) is grouped by
  pdfplumber's rules, but pdfminer gives such chars its own sizes (the glyph's
  advance), so words split differently; neither result reads well.
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import math
import operator
import re
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

from pipeline.errors import DamagedPDF, NeedsOCR, ReadError
from pipeline.read.failures import exception_detail
from pipeline.read.pdfplumber import (
    LINE_TOLERANCE,
    MIN_TEXT_CHARS,
    WORD_X_TOLERANCE,
    is_truncated,
    body_font_size,
    group_lines,
)
from pipeline.model import Document, Line, Source

#: pdfplumber's y_tolerance (its default, which ``pipeline.read.pdfplumber`` keeps):
#: chars whose tops differ by more than this are on different lines.
WORD_Y_TOLERANCE = 3.0
#: A text object narrower than this (points) has no ink: PDFium's text page skips it.
BLANK_WIDTH = 0.01
#: A blank splits words on a line whose baseline is within this many points of its own.
BLANK_BASELINE_TOLERANCE = 1.0
#: Code points PDFium substitutes for drawn characters: it marks a hyphen that
#: ends a line as U+FFFE (a non-character); pdfminer keeps the hyphen.
PDFIUM_CHARS: dict[str, str] = {"\ufffe": "-"}
#: UTF-16 surrogates: when present, text indices no longer equal char indices.
SURROGATES = range(0xD800, 0xE000)
#: A UTF-16 surrogate left in decoded text.
_SURROGATE_RE = re.compile(
    r"""
    [\ud800-\udfff]    # a high or low surrogate
    """,
    re.VERBOSE,
)
#: Bytes reserved for a font name returned by ``FPDFText_GetFontInfo``.
FONT_NAME_BUFFER = 256
#: PDFium's error codes for a document that failed to load (fpdfview.h).
ERR_FILE, ERR_FORMAT, ERR_PASSWORD, ERR_SECURITY = 2, 3, 4, 5
#: What the other load errors mean.
ERROR_REASONS: dict[int, str] = {ERR_FILE: "the file cannot be opened", ERR_FORMAT: "not in PDF format or corrupted"}
#: Page rotations (degrees) pdfminer maps with its own transform.
ROTATIONS: tuple[int, ...] = (0, 90, 180, 270)
#: FPDF_PAGEOBJ_TEXT (fpdf_edit.h).
PAGEOBJ_TEXT = 1
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

# The shared line tolerance must not be wider than the word extractor's.
assert WORD_Y_TOLERANCE >= LINE_TOLERANCE


class Char(NamedTuple):
    """One drawn character, in pdfplumber's top-down page coordinates."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    fontname: str
    size: float
    upright: bool
    baseline: float  # top-down


class Blank(NamedTuple):
    """Where an ink-less text object (a space PDFium's text page dropped) starts."""

    x: float
    baseline: float  # top-down


class _Run(NamedTuple):
    """What is constant over one text object: font, size, baseline, orientation."""

    fontname: str
    size: float
    descent: float  # below the baseline, in points (positive)
    baseline: float  # y in PDF space of the object's first char
    upright: bool
    font: int = 0  # the PDFium font handle (its address)
    advance: float = 0.0  # points of x per unit of glyph width (Tf size times the matrix's x scale)


class _Api:
    """The PDFium functions called once per character or object, bound with plain C types.

    pypdfium2's generated bindings wrap every handle in a ctypes pointer object;
    calling the same C functions through ``c_void_p`` prototypes passes and
    returns plain ints, which can be compared (to spot a new text object)
    without a cast, and costs less per call.
    """

    def __init__(self) -> None:
        import pypdfium2.raw as pdfium_c

        self.c = pdfium_c

        def bind(fn: Any, restype: Any, *argtypes: Any) -> Callable[..., Any]:
            address = ctypes.cast(fn, ctypes.c_void_p).value
            return ctypes.CFUNCTYPE(restype, *argtypes)(address)

        vp, i, fp = ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)
        self.text_object = bind(pdfium_c.FPDFText_GetTextObject, vp, vp, i)
        self.loose_box = bind(pdfium_c.FPDFText_GetLooseCharBox, i, vp, i, ctypes.POINTER(pdfium_c.FS_RECTF))
        self.get_text = bind(pdfium_c.FPDFText_GetText, i, vp, i, i, ctypes.POINTER(ctypes.c_ushort))
        self.unicode = bind(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, vp, i)
        self.count_objects = bind(pdfium_c.FPDFPage_CountObjects, i, vp)
        self.get_object = bind(pdfium_c.FPDFPage_GetObject, vp, vp, i)
        self.object_type = bind(pdfium_c.FPDFPageObj_GetType, i, vp)
        self.object_bounds = bind(pdfium_c.FPDFPageObj_GetBounds, i, vp, fp, fp, fp, fp)
        # Called once per text object (or font).
        dp = ctypes.POINTER(ctypes.c_double)
        self.font_size = bind(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, vp, i)
        self.matrix = bind(pdfium_c.FPDFText_GetMatrix, i, vp, i, ctypes.POINTER(pdfium_c.FS_MATRIX))
        self.char_origin = bind(pdfium_c.FPDFText_GetCharOrigin, i, vp, i, dp, dp)
        self.object_font = bind(pdfium_c.FPDFTextObj_GetFont, vp, vp)
        self.font_info = bind(pdfium_c.FPDFText_GetFontInfo, ctypes.c_ulong, vp, i, vp, ctypes.c_ulong,
                              ctypes.POINTER(ctypes.c_int))
        self.font_descent = bind(pdfium_c.FPDFFont_GetDescent, i, vp, ctypes.c_float, fp)
        self.glyph_width = bind(pdfium_c.FPDFFont_GetGlyphWidth, i, vp, ctypes.c_uint, ctypes.c_float, fp)
        # Called once per page: pages and text pages are opened and closed here
        # rather than through pypdfium2's helper objects (which cost more than the C calls).
        self.load_page = bind(pdfium_c.FPDF_LoadPage, vp, vp, i)
        self.close_page = bind(pdfium_c.FPDF_ClosePage, None, vp)
        self.load_textpage = bind(pdfium_c.FPDFText_LoadPage, vp, vp)
        self.close_textpage = bind(pdfium_c.FPDFText_ClosePage, None, vp)
        self.mediabox = bind(pdfium_c.FPDFPage_GetMediaBox, i, vp, fp, fp, fp, fp)
        self.rotation = bind(pdfium_c.FPDFPage_GetRotation, i, vp)
        self.count_chars = bind(pdfium_c.FPDFText_CountChars, i, vp)


_API: _Api | None = None


def _api() -> _Api:
    global _API
    if _API is None:
        _API = _Api()
    return _API


def _address(handle: Any) -> int:
    if isinstance(handle, int):
        return handle
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


def _raw(obj: Any) -> Any:
    """The PDFium handle of a pypdfium2 helper object (or the handle itself)."""
    return getattr(obj, "raw", obj)


# ---------------------------------------------------------------- geometry


class PageGeometry(NamedTuple):
    """Maps PDF user space to pdfplumber's top-down coordinates, as pdfminer does."""

    width: float
    height: float
    ctm: tuple[float, float, float, float, float, float]
    x_shift: float
    top_shift: float

    @classmethod
    def of(cls, mediabox: Sequence[float], rotation: int) -> "PageGeometry":
        x0, x1 = sorted((mediabox[0], mediabox[2]))
        y0, y1 = sorted((mediabox[1], mediabox[3]))
        rotation = rotation % 360 if rotation % 360 in ROTATIONS else 0
        if rotation == 90:
            ctm = (0.0, -1.0, 1.0, 0.0, -y0, x1)
        elif rotation == 180:
            ctm = (-1.0, 0.0, 0.0, -1.0, x1, y1)
        elif rotation == 270:
            ctm = (0.0, 1.0, -1.0, 0.0, y1, -x0)
        else:
            ctm = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
        # pdfplumber's normalised, inverted media box (its Page.mediabox).
        box = (y0, x0, y1, x1) if rotation in (90, 270) else (x0, y0, x1, y1)
        height = box[3] - box[1]
        return cls(box[2] - box[0], height, ctm, box[0], height - box[3])

    @property
    def rotated(self) -> bool:
        return self.ctm[:4] != (1.0, 0.0, 0.0, 1.0)

    def point(self, x: float, y: float) -> tuple[float, float]:
        """(x, top) of a point given in PDF space."""
        a, b, c, d, e, f = self.ctm
        dx, dy = a * x + c * y + e, b * x + d * y + f
        return dx + self.x_shift, self.height - dy + self.top_shift


# ---------------------------------------------------------------- chars


class _FontCache:
    """Per PDFium font handle (one document): name, descent and glyph advances,
    each looked up once; reusable C buffers for the per-object calls."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.descents: dict[int, float] = {}
        self.widths: dict[int, dict[str, float]] = {}
        self.boxes: dict[int, dict[str, float]] = {}  # box width per unit of advance scale
        self.name_buffer = ctypes.create_string_buffer(FONT_NAME_BUFFER)
        self.flags = ctypes.c_int()
        self.value = ctypes.c_float()
        import pypdfium2.raw as pdfium_c

        self.matrix = pdfium_c.FS_MATRIX()
        self.matrix_ref = ctypes.byref(self.matrix)
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.x_ref, self.y_ref = ctypes.byref(self.x), ctypes.byref(self.y)

    def descent(self, api: _Api, font: int) -> float:
        """The font's descent below the baseline per point of size (positive)."""
        if font not in self.descents:
            ok = bool(font) and api.font_descent(font, 1.0, ctypes.byref(self.value))
            self.descents[font] = -float(self.value.value) if ok else 0.0
        return self.descents[font]

    def name(self, api: _Api, font: int, textpage: int, index: int) -> str:
        """The font's name (as ``FPDFText_GetFontInfo`` gives it for a char the font drew)."""
        if font not in self.names or not font:
            buf = self.name_buffer
            n = api.font_info(textpage, index, ctypes.addressof(buf), FONT_NAME_BUFFER, ctypes.byref(self.flags))
            raw = buf.raw[: min(n, FONT_NAME_BUFFER)] if n > 0 else b""
            self.names[font] = raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        return self.names[font]

    def advances(self, api: _Api, font: int, text: str) -> list[float]:
        """Each char's advance per unit of font size (its glyph width / 1000)."""
        widths = self.widths.setdefault(font, {})
        try:
            return list(map(widths.__getitem__, text))
        except KeyError:
            for ch in set(text) - widths.keys():
                ok = api.glyph_width(font, ord(ch), 1.0, ctypes.byref(self.value))
                widths[ch] = float(self.value.value) if ok else math.nan
            return [widths[ch] for ch in text]


def _page_text(api: _Api, tp: int, n: int) -> list[str]:
    """Every char's text by char index: one bulk call, unless PDFium's text
    indices drift from char indices (surrogate pairs, skipped control chars)."""
    buf = (ctypes.c_ushort * (n + 1))()
    written = api.get_text(tp, 0, n, buf)
    units = buf[: max(written - 1, 0)]
    if len(units) == n and not any(u in SURROGATES for u in units):
        return [chr(u) for u in units]
    return [chr(api.unicode(tp, i)) for i in range(n)]


def _run(api: _Api, fonts: _FontCache, textpage: int, index: int, obj: int, geometry: PageGeometry) -> _Run:
    """Font, size and baseline of the text object that drew char ``index``."""
    font = api.object_font(obj) or 0
    fontname = fonts.names.get(font) if font else None
    if fontname is None:
        fontname = fonts.name(api, font, textpage, index)
    tf_size = float(api.font_size(textpage, index))  # the Tf operand, before the matrix
    m = fonts.matrix
    if api.matrix(textpage, index, fonts.matrix_ref):
        a, b, cc, d = m.a, m.b, m.c, m.d
    else:
        a, b, cc, d = 1.0, 0.0, 0.0, 1.0
    if geometry.rotated:
        # The page's own rotation applies on top of the text matrix (as in pdfminer).
        ra, rb, rc, rd = geometry.ctm[:4]
        a, b, cc, d = a * ra + b * rc, a * rb + b * rd, cc * ra + d * rc, cc * rb + d * rd
    size = tf_size * math.hypot(cc, d)
    api.char_origin(textpage, index, fonts.x_ref, fonts.y_ref)
    descent = fonts.descent(api, font) * size
    return tuple.__new__(_Run, (fontname, size, descent, fonts.y.value, a * d > 0 and b * cc <= 0, font,
                                tf_size * math.hypot(a, b)))


def page_chars(
    textpage: Any,
    geometry: PageGeometry,
    fonts: _FontCache | None = None,
    *,
    span: tuple[int, int] | None = None,
    texts: Sequence[str] | None = None,
) -> list[Char]:
    """The characters drawn on one page (or its chars ``span``: first index, end),
    pdfplumber-shaped, in PDFium's order.

    Blanks PDFium kept stay (they split words); the characters it generated
    (inferred spaces and line breaks, which belong to no text object) do not.
    """
    api = _api()
    c = api.c
    fonts = fonts or _FontCache()
    raw_tp = _raw(textpage)
    tp = _address(raw_tp)
    n = api.count_chars(tp)
    if n <= 0:
        return []
    if texts is None:
        texts = _page_text(api, tp, n)
    first, end = span or (0, n)
    rect = c.FS_RECTF()
    rect_p = ctypes.pointer(rect)
    text_object, loose_box = api.text_object, api.loose_box
    fast = not geometry.rotated
    # Unrotated page: x is unchanged and top = top_base - y (see PageGeometry.point).
    x_base = geometry.x_shift + geometry.ctm[4]
    top_base = geometry.height + geometry.top_shift - geometry.ctm[5]
    chars: list[Char] = []
    append = chars.append
    new = tuple.__new__  # builds a Char without NamedTuple's slower keyword-aware __new__
    last_obj = 0
    run: _Run | None = None
    baseline = top = bottom = 0.0
    for i in range(first, end):
        obj = text_object(tp, i)
        if not obj:
            continue  # generated by PDFium: an inferred space or line break
        if obj != last_obj:
            run = _run(api, fonts, tp, i, obj, geometry)
            last_obj = obj
            # One baseline per text object; bottom sits the font's descent below it
            # (rotated pages map each char instead: see _mapped_char).
            baseline = top_base - run.baseline
            bottom = baseline + run.descent
            top = bottom - run.size
        loose_box(tp, i, rect_p)
        text = texts[i]
        if text in PDFIUM_CHARS:
            text = PDFIUM_CHARS[text]
        if fast and run.upright:  # type: ignore[union-attr]
            append(new(Char, (text, rect.left + x_base, rect.right + x_base, top, bottom,
                              run.fontname, run.size, True, baseline)))  # type: ignore[union-attr]
        else:
            append(_mapped_char(api, tp, i, text, rect, run, geometry))  # type: ignore[arg-type]
    return chars


def _mapped_char(api: _Api, textpage: int, index: int, text: str, rect: Any, run: _Run, geometry: PageGeometry) -> Char:
    """A char on a rotated page, or rotated text: its box mapped through the page transform."""
    ox, oy = ctypes.c_double(), ctypes.c_double()
    api.char_origin(textpage, index, ctypes.byref(ox), ctypes.byref(oy))
    corners = [geometry.point(x, y) for x in (rect.left, rect.right) for y in (rect.bottom, rect.top)]
    xs = [p[0] for p in corners]
    _, base = geometry.point(ox.value, oy.value)
    if run.upright:
        bottom = base + run.descent
        top = bottom - run.size
    else:
        top, bottom = min(p[1] for p in corners), max(p[1] for p in corners)
    return Char(text, min(xs), max(xs), top, bottom, run.fontname, run.size, run.upright, base)


def page_blanks(page: Any, geometry: PageGeometry) -> list[Blank]:
    """Ink-less text objects (spaces) on the page, which PDFium's text page skips."""
    api = _api()
    raw_page = _address(_raw(page))
    l, b, r, t = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    lp, bp, rp, tp = ctypes.pointer(l), ctypes.pointer(b), ctypes.pointer(r), ctypes.pointer(t)
    get_object, object_type, object_bounds = api.get_object, api.object_type, api.object_bounds
    blanks: list[Blank] = []
    for i in range(api.count_objects(raw_page)):
        obj = get_object(raw_page, i)
        if not obj or object_type(obj) != PAGEOBJ_TEXT:
            continue
        if object_bounds(obj, lp, bp, rp, tp) and r.value - l.value < BLANK_WIDTH:
            x, top = geometry.point(l.value, b.value)  # an ink-less object's box is its origin
            blanks.append(Blank(x, top))
    blanks.sort(key=lambda bl: bl.baseline)
    return blanks


# ---------------------------------------------------------------- words (pdfplumber's WordExtractor)


_RUN_KEY = operator.attrgetter("upright", "fontname", "size")
_X0 = operator.attrgetter("x0")
_TOP = operator.attrgetter("top")
_X1 = operator.attrgetter("x1")
_BOTTOM = operator.attrgetter("bottom")
_TOP_BOTTOM = operator.attrgetter("top", "bottom")


def _cluster(chars: list[Char], key: Callable[[Char], float], tolerance: float) -> list[list[Char]]:
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
    groups: list[list[Char]] = [[] for _ in range(group + 1)]
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
        return {"text": first.text, "x0": first.x0, "x1": first.x1, "top": first.top, "bottom": first.bottom,
                "upright": first.upright, "fontname": first.fontname, "size": first.size}
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


def _blank_xs(blanks: Sequence[Blank], baselines: Sequence[float], baseline: float) -> list[float]:
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
            for line in _cluster(run_chars, _X0, x_tol):
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
        for line in _cluster(run_chars, _TOP, y_tol):
            xs = _blank_xs(blanks, baselines, line[0].baseline) if blanks else []
            _line_words(line, xs, emit)
    return words


def _line_words(line: Sequence[Char], xs: Sequence[float], emit: Callable[[dict[str, Any]], None]) -> None:
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


# ---------------------------------------------------------------- words per text object (the fast path)


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


def _bulk_text(api: _Api, tp: int, n: int) -> str | None:
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

    def __init__(self, api: _Api, fonts: _FontCache, tp: int, text: str, raw_text: str, geometry: PageGeometry,
                 textpage: Any) -> None:
        self.api, self.fonts, self.tp, self.text, self.raw_text = api, fonts, tp, text, raw_text
        self.geometry, self.textpage = geometry, textpage
        self.rect = api.c.FS_RECTF()
        self.rect_p = ctypes.pointer(self.rect)
        self.x_base = geometry.x_shift + geometry.ctm[4]

    def box(self, index: int) -> tuple[float, float]:
        """x0 and x1 of char ``index`` (one C call)."""
        self.api.loose_box(self.tp, index, self.rect_p)
        return self.rect.left + self.x_base, self.rect.right + self.x_base

    def tokens(self, start: int, end: int, run: _Run) -> list[_Token] | None:
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


def _page_objects(api: _Api, placer: _Placer, n: int) -> list[_Object] | None:
    """The page's text-object spans with their tokens; None when the page must be
    read char by char (text that is not upright, or chars going backwards)."""
    geometry = placer.geometry
    top_base = geometry.height + geometry.top_shift - geometry.ctm[5]
    objects: list[_Object] = []
    last_obj = 0
    run: _Run | None = None
    baseline = top = bottom = 0.0
    text = placer.text
    for start, end, obj in _object_spans(api.text_object, placer.tp, n, text):
        if obj != last_obj:
            run = _run(api, placer.fonts, placer.tp, start, obj, geometry)
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
        objects.append(tuple.__new__(_Object, (start, end, x0, last_x0, top, bottom, baseline, run.fontname, run.size,
                                               tokens, not text[end - 1].isspace(), not any(map(_JOINS, tokens[1:])))))
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
                    emit({"text": "".join(parts), "x0": w_x0, "x1": w_x1, "top": w_top, "bottom": w_bottom,
                          "upright": True, "fontname": w_font, "size": w_size})
                    parts = []
            if not parts:
                parts = [t.text]
                w_x0, w_x1, w_top, w_bottom, w_font, w_size = t.x0, t.x1, top, o.bottom, o.fontname, o.size
            prev, prev_top = t, top
            if n == 0 and o.separate and len(o.tokens) > 1:
                # The rest are words of their own (whitespace before each); the last
                # stays open for the next object. Emitted without the tests above.
                emit({"text": "".join(parts), "x0": w_x0, "x1": w_x1, "top": w_top, "bottom": w_bottom,
                      "upright": True, "fontname": w_font, "size": w_size})
                font, size, bottom = o.fontname, o.size, o.bottom
                for m in o.tokens[1:-1]:
                    emit({"text": m.text, "x0": m.x0, "x1": m.x1, "top": top, "bottom": bottom,
                          "upright": True, "fontname": font, "size": size})
                prev = o.tokens[-1]
                parts = [prev.text]
                w_x0, w_x1, w_top, w_bottom, w_font, w_size = prev.x0, prev.x1, top, bottom, font, size
                break
        open_end = o.open_end and bool(o.tokens)
    if parts:
        emit({"text": "".join(parts), "x0": w_x0, "x1": w_x1, "top": w_top, "bottom": w_bottom,
              "upright": True, "fontname": w_font, "size": w_size})
    return True


def _fast_page_words(page: Any, textpage: Any, geometry: PageGeometry, fonts: _FontCache) -> list[dict[str, Any]] | None:
    """The page's words read per text object and word (see :class:`_Placer`); None
    when the page must be read char by char. A line whose objects overlap is read
    char by char on its own."""
    api = _api()
    raw_tp = _raw(textpage)
    tp = _address(raw_tp)
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
        for line in _cluster(list(run), _TOP, WORD_Y_TOLERANCE):  # type: ignore[arg-type]
            xs = _blank_xs(blanks, baselines, line[0].baseline) if blanks else []
            if not _object_line_words(line, xs, emit):  # type: ignore[arg-type]
                chars = [
                    ch for o in line
                    for ch in page_chars(textpage, geometry, fonts, span=(o.start, o.end), texts=raw_text)  # type: ignore[attr-defined]
                ]
                _line_words(chars, xs, emit)
    return words


# ---------------------------------------------------------------- documents


def _open(path: Path) -> Any:
    """The open ``PdfDocument``; a ReadError worded as the pdfplumber reader words it."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == ERR_PASSWORD:
            raise ReadError(str(path), "encrypted PDF: a password is needed to open it") from None
        if code == ERR_SECURITY:
            raise ReadError(str(path), "encrypted PDF: its security handler is not supported") from None
        if is_truncated(path):
            raise ReadError(
                str(path), "truncated PDF: the file ends before its %%EOF marker (an incomplete download or copy?)"
            ) from None
        reason = ERROR_REASONS.get(code or 0, str(exc))
        raise DamagedPDF(str(path), f"damaged or unreadable PDF (PDFium: {reason})") from None


#: What a page's MediaBox is taken to be when it has none (as pypdfium2 does: ANSI A).
DEFAULT_MEDIABOX: tuple[float, float, float, float] = (0.0, 0.0, 612.0, 792.0)


def page_words(pdf: Any, index: int, fonts: _FontCache | None = None) -> tuple[list[dict[str, Any]], PageGeometry]:
    """pdfplumber-shaped word dicts of page ``index`` (0-based); the page is closed after use."""
    api = _api()
    page = api.load_page(_address(_raw(pdf)), index)
    if not page:
        raise RuntimeError(f"page {index + 1} cannot be loaded")
    textpage = 0
    try:
        box = [ctypes.c_float() for _ in range(4)]
        if api.mediabox(page, *(ctypes.byref(v) for v in box)):
            mediabox = tuple(float(v.value) for v in box)
        else:
            mediabox = DEFAULT_MEDIABOX
        rotation = api.rotation(page)
        if rotation < 0:
            raise RuntimeError(f"page {index + 1} has no readable rotation")
        geometry = PageGeometry.of(mediabox, rotation * 90)
        textpage = api.load_textpage(page)
        if not textpage:
            raise RuntimeError(f"page {index + 1} has no readable text page")
        fonts = fonts or _FontCache()
        words = None if geometry.rotated else _fast_page_words(page, textpage, geometry, fonts)
        if words is None:
            chars = page_chars(textpage, geometry, fonts)
            blanks = page_blanks(page, geometry) if chars else []
            words = chars_to_words(chars, blanks)
        return words, geometry
    finally:
        if textpage:
            api.close_textpage(textpage)
        api.close_page(page)


def read_pdf_pdfium(path: Path, sha256: str, size: int) -> Document:
    """Read a PDF into lines with PDFium (``pdf_engine="pdfium"``)."""
    pdf = _open(path)
    lines: list[Line] = []
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise DamagedPDF(str(path), "PDF has no pages")
        fonts = _FontCache()
        for index in range(n_pages):
            try:
                words, geometry = page_words(pdf, index, fonts)
                lines.extend(
                    group_lines(
                        words,
                        page=index + 1,
                        first_line_no=len(lines) + 1,
                        page_width=geometry.width,
                        page_height=geometry.height,
                    )
                )
            except ReadError:
                raise
            except Exception as exc:
                raise DamagedPDF(str(path), f"damaged or unreadable PDF: page {index + 1} cannot be read "
                                            f"(PDFium: {exception_detail(exc)})") from None
    finally:
        pdf.close()
    if sum(len(l.text) for l in lines) < MIN_TEXT_CHARS:
        raise NeedsOCR(
            str(path),
            "no text layer: an image-only (scanned) PDF needs OCR",
            hint="install ocrmypdf and tesseract-ocr, then ingest with --ocr auto",
        )
    return Document(Source(str(path), sha256, "pdf", n_pages, size), tuple(lines), body_font_size(lines))
