"""The tantivy index engine: the only package that imports tantivy.

It sits behind the same engine-neutral seam as the Whoosh engine
(:class:`pipeline.index.Index`): :func:`open_tantivy` returns a
:class:`TantivyIndex` that takes and returns ``pipeline.model`` records and
answers :class:`~pipeline.model.SearchRequest` s built from our own query AST.
``pipeline.index.open_index`` picks the engine recorded in the index's
``meta.json`` (``boardpapers ingest --engine tantivy`` chooses it at creation).

The documents are the engine-neutral ones (:mod:`pipeline.index.documents`),
laid out as :mod:`~pipeline.index.tantivy.schema` says; the field weights,
snippet marks and fuzzy/prefix rules are the shared ones
(:mod:`pipeline.index.fields`), so the two engines rank alike. BM25 (k1 1.2,
b 0.75) is tantivy's own, with tantivy's idf: scores differ from Whoosh's in
value, not in what they favour. Queries are translated in
:mod:`~pipeline.index.tantivy.translate`, pages ordered in
:mod:`~pipeline.index.tantivy.ranking`, snippets marked in
:mod:`~pipeline.index.tantivy.highlight`.

Files: the tantivy index lives in a sub-directory named for its schema version
(:data:`~pipeline.index.tantivy.schema.INDEX_SUBDIR`), because tantivy writes
its own ``meta.json``; ours, in the index directory, records the engine and
schema version. Opening an index of another schema version rebuilds it from
its stored records (:func:`pipeline.index.store.prepare`).

Writers commit only when every write in the batch succeeded; on any error the
batch is rolled back. Tantivy writes segments, then its ``meta.json``
atomically, so a process killed mid-commit leaves the last commit readable;
its writer lock is an OS file lock the kernel releases when the process dies.
tantivy's writer has indexing threads of its own: this engine stages no
segments in other processes (:meth:`TantivyIndex.segment_staging`).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import tantivy as tv

from pipeline.errors import IndexLocked, SearchIndexError
from pipeline.index import store
from pipeline.index.documents import documents, flatten, hit
from pipeline.index.fields import SEARCH_TARGETS
from pipeline.index.store import Layout
from pipeline.index.tantivy.highlight import Highlighter
from pipeline.index.tantivy.ranking import all_matches, order, rank
from pipeline.index.tantivy.schema import (
    LAYOUT,
    RECORD_FIELD,
    count_matches,
    create_dir,
    engine_failure,
    open_dir,
    read_records,
    stem_analyzer,
    stored,
    subdirs,
    to_document,
    words_analyzer,
)
from pipeline.index.tantivy.translate import Translator
from pipeline.index.writing import MergeHelpers
from pipeline.model import Report, SearchRequest, SearchResult, report_from_dict

log = logging.getLogger("boardpapers.index")

#: Memory a writer may buffer before it flushes a segment (tantivy needs at least 15 MB per thread).
WRITER_HEAP_BYTES = 64_000_000
#: Indexing threads per writer: one keeps a commit's documents in insertion order (stable ties).
WRITER_THREADS = 1
#: Seconds between attempts to take a busy writer lock.
WRITE_LOCK_POLL = 0.1


class _Files:
    """The tantivy indexes in an index directory (:class:`~pipeline.index.store.EngineFiles`)."""

    layout: Layout = LAYOUT

    def names(self, path: Path) -> set[str]:
        return subdirs(path)

    def create(self, path: Path) -> None:
        directory = path / self.layout.index_name
        if directory.exists():  # a half-built or unreadable index of this version
            shutil.rmtree(directory)
        create_dir(directory)

    def records(self, path: Path, name: str) -> Iterator[Report]:
        return read_records(path / name)

    def remove(self, path: Path, name: str) -> None:
        shutil.rmtree(path / name, ignore_errors=True)

    def open(self, path: Path) -> "TantivyIndex":
        return TantivyIndex(path, path / self.layout.index_name)

    def failed(self, exc: BaseException) -> bool:
        return engine_failure(exc)


#: This engine's files, as the index directory's lifecycle sees them.
FILES = _Files()


def open_tantivy(path: str | os.PathLike[str], *, create: bool = False, readonly: bool = False) -> "TantivyIndex":
    """Open the tantivy index in ``path``; with ``create``, make it (and the directory) if missing.

    Raises :class:`~pipeline.errors.SearchIndexError` when there is no index and
    ``create`` is false, or it cannot be read. An index of another schema
    version is rebuilt, unless ``readonly`` (:func:`pipeline.index.store.prepare`).
    """
    path = Path(path)
    store.prepare(path, FILES, create=create, readonly=readonly)
    try:
        return FILES.open(path)
    except BaseException as exc:  # a corrupt or unreadable index
        if not engine_failure(exc):
            raise
        raise SearchIndexError(f"cannot open the index at {path}: {exc}") from exc


# ---------------------------------------------------------------- writing


class TantivyBatch:
    """One writer transaction (see :meth:`TantivyIndex.batch`)."""

    def __init__(self, writer: tv.IndexWriter, index: "TantivyIndex") -> None:
        self._w = writer
        self._index = index
        self._searcher = index._searcher()  # the last commit: what removals count

    def add_report(self, report: Report, *, path: str | None = None, sha256: str | None = None) -> int:
        """Index a report (and its parts), replacing any documents with the same ids.

        ``path``/``sha256`` identify the file (default: the report's source).
        Returns the number of section documents written.
        """
        path = path or report.source.path
        sha256 = sha256 or report.source.sha256
        n = 0
        for r in flatten(report):
            self._w.delete_documents_by_term("report_id", r.id)
            for fields in documents(r, path, sha256):
                self._w.add_document(to_document(fields))
            n += len(r.sections)
        return n

    def _committed(self, field: str, value: str) -> int:
        query = tv.Query.term_query(self._index._schema, field, value)
        return count_matches(self._searcher, query)

    def remove_report(self, report_id: str) -> int:
        n = self._committed("report_id", report_id)
        self._w.delete_documents_by_term("report_id", report_id)
        return n

    def remove_path(self, path: str) -> int:
        n = self._committed("path", path)
        self._w.delete_documents_by_term("path", path)
        return n

    def add_segment(self, staged: Any) -> int:
        """Not offered: this engine stages no segments (:meth:`TantivyIndex.segment_staging` is None)."""
        raise SearchIndexError("the tantivy engine adopts no staged segments: write the reports with add_report")


def _release(writer: tv.IndexWriter) -> None:
    """Let go of a writer and its lock (after a commit or a rollback)."""
    try:
        writer.wait_merging_threads()
    except BaseException as exc:  # pragma: no cover - a failed merge must not hide the batch's own outcome
        if not engine_failure(exc):
            raise
        log.debug("tantivy writer did not close cleanly: %s", exc)


class TantivyIndex:
    """A tantivy index behind the engine-neutral :class:`pipeline.index.Index` seam."""

    def __init__(self, path: Path, directory: Path) -> None:
        self.path = path
        self._dir = directory  # tantivy's own files
        self._ix = open_dir(directory)
        self._schema = self._ix.schema
        self._stem = stem_analyzer()
        self._words = words_analyzer()
        self._cached: tv.Searcher | None = None  # see _searcher
        self._stamp: tuple[int, ...] | None = None

    def __enter__(self) -> "TantivyIndex":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: readers hold no locks, and every batch let go of its writer."""

    def _searcher(self) -> tv.Searcher:
        """A searcher on the last commit (by this process or another), kept while the index is unchanged.

        tantivy replaces its ``meta.json`` at every commit: reloading only
        when that file changed saves a reload per call (``similar`` and
        ``trace`` fetch dozens of records).
        """
        try:
            st = os.stat(self._dir / "meta.json")
            stamp: tuple[int, ...] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if self._cached is None or stamp is None or stamp != self._stamp:
            self._ix.reload()
            self._cached, self._stamp = self._ix.searcher(), stamp
        return self._cached

    # ---- writing

    def _writer(self, timeout: float) -> tv.IndexWriter:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self._ix.writer(heap_size=WRITER_HEAP_BYTES, num_threads=WRITER_THREADS)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise SearchIndexError(f"cannot write the index at {self.path}: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"the index at {self.path} is locked by another writer (an ingest running?); "
                        f"gave up after {timeout:g} s"
                    ) from exc
                time.sleep(WRITE_LOCK_POLL)

    @contextmanager
    def batch(self, *, timeout: float | None = None, merge: bool = True) -> Iterator[TantivyBatch]:
        """A write transaction: ``with ix.batch() as b: b.add_report(r)``.

        Commits only when the block finishes without an exception; otherwise
        rolls back, leaving the last committed index untouched. ``merge`` is
        accepted for the seam and ignored: tantivy merges segments in the
        background by its own log-size policy. Waits up to ``timeout``
        seconds (default :data:`~pipeline.index.store.WRITE_LOCK_TIMEOUT`)
        for another writer's lock.
        """
        writer = self._writer(store.lock_wait(timeout))
        try:
            try:
                yield TantivyBatch(writer, self)
            except BaseException:
                writer.rollback()
                raise
            writer.commit()
        finally:
            _release(writer)  # the writer only: a commit happened above, or not at all

    def merge(self, *, timeout: float | None = None, helpers: MergeHelpers | None = None) -> int:
        """Nothing to do (tantivy merges as it commits; ``helpers`` are not needed); returns the segments."""
        return self.segment_count()

    def segment_staging(self) -> None:
        """None: tantivy's writer has indexing threads of its own, so batches are written in the committing
        process (an ingest's workers only parse)."""
        return None

    def segment_count(self) -> int:
        """Segments in the last commit."""
        return self._searcher().num_segments

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

    def _stored_reports(self) -> Iterator[dict[str, Any]]:
        s = self._searcher()
        for _, addr in all_matches(s, tv.Query.term_query(self._schema, "doc_kind", "report")):
            yield stored(s.doc(addr))

    @staticmethod
    def _record(fields: dict[str, Any]) -> Report:
        return report_from_dict(json.loads(bytes(fields[RECORD_FIELD]).decode("utf-8")))

    def get_report(self, report_id: str) -> Report | None:
        # By the unique key alone (a report's key is its id; its parts' keys carry a "#"), reading
        # only the stored record.
        s = self._searcher()
        for _, address in s.search(tv.Query.term_query(self._schema, "key", report_id), limit=2, count=False).hits:
            doc = s.doc(address)
            record = doc.get_first(RECORD_FIELD)
            if doc.get_first("doc_kind") == "report" and record is not None:
                return report_from_dict(json.loads(bytes(record).decode("utf-8")))
        return None

    def report_ids(self, prefix: str = "") -> tuple[str, ...]:
        """Ids of the indexed reports (parts included) starting with ``prefix``, sorted."""
        return tuple(sorted(d["report_id"] for d in self._stored_reports() if d["report_id"].startswith(prefix)))

    def iter_reports(self) -> Iterator[Report]:
        """Every indexed report (an agenda pack and each of its parts), from the stored records."""
        for d in self._stored_reports():
            yield self._record(d)

    def hashes(self) -> dict[str, str]:
        """sha256 of each indexed file -> its path."""
        return {d["sha256"]: d["path"] for d in self._stored_reports()}

    def files(self) -> dict[str, str]:
        """Path of each indexed file -> its sha256."""
        return {d["path"]: d["sha256"] for d in self._stored_reports()}

    def count(self, doc_kind: str = "section") -> int:
        """Number of documents of one kind (``report``, ``section``, ``recommendation``; ``*``: all)."""
        s = self._searcher()
        if doc_kind == "*":
            return s.num_docs
        return count_matches(s, tv.Query.term_query(self._schema, "doc_kind", doc_kind))

    def doc_count(self) -> int:
        """All documents, of every kind."""
        return self._searcher().num_docs

    def terms(self, text: str) -> list[tuple[int, int, str]]:
        """The text's index terms as the engine sees them: (start, end, term), stop words dropped."""
        return [(t.char_offset_from, t.char_offset_to, t.text) for t in self._stem.pre_tokenize(text).tokens]

    # ---- searching

    def search(self, request: SearchRequest) -> SearchResult:
        """Run an engine-neutral request; hits carry highlighted snippets."""
        if request.target not in SEARCH_TARGETS:
            raise ValueError(f"unknown search target {request.target!r}")
        keys = order(request.sort)
        s = self._searcher()
        translator = Translator(self._schema, s, self._stem)
        q = translator.translate(request.query, request.target)
        scope: list[tv.Query | None] = []
        if not translator.confined(request.query, request.target):  # else the query's fields confine it
            scope.append(tv.Query.term_query(self._schema, "doc_kind", request.target))
        if request.filter is not None:
            scope.append(translator.translate(request.filter))
        if request.report_ids:
            scope.append(tv.Query.term_set_query(self._schema, "report_id", list(request.report_ids)))
        if q is None or any(x is None for x in scope):
            return SearchResult(hits=(), total=0, reports=0)  # a part can match nothing
        # Like Whoosh's Require: the scope restricts, only the query scores.
        restrict = [x for x in scope if x is not None]
        clauses = [(tv.Occur.Must, q)] + [(tv.Occur.Must, tv.Query.const_score_query(x, 0.0)) for x in restrict]
        query = tv.Query.boolean_query(clauses) if restrict else q
        ranked = rank(s, self._schema, request, query, keys)
        highlighter = None
        if request.snippets and ranked.page:
            highlighter = Highlighter(request.query, s, self._stem, self._words, request.target)
        hits = []
        for score, fields in ranked.page:
            snippet = highlighter.snippet(fields.get("content") or "") if highlighter else ""
            hits.append(hit(fields, score, snippet, text=request.texts))
        return SearchResult(
            hits=tuple(hits), total=ranked.total, reports=ranked.reports, reports_exact=ranked.reports_exact
        )
