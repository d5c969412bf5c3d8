"""The Whoosh index engine: the only package that imports Whoosh.

:func:`open_whoosh` returns a :class:`WhooshIndex`, which takes and returns
``pipeline.model`` records behind the engine-neutral seam
(:class:`pipeline.index.Index`). The documents are the engine-neutral ones
(:mod:`pipeline.index.documents`); the schema and analyzers are in
:mod:`~pipeline.index.whoosh.schema`, the query translation in
:mod:`~pipeline.index.whoosh.translate`, the scoring and ordering of matches
in :mod:`~pipeline.index.whoosh.scoring`, snippets in
:mod:`~pipeline.index.whoosh.highlight`.

Writers commit only when every write in the batch succeeded; on any error
the batch is cancelled and the index keeps its last committed state.

Writing in other processes (:meth:`WhooshIndex.segment_staging`): workers
write reports as whole segments in the index's staging area
(:mod:`~pipeline.index.whoosh.staging`) and :meth:`Batch.add_segment` adopts
them in a commit of the process holding the writer.

Merging (:meth:`WhooshIndex.merge`): Whoosh's tier merge of the segments,
written faster with the same result, and given helpers, its postings written
in parts by other processes (:mod:`~pipeline.index.whoosh.merge`).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Iterable, Iterator

from pipeline.errors import IndexLocked, SearchIndexError
from pipeline.index import store
from pipeline.index.documents import documents, flatten, hit
from pipeline.index.fields import BM25_B, BM25_K1, SEARCH_TARGETS
from pipeline.index.store import Layout
from pipeline.index.whoosh.highlight import Highlighter
from pipeline.index.whoosh.merge import merge_tiers
from pipeline.index.whoosh.schema import (
    LAYOUT,
    WRITE_COMPOUND,
    WRITER_POOL_MB,
    analyzers,
    build_schema,
    index_names,
    remove_index,
)
from pipeline.index.whoosh.scoring import lengths_in_memory, matches, sort_key
from pipeline.index.whoosh.staging import SegmentStaging, StagedSegment
from pipeline.index.whoosh.translate import date_bounds, split_date_ranges, translate_query
from pipeline.index.writing import MergeHelpers
from pipeline.model import Report, SearchRequest, SearchResult, report_from_dict


class _Files:
    """The Whoosh indexes in an index directory (:class:`~pipeline.index.store.EngineFiles`)."""

    layout: Layout = LAYOUT

    def names(self, path: Path) -> set[str]:
        return index_names(path)

    def create(self, path: Path) -> None:
        from whoosh import index as wi

        wi.create_in(str(path), build_schema(), indexname=self.layout.index_name)

    def records(self, path: Path, name: str) -> Iterator[Report]:
        from whoosh import index as wi

        old = wi.open_dir(str(path), indexname=name)
        with old.searcher() as s:
            for stored in s.documents(doc_kind="report"):
                yield report_from_dict(json.loads(stored["record"]))

    def remove(self, path: Path, name: str) -> None:
        remove_index(path, name)

    def open(self, path: Path) -> "WhooshIndex":
        from whoosh import index as wi

        return WhooshIndex(path, wi.open_dir(str(path), indexname=self.layout.index_name))

    def failed(self, exc: BaseException) -> bool:
        return isinstance(exc, Exception)


#: This engine's files, as the index directory's lifecycle sees them.
FILES = _Files()


def open_whoosh(path: str | os.PathLike[str], *, create: bool = False, readonly: bool = False) -> "WhooshIndex":
    """Open the Whoosh index in ``path``; with ``create``, make it (and the directory) if missing.

    Raises :class:`~pipeline.errors.SearchIndexError` when there is no index and
    ``create`` is false, or it cannot be read. An index of another schema
    version is rebuilt, unless ``readonly`` (:func:`pipeline.index.store.prepare`).
    """
    path = Path(path)
    store.prepare(path, FILES, create=create, readonly=readonly)
    try:
        return FILES.open(path)
    except Exception as exc:  # a corrupt or unreadable index
        raise SearchIndexError(f"cannot open the index at {path}: {exc}") from exc


class Batch:
    """One writer transaction: commits if the ``with`` block ends normally, else cancels."""

    def __init__(self, writer: Any) -> None:
        self._w = writer
        self.segments: list[Any] = []  # staged segments adopted, added to the index at the commit

    def add_report(self, report: Report, *, path: str | None = None, sha256: str | None = None) -> int:
        """Index a report (and its parts), replacing any documents with the same ids.

        ``path``/``sha256`` identify the file (default: the report's source).
        Returns the number of section documents written.
        """
        path = path or report.source.path
        sha256 = sha256 or report.source.sha256
        n = 0
        for r in flatten(report):
            self._w.delete_by_term("report_id", r.id)
            for doc in documents(r, path, sha256):
                self._w.add_document(**doc)
            n += len(r.sections)
        return n

    def remove_report(self, report_id: str) -> int:
        return self._w.delete_by_term("report_id", report_id)

    def remove_path(self, path: str) -> int:
        return self._w.delete_by_term("path", path)

    def add_segment(self, staged: StagedSegment) -> int:
        """Adopt a segment a worker wrote (a staging task's result): what ``add_report`` of each of its reports does.

        The committed documents of every report (and part) it holds are
        deleted, its files move from the staging area into the index
        directory, and the commit adds it to the table of contents as it is
        (its postings are not read again). If the batch is cancelled instead,
        the moved files are left unlisted, and the next commit deletes them.
        Returns the number of reports (parts included) it holds.
        """
        from whoosh.filedb.filestore import FileStorage

        segment = staged.segment
        if segment.index_name() != self._w.indexname or segment.is_compound() != WRITE_COMPOUND:
            raise SearchIndexError(f"a staged segment of another index ({segment!r}) cannot join {self._w.indexname}")
        for report_id in staged.report_ids:
            self._w.delete_by_term("report_id", report_id)
        source = FileStorage(staged.directory)
        target = self._w.storage.folder
        names = segment.list_files(source)
        if not names:
            raise FileNotFoundError(f"the staged segment {segment.segment_id()} has no files in {staged.directory}")
        for name in names:
            os.replace(os.path.join(staged.directory, name), os.path.join(target, name))
        self.segments.append(segment)
        return len(staged.report_ids)


class WhooshIndex:
    """A Whoosh index behind the engine-neutral :class:`pipeline.index.Index` seam."""

    def __init__(self, path: Path, ix: Any) -> None:
        self.path = path
        self._ix = ix
        self._stem, self._exact = analyzers()
        self._cached: Any = None  # the searcher kept between calls (see _searcher)

    def __enter__(self) -> "WhooshIndex":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self._cached is not None:
            self._cached.close()
            self._cached = None
        self._ix.close()

    # ---- writing

    def _writer(self, wait: float) -> Any:
        from whoosh.index import LockError

        try:
            return self._ix.writer(timeout=wait, limitmb=WRITER_POOL_MB, compound=WRITE_COMPOUND)
        except LockError as exc:
            raise IndexLocked(
                f"the index at {self.path} is locked by another writer (an ingest running?); gave up after {wait:g} s"
            ) from exc

    @contextmanager
    def batch(self, *, timeout: float | None = None, merge: bool = True) -> Iterator[Batch]:
        """A write transaction: ``with ix.batch() as b: b.add_report(r)``.

        Commits only when the block finishes without an exception; otherwise
        cancels, leaving the last committed index untouched. ``merge=False``
        writes the batch as a new segment without merging any (a run of many
        batches then calls :meth:`merge` once at its end). Waits up to
        ``timeout`` seconds (default :data:`~pipeline.index.store.WRITE_LOCK_TIMEOUT`)
        for another writer's lock. Whoosh writes the new segments, then the
        table of contents to a temporary file renamed into place, so a process
        killed mid-commit leaves the previous generation readable; its lock is
        an ``flock``, which the kernel releases when the process dies.
        """
        from whoosh.writing import MERGE_SMALL, NO_MERGE

        writer = self._writer(store.lock_wait(timeout))
        batch = Batch(writer)
        try:
            yield batch
        except BaseException:
            writer.cancel()
            raise
        try:
            if batch.segments:
                # Adopted segments join the list the merge policy keeps: the deletions the
                # writer made are marked on those same segment objects, and go with them.
                policy, adopted = (MERGE_SMALL if merge else NO_MERGE), list(batch.segments)
                writer.commit(mergetype=lambda w, segments: policy(w, segments) + adopted)
            else:
                writer.commit(merge=merge)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise

    def merge(self, *, timeout: float | None = None, helpers: MergeHelpers | None = None) -> int:
        """Merge the segments written since the index last settled; returns the segments left.

        The end of an ingest that committed with ``merge=False``. Segments
        are merged tier-wise (:func:`~pipeline.index.whoosh.merge.merge_tiers`):
        one larger than all the smaller ones together is left alone, the rest
        become one segment, so an archive ingested in several runs keeps a few
        segments of geometrically falling sizes and each run rewrites about
        what it added. The merged segment is what Whoosh's merge writes,
        written faster. ``helpers``: other processes (an ingest's workers)
        write the merged postings in parts meanwhile, a range of terms each,
        while this one copies the documents and then appends the parts (a part
        that fails is written here): the same segment, in one commit. A commit
        like any other: if it fails the index keeps its segments.
        """
        if self.segment_count() <= 1:
            return self.segment_count()
        writer = self._writer(store.lock_wait(timeout))
        try:
            # Deleted documents go with the merge; nothing is added besides.
            writer.commit(mergetype=partial(merge_tiers, helpers=helpers) if helpers is not None else merge_tiers)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        return self.segment_count()

    def segment_staging(self) -> SegmentStaging:
        """The index's staging area, emptied, for segments written in other processes.

        :meth:`SegmentStaging.task` makes a picklable task writing reports as
        one segment, which any process may run, and :meth:`Batch.add_segment`
        adopts what it returns. Only for a run holding the run lock
        (:func:`pipeline.index.run_lock`).
        """
        return SegmentStaging(self.path, self._ix.schema, self._ix.indexname)

    def segment_count(self) -> int:
        """Segments in the last commit (search time grows with them)."""
        return len(self._ix._segments())

    def add_reports(self, reports: Iterable[Report]) -> int:
        """Index reports in one commit; returns the number of sections written."""
        with self.batch() as b:
            return sum(b.add_report(r) for r in reports)

    def remove(self, report_ids: Iterable[str]) -> int:
        """Remove reports by id (documents removed)."""
        with self.batch() as b:
            return sum(b.remove_report(i) for i in report_ids)

    def remove_paths(self, paths: Iterable[str]) -> int:
        """Remove every report read from these files (documents removed)."""
        with self.batch() as b:
            return sum(b.remove_path(p) for p in paths)

    # ---- reading

    def _searcher(self) -> Any:
        """A searcher on the last commit, kept open between calls and refreshed when the index changes.

        Opening one reads every segment's term tables, lengths and columns,
        which costs more than most queries (``trace`` fetching hundreds of
        records opened one per record). Checking that it is current lists the
        directory. (Whoosh's ``refresh`` fails on some readers: reopen instead.)
        """
        from whoosh import scoring

        s = self._cached
        if s is not None and not s.up_to_date():
            s.close()
            s = None
        if s is None:
            s = self._ix.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))
            lengths_in_memory(s)
        self._cached = s
        return s

    def _stored_reports(self) -> Iterator[dict[str, Any]]:
        yield from self._searcher().documents(doc_kind="report")

    def get_report(self, report_id: str) -> Report | None:
        # By the unique key alone: a term lookup (adding doc_kind made Whoosh walk every report).
        s = self._searcher()
        docnum = s.document_number(key=report_id)
        stored = None if docnum is None else s.stored_fields(docnum)
        if stored is None or stored.get("doc_kind") != "report":
            return None
        return report_from_dict(json.loads(stored["record"]))

    def report_ids(self, prefix: str = "") -> tuple[str, ...]:
        """Ids of the indexed reports (parts included) starting with ``prefix``, sorted."""
        return tuple(sorted(d["report_id"] for d in self._stored_reports() if d["report_id"].startswith(prefix)))

    def iter_reports(self) -> Iterator[Report]:
        """Every indexed report (an agenda pack and each of its parts), from the stored records."""
        for d in self._stored_reports():
            yield report_from_dict(json.loads(d["record"]))

    def hashes(self) -> dict[str, str]:
        """sha256 of each indexed file -> its path."""
        return {d["sha256"]: d["path"] for d in self._stored_reports()}

    def files(self) -> dict[str, str]:
        """Path of each indexed file -> its sha256."""
        return {d["path"]: d["sha256"] for d in self._stored_reports()}

    def count(self, doc_kind: str = "section") -> int:
        """Number of documents of one kind (``report``, ``section``, ``recommendation``; ``*``: all)."""
        from whoosh.query import Term

        s = self._searcher()
        if doc_kind == "*":
            return s.doc_count()
        return sum(1 for _ in Term("doc_kind", doc_kind).matcher(s, s.boolean_context()).all_ids())

    def doc_count(self) -> int:
        """All documents, of every kind."""
        return self._searcher().doc_count()

    def terms(self, text: str) -> list[tuple[int, int, str]]:
        """The text's index terms as the engine sees them: (start, end, term), stop words dropped."""
        return [(t.startchar, t.endchar, t.text) for t in self._stem(text, chars=True, mode="index")]

    # ---- searching

    def search(self, request: SearchRequest) -> SearchResult:
        """Run an engine-neutral request; hits carry highlighted snippets.

        Every match is scored (BM25F) and keyed by its report and meeting
        date read from the index's columns, then ordered here
        (:mod:`~pipeline.index.whoosh.scoring`). Stored fields are read for
        the page's hits only.
        """
        from whoosh import query as Q

        if request.target not in SEARCH_TARGETS:
            raise ValueError(f"unknown search target {request.target!r}")
        order = sort_key(request.sort)
        s = self._searcher()
        q = translate_query(request.query, s.schema, request.target)
        scope: list[Any] = [Q.Term("doc_kind", request.target)]
        # Date ranges in the filter are checked on the date read from the column for every
        # match anyway: a Whoosh date range query walks many numeric terms.
        rest, ranges = split_date_ranges(request.filter)
        if rest is not None:
            scope.append(translate_query(rest, s.schema))
        if request.report_ids:
            scope.append(Q.Or([Q.Term("report_id", r) for r in request.report_ids]))
        restrict = Q.And(scope) if len(scope) > 1 else scope[0]
        field = s.schema["meeting_date"]
        days = [
            (None if lo is None else field.prepare_datetime(lo), None if hi is None else field.prepare_datetime(hi))
            for lo, hi in (date_bounds(r) for r in ranges)
        ]
        # Require: only q scores; the scope restricts.
        found = matches(s, Q.Require(q, restrict), days)
        found.sort(key=order)
        total, reports = len(found), len({m.report for m in found})
        if request.per_report:
            kept: dict[bytes, int] = {}
            capped = []
            for m in found:
                n = kept.get(m.report, 0)
                if n < request.per_report:
                    kept[m.report] = n + 1
                    capped.append(m)
            found = capped
        highlighter = Highlighter(request.query, s, self._stem) if request.snippets else None
        hits = []
        for m in found[request.offset : request.offset + request.limit]:
            stored = s.stored_fields(m.docnum)
            snippet = highlighter.snippet(stored.get("content") or "") if highlighter else ""
            hits.append(hit(stored, m.score, snippet, text=request.texts))
        return SearchResult(hits=tuple(hits), total=total, reports=reports)
