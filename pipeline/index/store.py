"""An index directory's life: which engine and schema version wrote it, creating it, rebuilding it.

``meta.json`` in the directory records the engine and its :class:`Layout`
(schema version, the name of the engine's index in the directory). Opening an
index written with another schema version rebuilds it from its stored
records, a few hundred at a time; when they can't be read, it is recreated
empty (and the log says so). Both engines go through :func:`prepare`, each
describing its files by an :class:`EngineFiles`.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, ContextManager, Iterator, Protocol

from pipeline.config import DEFAULT_INDEX_ENGINE, INDEX_ENGINES
from pipeline.errors import NoIndex, SearchIndexError
from pipeline.model import Report

log = logging.getLogger("boardpapers.index")

#: The file, inside the index directory, that records the engine and schema version.
META_FILE = "meta.json"
#: The engine of an index whose meta.json names none (written before there was a choice).
LEGACY_ENGINE = "whoosh"
#: Seconds a writer waits for another process's write lock before giving up.
WRITE_LOCK_TIMEOUT = 10.0
#: Reports written per commit while rebuilding an index for a new schema.
REBUILD_COMMIT_EVERY = 200


@dataclass(frozen=True, slots=True)
class Layout:
    """What an engine's code writes: its name, its schema version and its index's name in the directory."""

    engine: str
    schema_version: int
    index_name: str  # Whoosh: the index name of its files; tantivy: the sub-directory


class Rebuilt(Protocol):
    """The part of an engine's index a rebuild writes through."""

    def batch(self, *, timeout: float | None = None, merge: bool = True) -> ContextManager[Any]: ...
    def merge(self, *, timeout: float | None = None) -> int: ...
    def close(self) -> None: ...


class EngineFiles(Protocol):
    """One engine's files in an index directory: what the lifecycle asks of an engine."""

    layout: Layout

    def names(self, path: Path) -> set[str]:
        """The names of this engine's indexes in the directory (one per schema version that wrote one)."""
        ...

    def create(self, path: Path) -> None:
        """Make an empty index of the current layout (one already there of that name is replaced)."""
        ...

    def records(self, path: Path, name: str) -> Iterator[Report]:
        """The stored records of the index called ``name``, one at a time."""
        ...

    def remove(self, path: Path, name: str) -> None:
        """Delete the index called ``name`` (other files in the directory are left alone)."""
        ...

    def open(self, path: Path) -> Rebuilt:
        """The index of the current layout, to write the rebuilt records into."""
        ...

    def failed(self, exc: BaseException) -> bool:
        """Whether ``exc`` is the engine failing to read an index (not, say, Ctrl-C)."""
        ...


def lock_wait(timeout: float | None) -> float:
    """Seconds a writer waits for another's lock: ``timeout``, else :data:`WRITE_LOCK_TIMEOUT`."""
    return WRITE_LOCK_TIMEOUT if timeout is None else timeout


def read_meta(path: Path) -> dict[str, Any] | None:
    """The directory's meta.json; None when there is none, ``{}`` when it can't be read."""
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def write_meta(path: Path, layout: Layout) -> None:
    """Record the layout in meta.json (replaced whole: a reader sees the old file or the new one)."""
    meta = {"schema_version": layout.schema_version, "engine": layout.engine, "index_name": layout.index_name}
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path / META_FILE)


def engine_of(path: str | os.PathLike[str], engine: str | None = None) -> str:
    """The engine of the index in ``path``: the one its meta.json records, else ``engine``, else the default.

    Raises :class:`~pipeline.errors.SearchIndexError` for an unknown engine, or an
    ``engine`` other than the existing index's (an index keeps its engine).
    """
    if engine is not None and engine not in INDEX_ENGINES:
        raise SearchIndexError(f"unknown index engine {engine!r} (engines: {', '.join(INDEX_ENGINES)})")
    meta = read_meta(Path(path))
    recorded = None if meta is None else meta.get("engine", LEGACY_ENGINE)
    if recorded is None:
        return engine or DEFAULT_INDEX_ENGINE
    if recorded not in INDEX_ENGINES:
        raise SearchIndexError(f"the index at {path} was written by an unknown engine {recorded!r}")
    if engine is not None and engine != recorded:
        raise SearchIndexError(
            f"the index at {path} uses the {recorded} engine, not {engine} "
            f"(an index keeps the engine it was created with: leave out --engine, or use a new --index)"
        )
    return recorded


