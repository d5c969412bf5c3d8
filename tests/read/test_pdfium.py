"""The pypdfium2 reader gives the parser the same lines as the pdfplumber reader.

Compared on every PDF in corpus/pdf (line text, spans, bold flags, geometry),
through the whole parser (``evaluate`` on the seeds: same accuracy), and on
small hand-written PDFs that exercise what PDFium does differently from
pdfminer: scaled text matrices, superscripts, ligatures, line-end hyphens,
blank text objects PDFium leaves out of its text page, rotated pages, and
broken, encrypted or text-less files.

Known differences (measured on ../shared/corpus/real, 309 pages): 2 of
11,501 lines, both in tables where characters of one word overlap ("Ma r-26"
in pdfplumber, "Mar-26" in pdfium; "Schemes" vs "S chemes"). The slow test
below allows 0.1 %.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from typing import Iterator

import pytest

from pipeline.errors import NeedsOCR, ReadError
from pipeline.model import Document
from pipeline.read import read_lines

ROOT = Path(__file__).resolve().parents[2]
CORPUS_PDFS = sorted((ROOT / "corpus" / "pdf").glob("*.pdf"))
REAL = ROOT.parent / "shared" / "corpus" / "real"
REAL_LABELS = ROOT.parent / "shared" / "labels" / "real-dev.jsonl"
#: Positions may differ by rounding between the two libraries (points).
POSITION_TOLERANCE = 0.6
#: Share of lines allowed to differ on the real papers (see the module docstring).
REAL_LINE_DIFF_SHARE = 0.001
#: Header labels of the corpus papers (their bold flags must agree).
HEADER_LABELS = ("REPORT TO:", "DATE:", "REPORTING OFFICER:", "SUBJECT:", "WARDS:")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def both(path: Path) -> tuple[Document, Document]:
    return read_lines(path, pdf_engine="pdfplumber"), read_lines(path, pdf_engine="pdfium")


# ---------------------------------------------------------------- hand-written PDFs


def make_pdf(
    pages: list[bytes],
    *,
    rotate: int = 0,
    extra_fonts: bytes = b"",
    encrypt: bool = False,
    kids: bool = True,
) -> bytes:
    """A PDF whose pages draw the given content streams; fonts F1 Helvetica, F2 Helvetica-Bold."""
    fonts = (
        b"/F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> "
        b"/F2 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >> " + extra_fonts
    )
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    page_ids = []
    for content in pages:
        stream = zlib.compress(content)
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate %d /Resources << /Font << %s >> >> "
            b"/Contents %d 0 R >>" % (rotate, fonts, len(objects))
        )
        page_ids.append(len(objects))
    kids_list = b" ".join(b"%d 0 R" % i for i in page_ids) if kids else b""
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids_list, len(page_ids) if kids else 0)
    trailer_extra = b""
    if encrypt:
        # A standard security handler whose passwords are unknown (neither is empty).
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (b"11" * 32, b"22" * 32))
        trailer_extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), b"ab" * 16, b"ab" * 16)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return bytes(out)


def text(x: float, y: float, s: bytes, *, font: bytes = b"F1", size: float = 11, extra: bytes = b"") -> bytes:
    return b"BT /%s %g Tf %s %g %g Td (%s) Tj ET\n" % (font, size, extra, x, y, s)


BODY = text(72, 700, b"This paper has enough text to be read as a text layer, not a scan.")


@pytest.fixture
def write(tmp_path: Path) -> Iterator:
    def _write(name: str, data: bytes) -> Path:
        p = tmp_path / name
        p.write_bytes(data)
        return p

    yield _write


def texts(doc: Document) -> list[str]:
    return [norm(l.text) for l in doc.lines]


# ---------------------------------------------------------------- the corpus


@pytest.mark.parametrize("path", CORPUS_PDFS, ids=lambda p: p.name)
def test_lines_equal_pdfplumber_on_corpus(path: Path) -> None:
    plumber, pdfium = both(path)
    assert texts(pdfium) == texts(plumber)
    assert pdfium.source.pages == plumber.source.pages
    assert pdfium.body_size == plumber.body_size
    for a, b in zip(plumber.lines, pdfium.lines):
        assert (b.page, b.line_no, b.bold, b.italic, b.size) == (a.page, a.line_no, a.bold, a.italic, a.size), a.text
        assert [(s.text, s.bold, s.size) for s in b.spans] == [(s.text, s.bold, s.size) for s in a.spans], a.text
        for attr in ("x0", "x1", "top", "bottom"):
            assert getattr(b, attr) == pytest.approx(getattr(a, attr), abs=POSITION_TOLERANCE), (attr, a.text)
        assert (b.page_width, b.page_height) == (a.page_width, a.page_height)


def test_header_labels_are_bold_spans_in_both_engines() -> None:
    with_header = 0
    for path in CORPUS_PDFS:
        found = []
        for doc in both(path):
            head = [l for l in doc.lines[:12] if l.spans[0].text in HEADER_LABELS]
            found.append([(l.spans[0].text, l.spans[0].bold, [s.bold for s in l.spans[1:]]) for l in head])
        plumber, pdfium = found
        assert pdfium == plumber, path.name
        if pdfium:
            with_header += 1
            assert {"REPORT TO:", "DATE:", "SUBJECT:"} <= {label for label, _, _ in pdfium}
            # Labels bold, the values beside them regular.
            assert all(bold and values and not any(values) for _, bold, values in pdfium), pdfium
    assert with_header >= 4


def test_eval_accuracy_equals_pdfplumber_on_seeds() -> None:
    from pipeline.enrich.report import parse_file
    from pipeline.evaluate import evaluate

    labels = ROOT / "tests" / "data" / "seeds.jsonl"
    plumber = evaluate(labels, ROOT / "corpus", parse=lambda p: parse_file(p, pdf_engine="pdfplumber", entities=False))
    pdfium = evaluate(labels, ROOT / "corpus", parse=lambda p: parse_file(p, pdf_engine="pdfium", entities=False))
    assert pdfium.papers == plumber.papers == 10
    assert not pdfium.failed
    assert pdfium.rows() == plumber.rows()
    assert pdfium.overall == plumber.overall
    assert pdfium.misses == plumber.misses


@pytest.mark.slow
@pytest.mark.real
@pytest.mark.skipif(not REAL.is_dir(), reason="needs ../shared/corpus/real")
def test_real_papers_lines_and_accuracy_match() -> None:
    import difflib

    from pipeline.enrich.report import parse_file
    from pipeline.evaluate import evaluate

    differ = total = 0
    for path in sorted(REAL.glob("*.pdf")):
        plumber, pdfium = both(path)
        a = [(l.page, norm(l.text), l.bold) for l in plumber.lines]
        b = [(l.page, norm(l.text), l.bold) for l in pdfium.lines]
        total += len(a)
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op != "equal":
                differ += max(a2 - a1, b2 - b1)
    assert total > 10_000
    assert differ <= REAL_LINE_DIFF_SHARE * total, f"{differ} of {total} lines differ"
    results = [
        evaluate(REAL_LABELS, REAL, parse=lambda p, e=engine: parse_file(p, pdf_engine=e, entities=False))
        for engine in ("pdfplumber", "pdfium")
    ]
    assert results[1].rows() == results[0].rows()
    assert results[1].overall == results[0].overall


# ---------------------------------------------------------------- what PDFium does differently


def test_text_matrix_scaling_gives_the_drawn_size(write) -> None:
    # Producers that set "/F1 1 Tf" and scale with the text matrix: the size is the drawn one.
    content = (
        b"BT /F2 1 Tf 14 0 0 14 72 770 Tm (Heading in fourteen point) Tj ET\n"
        b"BT /F1 1 Tf 11 0 0 11 72 740 Tm (Body text in eleven point, scaled by its matrix.) Tj ET\n"
    ) + BODY
    plumber, pdfium = both(write("scaled.pdf", make_pdf([content])))
    assert [(l.text, l.size, l.bold) for l in pdfium.lines] == [(l.text, l.size, l.bold) for l in plumber.lines]
    assert [l.size for l in pdfium.lines[:2]] == [14.0, 11.0]
    assert pdfium.lines[0].bold and not pdfium.lines[1].bold


def test_superscript_ordinal_joins_its_number(write) -> None:
    content = (
        text(72, 700, b"DATE:", font=b"F2")
        + text(200, 700, b"2")
        + text(206.1, 700, b"nd", size=6.4, extra=b"4 Ts")
        + text(214, 700, b"November 2009", extra=b"0 Ts")
        + BODY.replace(b"700", b"650")
    )
    plumber, pdfium = both(write("sup.pdf", make_pdf([content])))
    assert pdfium.lines[0].text == plumber.lines[0].text == "DATE: 2nd November 2009"
    assert pdfium.lines[0].spans[0].bold and not pdfium.lines[0].spans[1].bold


def test_blank_text_objects_split_words(write) -> None:
    # "2.8", then a space drawn as its own text object overlapping the next word:
    # PDFium's text page drops the blank object; pdfminer keeps it as a space.
    content = (
        text(70.9, 700, b"2.8", size=12)
        + text(87.58, 700, b" ", size=12)
        + text(88.9, 700, b"It should be noted that there is a separate process.", size=12)
        + BODY.replace(b"700", b"650")
    )
    plumber, pdfium = both(write("blank.pdf", make_pdf([content])))
    assert plumber.lines[0].text.startswith("2.8 It should")
    assert texts(pdfium) == texts(plumber)


def test_ligature_and_line_end_hyphen(write) -> None:
    # A font whose code 128 draws the "fi" ligature glyph; a line ending in a hyphen.
    fonts = b"/F3 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [128 /fi] >> >> "
    content = (
        b"BT /F3 11 Tf 72 700 Td (The of\x80ce will con\x80rm the budget.) Tj ET\n"
        + text(72, 680, b"The council will consult on the develop-")
        + text(72, 666, b"ment of the new library service and its costs.")
    )
    plumber, pdfium = both(write("lig.pdf", make_pdf([content], extra_fonts=fonts)))
    assert pdfium.lines[0].text == "The office will confirm the budget."
    assert pdfium.lines[1].text.endswith("develop-")
    assert texts(pdfium) == texts(plumber)


def test_baseline_jitter_within_a_word_keeps_it_whole(write) -> None:
    # "bud" and "get" drawn 2pt apart vertically (a text rise) are still one word.
    content = b"BT /F1 11 Tf 72 700 Td (Total bud) Tj -2 Ts (get for the year.) Tj 0 Ts ET\n" + BODY.replace(
        b"700", b"650"
    )
    plumber, pdfium = both(write("jitter.pdf", make_pdf([content])))
    assert pdfium.lines[0].text == plumber.lines[0].text == "Total budget for the year."


def test_landscape_page_maps_like_pdfminer(write) -> None:
    # A landscape page made by /Rotate 90 with its text turned to read upright on screen.
    def upright(x: float, y: float, s: bytes, font: bytes = b"F1") -> bytes:
        return b"BT /%s 11 Tf 0 1 -1 0 %g %g Tm (%s) Tj ET\n" % (font, x, y, s)

    content = (
        upright(500, 72, b"REPORT TO:", b"F2")
        + upright(500, 250, b"Cabinet")
        + upright(450, 72, b"This paper has enough text to be read as a text layer, not a scan.")
    )
    plumber, pdfium = both(write("landscape.pdf", make_pdf([content], rotate=90)))
    assert (
        texts(pdfium)
        == texts(plumber)
        == [
            "This paper has enough text to be read as a text layer, not a scan.",
            "REPORT TO: Cabinet",
        ]
    )
    for a, b in zip(plumber.lines, pdfium.lines):
        assert [(s.text, s.bold) for s in b.spans] == [(s.text, s.bold) for s in a.spans]
        assert (b.page_width, b.page_height, b.size) == (a.page_width, a.page_height, a.size) == (842.0, 595.0, 11.0)
        for attr in ("x0", "x1", "top", "bottom"):
            assert getattr(b, attr) == pytest.approx(getattr(a, attr), abs=POSITION_TOLERANCE), attr


def test_multi_page_line_numbers_and_pages(write) -> None:
    pages = [text(72, 750, b"Page one has this line of text on it.") + BODY, text(72, 750, b"Page two line.") + BODY]
    plumber, pdfium = both(write("two.pdf", make_pdf(pages)))
    assert [(l.page, l.line_no) for l in pdfium.lines] == [(l.page, l.line_no) for l in plumber.lines]
    assert [l.page for l in pdfium.lines] == [1, 1, 2, 2]
    assert pdfium.source.pages == 2 and pdfium.source.format == "pdf"


# ---------------------------------------------------------------- failures


def test_no_text_layer_needs_ocr(write) -> None:
    path = write("scan.pdf", make_pdf([b"0 0 1 rg 72 72 300 300 re f"]))
    with pytest.raises(NeedsOCR) as err:
        read_lines(path, pdf_engine="pdfium")
    assert "OCR" in str(err.value) and err.value.hint


def test_encrypted_pdf_is_a_clear_read_error(write) -> None:
    path = write("locked.pdf", make_pdf([BODY], encrypt=True))
    with pytest.raises(ReadError) as err:
        read_lines(path, pdf_engine="pdfium")
    assert err.value.reason == "encrypted PDF: a password is needed to open it"
    assert not isinstance(err.value, NeedsOCR)


def test_truncated_pdf_is_a_clear_read_error(write) -> None:
    data = CORPUS_PDFS[0].read_bytes()
    path = write("cut.pdf", data[: len(data) // 2])
    with pytest.raises(ReadError) as err:
        read_lines(path, pdf_engine="pdfium")
    assert err.value.reason.startswith("truncated PDF")
    assert str(path) in str(err.value)


def test_damaged_pdf_is_a_clear_read_error(write) -> None:
    path = write("junk.pdf", b"%PDF-1.4\n" + b"not a pdf body " * 50 + b"\n%%EOF\n")
    with pytest.raises(ReadError) as err:
        read_lines(path, pdf_engine="pdfium")
    assert err.value.reason.startswith("damaged or unreadable PDF")


def test_pdf_with_an_empty_page_tree_falls_back_to_pdfplumber_which_finds_the_page(write) -> None:
    # PDFium refuses an empty page tree; pdfminer finds the page object by scanning the file.
    path = write("empty.pdf", make_pdf([BODY], kids=False))
    doc = read_lines(path, pdf_engine="pdfium")
    assert doc.source.pages == 1 and doc.lines


def test_pages_and_text_pages_are_closed(write, monkeypatch: pytest.MonkeyPatch) -> None:
    # The reader opens pages and text pages through PDFium's C calls (not
    # pypdfium2's helper objects): each one it opens, it closes.
    import pypdfium2

    from pipeline.read.pdfium.chars import pdfium_api

    api = pdfium_api()
    calls: list[str] = []
    for name in ("load_page", "close_page", "load_textpage", "close_textpage"):
        original = getattr(api, name)

        def wrapped(*args, _original=original, _name=name):  # type: ignore[no-untyped-def]
            calls.append(_name)
            return _original(*args)

        monkeypatch.setattr(api, name, wrapped)
    closed: list[str] = []
    original_close = pypdfium2.PdfDocument.close

    def close(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        closed.append("PdfDocument")
        return original_close(self, *args, **kwargs)

    monkeypatch.setattr(pypdfium2.PdfDocument, "close", close)
    path = write("three.pdf", make_pdf([BODY, BODY, BODY]))
    doc = read_lines(path, pdf_engine="pdfium")
    assert doc.source.pages == 3
    assert calls.count("load_page") == calls.count("close_page") == 3
    assert calls.count("load_textpage") == calls.count("close_textpage") == 3
    assert closed.count("PdfDocument") >= 1


# ---------------------------------------------------------------- the eval command


def test_eval_command_reads_pdfs_with_the_engine_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from pipeline.cli import cli
    from pipeline.config import PDF_ENGINES

    eval_options = {p.name: p for p in cli.commands["eval"].params}
    assert tuple(eval_options["pdf_engine"].type.choices) == PDF_ENGINES

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("pdfplumber was used")

    monkeypatch.setattr("pipeline.read.pdfplumber.read_pdf", refuse)
    labels, corpus = str(ROOT / "tests" / "data" / "seeds.jsonl"), str(ROOT / "corpus")
    result = CliRunner().invoke(cli, ["eval", labels, corpus, "--pdf-engine", "pdfium", "--json", "--no-misses"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    overall = next(r for r in rows if r.get("field") == "overall")
    assert overall["papers"] == 10
    refused = CliRunner().invoke(cli, ["eval", labels, corpus, "--pdf-engine", "pdfplumber", "--no-misses"])
    assert refused.exit_code != 0  # the other engine really is the one refused
