"""Parsing on a Dask cluster: the parse executor of ``ingest(..., dask=ADDRESS)``.

Only the executor differs from ``--workers``: :class:`DaskParsers` takes the
same :class:`~pipeline.ingest.files.Job` s and gives back each with its
:class:`~pipeline.ingest.parser.Parsed`, in the order they finish, so the run
(:mod:`pipeline.ingest.run`) decides, commits, records the ledger and merges
in this process exactly as with a pool: same commit batches, same crash
safety. ``dask`` and ``distributed`` are imported only here, and only when a
run asks for a cluster (``pip install 'boardpapers[cluster]'``).

* The address: ``local:N`` starts a ``LocalCluster`` of N worker processes
  (one thread each) on this machine, closed at the end of the run;
  ``tcp://host:port`` connects to a running scheduler.
* A paper travels as its absolute path (workers see the same files: shared
  storage) or, with ``ship_bytes``, as its bytes and its sidecar's, written to
  a temporary folder on the worker under the file's own name; either way the
  record comes back naming the path as the run was given it, so records do
  not depend on where they were parsed. What comes back is the record
  (``Parsed``), not the document's lines.
* Back-pressure: at most :data:`IN_FLIGHT_PER_THREAD` papers per worker
  thread are submitted and not yet collected, so the client's memory does not
  grow with the archive.
* A worker that dies mid-paper: the scheduler gives the paper to another
  worker; once it has been in flight on more than ``allowed-failures``
  workers that died (:data:`LOCAL_ALLOWED_FAILURES` on a local cluster; a
  remote scheduler's own setting), it fails with :data:`WORKER_DIED` as the
  reason. A local cluster's nannies restart dead workers.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.ingest.files import Job, reason
from pipeline.ingest.parser import Parsed, Parser, parse_one, warm_up_of
from pipeline.ingest.workers import IN_FLIGHT_PER_WORKER, WORKER_DIED
from pipeline.model import Report
from pipeline.read.sidecar import sidecar_path

if TYPE_CHECKING:  # pragma: no cover - distributed is an optional extra
    from distributed import Client, Future

#: ``--dask local:N``: a LocalCluster of N processes started by the ingest.
LOCAL_PREFIX = "local:"
#: Papers per worker thread submitted and not yet collected: as many as a pool worker holds.
IN_FLIGHT_PER_THREAD = IN_FLIGHT_PER_WORKER
#: On a local cluster, how many deaths of workers a paper was in flight on are forgiven before it fails
#: (Dask's ``distributed.scheduler.allowed-failures``; a remote scheduler keeps its own setting).
LOCAL_ALLOWED_FAILURES = 2
#: Where a local cluster's scheduler serves HTTP (its health page): any free port, so that runs side by side
#: on one machine do not fight over Dask's default 8787.
LOCAL_HTTP_ADDRESS = "127.0.0.1:0"
#: Seconds to wait for a scheduler, and for a local cluster's workers to start.
CONNECT_TIMEOUT = 60.0
#: What to install when ``--dask`` is asked for without Dask.
INSTALL_HINT = "pip install 'boardpapers[cluster]'"


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as it travels to a worker: where to read it, or its bytes; and the path its record names."""

    shown: str  # the path as the run was given it: the record's source path
    read_from: str | None  # the absolute path a worker reads (shared storage); None: ``data`` is the file
    data: bytes | None = None
    sidecar: bytes | None = None  # the file's sidecar (<file>.meta.json), shipped with it


_warm: set[type] = set()  # the parser classes whose models this worker process has loaded


def parse_paper(parse: Parser, paper: Paper) -> Parsed:
    """Parse one paper on a worker (a Dask task): from its path, or from its bytes in a temporary folder.

    The first paper a worker process parses loads the parser's models (spaCy) first, once.
    """
    if type(parse) not in _warm and (warm_up := warm_up_of(parse)) is not None:
        try:
            warm_up()
        except Exception:  # pragma: no cover - each paper will fail with the reason, as in one process
            pass
    _warm.add(type(parse))
    if paper.data is None:
        assert paper.read_from is not None
        return _named(parse_one(parse, Path(paper.read_from)), paper.read_from, paper.shown)
    name = Path(paper.shown).name
    with tempfile.TemporaryDirectory(prefix="boardpapers-") as tmp:
        local = Path(tmp) / name
        local.write_bytes(paper.data)
        if paper.sidecar is not None:
            sidecar_path(local).write_bytes(paper.sidecar)
        return _named(parse_one(parse, local), str(local), paper.shown)


