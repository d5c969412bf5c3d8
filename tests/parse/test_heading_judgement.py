"""Headings judged against the paper itself: extraction damage repaired first, title blocks and lead-ins left out."""

from __future__ import annotations

from pathlib import Path

from pipeline.enrich.report import parse_file
from pipeline.model import Line
from pipeline.parse.structure import join_letter_spacing, repair_lines


def _parse(tmp_path: Path, text: str):
    path = tmp_path / "paper.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path, entities=False)


GLUED = """REPORT SUMMARY
This report updates the committee on the tree planting programme. It affects all wards.2RECOMMENDATIONS
Committee is recommended to:
1.Note the progress made on planting this winter.
2. Agree the planting sites for next year.3SUPPORTING INFORMATION
1.0 REASONS FOR RECOMMENDATIONS
The programme needs sites agreed before the planting season.
2.0 RESOURCE IMPLICATIONS: ICT, STAFFING AND ASSETS
None beyond existing budgets.
BACKGROUND PAPERS
SUBJECT HISTORY  (last 3 years)
None.
"""


def test_heading_glued_to_the_sentence_before_it_is_its_own_heading(tmp_path):
    report = _parse(tmp_path, GLUED)
    titles = [s.title for s in report.sections]
    assert "RECOMMENDATIONS" in titles and "SUPPORTING INFORMATION" in titles
    summary = report.sections[0]
    assert summary.text.endswith("It affects all wards.")


def test_recommendations_end_where_the_next_glued_heading_starts(tmp_path):
    report = _parse(tmp_path, GLUED)
    assert [r.text for r in report.recommendations] == [
        "Note the progress made on planting this winter.",
        "Agree the planting sites for next year.",
    ]
    assert [r.label for r in report.recommendations] == ["1.", "2."]


def test_lead_in_asking_the_committee_is_not_a_heading(tmp_path):
    titles = [s.title for s in _parse(tmp_path, GLUED).sections]
    assert not any("recommended to" in t for t in titles)


def test_capitals_title_keeps_its_capitals_after_a_colon_and_a_lower_case_aside(tmp_path):
    titles = [s.title for s in _parse(tmp_path, GLUED).sections]
    assert "RESOURCE IMPLICATIONS: ICT, STAFFING AND ASSETS" in titles
    assert "SUBJECT HISTORY (last 3 years)" in [" ".join(t.split()) for t in titles]


def test_letter_spaced_capitals_are_joined_before_they_are_judged():
    line = Line("R E C O MM E N D A T I O N S", 1, 1)
    assert join_letter_spacing(line).text == "RECOMMENDATIONS"
    two = Line("S U P P O R T I N G  I N F O R M A T I O N", 1, 2)
    assert join_letter_spacing(two).text == "SUPPORTING INFORMATION"
    assert join_letter_spacing(Line("A B C", 1, 3)).text == "A B C"  # too short to be spaced letters


def test_letter_spaced_heading_in_a_paper_is_found(tmp_path):
    report = _parse(
        tmp_path, "P U R P O S E\nTo agree the budget.\n\nR E C O MM E N D A T I O N S\n1. That the budget is agreed.\n"
    )
    assert [s.title for s in report.sections] == ["PURPOSE", "RECOMMENDATIONS"]
    assert [r.text for r in report.recommendations] == ["That the budget is agreed."]


def test_glued_heading_split_keeps_the_source_line_number():
    [before, heading] = repair_lines([Line("all wards.2RECOMMENDATIONS", 1, 7)])
    assert (before.text, heading.text) == ("all wards.", "2 RECOMMENDATIONS")
    assert before.line_no == heading.line_no == 7


TITLE_BLOCK = """FINANCE AND RESOURCES COMMITTEE
LIBRARY OPENING HOURS - CONSULTATION RESULTS
FOR GENERAL RELEASE

INTRODUCTION
To report the consultation on library opening hours.

RECOMMENDATIONS
That the committee notes the results.

BACKGROUND
The libraries opened six days a week until April.
"""


def test_committee_name_and_title_above_the_first_section_are_not_sections(tmp_path):
    titles = [s.title for s in _parse(tmp_path, TITLE_BLOCK).sections]
    assert titles == ["INTRODUCTION", "RECOMMENDATIONS", "BACKGROUND"]
