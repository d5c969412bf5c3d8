"""An ingest onto a full disk says "no space left on device" (exit 1, one line) and keeps what it committed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from pipeline.cli import cli
from pipeline.index import ENGINES

#: Size of the small disk the tests fill.
DISK = "2m"
#: Free bytes left on it: from too little for anything to enough for part of the corpus.
FREE = (20_000, 120_000, 400_000)


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 2 MB tmpfs (needs root and mount); unmounted after the test."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK}", "tmpfs", str(disk)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=True)  # an open handle may remain


def fill(disk: Path, free: int) -> None:
    """Leave about ``free`` bytes free on ``disk``."""
    filler = disk / "filler"
    filler.write_bytes(b"")
    room = shutil.disk_usage(disk).free - free
    with open(filler, "wb") as f:
        f.write(b"\0" * max(room, 0))


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_an_ingest_onto_a_full_disk_says_no_space_left_on_device(small_disk, engine):
    full = 0
    for free in FREE:
        index = small_disk / f"index-{free}"
        fill(small_disk, free)
        res = CliRunner().invoke(
            cli, ["ingest", str(CORPUS), "--index", str(index), "--engine", engine, "--workers", "1"]
        )
        assert res.exit_code in (0, 1), (res.output, res.exception)
        assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
        if res.exit_code == 1:
            errors = [line for line in res.output.splitlines() if line.startswith("error: ")]
            assert len(errors) == 1 and "no space left on device" in errors[0], res.output
            assert "cannot rollback" not in res.output  # SQLite's own failure hid the cause
            full += 1
        (small_disk / "filler").unlink()
        shutil.rmtree(index, ignore_errors=True)
    assert full, "the disk was never full: make FREE smaller"


def test_a_full_ledger_says_the_disk_is_full_not_cannot_rollback(tmp_path):
    from pipeline.errors import SearchIndexError
    from pipeline.ingest.ledger import Ledger
    from pipeline.model import IngestOutcome

    ledger = Ledger.open(tmp_path, create=True)
    assert ledger is not None
    with ledger:
        # A database that may not grow: SQLite fails the insert as on a full disk, rolling back itself.
        ledger._conn.execute(f"PRAGMA max_page_count = {ledger._conn.execute('PRAGMA page_count').fetchone()[0]}")
        rows = [
            (f"/papers/{i:05d}-{'x' * 200}.pdf", IngestOutcome(f"/p/{i}.pdf", "failed", reason="y" * 500))
            for i in range(200)
        ]
        with pytest.raises(SearchIndexError, match="disk is full") as err:
            ledger.record(rows)
        assert "cannot rollback" not in str(err.value)
