"""with several workers, the worker processes write the index's segments; this process commits them.

Real Whoosh indexes, real files, real worker processes. Whatever the number
of workers, the outcomes, the ledger and the index's content are the same;
a batch whose segment cannot be written is written in this process, paper by
paper; what a killed or interrupted run leaves in the staging area never
reaches the index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, make_report, unlisted_files

from pipeline.errors import ReadError
from pipeline.index import STAGING_DIR, open_index
from pipeline.index.documents import DOC_KINDS
from pipeline.index.whoosh import Batch as WhooshBatch
from pipeline.index.whoosh import WhooshIndex
from pipeline.index.whoosh import merge as merge_mod
from pipeline.index.whoosh.schema import INDEX_NAME
from pipeline.ingest import ingest
from pipeline.ingest.ledger import Ledger
from pipeline.ingest.workers import Pool
from pipeline.model import QAll, SearchRequest
from pipeline.search.query import parse_query

#: Papers in the generated folder, and papers per commit in these tests (several segments a run).
N_PAPERS = 26
COMMIT_EVERY = 4
#: Queries whose results (scores and snippets included) must not depend on the number of workers.
QUERIES = (
    "budget",
    '"foster carers"',
    "librar*",
    "performance OR museums",
    "recruitmnet~",
    "parks -roads",
    "committee:cabinet",
    "uniq7",
    "section:recommendations budget",
)
#: A parse long enough that a run waiting for it would be seen waiting (ms).
LONG_PARSE_MS = 60_000
#: Words the generated papers are made of.
WORDS = (
    "budget",
    "foster",
    "carers",
    "libraries",
    "museums",
    "roads",
    "parks",
    "performance",
    "recruitment",
    "housing",
    "schools",
    "waste",
    "transport",
    "health",
    "social",
    "care",
    "quarter",
    "forecast",
)
COMMITTEES = ("Cabinet", "Children and Young People Board", "Scrutiny Committee", "Health and Wellbeing Board")


class SectionsParser:
    """A text paper -> a report (picklable: it runs in worker processes).

    Each line ``Title | kind | text`` is a section, ``committee: X`` sets the
    committee; ``sleepN`` sleeps N ms (results come back out of order);
    ``BROKEN`` raises ReadError; ``BADKIND`` gives a section a kind the index
    cannot store (an int): parsing succeeds, writing the report fails.
    """

    def __call__(self, path: Path):
        text = path.read_text()
        if m := re.search(r"sleep(\d+)", text):
            time.sleep(int(m.group(1)) / 1000)
        if "BROKEN" in text:
            raise ReadError(str(path), "not a board paper")
        sections, committee = [], "Cabinet"
        for line in text.splitlines():
            if line.startswith("committee: "):
                committee = line.split(": ", 1)[1]
            elif line.count(" | ") == 2:
                title, kind, body = line.split(" | ")
                sections.append((str(len(sections) + 1), title, kind, body))
        if "BADKIND" in text:
            sections.append(("9", "Bad", 5, "a section kind that is not text"))
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        recs = [s[3] for s in sections if s[2] == "recommendations"]
        k = int(re.search(r"\d+", path.stem).group(0)) if re.search(r"\d+", path.stem) else 0
        return make_report(
            f"{path.stem}-{sha[:8]}",
            sections,
            path=str(path),
            committee=committee,
            date=(dt.date(2015, 1, 1) + dt.timedelta(days=97 * k)).isoformat(),
            recommendations=recs,
        )


class InterruptingParser(SectionsParser):
    """Ctrl-C (KeyboardInterrupt) when it reaches the file called ``name`` (picklable)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, path: Path):
        if path.name == self.name:
            raise KeyboardInterrupt
        return super().__call__(path)


