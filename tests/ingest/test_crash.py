"""an ingest killed with SIGKILL at any moment leaves an index that opens and answers.

It holds every report committed before the kill; running the ingest again
completes the rest, indexing nothing twice. Real processes, real signals.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT
from test_badfiles import paper_pdf

from pipeline.index import open_index
from pipeline.ingest import MAX_SEGMENT_JOBS, ingest
from pipeline.ingest.ledger import Ledger, archive_status
from pipeline.model import QAll, SearchRequest
from pipeline.search.query import parse_query

#: Papers in the crash folder, and papers per commit (small, so kills land between and inside commits).
N_PAPERS = 24
COMMIT_EVERY = 3
#: Progress lines seen before each SIGKILL, one schedule per test run; 3k lines = a commit just starting.
KILL_SCHEDULES: dict[str, tuple[int, ...]] = {
    "fixed": (1, 3, 7, 12, 18),
    "seeded": tuple(sorted(random.Random(5).sample(range(1, N_PAPERS), 5))),
}
#: Kills of the commit-loop writer, and the longest random delay before one (seconds).
COMMIT_KILLS = 8
COMMIT_KILL_MAX_DELAY = 1.5


@pytest.fixture(scope="module")
def crash_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crash") / "papers"
    folder.mkdir()
    for k in range(N_PAPERS):
        (folder / f"paper-{k:02d}.pdf").write_bytes(paper_pdf(f"Copy number {k} of the paper"))
    return folder


@pytest.fixture(scope="module")
def clean_counts(crash_folder, tmp_path_factory) -> tuple[int, int, int]:
    """(documents, sections, reports) of the folder ingested in one uninterrupted run."""
    index_dir = tmp_path_factory.mktemp("clean") / "index"
    summary = ingest([crash_folder], index_dir)
    assert summary.count("indexed") == N_PAPERS and not summary.failed
    with open_index(index_dir) as ix:
        return ix.doc_count(), ix.count("section"), ix.count("report")


def start_ingest(folder: Path, index_dir: Path, *extra: str, stdout: bool = False) -> subprocess.Popen:
    """``python -m pipeline ingest`` with stderr (progress, one line per file) piped; stdout too if asked."""
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "ingest",
        str(folder),
        "--index",
        str(index_dir),
        "--commit-every",
        str(COMMIT_EVERY),
        *extra,
    ]
    out = subprocess.PIPE if stdout else subprocess.DEVNULL
    return subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True)


def kill_after(proc: subprocess.Popen, lines: int) -> list[tuple[str, str]]:
    """SIGKILL the ingest once it has printed ``lines`` progress lines; the (status, path) lines seen."""
    seen: list[tuple[str, str]] = []
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("["):  # "[3/24] indexed /path"
            _, status, path = line.rstrip("\n").split(" ", 2)
            seen.append((status, path))
            if len(seen) == lines:
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait()
    proc.stderr.close()
    return seen


def surely_committed(seen: list[tuple[str, str]]) -> set[str]:
    """Papers whose commit finished before the last line seen was printed.

    The ingest sends a batch to be written after the line of every
    COMMIT_EVERY-th paper it parsed, and before printing the next line it
    has committed every batch but the last MAX_SEGMENT_JOBS (with several
    workers, those may still be being written as segments; in one process
    the batch is committed at once, which is only sooner).
    """
    batches: list[list[str]] = []
    batch: list[str] = []
    for status, path in seen[:-1]:
        if status in ("indexed", "replaced"):
            batch.append(path)
            if len(batch) == COMMIT_EVERY:
                batches.append(batch)
                batch = []
    return {path for b in batches[: max(0, len(batches) - MAX_SEGMENT_JOBS)] for path in b}


def check_index(index_dir: Path) -> set[str]:
    """The index opens and answers, holds each report once, and holds all the ledger says it does."""
    with open_index(index_dir) as ix:
        result = ix.search(SearchRequest(parse_query("performance"), limit=5))
        ids = ix.report_ids()
        files = ix.files()
        assert ix.count("report") == len(ids) == len(set(ids)) == len(files)
        assert result.reports == len(ids)  # every paper mentions performance
        assert ix.search(SearchRequest(QAll(), limit=1)).total == ix.count("section")
    ledger = Ledger.open(index_dir)
    if ledger is not None:
        with ledger:
            recorded = {e.path for e in ledger.entries() if e.status == "indexed"}
        assert recorded <= set(files), recorded - set(files)
    return {Path(p).name for p in files}


@pytest.mark.slow
@pytest.mark.parametrize("schedule", sorted(KILL_SCHEDULES))
def test_sigkill_at_several_points_then_rerun_completes_without_duplicates(
    schedule, crash_folder, clean_counts, tmp_path
):
    index_dir = tmp_path / "index"
    held: set[str] = set()
    for lines in KILL_SCHEDULES[schedule]:
        # --lock-timeout 0: a lock left by the killed run would fail this run at once
        seen = kill_after(start_ingest(crash_folder, index_dir, "--lock-timeout", "0"), lines)
        assert len(seen) == lines, "the ingest ended before it could be killed"
        now = check_index(index_dir)
        assert {Path(p).name for p in surely_committed(seen)} <= now
        assert held <= now  # nothing committed by an earlier run is lost
        print(f"killed after {lines} lines: {len(surely_committed(seen))} surely committed, {len(now)} held")
        held = now
    final = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "ingest",
            str(crash_folder),
            "--index",
            str(index_dir),
            "--lock-timeout",
            "0",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert final.returncode == 0, final.stderr
    rows = [json.loads(l) for l in final.stdout.splitlines()]
    assert {r["status"] for r in rows} <= {"indexed", "unchanged"}
    assert sum(r["status"] == "unchanged" for r in rows) == len(held)
    assert check_index(index_dir) == {f"paper-{k:02d}.pdf" for k in range(N_PAPERS)}
    with open_index(index_dir) as ix:
        assert (ix.doc_count(), ix.count("section"), ix.count("report")) == clean_counts
    entries = archive_status(index_dir)
    assert [e.status for e in entries] == ["indexed"] * N_PAPERS
    assert all(e.report_id for e in entries)


# ---------------------------------------------------------------- killing Whoosh commits at random moments

WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from conftest import make_report
    from pipeline.index import open_index

    start = int(sys.argv[2])
    with open_index(sys.argv[1], create=True) as ix:
        for k in range(start, start + 10_000):
            ix.add_reports([make_report(f"r{{k:05d}}", [("1", "Purpose", "purpose", f"performance report {{k}}")])])
            print(k, flush=True)
    """
).format(tests=str(ROOT / "tests"))


