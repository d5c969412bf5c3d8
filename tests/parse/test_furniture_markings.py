"""Protective markings and page stamps are furniture, not headings or text."""

from __future__ import annotations

from pathlib import Path

from pipeline.enrich.report import parse_file


def test_protective_markings_are_not_headings_or_text(tmp_path: Path):
    path = tmp_path / "paper.txt"
    path.write_text("OFFICIAL\n\nBACKGROUND\nTo agree the budget.\n\nNOT PROTECTIVELY MARKED\n\n"
                    "RECOMMENDATIONS\nThat the budget is agreed.\n\nOFFICIAL - SENSITIVE\n", encoding="utf-8")
    report = parse_file(path, entities=False)
    assert [s.title for s in report.sections] == ["BACKGROUND", "RECOMMENDATIONS"]
    assert all("OFFICIAL" not in s.text and "MARKED" not in s.text for s in report.sections)
    assert [r.text for r in report.recommendations] == ["That the budget is agreed."]


def test_a_word_like_official_inside_prose_is_kept(tmp_path: Path):
    path = tmp_path / "paper.txt"
    path.write_text("BACKGROUND\nThe official figures are attached.\n", encoding="utf-8")
    [section] = parse_file(path, entities=False).sections
    assert section.text == "The official figures are attached."
