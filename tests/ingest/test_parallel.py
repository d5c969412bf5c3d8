"""Ingest with worker processes, ``--pdf-engine``, and councils from sibling papers.

Parsing in a pool must change nothing but speed: the same outcomes (in the
order of the files), the same index and the same ledger, whatever the number
of workers and whatever order results come back in.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, ROOT, make_report

from pipeline.cli import cli
from pipeline.errors import ReadError
from pipeline.index import open_index
from pipeline.ingest import WORKER_DIED, ingest
from pipeline.ingest.ledger import Ledger
from pipeline.model import Provenance, QAll, SearchRequest

#: Worker counts compared with the in-process run.
WORKER_COUNTS = (2, 3)
#: Milliseconds a FakeParser sleeps per "sleepN" in a file: later files finish first.
SLEEP_MS = 1


class FakeParser:
    """A text file -> a one-section report (picklable: it runs in worker processes too).

    Lines ``council: X`` and ``committee: Y`` set those fields (a council so
    named is "named in the paper": it gets a council provenance).
    ``sleepN`` sleeps N ms; ``BROKEN`` raises ReadError, ``BUG`` a ValueError,
    ``CRASH`` kills the process parsing it.
    """

    def __call__(self, path: Path):
        text = path.read_text()
        if m := re.search(r"sleep(\d+)", text):
            time.sleep(int(m.group(1)) * SLEEP_MS / 1000)
        if "CRASH" in text:
            os._exit(70)
        if "BROKEN" in text:
            raise ReadError(str(path), "not a board paper")
        if "BUG" in text:
            raise ValueError("parser bug")
        fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        report = make_report(
            f"{path.stem}-{sha[:8]}",
            [("1", "Purpose", "purpose", text)],
            path=str(path),
            council=fields.get("council"),
            committee=fields.get("committee", "Cabinet"),
        )
        if report.council:
            report = replace(report, provenance={"council": Provenance(1, 1)})
        return report


def outcomes(summary) -> list[tuple]:
    return [(o.path, o.status, o.reason, o.report_id, o.sections, o.sha256) for o in summary.outcomes]


def index_state(index_dir: Path) -> dict:
    """Everything the index holds: stored reports, and every section document as search returns it."""
    with open_index(index_dir) as ix:
        reports = sorted((r.id, json.dumps(r.to_dict(), sort_keys=True)) for r in ix.iter_reports())
        hits = ix.search(SearchRequest(QAll(), limit=10_000)).hits
        sections = sorted(
            (h.report_id, h.section_index, h.section_title, h.section_kind, h.page, h.council, h.committee, h.snippet)
            for h in hits
        )
        counts = {kind: ix.count(kind) for kind in ("report", "section", "recommendation")}
        return {"reports": reports, "sections": sections, "counts": counts, "files": ix.files()}


def ledger_state(index_dir: Path) -> list[tuple]:
    with Ledger.open(index_dir) as ledger:
        return [(e.path, e.status, e.reason, e.report_id, e.sections, e.sha256) for e in ledger.entries()]


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Good papers, bad ones, and copies (of a good and of a bad paper) within one run.

    Earlier files sleep longer, so that with several workers results come back out of order.
    """
    d = tmp_path / "mixed"
    (d / "sub").mkdir(parents=True)
    files = {
        "a.txt": "alpha budget sleep80",
        "copy-of-a.txt": "alpha budget sleep80",  # waits for a.txt: then a duplicate
        "b.md": "bravo libraries sleep60",
        "broken-copy.txt": "BROKEN sleep50",
        "broken.txt": "BROKEN sleep50",  # waits for broken-copy.txt, which fails: then parsed (and fails)
        "buggy.txt": "BUG sleep40",
        "empty.txt": "",
        "sheet.txt": "PK\x03\x04 a zip",
        "sub/c.txt": "charlie roads sleep20",
        "sub/d.txt": "delta parks",
        "sub/e.txt": "echo museums sleep5",
    }
    for name, text in files.items():
        (d / name).write_text(text)
    return d


