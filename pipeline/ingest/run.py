"""One ingest run: decide every file in order, parse those that need it, commit in batches, merge once.

See :mod:`pipeline.ingest` for what a run guarantees. A :class:`_Run` keeps
the bookkeeping: each file's outcome, the parsed papers waiting for the next
commit, and, when workers write the index's segments (the engine's
``segment_staging``), the batches they are writing, committed in order.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from pipeline.errors import SearchIndexError
from pipeline.index import Index, MergeHelpers, SegmentStaging, engine_of, open_index, run_lock
from pipeline.ingest.files import Job, examine, identity, reading_note, reason
from pipeline.ingest.ledger import Ledger
from pipeline.ingest.parser import PaperParser, Parsed, Parser, warm_up_of
from pipeline.ingest.workers import InProcess, Parsers, Pool
from pipeline.model import IngestOutcome, IngestSummary, Report
from pipeline.read.walk import Found, scan_paths, storable_path

if TYPE_CHECKING:  # pragma: no cover - concurrent.futures loads multiprocessing: only when a pool is used
    from concurrent.futures import Future

#: Papers parsed between commits. A Whoosh commit writes a segment, and many small commits cost
#: several times fewer larger ones; beyond this, larger commits gain little. A crash loses at most
#: this many papers' parsing (with workers writing segments, up to MAX_SEGMENT_JOBS + 1 times as many).
COMMIT_EVERY = 100
#: Segments an index may hold during a run before the writer merges them (Whoosh: commits
#: write a segment each without merging; the run merges once at its end, and here when this
#: many have piled up, which keeps searches during a long ingest quick).
MAX_RUN_SEGMENTS = 64
#: Seconds an ingest waits for another ingest into the same index (``--lock-timeout``).
LOCK_TIMEOUT = 60.0
#: Batches being written as segments by worker processes at once (several workers, an engine
#: that stages segments: see _Run.stage). One keeps a worker writing while the next batch is
#: parsed; a second covers the commit of the one before. Each holds COMMIT_EVERY reports in this
#: process until its commit, and a crash loses the papers of those in flight as well as the
#: batch being gathered.
MAX_SEGMENT_JOBS = 2

#: ``progress(done, total, outcome)`` is called after each file.
Progress = Callable[[int, int, IngestOutcome], None]


@dataclass(frozen=True, slots=True)
class _Pending:
    """A parsed paper waiting for the next commit."""

    path: str  # the file's resolved path: its identity in the index
    sha256: str
    report: Report | None  # None: only remove what was indexed from ``path``
    outcome: IngestOutcome
    replaces: bool  # remove the documents indexed from ``path`` first


@dataclass(frozen=True, slots=True)
class _Staged:
    """A batch given to a worker to write as a segment, waiting to be committed."""

    pending: list[tuple[int, _Pending]]
    unrecorded: list[int]  # outcomes to record in the ledger once it is committed
    task: Any  # the engine's segment task (None: no staging directory could be made)
    future: Future[Any] | None  # the worker's result (None: not started: this process writes the batch)


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    parser: Parser | None = None,
    ocr: str = "auto",
    pdf_engine: str | None = None,
    workers: int = 1,
    strict: bool = False,
    retry_failed: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    commit_every: int | None = None,
    on_wait: Callable[[str], None] | None = None,
    engine: str | None = None,
    dask: str | None = None,
    ship_bytes: bool = False,
) -> IngestSummary:
    """Parse and index every paper named (folders expanded); one outcome per file, in order.

    ``ocr``: ``auto`` | ``always`` | ``never``, and ``pdf_engine``:
    ``pdfplumber`` | ``pdfium`` (for the default parser).
    ``workers``: processes parsing at once (1: in this process; see
    :func:`default_workers`); a ``parser`` given with more than one worker
    must be picklable. Results are settled in the order they arrive; the
    workers also write each batch as a segment, and the postings of the
    run's end merge, when the engine allows it; this process alone commits;
    outcomes, statuses and the index do not depend on the number of workers.
    ``strict``: stop at the first failure (what was parsed before it is
    committed; with several workers, papers already being parsed are finished).
    ``retry_failed``: also try again every file the ledger records as failed
    (folders that failed are checked when their parent is ingested again).
    ``lock_timeout``: seconds to wait for another ingest into the same index
    (``on_wait(message)`` is called once if it must wait).
    ``commit_every``: papers per commit (default :data:`COMMIT_EVERY`).
    ``engine``: the index engine (``whoosh`` | ``tantivy``) when the index is
    created here (an existing index keeps its own; another raises SearchIndexError).
    ``dask``: parse on a Dask cluster instead of local processes (``local:N``
    starts one of N processes, ``tcp://host:port`` connects to a scheduler;
    ``workers`` is then ignored): see :mod:`pipeline.ingest.cluster`; this
    process commits as with workers. ``ship_bytes``: send each file's bytes to
    the workers (which then need not see the files) instead of its path.
    Raises :class:`~pipeline.errors.IndexLocked` when the wait runs out, and
    :class:`~pipeline.errors.SearchIndexError` for an unusable index.
    """
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, not {workers}")
    parse = parser or PaperParser(ocr, pdf_engine=pdf_engine)
    if dask is not None:
        from pipeline.ingest.cluster import check_address

        check_address(dask)
    if workers > 1 or dask is not None:
        import pickle

        try:
            pickle.dumps(parse)
        except Exception as exc:
            raise ValueError(f"the parser cannot be sent to worker processes ({exc}): use workers=1") from exc
    paths = list(paths)
    with run_lock(index_dir, timeout=lock_timeout, on_wait=on_wait):
        ledger = Ledger.open(index_dir, create=True)
        assert ledger is not None
        with ledger, open_index(index_dir, create=True, engine=engine) as ix:
            if retry_failed:
                # Files only: a failed folder (a symlink loop, an unlistable folder) is
                # checked again by ingesting the folder holding it.
                named = {identity(Path(p)) for p in paths}
                paths += [p for p in ledger.failed_paths() if p not in named and not os.path.isdir(p)]
            found = list(scan_paths(paths))
            parsers = _parsers(parse, workers, len(found), dask=dask, ship_bytes=ship_bytes)
            # Several workers write the index's segments too, when the engine stages segments
            # (Whoosh; tantivy's own writer is multi-threaded): emptied here, under the run lock.
            staging = None
            if isinstance(parsers, Pool) and min(workers, len(found)) > 1:
                try:
                    staging = ix.segment_staging()
                except OSError:  # no staging area: this process writes every batch
                    staging = None
            run = _Run(
                ix,
                ledger,
                found,
                progress=progress,
                every=commit_every or COMMIT_EVERY,
                strict=strict,
                staging=staging,
                pool=parsers if isinstance(parsers, Pool) and staging is not None else None,
            )
            try:
                try:
                    run.go(parsers)
                    run.flush(last=True)
                    fill_councils(ix)
                    _merge(ix, staging, parsers)  # the run committed without merging: merge once, on success only
                except BaseException:
                    parsers.close(abort=True)
                    raise
                parsers.close()
            finally:
                if staging is not None:
                    staging.close()
            advice = _advice(ix, index_dir, run.held_before, run.outcomes)
    return IngestSummary(tuple(o for o in run.outcomes if o is not None), advice=advice)


def _advice(
    ix: Index, index_dir: str | os.PathLike[str], before: int, outcomes: list[IngestOutcome | None]
) -> str | None:
    """The suggestion to switch to tantivy, when this run took a Whoosh archive past its size (else None)."""
    from pipeline.ingest.reindex import WHOOSH_ADVICE_PAPERS, engine_advice

    added = sum(1 for o in outcomes if o is not None and o.status == "indexed")
    if before >= WHOOSH_ADVICE_PAPERS or before + added < WHOOSH_ADVICE_PAPERS or engine_of(ix.path) != "whoosh":
        return None
    papers = len(ix.files())
    return engine_advice(index_dir, papers) if papers >= WHOOSH_ADVICE_PAPERS else None


def _parsers(parse: Parser, workers: int, files: int, *, dask: str | None, ship_bytes: bool) -> Parsers:
    """The run's parse executor: this process, a pool of ``workers`` processes, or a Dask cluster."""
    if dask is not None:
        from pipeline.ingest.cluster import DaskParsers

        return DaskParsers(parse, dask, ship_bytes=ship_bytes)
    if workers == 1:
        return InProcess(parse)
    return Pool(parse, min(workers, files or 1), warm_up=warm_up_of(parse))


