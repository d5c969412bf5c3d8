"""Contact blocks read by layout: author columns, labelled groups, signatures."""

from __future__ import annotations

from pipeline.model import Line, Span
from pipeline.parse.contacts import contact_from_lines


def _line(n: int, *cells: tuple[str, float], top: float | None = None, bold: bool = False) -> Line:
    spans = tuple(Span(t, x, x + 6 * len(t), bold) for t, x in cells)
    text = " ".join(t for t, _ in cells)
    y = top if top is not None else 100.0 + 14 * n
    return Line(
        text, 1, n, cells[0][1], y, spans[-1].x1, y + 12, 12.0, bold, False, spans, page_width=595, page_height=842
    )


def test_author_column_of_a_two_column_table() -> None:
    lines = [
        _line(1, ("Report Author", 55), ("Relevant Director", 298), bold=True),
        _line(2, ("Joe McKay", 55), ("John Betts", 298)),
        _line(3, ("Acting Chief Accountant", 55), ("Interim Corporate Director Finance", 298)),
        _line(4, ("03000 419601", 55), ("03000 410066", 298)),
        _line(5, ("joe.mckay@kent.gov.uk", 55), ("john.betts@kent.gov.uk", 298)),
    ]
    assert contact_from_lines(lines) == "Joe McKay, Acting Chief Accountant"


def test_labelled_groups_keep_authors_and_drop_directors() -> None:
    lines = [
        _line(1, ("Author", 106), bold=True),
        _line(2, ("Dr Mike Gogarty", 106)),
        _line(3, ("Interim Strategic Lead for Public Health", 106)),
        _line(4, ("mike.gogarty@kent.gov.uk", 106)),
        _line(5, ("Relevant Director", 106), bold=True),
        _line(6, ("Dr Anjan Ghosh", 106)),
        _line(7, ("Director of Public Health", 106)),
    ]
    assert contact_from_lines(lines) == "Dr Mike Gogarty, Interim Strategic Lead for Public Health"


def test_inline_report_author_label() -> None:
    lines = [
        _line(1, ("Report Author:", 72), ("Pete Davis", 171)),
        _line(2, ("Contact Details:", 72), ("pete.davis@example.gov.uk", 171)),
    ]
    assert contact_from_lines(lines) == "Pete Davis, Report Author"


def test_several_people_in_one_block() -> None:
    lines = [
        _line(1, ("Kay Goldsmith, Scrutiny Research Officer", 78)),
        _line(2, ("03000 416512", 78)),
        _line(3, ("Ben Watts, General Counsel", 78), top=160),
        _line(4, ("benjamin.watts@kent.gov.uk", 78), top=174),
    ]
    assert contact_from_lines(lines) == "Kay Goldsmith, Scrutiny Research Officer; Ben Watts, General Counsel"