# ---------------------------------------------------------------- the same results whatever the workers


def test_parallel_and_serial_ingest_of_the_corpus_give_identical_indexes_and_ledgers(tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    one = ingest([CORPUS], serial, workers=1)
    two = ingest([CORPUS], parallel, workers=2)
    assert one.count("indexed") == 10 and not one.failed
    assert outcomes(two) == outcomes(one)
    state = index_state(serial)
    assert state["counts"]["section"] > 10 and len(state["reports"]) == 10
    assert index_state(parallel) == state
    assert ledger_state(parallel) == ledger_state(serial)
    again = ingest([CORPUS], parallel, workers=2)
    assert [o.status for o in again.outcomes] == ["unchanged"] * 10


@pytest.mark.parametrize("workers", WORKER_COUNTS)
def test_outcomes_index_and_ledger_do_not_depend_on_the_worker_count(mixed, tmp_path, workers):
    serial = ingest([mixed], tmp_path / "serial", parser=FakeParser(), workers=1)
    got = ingest([mixed], tmp_path / "pooled", parser=FakeParser(), workers=workers)
    assert outcomes(got) == outcomes(serial)
    st = {Path(o.path).name: o.status for o in got.outcomes}
    assert st == {
        "a.txt": "indexed",
        "copy-of-a.txt": "duplicate",
        "b.md": "indexed",
        "broken.txt": "failed",
        "broken-copy.txt": "failed",
        "buggy.txt": "failed",
        "empty.txt": "failed",
        "sheet.txt": "failed",
        "c.txt": "indexed",
        "d.txt": "indexed",
        "e.txt": "indexed",
    }
    assert index_state(tmp_path / "pooled") == index_state(tmp_path / "serial")
    assert ledger_state(tmp_path / "pooled") == ledger_state(tmp_path / "serial")


def test_a_bad_file_among_good_ones_is_reported_with_the_same_reason_as_in_one_process(tmp_path):
    folder = tmp_path / "papers"
    shutil.copytree(CORPUS / "seeds", folder)
    (folder / "truncated.pdf").write_bytes(b"%PDF-1.4 truncated")
    (folder / "notes.txt").write_bytes(b"\x00\x01binary")
    runs = {w: ingest([folder], tmp_path / f"index-{w}", workers=w) for w in (1, 2)}
    assert outcomes(runs[2]) == outcomes(runs[1])
    failed = {Path(o.path).name: o.reason for o in runs[2].failed}
    assert set(failed) == {"truncated.pdf", "notes.txt"}
    assert all(name in reason and "\n" not in reason for name, reason in failed.items())
    assert runs[2].count("indexed") == 5


def test_progress_counts_every_file_once(mixed, index_dir):
    seen: list[tuple[int, int, str]] = []
    ingest([mixed], index_dir, parser=FakeParser(), workers=2, progress=lambda d, t, o: seen.append((d, t, o.path)))
    assert [d for d, _, _ in seen] == list(range(1, 12)) and {t for _, t, _ in seen} == {11}
    assert len({p for _, _, p in seen}) == 11


def test_a_file_that_kills_its_worker_fails_alone(mixed, index_dir):
    (mixed / "killer.txt").write_text("CRASH sleep10")
    summary = ingest([mixed], index_dir, parser=FakeParser(), workers=2)
    st = {Path(o.path).name: (o.status, o.reason) for o in summary.outcomes}
    assert st["killer.txt"] == ("failed", f"{mixed / 'killer.txt'}: {WORKER_DIED}")
    assert sorted(k for k, v in st.items() if v[0] == "indexed") == ["a.txt", "b.md", "c.txt", "d.txt", "e.txt"]
    with open_index(index_dir) as ix:
        assert ix.count("report") == 5


def test_strict_stops_soon_and_keeps_what_was_parsed(tmp_path, index_dir):
    folder = tmp_path / "papers"
    folder.mkdir()
    for k in range(30):
        (folder / f"p{k:02d}.txt").write_text("BROKEN" if k == 2 else f"paper {k} sleep30")
    summary = ingest([folder], index_dir, parser=FakeParser(), workers=2, strict=True)
    assert [Path(o.path).name for o in summary.failed] == ["p02.txt"]
    assert len(summary.outcomes) < 30
    indexed = {o.path for o in summary.outcomes if o.status == "indexed"}
    with open_index(index_dir) as ix:
        assert set(ix.files()) == {str(Path(p).resolve()) for p in indexed}


def test_a_parser_that_cannot_reach_worker_processes_is_refused(tmp_path, index_dir):
    with pytest.raises(ValueError, match="use workers=1"):
        ingest([tmp_path], index_dir, parser=lambda p: None, workers=2)


# ---------------------------------------------------------------- --workers and --pdf-engine on the command line


def test_cli_workers_option_gives_the_same_outcomes(tmp_path):
    runner = CliRunner()
    rows = {}
    for w in ("1", "2"):
        res = runner.invoke(
            cli, ["ingest", str(CORPUS / "seeds"), "--index", str(tmp_path / w), "--workers", w, "--json"]
        )
        assert res.exit_code == 0, res.output
        rows[w] = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows["1"] == rows["2"] and [r["status"] for r in rows["2"]] == ["indexed"] * 5
    bad = runner.invoke(cli, ["ingest", str(CORPUS), "--workers", "0"])
    assert bad.exit_code == 2


def test_cli_pdf_engine_reaches_the_reader(tmp_path, monkeypatch):
    import pipeline.read as readers

    engines: list[str | None] = []
    real = readers.read_lines

    def spy(path, *, pdf_engine=None):
        engines.append(pdf_engine)
        return real(path, pdf_engine=pdf_engine)

    monkeypatch.setattr(readers, "read_lines", spy)
    runner = CliRunner()
    pdfs = str(CORPUS / "pdf")
    res = runner.invoke(
        cli, ["ingest", pdfs, "--index", str(tmp_path / "a"), "--workers", "1", "--pdf-engine", "pdfium"]
    )
    assert res.exit_code == 0, res.output
    assert engines == ["pdfium"] * 5
    engines.clear()
    monkeypatch.setenv("BOARDPAPERS_PDF_ENGINE", "pdfium")
    res = runner.invoke(cli, ["ingest", pdfs, "--index", str(tmp_path / "b"), "--workers", "1"])
    assert res.exit_code == 0 and engines == ["pdfium"] * 5
    engines.clear()
    res = runner.invoke(
        cli, ["ingest", pdfs, "--index", str(tmp_path / "c"), "--workers", "1", "--pdf-engine", "pdfplumber"]
    )
    assert res.exit_code == 0 and engines == ["pdfplumber"] * 5  # the option beats the environment
    monkeypatch.setenv("BOARDPAPERS_PDF_ENGINE", "bogus")
    res = runner.invoke(cli, ["ingest", pdfs, "--index", str(tmp_path / "d")])
    assert res.exit_code == 2 and "unknown PDF engine 'bogus' (from BOARDPAPERS_PDF_ENGINE)" in res.output
    res = runner.invoke(cli, ["ingest", pdfs, "--index", str(tmp_path / "d"), "--pdf-engine", "mupdf"])
    assert res.exit_code == 2


def test_pdf_engine_in_worker_processes(tmp_path):
    summary = ingest([CORPUS / "pdf"], tmp_path / "index", pdf_engine="pdfium", workers=2)
    assert summary.count("indexed") == 5 and not summary.failed


def test_ingest_help_stays_light():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from pipeline.cli import cli\n"
        "res = CliRunner().invoke(cli, ['ingest', '--help'])\n"
        "assert res.exit_code == 0 and '--pdf-engine [pdfplumber|pdfium]' in res.output, res.output\n"
        "heavy = ('pdfplumber', 'pypdfium2', 'spacy', 'whoosh', 'tantivy', 'concurrent.futures.process',\n"
        "         'pipeline.read.pdfplumber', 'pipeline.read.pdfium', 'pipeline.parse', 'pipeline.enrich')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- councils from sibling papers


def councils(index_dir: Path) -> dict[str, str | None]:
    with open_index(index_dir) as ix:
        return {Path(r.source.path).name: r.council for r in ix.iter_reports()}


def test_corpus_papers_that_name_no_council_take_it_from_the_same_committee(tmp_path):
    index_dir = tmp_path / "index"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(CORPUS), "--index", str(index_dir)]).exit_code == 0
    got = councils(index_dir)
    assert got["003_8f5a895c28ad9ad1.txt"] == got["003_8f5a895c28ad9ad1.pdf"] == "Halton Borough Council"
    res = runner.invoke(cli, ["stats", "--index", str(index_dir), "--json"])
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    by_council = {r["value"]: r["count"] for r in rows if r["dimension"] == "council"}
    assert by_council == {"Halton Borough Council": 8, "Central Bedfordshire Council": 2}  # no "(none)"
    with open_index(index_dir) as ix:
        report = next(r for r in ix.iter_reports() if r.id.startswith("003_"))
        assert "council" not in report.provenance  # borrowed, not read in the paper
        hits = ix.search(SearchRequest(QAll(), report_ids=(report.id,), limit=100)).hits
        assert hits and {h.council for h in hits} == {"Halton Borough Council"}  # its section documents too