def stale_index(path: Path, meta: dict[str, Any] | None) -> str:
    """Why a read command does not open an index that needs rebuilding, and what to do."""
    version = (meta or {}).get("schema_version", "unknown")
    return (
        f"the index at {path} has schema version {version}, which this version does not read: "
        f"rebuild it from its records with `boardpapers ingest --retry-failed --index {path}`"
    )


def prepare(path: Path, files: EngineFiles, *, create: bool, readonly: bool = False) -> None:
    """Make sure ``path`` holds an index of the engine's current layout, ready to open.

    A current index is left as it is; an index of another schema version is
    rebuilt from its stored records; with ``create``, a missing one is made
    (and the directory). Raises :class:`~pipeline.errors.NoIndex` when there
    is no index and ``create`` is false; with ``readonly`` (a read command,
    which never writes), an index to rebuild is a
    :class:`~pipeline.errors.SearchIndexError` too.
    """
    layout = files.layout
    meta = read_meta(path)
    names = files.names(path)
    if (
        meta is not None
        and meta.get("engine", LEGACY_ENGINE) == layout.engine
        and meta.get("schema_version") == layout.schema_version
        and layout.index_name in names
    ):
        return
    if not names and not create:
        raise NoIndex(f"no index at {path} (run `boardpapers ingest PATH --index {path}` first)")
    if readonly:
        raise SearchIndexError(stale_index(path, meta))
    path.mkdir(parents=True, exist_ok=True)
    if names:
        _migrate(path, meta, names, files)
    else:
        files.create(path)
        write_meta(path, layout)


def _migrate(path: Path, meta: dict[str, Any] | None, names: set[str], files: EngineFiles) -> None:
    """Rebuild an index of another schema version from its stored records.

    Records are read and written :data:`REBUILD_COMMIT_EVERY` at a time, so
    memory does not grow with the archive (when the old index has the
    current layout's name, all are read first: the new one replaces it). If
    reading fails part way, the index is recreated empty rather than kept
    half rebuilt.
    """
    layout = files.layout
    old_version = (meta or {}).get("schema_version", "unknown")
    old_names = sorted(names - {layout.index_name}) or sorted(names)
    records: Iterator[Report] = chain.from_iterable(files.records(path, name) for name in old_names)
    readable = True
    if layout.index_name in old_names:
        try:
            records = iter(list(records))
        except BaseException as exc:  # anything unreadable: fall back to an empty index
            if not files.failed(exc):
                raise
            log.debug("cannot read old index: %s", exc)
            records, readable = iter(()), False
    files.create(path)
    written = 0
    new = files.open(path)
    try:
        while readable:
            try:
                chunk = list(islice(records, REBUILD_COMMIT_EVERY))
            except BaseException as exc:  # anything unreadable: fall back to an empty index
                if not files.failed(exc):
                    raise
                log.debug("cannot read old index: %s", exc)
                readable = False
                break
            if not chunk:
                break
            with new.batch(merge=False) as b:
                for r in chunk:
                    b.add_report(r)
            written += len(chunk)
        if readable or not written:
            new.merge()
    finally:
        new.close()
    if not readable and written:  # start again, empty
        files.remove(path, layout.index_name)
        files.create(path)
    write_meta(path, layout)
    for name in old_names:
        if name != layout.index_name:
            files.remove(path, name)
    if readable:
        log.warning(
            "index at %s had schema version %s; rebuilt for version %s from %d stored reports",
            path,
            old_version,
            layout.schema_version,
            written,
        )
    else:
        log.warning(
            "index at %s had schema version %s and its records could not be read; "
            "recreated it empty for version %s: ingest your papers again",
            path,
            old_version,
            layout.schema_version,
        )
