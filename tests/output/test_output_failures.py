"""Output that cannot be written (a full disk, a closed pipe) fails with exit 1 and one line, never silently."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, make_report

from pipeline.index import ENGINES, open_index

PURPOSE = ("1.0", "PURPOSE", "purpose", "To consider performance for the second quarter period.")
FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(
    not (FULL.exists() and stat.S_ISCHR(FULL.stat().st_mode)), reason="needs the /dev/full device"
)


@pytest.fixture(scope="module", params=ENGINES)
def small_index(request, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp(f"output-{request.param}") / "index"
    with open_index(path, create=True, engine=request.param) as ix:
        ix.add_reports([make_report(f"r{i}", [PURPOSE]) for i in range(3)])
    return path


def boardpapers(*args: str, stdout) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        timeout=120,
    )


def assert_one_line_error(res: subprocess.CompletedProcess, *words: str) -> None:
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "Exception ignored" not in res.stderr, res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, res.stderr
    for w in words:
        assert w in errors[0]


@needs_dev_full
def test_export_to_dev_full_fails_with_no_space_left_and_keeps_the_device(small_index):
    res = boardpapers("export", "--what", "sections", "-o", str(FULL), "--index", str(small_index), stdout=None)
    assert_one_line_error(res, "no space left on device")
    assert stat.S_ISCHR(FULL.stat().st_mode)  # not replaced by a regular file


@needs_dev_full
@pytest.mark.parametrize(
    "command", [("search", "performance", "--json"), ("search", "performance"), ("export", "--what", "sections")]
)
def test_stdout_on_a_full_disk_fails_with_no_space_left(small_index, command):
    with open(FULL, "w") as full:
        res = boardpapers(*command, "--index", str(small_index), stdout=full)
    assert_one_line_error(res, "no space left on device")


@pytest.mark.parametrize("command", [("search", "performance", "--json"), ("export", "--what", "sections")])
def test_stdout_into_a_closed_pipe_exits_1_quietly(small_index, command):
    read, write = os.pipe()
    os.close(read)  # the reader has gone (| head that stopped)
    try:
        res = boardpapers(*command, "--index", str(small_index), stdout=write)
    finally:
        os.close(write)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and "Exception ignored" not in res.stderr and "error" not in res.stderr


def test_export_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(small_index, tmp_path):
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "export",
            "--what",
            "sections",
            "-o",
            str(fifo),
            "--index",
            str(small_index),
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    with open(fifo) as f:
        rows = f.read().splitlines()
    assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    assert len(rows) == 4 and rows[0].startswith("report_id")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