def write(folder: Path, name: str, committee: str, council: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = f"committee: {committee}\n" + (f"council: {council}\n" if council else "") + f"{name} words"
    (folder / name).write_text(text)


def test_a_council_is_lent_only_when_the_committee_names_one(tmp_path, index_dir):
    papers = tmp_path / "papers"
    write(papers / "halton", "h1.txt", "Children & Young People Policy and Performance Board", "Halton Borough Council")
    write(papers / "halton", "h2.txt", "children and young people policy and performance board")
    write(papers / "halton", "cab.txt", "Cabinet")  # Cabinet: the folder names none, the archive two
    write(papers / "kent", "k1.txt", "Cabinet", "Kent County Council")
    write(papers / "kent", "k2.txt", "Cabinet")
    write(papers / "essex", "e1.txt", "Cabinet", "Essex County Council")
    write(papers / "mixed", "m1.txt", "Scrutiny Committee", "Kent County Council")
    write(papers / "mixed", "m2.txt", "Scrutiny Committee", "Essex County Council")
    write(papers / "mixed", "m3.txt", "Scrutiny Committee")  # two councils in its own folder
    write(papers / "lone", "l1.txt", "Licensing Committee")  # nobody names one
    for workers in (1, 2):
        ingest([papers], index_dir / str(workers), parser=FakeParser(), workers=workers)
        assert councils(index_dir / str(workers)) == {
            "h1.txt": "Halton Borough Council",
            "h2.txt": "Halton Borough Council",
            "cab.txt": None,
            "k1.txt": "Kent County Council",
            "k2.txt": "Kent County Council",
            "e1.txt": "Essex County Council",
            "m1.txt": "Kent County Council",
            "m2.txt": "Essex County Council",
            "m3.txt": None,
            "l1.txt": None,
        }


def test_a_sibling_ingested_later_lends_its_council_to_papers_already_indexed(tmp_path, index_dir):
    papers = tmp_path / "papers"
    write(papers, "first.txt", "Licensing Committee")
    ingest([papers], index_dir, parser=FakeParser())
    assert councils(index_dir) == {"first.txt": None}
    write(papers, "second.txt", "LICENSING COMMITTEE", "Wigan Council")
    ingest([papers], index_dir, parser=FakeParser())
    assert councils(index_dir) == {"first.txt": "Wigan Council", "second.txt": "Wigan Council"}
    # A borrowed council lends nothing: it is not what a paper says.
    write(papers / "elsewhere", "third.txt", "Licensing Committee", "Bolton Council")
    write(papers / "elsewhere", "fourth.txt", "Licensing Committee")
    ingest([papers], index_dir, parser=FakeParser())
    assert councils(index_dir)["fourth.txt"] == "Bolton Council"
    assert councils(index_dir)["first.txt"] == "Wigan Council"
