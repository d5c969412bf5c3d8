"""Writing work an engine may hand to other processes: segments staged by workers, a merge's helpers.

An engine that can (Whoosh) gives an ingest a :class:`SegmentStaging` area:
its tasks are picklable callables writing a batch of reports as a whole
segment, run in any process, and the committing process adopts what they
return (``Batch.add_segment``). Its merge takes :class:`MergeHelpers` to
write the merged postings in parts. An engine that cannot (tantivy, whose
writer has threads of its own) answers ``segment_staging()`` with None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

from pipeline.model import Report

#: The sub-directory of an index directory where other processes write their work for the
#: committing process (Whoosh: whole segments, parts of a merge). Not the index directory
#: itself: every Whoosh commit deletes the segment files there that its table of contents does
#: not list, a segment still being written among them. Inside it, so that a finished segment's
#: files move in by rename (one filesystem).
STAGING_DIR = "_staging"


class SegmentStaging(Protocol):
    """An index's staging area (:data:`STAGING_DIR`), for a run holding the run lock.

    Emptied when made (what a killed run's workers left is deleted); each
    task and directory it hands out is its own, named uniquely.
    """

    def task(self, items: Iterable[tuple[Report, str, str]]) -> Callable[[], Any]:
        """A picklable task writing ``(report, path, sha256)`` items as one segment; its result goes to
        ``Batch.add_segment``."""
        ...

    def directory(self) -> str:
        """A new, empty directory in the staging area, for work written in another process."""
        ...

    def discard(self, task: Any) -> None:
        """Delete what a task (or its result) left in the staging area, once adopted or given up."""
        ...

    def close(self) -> None:
        """Delete the staging area."""
        ...


@dataclass(frozen=True, slots=True)
class MergeHelpers:
    """Processes that write a merge's postings in parts (``Index.merge(helpers=...)``).

    ``run(task)`` runs a picklable task in another process and returns its
    future (None: not now, the merging process writes that part itself);
    ``parts``: how many parts to split the postings into; ``staging``: where
    the parts are written.
    """

    run: Callable[[Callable[[], Any]], Any]
    parts: int
    staging: SegmentStaging
