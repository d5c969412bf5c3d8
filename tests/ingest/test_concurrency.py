"""searches answer while an ingest writes; a second ingest waits for the lock, or gives up clearly.

Real processes: the ingests run as ``python -m pipeline ingest``; the
searches run in the test process and as ``python -m pipeline search``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_badfiles import paper_pdf
from test_crash import check_index, start_ingest

from pipeline.index import open_index
from pipeline.ingest import ingest
from pipeline.model import SearchRequest
from pipeline.search.query import parse_query

#: Papers the writing ingest works through (with a commit every COMMIT_EVERY of them, as in test_crash).
N_PAPERS = 20


@pytest.fixture
def folder(tmp_path) -> Path:
    d = tmp_path / "papers"
    d.mkdir()
    for k in range(N_PAPERS):
        (d / f"paper-{k:02d}.pdf").write_bytes(paper_pdf(f"Concurrent copy {k}"))
    return d


def progress_lines(proc: subprocess.Popen) -> list[str]:
    """Read the ingest's stderr to the end."""
    assert proc.stderr is not None
    lines = proc.stderr.read().splitlines()
    proc.wait()
    proc.stderr.close()
    return lines


@pytest.mark.slow
def test_searches_answer_while_an_ingest_writes(folder, tmp_path):
    index_dir = tmp_path / "index"
    seed = tmp_path / "seed.pdf"
    seed.write_bytes(paper_pdf("the paper indexed before the run"))
    ingest([seed], index_dir)
    writer = start_ingest(folder, index_dir)
    counts: list[int] = []
    cli_search = None
    assert writer.stderr is not None
    for line in writer.stderr:
        if not line.startswith("["):
            continue
        # Freeze the writer wherever it is (parsing, or inside a commit after every
        # COMMIT_EVERY-th line) and search while it holds the index.
        os.kill(writer.pid, signal.SIGSTOP)
        try:
            with open_index(index_dir) as ix:  # a reader in this process
                result = ix.search(SearchRequest(parse_query("performance"), limit=5))
                counts.append(result.reports)
                assert result.hits and ix.count("report") == len(set(ix.report_ids()))
            if cli_search is None and len(counts) == N_PAPERS // 2:  # and a reader process
                cli_search = subprocess.run(
                    [sys.executable, "-m", "pipeline", "search", "performance", "--index", str(index_dir), "--json"],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                )
        finally:
            os.kill(writer.pid, signal.SIGCONT)
    writer.wait()
    writer.stderr.close()
    assert writer.returncode == 0
    assert counts == sorted(counts) and counts[0] >= 1  # readers only ever see committed states, growing
    assert cli_search is not None and cli_search.returncode == 0, cli_search.stderr
    assert [json.loads(l) for l in cli_search.stdout.splitlines()]
    assert len(check_index(index_dir)) == N_PAPERS + 1


@pytest.mark.slow
def test_a_second_ingest_waits_for_the_lock_or_gives_up_clearly(folder, tmp_path):
    index_dir = tmp_path / "index"
    extra = tmp_path / "extra.pdf"
    extra.write_bytes(paper_pdf("the paper only the waiting ingest adds"))
    first = start_ingest(folder, index_dir)
    assert first.stderr is not None
    first_line = first.stderr.readline()
    assert first_line.startswith("[1/")  # it holds the index's run lock from here to its last commit
    os.kill(first.pid, signal.SIGSTOP)  # and keeps holding it, frozen, until the others have tried
    try:
        impatient = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline",
                "ingest",
                str(extra),
                "--index",
                str(index_dir),
                "--lock-timeout",
                "0.5",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        patient = start_ingest(folder, index_dir, str(extra), "--json", "--lock-timeout", "600", stdout=True)
        assert patient.stderr is not None
        waiting = patient.stderr.readline()
    finally:
        os.kill(first.pid, signal.SIGCONT)
    first_rest = progress_lines(first)
    out, err = patient.communicate()
    err = waiting + err
    # the impatient one gave up with a one-line message naming the holder; exit 1
    assert impatient.returncode == 1
    assert "Traceback" not in impatient.stderr
    assert f"is being written by another ingest (pid {first.pid}" in impatient.stderr
    assert "gave up waiting after 0.5 s" in impatient.stderr
    # the first finished undisturbed, the patient one waited, then did only what was left
    assert first.returncode == 0 and sum(l.startswith("[") for l in first_rest) == N_PAPERS - 1
    assert "waiting up to 600 s for another ingest" in err
    assert patient.returncode == 0, err
    rows = [json.loads(l) for l in out.splitlines()]
    assert [r["status"] for r in rows] == ["unchanged"] * N_PAPERS + ["indexed"]
    assert len(check_index(index_dir)) == N_PAPERS + 1
