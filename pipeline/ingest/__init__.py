"""Ingest papers into the index: expand folders, parse each file, index it, record it.

A bad file never stops the run (unless ``strict``): its problem becomes a
``failed`` outcome with a one-line reason naming the file, and nothing
already indexed is lost. Files are identified by content hash:

* ``indexed``   -- new file, added;
* ``unchanged`` -- same path, same sha256: nothing to do (not even parsed);
* ``replaced``  -- same path, new content: its old documents are replaced;
* ``duplicate`` -- the same content is already indexed under another path
  (or a folder was reached twice through a symlink): skipped, ``reason`` says where;
* ``failed``    -- could not be read, parsed or indexed (``reason`` says why).

An indexed or replaced file may carry a ``reason`` too: a note on how it was
read (OCR, Windows-1252 text, PDF content under another extension).

Safety:

* One ingest writes an index at a time: the run holds the index's run lock
  (:func:`pipeline.index.run_lock`), waiting up to ``lock_timeout`` seconds
  for another run, then raising :class:`~pipeline.errors.IndexLocked`.
  Searches never wait.
* Writes are batched: one commit per :data:`COMMIT_EVERY` parsed papers. A
  commit is all or nothing, so a crash (even SIGKILL) loses at most the papers
  parsed since the last commit (with workers writing segments, up to
  :data:`MAX_SEGMENT_JOBS` batches may be being written besides the one being
  gathered); running again indexes the rest, and nothing twice (report ids
  come from path and content). Commits don't merge the index's segments (a
  Whoosh merge rewrites what it merges, so merging at every commit made
  writing cost grow with the archive): the run merges once at its end, after
  its last commit (only if the run succeeded: an interrupted merge commits
  nothing), and on the way whenever :data:`MAX_RUN_SEGMENTS` have piled up.
  A run killed before its end leaves more segments, merged by the next run.
* After each commit the ledger (:mod:`pipeline.ingest.ledger`) records every file
  seen since the previous one, so ``boardpapers status`` lists what the
  archive holds and what failed, and ``retry_failed`` tries failures again.

Parallel parsing and writing (``workers``): files are examined (hashed,
judged unchanged or duplicate) in this process, in order; those to parse go
to a pool of worker processes, at most :data:`IN_FLIGHT_PER_WORKER` per worker
at a time (memory stays bounded whatever the archive's size), each worker
loading spaCy once. When the index's engine offers a staging area (Whoosh:
``segment_staging``), each batch of parsed papers goes back to a worker, which
does the indexing work (analysis, postings) and writes the batch as a whole
segment in the staging area, while the others parse; this process alone
commits: the segments in the order the batches were made, each in one commit
that deletes what its papers replace and lists the segment, at most
:data:`MAX_SEGMENT_JOBS` being written at once. A batch whose segment could
not be written is written in this process, as with one worker (only its bad
papers fail). The run's end merge (:func:`_merge`) has the workers write
the merged segment's postings, a range of terms each, while this process
copies its documents, then appends their parts and commits the one segment:
the segment merged here alone, byte for byte (a part a worker could not
write is written here). With one worker, or an engine without staging
(tantivy, whose writer has threads of its own), this process writes every
batch and merges alone. A killed ingest takes its workers with it, and the
next run clears what they left in the staging area. The outcomes and the
index are the same whatever the number of workers.

Councils: after the run, a report that names no council takes it from the
papers to the same committee (:func:`fill_councils`).
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from pipeline import config
from pipeline.errors import BoardpapersError, NeedsOCR, SearchIndexError
from pipeline.model import IngestOutcome, IngestSummary, Report
from pipeline.read.walk import Found, scan_paths, storable_path

if TYPE_CHECKING:  # pragma: no cover - concurrent.futures loads multiprocessing: only when a pool is used
    from concurrent.futures import Future, ProcessPoolExecutor

#: Papers parsed between commits. A Whoosh commit writes a segment and merges small ones:
#: at 20 papers a commit, writing cost twice what it does at 100 (13 ms a paper, 2 cores, 2026-11);
#: beyond 100 it gains little. A crash loses at most this many papers' parsing (with workers
#: writing segments, up to MAX_SEGMENT_JOBS + 1 times as many).
COMMIT_EVERY = 100
#: Segments an index may hold during a run before the writer merges them (Whoosh: commits
#: write a segment each without merging; the run merges once at its end, and here when this
#: many have piled up, which keeps searches during a long ingest quick).
MAX_RUN_SEGMENTS = 64
#: Bytes read at a time when hashing a file.
HASH_CHUNK = 1 << 20
#: Leading bytes kept to tell what a file is.
HEAD_BYTES = 2048
#: Seconds an ingest waits for another ingest into the same index (``--lock-timeout``).
LOCK_TIMEOUT = 60.0
#: Files handed to each worker process at a time. Enough to keep workers parsing while this
#: process commits (a 100-paper Whoosh commit takes about 1.3 s: 60 papers' parsing), and a
#: bound on memory: at most this many parsed reports per worker wait to be written.
IN_FLIGHT_PER_WORKER = 32
#: Seconds between a worker's checks that the ingest that started it is still alive.
PARENT_CHECK_SECONDS = 1.0
#: Batches being written as segments by worker processes at once (several workers, an engine
#: that stages segments: see _Run.stage). One keeps a worker writing while the next batch is
#: parsed; a second covers the commit of the one before. Each holds COMMIT_EVERY reports in this
#: process until its commit, and a crash loses the papers of those in flight as well as the
#: batch being gathered.
MAX_SEGMENT_JOBS = 2
#: The reason given for a file whose parsing killed its worker process.
WORKER_DIED = "the process parsing this file died (a crash in the PDF library, or out of memory?)"
#: The leading bytes of common files that are not papers -> what they are.
FOREIGN_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (a Word .docx, Excel .xlsx or OpenDocument file?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc, .xls?)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image (save scans as PDF to have them OCR'd)"),
    (b"\xff\xd8\xff", "a JPEG image (save scans as PDF to have them OCR'd)"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image (save scans as PDF to have them OCR'd)"),
    (b"MM\x00*", "a TIFF image (save scans as PDF to have them OCR'd)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)
#: File types other than regular files, by ``stat`` test.
SPECIAL_FILES: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)

#: ``progress(done, total, outcome)`` is called after each file.
Progress = Callable[[int, int, IngestOutcome], None]
#: Turns a file into its record (:class:`PaperParser` by default).
Parser = Callable[[Path], Report]


@dataclass(frozen=True, slots=True)
class _Pending:
    """A parsed paper waiting for the next commit."""

    path: str  # the file's resolved path: its identity in the index
    sha256: str
    report: Report | None  # None: only remove what was indexed from ``path``
    outcome: IngestOutcome
    replaces: bool  # remove the documents indexed from ``path`` first


@dataclass(frozen=True, slots=True)
class _Fingerprint:
    sha256: str
    head: bytes
    utf8: bool  # the whole file decodes as UTF-8


@dataclass(frozen=True, slots=True)
class _Job:
    """A file to parse, with what was learnt of it before parsing."""

    index: int  # its place among the files found
    path: Path
    key: str  # its identity in the index (see _key)
    fp: _Fingerprint
    old_sha: str | None = None  # the content indexed from this path before, if any


@dataclass(frozen=True, slots=True)
class _Staged:
    """A batch given to a worker to write as a segment, waiting to be committed."""

    pending: list[tuple[int, _Pending]]
    unrecorded: list[int]  # outcomes to record in the ledger once it is committed
    task: Any  # the engine's segment task (None: no staging directory could be made)
    future: Future[Any] | None  # the worker's result (None: not started: this process writes the batch)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """What parsing one file gave: a report (and how it was read), or the one-line reason it failed."""

    report: Report | None
    note: str | None = None
    error: str | None = None


# ---------------------------------------------------------------- finding files


# ---------------------------------------------------------------- reading one file


def file_sha256(path: Path) -> str:
    return _fingerprint(path).sha256


def _fingerprint(path: Path) -> _Fingerprint:
    """sha256, the leading bytes, and whether the file is valid UTF-8 (read once)."""
    h = hashlib.sha256()
    head = b""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return _Fingerprint(h.hexdigest(), head, utf8)


def _key(path: Path) -> str:
    """A file's identity: its resolved path (absolute, when a symlink loop can't be resolved)."""
    try:
        return storable_path(str(path.resolve()))
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return storable_path(os.path.abspath(path))


def _reason(path: Path | str, exc: BaseException) -> str:
    """One line naming the file and what went wrong."""
    if isinstance(exc, BoardpapersError):
        text = str(exc)
        text = text if str(path) in text else f"{path}: {text}"
    elif isinstance(exc, OSError):
        text = f"{path}: {_os_reason(path, exc)}"
    else:
        text = f"{path}: {type(exc).__name__}: {exc}"
    return " ".join(text.split())


def _os_reason(path: Path | str, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop: the link leads back to itself"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return f"broken symlink (it points to {os.readlink(path)}, which does not exist)"
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied: cannot read the file"
    return exc.strerror or str(exc)


def _check_file(path: Path) -> str | None:
    """Why a path can't be read as a paper, judged without opening it (None: try it)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"{path}: {_os_reason(path, exc)}"
    for test, kind in SPECIAL_FILES:
        if test(st.st_mode):
            return f"{path}: {kind}, not a regular file: skipped without reading"
    if st.st_size == 0:
        return f"{path}: empty file"
    return None