def paper_text(k: int, rng: random.Random, extra: str = "") -> str:
    lines = [f"committee: {COMMITTEES[k % len(COMMITTEES)]}"]
    for s in range(1 + k % 4):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        kind = "recommendations" if s == 1 else "supporting_information"
        lines.append(f"Part {s} {rng.choice(WORDS)} | {kind} | {body} uniq{k} {extra}".rstrip())
    if k % 3 == 0:  # earlier files parse slower: results arrive out of order
        lines.append(f"sleep{(N_PAPERS - k) * 2}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    rng = random.Random(6)
    folder = tmp_path / "papers"
    (folder / "sub").mkdir(parents=True)
    for k in range(N_PAPERS):
        where = folder / "sub" if k % 5 == 4 else folder
        (where / f"p{k:02d}.txt").write_text(paper_text(k, rng))
    return folder


def outcomes(summary) -> list[tuple]:
    return [(o.path, o.status, o.reason, o.report_id, o.sections, o.sha256) for o in summary.outcomes]


def ledger_state(index_dir: Path) -> list[tuple]:
    with Ledger.open(index_dir) as ledger:
        return [(e.path, e.status, e.reason, e.report_id, e.sections, e.sha256) for e in ledger.entries()]


def content(index_dir: Path) -> dict:
    """What the index holds and answers: every stored record, counts per kind, files, and whole search pages."""
    with open_index(index_dir) as ix:
        records = sorted(json.dumps(r.to_dict(), sort_keys=True) for r in ix.iter_reports())
        counts = {kind: ix.count(kind) for kind in DOC_KINDS}
        searches = {}
        for text in QUERIES:
            for target in ("section", "recommendation"):
                res = ix.search(SearchRequest(parse_query(text), target=target, limit=1000))
                searches[text, target] = (
                    res.total,
                    res.reports,
                    [(h.report_id, h.section_index, h.score, h.snippet, h.meeting_date) for h in res.hits],
                )
        every = sorted(
            (h.report_id, h.section_index, h.section_title, h.section_kind, h.page, h.path)
            for h in ix.search(SearchRequest(QAll(), limit=10_000)).hits
        )
        return {
            "records": records,
            "counts": counts,
            "files": ix.files(),
            "searches": searches,
            "sections": every,
            "doc_count": ix.doc_count(),
        }


@pytest.fixture
def spy(monkeypatch):
    """Counts, in this process, the reports written by add_report and the segments adopted by add_segment."""
    calls = {"add_report": 0, "add_segment": 0}
    real_report, real_segment = WhooshBatch.add_report, WhooshBatch.add_segment

    def add_report(self, report, **kw):
        calls["add_report"] += 1
        return real_report(self, report, **kw)

    def add_segment(self, staged):
        calls["add_segment"] += 1
        assert Path(staged.directory).parent.name == STAGING_DIR
        return real_segment(self, staged)

    monkeypatch.setattr(WhooshBatch, "add_report", add_report)
    monkeypatch.setattr(WhooshBatch, "add_segment", add_segment)
    return calls


def test_workers_write_segments(papers, tmp_path, spy):
    """With two workers, no report is analysed in this process: workers write segments, committed here in order."""
    one = ingest([papers], tmp_path / "one", parser=SectionsParser(), workers=1, commit_every=COMMIT_EVERY)
    assert spy == {"add_report": N_PAPERS, "add_segment": 0}
    spy.update(add_report=0, add_segment=0)
    two = ingest([papers], tmp_path / "two", parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert spy == {"add_report": 0, "add_segment": math.ceil(N_PAPERS / COMMIT_EVERY)}
    assert one.count("indexed") == N_PAPERS and outcomes(two) == outcomes(one)
    state = content(tmp_path / "one")
    assert state["counts"]["recommendation"] > 0 and all(state["searches"][q, "section"][0] for q in QUERIES)
    assert content(tmp_path / "two") == state
    assert ledger_state(tmp_path / "two") == ledger_state(tmp_path / "one")
    assert not (tmp_path / "two" / STAGING_DIR).exists()
    with open_index(tmp_path / "two") as ix:
        assert unlisted_files(ix) == [] and ix.segment_count() <= 2  # merged at the end of the run
    again = ingest([papers], tmp_path / "two", parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert {o.status for o in again.outcomes} == {"unchanged"}


def test_the_sample_corpus_with_the_real_parser_gives_the_same_index_with_workers_writing(tmp_path, spy):
    one = ingest([CORPUS], tmp_path / "one", workers=1, commit_every=3)
    filled = spy["add_report"] - 10  # papers naming no council take it from their committee's (fill_councils)
    assert filled > 0 and spy["add_segment"] == 0
    spy.update(add_report=0, add_segment=0)
    two = ingest([CORPUS], tmp_path / "two", workers=2, commit_every=3)
    assert spy == {"add_report": filled, "add_segment": 4}
    assert outcomes(two) == outcomes(one) and one.count("indexed") == 10
    assert content(tmp_path / "two") == content(tmp_path / "one")
    assert ledger_state(tmp_path / "two") == ledger_state(tmp_path / "one")


def test_files_replaced_under_workers_leave_no_stale_documents(papers, tmp_path, spy):
    original = {p: p.read_bytes() for p in papers.rglob("*.txt")}
    rng = random.Random(7)
    changes = {k: paper_text(k, rng, extra=f"zebra{k}").replace(f"uniq{k}", f"fresh{k}") for k in (1, 2, 8, 13, 24)}
    for workers in (1, 2):
        index_dir = tmp_path / f"index-{workers}"
        for path, data in original.items():
            path.write_bytes(data)
        ingest([papers], index_dir, parser=SectionsParser(), workers=workers, commit_every=3)
        for k, text in changes.items():
            (papers / ("sub" if k % 5 == 4 else "") / f"p{k:02d}.txt").write_text(text)
        (papers / "p05.txt").write_bytes((papers / "p06.txt").read_bytes())  # now a copy: its old record goes
        spy.update(add_report=0, add_segment=0)
        summary = ingest([papers], index_dir, parser=SectionsParser(), workers=workers, commit_every=3)
        st = {Path(o.path).stem: o.status for o in summary.outcomes}
        assert {k for k, v in st.items() if v == "replaced"} == {f"p{k:02d}" for k in changes}
        assert st["p05"] == "duplicate" and summary.count("unchanged") == N_PAPERS - len(changes) - 1
        if workers == 2:
            assert spy == {"add_report": 0, "add_segment": 2}  # five replaced papers, three a commit
        with open_index(index_dir) as ix:
            assert ix.count("report") == N_PAPERS - 1 and len(ix.files()) == N_PAPERS - 1
            for k in (*changes, 5):
                assert ix.search(SearchRequest(parse_query(f"uniq{k}"))).total == 0, k  # the old versions are gone
            for k in changes:
                found = {h.report_id for h in ix.search(SearchRequest(parse_query(f"fresh{k} zebra{k}"))).hits}
                assert len(found) == 1, k
    assert content(tmp_path / "index-2") == content(tmp_path / "index-1")
    assert ledger_state(tmp_path / "index-2") == ledger_state(tmp_path / "index-1")


def test_a_segment_that_cannot_be_written_is_written_here_and_only_the_bad_paper_fails(papers, tmp_path, spy):
    (papers / "p03.txt").write_text((papers / "p03.txt").read_text() + "BADKIND\n")
    one = ingest([papers], tmp_path / "one", parser=SectionsParser(), workers=1, commit_every=COMMIT_EVERY)
    spy.update(add_report=0, add_segment=0)
    two = ingest([papers], tmp_path / "two", parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert outcomes(two) == outcomes(one)
    failed = [(Path(o.path).name, o.reason) for o in two.failed]
    assert len(failed) == 1 and failed[0][0] == "p03.txt"
    assert "p03.txt" in failed[0][1] and "ValueError: 5 is not unicode" in failed[0][1]
    assert two.count("indexed") == N_PAPERS - 1
    # the bad paper's batch was written in this process (all together, then one by one); the others by workers
    assert spy["add_segment"] == math.ceil(N_PAPERS / COMMIT_EVERY) - 1
    assert COMMIT_EVERY <= spy["add_report"] <= 2 * COMMIT_EVERY
    assert content(tmp_path / "two") == content(tmp_path / "one")
    assert ledger_state(tmp_path / "two") == ledger_state(tmp_path / "one")
    with open_index(tmp_path / "two") as ix:
        assert unlisted_files(ix) == []


def test_staging_leftovers_of_a_killed_run_are_cleared_and_never_indexed(papers, tmp_path, spy):
    index_dir = tmp_path / "index"
    ingest([papers / "p00.txt"], index_dir, parser=SectionsParser())
    # what a run killed (SIGKILL) while its workers wrote leaves: a finished segment never adopted, half a
    # segment, and a worker's temporary files
    with open_index(index_dir) as ix:
        staging = ix.segment_staging()
        ghost = make_report("ghost", [("1", "Purpose", "purpose", "a ghost paper about budget")])
        staging.task([(ghost, "/papers/ghost.txt", "9" * 64)])()
        half = staging.task([])
        (Path(half.directory) / f"{INDEX_NAME}_0123456789abcdef.trm").write_bytes(b"\x00half")
        (Path(half.directory) / f"{INDEX_NAME}.tmp").mkdir()
        (Path(half.directory) / f"{INDEX_NAME}.tmp" / "run1").write_bytes(b"\x00")
    assert len(os.listdir(index_dir / STAGING_DIR)) == 2
    summary = ingest([papers], index_dir, parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert summary.count("indexed") == N_PAPERS - 1 and summary.count("unchanged") == 1
    assert spy["add_segment"] == math.ceil((N_PAPERS - 1) / COMMIT_EVERY)
    assert not (index_dir / STAGING_DIR).exists()
    with open_index(index_dir) as ix:
        assert "ghost" not in ix.report_ids() and ix.count("report") == N_PAPERS
        assert ix.search(SearchRequest(parse_query("ghost"))).total == 0
        assert unlisted_files(ix) == []


def test_an_interrupted_run_with_workers_keeps_its_commits_and_the_next_completes_it(papers, tmp_path):
    index_dir = tmp_path / "index"
    with pytest.raises(KeyboardInterrupt):
        ingest([papers], index_dir, parser=InterruptingParser("p22.txt"), workers=2, commit_every=COMMIT_EVERY)
    assert not (index_dir / STAGING_DIR).exists()
    with open_index(index_dir) as ix:
        kept = set(ix.files())
        assert ix.count("report") == len(kept) and unlisted_files(ix) == []
    with Ledger.open(index_dir) as ledger:
        assert {e.path for e in ledger.entries() if e.status == "indexed"} <= kept
    summary = ingest([papers], index_dir, parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert summary.count("unchanged") == len(kept) and summary.count("indexed") == N_PAPERS - len(kept)
    ingest([papers], tmp_path / "clean", parser=SectionsParser(), workers=1, commit_every=COMMIT_EVERY)
    assert content(index_dir)["records"] == content(tmp_path / "clean")["records"]
    assert content(index_dir)["counts"] == content(tmp_path / "clean")["counts"]


def test_an_interrupted_run_stops_its_workers_without_waiting_for_the_files_they_parse(tmp_path):
    """Ctrl-C during a run with workers terminates them: the run ends now, not once their files are parsed."""
    import multiprocessing

    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "p00.txt").write_text("Purpose | purpose | budget")
    for k in range(1, 4):
        (folder / f"p{k:02d}.txt").write_text(f"sleep{LONG_PARSE_MS}\nPurpose | purpose | budget {k}")
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ingest([folder], tmp_path / "index", parser=InterruptingParser("p00.txt"), workers=2)
    assert time.monotonic() - started < LONG_PARSE_MS / 2000
    assert multiprocessing.active_children() == []


def test_strict_with_workers_writing_stops_and_keeps_what_was_parsed(papers, tmp_path):
    (papers / "p02.txt").write_text("BROKEN")
    summary = ingest([papers], tmp_path / "index", parser=SectionsParser(), workers=2, strict=True, commit_every=2)
    assert [Path(o.path).name for o in summary.failed] == ["p02.txt"]
    indexed = {str(Path(o.path).resolve()) for o in summary.outcomes if o.status == "indexed"}
    with open_index(tmp_path / "index") as ix:
        assert set(ix.files()) == indexed
    assert not (tmp_path / "index" / STAGING_DIR).exists()


def test_the_tantivy_engine_writes_as_before(papers, tmp_path, spy):
    """tantivy offers no staging (its writer is multi-threaded): ingest asks the index, not the engine's name."""
    with open_index(tmp_path / "t", create=True, engine="tantivy") as ix:
        assert ix.segment_staging() is None
    summary = ingest([papers], tmp_path / "t", parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert summary.count("indexed") == N_PAPERS and spy["add_segment"] == 0
    assert not (tmp_path / "t" / STAGING_DIR).exists()


# ---------------------------------------------------------------- the end-of-run merge in the workers


class FailingPart:
    """A merge part that cannot be written (picklable: it runs in a worker)."""

    def __call__(self):
        raise OSError("no room for this part")


@pytest.fixture
def parts(monkeypatch):
    """Every merge splits its postings into parts (whatever its size); counts the parts appended here
    (written by a worker) and written here (a part's range of terms, or a whole merge's)."""
    from pipeline.index.whoosh.merge import _SegmentMerge

    monkeypatch.setattr(merge_mod, "MIN_PARALLEL_MERGE_BYTES", 0)
    calls = {"appended": 0, "part written here": 0, "whole written here": 0}
    real_append, real_write = _SegmentMerge._append_part, _SegmentMerge.write_terms

    def append(self, fw, task, segment):
        done = real_append(self, fw, task, segment)
        calls["appended"] += done
        return done

    def write_terms(self, fw, start=None, stop=None):
        calls["whole written here" if start is stop is None else "part written here"] += 1
        return real_write(self, fw, start, stop)

    monkeypatch.setattr(_SegmentMerge, "_append_part", append)
    monkeypatch.setattr(_SegmentMerge, "write_terms", write_terms)
    return calls


def test_final_merge_in_workers(papers, tmp_path, spy, parts):
    """With two workers, the run's merge has them write its postings, half the terms each: the same index."""
    one = ingest([papers], tmp_path / "one", parser=SectionsParser(), workers=1, commit_every=COMMIT_EVERY)
    assert parts == {"appended": 0, "part written here": 0, "whole written here": 1}
    parts.update(dict.fromkeys(parts, 0))
    two = ingest([papers], tmp_path / "two", parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert parts == {"appended": 2, "part written here": 0, "whole written here": 0}
    assert spy["add_segment"] == math.ceil(N_PAPERS / COMMIT_EVERY)
    assert outcomes(two) == outcomes(one)
    assert content(tmp_path / "two") == content(tmp_path / "one")
    assert ledger_state(tmp_path / "two") == ledger_state(tmp_path / "one")
    assert not (tmp_path / "two" / STAGING_DIR).exists()
    with open_index(tmp_path / "two") as ix:
        assert ix.segment_count() == 1 and unlisted_files(ix) == []


def test_a_merge_part_that_fails_in_a_worker_is_written_here(papers, tmp_path, parts, monkeypatch):
    real_run = Pool.run
    monkeypatch.setattr(
        Pool,
        "run",
        lambda self, task: real_run(
            self, FailingPart() if isinstance(task, merge_mod.PostingsTask) and task.start is None else task
        ),
    )
    ingest([papers], tmp_path / "one", parser=SectionsParser(), workers=1, commit_every=COMMIT_EVERY)
    parts.update(dict.fromkeys(parts, 0))
    ingest([papers], tmp_path / "two", parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert parts == {"appended": 1, "part written here": 1, "whole written here": 0}
    assert content(tmp_path / "two") == content(tmp_path / "one")
    with open_index(tmp_path / "two") as ix:
        assert ix.segment_count() == 1 and unlisted_files(ix) == []


def test_a_merge_that_fails_with_the_workers_is_done_again_here(papers, tmp_path, parts, monkeypatch):
    """A merge with helpers that fails (here: before it commits) leaves nothing; this process merges alone."""
    real_merge = WhooshIndex.merge
    tried = []

    def merge(self, *, timeout=None, helpers=None):
        if helpers is not None:
            tried.append(helpers.parts)
            raise RuntimeError("the merge broke")
        return real_merge(self, timeout=timeout)

    monkeypatch.setattr(WhooshIndex, "merge", merge)
    ingest([papers], tmp_path / "one", parser=SectionsParser(), workers=1, commit_every=COMMIT_EVERY)
    ingest([papers], tmp_path / "two", parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert tried == [2]
    assert content(tmp_path / "two") == content(tmp_path / "one")
    with open_index(tmp_path / "two") as ix:
        assert ix.segment_count() == 1


def test_an_interrupted_final_merge_commits_nothing_and_the_next_run_merges(papers, tmp_path, parts, monkeypatch):
    from pipeline.index.whoosh.merge import _SegmentMerge

    index_dir = tmp_path / "index"
    real_append = _SegmentMerge._append_part

    def interrupted(self, fw, task, segment):
        raise KeyboardInterrupt

    monkeypatch.setattr(_SegmentMerge, "_append_part", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest([papers], index_dir, parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert not (index_dir / STAGING_DIR).exists()
    with open_index(index_dir) as ix:  # every batch committed, none merged
        assert ix.segment_count() == math.ceil(N_PAPERS / COMMIT_EVERY) and ix.count("report") == N_PAPERS
    monkeypatch.setattr(_SegmentMerge, "_append_part", real_append)
    again = ingest([papers], index_dir, parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert {o.status for o in again.outcomes} == {"unchanged"}
    ingest([papers], tmp_path / "clean", parser=SectionsParser(), workers=1, commit_every=COMMIT_EVERY)
    assert content(index_dir) == content(tmp_path / "clean")
    with open_index(index_dir) as ix:
        assert ix.segment_count() == 1 and unlisted_files(ix) == []


@pytest.mark.slow
def test_sigkill_during_the_final_merge_in_workers_then_rerun_completes(papers, tmp_path):
    """Killed while appending the workers' parts of the merge: the index keeps its segments; the next run merges."""
    import signal

    index_dir, marker = tmp_path / "index", tmp_path / "appending"
    script = f"""
import sys, time
sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(ROOT / "tests")!r}]
from pipeline.index.whoosh import merge as merge_mod
from pipeline.ingest import ingest
from test_ingest_workers import SectionsParser

merge_mod.MIN_PARALLEL_MERGE_BYTES = 0
real = merge_mod._SegmentMerge._append_part

def append(self, fw, task, segment):
    done = real(self, fw, task, segment)
    open({str(marker)!r}, "w").close()
    time.sleep(120)
    return done

merge_mod._SegmentMerge._append_part = append
ingest([{str(papers)!r}], {str(index_dir)!r}, parser=SectionsParser(), workers=2, commit_every={COMMIT_EVERY})
"""
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), proc.stderr.read() if proc.poll() is not None else "no merge part appended in time"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    with open_index(index_dir) as ix:  # every batch committed, the merge not
        assert ix.segment_count() == math.ceil(N_PAPERS / COMMIT_EVERY) and ix.count("report") == N_PAPERS
        assert unlisted_files(ix)  # the merged segment, half written
    summary = ingest([papers], index_dir, parser=SectionsParser(), workers=2, commit_every=COMMIT_EVERY)
    assert {o.status for o in summary.outcomes} == {"unchanged"}
    ingest([papers], tmp_path / "clean", parser=SectionsParser(), workers=1, commit_every=COMMIT_EVERY)
    assert content(index_dir) == content(tmp_path / "clean")
    assert not (index_dir / STAGING_DIR).exists()
    with open_index(index_dir) as ix:
        assert ix.segment_count() == 1 and unlisted_files(ix) == []


# ---------------------------------------------------------------- SIGKILL while workers write segments


@pytest.mark.slow
def test_sigkill_while_workers_write_segments_then_rerun_completes(tmp_path):
    from test_badfiles import paper_pdf
    from test_crash import check_index, kill_after, start_ingest

    folder = tmp_path / "papers"
    folder.mkdir()
    n = 18
    for k in range(n):
        (folder / f"paper-{k:02d}.pdf").write_bytes(paper_pdf(f"Staged copy number {k}"))
    index_dir = tmp_path / "index"
    held: set[str] = set()
    for lines in (4, 11):
        seen = kill_after(start_ingest(folder, index_dir, "--workers", "2", "--lock-timeout", "0"), lines)
        assert len(seen) == lines
        now = check_index(index_dir)
        assert held <= now
        held = now
    final = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "ingest",
            str(folder),
            "--index",
            str(index_dir),
            "--workers",
            "2",
            "--commit-every",
            "3",
            "--lock-timeout",
            "0",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert final.returncode == 0, final.stderr
    rows = [json.loads(line) for line in final.stdout.splitlines()]
    assert sum(r["status"] == "unchanged" for r in rows) == len(held)
    assert check_index(index_dir) == {f"paper-{k:02d}.pdf" for k in range(n)}
    assert not (index_dir / STAGING_DIR).exists()
    with open_index(index_dir) as ix:
        assert unlisted_files(ix) == [] and ix.count("report") == n
