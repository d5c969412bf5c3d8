"""``similar`` scores a section by its passage most like the draft and cites that passage's page and line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.model import Section
from pipeline.read import read_lines
from pipeline.search import paragraph_citation, show, similar

#: A passage printed on page 3 of the PDF copy of sample 002, in a section that starts on page 2.
BSF = "The Strategy for Change Part 2 is the next major milestone in the Building Schools for the Future Programme"
FOSTER = "We are developing a strategy to improve the local supply of foster carers"
DRAFTS = (BSF, FOSTER, "the performance of the service against the priorities", "financial implications of the report")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.replace("[[", "").replace("]]", "").lower())


def cited_line(path: str, page: int, line: int) -> str:
    """The text of the paper's line at (page, line), as the reader gives it."""
    found = [l for l in read_lines(path).lines if l.line_no == line]
    assert found and found[0].page == page, (path, page, line)
    return found[0].text


def test_the_bsf_passage_is_cited_on_its_own_page_not_where_its_section_starts(engine_corpus):
    hits = [h for h in similar(engine_corpus, BSF, limit=5) if h.path.endswith(".pdf")]
    best = hits[0]
    assert (best.section_number, best.score > 80) == ("3.4", True)
    section = show(engine_corpus, best.report_id).sections[best.section_index]
    assert (section.page, best.page) == (2, 3)
    assert best.line > section.line
    assert "BSF: The Strategy for Change Part 2" in cited_line(best.path, best.page, best.line)


@pytest.mark.parametrize("draft", DRAFTS)
def test_every_passage_is_cited_at_the_line_where_it_begins(engine_corpus, draft):
    hits = similar(engine_corpus, draft, limit=10)
    assert hits
    for h in hits:
        assert h.page >= 1 and h.line >= 1
        text = words(cited_line(h.path, h.page, h.line))
        passage = words(h.snippet.lstrip("…"))
        # The cited line opens the passage (the text paper's markdown, bullets and * aside).
        assert text and passage[: min(len(text), 4)] == text[:4], (h.path, h.page, h.line, h.snippet)


def test_text_papers_are_cited_by_their_line(engine_corpus):
    hit = next(h for h in similar(engine_corpus, FOSTER, limit=5) if h.path.endswith(".txt"))
    lines = Path(hit.path).read_text(encoding="utf-8").splitlines()
    assert "Placement Strategy" in lines[hit.line - 1] and hit.page == 1


def test_the_json_and_table_give_the_passage_page_and_line(engine_corpus):
    res = run("similar", BSF, "--json", "--limit", "3", "--index", str(engine_corpus))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    pdf = next(r for r in rows if r["path"].endswith(".pdf"))
    assert (pdf["page"], pdf["line"] > 0) == (3, True)
    res = run("similar", BSF, "--limit", "3", "--index", str(engine_corpus))
    assert f"p.3 l.{pdf['line']}" in res.stdout


FILTERS = [
    ({"council": "halton"}, lambda h: h.council == "Halton Borough Council"),
    ({"council": "central bedfordshire"}, lambda h: h.council == "Central Bedfordshire Council"),
    ({"committee": "children"}, lambda h: "children" in (h.committee or "").lower()),
    (
        {"date_from": "2009-01-01", "date_to": "2018-12-31"},
        lambda h: h.meeting_date is not None and 2009 <= h.meeting_date.year <= 2018,
    ),
    ({"section": "recommendations"}, lambda h: h.section_kind == "recommendations"),
]


@pytest.mark.parametrize("filters, keeps", FILTERS)
def test_filters_keep_exactly_the_passages_of_the_papers_they_name(engine_corpus, filters, keeps):
    draft = "progress against the priorities and performance of the service"
    every = similar(engine_corpus, draft, limit=1000)
    narrowed = similar(engine_corpus, draft, limit=1000, **filters)
    assert narrowed and all(keeps(h) for h in narrowed)
    # Unfiltered, only the best SIMILAR_CANDIDATES sections are compared: those the filter keeps are found
    # again, scored and cited alike (and more besides, the filter leaving room for them).
    found = {(h.report_id, h.section_index): (h.score, h.page, h.line) for h in narrowed}
    kept = {(h.report_id, h.section_index): (h.score, h.page, h.line) for h in every if keeps(h)}
    assert kept and kept.items() <= found.items()


def test_the_similar_command_takes_council_committee_dates_and_section(engine_corpus):
    res = run(
        "similar",
        FOSTER,
        "--council",
        "halton",
        "--committee",
        "children",
        "--from",
        "2008",
        "--to",
        "2009",
        "--section",
        "summary",
        "--json",
        "--index",
        str(engine_corpus),
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows and {(r["council"], r["meeting_date"][:4], r["section_kind"]) for r in rows} == {
        ("Halton Borough Council", "2008", "summary")
    }


def test_a_record_without_paragraph_citations_is_cited_at_its_section():
    text = "First paragraph of the section.\n\nSecond paragraph, the one that matches."
    old = Section("1.0", "Title", "summary", 1, page=4, text=text, line=90)
    new = Section("1.0", "Title", "summary", 1, page=4, text=text, line=90, paragraphs=((4, 91), (5, 102)))
    offset = text.index("Second")
    assert paragraph_citation(old, text, offset) == (4, 90)
    assert paragraph_citation(new, text, offset) == (5, 102)
    assert paragraph_citation(new, text, 0) == (4, 91)
    assert paragraph_citation(new, "Title", 0) == (4, 90)  # the title stood in for an empty text
