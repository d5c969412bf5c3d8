"""An agenda pack's own page numbers ("Page 153" footers) are furniture, and the page a reader cites."""

from __future__ import annotations

from pipeline.enrich.report import parse_document
from pipeline.model import Document, Line, Source
from pipeline.output.render import report_summary
from pipeline.parse import parse_sections
from pipeline.parse.furniture import printed_pages

PAGE_HEIGHT = 842.0
BODY_SIZE = 11.0


def _line(text: str, page: int, n: int, top: float, *, bold: bool = False, x0: float = 72.0) -> Line:
    return Line(
        text=text,
        page=page,
        line_no=n,
        x0=x0,
        top=top,
        x1=x0 + 5.5 * len(text),
        bottom=top + BODY_SIZE,
        size=BODY_SIZE,
        bold=bold,
        page_width=595.0,
        page_height=PAGE_HEIGHT,
    )


def _paper(pages: list[list[tuple[str, bool]]], *, first_printed: int | None) -> Document:
    """Pages of (text, bold) lines, each page footed by "Page N" from ``first_printed`` (None: no footer)."""
    lines: list[Line] = []
    for p, content in enumerate(pages, start=1):
        top = 80.0
        for text, bold in content:
            lines.append(_line(text, p, len(lines) + 1, top, bold=bold))
            top += 1.3 * BODY_SIZE if not bold else 2.0 * BODY_SIZE
        if first_printed is not None:
            lines.append(_line(f"Page {first_printed + p - 1}", p, len(lines) + 1, 800.0, x0=280.0))
    source = Source(path="/papers/pack.pdf", sha256="0" * 64, format="pdf", pages=len(pages))
    return Document(source=source, lines=tuple(lines), body_size=BODY_SIZE)


PAGES = [
    [
        ("Report title: Library Opening Hours", True),
        ("1. Purpose of Report", True),
        ("1.1 To agree the opening hours of the libraries for the second quarter of 2024/25.", False),
    ],
    [
        ("2. Recommendations", True),
        ("2.1 That Cabinet approves the new opening hours.", False),
        ("3. Background", True),
        ("3.1 The libraries opened six days a week until the budget was set.", False),
    ],
]


def test_printed_page_numbers_are_read_from_page_footers():
    doc = _paper(PAGES, first_printed=153)
    assert printed_pages(doc.lines) == {1: 153, 2: 154}


def test_page_footers_are_furniture_not_text():
    layout = parse_sections(_paper(PAGES, first_printed=153))
    assert all("Page 15" not in s.text for s in layout.sections)


def test_sections_recommendations_and_fields_cite_the_printed_page_as_well_as_the_file_page():
    report = parse_document(_paper(PAGES, first_printed=153), entities=False)
    background = next(s for s in report.sections if s.title == "Background")
    assert (background.page, background.printed_page) == (2, 154)
    [rec] = report.recommendations
    assert (rec.page, rec.printed_page) == (2, 154)
    assert report.provenance["period"].printed_page == 153
    data = report.to_dict()
    assert data["sections"][0]["printed_page"] == 153 and data["recommendations"][0]["printed_page"] == 154
    assert "p.154 (file p.2)" in report_summary(report)


def test_a_paper_without_page_numbers_has_no_printed_page():
    report = parse_document(_paper(PAGES, first_printed=None), entities=False)
    assert all(s.printed_page is None for s in report.sections)
    assert all(p.printed_page is None for p in report.provenance.values())
