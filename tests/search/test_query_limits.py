"""Abusive queries (deep nesting, thousands of terms, huge pages): a one-line error and exit 2, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_report

from pipeline.cli import cli
from pipeline.config import MAX_PAGE, MAX_SECTIONS
from pipeline.errors import QueryError
from pipeline.index import ENGINES, open_index
from pipeline.search import search
from pipeline.search.query import MAX_QUERY_DEPTH, MAX_QUERY_LENGTH, MAX_QUERY_TERMS, parse_query

PERFORMANCE = ("1.0", "PURPOSE", "purpose", "To consider performance for the second quarter period.")


@pytest.fixture(scope="module", params=ENGINES)
def small_index(request, tmp_path_factory) -> Path:
    """Two reports indexed by one engine; tests must not write to it."""
    path = tmp_path_factory.mktemp(f"limits-{request.param}") / "index"
    with open_index(path, create=True, engine=request.param) as ix:
        ix.add_reports(
            [
                make_report("a", [PERFORMANCE], recommendations=["Receive the performance report"]),
                make_report("b", [PERFORMANCE], committee="Audit Committee"),
            ]
        )
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def assert_one_line_usage_error(res, *words: str) -> None:
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert not isinstance(res.exception, RecursionError) and "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.output
    for w in words:
        assert w in lines[0]


ABUSIVE = {
    "a thousand matching words": " ".join(["performance"] * 1000),
    "a thousand short words": " ".join(["a"] * 1000),
    "300 nested parentheses": "(" * 300 + "performance" + ")" * 300,
    "NOT a thousand times": "NOT " * 900 + "performance",
    "a thousand unbalanced (": "(" * 1000 + "performance",
    "10,000 terms ORed": " OR ".join(f"w{i}" for i in range(10_000)),
}


@pytest.mark.parametrize("name", ABUSIVE)
def test_abusive_search_queries_are_a_one_line_error_not_a_recursion_error(small_index, name):
    assert_one_line_usage_error(run("search", ABUSIVE[name], "--index", str(small_index)))


@pytest.mark.parametrize("name", ["a thousand matching words", "300 nested parentheses", "a thousand unbalanced ("])
def test_abusive_trace_queries_are_a_one_line_error(small_index, name):
    assert_one_line_usage_error(run("trace", ABUSIVE[name], "--index", str(small_index)))


def test_a_thousand_committee_words_are_a_one_line_error(small_index):
    words = " ".join(["performance"] * 1000)
    assert_one_line_usage_error(
        run("search", "performance", "--committee", words, "--index", str(small_index)),
        "--committee",
        str(MAX_QUERY_TERMS),
    )
    assert_one_line_usage_error(
        run("trace", "performance", "--committee", words, "--index", str(small_index)), "--committee"
    )


def test_queries_at_the_limits_still_search(small_index):
    words = " ".join(["performance"] * MAX_QUERY_TERMS)
    nested = "(" * MAX_QUERY_DEPTH + "performance" + ")" * MAX_QUERY_DEPTH
    for query in (words, nested):
        page = search(small_index, query, committee=" ".join(["audit"] * MAX_QUERY_TERMS))
        assert [g.report_id for g in page.groups] == ["b"]


def test_the_limits_are_named_in_the_errors():
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_TERMS}"):
        parse_query(" ".join(["a"] * (MAX_QUERY_TERMS + 1)))
    with pytest.raises(QueryError, match=f"more than {MAX_QUERY_DEPTH} levels"):
        parse_query("NOT " * (MAX_QUERY_DEPTH + 1) + "a")
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_LENGTH:,}"):
        parse_query("a" * (MAX_QUERY_LENGTH + 1))
    assert parse_query("NOT " * MAX_QUERY_DEPTH + "a") is not None


def test_an_unbounded_date_range_is_the_same_clear_error_on_both_engines(small_index):
    assert_one_line_usage_error(run("search", "date:[* TO *]", "--index", str(small_index)), "no bounds")


@pytest.mark.parametrize(
    "option, value",
    [
        ("--page", "1000000000"),
        ("--page", "1e30"),
        ("--page", str(MAX_PAGE + 1)),
        ("--sections", "1000000000"),
        ("--sections", str(MAX_SECTIONS + 1)),
        ("--limit", "1000000000"),
    ],
)
def test_huge_pages_sections_and_limits_are_refused_before_the_engine(small_index, option, value):
    res = run("search", "performance", option, value, "--index", str(small_index))
    assert res.exit_code == 2 and option in res.output and "Traceback" not in res.output


def test_the_library_refuses_pages_the_engine_would_abort_on(small_index):
    for kw in ({"page": 1_000_000_000}, {"page": 1e30}, {"sections": 1_000_000_000}):
        with pytest.raises(QueryError, match="whole number from 1 to"):
            search(small_index, "performance", **kw)


def test_the_largest_page_and_sections_still_answer(small_index):
    assert (
        run(
            "search",
            "performance",
            "--page",
            str(MAX_PAGE),
            "--sections",
            str(MAX_SECTIONS),
            "--limit",
            "1000",
            "--index",
            str(small_index),
        ).exit_code
        == 0
    )
