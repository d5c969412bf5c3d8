"""Whoosh segments written in other processes: the staging area, and writing a batch there as a segment.

:func:`write_segment` writes reports as a whole segment in the index's
staging area (:data:`pipeline.index.writing.STAGING_DIR`) without touching
the index, in any process; ``Batch.add_segment`` adopts it in a commit of the
process holding the writer. Ingest's worker processes write that way.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from pipeline.index.documents import documents, flatten
from pipeline.index.whoosh.schema import WRITE_COMPOUND, WRITER_POOL_MB
from pipeline.index.writing import STAGING_DIR
from pipeline.model import Report


@dataclass(frozen=True, slots=True)
class StagedSegment:
    """A whole Whoosh segment written outside the index (picklable): for ``Batch.add_segment``."""

    directory: str  # the staging directory holding its files
    segment: Any  # Whoosh's segment object (its id, document count, codec)
    report_ids: tuple[str, ...]  # every report and part it holds


@dataclass(frozen=True, slots=True)
class SegmentTask:
    """Reports to write as one segment in a staging directory; call it (in any process) to write them.

    Picklable: the reports travel with it to a worker process.
    """

    directory: str
    items: tuple[tuple[Report, str, str], ...]  # (report, path, sha256)
    indexname: str  # the index's Whoosh name, which the segment's files carry

    def __call__(self) -> StagedSegment:
        return write_segment(self.directory, self.items, indexname=self.indexname)


def write_segment(
    directory: str | os.PathLike[str], items: Iterable[tuple[Report, str, str]], *, indexname: str
) -> StagedSegment:
    """Write the documents of ``(report, path, sha256)`` items as one finished segment in a staging directory.

    ``directory`` holds an empty index with the index's schema and name
    (made by :meth:`SegmentStaging.task`). The writer takes no lock and
    commits nothing: the table of contents there stays empty, and the
    segment's files wait for ``Batch.add_segment`` to move them. This is
    the analysis and postings work of ``add_report``, done wherever this runs
    (ingest runs it in its worker processes). On an error nothing is
    returned and the directory's files are left to be removed.
    """
    from whoosh import index as wi
    from whoosh.writing import SegmentWriter

    directory = str(directory)
    ix = wi.open_dir(directory, indexname=indexname)
    writer = SegmentWriter(ix, _lk=False, limitmb=WRITER_POOL_MB, compound=WRITE_COMPOUND)
    report_ids: list[str] = []
    try:
        for report, path, sha256 in items:
            for r in flatten(report):
                report_ids.append(r.id)
                for doc in documents(r, path, sha256):
                    writer.add_document(**doc)
        if not report_ids:
            raise ValueError("no reports to write as a segment")
        segment = writer._finalize_segment()
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # pragma: no cover - the writer broke half-way through closing
            pass
        raise
    writer._finish()  # removes the writer's temporary files
    return StagedSegment(directory, segment, tuple(report_ids))


class SegmentStaging:
    """An index's staging area (:data:`~pipeline.index.writing.STAGING_DIR`) for segments written by other processes.

    Made by ``WhooshIndex.segment_staging``, for a run that holds the run
    lock: whatever an earlier run left there (a run killed while its workers
    wrote) is deleted first. Each :meth:`task` gets a directory of its own,
    named uniquely (a worker orphaned by a killed run can only touch its
    own), holding an empty index with the index's schema and name; each part
    of a merge's postings (``PostingsTask``) gets an empty one
    (:meth:`directory`).
    """

    def __init__(self, index_path: Path, schema: Any, indexname: str) -> None:
        self.root = Path(index_path) / STAGING_DIR
        self._schema = schema
        self._indexname = indexname
        self._made = 0
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)

    def __enter__(self) -> "SegmentStaging":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def task(self, items: Iterable[tuple[Report, str, str]]) -> SegmentTask:
        """A new staging directory, and the task writing ``(report, path, sha256)`` items there as a segment."""
        from whoosh.filedb.filestore import FileStorage

        directory = self._new_directory()
        FileStorage(str(directory)).create().create_index(self._schema, indexname=self._indexname)
        return SegmentTask(str(directory), tuple(items), self._indexname)

    def directory(self) -> str:
        """A new, empty directory in the staging area (for a part of a merge's postings: ``PostingsTask``)."""
        directory = self._new_directory()
        directory.mkdir()
        return str(directory)

    def _new_directory(self) -> Path:
        from whoosh.util import random_name

        self._made += 1
        return self.root / f"{os.getpid()}-{self._made}-{random_name(8)}"

    def discard(self, task: Any) -> None:
        """Delete a task's directory (a ``SegmentTask``, ``StagedSegment`` or ``PostingsTask``: what is left once
        its segment is adopted, or given up)."""
        shutil.rmtree(task.directory, ignore_errors=True)

    def close(self) -> None:
        """Delete the staging area."""
        shutil.rmtree(self.root, ignore_errors=True)
