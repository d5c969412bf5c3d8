"""Each section cites where each of its paragraphs begins (``Section.paragraphs``), for ``similar`` to cite passages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS

from pipeline.enrich.report import parse_file
from pipeline.model import Line, Report
from pipeline.parse.furniture import join_lines, join_lines_cited
from pipeline.read import read_lines

PAPERS = sorted(p for d in ("seeds", "pdf") for p in (CORPUS / d).iterdir() if p.suffix in (".txt", ".pdf"))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def every_report(report: Report):
    yield report
    for part in report.parts:
        yield from every_report(part)


def check_paragraph_citations(path: Path) -> int:
    """Every section's paragraphs against the paper's lines; how many paragraphs were checked."""
    lines = {l.line_no: l for l in read_lines(path).lines}
    checked = 0
    for report in every_report(parse_file(path, entities=False)):
        for s in report.sections:
            blocks = re.findall(r"[^\n]+", s.text)
            assert len(s.paragraphs) == len(blocks), (path.name, s.number, s.title)
            for block, (page, line) in zip(blocks, s.paragraphs):
                cited = lines[line]
                assert cited.page == page
                # The paragraph's first words begin on its cited line (perhaps after a run-in heading:
                # "2.0 RECOMMENDED: That ...") and go on over the next lines.
                following = " ".join(lines[n].text for n in range(line, line + 3) if n in lines)
                first = words(block)[:3]
                assert first[0] in words(cited.text), (path.name, s.number, block[:40], cited.text)
                assert " ".join(first) in " ".join(words(following)), (path.name, s.number, block[:40], following)
                checked += 1
    return checked


@pytest.mark.parametrize("path", PAPERS, ids=lambda p: p.name)
def test_each_paragraph_of_a_section_is_cited_at_the_line_it_begins_on(path):
    assert check_paragraph_citations(path) > 10


def test_an_agenda_packs_items_cite_their_paragraphs_too(tmp_path):
    from tests.parse.test_packs import PACK

    path = tmp_path / "pack.txt"
    path.write_text(PACK, encoding="utf-8")
    report = parse_file(path, entities=False)
    assert report.doc_type == "agenda_pack" and report.sections and report.parts
    assert check_paragraph_citations(path) > 0


def test_join_lines_cited_gives_join_lines_text_and_one_citation_per_text_line():
    lines = [
        Line("First paragraph starts", 1, 10, top=0, bottom=10, size=10),
        Line("and goes on.", 1, 11, top=12, bottom=22, size=10),
        Line("Second paragraph after a gap.", 1, 12, top=40, bottom=50, size=10),
        Line("• a list item", 2, 13, top=0, bottom=10, size=10),
    ]
    text, cited = join_lines_cited(lines)
    assert text == join_lines(lines)
    assert text.split("\n") == [
        "First paragraph starts and goes on.",
        "",
        "Second paragraph after a gap.",
        "• a list item",
    ]
    assert cited == ((1, 10), (1, 12), (2, 13))
