"""The run lock: one ingest writes an index directory at a time, whichever engine it holds."""

from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from pipeline.errors import IndexLocked, SearchIndexError

#: The file, inside the index directory, that a whole ingest run holds locked.
RUN_LOCK_FILE = "ingest.lock"
#: Seconds between attempts to take a busy run lock.
RUN_LOCK_POLL = 0.2


def _lock_holder(path: Path) -> str:
    try:
        text = (path / RUN_LOCK_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return f"another ingest ({text})" if text else "another ingest"


def _try_lock(lock_file: Path) -> int | None:
    """The lock file's descriptor, locked (``flock``, exclusive); None when another process holds it."""
    fd = os.open(lock_file, os.O_CREAT | os.O_WRONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


def _replaced(fd: int, lock_file: Path) -> bool:
    """Whether the locked file is no longer the one at its path (the index folder was swapped by a reindex)."""
    try:
        return os.fstat(fd).st_ino != os.stat(lock_file).st_ino
    except FileNotFoundError:
        return True


@contextmanager
def hold_run_lock(
    path: str | os.PathLike[str], *, timeout: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the index directory's run lock: one ingest at a time, from creating the index to its last commit.

    Readers never take it. It is an OS file lock (``flock``), released by
    the kernel when the holder exits however it exits (SIGKILL included), so
    a crashed run leaves no stale lock. Waits up to ``timeout`` seconds,
    calling ``on_wait(message)`` once if it has to wait, then raises
    :class:`~pipeline.errors.IndexLocked` naming the holder. Creates the
    directory if needed.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd = _try_lock(path / RUN_LOCK_FILE)
    except OSError as exc:  # not a folder, read-only, no permission
        raise SearchIndexError(f"cannot write an index at {path}: {exc.strerror or exc}") from None
    deadline = time.monotonic() + timeout
    waited = False
    while fd is None or _replaced(fd, path / RUN_LOCK_FILE):
        if fd is not None:  # locked a lock file that has since been swapped away (a reindex): lock the new one
            os.close(fd)
            fd = _try_lock(path / RUN_LOCK_FILE)
            continue
        if time.monotonic() >= deadline:
            raise IndexLocked(
                f"the index at {path} is being written by {_lock_holder(path)}; "
                f"gave up waiting after {timeout:g} s (try again later, or raise --lock-timeout)"
            )
        if not waited and on_wait is not None:
            on_wait(f"waiting up to {timeout:g} s for {_lock_holder(path)} to finish writing {path}")
        waited = True
        time.sleep(RUN_LOCK_POLL)
        fd = _try_lock(path / RUN_LOCK_FILE)
    try:
        started = _dt.datetime.now().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {started}\n".encode(), 0)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
