"""The ingest ledger: what became of every file ingested into an index.

A small SQLite database, :data:`LEDGER_FILE` inside the index directory, with
one row per file (its absolute path): sha256, standing, reason, report id,
section count and the UTC time of the last ingest that saw it. Each ingest
commit writes its rows in one SQLite transaction, so a crash leaves either all
of them or none; rows are written *after* the index commit they describe, so
the ledger never claims a report the index does not hold.

Standings (``LedgerEntry.status``): ``indexed`` (outcomes indexed, replaced,
unchanged), ``duplicate``, ``failed``; :func:`archive_status` adds ``missing``
for files recorded as indexed that the index no longer holds, and lists
files the index holds that the ledger never saw (an index built before the
ledger existed).
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from pipeline.errors import NoIndex, SearchIndexError
from pipeline.model import IngestOutcome, LedgerEntry
from pipeline.read.walk import real_path, storable_path

#: The ledger's file inside the index directory.
LEDGER_FILE = "ledger.sqlite"
#: Bump when the table changes (stored as SQLite's ``user_version``).
LEDGER_VERSION = 1
#: Seconds a connection waits for another process's transaction to finish.
BUSY_TIMEOUT = 30.0
#: An ingest outcome -> the file's standing in the ledger.
STANDING: dict[str, str] = {
    "indexed": "indexed",
    "replaced": "indexed",
    "unchanged": "indexed",
    "duplicate": "duplicate",
    "failed": "failed",
}
#: Every standing :func:`archive_status` reports, in display order.
STATUSES: tuple[str, ...] = ("indexed", "duplicate", "failed", "missing")
#: Columns of a status row (``boardpapers status --json`` / ``--csv``).
STATUS_COLUMNS: tuple[str, ...] = ("path", "status", "reason", "report_id", "sections", "sha256", "time")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path      TEXT PRIMARY KEY,
    sha256    TEXT,
    status    TEXT NOT NULL,
    reason    TEXT,
    report_id TEXT,
    sections  INTEGER NOT NULL DEFAULT 0,
    time      TEXT NOT NULL
)
"""

# An ``unchanged`` outcome carries no report id: keep the one recorded for the same content.
_UPSERT = """
INSERT INTO files (path, sha256, status, reason, report_id, sections, time)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(path) DO UPDATE SET
    report_id = CASE WHEN excluded.report_id IS NULL AND files.sha256 IS excluded.sha256
                     THEN files.report_id ELSE excluded.report_id END,
    sections  = CASE WHEN excluded.report_id IS NULL AND files.sha256 IS excluded.sha256
                     THEN files.sections ELSE excluded.sections END,
    sha256 = excluded.sha256,
    status = excluded.status,
    reason = excluded.reason,
    time = excluded.time
"""


def _stored_text(text: str | None) -> str | None:
    """A reason as text SQLite takes: a byte of a file name that is not UTF-8 as ``\\xe9``."""
    if text is None:
        return None
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


class Ledger:
    """The ledger of one index directory (``Ledger.open(index_dir)``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, index_dir: str | os.PathLike[str], *, create: bool = False) -> "Ledger | None":
        """The ledger in ``index_dir``; None when there is none and ``create`` is false."""
        path = Path(index_dir) / LEDGER_FILE
        if not create and not path.exists():
            return None
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
            else:
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
            if create:
                conn.execute(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {LEDGER_VERSION}")
        except sqlite3.Error as exc:
            raise SearchIndexError(f"cannot open the ingest ledger {path}: {exc}") from exc
        return cls(path, conn)

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def record(self, rows: Sequence[tuple[str, IngestOutcome]], *, time: str | None = None) -> None:
        """Record ``(absolute path, outcome)`` pairs in one transaction (all or none)."""
        if not rows:
            return
        when = time or utc_now()
        values = [
            (storable_path(key), o.sha256, STANDING[o.status], _stored_text(o.reason), o.report_id, o.sections, when)
            for key, o in rows
        ]
        try:
            with self._transaction():
                self._conn.executemany(_UPSERT, values)
        except sqlite3.Error as exc:
            raise SearchIndexError(f"cannot write the ingest ledger {self.path}: {exc}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Commits if the block ends normally, else rolls back."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            # SQLite has rolled back already after some errors (a full disk): a second ROLLBACK
            # would raise "cannot rollback - no transaction is active" in place of the cause.
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def entries(self) -> tuple[LedgerEntry, ...]:
        """Every recorded file, sorted by path."""
        try:
            cur = self._conn.execute(
                "SELECT path, status, sha256, reason, report_id, sections, time FROM files ORDER BY path"
            )
            return tuple(LedgerEntry(*row) for row in cur.fetchall())
        except sqlite3.Error as exc:
            raise SearchIndexError(f"cannot read the ingest ledger {self.path}: {exc}") from exc

    def failed_paths(self) -> tuple[str, ...]:
        """Paths whose last ingest failed, sorted (as Python opens them: see ``real_path``)."""
        return tuple(real_path(e.path) for e in self.entries() if e.status == "failed")


def failed_paths(index_dir: str | os.PathLike[str]) -> tuple[str, ...]:
    """Files the ledger of ``index_dir`` records as failed (none when it has no ledger)."""
    ledger = Ledger.open(index_dir)
    if ledger is None:
        return ()
    with ledger:
        return ledger.failed_paths()


def archive_status(index_dir: str | os.PathLike[str]) -> tuple[LedgerEntry, ...]:
    """What the archive in ``index_dir`` holds and what failed: the ledger checked against the index.

    Raises :class:`~pipeline.errors.SearchIndexError` when the directory holds
    neither an index nor a ledger.
    """
    from pipeline.index import open_index

    index_dir = Path(index_dir)
    ledger = Ledger.open(index_dir)
    recorded: tuple[LedgerEntry, ...] = ()
    if ledger is not None:
        with ledger:
            recorded = ledger.entries()
    try:
        with open_index(index_dir, readonly=True) as ix:
            held = ix.files()  # path -> sha256
    except NoIndex:  # a ledger but no index: every file it recorded as indexed is missing
        if ledger is None:
            raise
        held = {}
    out: dict[str, LedgerEntry] = {}
    for e in recorded:
        if e.status == "indexed" and e.path not in held:
            e = LedgerEntry(
                e.path,
                "missing",
                e.sha256,
                reason="recorded as indexed, but the index no longer holds it: ingest it again",
                report_id=e.report_id,
                sections=e.sections,
                time=e.time,
            )
        out[e.path] = e
    for path, sha in held.items():
        if path not in out:
            out[path] = LedgerEntry(path, "indexed", sha)
    return tuple(out[p] for p in sorted(out))


def status_counts(entries: Iterable[LedgerEntry]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for e in entries:
        counts[e.status] = counts.get(e.status, 0) + 1
    return counts
