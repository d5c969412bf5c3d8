"""A paper without headings still has its text, as one section."""

from __future__ import annotations

from pipeline.enrich.report import parse_file


def test_paper_without_headings_is_one_section_holding_all_its_text(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text(
        "the residents of mill lane have asked for a crossing near the school.\n\n"
        "officers counted the traffic for two weeks and most drivers keep to the limit.\n",
        encoding="utf-8",
    )
    report = parse_file(letter, entities=False)
    [section] = report.sections
    assert "crossing near the school" in section.text and "keep to the limit" in section.text
    assert section.page == 1 and section.title
