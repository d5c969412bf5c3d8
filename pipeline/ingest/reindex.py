"""Switch an archive's search engine without parsing again: rebuild its index from the stored records.

Every index keeps each report's full record, so :func:`reindex` writes a new
index (``whoosh`` or ``tantivy``) from them, reading no paper. Atomically: the
new index is built in a sibling folder (``.<name>.reindex-<pid>`` beside the
index folder, on the same filesystem), with a copy of the ingest ledger, and
swapped in by renames once it is complete and holds the same files as the
old one; until then the old index answers every search, and a crash leaves
it as it was (the next reindex clears the half-built folder). The run holds
the index's run lock throughout, so no ingest writes it meanwhile.

:func:`engine_advice` is what an ingest says once, when it takes an archive
on Whoosh past :data:`WHOOSH_ADVICE_PAPERS` papers: how much faster tantivy
searches it (the measured figures are a data file, ``data/engine_advice.txt``)
and the command to switch.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sqlite3
from importlib import resources
from pathlib import Path
from typing import Callable

from pipeline.errors import SearchIndexError
from pipeline.index import ENGINES, Index, engine_of, open_index, run_lock
from pipeline.ingest.ledger import LEDGER_FILE
from pipeline.model import ReindexSummary, Report

#: Reports written per commit into the new index (as an ingest commits: a few hundred at a time).
REINDEX_COMMIT_EVERY = 200
#: The sibling folder a new index is built in, before it is swapped in: ``.<index name>`` + this + the pid.
BUILD_SUFFIX = ".reindex-"
#: Papers (indexed files) past which an ingest into a Whoosh index suggests tantivy, once.
WHOOSH_ADVICE_PAPERS = 20_000
#: The suggestion's text, in the package: ``{papers}`` and ``{index}`` are filled in.
ADVICE_FILE = ("data", "engine_advice.txt")
#: ``renameat2``'s flag that swaps two paths at once (Linux 3.15+).
RENAME_EXCHANGE = 2
#: ``renameat2``'s "relative to the working directory".
AT_FDCWD = -100

#: ``progress(done)`` is called after each commit with the reports written so far.
ReindexProgress = Callable[[int], None]


def reindex(
    index_dir: str | os.PathLike[str],
    *,
    engine: str,
    lock_timeout: float,
    on_wait: Callable[[str], None] | None = None,
    progress: ReindexProgress | None = None,
) -> ReindexSummary:
    """Rebuild the index in ``index_dir`` with ``engine`` from its stored records, and swap it in.

    The ledger is kept; the index answers throughout (the old one until the
    new one is complete). Raises :class:`~pipeline.errors.SearchIndexError`
    when there is no index, for an unknown engine, or when the new index does
    not hold what the old one does (the old one is then left in place), and
    :class:`~pipeline.errors.IndexLocked` when an ingest holds the index
    longer than ``lock_timeout`` seconds.
    """
    target = Path(index_dir).resolve()
    if engine not in ENGINES:
        raise SearchIndexError(f"unknown index engine {engine!r} (engines: {', '.join(ENGINES)})")
    with run_lock(target, timeout=lock_timeout, on_wait=on_wait):
        old_engine = engine_of(target)
        with open_index(target) as old:  # raises when there is no index
            for leftover in target.parent.glob(f".{target.name}{BUILD_SUFFIX}*"):
                shutil.rmtree(leftover, ignore_errors=True)  # a reindex killed part way: under the lock, dead
            build = target.parent / f".{target.name}{BUILD_SUFFIX}{os.getpid()}"
            try:
                papers, records, sections = _build(old, build, engine, progress)
                _copy_ledger(target, build)
            except BaseException:
                shutil.rmtree(build, ignore_errors=True)
                raise
        swap(build, target)  # the old index now sits in `build`
        shutil.rmtree(build, ignore_errors=True)
    return ReindexSummary(str(target), old_engine, engine, papers, records, sections)


def _build(source: Index, build: Path, engine: str, progress: ReindexProgress | None) -> tuple[int, int, int]:
    """Write every stored record of ``source`` into a new index in ``build``; (papers, records, sections) it holds."""
    where = source.hashes()  # sha256 -> the indexed path (the file's identity)
    written = 0
    with open_index(build, create=True, engine=engine) as new:
        batch: list[Report] = []

        def commit() -> None:
            nonlocal written
            with new.batch(merge=False) as b:
                for r in batch:
                    b.add_report(r, path=where.get(r.source.sha256, r.source.path), sha256=r.source.sha256)
            written += len(batch)
            batch.clear()
            if progress is not None:
                progress(written)

        for report in source.iter_reports():
            if report.parent_id is not None:  # an agenda pack's part: written with its pack
                continue
            batch.append(report)
            if len(batch) >= REINDEX_COMMIT_EVERY:
                commit()
        if batch:
            commit()
        new.merge()
        held = (new.files(), new.count("report"), new.count("section"))
        want = (source.files(), source.count("report"), source.count("section"))
    if held != want:
        raise SearchIndexError(
            f"the rebuilt {engine} index does not hold what the old one does ({len(held[0])} files, "
            f"{held[1]} reports, {held[2]} sections against {len(want[0])}, {want[1]}, {want[2]}): "
            "the old index is kept"
        )
    return len(held[0]), held[1], held[2]


def _copy_ledger(target: Path, build: Path) -> None:
    """The ledger, copied whole into the new folder (SQLite's backup: a consistent copy)."""
    ledger = target / LEDGER_FILE
    if not ledger.exists():
        return
    src = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    dst = sqlite3.connect(build / LEDGER_FILE)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise SearchIndexError(f"cannot copy the ingest ledger {ledger}: {exc}") from exc
    finally:
        dst.close()
        src.close()


def swap(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is, and ``target`` where ``new`` was.

    One ``renameat2(RENAME_EXCHANGE)`` where the system has it (a search
    opening the index sees the old one or the new, never none); else two
    renames, with a moment between them when there is no index at ``target``.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        if renameat2(AT_FDCWD, os.fsencode(new), AT_FDCWD, os.fsencode(target), RENAME_EXCHANGE) == 0:
            return
        if ctypes.get_errno() not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            err = ctypes.get_errno()
            raise SearchIndexError(f"cannot swap the new index into {target}: {os.strerror(err)}")
    aside = new.with_name(new.name + ".old")
    os.rename(target, aside)
    os.rename(new, target)
    os.rename(aside, new)


def engine_advice(index_dir: str | os.PathLike[str], papers: int) -> str:
    """What an ingest says when an archive on Whoosh passes :data:`WHOOSH_ADVICE_PAPERS` papers."""
    text = resources.files("pipeline").joinpath(*ADVICE_FILE).read_text(encoding="utf-8")
    return text.strip().format(papers=f"{papers:,}", index=index_dir)
