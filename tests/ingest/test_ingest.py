"""Ingesting: statuses by content hash, never stopping on a bad file, batched commits."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, make_report

from pipeline.cli import cli
from pipeline.errors import IndexLocked, ReadError
from pipeline.index import open_index, store
from pipeline.index.tantivy import TantivyIndex
from pipeline.index.whoosh import Batch as WhooshBatch
from pipeline.index.whoosh import WhooshIndex
from pipeline.ingest import ingest
from pipeline.ingest import run as run_mod
from pipeline.model import SearchRequest
from pipeline.read.walk import expand_paths
from pipeline.search.query import parse_query


class FakeParser:
    """Parses a text file into a one-section report; "BROKEN" raises ReadError, "BUG" a ValueError."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, path: Path):
        self.calls.append(path.name)
        text = path.read_text()
        if "BROKEN" in text:
            raise ReadError(str(path), "not a board paper")
        if "BUG" in text:
            raise ValueError("parser bug")
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        return make_report(f"{path.stem}-{sha[:8]}", [("1", "Purpose", "purpose", text)], path=str(path))


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    d = tmp_path / "papers"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("alpha budget")
    (d / "b.md").write_text("bravo libraries")
    (d / "sub" / "c.txt").write_text("charlie roads")
    return d


def statuses(summary) -> dict[str, str]:
    return {Path(o.path).name: o.status for o in summary.outcomes}


def words(index_dir: Path, text: str) -> set[str]:
    with open_index(index_dir) as ix:
        return {h.report_id.split("-")[0] for h in ix.search(SearchRequest(parse_query(text), limit=100)).hits}


def test_first_run_indexes_and_second_is_unchanged_without_parsing(papers, index_dir):
    parser = FakeParser()
    first = ingest([papers], index_dir, parser=parser)
    assert statuses(first) == {"a.txt": "indexed", "b.md": "indexed", "c.txt": "indexed"}
    assert all(o.report_id and o.sha256 and o.sections == 1 for o in first.outcomes)
    parser.calls.clear()
    second = ingest([papers], index_dir, parser=parser)
    assert set(statuses(second).values()) == {"unchanged"}
    assert parser.calls == []
    with open_index(index_dir) as ix:
        assert ix.count("report") == 3


def test_changed_file_is_replaced(papers, index_dir):
    ingest([papers], index_dir, parser=FakeParser())
    (papers / "a.txt").write_text("alpha museums")
    summary = ingest([papers], index_dir, parser=FakeParser())
    assert statuses(summary)["a.txt"] == "replaced"
    assert words(index_dir, "budget") == set() and words(index_dir, "museums") == {"a"}
    with open_index(index_dir) as ix:
        assert ix.count("report") == 3


def test_same_content_under_another_path_is_a_duplicate(papers, index_dir):
    ingest([papers], index_dir, parser=FakeParser())
    shutil.copy(papers / "a.txt", papers / "copy.txt")
    summary = ingest([papers], index_dir, parser=FakeParser())
    dup = next(o for o in summary.outcomes if o.path.endswith("copy.txt"))
    assert dup.status == "duplicate" and str((papers / "a.txt").resolve()) in dup.reason
    with open_index(index_dir) as ix:
        assert ix.count("report") == 3


def test_duplicate_within_one_run(tmp_path, index_dir):
    (tmp_path / "one.txt").write_text("same words")
    (tmp_path / "two.txt").write_text("same words")
    summary = ingest([tmp_path / "one.txt", tmp_path / "two.txt"], index_dir, parser=FakeParser())
    assert [o.status for o in summary.outcomes] == ["indexed", "duplicate"]


def test_file_changed_to_another_files_content_drops_its_old_record(papers, index_dir):
    ingest([papers], index_dir, parser=FakeParser())
    (papers / "a.txt").write_text("bravo libraries")
    summary = ingest([papers / "a.txt"], index_dir, parser=FakeParser())
    assert statuses(summary) == {"a.txt": "duplicate"}
    assert words(index_dir, "budget") == set()


