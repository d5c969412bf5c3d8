"""The period cites where it was read, like every other field."""

from __future__ import annotations

from pipeline.enrich.report import parse_file

BODY_PERIOD = """CABINET

Report title: Library Performance

1. PURPOSE OF REPORT

1.1 To report the libraries' visits and loans.

1.2 The figures cover the second quarter of 2024/25 and are provisional.

2. RECOMMENDATIONS

2.1 That Cabinet notes the report.
"""

SUBJECT_PERIOD = """CABINET

Report title: Library Performance Quarter 3 2024/25

1. PURPOSE OF REPORT

1.1 To report the libraries' visits and loans.
"""


def test_period_read_in_the_body_cites_the_line_that_names_the_quarter(tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text(BODY_PERIOD, encoding="utf-8")
    report = parse_file(path, entities=False)
    assert report.period is not None and report.period.key == "2024/25-Q2"
    where = report.provenance["period"]
    assert BODY_PERIOD.splitlines()[where.line - 1].startswith("1.2 The figures cover the second quarter")


def test_period_read_in_the_subject_cites_the_subject_line(tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text(SUBJECT_PERIOD, encoding="utf-8")
    report = parse_file(path, entities=False)
    assert report.period is not None and report.period.key == "2024/25-Q3"
    assert report.provenance["period"] == report.provenance["subject"]