def _merge(ix: Index, staging: SegmentStaging | None, parsers: Parsers) -> None:
    """The run's one merge, its postings written by the worker processes too when the engine stages work.

    With a staging area and the workers running, the index's merge hands
    its postings to them in parts, a range of terms each, while this process
    copies the documents; it then appends the parts in order and commits the
    one merged segment (``merge(helpers=...)``): the same segment as merged
    here alone, so the index does not depend on the number of workers. A
    part that fails is written here; a merge that fails with its helpers is
    done again here alone. Otherwise (one worker, tantivy) the index merges
    by itself.
    """
    if staging is None or not isinstance(parsers, Pool) or not parsers.started():
        ix.merge()
        return
    try:
        ix.merge(helpers=MergeHelpers(parsers.run, parsers.workers, staging))
    except SearchIndexError:
        raise
    except Exception:  # nothing committed: merge here alone
        ix.merge()


class _Run:
    """One ingest's bookkeeping: what each file came to, what waits for the next commit."""

    def __init__(
        self,
        ix: Index,
        ledger: Ledger,
        found: list[Found],
        *,
        progress: Progress | None,
        every: int,
        strict: bool,
        staging: SegmentStaging | None = None,
        pool: Pool | None = None,
    ) -> None:
        self.ix = ix
        self.ledger = ledger
        self.found = found
        self.progress = progress
        self.every = every
        self.strict = strict
        self.outcomes: list[IngestOutcome | None] = [None] * len(found)
        # a problem found on the walk (a looping folder link) is known by the link itself
        self.keys = [storable_path(os.path.abspath(f.path)) if f.problem else identity(f.path) for f in found]
        self.by_path = ix.files()  # path -> sha256: committed, then as parsed in this run
        self.held_before = len(self.by_path)
        self.by_sha = {sha: path for path, sha in self.by_path.items()}
        self.pending: list[tuple[int, _Pending]] = []
        self.unrecorded: list[int] = []  # outcomes not yet in the ledger
        self.settled = 0
        self.stopped = False  # strict, and a file failed
        self.parsing: set[str] = set()  # sha256 of the files being parsed
        self.waiting: dict[str, list[Job]] = {}  # same content as a file being parsed: decided after it
        self.ready: deque[Job] = deque()  # decided after waiting: to parse
        self.staging = staging  # the index's staging area: batches are written as segments in `pool`
        self.pool = pool
        self.staged: deque[_Staged] = deque()  # batches being written by workers, in commit order

    def go(self, parsers: Parsers) -> None:
        """Decide every file in order; parse those that need it; settle results as they come."""
        for i, item in enumerate(self.found):
            if self.stopped:
                break
            if item.problem is not None:
                self.settle(i, IngestOutcome(str(item.path), item.status, reason=item.problem))
            else:
                decided: Job | _Pending | IngestOutcome | None = examine(i, item.path, self.keys[i])
                if isinstance(decided, Job):
                    decided = self.decide(decided)
                if isinstance(decided, Job):
                    self.ready.append(decided)
                elif decided is not None:
                    self.settle(i, decided)
            self.feed(parsers, block=False)
        while not self.stopped and (self.ready or parsers.busy()):
            self.feed(parsers, block=True)
        parsers.drop_queued()  # stopped: finish (and keep) what is being parsed, start nothing
        while parsers.busy():
            self.collect(parsers.results(block=True))
            self.adopt_done()

    def feed(self, parsers: Parsers, *, block: bool) -> None:
        """Submit the files ready to parse while there is room; settle what has been parsed."""
        while self.ready and not self.stopped:
            if parsers.full():
                self.collect(parsers.results(block=True))
                continue
            parsers.submit(self.ready.popleft())
        self.collect(parsers.results(block=block and parsers.busy()))
        self.adopt_done()

    def decide(self, job: Job) -> Job | _Pending | IngestOutcome | None:
        """An outcome now, or a parse; None: wait for the file with the same content being parsed.

        Files are decided in order, and a copy is decided only once the file it
        copies is parsed, so statuses are those of a run in one process.
        """
        sha = job.fp.sha256
        if sha in self.parsing:
            self.waiting.setdefault(sha, []).append(job)
            return None
        old_sha = self.by_path.get(job.key)
        if old_sha == sha:
            return IngestOutcome(str(job.path), "unchanged", sha256=sha)
        other = self.by_sha.get(sha)
        if other is not None and other != job.key:
            outcome = IngestOutcome(str(job.path), "duplicate", reason=f"same content as {other}", sha256=sha)
            if old_sha is not None:  # this path held other content before: drop it
                return _Pending(job.key, sha, None, outcome, replaces=True)
            return outcome
        self.parsing.add(sha)  # until it is parsed, files with the same content wait
        return replace(job, old_sha=old_sha)

    def collect(self, results: list[tuple[Job, Parsed]]) -> None:
        for job, parsed in results:
            sha = job.fp.sha256
            self.parsing.discard(sha)
            self.settle(job.index, _finish(job, parsed))
            for waiter in self.waiting.pop(sha, []):  # now a duplicate, unchanged, or (it failed) a parse
                decided = self.decide(waiter)
                if isinstance(decided, Job):
                    self.ready.appendleft(decided)
                elif decided is not None:
                    self.settle(waiter.index, decided)

    def settle(self, i: int, result: IngestOutcome | _Pending) -> None:
        """Record one file's outcome: report it, and commit when enough papers wait."""
        if isinstance(result, _Pending):
            self.pending.append((i, result))
            if result.report is not None:
                self.by_path[result.path] = result.sha256
                self.by_sha[result.sha256] = result.path
            outcome = result.outcome
        else:
            outcome = result
        self.outcomes[i] = outcome
        self.unrecorded.append(i)
        self.settled += 1
        if self.progress is not None:
            self.progress(self.settled, len(self.found), outcome)
        if self.strict and outcome.status == "failed":
            self.stopped = True
        if sum(1 for _, p in self.pending if p.report is not None) >= self.every:
            self.flush()

    def flush(self, *, last: bool = False) -> None:
        """Commit the papers waiting, then record every outcome since the last commit in the ledger.

        With a staging area, a batch holding reports goes to a worker to be
        written as a segment (:meth:`stage`), committed when it comes back;
        ``last``: and every batch is committed before this returns.
        """
        pending, unrecorded = self.pending, self.unrecorded
        self.pending, self.unrecorded = [], []
        if self.staging is not None and any(p.report is not None for _, p in pending):
            self.stage(pending, unrecorded)
        elif pending or unrecorded:
            self.adopt_all()  # commits stay in order
            self.commit(pending, unrecorded)
        if last:
            self.adopt_all()

    def stage(self, pending: list[tuple[int, _Pending]], unrecorded: list[int]) -> None:
        """Give a batch to a worker to write as a segment (at most :data:`MAX_SEGMENT_JOBS` at once)."""
        assert self.pool is not None and self.staging is not None
        while len(self.staged) >= MAX_SEGMENT_JOBS:
            self.adopt(self.staged.popleft())
        items = [(p.report, p.path, p.sha256) for _, p in pending if p.report is not None]
        try:
            task = self.staging.task(items)
        except Exception:  # no staging directory (disk full?): this process writes the batch
            task = None
        future = None if task is None else self.pool.run(task)
        self.staged.append(_Staged(pending, unrecorded, task, future))

    def adopt_done(self) -> None:
        """Commit the staged batches whose segments are written, in order."""
        while self.staged and (self.staged[0].future is None or self.staged[0].future.done()):
            self.adopt(self.staged.popleft())

    def adopt_all(self) -> None:
        while self.staged:
            self.adopt(self.staged.popleft())

    def adopt(self, staged: _Staged) -> None:
        """Commit a staged batch: its segment once a worker wrote it; if that failed, as in one process."""
        segment = None
        if staged.future is not None:
            try:
                segment = staged.future.result()
            except Exception:  # the worker failed (or died): the batch is written here, paper by paper if need be
                segment = None
        try:
            self.commit(staged.pending, staged.unrecorded, segment)
        finally:
            if staged.task is not None and self.staging is not None:
                self.staging.discard(staged.task)

    def commit(self, pending: list[tuple[int, _Pending]], unrecorded: list[int], segment: Any = None) -> None:
        """Commit a batch (as a written segment, if given), merge if too many segments, record the ledger."""
        failed: dict[int, IngestOutcome] | None = None
        if segment is not None:
            try:
                _commit(self.ix, [p for _, p in pending], segment)
                failed = {}
            except SearchIndexError:
                raise
            except Exception:  # nothing adopted: written here instead
                failed = None
        if failed is None:
            failed = _write(self.ix, pending)
        for i, outcome in failed.items():
            self.outcomes[i] = outcome
        if self.ix.segment_count() > MAX_RUN_SEGMENTS:
            self.ix.merge()
        self.ledger.record([(self.keys[i], done) for i in unrecorded if (done := self.outcomes[i]) is not None])


