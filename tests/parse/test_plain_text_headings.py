"""Text files have no bold or sizes: a heading is a short title-like line standing between paragraphs."""

from __future__ import annotations

from pathlib import Path

from pipeline.enrich.report import parse_file

PROSE = (
    "The council declared a climate emergency in July and asked officers to prepare an action plan "
    "for the next ten years,"
)
PAPER = f"""Background
1. {PROSE}
with a report back to the council before the end of the year on its costs and the wards affected.

Summary of financial implications
2. Achieving the recommendations contained in the Draft Climate and Ecological Action Plan Will
require substantial revenue and capital funding, much of which is not yet identified.
Summary of legal implications
3. {PROSE}
and the plan will be reviewed by the legal team before it is adopted by the full council.
Background papers
None.
Appendix
Draft Action Plan
Contents
Energy
The council will buy renewable electricity for all its buildings and street lights from next April.
"""


def _titles(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "paper.txt"
    path.write_text(text, encoding="utf-8")
    return [s.title for s in parse_file(path, entities=False).sections]


def test_short_line_between_paragraphs_is_a_heading_in_a_text_file(tmp_path):
    titles = _titles(tmp_path, PAPER)
    assert titles[:4] == [
        "Background",
        "Summary of financial implications",
        "Summary of legal implications",
        "Background papers",
    ]


def test_numbered_paragraph_in_title_case_that_runs_on_is_not_a_heading(tmp_path):
    assert not any(t.startswith("Achieving") for t in _titles(tmp_path, PAPER))


def test_appended_document_after_the_closing_sections_is_one_appendix_section(tmp_path):
    titles = _titles(tmp_path, PAPER)
    assert titles[-1] == "Appendix"
    assert "Contents" not in titles and "Energy" not in titles


def test_last_line_of_a_wrapped_paragraph_is_not_a_heading(tmp_path):
    text = (
        "Background\n1. The council declared a climate emergency in July and asked officers to prepare a\n"
        "Climate Action Plan\nwhich was agreed by the cabinet in the autumn after a public consultation.\n"
    )
    assert _titles(tmp_path, text) == ["Background"]
