"""``search --batch``: one search per CSV row into one CSV of hits, the same hits as running each search."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import QueryError
from pipeline.output.render import HIT_COLUMNS, search_page_rows
from pipeline.output.searches import BATCH_COLUMNS, batch_rows
from pipeline.search import search
from pipeline.search.batch import read_batch, run_batch
from pipeline.search.filters import FILTER_NAMES, Filters

#: Twenty rows: (name, query, {filter column: value}).
QUERIES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("fostering", '"foster carers"', {}),
    ("perf recs 2017+", "performance", {"section": "recommendations", "from": "2017-01-01"}),
    ("perf 2009 Q2", "performance", {"quarter": "2009/10-Q2"}),
    ("halton budget", "budget", {"council": "halton"}),
    ("central", "performance", {"council": "central bedfordshire"}),
    ("children committee", "performance", {"committee": "children"}),
    ("officer", "report", {"officer": "strategic director"}),
    ("reports only", "risk", {"doc_type": "report"}),
    ("to 2010", "performance", {"to": "2010-12-31"}),
    ("range", "children", {"from": "2008", "to": "2018"}),
    ("prefix", "recruit*", {}),
    ("fuzzy", "perfromance~1", {}),
    ("or", "budget OR savings", {}),
    ("not", "performance -budget", {}),
    ("field", "committee:children AND risk", {}),
    ("fy", "fy:2017/18 performance", {}),
    ("finance", "spend", {"section": "financial_implications"}),
    ("nothing", "zzzzqqq", {}),
    ("date field", "date:2024 performance", {}),
    ("star", "*", {"quarter": "2023/24-Q2"}),
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def batch_csv(rows, columns=("name", "query", *FILTER_NAMES)) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    for name, query, filters in rows:
        w.writerow({"name": name, "query": query, **filters})
    return buf.getvalue()


def one_by_one(index: Path, **options) -> list[dict]:
    """The rows of twenty separate searches, each after its query's row, name and query."""
    out = []
    for n, (name, query, filters) in enumerate(QUERIES, 1):
        page = search(index, query, **Filters.from_mapping(filters).options(), **options)
        out += [{"query_row": n, "query_name": name, "query": query, **r} for r in search_page_rows(page)]
    return out


@pytest.mark.parametrize("options", [{}, {"flat": True, "limit": 50}])
def test_a_batch_of_twenty_queries_gives_the_hits_of_twenty_searches(engine_corpus, tmp_path, options):
    path = tmp_path / "queries.csv"
    path.write_text(batch_csv(QUERIES), encoding="utf-8")
    queries, errors = read_batch(path)
    assert len(queries) == 20 and errors == ()
    result = run_batch(engine_corpus, queries, **options)
    assert result.errors == () and result.searched == 20
    expected = one_by_one(engine_corpus, **options)
    assert batch_rows(result) == expected
    assert len({r["query_row"] for r in expected}) >= 15  # most queries find something


def test_the_batch_command_writes_one_csv_with_row_and_name_first(engine_corpus, tmp_path):
    path = tmp_path / "queries.csv"
    path.write_text(batch_csv(QUERIES), encoding="utf-8")
    out = tmp_path / "hits.csv"
    res = run("search", "--batch", str(path), "--flat", "--limit", "50", "-o", str(out), "--index", str(engine_corpus))
    assert res.exit_code == 0, res.output
    assert res.stdout == "" and "20 rows: 20 searched, 0 failed" in res.stderr
    table = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(table[0]) == [*BATCH_COLUMNS, *HIT_COLUMNS]
    expected = one_by_one(engine_corpus, flat=True, limit=50)
    got = [(int(r["query_row"]), r["query_name"], r["report_id"], r["section_number"]) for r in table]
    assert got == [(r["query_row"], r["query_name"], r["report_id"], r["section_number"] or "") for r in expected]
    res = run("search", "--batch", str(path), "--json", "--index", str(engine_corpus))
    assert res.exit_code == 0
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows == json.loads(json.dumps(one_by_one(engine_corpus), default=str))


def test_a_bad_row_is_reported_with_its_number_and_the_batch_goes_on_to_exit_1(engine_corpus, tmp_path):
    rows = [
        ("good", "performance", {}),
        ("broken", "performance AND", {}),
        ("bad date", "performance", {"from": "last week"}),
        ("bad kind", "performance", {"section": "nonsense"}),
        ("also good", '"foster carers"', {}),
    ]
    path = tmp_path / "queries.csv"
    path.write_text(batch_csv(rows), encoding="utf-8")
    res = run("search", "--batch", str(path), "--index", str(engine_corpus))
    assert res.exit_code == 1
    assert "error: row 2 (broken): missing a search term after 'AND'" in res.stderr
    assert "error: row 3 (bad date):" in res.stderr and "error: row 4 (bad kind):" in res.stderr
    table = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {r["query_row"] for r in table} == {"1", "5"}
    assert "5 rows: 2 searched, 3 failed" in res.stderr


def test_a_row_filter_overrides_the_option_given_for_the_batch(engine_corpus, tmp_path):
    path = tmp_path / "queries.csv"
    path.write_text(batch_csv([("any", "performance", {}), ("central", "performance", {"council": "central"})]))
    res = run(
        "search", "--batch", str(path), "--council", "halton", "--flat", "--limit", "200", "--index", str(engine_corpus)
    )
    assert res.exit_code == 0, res.output
    table = list(csv.DictReader(io.StringIO(res.stdout)))
    by_row = {r["query_row"]: {r2["report_id"] for r2 in table if r2["query_row"] == r["query_row"]} for r in table}
    halton = {h.report_id for h in search(engine_corpus, "performance", council="halton", flat=True, limit=200).hits}
    central = {h.report_id for h in search(engine_corpus, "performance", council="central", flat=True, limit=200).hits}
    assert by_row == {"1": halton, "2": central} and halton and central and not halton & central


def test_a_batch_file_without_a_query_column_or_with_an_unknown_one_runs_nothing(engine_corpus, tmp_path):
    path = tmp_path / "queries.csv"
    path.write_text("name,text\na,performance\n")
    with pytest.raises(QueryError, match="'query' column"):
        read_batch(path)
    path.write_text("name,query,commitee\na,performance,children\n")
    with pytest.raises(QueryError, match="unknown column commitee"):
        read_batch(path)
    res = run("search", "--batch", str(path), "--index", str(engine_corpus))
    assert res.exit_code == 2 and res.stdout == ""
    res = run("search", "performance", "--batch", str(path), "--index", str(engine_corpus))
    assert res.exit_code == 2
