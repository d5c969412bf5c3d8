"""Ingest papers into the index: expand folders, parse each file, index it, record it.

A bad file never stops the run (unless ``strict``): its problem becomes a
``failed`` outcome with a one-line reason naming the file, and nothing
already indexed is lost. Files are identified by content hash:

* ``indexed``   -- new file, added;
* ``unchanged`` -- same path, same sha256: nothing to do (not even parsed);
* ``replaced``  -- same path, new content: its old documents are replaced;
* ``duplicate`` -- the same content is already indexed under another path
  (or a folder was reached twice through a symlink): skipped, ``reason`` says where;
* ``failed``    -- could not be read, parsed or indexed (``reason`` says why).

An indexed or replaced file may carry a ``reason`` too: a note on how it was
read (OCR, Windows-1252 text, PDF content under another extension).

Safety:

* One ingest writes an index at a time: the run holds the index's run lock
  (:func:`pipeline.index.run_lock`), waiting up to ``lock_timeout`` seconds
  for another run, then raising :class:`~pipeline.errors.IndexLocked`.
  Searches never wait.
* Writes are batched: one commit per :data:`COMMIT_EVERY` parsed papers. A
  commit is all or nothing, so a crash (even SIGKILL) loses at most the papers
  parsed since the last commit (with workers writing segments, up to
  :data:`MAX_SEGMENT_JOBS` batches may be being written besides the one being
  gathered); running again indexes the rest, and nothing twice (report ids
  come from path and content). Commits don't merge the index's segments (a
  Whoosh merge rewrites what it merges, so merging at every commit made
  writing cost grow with the archive): the run merges once at its end, after
  its last commit (only if the run succeeded: an interrupted merge commits
  nothing), and on the way whenever :data:`MAX_RUN_SEGMENTS` have piled up.
  A run killed before its end leaves more segments, merged by the next run.
* After each commit the ledger (:mod:`pipeline.ingest.ledger`) records every file
  seen since the previous one, so ``boardpapers status`` lists what the
  archive holds and what failed, and ``retry_failed`` tries failures again.

Parallel parsing and writing (``workers``): files are examined (hashed,
judged unchanged or duplicate) in this process, in order; those to parse go
to a pool of worker processes, at most :data:`IN_FLIGHT_PER_WORKER` per worker
at a time (memory stays bounded whatever the archive's size), each worker
loading spaCy once. When the index's engine offers a staging area
(``Index.segment_staging``: Whoosh's), each batch of parsed papers goes
back to a worker, which does the indexing work (analysis, postings) and
writes the batch as a whole segment in the staging area, while the others parse; this process alone
commits: the segments in the order the batches were made, each in one commit
that deletes what its papers replace and lists the segment, at most
:data:`MAX_SEGMENT_JOBS` being written at once. A batch whose segment could
not be written is written in this process, as with one worker (only its bad
papers fail). The run's end merge has the workers write
the merged segment's postings, a range of terms each, while this process
copies its documents, then appends their parts and commits the one segment:
the segment merged here alone, byte for byte (a part a worker could not
write is written here). With one worker, or an engine without staging
(tantivy, whose writer has threads of its own), this process writes every
batch and merges alone. A killed ingest takes its workers with it, and the
next run clears what they left in the staging area. The outcomes and the
index are the same whatever the number of workers.

On a Dask cluster (``dask="local:N"`` or a scheduler's address): only the
parse executor differs (:mod:`~pipeline.ingest.cluster`); this process
decides, commits, records and merges as above, writing every batch itself.

Councils: after the run, a report that names no council takes it from the
papers to the same committee (:func:`fill_councils`).

The modules, in the order a file goes through them: :mod:`~pipeline.ingest.files`
(fingerprint, what can't be a paper), :mod:`~pipeline.ingest.parser` (the
default parser), :mod:`~pipeline.ingest.workers` (parsing in this process or
a pool; :mod:`~pipeline.ingest.cluster` on a Dask cluster),
:mod:`~pipeline.ingest.run` (deciding, committing, merging) and
:mod:`~pipeline.ingest.ledger` (what each file came to); and
:mod:`~pipeline.ingest.reindex`, an archive moved to another engine from its
stored records.
"""

from __future__ import annotations

from pipeline.ingest.files import file_sha256
from pipeline.ingest.parser import PaperParser, Parser
from pipeline.ingest.run import (
    COMMIT_EVERY,
    LOCK_TIMEOUT,
    MAX_RUN_SEGMENTS,
    MAX_SEGMENT_JOBS,
    Progress,
    fill_councils,
    ingest,
)
from pipeline.ingest.workers import IN_FLIGHT_PER_WORKER, WORKER_DIED, default_workers

__all__ = [
    "COMMIT_EVERY",
    "IN_FLIGHT_PER_WORKER",
    "LOCK_TIMEOUT",
    "MAX_RUN_SEGMENTS",
    "MAX_SEGMENT_JOBS",
    "WORKER_DIED",
    "PaperParser",
    "Parser",
    "Progress",
    "default_workers",
    "file_sha256",
    "fill_councils",
    "ingest",
]