#: The merging writer merges after every this many unmerged commits.
MERGE_EVERY = 4

MERGING_WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from conftest import make_report
    from pipeline.index import open_index

    start = int(sys.argv[2])
    with open_index(sys.argv[1], create=True) as ix:
        for k in range(start, start + 10_000):
            with ix.batch(merge=False) as b:
                b.add_report(make_report(f"r{{k:05d}}", [("1", "Purpose", "purpose", f"performance report {{k}}")]))
            print(k, flush=True)
            if k % {every} == {every} - 1:
                ix.merge()
    """
).format(tests=str(ROOT / "tests"), every=MERGE_EVERY)


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["merging at each commit", "merging every few commits"])
def test_sigkill_during_commits_never_corrupts_the_index(tmp_path, writer):
    """A writer committing one report at a time, killed at random moments (mid-commit and mid-merge).

    Either Whoosh merges small segments at every commit, or (as ingest does)
    commits write unmerged segments and ``merge()`` runs every few commits.
    """
    index_dir = tmp_path / "index"
    rng = random.Random(5)
    committed = 0
    script = WRITER if writer == "merging at each commit" else MERGING_WRITER
    for _ in range(COMMIT_KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-c", script, str(index_dir), str(committed)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # the first commit of this run is done: the writer is warm
        time.sleep(rng.uniform(0, COMMIT_KILL_MAX_DELAY))
        os.kill(proc.pid, signal.SIGKILL)
        printed = [int(l) for l in proc.stdout.read().split()]
        proc.wait()
        proc.stdout.close()
        with open_index(index_dir) as ix:
            n = ix.count("report")
            ids = ix.report_ids()
            assert len(ids) == len(set(ids)) == n
            # every commit reported done is there; at most the one in flight beyond it
            last = printed[-1] + 1 if printed else committed + 1
            assert last <= n <= last + 1
            assert ids == tuple(f"r{k:05d}" for k in range(n))
            assert ix.search(SearchRequest(parse_query("performance"), limit=3)).total == n
        committed = n
    with open_index(index_dir) as ix, ix.batch(timeout=0) as b:  # the killed writers left no lock
        b.remove_report("r00000")
    with open_index(index_dir) as ix:
        assert ix.count("report") == committed - 1


def test_locks_of_a_killed_process_are_released(tmp_path):
    """Whoosh's write lock and the run lock are flocks: the kernel frees them when the holder dies."""
    index_dir = tmp_path / "index"
    holder = textwrap.dedent(
        """
        import sys, time
        from pipeline.index import open_index, run_lock
        with run_lock(sys.argv[1], timeout=0), open_index(sys.argv[1], create=True) as ix, ix.batch():
            print("locked", flush=True)
            time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", holder, str(index_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    from pipeline.errors import IndexLocked
    from pipeline.index import run_lock

    with pytest.raises(IndexLocked, match=f"pid {proc.pid}"):
        with run_lock(index_dir, timeout=0):
            pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert (index_dir / "ingest.lock").exists()  # the file stays; its lock does not
    with run_lock(index_dir, timeout=0), open_index(index_dir) as ix, ix.batch(timeout=0):
        pass
