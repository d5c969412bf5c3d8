"""Protective markings and page stamps are furniture, not headings or text."""

from __future__ import annotations

from pathlib import Path

from pipeline.enrich.report import parse_file


def test_protective_markings_are_not_headings_or_text(tmp_path: Path):
    path = tmp_path / "paper.txt"
    path.write_text(
        "OFFICIAL\n\nBACKGROUND\nTo agree the budget.\n\nNOT PROTECTIVELY MARKED\n\n"
        "RECOMMENDATIONS\nThat the budget is agreed.\n\nOFFICIAL - SENSITIVE\n",
        encoding="utf-8",
    )
    report = parse_file(path, entities=False)
    assert [s.title for s in report.sections] == ["BACKGROUND", "RECOMMENDATIONS"]
    assert all("OFFICIAL" not in s.text and "MARKED" not in s.text for s in report.sections)
    assert [r.text for r in report.recommendations] == ["That the budget is agreed."]


def test_a_word_like_official_inside_prose_is_kept(tmp_path: Path):
    path = tmp_path / "paper.txt"
    path.write_text("BACKGROUND\nThe official figures are attached.\n", encoding="utf-8")
    [section] = parse_file(path, entities=False).sections
    assert section.text == "The official figures are attached."


def test_a_footer_carrying_the_page_number_is_furniture_even_on_a_few_pages_of_a_pack(tmp_path: Path):
    pages = []
    for n in range(16, 20):
        pages.append(
            f"BACKGROUND {n}\nThe council reviewed the parking charges in the town centre this year.\n"
            f"Version January 2024 Page {n}\n"
        )
    pages += [f"MINUTES {n}\nThe committee met and agreed the minutes of its last meeting.\n" for n in range(8)]
    path = tmp_path / "pack.txt"
    path.write_text("\f".join(pages), encoding="utf-8")
    report = parse_file(path, entities=False)
    assert report.sections and all("Version January" not in s.text for s in report.sections)
