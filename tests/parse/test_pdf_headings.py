"""PDF headings judged against the paper's own body text: weight, numbering and what surrounds them."""

from __future__ import annotations

from pipeline.model import Document, Line, Source, Span
from pipeline.parse import parse_sections

SIZE = 11.0
LEFT = 72.0
RIGHT = 520.0


def _line(
    text: str,
    n: int,
    top: float,
    *,
    bold: bool = False,
    x0: float = LEFT,
    full: bool = False,
    spans: tuple[Span, ...] | None = None,
) -> Line:
    x1 = RIGHT if full else min(RIGHT, x0 + 5.0 * len(text))
    spans = spans if spans is not None else (Span(text, x0, x1, bold=bold, size=SIZE),)
    return Line(
        text=text,
        page=1,
        line_no=n,
        x0=x0,
        top=top,
        x1=x1,
        bottom=top + SIZE,
        size=SIZE,
        bold=bold,
        spans=spans,
        page_width=595.0,
        page_height=842.0,
    )


def _doc(rows: list[dict]) -> Document:
    lines, top = [], 60.0
    for n, row in enumerate(rows, start=1):
        lines.append(_line(row.pop("text"), n, top, **row))
        top += 2.2 * SIZE
    return Document(Source("/papers/x.pdf", "0" * 64, "pdf", 1), tuple(lines), body_size=SIZE)


PROSE = "The council consulted parents and schools on the proposed arrangements for the next year."


def _titles(rows: list[dict]) -> list[tuple[str | None, str, int]]:
    return [(s.number, s.title, s.level) for s in parse_sections(_doc(rows)).sections]


def test_bold_sub_heading_inside_a_numbered_section_is_a_heading_one_level_down():
    rows = [
        {"text": "1. Purpose of the report", "bold": True},
        {"text": "1.1 " + PROSE, "full": True},
        {"text": "Longhill High School", "bold": True},
        {"text": "1.2 " + PROSE, "full": True},
        {"text": "2. Background", "bold": True},
        {"text": "2.1 " + PROSE, "full": True},
    ]
    assert _titles(rows) == [
        ("1", "Purpose of the report", 1),
        (None, "Longhill High School", 2),
        ("2", "Background", 1),
    ]


def test_a_label_repeated_in_every_numbered_section_is_not_a_section():
    rows = [
        {"text": "1. Purpose of the report", "bold": True},
        {"text": "Key Developments", "bold": True},
        {"text": "1.1 " + PROSE, "full": True},
        {"text": "2. Background", "bold": True},
        {"text": "Key Developments", "bold": True},
        {"text": "2.1 " + PROSE, "full": True},
        {"text": "3. Conclusion", "bold": True},
    ]
    assert [t for _, t, _ in _titles(rows)] == ["Purpose of the report", "Background", "Conclusion"]


def test_numbered_title_in_bold_throughout_keeps_the_words_after_its_colon():
    rows = [
        {"text": "3.0 Chorlton: The Public Consultation Process", "bold": True},
        {"text": "3.1 " + PROSE, "full": True},
    ]
    assert _titles(rows)[0][1] == "Chorlton: The Public Consultation Process"


def test_numbered_paragraph_with_a_plain_lead_in_before_a_colon_is_not_a_heading():
    rows = [
        {"text": "8. Themes arising from the consultation", "bold": True},
        {"text": "8.1 " + PROSE, "full": True},
        {"text": "8.2. Addressing Inequality: The proposals were viewed by many as a positive step", "full": True},
        {"text": "9. Conclusion", "bold": True},
    ]
    assert [t for _, t, _ in _titles(rows)] == ["Themes arising from the consultation", "Conclusion"]


def test_numbered_paragraph_is_not_a_heading():
    rows = [
        {"text": "3. Charges", "bold": True},
        {"text": "4 The above will apply from April", "full": True},
        {"text": "to every car park the council runs in the town centre and at the seafront.", "x0": 90.0},
    ]
    assert [t for _, t, _ in _titles(rows)] == ["Charges"]


def test_lettered_bold_sub_heading_is_a_heading_without_its_letter():
    rows = [
        {"text": "7.0 Key Policies and Considerations", "bold": True},
        {"text": "(a) Equal Opportunities", "bold": True, "x0": 107.0},
        {"text": "7.1 " + PROSE, "full": True},
        {"text": "(b) Risk Management", "bold": True, "x0": 107.0},
        {"text": "7.2 " + PROSE, "full": True},
    ]
    assert [t for _, t, _ in _titles(rows)] == [
        "Key Policies and Considerations",
        "Equal Opportunities",
        "Risk Management",
    ]


def test_a_quotation_that_runs_on_is_not_a_heading():
    rows = [
        {"text": "1. Scrutiny Committee", "bold": True},
        {"text": "“Effective scrutiny should have a defined impact on the ground, with the", "x0": 93.0},
        {"text": "committee making recommendations that will make a difference.”", "x0": 93.0},
        {"text": "2. Full Council", "bold": True},
    ]
    assert [t for _, t, _ in _titles(rows)] == ["Scrutiny Committee", "Full Council"]


def test_a_heading_on_a_later_page_before_the_recommendations_is_a_section_not_a_title_block():
    rows = [
        {"text": "Transport Committee", "bold": True},
        {"text": "Workplace Parking Levy", "bold": True},
        {"text": PROSE, "full": True},
    ]
    doc = _doc(rows)
    later = [
        Line(
            "Alternative options considered:",
            2,
            10,
            x0=LEFT,
            top=80.0,
            x1=250.0,
            bottom=91.0,
            size=SIZE,
            bold=True,
            spans=(Span("Alternative options considered:", LEFT, 250.0, bold=True, size=SIZE),),
            page_height=842.0,
        ),
        Line(PROSE, 2, 11, x0=LEFT, top=110.0, x1=RIGHT, bottom=121.0, size=SIZE, page_height=842.0),
        Line(
            "Officer Recommendations:",
            2,
            12,
            x0=LEFT,
            top=140.0,
            x1=220.0,
            bottom=151.0,
            size=SIZE,
            bold=True,
            spans=(Span("Officer Recommendations:", LEFT, 220.0, bold=True, size=SIZE),),
            page_height=842.0,
        ),
        Line(
            "That the committee notes the report.",
            2,
            13,
            x0=LEFT,
            top=170.0,
            x1=300.0,
            bottom=181.0,
            size=SIZE,
            page_height=842.0,
        ),
    ]
    doc = Document(doc.source, doc.lines + tuple(later), body_size=SIZE)
    titles = [s.title for s in parse_sections(doc).sections]
    assert titles == ["Alternative options considered", "Officer Recommendations"]