def _foreign_format(path: Path, head: bytes) -> str | None:
    for magic, what in FOREIGN_FORMATS:
        if head.startswith(magic):
            return f"{path}: {what}, not a PDF, text or markdown paper"
    return None


def _note(path: Path, fp: _Fingerprint) -> str | None:
    """How a readable file was read, when that's worth knowing."""
    is_pdf = fp.head.lstrip()[:5] == b"%PDF-"
    if is_pdf and path.suffix.lower() != ".pdf":
        return f"PDF content under a {path.suffix or 'suffix-less'} name: read as PDF"
    if not is_pdf and not fp.utf8:
        from pipeline.read.text import encoding_note

        return encoding_note(path)
    return None


# ---------------------------------------------------------------- parsing (with OCR)


class PaperParser:
    """The default parser: read and parse a paper, OCR-ing scanned PDFs per ``ocr`` mode.

    ``pdf_engine``: ``pdfplumber`` | ``pdfium`` (default ``$BOARDPAPERS_PDF_ENGINE``,
    else pdfplumber). ``notes`` maps a path to how it was read (``"text from OCR"``).
    """

    def __init__(self, ocr: str = "auto", *, pdf_engine: str | None = None) -> None:
        if ocr not in config.OCR_MODES:
            raise ValueError(f"unknown OCR mode {ocr!r} (choose from {', '.join(config.OCR_MODES)})")
        self.ocr = ocr
        self.pdf_engine = config.pdf_engine(pdf_engine)
        self.notes: dict[str, str] = {}

    def __call__(self, path: Path) -> Report:
        from pipeline.read.sidecar import with_sidecar

        # A fetched paper's sidecar (<file>.meta.json) adds what the council's website knows.
        return with_sidecar(path, self._parse(path))

    def _parse(self, path: Path) -> Report:
        from pipeline.enrich.report import parse_document
        from pipeline.read import read_lines
        from pipeline.read.ocr import ocr_document

        if self.ocr == "always" and _is_pdf(path):
            doc = ocr_document(path, file_sha256(path), force=True)
            self.notes[str(path)] = "text from OCR (--ocr always)"
            return parse_document(doc)
        try:
            doc = read_lines(path, pdf_engine=self.pdf_engine)
        except NeedsOCR as exc:
            if self.ocr == "never":
                raise NeedsOCR(str(path), exc.reason, hint="OCR is off (--ocr never): ingest with --ocr auto") from None
            doc = ocr_document(path, file_sha256(path))
            self.notes[str(path)] = "text from OCR (a scanned PDF)"
        return parse_document(doc)

    def warm_up(self) -> None:
        """Load the parser's modules and the spaCy pipeline now (once per worker process)."""
        from pipeline.enrich.entities import get_nlp
        from pipeline.enrich.report import parse_document  # noqa: F401

        get_nlp()


