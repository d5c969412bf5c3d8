"""A file name that is not UTF-8 (byte 0xE9) is indexed, recorded in the ledger and printed safely; re-runs work."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

from pipeline.index import ENGINES, open_index
from pipeline.ingest import ingest
from pipeline.ingest.ledger import archive_status, failed_paths
from pipeline.read.walk import real_path, storable_path
from pipeline.search import search

CAFE = os.fsdecode(b"caf\xe9.txt")  # Python's name for the file: caf\udce9.txt
BAD_PDF = os.fsdecode(b"bad\xe9.pdf")


@pytest.fixture
def papers(tmp_path) -> Path:
    """Three papers, one named with the byte 0xE9 (Latin-1 e-acute), and a broken PDF so named."""
    folder = tmp_path / "papers"
    folder.mkdir()
    seeds = sorted((CORPUS / "seeds").glob("*.txt"))
    shutil.copy(seeds[0], folder / "a.txt")
    shutil.copy(seeds[1], folder / CAFE)
    shutil.copy(seeds[2], folder / "z.txt")
    (folder / BAD_PDF).write_bytes(b"not a pdf")
    assert os.fsencode(CAFE) in os.listdir(os.fsencode(folder))  # a real name with the byte
    return folder


def test_storable_paths_are_text_and_turn_back_into_the_name():
    name = os.fsdecode(b"/p/caf\xe9/\xc3\xa9t\xe9.txt")
    stored = storable_path(name)
    stored.encode("utf-8")  # any store takes it
    assert stored == "/p/caf\\xe9/\u00e9t\\xe9.txt"
    assert real_path(stored) == name and os.fsencode(real_path(stored)) == b"/p/caf\xe9/\xc3\xa9t\xe9.txt"
    assert storable_path("/p/caf\u00e9.txt") == "/p/caf\u00e9.txt" == real_path("/p/caf\u00e9.txt")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_name_that_is_not_utf8_is_indexed_and_a_rerun_finds_it_unchanged(papers, tmp_path, engine):
    index = tmp_path / "index"
    first = ingest([papers], index, engine=engine, workers=1)
    by_name = {Path(real_path(o.path)).name: o for o in first.outcomes}
    assert by_name[CAFE].status == "indexed" and by_name["a.txt"].status == "indexed"
    assert by_name["z.txt"].status == "indexed"  # the batch went on past the name
    assert by_name[BAD_PDF].status == "failed" and "not a PDF" in by_name[BAD_PDF].reason
    again = ingest([papers], index, engine=engine, workers=1)
    assert sorted(o.status for o in again.outcomes) == ["failed", "unchanged", "unchanged", "unchanged"]
    status = {Path(e.path).name: e.status for e in archive_status(index)}
    assert status == {"a.txt": "indexed", "caf\\xe9.txt": "indexed", "z.txt": "indexed", "bad\\xe9.pdf": "failed"}
    assert failed_paths(index) == (str(papers / BAD_PDF),)  # the real name: --retry-failed opens it
    with open_index(index) as ix:
        assert storable_path(str(papers / CAFE)) in ix.files()
    hits = search(index, "performance", flat=True, limit=50).hits
    assert any(h.path.endswith("caf\\xe9.txt") for h in hits)


@pytest.mark.parametrize("engine", ENGINES)
def test_retry_failed_finds_a_failed_file_whose_name_is_not_utf8(papers, tmp_path, engine):
    index = tmp_path / "index"
    ingest([papers], index, engine=engine, workers=1)
    shutil.copy(sorted((CORPUS / "pdf").glob("*.pdf"))[0], papers / BAD_PDF)  # fixed
    retried = ingest([], index, engine=engine, workers=1, retry_failed=True)
    assert [o.status for o in retried.outcomes] == ["indexed"]


def test_the_cli_prints_such_names_as_escaped_bytes_even_with_a_strict_utf8_stdout(papers, tmp_path):
    index = tmp_path / "index"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8:strict"}
    for command in (
        ["ingest", str(papers), "--workers", "1", "--json"],
        ["status", "--json"],
        ["ingest", str(papers), "--workers", "1", "--csv"],
        ["status"],
    ):
        res = subprocess.run(
            [sys.executable, "-m", "pipeline", *command, "--index", str(index)],
            env=env,
            capture_output=True,
            timeout=300,
        )
        assert b"Traceback" not in res.stderr, res.stderr.decode(errors="replace")
        assert res.returncode == (1 if command[0] == "ingest" else 0)  # ingest: the broken PDF failed
        out = res.stdout.decode("utf-8")  # valid UTF-8
        if "--json" in command:
            out = "\n".join(json.loads(line)["path"] for line in out.splitlines())
        assert "caf\\xe9.txt" in out and "bad\\xe9.pdf" in out
