"""Where an ingest parses: in its own process (one worker), or in a pool of worker processes.

The run sees a :class:`Parsers`, the executor seam: :class:`InProcess`,
:class:`Pool`, or a Dask cluster's (:class:`pipeline.ingest.cluster.DaskParsers`).
Each takes :class:`~pipeline.ingest.files.Job` s and give back each with what
parsing it gave (:class:`~pipeline.ingest.parser.Parsed`), in the order they
finish. The pool's processes also run other picklable tasks for the run
(:meth:`Pool.run`: a batch written as an index segment, a part of a merge).
"""

from __future__ import annotations

import os
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from pipeline.ingest.files import Job, reason
from pipeline.ingest.parser import Parsed, Parser, parse_one

if TYPE_CHECKING:  # pragma: no cover - concurrent.futures loads multiprocessing: only when a pool is used
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.queues import SimpleQueue

#: Files handed to each worker process at a time. Enough to keep workers parsing while this
#: process commits (a commit of a batch takes about as long as parsing a few dozen papers), and a
#: bound on memory: at most this many parsed reports per worker wait to be written.
IN_FLIGHT_PER_WORKER = 32
#: Seconds between a worker's checks that the ingest that started it is still alive.
PARENT_CHECK_SECONDS = 1.0
#: The reason given for a file whose parsing killed its worker process.
WORKER_DIED = "the process parsing this file died (a crash in the PDF library, or out of memory?)"


def default_workers() -> int:
    """Parsing processes when none are asked for: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Parsers(Protocol):
    """Where a run's papers are parsed: files go in (``submit``), parsed files come out (``results``)."""

    def full(self) -> bool:
        """No room for another file now: collect results first."""
        ...

    def busy(self) -> bool:
        """Files submitted whose results have not been collected."""
        ...

    def submit(self, job: Job) -> None: ...

    def results(self, *, block: bool) -> list[tuple[Job, Parsed]]:
        """The files parsed since the last call, in the order they finished; ``block``: wait for one."""
        ...

    def drop_queued(self) -> None:
        """The run is stopping: forget the files no parser need finish."""
        ...

    def close(self, *, abort: bool = False) -> None: ...


# ---------------------------------------------------------------- in a worker process

_worker_parser: Parser | None = None


def _start_worker(parse: Parser, parent: int, warm_up: Callable[[], None] | None, started: SimpleQueue[int]) -> None:
    """A pool process's initializer: say who it is, keep the parser, load its models once, die with the ingest."""
    import signal
    import threading

    global _worker_parser
    started.put(os.getpid())  # so that the ingest can stop it however busy it is (Pool.close)
    # Ctrl-C reaches the whole process group: the ingest handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="parent-watch", daemon=True).start()
    _worker_parser = parse
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


def _parse_in_worker(path: str) -> Parsed:
    assert _worker_parser is not None, "the worker was not started by _start_worker"
    return parse_one(_worker_parser, Path(path))


# ---------------------------------------------------------------- in the ingest's process


class InProcess:
    """Parses in the ingest's own process, one file at a time (``workers=1``)."""

    def __init__(self, parse: Parser) -> None:
        self._parse = parse
        self._done: list[tuple[Job, Parsed]] = []

    def full(self) -> bool:
        return False

    def busy(self) -> bool:
        return bool(self._done)

    def submit(self, job: Job) -> None:
        self._done.append((job, parse_one(self._parse, job.path)))

    def results(self, *, block: bool) -> list[tuple[Job, Parsed]]:
        out, self._done = self._done, []
        return out

    def drop_queued(self) -> None:
        pass

    def close(self, *, abort: bool = False) -> None:
        pass


class Pool:
    """Parses in ``workers`` processes, at most :data:`IN_FLIGHT_PER_WORKER` files each in flight.

    The processes are started (``spawn``: they inherit neither the run lock nor
    the index's write lock) when the first file is submitted, each loading
    the parser's models once (``warm_up``). If one dies (a crash inside a PDF
    library, the kernel's OOM killer), the files in flight are parsed again
    one at a time in a new pool, so that only the file that kills a worker
    fails.
    """

    def __init__(self, parse: Parser, workers: int, *, warm_up: Callable[[], None] | None = None) -> None:
        self._parse = parse
        self._warm_up = warm_up
        self._workers = workers
        self._limit = workers * IN_FLIGHT_PER_WORKER
        self._executor: ProcessPoolExecutor | None = None
        self._started: SimpleQueue[int] | None = None  # each worker's pid, as it starts
        self._pids: set[int] = set()
        self._in_flight: dict[Future[Parsed], Job] = {}
        self._suspects: deque[Job] = deque()  # in flight when a worker died: parsed one at a time
        self._alone: Job | None = None  # the suspect being parsed with nothing beside it

    def full(self) -> bool:
        return bool(self._suspects) or self._alone is not None or len(self._in_flight) >= self._limit

    def busy(self) -> bool:
        return bool(self._in_flight or self._suspects)

    def submit(self, job: Job) -> None:
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

            context = multiprocessing.get_context("spawn")
            self._started = context.SimpleQueue()
            self._pids = set()
            self._executor = ProcessPoolExecutor(
                self._workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self._parse, os.getpid(), self._warm_up, self._started),
            )
        return self._executor

    def results(self, *, block: bool) -> list[tuple[Job, Parsed]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        if not self._in_flight:
            return []
        done, _ = wait(self._in_flight, timeout=None if block else 0, return_when=FIRST_COMPLETED)
        out: list[tuple[Job, Parsed]] = []
        died: list[Job] = []
        for future in done:
            job = self._in_flight.pop(future)
            try:
                out.append((job, future.result()))
            except BrokenProcessPool:
                died.append(job)
            except Exception as exc:  # the result could not be sent back (not picklable...)
                out.append((job, Parsed(None, error=reason(job.path, exc))))
        if died:
            died += self._in_flight.values()  # the pool is gone, and every task in it
            self._in_flight.clear()
            self.close(abort=True)
            if self._alone is not None and died == [self._alone]:
                out.append((self._alone, Parsed(None, error=f"{self._alone.path}: {WORKER_DIED}")))
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
        """Shut the pool down; ``abort``: terminate its processes first, whatever they are doing."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if abort:
            self._terminate()
        executor.shutdown(wait=True, cancel_futures=True)
        if self._started is not None:
            self._started.close()
            self._started = None

    def _terminate(self) -> None:
        """Terminate the worker processes now (their results are not wanted): those that said they started."""
        import multiprocessing

        queue = self._started
        while queue is not None and not queue.empty():
            self._pids.add(queue.get())
        for process in multiprocessing.active_children():
            if process.pid in self._pids and process.is_alive():
                process.terminate()
