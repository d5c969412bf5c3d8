"""Hostile PDFs: a failing engine falls back to the other; a failure is one plain sentence plus the library's words."""

from __future__ import annotations

from pathlib import Path

import hostile_pdfs as H  # tests/read/hostile_pdfs.py
import pytest

from pipeline.errors import ReadError
from pipeline.index import ENGINES
from pipeline.ingest import PaperParser, ingest
from pipeline.read import read_lines
from pipeline.read.failures import plain_reason, traceback_tail
from pipeline.read.ocr import unavailable_reason

TEXT = "Budget monitoring report for the second quarter"


@pytest.fixture
def write(tmp_path):
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def one_sentence(err: ReadError) -> None:
    """A reason with no traceback in it: one line, the library's message only as detail."""
    text = str(err)
    assert "\n" not in text and "Traceback" not in text and 'File "' not in text


@pytest.mark.parametrize("make", [H.self_cycle, H.huge_count], ids=["page-tree self-cycle", "/Count 10000"])
def test_pdfium_falls_back_to_pdfplumber_on_a_page_tree_it_cannot_walk(write, make):
    doc = read_lines(write("hostile.pdf", make()), pdf_engine="pdfium")
    assert [line.text for line in doc.lines] == [TEXT]


def test_pdfplumber_falls_back_to_pdfium_on_an_invalid_dictionary(write):
    doc = read_lines(write("hostile.pdf", H.bad_dictionary()), pdf_engine="pdfplumber")
    assert [line.text for line in doc.lines] == [TEXT]


@pytest.mark.parametrize("pdf_engine", ["pdfplumber", "pdfium"])
def test_a_page_tree_thousands_deep_is_a_plain_sentence_not_a_recursion_error(write, pdf_engine):
    with pytest.raises(ReadError) as err:
        read_lines(write("deep.pdf", H.deeply_nested_page_tree()), pdf_engine=pdf_engine)
    assert "nest or refer to each other too deeply" in err.value.reason
    assert "RecursionError" in (err.value.hint or "")
    one_sentence(err.value)


@pytest.mark.parametrize("pdf_engine", ["pdfplumber", "pdfium"])
def test_no_pages_behind_a_broken_cross_reference_table_says_so(write, pdf_engine):
    with pytest.raises(ReadError) as err:
        read_lines(write("nopages.pdf", H.no_pages_broken_xref()), pdf_engine=pdf_engine)
    assert err.value.reason == (
        "PDF has no pages: its cross-reference table is damaged, and no page was found by scanning the file"
    )


def test_a_missing_trailer_names_the_cross_reference_table(write):
    with pytest.raises(ReadError) as err:
        read_lines(write("notrailer.pdf", H.no_trailer()), pdf_engine="pdfplumber")
    assert "cross-reference table and trailer are broken" in err.value.reason
    assert "No /Root object" in (err.value.hint or "")
    one_sentence(err.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_ingest_with_pdfium_indexes_the_hostile_page_trees(tmp_path, engine):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "cycle.pdf").write_bytes(H.self_cycle())
    (folder / "count.pdf").write_bytes(H.huge_count())
    (folder / "dict.pdf").write_bytes(H.bad_dictionary())
    summary = ingest([folder], tmp_path / "index", engine=engine, workers=1, parser=PaperParser(pdf_engine="pdfium"))
    assert [o.status for o in summary.outcomes] == ["indexed"] * 3, summary.failed


OCRMYPDF_CRASH = """Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/ocrmypdf/pdfinfo/_image.py", line 254, in printed_area
    return float((self.width / self.dpi.x) * (self.height / self.dpi.y))
                  ~~~~~~~~~~~^~~~~~~~~~~~
ZeroDivisionError: float division by zero
"""
JPX_CRASH = """  File "/venv/lib/python3.11/site-packages/pikepdf/models/image/_classes.py", line 547, in as_pil_image
    im = Image.open(bio)
  File "/venv/lib/python3.11/site-packages/PIL/Image.py", line 3730, in open
    raise UnidentifiedImageError(msg)
PIL.UnidentifiedImageError: cannot identify image file <_io.BytesIO object at 0x7fddab9c98f0>
"""


def test_a_traceback_becomes_its_last_line_without_addresses():
    assert traceback_tail(OCRMYPDF_CRASH) == "ZeroDivisionError: float division by zero"
    assert traceback_tail("Traceback (most recent call last):\n" + JPX_CRASH) == (
        "PIL.UnidentifiedImageError: cannot identify image file"
    )


@pytest.mark.parametrize(
    "message, words",
    [
        ("ZeroDivisionError: float division by zero", "no size"),
        ("PIL.UnidentifiedImageError: cannot identify image file", "image in it cannot be decoded"),
        ("PSSyntaxError: Invalid dictionary construct: [/'F1', <PDFObjRef:5>, /'F2']", "syntax of its objects"),
        ("MalformedPDFException: maximum recursion depth exceeded", "too deeply"),
        ("PDFSyntaxError: No /Root object! - Is this really a PDF?", "cross-reference table and trailer"),
    ],
)
def test_library_messages_become_plain_sentences(message, words):
    assert words in plain_reason(message)


needs_ocr = pytest.mark.skipif(unavailable_reason() is not None, reason="needs ocrmypdf and tesseract")


@pytest.mark.slow
@needs_ocr
@pytest.mark.parametrize(
    "data, words, detail",
    [
        (H.image_only().replace(b"/Width 8", b"/Width 0"), "no size", "ZeroDivisionError"),
        (
            H.image_only(image=b"\x00\x00\x00\x0cjP  garbage" * 10, filter_=b"/Filter /JPXDecode"),
            "cannot be decoded",
            "UnidentifiedImageError",
        ),
    ],
    ids=["zero-width image", "broken JPEG 2000"],
)
def test_an_ocrmypdf_crash_is_a_plain_sentence_with_its_error_as_detail(write, data, words, detail):
    from pipeline.read.ocr import ocr_document

    path = write("scan.pdf", data)
    with pytest.raises(ReadError) as err:
        ocr_document(path, "0" * 64)
    assert err.value.reason.startswith("OCR failed: ") and words in err.value.reason
    assert detail in (err.value.hint or "")
    one_sentence(err.value)