def test_bad_files_fail_with_a_reason_naming_them_and_do_not_stop_the_run(papers, index_dir):
    (papers / "broken.txt").write_text("BROKEN")
    (papers / "buggy.txt").write_text("BUG")
    summary = ingest([papers, papers / "missing.pdf"], index_dir, parser=FakeParser())
    st = statuses(summary)
    assert st == {
        "a.txt": "indexed",
        "b.md": "indexed",
        "broken.txt": "failed",
        "buggy.txt": "failed",
        "c.txt": "indexed",
        "missing.pdf": "failed",
    }
    reasons = {Path(o.path).name: o.reason for o in summary.failed}
    assert "broken.txt" in reasons["broken.txt"] and "not a board paper" in reasons["broken.txt"]
    assert "buggy.txt" in reasons["buggy.txt"] and "ValueError: parser bug" in reasons["buggy.txt"]
    assert "missing.pdf" in reasons["missing.pdf"] and "no such file" in reasons["missing.pdf"]
    assert all("\n" not in r for r in reasons.values())


def test_a_failing_paper_loses_nothing_already_indexed(papers, index_dir):
    ingest([papers], index_dir, parser=FakeParser())
    (papers / "a.txt").write_text("BROKEN")
    summary = ingest([papers], index_dir, parser=FakeParser())
    assert statuses(summary)["a.txt"] == "failed"
    assert words(index_dir, "budget") == {"a"}  # the old record stays until a good version replaces it


def test_a_write_error_fails_only_that_paper(papers, index_dir, monkeypatch):
    real = WhooshBatch.add_report

    def add_report(self, report, **kw):
        if report.id.startswith("b-"):
            raise ValueError("cannot store this one")
        return real(self, report, **kw)

    monkeypatch.setattr(WhooshBatch, "add_report", add_report)
    summary = ingest([papers], index_dir, parser=FakeParser())
    assert statuses(summary) == {"a.txt": "indexed", "b.md": "failed", "c.txt": "indexed"}
    assert "cannot store this one" in summary.failed[0].reason
    assert words(index_dir, "alpha OR bravo OR charlie") == {"a", "c"}


def interrupted_at(name: str, parser):
    """``parser``, but Ctrl-C (KeyboardInterrupt) when it reaches the file called ``name``."""

    def interrupting(path):
        if path.name == name:
            raise KeyboardInterrupt
        return parser(path)

    return interrupting


def test_commits_in_batches_so_an_interrupted_run_keeps_earlier_batches(tmp_path, index_dir):
    for i in range(5):
        (tmp_path / f"p{i}.txt").write_text(f"paper number{i}")
    parser = FakeParser()

    interrupting = interrupted_at("p3.txt", parser)

    with pytest.raises(KeyboardInterrupt):
        ingest([tmp_path], index_dir, parser=interrupting, commit_every=2)
    with open_index(index_dir) as ix:
        assert sorted(r.split("-")[0] for r in ix.report_ids()) == ["p0", "p1"]  # p2 was not yet committed
    summary = ingest([tmp_path], index_dir, parser=parser)
    assert [o.status for o in summary.outcomes] == ["unchanged", "unchanged", "indexed", "indexed", "indexed"]


def test_progress_is_reported_per_file(papers, index_dir):
    seen = []
    ingest([papers], index_dir, parser=FakeParser(), progress=lambda d, t, o: seen.append((d, t, Path(o.path).name)))
    assert seen == [(1, 3, "a.txt"), (2, 3, "b.md"), (3, 3, "c.txt")]


def test_a_locked_index_stops_the_run(papers, index_dir, monkeypatch):
    monkeypatch.setattr(store, "WRITE_LOCK_TIMEOUT", 0.2)  # how long ingest's writer waits
    with open_index(index_dir, create=True) as ix, ix.batch():
        with pytest.raises(IndexLocked):
            ingest([papers], index_dir, parser=FakeParser())


