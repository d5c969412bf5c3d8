"""Saved searches (``boardpapers watch``): a run prints only the hits new since the watch last ran, on both engines."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from pipeline.cli import cli
from pipeline.errors import BoardpapersError, QueryError
from pipeline.index import ENGINES
from pipeline.ingest import ingest
from pipeline.search import search
from pipeline.search.filters import Filters
from pipeline.search.watch import WATCH_FILE, add_watch, list_watches, remove_watch, run_watches

#: The papers ingested first; NEW_PAPER comes later.
FIRST_PAPERS = ("000", "001", "002", "003")
NEW_PAPER = "004"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def paper(stem: str) -> Path:
    return next((CORPUS / "seeds").glob(f"{stem}_*.txt"))


@pytest.fixture(params=ENGINES)
def archive(request, tmp_path) -> tuple[Path, Path]:
    """(papers folder, index) holding the first four text papers, on one engine."""
    papers = tmp_path / "papers"
    papers.mkdir()
    for stem in FIRST_PAPERS:
        shutil.copy(paper(stem), papers)
    index = tmp_path / "index"
    assert ingest([papers], index, engine=request.param, workers=1).count("indexed") == len(FIRST_PAPERS)
    return papers, index


def add_new_paper(papers: Path, index: Path) -> str:
    """Ingest NEW_PAPER; its report id."""
    shutil.copy(paper(NEW_PAPER), papers)
    summary = ingest([papers], index, workers=1)
    assert summary.count("indexed") == 1
    return next(o.report_id for o in summary.outcomes if o.status == "indexed")


def every_hit(index: Path, query: str, **filters) -> set[tuple[str, int]]:
    page = search(index, query, flat=True, limit=1000, **filters)
    assert len(page.hits) == page.total
    return {(h.report_id, h.section_index) for h in page.hits}


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of the folder but the watch file, by content."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != WATCH_FILE
    }


def test_first_run_reports_every_hit_then_nothing_until_a_new_paper_whose_hits_alone_come_back(archive):
    papers, index = archive
    add_watch(index, "perf", "performance")
    first = run_watches(index).results[0]
    assert first.first_run and {(h.report_id, h.section_index) for h in first.new} == every_hit(index, "performance")
    assert run_watches(index).new == 0

    new_id = add_new_paper(papers, index)
    result = run_watches(index, "perf").results[0]
    assert result.new and {h.report_id for h in result.new} == {new_id}
    expected = {k for k in every_hit(index, "performance") if k[0] == new_id}
    assert {(h.report_id, h.section_index) for h in result.new} == expected
    snippets = {
        (h.report_id, h.section_index): h.snippet for h in search(index, "performance", flat=True, limit=1000).hits
    }
    assert [h.snippet for h in result.new] == [snippets[(h.report_id, h.section_index)] for h in result.new]
    assert any("[[" in h.snippet for h in result.new)  # shown with their snippets, as search shows them
    assert run_watches(index, "perf").new == 0


def test_watch_filters_apply_and_each_watch_keeps_its_own_history(archive):
    papers, index = archive
    add_watch(index, "halton", "performance", Filters(council="halton"))
    add_watch(index, "central", "performance", Filters(council="central bedfordshire"))
    assert run_watches(index, "halton").new > 0
    new_id = add_new_paper(papers, index)  # Central Bedfordshire's paper
    results = {r.watch.name: r for r in run_watches(index).results}
    assert results["halton"].new == ()
    assert results["central"].first_run and {h.report_id for h in results["central"].new} == {new_id}
    assert {h.council for h in results["central"].new} == {"Central Bedfordshire Council"}


def test_a_dry_run_records_nothing(archive):
    _, index = archive
    add_watch(index, "perf", "performance")
    before = (index / WATCH_FILE).read_bytes()
    assert run_watches(index, record=False).new > 0
    assert (index / WATCH_FILE).read_bytes() == before
    assert run_watches(index).results[0].first_run


def test_a_run_writes_nothing_in_the_index_folder_but_the_watch_file(archive):
    _, index = archive
    add_watch(index, "perf", "performance")
    before = snapshot(index)
    run_watches(index)
    run_watches(index)
    assert snapshot(index) == before
    assert [p.name for p in index.iterdir() if p.name.startswith(f".{WATCH_FILE}")] == []  # no temporary left


def test_add_checks_name_query_and_filters_and_saves_nothing_bad(archive):
    _, index = archive
    with pytest.raises(QueryError):
        add_watch(index, "bad name", "performance")
    with pytest.raises(QueryError):
        add_watch(index, "q", "performance AND")
    with pytest.raises(QueryError):
        add_watch(index, "q", "performance", Filters(date_from="yesterday"))
    with pytest.raises(QueryError):
        add_watch(index, "q", "performance", Filters(doc_type="memo"))
    assert list_watches(index) == ()
    add_watch(index, "q", "performance", Filters(committee="children", date_from="2017"))
    with pytest.raises(BoardpapersError, match="already a watch"):
        add_watch(index, "q", "budget")
    add_watch(index, "q", "budget", replace_existing=True)
    assert [(w.name, w.query) for w in list_watches(index)] == [("q", "budget")]
    assert remove_watch(index, "q").name == "q" and list_watches(index) == ()
    with pytest.raises(BoardpapersError, match="no watch named"):
        run_watches(index, "q")


def test_watch_commands_print_new_hits_as_table_json_and_csv_and_exit_0_when_nothing_is_new(archive):
    papers, index = archive
    ix = str(index)
    res = run("watch", "add", "perf", "performance", "--section", "recommendations", "--index", ix)
    assert res.exit_code == 0, res.output
    res = run("watch", "list", "--json", "--index", ix)
    assert json.loads(res.stdout) | {"created": None} == {
        "name": "perf",
        "query": "performance",
        "filters": {"section": "recommendations"},
        "created": None,
        "last_run": None,
        "runs": 0,
        "seen": 0,
    }
    res = run("watch", "run", "--json", "--index", ix)
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows and {r["watch"] for r in rows} == {"perf"}
    wanted = every_hit(index, "performance", section="recommendations")
    assert {(r["report_id"], r["section_index"]) for r in rows} == wanted
    assert "first run" in res.stderr

    res = run("watch", "run", "--index", ix)
    assert res.exit_code == 0 and res.stdout == "" and "perf: 0 new" in res.stderr
    res = run("watch", "run", "--csv", "--index", ix)
    assert res.exit_code == 0 and res.stdout == ""

    new_id = add_new_paper(papers, index)
    res = run("watch", "run", "perf", "--csv", "--index", ix)
    assert res.exit_code == 0, res.output
    table = list(csv.DictReader(io.StringIO(res.stdout)))
    assert table and {r["report_id"] for r in table} == {new_id} and list(table[0])[:2] == ["watch", "rank"]
    res = run("watch", "run", "--index", ix)
    assert res.exit_code == 0 and res.stdout == ""

    res = run("watch", "remove", "perf", "--index", ix)
    assert res.exit_code == 0
    res = run("watch", "run", "perf", "--index", ix)
    assert res.exit_code == 1 and "no watch named 'perf'" in res.stderr
    res = run("watch", "add", "x", "performance AND", "--index", ix)
    assert res.exit_code == 2 and "error:" in res.stderr


def test_table_output_names_the_watch_and_its_new_hits(archive):
    papers, index = archive
    run("watch", "add", "perf", "performance", "--index", str(index))
    run("watch", "run", "--index", str(index))
    new_id = add_new_paper(papers, index)
    res = run("watch", "run", "--index", str(index))
    assert res.exit_code == 0
    assert res.stdout.startswith("== perf: ") and new_id in res.stdout
    assert all(line.split()[1] == new_id for line in res.stdout.splitlines() if line[:1].isdigit())


def test_two_runs_at_once_print_each_new_hit_once(archive):
    """Two cron jobs overlapping: the folder lock makes one wait, so neither repeats the other's hits."""
    import threading

    _, index = archive
    add_watch(index, "perf", "performance")
    runs: list = []
    threads = [threading.Thread(target=lambda: runs.append(run_watches(index))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    new = [(h.report_id, h.section_index) for r in runs for h in r.results[0].new]
    assert sorted(new) == sorted(every_hit(index, "performance"))
    assert sorted(r.results[0].first_run for r in runs) == [False, True]


def test_a_watch_is_not_saved_into_a_folder_that_holds_no_index(tmp_path):
    folder = tmp_path / "not-an-index"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(BoardpapersError):
        add_watch(folder, "perf", "performance")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