def _finish(job: Job, parsed: Parsed) -> _Pending | IngestOutcome:
    """A parsed file's write for the next commit, or its failure."""
    path, sha = job.path, job.fp.sha256
    report = parsed.report
    if report is None:
        return IngestOutcome(str(path), "failed", reason=parsed.error or f"{path}: no report", sha256=sha)
    status = "replaced" if job.old_sha is not None else "indexed"
    sections = len(report.sections) + sum(len(p.sections) for p in report.parts)
    note = parsed.note or reading_note(path, job.fp)
    outcome = IngestOutcome(str(path), status, reason=note, report_id=report.id, sha256=sha, sections=sections)
    return _Pending(job.key, sha, report, outcome, replaces=job.old_sha is not None)


def _write(ix: Index, pending: list[tuple[int, _Pending]]) -> dict[int, IngestOutcome]:
    """Commit the pending papers together; if that fails, one by one, failing only the bad ones.

    Returns the outcomes that changed (to ``failed``). An unusable index
    (locked, unreadable) is not one paper's fault: that error propagates.
    """
    if not pending:
        return {}
    try:
        _commit(ix, [p for _, p in pending])
        return {}
    except SearchIndexError:
        raise
    except Exception:
        pass
    failed: dict[int, IngestOutcome] = {}
    for i, p in pending:
        try:
            _commit(ix, [p])
        except SearchIndexError:
            raise
        except Exception as exc:
            failed[i] = replace(p.outcome, status="failed", reason=reason(p.outcome.path, exc), sections=0)
    return failed