def test_expand_paths_recurses_filters_suffixes_and_skips_hidden(tmp_path):
    for name in ("a.pdf", "b.TXT", "c.md", "d.markdown", "e.docx", ".hidden.txt", "sub/f.txt", ".git/g.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    names = [p.relative_to(tmp_path).as_posix() for p in expand_paths([tmp_path])]
    assert names == ["a.pdf", "b.TXT", "c.md", "d.markdown", "sub/f.txt"]
    # a file named explicitly is tried whatever its suffix
    assert list(expand_paths([tmp_path / "e.docx"])) == [tmp_path / "e.docx"]


# ---------------------------------------------------------------- the real corpus, real parser


def test_corpus_ingested_twice_leaves_the_index_unchanged(tmp_path):
    index_dir = tmp_path / "index"
    first = ingest([CORPUS], index_dir)
    assert first.count("indexed") == 10 and not first.failed
    with open_index(index_dir) as ix:
        counts = (ix.doc_count(), ix.count("section"), ix.count("report"))
    second = ingest([CORPUS], index_dir)
    assert [o.status for o in second.outcomes] == ["unchanged"] * 10
    with open_index(index_dir) as ix:
        assert (ix.doc_count(), ix.count("section"), ix.count("report")) == counts


def test_cli_ingest_json_summary_and_exit_codes(tmp_path):
    index_dir = tmp_path / "index"
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    runner = CliRunner()
    ok = runner.invoke(cli, ["ingest", str(CORPUS / "seeds"), "--index", str(index_dir), "--json"])
    assert ok.exit_code == 0, ok.output
    import json

    rows = [json.loads(line) for line in ok.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["indexed"] * 5
    assert {"path", "status", "report_id", "sections", "sha256", "reason"} <= set(rows[0])
    assert "5 files: 5 indexed, 0 unchanged, 0 replaced, 0 duplicate, 0 failed" in ok.stderr
    bad = runner.invoke(cli, ["ingest", str(CORPUS / "seeds"), str(tmp_path / "bad.pdf"), "--index", str(index_dir)])
    assert bad.exit_code == 1
    assert bad.stdout == ""
    assert "5 unchanged" in bad.stderr and "1 failed" in bad.stderr and "bad.pdf" in bad.stderr


# ---------------------------------------------------------------- ledger, run lock, folders


def ledger_rows(index_dir: Path) -> dict[str, tuple[str, str | None]]:
    from pipeline.ingest.ledger import Ledger

    with Ledger.open(index_dir) as ledger:
        return {Path(e.path).name: (e.status, e.report_id) for e in ledger.entries()}


def test_ledger_records_every_file_and_keeps_report_ids_of_unchanged_files(papers, index_dir):
    (papers / "broken.txt").write_text("BROKEN")
    shutil.copy(papers / "a.txt", papers / "copy.txt")
    first = ingest([papers], index_dir, parser=FakeParser())
    rows = ledger_rows(index_dir)
    assert {k: v[0] for k, v in rows.items()} == {
        "a.txt": "indexed",
        "b.md": "indexed",
        "broken.txt": "failed",
        "c.txt": "indexed",
        "copy.txt": "duplicate",
    }
    ids = {Path(o.path).name: o.report_id for o in first.outcomes}
    assert rows["a.txt"][1] == ids["a.txt"]
    ingest([papers], index_dir, parser=FakeParser())  # all unchanged now: ids are kept
    assert ledger_rows(index_dir)["a.txt"] == ("indexed", ids["a.txt"])
    (papers / "broken.txt").write_text("mended")
    ingest([papers], index_dir, parser=FakeParser())
    assert ledger_rows(index_dir)["broken.txt"][0] == "indexed"


def test_ledger_never_runs_ahead_of_the_index(tmp_path, index_dir, monkeypatch):
    """Rows are written after the commit they describe: a failed commit leaves them out."""
    for i in range(5):
        (tmp_path / f"p{i}.txt").write_text(f"paper number{i}")
    real = run_mod._commit
    calls = []

    def commit(ix, items):
        calls.append(len(items))
        if len(calls) == 2:
            raise IndexLocked("the disk went away")
        return real(ix, items)

    monkeypatch.setattr(run_mod, "_commit", commit)
    with pytest.raises(IndexLocked):
        ingest([tmp_path], index_dir, parser=FakeParser(), commit_every=2)
    assert sorted(ledger_rows(index_dir)) == ["p0.txt", "p1.txt"]
    with open_index(index_dir) as ix:
        assert sorted(Path(p).name for p in ix.files()) == ["p0.txt", "p1.txt"]


def test_status_reconciles_the_ledger_with_the_index(papers, index_dir):
    from pipeline.ingest.ledger import LEDGER_FILE, archive_status

    ingest([papers], index_dir, parser=FakeParser())
    with open_index(index_dir) as ix:
        ix.remove_paths([str((papers / "a.txt").resolve())])
    (index_dir / LEDGER_FILE).rename(index_dir / "old-ledger")
    ingest([papers / "b.md"], index_dir, parser=FakeParser())  # a new ledger that knows only b.md
    (index_dir / "old-ledger").replace(index_dir / LEDGER_FILE)
    status = {Path(e.path).name: e for e in archive_status(index_dir)}
    assert status["a.txt"].status == "missing" and "ingest it again" in status["a.txt"].reason
    assert status["b.md"].status == "indexed" and status["c.txt"].status == "indexed"


def test_a_second_ingest_waits_then_says_who_holds_the_lock(papers, index_dir):
    import os

    from pipeline.index import run_lock

    messages: list[str] = []
    with run_lock(index_dir, timeout=0):
        with pytest.raises(IndexLocked) as err:
            ingest([papers], index_dir, parser=FakeParser(), lock_timeout=0.3, on_wait=messages.append)
    assert f"being written by another ingest (pid {os.getpid()}" in str(err.value)
    assert "gave up waiting after 0.3 s" in str(err.value)
    assert len(messages) == 1 and messages[0].startswith("waiting up to 0.3 s for another ingest")
    assert statuses(ingest([papers], index_dir, parser=FakeParser(), lock_timeout=0)) == {
        "a.txt": "indexed",
        "b.md": "indexed",
        "c.txt": "indexed",
    }


def test_symlinked_folders_are_followed_once(papers, index_dir):
    elsewhere = papers.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "d.txt").write_text("delta parks")
    (papers / "linked").symlink_to(elsewhere)
    (papers / "sub" / "again").symlink_to(elsewhere)
    (papers / "sub" / "up").symlink_to("..")
    summary = ingest([papers], index_dir, parser=FakeParser())
    got = {str(Path(o.path).relative_to(papers)): (o.status, o.reason) for o in summary.outcomes}
    assert got["linked/d.txt"][0] == "indexed"
    assert got["sub/again"][0] == "duplicate" and "same folder as" in got["sub/again"][1]
    assert got["sub/up"][0] == "failed" and "symlink loop" in got["sub/up"][1]
    assert sorted(k for k, v in got.items() if v[0] == "indexed") == ["a.txt", "b.md", "linked/d.txt", "sub/c.txt"]


def test_an_index_that_cannot_be_written_is_our_error_not_a_traceback(papers, tmp_path):
    from pipeline.errors import SearchIndexError

    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(SearchIndexError, match="cannot write an index at"):
        ingest([papers], tmp_path / "a-file" / "index", parser=FakeParser())


# ---------------------------------------------------------------- merging once, at the end of a run


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_an_ingest_ends_merged_to_few_segments(tmp_path, index_dir, monkeypatch, engine):
    """Commits write a segment each without merging; the run merges at its end (and when too many pile up)."""
    monkeypatch.setattr(run_mod, "MAX_RUN_SEGMENTS", 4)
    for i in range(12):
        (tmp_path / f"p{i:02d}.txt").write_text(f"paper number{i} about budgets")
    merges: list[int] = []
    cls = WhooshIndex if engine == "whoosh" else TantivyIndex
    original = cls.merge

    def counting(self, **kw):
        merges.append(self.segment_count())
        return original(self, **kw)

    monkeypatch.setattr(cls, "merge", counting)
    summary = ingest([tmp_path], index_dir, parser=FakeParser(), commit_every=1, engine=engine)
    assert summary.count("indexed") == 12
    with open_index(index_dir) as ix:
        assert ix.count("report") == 12
        assert ix.search(SearchRequest(parse_query("budgets"))).total == 12
        if engine == "whoosh":
            assert ix.segment_count() <= 2  # a run's segments end merged
            assert merges and max(merges[:-1] or [0]) <= 5  # merged on the way once more than 4 piled up
    # a second run adding one paper merges only what it added: the big segment is kept
    (tmp_path / "p12.txt").write_text("paper number12 about budgets")
    ingest([tmp_path], index_dir, parser=FakeParser(), engine=engine)
    with open_index(index_dir) as ix:
        assert ix.count("report") == 13
        if engine == "whoosh":
            assert ix.segment_count() <= 2


def test_a_failed_run_does_not_merge(tmp_path, index_dir, monkeypatch):
    """The end-of-run merge is a commit like any other: only after the run succeeded."""
    for i in range(4):
        (tmp_path / f"p{i}.txt").write_text(f"paper number{i}")
    parser = FakeParser()

    interrupting = interrupted_at("p3.txt", parser)

    merged = []
    monkeypatch.setattr(WhooshIndex, "merge", lambda self, **kw: merged.append(1))
    with pytest.raises(KeyboardInterrupt):
        ingest([tmp_path], index_dir, parser=interrupting, commit_every=1)
    assert not merged
    with open_index(index_dir) as ix:
        assert ix.count("report") == 3 and ix.segment_count() == 3  # committed, left unmerged