def _is_pdf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(HEAD_BYTES).lstrip()[:5] == b"%PDF-"


def default_workers() -> int:
    """Parsing processes when none are asked for: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _parse_one(parse: Parser, path: Path) -> _Parsed:
    """Parse one file; a failure becomes its one-line reason (never an exception, but Ctrl-C)."""
    notes: dict[str, str] = getattr(parse, "notes", {})
    try:
        report = parse(path)
    except Exception as exc:  # one bad file must not stop the run
        notes.pop(str(path), None)
        return _Parsed(None, error=_reason(path, exc))
    return _Parsed(report, note=notes.pop(str(path), None))


# ---------------------------------------------------------------- worker processes

_worker_parser: Parser | None = None


def _start_worker(parse: Parser, parent: int) -> None:
    """A pool process's initializer: keep the parser, load its models once, die with the ingest."""
    import signal
    import threading

    global _worker_parser
    # Ctrl-C reaches the whole process group: the ingest handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="parent-watch", daemon=True).start()
    _worker_parser = parse
    warm_up = getattr(parse, "warm_up", None)
    if warm_up is not None:
        try:
            warm_up()
        except Exception:  # pragma: no cover - each file will fail with the reason, as in one process
            pass


def _exit_with_parent(parent: int) -> None:
    """End this worker once the ingest that started it is gone (killed, even with SIGKILL)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _parse_in_worker(path: str) -> _Parsed:
    assert _worker_parser is not None, "the worker was not started by _start_worker"
    return _parse_one(_worker_parser, Path(path))


class _InProcess:
    """Parses in the ingest's own process, one file at a time (``workers=1``)."""

    def __init__(self, parse: Parser) -> None:
        self._parse = parse
        self._done: list[tuple[_Job, _Parsed]] = []

    def full(self) -> bool:
        return False

    def busy(self) -> bool:
        return bool(self._done)

    def submit(self, job: _Job) -> None:
        self._done.append((job, _parse_one(self._parse, job.path)))

    def results(self, *, block: bool) -> list[tuple[_Job, _Parsed]]:
        out, self._done = self._done, []
        return out

    def drop_queued(self) -> None:
        pass

    def close(self, *, abort: bool = False) -> None:
        pass