def _named(parsed: Parsed, read_from: str, shown: str) -> Parsed:
    """The result naming ``shown`` where parsing saw ``read_from`` (the record's source, a failure's reason)."""
    if read_from == shown:
        return parsed
    if parsed.report is None:
        return replace(parsed, error=parsed.error.replace(read_from, shown) if parsed.error else parsed.error)
    return replace(parsed, report=_with_path(parsed.report, shown))


def _with_path(report: Report, path: str) -> Report:
    parts = tuple(_with_path(p, path) for p in report.parts)
    return replace(report, source=replace(report.source, path=path), parts=parts)


def check_address(address: str) -> None:
    """Raise ValueError for an address that is neither ``local:N`` (N >= 1) nor a scheduler's."""
    if address.startswith(LOCAL_PREFIX):
        n = address[len(LOCAL_PREFIX) :]
        if not n.isdigit() or int(n) < 1:
            raise ValueError(f"--dask {address}: local:N needs a number of workers N >= 1")
    elif "://" not in address:
        raise ValueError(f"--dask {address}: give local:N or a scheduler address such as tcp://host:8786")


class DaskParsers:
    """Parses on the workers of a Dask cluster (see the module's docstring); the run's executor."""

    def __init__(self, parse: Parser, address: str, *, ship_bytes: bool = False) -> None:
        check_address(address)
        try:
            import distributed
        except ImportError as exc:
            raise ValueError(f"--dask needs Dask distributed ({INSTALL_HINT}): {exc}") from None
        self._parse = parse
        self._ship_bytes = ship_bytes
        self._cluster: Any = None
        if address.startswith(LOCAL_PREFIX):
            import dask

            n = int(address[len(LOCAL_PREFIX) :])
            with dask.config.set({"distributed.scheduler.allowed-failures": LOCAL_ALLOWED_FAILURES}):
                self._cluster = distributed.LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=LOCAL_HTTP_ADDRESS,
                    scheduler_port=0,
                )
        try:
            target = address if self._cluster is None else self._cluster
            self._client: Client = distributed.Client(target, timeout=CONNECT_TIMEOUT)
            self._client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except BaseException:
            if self._cluster is not None:
                self._cluster.close()
            raise
        threads = sum(self._client.nthreads().values()) or 1
        self._limit = threads * IN_FLIGHT_PER_THREAD
        self._in_flight: dict[Future, Job] = {}

    @property
    def workers(self) -> int:
        return len(self._client.nthreads())

    def full(self) -> bool:
        return len(self._in_flight) >= self._limit

    def busy(self) -> bool:
        return bool(self._in_flight)

    def submit(self, job: Job) -> None:
        shown = str(job.path)
        if self._ship_bytes:
            side = sidecar_path(job.path)
            paper = Paper(shown, None, job.path.read_bytes(), side.read_bytes() if side.is_file() else None)
        else:
            paper = Paper(shown, os.path.abspath(job.path))
        self._in_flight[self._client.submit(parse_paper, self._parse, paper, pure=False)] = job

    def results(self, *, block: bool) -> list[tuple[Job, Parsed]]:
        from distributed import wait

        if not self._in_flight:
            return []
        if block:
            wait(list(self._in_flight), return_when="FIRST_COMPLETED")
        out: list[tuple[Job, Parsed]] = []
        for future in [f for f in self._in_flight if f.done()]:
            job = self._in_flight.pop(future)
            out.append((job, self._result(job, future)))
            future.release()
        return out

    @staticmethod
    def _result(job: Job, future: Future) -> Parsed:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            return Parsed(None, error=f"{job.path}: {WORKER_DIED}; tried on several Dask workers")
        except Exception as exc:  # the task could not run or its result could not come back
            return Parsed(None, error=reason(job.path, exc))

    def drop_queued(self) -> None:
        """Forget every paper not collected yet (the run is stopping): the cluster cannot tell started from queued."""
        futures = list(self._in_flight)
        self._in_flight.clear()
        if futures:
            self._client.cancel(futures)

    def close(self, *, abort: bool = False) -> None:
        """Release the run's tasks and disconnect; a local cluster is shut down."""
        if self._in_flight:
            self.drop_queued()
        try:
            self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None
