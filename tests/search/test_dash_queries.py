"""A query that starts with '-' (the NOT shorthand) goes after '--'; without it the error says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_report

from pipeline.cli import cli
from pipeline.index import ENGINES, open_index

BUDGET = ("1.0", "PURPOSE", "purpose", "To agree the budget for the year.")
OTHER = ("1.0", "PURPOSE", "purpose", "To note the performance of the service.")


@pytest.fixture(scope="module", params=ENGINES)
def small_index(request, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp(f"dash-{request.param}") / "index"
    with open_index(path, create=True, engine=request.param) as ix:
        ix.add_reports([make_report("budget", [BUDGET]), make_report("other", [OTHER])])
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("command", ["search", "trace"])
def test_a_query_starting_with_a_dash_is_a_usage_error_that_says_to_use_double_dash(small_index, command):
    res = run(command, "-budget", "--index", str(small_index))
    assert res.exit_code == 2
    assert "goes after '--'" in res.output and "-- '-budget'" in res.output


def test_a_query_starting_with_a_dash_after_double_dash_is_the_not_operator(small_index):
    res = run("search", "--index", str(small_index), "--json", "--", "-budget")
    assert res.exit_code == 0, res.output
    assert '"report_id": "other' in res.output and '"report_id": "budget' not in res.output


def test_search_help_documents_double_dash():
    assert "-- -a" in run("search", "--help").output
