"""The pdfium reader's fast path (words per text object and per word, not per char)
gives the words its char-by-char path gives.

``pipeline.read.pdfium`` places a text object's chars from its font's advances,
checked against the boxes of the object's first and last chars (else of each
word's first and last chars, else char by char). These tests compare the words
of both paths on the corpus PDFs and on small PDFs drawn the ways producers
draw text: TJ kerning, word spacing, letter-spaced headings, words split
across objects, tiny type, overlapping objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pdfium import BODY, CORPUS_PDFS, make_pdf, text

#: Word positions of the two paths agree within this many points (glyph boxes are
#: read per font and char on the fast path, per char on the slow one).
POSITION_TOLERANCE = 0.6


def _both_paths(path: Path) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """(char-by-char words, fast-path words) of every page."""
    import pypdfium2 as pdfium

    from pipeline.read.pdfium.chars import FontCache, PageGeometry, page_blanks, page_chars
    from pipeline.read.pdfium.objects import fast_page_words
    from pipeline.read.pdfium.words import chars_to_words

    out = []
    pdf = pdfium.PdfDocument(path)
    try:
        fonts = FontCache()
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                geometry = PageGeometry.of(tuple(page.get_mediabox()), page.get_rotation())
                chars = page_chars(textpage, geometry, fonts)
                slow = chars_to_words(chars, page_blanks(page, geometry) if chars else [])
                fast = fast_page_words(page, textpage, geometry, fonts)
                out.append((slow, slow if fast is None else fast))
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()
    return out


def assert_same_words(path: Path) -> None:
    for slow, fast in _both_paths(path):
        assert [(w["text"], w["fontname"], w["size"]) for w in fast] == [
            (w["text"], w["fontname"], w["size"]) for w in slow
        ]
        for a, b in zip(slow, fast):
            for attr in ("x0", "x1", "top", "bottom"):
                assert b[attr] == pytest.approx(a[attr], abs=POSITION_TOLERANCE), (attr, a["text"])


@pytest.mark.parametrize("path", CORPUS_PDFS, ids=lambda p: p.name)
def test_fast_words_equal_char_words_on_corpus(path: Path) -> None:
    assert_same_words(path)


CASES: dict[str, bytes] = {
    # Word-processor output: TJ arrays nudging glyphs by hundredths of an em.
    "kerned": b"BT /F1 11 Tf 72 700 Td [(The coun)4(cil)-3( will con)2(sult on the bud)-5(get.)] TJ ET\n",
    # Spaces drawn as kerning (no space char): PDFium generates spaces; gaps split words.
    "tj-spaces": b"BT /F1 11 Tf 72 700 Td [(Capital)-400(programme)-400(update)] TJ ET\n",
    # A gap just over and just under the word tolerance inside a TJ array.
    "tj-gaps": b"BT /F1 10 Tf 72 700 Td [(Wide)-160(gap)-140(narrow)] TJ ET\n",
    # Justified text: word spacing (Tw) widens the spaces.
    "word-spacing": b"BT /F1 11 Tf 3 Tw 72 700 Td (Justified lines stretch their spaces.) Tj ET\n",
    # A letter-spaced heading (Tc): every char apart.
    "char-spacing": b"BT /F2 14 Tf 2 Tc 72 700 Td (SUMMARY) Tj ET\n",
    # One word drawn as two objects, abutting; a bold label then its value.
    "split-word": text(72, 700, b"Recommend") + text(126.45, 700, b"ations are set out below."),
    "label-value": text(72, 700, b"DATE:", font=b"F2") + text(110, 700, b"12 March 2025"),
    # Type so small a space is narrower than the word tolerance.
    "tiny": b"BT /F1 4 Tf 72 700 Td (Footnote set in tiny type here.) Tj ET\n",
    # Two objects overlapping on one line (a stamp over text).
    "overlap": text(72, 700, b"Overlapping text objects") + text(90, 700, b"DRAFT", font=b"F2"),
    # Leading and trailing spaces inside objects, and an object of spaces only.
    "spaces": text(72, 700, b" Leading and trailing ") + text(200, 700, b"   ") + text(220, 700, b"after"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_words_equal_char_words_on_drawn_text(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(make_pdf([CASES[name] + BODY.replace(b"700", b"650")]))
    assert_same_words(path)


def test_fast_path_is_taken_on_plain_text(tmp_path: Path) -> None:
    from pipeline.read.pdfium.chars import FontCache, PageGeometry
    from pipeline.read.pdfium.objects import fast_page_words

    path = tmp_path / "plain.pdf"
    path.write_bytes(make_pdf([CASES["kerned"] + BODY.replace(b"700", b"650")]))
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[0]
        textpage = page.get_textpage()
        geometry = PageGeometry.of(tuple(page.get_mediabox()), page.get_rotation())
        words = fast_page_words(page, textpage, geometry, FontCache())
        textpage.close()
        page.close()
    finally:
        pdf.close()
    assert words is not None
    assert [w["text"] for w in words][:4] == ["The", "council", "will", "consult"]


# ---------------------------------------------------------------- shortcuts in line grouping (pipeline.read.pdfplumber)


@given(st.text(max_size=4))
@settings(max_examples=300, deadline=None)
def test_suffix_forms_are_what_lower_maps_to_an_ordinal_suffix(text: str) -> None:
    from pipeline.read.pdfplumber import _SUFFIX_FORMS, ORDINAL_SUFFIXES

    assert (text in _SUFFIX_FORMS) == (text.lower() in ORDINAL_SUFFIXES)


@given(st.lists(st.text(alphabet="ab •\uf0b7\u25aa\uf0a7x", max_size=4), min_size=1, max_size=5))
@settings(max_examples=300, deadline=None)
def test_span_text_normalises_bullets_word_by_word(texts: list[str]) -> None:
    from pipeline.read.pdfplumber import BULLET_CHARS, _span_text

    def reference(word: str) -> str:  # the rule as first written
        if word and all(ch in BULLET_CHARS for ch in word):
            return "•"
        return "".join("•" if ch in BULLET_CHARS else ch for ch in word)

    assert _span_text([{"text": t} for t in texts]) == " ".join(reference(t) for t in texts)
