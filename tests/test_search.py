"""The search API and the search/show commands, over hand-built reports and the sample corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_report
from pipeline.cli import cli
from pipeline.errors import BoardpapersError, IndexError_, QueryError
from pipeline.index import open_index
from pipeline.search import build_filter, search, show
from pipeline.types import QAnd, QDateRange, QTerm


def stem(hit) -> str:
    """The corpus paper a hit comes from ("002" for 002_03db...-316798dc)."""
    return Path(hit.path).name[:3]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# ---------------------------------------------------------------- issue 2: done-when checks on the corpus


def test_issue2_foster_carers_phrase_finds_only_the_2008_specialist_services_section(corpus_index):
    page = search(corpus_index, '"foster carers"', flat=True)
    assert [(stem(h), h.section_number, h.section_title) for h in page.hits] == [
        ("002", "3.3", "Specialist Services"),
        ("002", "3.3", "Specialist Services"),
    ]
    assert sorted(Path(h.path).suffix for h in page.hits) == [".pdf", ".txt"]
    assert all("[[foster carers]]" in h.snippet for h in page.hits)


def test_issue2_performance_recommendations_since_2017(corpus_index):
    page = search(corpus_index, "performance", section="recommendations", date_from="2017-01-01", flat=True)
    got = sorted((stem(h), Path(h.path).suffix, h.section_kind) for h in page.hits)
    assert got == [
        ("001", ".pdf", "recommendations"),
        ("001", ".txt", "recommendations"),
        ("003", ".pdf", "recommendations"),
        ("003", ".txt", "recommendations"),
    ]


def test_issue2_performance_in_quarter_2009_10_q2(corpus_index):
    page = search(corpus_index, "performance", quarter="2009/10-Q2", flat=True, limit=100)
    assert page.total > 0 and len(page.hits) == page.total
    assert {stem(h) for h in page.hits} == {"000"}
    assert {h.period for h in page.hits} == {"2009/10-Q2"}


def test_issue2_cli_foster_carers_json(corpus_index):
    res = run("search", '"foster carers"', "--index", str(corpus_index), "--json")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert {"report_id", "path", "section", "page", "meeting_date", "score", "snippet"} <= set(row)
        assert row["section"] == "3.3 Specialist Services"
        assert row["meeting_date"] == "2008-11-03"
        assert "[[foster carers]]" in row["snippet"]
    assert "2 sections in 2 reports match" in res.stderr


def test_issue2_cli_filters_and_csv(corpus_index):
    res = run("search", "performance", "--section", "recommendations", "--from", "2017-01-01", "--flat", "--csv",
              "--index", str(corpus_index))
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("rank,report_rank,report_id,section_number")
    assert sorted(line.split(",")[2][:3] for line in lines[1:]) == ["001", "001", "003", "003"]
    res = run("search", "performance", "--quarter", "2009/10-Q2", "--json", "--flat", "--limit", "100",
              "--index", str(corpus_index))
    assert {Path(json.loads(line)["path"]).name[:3] for line in res.stdout.splitlines()} == {"000"}


def test_issue2_cli_text_output_shows_hit_fields(corpus_index):
    res = run("search", '"foster carers"', "--index", str(corpus_index))
    assert res.exit_code == 0
    out = res.stdout
    for expected in ("3.3 Specialist Services", "2008-11-03", "Children & Young People PPB", "p.",
                     "002_03db5c2531a68c69.txt", "002_03db5c2531a68c69.pdf", "foster carers"):
        assert expected in out


@pytest.mark.parametrize(
    "args",
    [
        ['"foster carers'],
        ["(performance"],
        ["performance AND"],
        ["nosuchfield:x"],
        ["performance", "--section", "nonsense"],
        ["performance", "--from", "yesterday"],
        ["performance", "--quarter", "Q9"],
        [""],
    ],
)
def test_malformed_query_is_one_line_and_exit_2(corpus_index, args):
    res = run("search", *args, "--index", str(corpus_index))
    assert res.exit_code == 2
    assert res.stdout == ""
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1
    assert "Traceback" not in res.output


def test_search_without_an_index_exits_1(tmp_path):
    res = run("search", "x", "--index", str(tmp_path / "none"))
    assert res.exit_code == 1 and "no index at" in res.stderr


def test_show_by_unique_prefix(corpus_index):
    report = show(corpus_index, "002_03db5c2531a68c69-3")
    assert report.subject == "Q2 Performance Monitoring Reports"
    assert any(s.title == "Specialist Services" for s in report.sections)
    res = run("show", "002_03db5c2531a68c69-3", "--json", "--index", str(corpus_index))
    assert res.exit_code == 0
    assert json.loads(res.stdout)["id"] == report.id
    text = run("show", report.id, "--index", str(corpus_index))
    assert text.exit_code == 0 and "Q2 Performance Monitoring Reports" in text.stdout


def test_show_ambiguous_or_unknown_id_exits_1(corpus_index):
    res = run("show", "002", "--index", str(corpus_index))
    assert res.exit_code == 1 and "matches 2 reports" in res.stderr
    res = run("show", "zzz", "--index", str(corpus_index))
    assert res.exit_code == 1 and "no report with id 'zzz'" in res.stderr
    with pytest.raises(BoardpapersError):
        show(corpus_index, "")


# ---------------------------------------------------------------- shaping: filters, grouping, paging


def test_build_filter():
    assert build_filter() is None
    assert build_filter(committee="Young People") == QAnd((QTerm("Young", "committee"), QTerm("People", "committee")))
    assert build_filter(section="recommendation") == QTerm("recommendations", "section")
    assert build_filter(quarter="2017-18 Q2") == QTerm("2017/18-Q2", "quarter")
    assert build_filter(quarter="2017/18") == QTerm("2017/18", "fy")
    flt = build_filter(date_from="2017", date_to="2018-06")
    assert isinstance(flt, QDateRange) and str(flt.start) == "2017-01-01" and str(flt.end) == "2018-06-30"
    with pytest.raises(QueryError, match="after"):
        build_filter(date_from="2019", date_to="2018")


@pytest.fixture
def many(index_dir):
    reports = [
        make_report(f"r{i}", [(str(j), f"Heading {j}", "other", f"budget item {j} " + "filler " * (i + j))
                              for j in range(4)], date=f"20{10 + i}-01-01", committee=("Adults", "Children")[i % 2])
        for i in range(5)
    ]
    with open_index(index_dir, create=True) as ix:
        ix.add_reports(reports)
    return index_dir


def test_grouped_by_report_with_best_sections(many):
    page = search(many, "budget", sections=2, limit=3)
    assert page.grouped and page.total == 20 and page.reports == 5
    assert len(page.groups) == 3 and all(len(g.hits) == 2 for g in page.groups)
    assert [g.score for g in page.groups] == sorted((g.score for g in page.groups), reverse=True)
    for g in page.groups:
        assert all(h.report_id == g.report_id for h in g.hits)
        assert g.hits[0].score >= g.hits[1].score
    assert page.hits == tuple(h for g in page.groups for h in g.hits)


def test_grouped_pages_do_not_overlap(many):
    p1 = search(many, "budget", limit=2, page=1)
    p2 = search(many, "budget", limit=2, page=2)
    p3 = search(many, "budget", limit=2, page=3)
    ids = [g.report_id for p in (p1, p2, p3) for g in p.groups]
    assert len(ids) == 5 and len(set(ids)) == 5


def test_flat_pages_and_date_sort(many):
    flat = search(many, "budget", flat=True, limit=5)
    assert not flat.grouped and len(flat.hits) == 5 and flat.groups == ()
    second = search(many, "budget", flat=True, limit=5, page=2)
    assert not set(flat.hits) & set(second.hits)
    by_date = search(many, "budget", sort="date", sections=1)
    assert [g.report_id for g in by_date.groups] == ["r4", "r3", "r2", "r1", "r0"]


def test_filters_only_with_match_all(many):
    page = search(many, "*", committee="children", flat=True, limit=100)
    assert {h.report_id for h in page.hits} == {"r1", "r3"}
    page = search(many, "", committee="children", flat=True, limit=100)
    assert {h.report_id for h in page.hits} == {"r1", "r3"}
    with pytest.raises(QueryError, match="empty query"):
        search(many, "  ")


def test_no_index_is_an_index_error(tmp_path):
    with pytest.raises(IndexError_):
        search(tmp_path / "nothing", "x")
