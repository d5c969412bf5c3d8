"""The search API and the search/show commands, over hand-built reports and the sample corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_report

from pipeline.cli import cli
from pipeline.errors import BoardpapersError, QueryError, SearchIndexError
from pipeline.index import open_index
from pipeline.model import QAnd, QDateRange, QTerm
from pipeline.search import build_filter, search, show


def stem(hit) -> str:
    """The corpus paper a hit comes from ("002" for 002_03db...-316798dc)."""
    return Path(hit.path).name[:3]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# ---------------------------------------------------------------- done-when checks on the corpus


def test_foster_carers_phrase_finds_only_the_2008_specialist_services_section(corpus_index):
    page = search(corpus_index, '"foster carers"', flat=True)
    assert [(stem(h), h.section_number, h.section_title) for h in page.hits] == [
        ("002", "3.3", "Specialist Services"),
        ("002", "3.3", "Specialist Services"),
    ]
    assert sorted(Path(h.path).suffix for h in page.hits) == [".pdf", ".txt"]
    assert all("[[foster carers]]" in h.snippet for h in page.hits)


def test_performance_recommendations_since_2017(corpus_index):
    page = search(corpus_index, "performance", section="recommendations", date_from="2017-01-01", flat=True)
    got = sorted((stem(h), Path(h.path).suffix, h.section_kind) for h in page.hits)
    assert got == [
        ("001", ".pdf", "recommendations"),
        ("001", ".txt", "recommendations"),
        ("003", ".pdf", "recommendations"),
        ("003", ".txt", "recommendations"),
    ]


def test_performance_in_quarter_2009_10_q2(corpus_index):
    page = search(corpus_index, "performance", quarter="2009/10-Q2", flat=True, limit=100)
    assert page.total > 0 and len(page.hits) == page.total
    assert {stem(h) for h in page.hits} == {"000"}
    assert {h.period for h in page.hits} == {"2009/10-Q2"}


def test_cli_foster_carers_json(corpus_index):
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


def test_cli_filters_and_csv(corpus_index):
    res = run(
        "search",
        "performance",
        "--section",
        "recommendations",
        "--from",
        "2017-01-01",
        "--flat",
        "--csv",
        "--index",
        str(corpus_index),
    )
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("rank,report_rank,report_id,section_number")
    assert sorted(line.split(",")[2][:3] for line in lines[1:]) == ["001", "001", "003", "003"]
    res = run(
        "search",
        "performance",
        "--quarter",
        "2009/10-Q2",
        "--json",
        "--flat",
        "--limit",
        "100",
        "--index",
        str(corpus_index),
    )
    assert {Path(json.loads(line)["path"]).name[:3] for line in res.stdout.splitlines()} == {"000"}


def test_cli_text_output_shows_hit_fields(corpus_index):
    res = run("search", '"foster carers"', "--index", str(corpus_index))
    assert res.exit_code == 0
    out = res.stdout
    for expected in (
        "3.3 Specialist Services",
        "2008-11-03",
        "Children & Young People PPB",
        "p.",
        "002_03db5c2531a68c69.txt",
        "002_03db5c2531a68c69.pdf",
        "foster carers",
    ):
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
    csv_out = run("show", report.id, "--csv", "--index", str(corpus_index))
    assert csv_out.exit_code == 0 and csv_out.stdout.startswith("report_id,") and report.id in csv_out.stdout
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
        make_report(
            f"r{i}",
            [(str(j), f"Heading {j}", "other", f"budget item {j} " + "filler " * (i + j)) for j in range(4)],
            date=f"20{10 + i}-01-01",
            committee=("Adults", "Children")[i % 2],
        )
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
    with pytest.raises(SearchIndexError):
        search(tmp_path / "nothing", "x")


# ---------------------------------------------------------------- relevance, trace, similar, stats

RELEVANCE = [
    json.loads(line)
    for line in (Path(__file__).resolve().parents[1] / "data" / "relevance.jsonl").read_text().splitlines()
]
OPTION_NAMES = {"from": "date_from", "to": "date_to"}


def distinct_sections(hits) -> list[tuple[str, str]]:
    """(paper, section title) in rank order, the .txt and .pdf copies of a paper counted once."""
    out: list[tuple[str, str]] = []
    for h in hits:
        key = (stem(h), h.section_title.lower())
        if key not in out:
            out.append(key)
    return out


def test_relevance_set_is_big_enough():
    assert len(RELEVANCE) >= 20
    assert len({j["id"] for j in RELEVANCE}) == len(RELEVANCE)


@pytest.mark.parametrize("judged", RELEVANCE, ids=[j["id"] for j in RELEVANCE])
def test_relevance_judged_sections_rank_top_3(corpus_index, judged):
    options = {OPTION_NAMES.get(k, k): v for k, v in judged.get("options", {}).items()}
    page = search(corpus_index, judged["query"], flat=True, limit=50, **options)
    top3 = distinct_sections(page.hits)[:3]
    for want in judged["relevant"]:
        assert (want["paper"], want["section"].lower()) in top3, (judged["query"], top3)


def test_trace_groups_the_2018_and_2024_receive_recommendations_into_one_lineage(corpus_index):
    from pipeline.search import trace

    result = trace(corpus_index, '"performance management report"')
    assert len(result.lineages) == 1
    lineage = result.lineages[0]
    assert lineage.text == "Receive the second quarter's performance management report;"  # the earliest wording
    assert [(stem_of(e.path), e.meeting_date.isoformat()) for e in lineage.entries] == [
        ("003", "2018-01-29"),
        ("003", "2018-01-29"),
        ("001", "2024-01-22"),
        ("001", "2024-01-22"),
    ]
    later = lineage.entries[-1]
    assert later.text == "Receive the first quarter's performance management report;"
    assert later.committee == "Children, Young People and Families Policy and Performance Board"
    assert later.officer == "Executive Director - Children"
    assert later.period == "2023/24-Q2"
    assert 80 <= later.similarity < 100
    assert lineage.entries[0].similarity == 100


def stem_of(path: str) -> str:
    return Path(path).name[:3]


def test_trace_by_recommendation_id(corpus_index):
    from pipeline.search import trace

    rid = next(i for i in _ids(corpus_index) if i.startswith("001_"))
    result = trace(corpus_index, f"{rid}#r1")
    assert result.seed is not None and result.seed.text.startswith("Receive the first quarter's")
    assert len(result.lineages) == 1
    assert {stem_of(e.path) for e in result.lineages[0].entries} == {"001", "003"}
    seed_entry = next(e for e in result.lineages[0].entries if e.recommendation_id == f"{rid}#r1")
    assert seed_entry.similarity == 100
    # a unique prefix of the report id is enough
    assert trace(corpus_index, f"{rid[:-3]}#r1").seed.recommendation_id == f"{rid}#r1"


def test_trace_lineages_are_separate_for_different_wordings(corpus_index):
    from pipeline.search import trace

    result = trace(corpus_index, "scrutinise OR receive OR highlight OR consider")
    texts = [l.text for l in result.lineages]
    assert len(texts) == len(set(texts)) >= 5
    for lineage in result.lineages:
        dates = [e.meeting_date for e in lineage.entries if e.meeting_date]
        assert dates == sorted(dates)


def _ids(index_dir) -> tuple[str, ...]:
    with open_index(index_dir) as ix:
        return ix.report_ids()


def test_trace_cli_json_csv_and_errors(corpus_index):
    res = run("trace", '"performance management report"', "--json", "--index", str(corpus_index))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert {r["lineage"] for r in rows} == {"L1"} and len(rows) == 4
    assert {"recommendation_id", "meeting_date", "committee", "officer", "period", "similarity", "text"} <= set(rows[0])
    csv_out = run("trace", '"performance management report"', "--csv", "--index", str(corpus_index))
    assert csv_out.stdout.splitlines()[0].startswith("lineage,recommendation_id,report_id")
    text = run("trace", '"performance management report"', "--index", str(corpus_index))
    assert "L1  Receive the second quarter's performance management report;" in text.stdout
    assert run("trace", "(unclosed", "--index", str(corpus_index)).exit_code == 2
    missing = run("trace", "nosuchreport#r1", "--index", str(corpus_index))
    assert missing.exit_code == 1 and "no report with id" in missing.stderr
    rid = next(i for i in _ids(corpus_index) if i.startswith("001_"))
    bad = run("trace", f"{rid}#r9", "--index", str(corpus_index))
    assert bad.exit_code == 1 and "has no recommendation 9" in bad.stderr


#: Paraphrases of sample paragraphs, and the (paper, section) each must find first.
PARAPHRASES = [
    (
        "A safer recruitment subgroup of the HSCB will make sure every organisation that works with children runs "
        "recruitment, supervision and management practice that safeguards and promotes children's welfare.",
        "002",
        "Specialist Services",
    ),
    (
        "Objectives set by departments state clearly what the services plan to achieve and how they contribute to "
        "the strategic priorities of the council.",
        ("001", "003"),
        "SUPPORTING INFORMATION",
    ),
    (
        "Board members get red, amber and green ratings showing how delivery of targets and priorities is "
        "progressing, and the direction of travel says if performance is getting better, staying the same or "
        "declining.",
        "004",
        "MONITORING THE CHILDREN'S TRUST PRIORITIES",
    ),
    (
        "Because the timetable for corporate performance reports doesn't match the PPB cycle this quarter, the "
        "quarterly reports won't be ready until the following meeting.",
        "000",
        "Summary",
    ),
    (
        "A bid has been submitted to get £2.5m of investment to refurbish the Kingsway Health Building as a youth "
        "hub called The Buzz.",
        "002",
        "Preventative Services",
    ),
    (
        "Schools have had excellent GCSE results, with the percentage getting five A*-C grades up 18.3% in two years.",
        "002",
        "Universal and Learning Services",
    ),
    (
        "There is more and more demand on specialist services: more children in need cases and higher placement "
        "costs for looked after children, and a review is under way.",
        "002",
        "Specialist Services",
    ),
    (
        "The aim of the report is to give members of the Board an update on progress in the second quarter on "
        "delivering the Children and Young People's Plan priorities.",
        "004",
        "PURPOSE",
    ),
]


@pytest.mark.parametrize("text, paper, section", PARAPHRASES, ids=[f"P{i}" for i in range(len(PARAPHRASES))])
def test_similar_ranks_the_paraphrased_paragraph_first(corpus_index, text, paper, section):
    from pipeline.search import similar

    hits = similar(corpus_index, text, limit=5)
    papers = paper if isinstance(paper, tuple) else (paper,)
    assert stem(hits[0]) in papers and hits[0].section_title.lower() == section.lower(), distinct_sections(hits)
    assert "[[" in hits[0].snippet
    assert 0 < hits[-1].score <= hits[0].score <= 100


def test_similar_marks_shared_wording_as_runs(corpus_index):
    from pipeline.search import similar

    hit = similar(corpus_index, "improving the supply of local foster carers", limit=1)[0]
    assert "[[improving the supply of local foster carers]]" in hit.snippet


def test_similar_section_filter_and_errors(corpus_index):
    from pipeline.search import similar

    hits = similar(corpus_index, "Receive the quarter's performance management report", section="recommendations")
    assert hits and {h.section_kind for h in hits} == {"recommendations"}
    with pytest.raises(QueryError, match="no searchable words"):
        similar(corpus_index, "the of and")


def test_similar_cli_text_file_and_stdin(corpus_index, tmp_path):
    text = PARAPHRASES[4][0]
    from_arg = run("similar", text, "--json", "--limit", "2", "--index", str(corpus_index))
    assert from_arg.exit_code == 0, from_arg.output
    rows = [json.loads(line) for line in from_arg.stdout.splitlines()]
    assert [r["section_title"] for r in rows] == ["Preventative Services"] * 2
    f = tmp_path / "draft.txt"
    f.write_text(text)
    from_file = run("similar", "--file", str(f), "--json", "--limit", "2", "--index", str(corpus_index))
    from_stdin = CliRunner().invoke(
        cli, ["similar", "--json", "--limit", "2", "--index", str(corpus_index)], input=text
    )
    assert from_file.stdout == from_stdin.stdout == from_arg.stdout
    csv_out = run("similar", text, "--csv", "--index", str(corpus_index))
    assert csv_out.stdout.startswith("rank,report_rank,report_id")
    assert run("similar", "", "--index", str(corpus_index)).exit_code == 2


def test_stats(corpus_index):
    from pipeline.search import stats

    s = stats(corpus_index)
    assert (s.files, s.reports) == (10, 10) and s.sections > 50
    counts = {(c.dimension, c.value): c.count for c in s.counts}
    assert counts[("council", "Central Bedfordshire Council")] == 2
    assert counts[("fiscal_year", "2017/18")] == 2
    assert counts[("quarter", "2009/10-Q2")] == 2
    assert counts[("doc_type", "report")] == 10
    assert {d for d, _ in counts} >= {"council", "committee", "fiscal_year", "quarter", "doc_type"}
    assert sum(c for (d, _), c in counts.items() if d == "quarter") == 10


def test_stats_cli(corpus_index):
    res = run("stats", "--json", "--index", str(corpus_index))
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert {"dimension": "total", "value": "reports", "count": 10} in rows
    assert run("stats", "--csv", "--index", str(corpus_index)).stdout.startswith("dimension,value,count")
    text = run("stats", "--index", str(corpus_index)).stdout
    assert text.startswith("10 files, 10 reports,") and "fiscal year" in text


@pytest.mark.parametrize("command", ["ingest", "search", "show", "trace", "similar", "stats"])
def test_every_command_has_help_with_an_example(command):
    res = run(command, "--help")
    assert res.exit_code == 0 and "Examples:" in res.stdout and f"boardpapers {command}" in res.stdout


def test_search_help_documents_the_query_language():
    out = run("search", "--help").stdout
    for feature in (
        '"foster carers"',
        "AND",
        "NOT",
        "recruit*",
        "recruitmnet~",
        "committee:",
        "section:",
        "quarter",
        "date:[2017-01-01 TO 2018-12-31]",
        "doc_type",
        "fy",
    ):
        assert feature in out