class _Pool:
    """Parses in ``workers`` processes, at most :data:`IN_FLIGHT_PER_WORKER` files each in flight.

    The processes are started (``spawn``: they inherit neither the run lock nor
    the index's write lock) when the first file is submitted. If one dies (a
    crash inside a PDF library, the kernel's OOM killer), the files in flight
    are parsed again one at a time in a new pool, so that only the file that
    kills a worker fails.
    """

    def __init__(self, parse: Parser, workers: int) -> None:
        self._parse = parse
        self._workers = workers
        self._limit = workers * IN_FLIGHT_PER_WORKER
        self._executor: ProcessPoolExecutor | None = None
        self._in_flight: dict[Future[_Parsed], _Job] = {}
        self._suspects: deque[_Job] = deque()  # in flight when a worker died: parsed one at a time
        self._alone: _Job | None = None  # the suspect being parsed with nothing beside it

    def full(self) -> bool:
        return bool(self._suspects) or self._alone is not None or len(self._in_flight) >= self._limit

    def busy(self) -> bool:
        return bool(self._in_flight or self._suspects)

    def submit(self, job: _Job) -> None:
        self._in_flight[self._pool().submit(_parse_in_worker, str(job.path))] = job

    @property
    def workers(self) -> int:
        return self._workers

    def started(self) -> bool:
        """Whether the worker processes are running (they start with the first file submitted)."""
        return self._executor is not None

    def run(self, task: Callable[[], Any]) -> Future[Any] | None:
        """Run a picklable task (a batch to write as a segment, a part of a merge) in a worker; None: not now.

        Not while a file suspected of killing a worker is parsed alone (a task
        beside it could be what dies, and be blamed on it), nor when the pool
        cannot take work: the caller does the work itself.
        """
        from concurrent.futures.process import BrokenProcessPool

        if self._suspects or self._alone is not None:
            return None
        try:
            return self._pool().submit(task)
        except (BrokenProcessPool, RuntimeError):  # broken, or shut down
            return None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._executor = ProcessPoolExecutor(
                self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self._parse, os.getpid()),
            )
        return self._executor

    def results(self, *, block: bool) -> list[tuple[_Job, _Parsed]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        if not self._in_flight:
            return []
        done, _ = wait(self._in_flight, timeout=None if block else 0, return_when=FIRST_COMPLETED)
        out: list[tuple[_Job, _Parsed]] = []
        died: list[_Job] = []
        for future in done:
            job = self._in_flight.pop(future)
            try:
                out.append((job, future.result()))
            except BrokenProcessPool:
                died.append(job)
            except Exception as exc:  # the result could not be sent back (not picklable...)
                out.append((job, _Parsed(None, error=_reason(job.path, exc))))
        if died:
            died += self._in_flight.values()  # the pool is gone, and every task in it
            self._in_flight.clear()
            self.close(abort=True)
            if self._alone is not None and died == [self._alone]:
                out.append((self._alone, _Parsed(None, error=f"{self._alone.path}: {WORKER_DIED}")))
            else:
                self._suspects.extend(sorted(died, key=lambda j: j.index))
        if self._alone is not None and self._alone not in self._in_flight.values():
            self._alone = None
        if self._suspects and not self._in_flight:
            self._alone = self._suspects.popleft()
            self.submit(self._alone)
        return out

    def drop_queued(self) -> None:
        """Forget the files no worker has started on (the run is stopping)."""
        self._suspects.clear()
        for future in [f for f in self._in_flight if f.cancel()]:
            del self._in_flight[future]

    def close(self, *, abort: bool = False) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if abort:
            _stop_workers(executor)
        executor.shutdown(wait=True, cancel_futures=True)


def _stop_workers(executor: ProcessPoolExecutor) -> None:
    """Terminate a pool's processes now, whatever they are doing (their results are not wanted)."""
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()


# ---------------------------------------------------------------- the run


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
    Raises :class:`~pipeline.errors.IndexLocked` when the wait runs out, and
    :class:`~pipeline.errors.SearchIndexError` for an unusable index.
    """
    from pipeline.index import open_index, run_lock
    from pipeline.ingest.ledger import Ledger

    if workers < 1:
        raise ValueError(f"workers must be 1 or more, not {workers}")
    parse = parser or PaperParser(ocr, pdf_engine=pdf_engine)
    if workers > 1:
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
                named = {_key(Path(p)) for p in paths}
                paths += [p for p in ledger.failed_paths() if p not in named and not os.path.isdir(p)]
            found = list(scan_paths(paths))
            parsers: _InProcess | _Pool = _InProcess(parse) if workers == 1 else _Pool(parse, min(workers, len(found) or 1))
            # Several workers write the index's segments too, when the engine stages segments
            # (Whoosh; tantivy's own writer is multi-threaded): emptied here, under the run lock.
            stage = getattr(ix, "segment_staging", None) if min(workers, len(found)) > 1 else None
            try:
                staging = stage() if stage is not None else None
            except OSError:  # no staging area: this process writes every batch
                staging = None
            run = _Run(ix, ledger, found, progress=progress, every=commit_every or COMMIT_EVERY, strict=strict,
                       staging=staging, pool=parsers if staging is not None else None)
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
    return IngestSummary(tuple(o for o in run.outcomes if o is not None))


def _merge(ix: Any, staging: Any, parsers: _InProcess | _Pool) -> None:
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
    if staging is None or not isinstance(parsers, _Pool) or not parsers.started():
        ix.merge()
        return
    from pipeline.index import MergeHelpers

    try:
        ix.merge(helpers=MergeHelpers(parsers.run, parsers.workers, staging))
    except SearchIndexError:
        raise
    except Exception:  # nothing committed: merge here alone
        ix.merge()


class _Run:
    """One ingest's bookkeeping: what each file came to, what waits for the next commit."""

    def __init__(
        self, ix: Any, ledger: Any, found: list[Found], *, progress: Progress | None, every: int, strict: bool,
        staging: Any = None, pool: _Pool | None = None,
    ) -> None:
        self.ix = ix
        self.ledger = ledger
        self.found = found
        self.progress = progress
        self.every = every
        self.strict = strict
        self.outcomes: list[IngestOutcome | None] = [None] * len(found)
        # a problem found on the walk (a looping folder link) is known by the link itself
        self.keys = [storable_path(os.path.abspath(f.path)) if f.problem else _key(f.path) for f in found]
        self.by_path = ix.files()  # path -> sha256: committed, then as parsed in this run
        self.by_sha = {sha: path for path, sha in self.by_path.items()}
        self.pending: list[tuple[int, _Pending]] = []
        self.unrecorded: list[int] = []  # outcomes not yet in the ledger
        self.settled = 0
        self.stopped = False  # strict, and a file failed
        self.parsing: set[str] = set()  # sha256 of the files being parsed
        self.waiting: dict[str, list[_Job]] = {}  # same content as a file being parsed: decided after it
        self.ready: deque[_Job] = deque()  # decided after waiting: to parse
        self.staging = staging  # the index's staging area: batches are written as segments in `pool`
        self.pool = pool
        self.staged: deque[_Staged] = deque()  # batches being written by workers, in commit order

    def go(self, parsers: _InProcess | _Pool) -> None:
        """Decide every file in order; parse those that need it; settle results as they come."""
        for i, item in enumerate(self.found):
            if self.stopped:
                break
            if item.problem is not None:
                self.settle(i, IngestOutcome(str(item.path), item.status, reason=item.problem))
            else:
                decided = _examine(i, item.path, self.keys[i])
                if isinstance(decided, _Job):
                    decided = self.decide(decided)
                if isinstance(decided, _Job):
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

    def feed(self, parsers: _InProcess | _Pool, *, block: bool) -> None:
        """Submit the files ready to parse while there is room; settle what has been parsed."""
        while self.ready and not self.stopped:
            if parsers.full():
                self.collect(parsers.results(block=True))
                continue
            parsers.submit(self.ready.popleft())
        self.collect(parsers.results(block=block and parsers.busy()))
        self.adopt_done()

    def decide(self, job: _Job) -> _Job | _Pending | IngestOutcome | None:
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

    def collect(self, results: list[tuple[_Job, _Parsed]]) -> None:
        for job, parsed in results:
            sha = job.fp.sha256
            self.parsing.discard(sha)
            self.settle(job.index, _finish(job, parsed))
            for waiter in self.waiting.pop(sha, []):  # now a duplicate, unchanged, or (it failed) a parse
                decided = self.decide(waiter)
                if isinstance(decided, _Job):
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
        assert self.pool is not None
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
            if staged.task is not None:
                self.staging.discard(staged.task)

    def commit(self, pending: list[tuple[int, _Pending]], unrecorded: list[int], segment: Any = None) -> None:
        """Commit a batch (as a written segment, if given), merge if too many segments, record the ledger."""
        failed = None
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
        self.ledger.record([(self.keys[i], self.outcomes[i]) for i in unrecorded])


def _examine(i: int, path: Path, key: str) -> _Job | IngestOutcome:
    """What can be told of a file before the index is asked: a failure, or its fingerprint."""
    problem = _check_file(path)
    if problem is not None:
        return IngestOutcome(str(path), "failed", reason=problem)
    try:
        fp = _fingerprint(path)
    except OSError as exc:
        return IngestOutcome(str(path), "failed", reason=_reason(path, exc))
    foreign = _foreign_format(path, fp.head)
    if foreign is not None:
        return IngestOutcome(str(path), "failed", reason=foreign, sha256=fp.sha256)
    return _Job(i, path, key, fp)


def _finish(job: _Job, parsed: _Parsed) -> _Pending | IngestOutcome:
    """A parsed file's write for the next commit, or its failure."""
    path, sha = job.path, job.fp.sha256
    report = parsed.report
    if report is None:
        return IngestOutcome(str(path), "failed", reason=parsed.error or f"{path}: no report", sha256=sha)
    status = "replaced" if job.old_sha is not None else "indexed"
    sections = len(report.sections) + sum(len(p.sections) for p in report.parts)
    note = parsed.note or _note(path, job.fp)
    outcome = IngestOutcome(str(path), status, reason=note, report_id=report.id, sha256=sha, sections=sections)
    return _Pending(job.key, sha, report, outcome, replaces=job.old_sha is not None)


def _write(ix: Any, pending: list[tuple[int, _Pending]]) -> dict[int, IngestOutcome]:
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
            failed[i] = replace(p.outcome, status="failed", reason=_reason(p.outcome.path, exc), sections=0)
    return failed


def _commit(ix: Any, items: list[_Pending], segment: Any = None) -> None:
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


def fill_councils(ix: Any) -> int:
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