def _commit(ix: Index, items: list[_Pending], segment: Any = None) -> None:
    """Commit a batch: what each item replaces goes, its report comes in (or ``segment``, the one a
    worker wrote of their reports, which replaces their committed documents as ``add_report`` does)."""
    # No merge at each commit: the run merges at its end (see MAX_RUN_SEGMENTS).
    with ix.batch(merge=False) as b:
        for p in items:
            if p.replaces:
                b.remove_path(p.path)
            if segment is None and p.report is not None:
                b.add_report(p.report, path=p.path, sha256=p.sha256)
        if segment is not None:
            b.add_segment(segment)


# ---------------------------------------------------------------- councils from sibling papers


def fill_councils(ix: Index) -> int:
    """Reports that name no council take it from papers to the same committee; returns how many.

    The rule is :func:`pipeline.parse.council_lender`'s, as in
    :func:`pipeline.enrich.fill_from_siblings`: only councils a paper names
    count, the same folder first, then the whole index; a committee name
    several councils share ("Cabinet") lends nothing. Decided over the whole
    index after the run, so the result does not depend on the order papers
    were parsed in. Writes (in :data:`COMMIT_EVERY`-report commits) only
    when something is filled.
    """
    from pipeline.enrich.siblings import committee_key, council_lender

    where = ix.hashes()  # sha256 -> the indexed path
    named: list[tuple[str | None, str, str]] = []
    lacking: dict[str, tuple[str, str]] = {}  # top-level report id -> its sha256 and folder
    for r in ix.iter_reports():
        key = committee_key(r.committee)
        folder = os.path.dirname(where.get(r.source.sha256, r.source.path))
        if key and r.council and "council" in r.provenance:
            named.append((r.committee, folder, r.council))
        elif key and not r.council:
            lacking[r.parent_id or r.id] = (r.source.sha256, folder)
    if not lacking or not named:
        return 0
    lent = council_lender(named)

    def filled(r: Report, folder: str) -> Report:
        parts = tuple(filled(p, folder) for p in r.parts)
        council = r.council or lent(r.committee, folder)
        if council == r.council and all(a is b for a, b in zip(parts, r.parts)):
            return r
        return replace(r, council=council, parts=parts)

    changed: list[tuple[Report, str, str]] = []
    for rid, (sha, folder) in sorted(lacking.items()):
        report = ix.get_report(rid)
        if report is None:
            continue
        new = filled(report, folder)
        if new is not report:
            changed.append((new, where.get(sha, report.source.path), sha))
    for start in range(0, len(changed), COMMIT_EVERY):
        with ix.batch(merge=False) as b:
            for report, path, sha in changed[start : start + COMMIT_EVERY]:
                b.add_report(report, path=path, sha256=sha)
    return len(changed)
