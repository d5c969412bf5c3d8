"""``search --facets``, ``--council`` and ``--doc-type``, and the papers a filter leaves out, on both engines."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import QueryError
from pipeline.search import NO_VALUE, search, show
from pipeline.search.facets import FACET_DIMENSIONS, LeftOut, facet_dimensions, faceted_search, left_out

ALL = "council,committee,fy,quarter,section,doc_type"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def by_hand(index: Path, query: str, **filters) -> dict[str, Counter]:
    """Every hit of the search, counted per paper by each facet dimension."""
    page = search(index, query, flat=True, limit=1000, **filters)
    assert len(page.hits) == page.total
    counts: dict[str, Counter] = {d: Counter() for d in FACET_DIMENSIONS}
    papers = {}
    for h in page.hits:
        papers.setdefault(h.report_id, h)
    for rid, h in papers.items():
        counts["council"][h.council or NO_VALUE] += 1
        counts["committee"][h.committee or NO_VALUE] += 1
        counts["fiscal_year"][h.period.split("-")[0] if h.period else NO_VALUE] += 1
        counts["quarter"][h.period if h.period and "-Q" in h.period else NO_VALUE] += 1
        counts["doc_type"][show(index, rid).doc_type] += 1
    counts["section"].update(kind for _, kind in {(h.report_id, h.section_kind) for h in page.hits})
    return counts


@pytest.mark.parametrize(
    "query, filters",
    [
        ("performance", {}),
        ("children", {"date_from": "2009", "date_to": "2020"}),
        ("risk OR budget", {"council": "halton"}),
        ("*", {"section": "recommendations"}),
    ],
)
def test_facet_counts_equal_counting_the_hits_by_hand(engine_corpus, query, filters):
    result = faceted_search(engine_corpus, query, facet_dimensions=FACET_DIMENSIONS, **filters)
    assert result.facets is not None and result.facets.partial == ()
    expected = by_hand(engine_corpus, query, **filters)
    for d in FACET_DIMENSIONS:
        assert {c.value: c.count for c in result.facets.values(d)} == dict(expected[d]), d
    assert result.facets.papers == sum(expected["council"].values())


def test_the_search_command_prints_the_facets_asked_for(engine_corpus):
    res = run("search", "performance", "--facets", "council,fy", "--index", str(engine_corpus))
    assert res.exit_code == 0, res.output
    expected = by_hand(engine_corpus, "performance")
    tail = res.stdout[res.stdout.index("facets of ") :]
    assert tail.splitlines()[1].strip() == "council" and "fiscal year" in tail and "committee" not in tail
    for value, n in expected["council"].items():
        assert f"{n:>6}  {value}" in tail
    for value, n in expected["fiscal_year"].items():
        assert f"{n:>6}  {value}" in tail

    res = run("search", "performance", "--facets", ALL, "--json", "--index", str(engine_corpus))
    assert res.exit_code == 0, res.output
    *hits, summary = [json.loads(line) for line in res.stdout.splitlines()]
    assert all("report_id" in h for h in hits) and "report_id" not in summary
    assert list(summary["facets"]) == list(FACET_DIMENSIONS)
    for d in FACET_DIMENSIONS:
        assert {c["value"]: c["count"] for c in summary["facets"][d]} == dict(expected[d])

    res = run("search", "performance", "--facets", "doc_type", "--csv", "--index", str(engine_corpus))
    assert res.exit_code == 0 and "doc type" in res.stderr and "doc type" not in res.stdout
    assert res.stdout.startswith("rank,")
    res = run("search", "performance", "--json", "--index", str(engine_corpus))
    assert all("report_id" in json.loads(line) for line in res.stdout.splitlines())  # no summary unless asked


def test_unknown_facets_are_a_usage_error():
    assert facet_dimensions("fy, council") == ("council", "fiscal_year")
    assert facet_dimensions("all") == FACET_DIMENSIONS
    with pytest.raises(QueryError, match="unknown facet nope"):
        facet_dimensions("council,nope")
    res = run("search", "performance", "--facets", "nope", "--index", "/nonexistent")
    assert res.exit_code == 2 and "unknown facet" in res.stderr


def test_council_and_doc_type_options_filter_the_papers(engine_corpus):
    every = search(engine_corpus, "performance", flat=True, limit=1000).hits
    halton = search(engine_corpus, "performance", council="halton", flat=True, limit=1000).hits
    assert halton and {h.council for h in halton} == {"Halton Borough Council"}
    assert len(halton) == sum(1 for h in every if h.council == "Halton Borough Council") < len(every)
    assert search(engine_corpus, "performance", doc_type="minutes", flat=True).hits == ()
    assert len(search(engine_corpus, "performance", doc_type="report", flat=True, limit=1000).hits) == len(every)
    with pytest.raises(QueryError, match="unknown doc type"):
        search(engine_corpus, "performance", doc_type="memo")
    res = run(
        "search",
        "performance",
        "--council",
        "central bedfordshire",
        "--doc-type",
        "report",
        "--flat",
        "--json",
        "--limit",
        "100",
        "--index",
        str(engine_corpus),
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows and {r["council"] for r in rows} == {"Central Bedfordshire Council"}


def test_a_filtered_search_says_how_many_papers_it_left_out_for_lacking_the_field(engine_corpus):
    # The two copies of sample 004 name neither a meeting date nor a committee.
    undated = {
        h.report_id for h in search(engine_corpus, "performance", flat=True, limit=1000).hits if h.meeting_date is None
    }
    assert len(undated) == 2
    assert left_out(engine_corpus, "performance", date_from="2017") == (LeftOut("date", 2, True),)
    assert [(r.filter, r.papers) for r in left_out(engine_corpus, "performance", committee="children")] == [
        ("committee", 2)
    ]
    assert [(r.filter, r.papers) for r in left_out(engine_corpus, "performance date:2017", council="halton")] == [
        ("date", 0),
        ("council", 0),
    ]
    assert left_out(engine_corpus, "performance") == ()
    res = run("search", "performance", "--from", "2017", "--index", str(engine_corpus))
    assert res.exit_code == 0
    assert "left out by the filters, their field unknown: 2 papers with no meeting date" in res.stderr
    assert "left out" not in res.stdout
    res = run("search", "performance committee:children", "--json", "--index", str(engine_corpus))
    assert "2 papers with no committee" in res.stderr
    assert all("report_id" in json.loads(line) for line in res.stdout.splitlines())
    res = run("search", "performance", "--index", str(engine_corpus))
    assert "left out" not in res.stderr
