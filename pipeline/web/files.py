"""The archive's files as the pages need them: whether an ingest is writing the index, the index kept open, and
a paper's own file, served only as the ledger recorded it."""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import BoardpapersError


def ingest_running(index_dir: Path) -> str | None:
    """Who holds the index's run lock (an ingest writing it), or None.

    Tested with a non-blocking ``flock`` on the lock file opened read-only
    (released at once; a missing file means no ingest ever ran).
    """
    from pipeline.index import RUN_LOCK_FILE

    path = index_dir / RUN_LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            return holder or "an ingest"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class ArchiveHandle:
    """The index a server answers from: opened at the first request that needs it, then kept.

    Requests use it one at a time (the engines' searchers are not shared
    between threads). An index that could not be opened is tried again at
    the next request; one that failed mid-request is closed and reopened.
    """

    def __init__(self, index_dir: str | os.PathLike[str]) -> None:
        self.path = Path(index_dir)
        self._ix: Any = None
        self._lock = threading.Lock()

    @contextmanager
    def index(self) -> Iterator[Any]:
        from pipeline.index import open_index

        with self._lock:
            if self._ix is None:
                self._ix = open_index(self.path, readonly=True)  # a server never writes the index
            try:
                yield self._ix
            except BoardpapersError:
                raise
            except BaseException:
                self.close_unlocked()
                raise

    def close_unlocked(self) -> None:
        if self._ix is not None:
            try:
                self._ix.close()
            finally:
                self._ix = None

    def close(self) -> None:
        with self._lock:
            self.close_unlocked()


class NotFound(BoardpapersError):
    """A report or file the archive does not have (a 404 page)."""


def section_label_of(section: Any) -> str:
    return " ".join(x for x in (section.number, section.title) if x) or section.kind


def verified_bytes(path: str, sha256: str | None) -> bytes | None:
    """The file's bytes when ``path`` is still its own real path (no symlink on the way), a regular file, with
    the recorded sha256; else None."""
    if not sha256 or not os.path.isabs(path) or os.path.realpath(path) != path:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read()
    finally:
        os.close(fd)
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def text_lines(path: str, data: bytes) -> list[dict[str, Any]]:
    """A text paper's lines, numbered as the reader numbers them, each with the page it starts (if it does)."""
    from pipeline.read.text import decode

    text = decode(Path(path), data).replace("\r\n", "\n").replace("\r", "\n")
    pages: dict[int, int] = {}
    try:
        from pipeline.read import read_lines

        for line in read_lines(path).lines:
            pages.setdefault(line.page, line.line_no)
    except BoardpapersError:
        pages = {1: 1}
    starts = {line_no: page for page, line_no in pages.items()}
    return [
        {"n": i, "text": raw.replace("\f", ""), "page": starts.get(i)}
        for i, raw in enumerate(text.split("\n"), start=1)
    ]
