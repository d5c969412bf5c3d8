"""reindex: an archive changes engine from its stored records, atomically, the ledger kept; ingest's advice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT
from test_ingest_workers import ledger_state

import pipeline.ingest.reindex as reindex_mod
from pipeline.errors import SearchIndexError
from pipeline.index import RUN_LOCK_FILE, engine_of, open_index, run_lock
from pipeline.index.documents import DOC_KINDS
from pipeline.index.lock import RUN_LOCK_POLL, _try_lock
from pipeline.ingest import ingest
from pipeline.ingest.reindex import WHOOSH_ADVICE_PAPERS, reindex
from pipeline.model import SearchRequest
from pipeline.search.query import parse_query

#: Queries whose matching reports and sections must not change with the engine.
QUERIES = (
    "performance",
    '"foster carers"',
    "recruit*",
    "placement OR adoption",
    "section:recommendations report",
    "committee:children",
    "date:[2017-01-01 TO *] performance",
    "quarter NOT museums",
    "recruitmnet~",
)


def answers(index_dir: Path) -> dict:
    """Per query, the (report id, section) pairs it matches and the reports; every record; files; counts."""
    with open_index(index_dir) as ix:
        found = {}
        for text in QUERIES:
            for target in ("section", "recommendation"):
                res = ix.search(SearchRequest(parse_query(text), target=target, limit=1000))
                found[text, target] = (res.total, res.reports, sorted((h.report_id, h.section_index) for h in res.hits))
        return {
            "found": found,
            "records": sorted(json.dumps(r.to_dict(), sort_keys=True) for r in ix.iter_reports()),
            "files": ix.files(),
            "counts": {kind: ix.count(kind) for kind in DOC_KINDS},
        }


@pytest.fixture
def archive(corpus_index, tmp_path) -> Path:
    """A copy of the sample corpus's Whoosh index, with its ledger."""
    path = tmp_path / "archive"
    shutil.copytree(corpus_index, path)
    return path


def test_the_sample_archive_round_trips_whoosh_tantivy_whoosh_with_the_same_search_results(archive, tmp_path):
    before, ledger = answers(archive), ledger_state(archive)
    assert engine_of(archive) == "whoosh" and all(v[0] for k, v in before["found"].items() if k[1] == "section")
    summary = reindex(archive, engine="tantivy", lock_timeout=0)
    assert (summary.old_engine, summary.engine, summary.papers) == ("whoosh", "tantivy", 10)
    assert engine_of(archive) == "tantivy" and answers(archive) == before and ledger_state(archive) == ledger
    reindex(archive, engine="whoosh", lock_timeout=0)
    assert engine_of(archive) == "whoosh" and answers(archive) == before and ledger_state(archive) == ledger
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive"]  # no build folder left beside it
    again = ingest([CORPUS], archive)  # an ingest after the switch: nothing to parse
    assert {o.status for o in again.outcomes} == {"unchanged"}


def test_the_old_index_answers_until_the_new_one_is_complete(archive, monkeypatch):
    monkeypatch.setattr(reindex_mod, "REINDEX_COMMIT_EVERY", 3)
    before = answers(archive)
    seen = []

    def during(done: int) -> None:  # after each commit into the new index
        seen.append((done, engine_of(archive), answers(archive) == before))

    reindex(archive, engine="tantivy", lock_timeout=0, progress=during)
    assert seen == [(3, "whoosh", True), (6, "whoosh", True), (9, "whoosh", True), (10, "whoosh", True)]
    assert engine_of(archive) == "tantivy"


def test_an_interrupted_reindex_leaves_the_old_index_and_the_next_one_completes(archive, monkeypatch, tmp_path):
    monkeypatch.setattr(reindex_mod, "REINDEX_COMMIT_EVERY", 3)
    before, ledger = answers(archive), ledger_state(archive)

    def interrupt(done: int) -> None:
        if done >= 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reindex(archive, engine="tantivy", lock_timeout=0, progress=interrupt)
    assert engine_of(archive) == "whoosh" and answers(archive) == before and ledger_state(archive) == ledger
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive"]
    reindex(archive, engine="tantivy", lock_timeout=0)
    assert answers(archive) == before


def test_reindex_of_a_folder_without_an_index_fails_and_writes_nothing(tmp_path):
    with pytest.raises(SearchIndexError, match="no index"):
        reindex(tmp_path / "none", engine="tantivy", lock_timeout=0)
    with pytest.raises(SearchIndexError, match="unknown index engine"):
        reindex(tmp_path / "none", engine="lucene", lock_timeout=0)


def test_the_command_switches_engines_and_prints_one_row(archive):
    run = subprocess.run(
        [sys.executable, "-m", "pipeline", "reindex", "--engine", "tantivy", "--index", str(archive), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    (row,) = [json.loads(line) for line in run.stdout.splitlines()]
    assert row["old_engine"] == "whoosh" and row["engine"] == "tantivy" and row["papers"] == 10
    assert "the ledger kept" in run.stderr
    usage = subprocess.run(
        [sys.executable, "-m", "pipeline", "reindex", "--index", str(archive)], cwd=ROOT, capture_output=True, text=True
    )
    assert usage.returncode == 2


def test_ingest_suggests_tantivy_once_when_a_whoosh_archive_passes_the_size(tmp_path, monkeypatch):
    monkeypatch.setattr(reindex_mod, "WHOOSH_ADVICE_PAPERS", 6)
    assert WHOOSH_ADVICE_PAPERS == 20_000  # the real threshold; the test lowers it
    index_dir = tmp_path / "index"
    seeds = sorted((CORPUS / "seeds").iterdir())
    assert ingest(seeds, index_dir).advice is None  # 5 papers
    passed = ingest([CORPUS], index_dir).advice  # 10: past 6
    assert passed is not None and "boardpapers reindex --engine tantivy" in passed and str(index_dir) in passed
    assert "299 ms" in passed and "24 ms" in passed  # the README's measured figures
    assert ingest([CORPUS], index_dir).advice is None  # said once
    assert ingest([CORPUS], tmp_path / "tantivy", engine="tantivy").advice is None


def test_an_ingest_waiting_through_a_reindex_then_holds_the_new_folders_lock(archive):
    """The run lock's file moves away with the old index: an ingest that waited locks the folder swapped in."""
    got: list = []
    waiter = threading.Thread(target=lambda: _hold(archive, got))

    def during(done: int) -> None:
        if not waiter.is_alive() and not got:
            waiter.start()
            time.sleep(2 * RUN_LOCK_POLL)  # it is waiting for the lock the reindex holds

    reindex(archive, engine="tantivy", lock_timeout=0, progress=during)
    waiter.join(timeout=30)
    assert got == [None]  # while it held the lock, nobody else could take the index folder's


def _hold(index_dir: Path, got: list) -> None:
    with run_lock(index_dir, timeout=30):
        fd = _try_lock(index_dir / RUN_LOCK_FILE)
        got.append(fd)
        if fd is not None:
            os.close(fd)
