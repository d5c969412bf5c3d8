"""pipeline.search.facets: counts that agree with the search they describe, on both engines."""

from __future__ import annotations

import pytest
from conftest import make_report

from pipeline.index import open_index
from pipeline.search import NO_VALUE, search
from pipeline.search.facets import (
    FACET_DIMENSIONS,
    NO_COMMITTEE,
    PHRASE_DIMENSIONS,
    coverage,
    facets,
    narrow,
    narrowed,
    narrowing_term,
    normalise_committee,
    widen,
)

SECTIONS = [
    ("1.0", "Purpose", "purpose", "budget monitoring for the quarter"),
    ("2.0", "Recommendations", "recommendations", "note the budget position"),
]


@pytest.fixture
def small_index(tmp_path, engine):
    """Four papers: two dated with a committee, one undated, one without a committee."""
    path = tmp_path / "index"
    reports = [
        make_report("a1", SECTIONS, date="2018-01-29", period=("2017/18", 2)),
        make_report("a2", SECTIONS, date="2019-06-01", committee="Cabinet", period=("2019/20", 1)),
        make_report("u1", SECTIONS, date=None, period=None),
        make_report("n1", SECTIONS[:1], date="2018-03-01", committee="", doc_type="minutes"),
    ]
    with open_index(path, create=True, engine=engine) as ix:
        ix.add_reports(reports)
    return path


def test_each_facet_value_counts_the_papers_narrowing_to_it_finds(web_index):
    for query in ("performance", '"foster carers"', "report"):
        found = facets(web_index, query)
        assert found.partial == ()
        assert found.papers == search(web_index, query).reports
        for c in found.counts:
            if c.value == NO_VALUE:
                continue
            narrowed_page = search(web_index, narrow(query, c.dimension, c.value))
            if c.dimension in PHRASE_DIMENSIONS:  # a phrase also finds names that hold it
                assert narrowed_page.reports >= c.count, (query, c)
            else:
                assert narrowed_page.reports == c.count, (query, c)


def test_facets_cover_every_dimension_and_count_each_paper_once_per_dimension(web_index):
    found = facets(web_index, "performance")
    assert {c.dimension for c in found.counts} == set(FACET_DIMENSIONS)
    for dimension in ("council", "committee", "fiscal_year", "quarter", "doc_type"):
        assert sum(c.count for c in found.values(dimension)) == found.papers, dimension


def test_committee_names_are_counted_as_written(web_index):
    names = {c.value: c.count for c in facets(web_index, "*", section="purpose").values("committee")}
    assert names["Children & Young People Policy and Performance Board"] == 2
    assert names["Children and Young People Policy and Performance Board"] == 2


def test_undated_papers_are_counted_and_those_a_date_range_leaves_out_are_reported(small_index):
    everything = facets(small_index, "budget")
    assert (everything.papers, everything.undated, everything.left_out_undated) == (4, 1, None)
    ranged = facets(small_index, "budget", date_from="2018")
    assert ranged.papers == 3
    assert ranged.left_out_undated == 1
    assert facets(small_index, "budget date:[2018 TO *]").left_out_undated == 1


def test_papers_without_a_committee_are_counted_and_left_out_by_a_committee_filter(small_index):
    everything = facets(small_index, "budget")
    assert everything.no_committee == 1
    assert ("committee", NO_VALUE, 1) in [(c.dimension, c.value, c.count) for c in everything.counts]
    assert facets(small_index, "budget", committee="cabinet").left_out_no_committee == 1
    assert facets(small_index, 'budget committee:"cabinet"').left_out_no_committee == 1
    assert everything.left_out_no_committee is None


def test_doc_types_are_counted_exactly(small_index):
    counts = {c.value: c.count for c in facets(small_index, "budget").values("doc_type")}
    assert counts == {"report": 3, "minutes": 1}


def test_counts_over_more_matches_than_counted_say_they_are_partial(small_index):
    found = facets(small_index, "budget", papers=2, sections=3)
    assert found.counted_papers == 2 and found.counted_sections == 3
    assert set(found.partial) == {"council", "committee", "fiscal_year", "quarter", "section"}
    assert sum(c.count for c in found.values("council")) == 2


def test_a_search_matching_nothing_has_no_counts(small_index):
    found = facets(small_index, "nothingmatchesthis")
    assert (found.papers, found.counts, found.undated) == (0, (), 0)


def test_narrowing_adds_a_field_term_once_and_widening_removes_it():
    assert narrowing_term("committee", 'Children "and" Board') == 'committee:"Children and Board"'
    assert narrowing_term("quarter", "2017/18-Q2") == "quarter:2017/18-Q2"
    assert narrowing_term("fiscal_year", "2017/18") == "fy:2017/18"
    q = narrow("budget", "section", "purpose")
    assert q == "budget section:purpose"
    assert narrow(q, "section", "purpose") == q
    assert narrowed(q, "section", "purpose") and not narrowed(q, "section", "summary")
    assert widen(q, "section", "purpose") == "budget"
    assert narrow("", "doc_type", "report") == narrow("*", "doc_type", "report") == "doc_type:report"
    with pytest.raises(ValueError):
        narrowing_term("colour", "red")


def test_narrowing_a_query_with_a_top_level_or_brackets_it():
    assert narrow("budget OR finance", "section", "purpose") == "(budget OR finance) section:purpose"
    assert narrow('"budget OR finance"', "section", "purpose") == '"budget OR finance" section:purpose'
    assert narrow("(budget OR finance) cuts", "section", "purpose") == "(budget OR finance) cuts section:purpose"


def test_narrowed_query_finds_only_the_value(web_index):
    page = search(web_index, narrow("performance", "quarter", "2017/18-Q2"))
    assert page.reports and all(g.period == "2017/18-Q2" for g in page.groups)


def test_coverage_has_every_quarter_between_the_first_and_last(web_index):
    cov = coverage(web_index)
    assert cov.quarters[0] == "2008/09-Q2" and cov.quarters[-1] == "2023/24-Q2"
    assert len(cov.quarters) == (2023 - 2008) * 4 + 1  # gaps included
    assert sum(c.papers for c in cov.cells) + cov.without_quarter == cov.papers == 10
    assert cov.count(normalise_committee("Children & Young People PPB"), "2008/09-Q2") == 2
    assert all(w.code for w in cov.warnings) and cov.warnings


def test_committee_names_are_normalised_for_the_coverage_grid():
    full = "Children and Young People Policy and Performance Board"
    assert normalise_committee("Children & Young People PPB") == full
    assert normalise_committee(None) == NO_COMMITTEE
