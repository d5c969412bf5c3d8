"""The index seam: open an archive's index by engine name, and what every engine's index offers.

:func:`open_index` returns an :class:`Index` whose methods take and return
``pipeline.model`` records (``Report``, ``SearchRequest``, ``SearchResult``,
the query AST), whichever engine is behind it: Whoosh (the default,
:mod:`pipeline.index.whoosh`) or tantivy (:mod:`pipeline.index.tantivy`). The
engine is chosen when an index is created and recorded in its ``meta.json``
(:func:`engine_of`); an index of another schema version is rebuilt when opened
(:mod:`pipeline.index.store`). Each third-party engine is imported only inside
its own package, and only when an index of it is opened.

The engine-neutral pieces both engines share: the documents a report is
indexed as (:mod:`~pipeline.index.documents`), the fields queries search and
their weights (:mod:`~pipeline.index.fields`), snippets
(:mod:`~pipeline.index.snippets`), the run lock (:func:`run_lock`), and the
writing an engine may hand to other processes (:mod:`~pipeline.index.writing`).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterable, Iterator, Protocol

from pipeline.config import DEFAULT_INDEX_ENGINE, INDEX_ENGINES
from pipeline.errors import SearchIndexError
from pipeline.index.lock import RUN_LOCK_FILE, hold_run_lock
from pipeline.index.snippets import MARK_CLOSE, MARK_OPEN, make_snippet
from pipeline.index.store import META_FILE, engine_of, read_meta
from pipeline.index.writing import STAGING_DIR, MergeHelpers, SegmentStaging
from pipeline.model import Report, SearchRequest, SearchResult

#: Index engines; chosen when an index is created and recorded in it.
ENGINES: tuple[str, ...] = INDEX_ENGINES
#: The engine of a new index when none is chosen.
DEFAULT_ENGINE = DEFAULT_INDEX_ENGINE


class Batch(Protocol):
    """One write transaction (``with ix.batch() as b``): committed if the block ends normally, else undone."""

    def add_report(self, report: Report, *, path: str | None = None, sha256: str | None = None) -> int:
        """Index a report and its parts, replacing their documents; ``path``/``sha256`` identify the file
        (default: the report's source). Returns the sections written."""
        ...

    def remove_report(self, report_id: str) -> int:
        """Remove one report's documents; returns how many."""
        ...

    def remove_path(self, path: str) -> int:
        """Remove the documents of every report read from a file; returns how many."""
        ...

    def add_segment(self, staged: Any) -> int:
        """Adopt what a task of :meth:`Index.segment_staging` wrote: as ``add_report`` of each of its reports.
        Returns the reports (parts included) it holds. Only on an engine whose staging is not None."""
        ...


class Index(Protocol):
    """An open index, whatever its engine (what :func:`open_index` returns)."""

    path: Path

    # ---- writing
    def batch(self, *, timeout: float | None = None, merge: bool = True) -> ContextManager[Batch]:
        """A write transaction; waits up to ``timeout`` seconds for another writer's lock (default
        :data:`pipeline.index.store.WRITE_LOCK_TIMEOUT`). ``merge=False``: add a segment, merge none."""
        ...

    def add_reports(self, reports: Iterable[Report]) -> int: ...
    def remove(self, report_ids: Iterable[str]) -> int: ...
    def remove_paths(self, paths: Iterable[str]) -> int: ...

    def merge(self, *, timeout: float | None = None, helpers: MergeHelpers | None = None) -> int:
        """Merge the segments written since the index last settled (with ``helpers``, other processes
        write parts of it where the engine can); returns the segments left."""
        ...

    def segment_count(self) -> int:
        """Segments in the last commit."""
        ...

    def segment_staging(self) -> SegmentStaging | None:
        """The index's staging area, emptied, for batches written as segments in other processes; None:
        this engine writes every batch in the committing process. Only under :func:`run_lock`."""
        ...

    # ---- reading
    def search(self, request: SearchRequest) -> SearchResult: ...
    def get_report(self, report_id: str) -> Report | None: ...
    def report_ids(self, prefix: str = "") -> tuple[str, ...]: ...
    def iter_reports(self) -> Iterator[Report]: ...
    def hashes(self) -> dict[str, str]: ...
    def files(self) -> dict[str, str]: ...
    def count(self, doc_kind: str = "section") -> int: ...
    def doc_count(self) -> int: ...
    def terms(self, text: str) -> list[tuple[int, int, str]]: ...

    def close(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: Any) -> None: ...


def foreign_index(path: str | os.PathLike[str]) -> str | None:
    """What another program left in ``path`` that must not be touched (None: nothing foreign).

    A meta.json that is not ours (no ``schema_version``: tantivy's own, say), or
    Whoosh indexes none of which is boardpapers', with no meta.json.
    """
    from pipeline.index.whoosh.schema import index_names  # Whoosh's file names (Whoosh itself is not loaded)

    path = Path(path)
    meta = read_meta(path)
    if meta and "schema_version" not in meta:
        return f"{path} holds another program's index (its {META_FILE} is not a boardpapers one)"
    theirs = index_names(path, ours=False)
    if meta is None and theirs and not index_names(path):
        return f"{path} holds another program's Whoosh index ({', '.join(sorted(theirs))})"
    return None


def _refuse_foreign(path: str | os.PathLike[str]) -> None:
    if (foreign := foreign_index(path)) is not None:
        raise SearchIndexError(f"{foreign}: not a boardpapers index, left as it is (give another --index folder)")


def open_index(
    path: str | os.PathLike[str], *, create: bool = False, engine: str | None = None, readonly: bool = False
) -> Index:
    """Open the index in ``path``; with ``create``, make it (and the directory) if missing.

    The engine is the one recorded in the index's meta.json; ``engine``
    (``whoosh`` | ``tantivy``, default whoosh) chooses it for a new index.
    Raises :class:`~pipeline.errors.SearchIndexError` when there is no index and
    ``create`` is false (:class:`~pipeline.errors.NoIndex`), for an unknown
    engine or one other than the index's, or when ``path`` holds another
    program's index (never changed). An index of another schema version is
    rebuilt, unless ``readonly`` (a read command, which never writes): then
    that is a SearchIndexError too.
    """
    _refuse_foreign(path)
    if engine_of(path, engine) == "tantivy":
        from pipeline.index.tantivy import open_tantivy

        return open_tantivy(path, create=create, readonly=readonly)
    from pipeline.index.whoosh import open_whoosh

    return open_whoosh(path, create=create, readonly=readonly)


@contextmanager
def run_lock(
    path: str | os.PathLike[str], *, timeout: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the index directory's run lock: one ingest at a time (:func:`pipeline.index.lock.hold_run_lock`).

    Refuses (SearchIndexError, writing nothing) a folder holding another
    program's index.
    """
    _refuse_foreign(path)
    with hold_run_lock(path, timeout=timeout, on_wait=on_wait):
        yield


def __getattr__(name: str) -> Any:
    # The Whoosh engine's ``words`` format class: a Whoosh table of contents pickles it as
    # ``pipeline.index._WordCounts`` (indexes written by every release name it so).
    if name == "_WordCounts":
        from pipeline.index.whoosh.schema import word_counts

        return word_counts()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "MARK_CLOSE",
    "MARK_OPEN",
    "RUN_LOCK_FILE",
    "STAGING_DIR",
    "Batch",
    "Index",
    "MergeHelpers",
    "SegmentStaging",
    "engine_of",
    "foreign_index",
    "make_snippet",
    "open_index",
    "run_lock",
]
