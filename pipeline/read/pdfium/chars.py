"""PDFium's view of a page, made pdfplumber-shaped: its geometry, the chars it draws, and its blank text objects.

The PDFium functions called once per character or object are bound with plain
C types (:class:`Api`); fonts are looked up once per document
(:class:`FontCache`). :func:`page_chars` gives every drawn character with its
pdfminer-shaped box, :func:`page_blanks` where the ink-less text objects
(spaces PDFium's text page drops) start. See :mod:`pipeline.read.pdfium`.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any, Callable, NamedTuple, Sequence

#: A text object narrower than this (points) has no ink: PDFium's text page skips it.
BLANK_WIDTH = 0.01
#: Code points PDFium substitutes for drawn characters: it marks a hyphen that
#: ends a line as U+FFFE (a non-character); pdfminer keeps the hyphen.
PDFIUM_CHARS: dict[str, str] = {"\ufffe": "-"}
#: UTF-16 surrogates: when present, text indices no longer equal char indices.
SURROGATES = range(0xD800, 0xE000)
#: Bytes reserved for a font name returned by ``FPDFText_GetFontInfo``.
FONT_NAME_BUFFER = 256
#: Page rotations (degrees) pdfminer maps with its own transform.
ROTATIONS: tuple[int, ...] = (0, 90, 180, 270)
#: FPDF_PAGEOBJ_TEXT (fpdf_edit.h).
PAGEOBJ_TEXT = 1


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


class Run(NamedTuple):
    """What is constant over one text object: font, size, baseline, orientation."""

    fontname: str
    size: float
    descent: float  # below the baseline, in points (positive)
    baseline: float  # y in PDF space of the object's first char
    upright: bool
    font: int = 0  # the PDFium font handle (its address)
    advance: float = 0.0  # points of x per unit of glyph width (Tf size times the matrix's x scale)


class Api:
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
            if address is None:  # pragma: no cover - a pypdfium2 built without the function
                raise RuntimeError(f"PDFium has no {fn!r}")
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
        self.font_info = bind(
            pdfium_c.FPDFText_GetFontInfo, ctypes.c_ulong, vp, i, vp, ctypes.c_ulong, ctypes.POINTER(ctypes.c_int)
        )
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


_API: Api | None = None


def pdfium_api() -> Api:
    """The bound PDFium functions (bound once a process)."""
    global _API
    if _API is None:
        _API = Api()
    return _API


def handle_address(handle: Any) -> int:
    """A PDFium handle (a ctypes pointer or already an int) as an int."""
    if isinstance(handle, int):
        return handle
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


def raw_handle(obj: Any) -> Any:
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


class FontCache:
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

    def descent(self, api: Api, font: int) -> float:
        """The font's descent below the baseline per point of size (positive)."""
        if font not in self.descents:
            ok = bool(font) and api.font_descent(font, 1.0, ctypes.byref(self.value))
            self.descents[font] = -float(self.value.value) if ok else 0.0
        return self.descents[font]

    def name(self, api: Api, font: int, textpage: int, index: int) -> str:
        """The font's name (as ``FPDFText_GetFontInfo`` gives it for a char the font drew)."""
        if font not in self.names or not font:
            buf = self.name_buffer
            n = api.font_info(textpage, index, ctypes.addressof(buf), FONT_NAME_BUFFER, ctypes.byref(self.flags))
            raw = buf.raw[: min(n, FONT_NAME_BUFFER)] if n > 0 else b""
            self.names[font] = raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        return self.names[font]

    def advances(self, api: Api, font: int, text: str) -> list[float]:
        """Each char's advance per unit of font size (its glyph width / 1000)."""
        widths = self.widths.setdefault(font, {})
        try:
            return list(map(widths.__getitem__, text))
        except KeyError:
            for ch in set(text) - widths.keys():
                ok = api.glyph_width(font, ord(ch), 1.0, ctypes.byref(self.value))
                widths[ch] = float(self.value.value) if ok else math.nan
            return [widths[ch] for ch in text]


def _page_text(api: Api, tp: int, n: int) -> list[str]:
    """Every char's text by char index: one bulk call, unless PDFium's text
    indices drift from char indices (surrogate pairs, skipped control chars)."""
    buf = (ctypes.c_ushort * (n + 1))()
    written = api.get_text(tp, 0, n, buf)
    units = buf[: max(written - 1, 0)]
    if len(units) == n and not any(u in SURROGATES for u in units):
        return [chr(u) for u in units]
    return [chr(api.unicode(tp, i)) for i in range(n)]


def object_run(api: Api, fonts: FontCache, textpage: int, index: int, obj: int, geometry: PageGeometry) -> Run:
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
    return tuple.__new__(
        Run, (fontname, size, descent, fonts.y.value, a * d > 0 and b * cc <= 0, font, tf_size * math.hypot(a, b))
    )


def page_chars(
    textpage: Any,
    geometry: PageGeometry,
    fonts: FontCache | None = None,
    *,
    span: tuple[int, int] | None = None,
    texts: Sequence[str] | None = None,
) -> list[Char]:
    """The characters drawn on one page (or its chars ``span``: first index, end),
    pdfplumber-shaped, in PDFium's order.

    Blanks PDFium kept stay (they split words); the characters it generated
    (inferred spaces and line breaks, which belong to no text object) do not.
    """
    api = pdfium_api()
    c = api.c
    fonts = fonts or FontCache()
    raw_tp = raw_handle(textpage)
    tp = handle_address(raw_tp)
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
    run: Run | None = None
    baseline = top = bottom = 0.0
    for i in range(first, end):
        obj = text_object(tp, i)
        if not obj:
            continue  # generated by PDFium: an inferred space or line break
        if obj != last_obj:
            run = object_run(api, fonts, tp, i, obj, geometry)
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
            append(
                new(
                    Char,
                    (
                        text,
                        rect.left + x_base,
                        rect.right + x_base,
                        top,
                        bottom,
                        run.fontname,  # type: ignore[union-attr]
                        run.size,  # type: ignore[union-attr]
                        True,
                        baseline,
                    ),
                )
            )
        else:
            append(_mapped_char(api, tp, i, text, rect, run, geometry))  # type: ignore[arg-type]
    return chars


def _mapped_char(api: Api, textpage: int, index: int, text: str, rect: Any, run: Run, geometry: PageGeometry) -> Char:
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
    api = pdfium_api()
    raw_page = handle_address(raw_handle(page))
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
