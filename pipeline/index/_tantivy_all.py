"""The tantivy index engine: the only module that knows about tantivy.

It sits behind the same engine-neutral seam as the Whoosh engine
(:class:`pipeline.index.Index`): :func:`open_tantivy` returns a
:class:`TantivyIndex` that takes and returns ``pipeline.model`` records and
answers :class:`~pipeline.model.SearchRequest` s built from our own query AST.
``pipeline.index.open_index`` picks the engine recorded in the index's
``meta.json`` (``boardpapers ingest --engine tantivy`` chooses it at creation).

The documents are the Whoosh engine's (:func:`pipeline.index._documents`): one
per section with the report's fields copied on, one per recommendation, and
one per report holding the whole record as stored JSON. The field weights,
snippet marks and fuzzy/prefix rules are the same named constants too, so the
two engines rank alike. The differences:

* a bare word's fields exist only on the documents of the kind it searches
  (:data:`KIND_FIELDS`: a recommendation's text is ``rec_content``; a section
  carries its report's subject again as ``section_subject``), so a query of
  bare words runs without a ``doc_kind`` clause (:meth:`_Translator.confined`),
  and the field statistics BM25 uses are the target's own;

* stemming is Snowball English (Porter2) rather than Porter, so a few words
  stem differently;
* stop words leave a gap: the phrase "performance of the board" matches those
  words with two stop words between "performance" and "board" (Whoosh
  renumbers positions, so it also matches "performance board");
* BM25 (k1 1.2, b 0.75) is tantivy's own, with tantivy's idf: scores differ in
  value, not in what they favour.

Files: the tantivy index lives in a sub-directory named for its schema version
(:data:`INDEX_SUBDIR`), because tantivy writes its own ``meta.json``; ours,
in the index directory, records the engine and schema version. Opening an
index of another schema version rebuilds it from its stored records.

Writers commit only when every write in the batch succeeded; on any error the
batch is rolled back. Tantivy writes segments, then its ``meta.json``
atomically, so a process killed mid-commit leaves the last commit readable;
its writer lock is an OS file lock the kernel releases when the process dies.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import tantivy as tv

from pipeline.index import _whoosh_all as _index
from pipeline.errors import IndexLocked, NoIndex, QueryError, SearchIndexError
from pipeline.index._whoosh_all import (
    BODY_WEIGHT,
    FUZZY_PREFIX_LENGTH,
    HEADING_WEIGHT,
    KEYWORD_FIELD_MAP,
    MAX_EXPANSIONS,
    META_FILE,
    RECOMMENDATIONS_WEIGHT,
    REBUILD_COMMIT_EVERY,
    SUBJECT_WEIGHT,
    TEXT_FIELD_MAP,
    _documents,
    _flatten,
    _hit,
    make_snippet,
)
from pipeline.model import (
    QAll,
    QAnd,
    QDateRange,
    QFuzzy,
    QNot,
    QOr,
    QPhrase,
    QPrefix,
    QTerm,
    QueryNode,
    Report,
    SearchRequest,
    SearchResult,
    report_from_dict,
    report_to_dict,
)

log = logging.getLogger("boardpapers.index")

#: The engine name recorded in meta.json.
ENGINE = "tantivy"
#: Bump when the schema (fields, analyzers, document layout) changes.
#: 2: a bare word's fields exist only on the documents of the kind it searches (KIND_FIELDS).
SCHEMA_VERSION = 2
#: The sub-directory of the index directory holding tantivy's files.
INDEX_SUBDIR = f"tantivy_v{SCHEMA_VERSION}"
#: Names of the sub-directories earlier schema versions used.
_SUBDIR = re.compile(
    r"""
    ^tantivy_v(?P<version>\d+)$    # tantivy_v1, tantivy_v2...
    """,
    re.VERBOSE,
)

#: Memory a writer may buffer before it flushes a segment (tantivy needs at least 15 MB per thread).
WRITER_HEAP_BYTES = 64_000_000
#: Indexing threads per writer: one keeps a commit's documents in insertion order (stable ties).
WRITER_THREADS = 1
#: Seconds between attempts to take a busy writer lock.
WRITE_LOCK_POLL = 0.1

# Large result sets. A search first reads tantivy's top k documents (and the count of all);
# in relevance order that usually settles the page without reading every match.
#: k holds this many times the documents the page needs...
TOP_K_FACTOR = 4
#: ...and at least this many (the best scores of a common phrase tie in runs of hundreds: with 200,
#: the page needed a second read, a second evaluation of the phrase; a larger k costs every search a little).
TOP_K_MIN = 1000
#: Each further read holds this many times more; a read of more than total / this is not tried
#: (every match is read and sorted instead).
TOP_K_GROWTH = 8
#: Reports among the matches are counted exactly up to this many matches; beyond, tantivy's
#: cardinality aggregation estimates them (HyperLogLog: within about 1 %, for a figure shown
#: as "N sections in M reports match").
EXACT_REPORTS_UP_TO = 50_000
#: Estimate the reports among a relevance search's matches in a second thread while the first
#: thread reads the top documents (tantivy's binding releases the GIL while it searches: on two
#: cores the two evaluations of a common phrase over a million sections take ~29 ms, not ~52).
ESTIMATE_ALONGSIDE = True
#: The top k ending inside a run of equal scores that fills at least this share of them: the run's
#: newest matches are read by day (``_newest_of_run``) rather than every match.
NEWEST_RUN_SHARE = 0.5
#: That read takes up to this many times k matches (the days the k newest matches span, whole).
NEWEST_READ_FACTOR = 2
#: Matches a relevance page orders at a time (whole runs of equal scores; see ``_head``).
HEAD_CHUNK = 256
#: Stands for the count of matches when it was not asked for and the top k did not reach it.
_UNKNOWN = 2**62

# Analyzers (registered on every opened index under these names).
#: Stemmed words: ranking, phrases and the words-valued fields.
STEM_TOKENIZER = "bp_stem"
#: Plain lower-cased words (no stop list, no stemming) for prefix and fuzzy matching.
WORDS_TOKENIZER = "bp_words"
#: Snowball stemmer language.
STEM_LANGUAGE = "english"
#: Tokens of the stemmed analyzer: Whoosh's ``\w+(\.?\w+)*`` without one-character words.
STEM_TOKEN_PATTERN = r"""(?x)
      \w+ (?:\.\w+)+     # dotted numbers and words: 2.5m, 18.3
    | \w{2,}             # a word of two or more characters (MIN_TOKEN_LENGTH)
"""
#: Tokens of the plain analyzer: every word, one character or more.
WORDS_TOKEN_PATTERN = r"""(?x)
    \w+ (?:\.\w+)*       # a word, possibly dotted
"""
#: Longer tokens (bytes) are dropped: tantivy can't index a term over 64 KB.
MAX_TOKEN_BYTES = 255
#: Stop words: Whoosh's StemmingAnalyzer list, so both engines drop the same words.
STOP_WORDS: tuple[str, ...] = (
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if", "in", "is", "it",
    "may", "not", "of", "on", "or", "tbd", "that", "the", "this", "to", "us", "we", "when", "will", "with",
    "yet", "you", "your",
)

# Fields, by how they are indexed.
#: Exact values (ids, paths, vocabularies).
RAW_FIELDS: tuple[str, ...] = (
    "key", "doc_kind", "report_id", "parent_id", "path", "sha256",
    "fy", "quarter", "period", "doc_type", "kind", "number",
)
#: Analysed (stemmed) text with positions, stored.
STEMMED_FIELDS: tuple[str, ...] = ("council", "committee", "officer", "subject", "title", "content", "rec_content")
#: Analysed (stemmed) text with positions, not stored.
UNSTORED_STEMMED_FIELDS: tuple[str, ...] = ("recs", "section_subject")
#: Plain words (prefix and fuzzy matching), not stored.
WORDS_FIELDS: tuple[str, ...] = ("words", "rec_words")
# A bare word searches fields that exist only on the documents of the kind it targets, so a query
# of bare words matches nothing else and needs no doc_kind clause (intersecting one with a query
# matching most of a million sections cost more than the query: ``similar`` 31 -> 18 ms).
#: Fields a document of a kind writes under another name (a recommendation's text and words)...
KIND_FIELDS: dict[str, dict[str, str]] = {"recommendation": {"content": "rec_content", "words": "rec_words"}}
#: ...and read back under the common name (a hit's ``content``).
STORED_AS: dict[str, str] = {"rec_content": "content"}
#: A section also carries its report's subject here, for bare words (``subject``, on every
#: document, serves ``subject:`` filters).
SECTION_SUBJECT_FIELD = "section_subject"
#: Stored integers.
INT_FIELDS: tuple[str, ...] = ("page", "section_index")
#: The meeting date as a day number (``date.toordinal``): ranges, sorting, stored.
DAY_FIELD = "meeting_day"
#: A 64-bit hash of the report id (fast field): grouping and collapsing matches by report.
REPORT_KEY_FIELD = "report_key"
#: The stored record (JSON bytes) of a report document.
RECORD_FIELD = "record"


# ---------------------------------------------------------------- schema and analyzers


def _schema() -> tv.Schema:
    sb = tv.SchemaBuilder()
    for name in RAW_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    for name in STEMMED_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name=STEM_TOKENIZER, index_option="position")
    for name in UNSTORED_STEMMED_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name=STEM_TOKENIZER, index_option="position")
    for name in WORDS_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name=WORDS_TOKENIZER, index_option="freq")
    for name in INT_FIELDS:
        sb.add_integer_field(name, stored=True)
    sb.add_integer_field(DAY_FIELD, stored=True, indexed=True, fast=True)
    sb.add_unsigned_field(REPORT_KEY_FIELD, indexed=False, fast=True)
    sb.add_bytes_field(RECORD_FIELD, stored=True)
    return sb.build()


@functools.cache  # built once a process (~0.4 ms each): every open registers them
def _stem_analyzer() -> tv.TextAnalyzer:
    return (
        tv.TextAnalyzerBuilder(tv.Tokenizer.regex(STEM_TOKEN_PATTERN))
        .filter(tv.Filter.lowercase())
        .filter(tv.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tv.Filter.custom_stopword(list(STOP_WORDS)))
        .filter(tv.Filter.stemmer(STEM_LANGUAGE))
        .build()
    )


@functools.cache
def _words_analyzer() -> tv.TextAnalyzer:
    return (
        tv.TextAnalyzerBuilder(tv.Tokenizer.regex(WORDS_TOKEN_PATTERN))
        .filter(tv.Filter.lowercase())
        .filter(tv.Filter.remove_long(MAX_TOKEN_BYTES))
        .build()
    )


@dataclass(frozen=True, slots=True)
class _Token:
    start: int  # character offsets in the analysed text
    end: int
    position: int
    text: str  # the term


def _tokens(analyzer: tv.TextAnalyzer, text: str) -> list[_Token]:
    return [
        _Token(t.char_offset_from, t.char_offset_to, t.position, t.text)
        for t in analyzer.pre_tokenize(text).tokens
    ]


def report_key(report_id: str) -> int:
    """The 64-bit key a report's documents share (grouping by report without loading them)."""
    return int.from_bytes(hashlib.blake2b(report_id.encode("utf-8"), digest_size=8).digest(), "big")


def _to_document(fields: dict[str, Any]) -> tv.Document:
    """A tantivy document from one of :func:`pipeline.index._documents`' dicts (fields renamed by kind)."""
    doc = tv.Document()
    renamed = KIND_FIELDS.get(fields.get("doc_kind", ""), {})
    for name, value in fields.items():
        if value is None:
            continue
        name = renamed.get(name, name)
        if name == "meeting_date":
            doc.add_integer(DAY_FIELD, value.toordinal())
        elif name == RECORD_FIELD:
            doc.add_bytes(RECORD_FIELD, value.encode("utf-8"))
        elif name in INT_FIELDS:
            doc.add_integer(name, int(value))
        else:
            doc.add_text(name, str(value))
    if fields.get("doc_kind") == "section" and fields.get("subject"):
        doc.add_text(SECTION_SUBJECT_FIELD, str(fields["subject"]))
    doc.add_unsigned(REPORT_KEY_FIELD, report_key(fields["report_id"]))
    return doc


def _stored(doc: tv.Document) -> dict[str, Any]:
    """A stored document as the flat dict :func:`pipeline.index._hit` reads."""
    out: dict[str, Any] = {STORED_AS.get(name, name): values[0] for name, values in doc.to_dict().items() if values}
    day = out.pop(DAY_FIELD, None)
    out["meeting_date"] = None if day is None else _dt.date.fromordinal(day)
    return out


# ---------------------------------------------------------------- meta / opening


def _write_meta(path: Path) -> None:
    meta = {"schema_version": SCHEMA_VERSION, "engine": ENGINE, "index_name": INDEX_SUBDIR}
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path / META_FILE)


def _subdirs(path: Path) -> set[str]:
    """Names of the tantivy indexes (one per schema version) in a directory."""
    if not path.is_dir():
        return set()
    return {name for name in os.listdir(path) if _SUBDIR.match(name) and (path / name / "meta.json").exists()}


def _engine_failure(exc: BaseException) -> bool:
    """An error from tantivy, Rust panics included (pyo3 raises those as a BaseException)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _open(directory: Path) -> tv.Index:
    ix = tv.Index.open(str(directory))
    ix.register_tokenizer(STEM_TOKENIZER, _stem_analyzer())
    ix.register_tokenizer(WORDS_TOKENIZER, _words_analyzer())
    return ix


def _create(directory: Path) -> tv.Index:
    directory.mkdir(parents=True, exist_ok=True)
    tv.Index(_schema(), path=str(directory), reuse=False)
    return _open(directory)


def open_tantivy(path: str | os.PathLike[str], *, create: bool = False, readonly: bool = False) -> "TantivyIndex":
    """Open the tantivy index in ``path``; with ``create``, make it (and the directory) if missing.

    Raises :class:`~pipeline.errors.SearchIndexError` when there is no index and
    ``create`` is false. An index of another schema version is rebuilt.
    """
    path = Path(path)
    meta = _index._read_meta(path)
    names = _subdirs(path)
    current = (
        meta is not None
        and meta.get("engine") == ENGINE
        and meta.get("schema_version") == SCHEMA_VERSION
        and INDEX_SUBDIR in names
    )
    if not current:
        if not names and not create:
            raise NoIndex(f"no index at {path} (run `boardpapers ingest PATH --index {path}` first)")
        if readonly:  # a read command never writes
            raise SearchIndexError(_index.stale_index(path, meta))
        path.mkdir(parents=True, exist_ok=True)
        if names:
            _migrate(path, meta, names)
        else:
            _create(path / INDEX_SUBDIR)
            _write_meta(path)
    try:
        ix = _open(path / INDEX_SUBDIR)
    except BaseException as exc:  # a corrupt or unreadable index
        if not _engine_failure(exc):
            raise
        raise SearchIndexError(f"cannot open the index at {path}: {exc}") from exc
    return TantivyIndex(path, ix)


def _read_records(directory: Path) -> Iterator[Report]:
    """The stored records of an index, one at a time."""
    ix = _open(directory)
    searcher = ix.searcher()
    query = tv.Query.term_query(ix.schema, "doc_kind", "report")
    n = searcher.search(query, limit=1, count=True).count
    if not n:
        return
    for _, addr in searcher.search(query, limit=n, count=False).hits:
        yield report_from_dict(json.loads(bytes(searcher.doc(addr)[RECORD_FIELD][0]).decode("utf-8")))


def _migrate(path: Path, meta: dict[str, Any] | None, names: set[str]) -> None:
    """Rebuild an index of another schema version from its stored records.

    Records are read and written :data:`REBUILD_COMMIT_EVERY` at a time, so
    memory does not grow with the archive (when the old index is this
    version's own directory, all are read first: the new one replaces it).
    """
    from itertools import chain, islice

    old_version = (meta or {}).get("schema_version", "unknown")
    old_names = sorted(names - {INDEX_SUBDIR}) or sorted(names)
    records: Iterator[Report] = chain.from_iterable(_read_records(path / name) for name in old_names)
    readable = True
    if INDEX_SUBDIR in old_names:
        try:
            records = iter(list(records))
        except BaseException as exc:  # anything unreadable: fall back to an empty index
            if not _engine_failure(exc):
                raise
            log.debug("cannot read old index: %s", exc)
            records, readable = iter(()), False
    new_dir = path / INDEX_SUBDIR
    if new_dir.exists():  # a half-built or unreadable index of this version
        shutil.rmtree(new_dir)
    new = TantivyIndex(path, _create(new_dir))
    written = 0
    while readable:
        try:
            chunk = list(islice(records, REBUILD_COMMIT_EVERY))
        except BaseException as exc:  # anything unreadable: fall back to an empty index
            if not _engine_failure(exc):
                raise
            log.debug("cannot read old index: %s", exc)
            readable = False
            break
        if not chunk:
            break
        with new.batch() as b:
            for r in chunk:
                b.add_report(r)
        written += len(chunk)
    if not readable and written:  # start again, empty
        shutil.rmtree(new_dir)
        _create(new_dir)
    _write_meta(path)
    for name in old_names:
        if name != INDEX_SUBDIR:
            shutil.rmtree(path / name, ignore_errors=True)
    if readable:
        log.warning(
            "index at %s had schema version %s; rebuilt for version %s from %d stored reports",
            path, old_version, SCHEMA_VERSION, written,
        )
    else:
        log.warning(
            "index at %s had schema version %s and its records could not be read; "
            "recreated it empty for version %s: ingest your papers again",
            path, old_version, SCHEMA_VERSION,
        )


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
        for r in _flatten(report):
            self._w.delete_documents_by_term("report_id", r.id)
            for fields in _documents(r, path, sha256):
                self._w.add_document(_to_document(fields))
            n += len(r.sections)
        return n

    def _committed(self, field: str, value: str) -> int:
        query = tv.Query.term_query(self._index._schema, field, value)
        return self._searcher.search(query, limit=1, count=True).count

    def remove_report(self, report_id: str) -> int:
        n = self._committed("report_id", report_id)
        self._w.delete_documents_by_term("report_id", report_id)
        return n

    def remove_path(self, path: str) -> int:
        n = self._committed("path", path)
        self._w.delete_documents_by_term("path", path)
        return n


def _release(writer: tv.IndexWriter) -> None:
    """Let go of a writer and its lock (after a commit or a rollback)."""
    try:
        writer.wait_merging_threads()
    except BaseException as exc:  # pragma: no cover - a failed merge must not hide the batch's own outcome
        if not _engine_failure(exc):
            raise
        log.debug("tantivy writer did not close cleanly: %s", exc)


# ---------------------------------------------------------------- reading: the match list


@dataclass(frozen=True, slots=True)
class _Match:
    score: float
    day: int | None
    key: int  # report_key
    segment: int
    doc: int
    address: Any


def _order(sort: str) -> tuple[Callable[[_Match], tuple], Callable[[_Match], tuple]]:
    """(the order's key up to the report, the key of a tie run) for a sort.

    Newest first; a match without a date comes after every dated one.
    """
    if sort == "relevance":
        def tie(m: _Match) -> tuple:
            return (-m.score, m.day is None, -(m.day or 0))
    elif sort == "date":
        def tie(m: _Match) -> tuple:
            return (m.day is None, -(m.day or 0), -m.score)
    else:
        raise ValueError(f"unknown sort {sort!r}")

    def full(m: _Match) -> tuple:
        return (*tie(m), m.key, m.segment, m.doc)

    return full, tie


class TantivyIndex:
    """A tantivy index behind the engine-neutral :class:`pipeline.index.Index` seam."""

    engine = ENGINE

    def __init__(self, path: Path, ix: tv.Index) -> None:
        self.path = path
        self._ix = ix
        self._schema = ix.schema
        self._stem = _stem_analyzer()
        self._words = _words_analyzer()
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
            st = os.stat(self.path / INDEX_SUBDIR / "meta.json")
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
        background by its own log-size policy. Waits up to
        ``timeout`` seconds (default ``pipeline.index.WRITE_LOCK_TIMEOUT``)
        for another writer's lock.
        """
        writer = self._writer(_index.WRITE_LOCK_TIMEOUT if timeout is None else timeout)
        try:
            try:
                yield TantivyBatch(writer, self)
            except BaseException:
                writer.rollback()
                raise
            writer.commit()
        finally:
            _release(writer)  # the writer only: a commit happened above, or not at all

    def merge(self, *, timeout: float | None = None) -> int:
        """Nothing to do (tantivy merges as it commits); returns the segments in the last commit."""
        return self.segment_count()

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

    def _all(self, searcher: tv.Searcher, query: tv.Query, total: int | None = None) -> list[tuple[float, Any]]:
        """Every match of a query, best first (``total``: their count, if known)."""
        n = searcher.search(query, limit=1, count=True).count if total is None else total
        return searcher.search(query, limit=n, count=False).hits if n else []

    def _stored_reports(self) -> Iterator[dict[str, Any]]:
        s = self._searcher()
        for _, addr in self._all(s, tv.Query.term_query(self._schema, "doc_kind", "report")):
            yield _stored(s.doc(addr))

    @staticmethod
    def _record(stored: dict[str, Any]) -> Report:
        return report_from_dict(json.loads(bytes(stored[RECORD_FIELD]).decode("utf-8")))

    def get_report(self, report_id: str) -> Report | None:
        # By the unique key alone (a report's key is its id; its parts' keys carry a "#"), reading
        # only the stored record.
        s = self._searcher()
        for _, address in s.search(tv.Query.term_query(self._schema, "key", report_id), limit=2, count=False).hits:
            doc = s.doc(address)
            if doc.get_first("doc_kind") == "report":
                return report_from_dict(json.loads(bytes(doc.get_first(RECORD_FIELD)).decode("utf-8")))
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
        return s.search(tv.Query.term_query(self._schema, "doc_kind", doc_kind), limit=1, count=True).count

    def doc_count(self) -> int:
        """All documents, of every kind."""
        return self._searcher().num_docs

    def terms(self, text: str) -> list[tuple[int, int, str]]:
        """The text's index terms as the engine sees them: (start, end, term), stop words dropped."""
        return [(t.char_offset_from, t.char_offset_to, t.text) for t in self._stem.pre_tokenize(text).tokens]

    # ---- searching

    def search(self, request: SearchRequest) -> SearchResult:
        """Run an engine-neutral request; hits carry highlighted snippets."""
        if request.target not in ("section", "recommendation"):
            raise ValueError(f"unknown search target {request.target!r}")
        full_key, tie_key = _order(request.sort)
        s = self._searcher()
        translator = _Translator(self._schema, s, self._stem)
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
        clauses = [(tv.Occur.Must, q)] + [(tv.Occur.Must, tv.Query.const_score_query(x, 0.0)) for x in scope]
        query = tv.Query.boolean_query(clauses) if scope else q
        want = request.offset + request.limit
        k = max(TOP_K_MIN, want * (request.per_report or 1) * TOP_K_FACTOR)
        estimate = None
        if request.counts and request.sort == "relevance" and ESTIMATE_ALONGSIDE:
            estimate = _Alongside(s.cardinality, query, REPORT_KEY_FIELD)  # used if the matches are many
        try:
            return self._search(s, request, query, k, want, estimate, full_key, tie_key)
        finally:
            if estimate is not None:
                estimate.join()

    def _search(self, s: tv.Searcher, request: SearchRequest, query: tv.Query, k: int, want: int,
                estimate: "_Alongside | None", full_key: Callable[[_Match], tuple],
                tie_key: Callable[[_Match], tuple]) -> SearchResult:
        # Counting every match stops tantivy skipping the blocks that can't reach the top k.
        first = s.search(query, limit=k, count=request.counts)
        total = first.count if request.counts else (len(first.hits) if len(first.hits) < k else _UNKNOWN)
        if not total:
            return SearchResult(hits=(), total=0, reports=0)
        best = None
        if request.sort == "relevance" and total > len(first.hits):
            best, total = self._best(s, query, request, total, full_key, first.hits)
        if best is None:
            found = first.hits if total <= len(first.hits) else self._all(s, query, None if total == _UNKNOWN else total)
            if request.sort == "relevance":  # ordered only as far as the page needs
                matches, _ = _head(s, found, full_key, request.per_report, want, complete=True)
            else:
                matches = _capped(self._matches(s, found, full_key), request.per_report)
            reports = len(set(s.fast_field_values(REPORT_KEY_FIELD, [a for _, a in found]))) if request.counts else 0
            exact = True
        else:
            matches = best
            reports, exact = self._reports(s, query, total, estimate) if request.counts else (0, True)
        if not request.counts:
            total = 0  # not asked for (it may have been counted on the way, or not)
        page, stored = self._page(s, matches, request.offset, want, tie_key)
        highlighter = _Highlighter(request.query, s, self._stem, self._words, request.target) if request.snippets else None
        hits = []
        for m in page:
            d = stored[(m.segment, m.doc)]
            snippet = highlighter.snippet(d.get("content") or "") if highlighter else ""
            hits.append(_hit(d, m.score, snippet, text=request.texts))
        return SearchResult(hits=tuple(hits), total=total, reports=reports, reports_exact=exact)

    @staticmethod
    def _matches(s: tv.Searcher, found: list[tuple[float, Any]], key: Callable[[_Match], tuple]) -> list[_Match]:
        """Scored addresses as matches (date and report from the fast fields), in the order of ``key``."""
        addresses = [a for _, a in found]
        days = s.fast_field_values(DAY_FIELD, addresses)
        keys = s.fast_field_values(REPORT_KEY_FIELD, addresses)
        matches = [
            _Match(float(score), day, k, a.segment_ord, a.doc, a) for (score, a), day, k in zip(found, days, keys)
        ]
        matches.sort(key=key)
        return matches

    def _best(self, s: tv.Searcher, query: tv.Query, request: SearchRequest, total: int,
              key: Callable[[_Match], tuple], found: list[tuple[float, Any]]) -> tuple[list[_Match] | None, int]:
        """(the head of the relevance order when tantivy's top documents settle the page, the count of matches).

        ``found``: the first k top documents. tantivy finds the k
        best-scoring documents without scoring the rest. Every document
        scoring above the k-th is among them, and every other one sorts after
        them; so once those alone, capped per report, fill the page, the page
        is exact. When the k-th score's run is most of the k and was cut short,
        its newest matches are read by meeting day (:meth:`_newest_of_run`).
        Else k grows (:data:`TOP_K_GROWTH`); None: the head is most of the
        matches, sort them all. ``total`` may be :data:`_UNKNOWN`: it is
        counted (one pass, no documents read) when the first k do not settle
        the page, so that a large head is read once, not grown to.
        """
        k = len(found)
        want = request.offset + request.limit
        tried_newest = False
        while True:
            # Fewer than k: every match, the last score's run whole.
            head, settled = _head(s, found, key, request.per_report, want, complete=len(found) < k)
            if settled:
                return head, total
            if not tried_newest and len(found) >= k:
                tried_newest = True
                head = self._newest_of_run(s, query, request, key, found, want)
                if head is not None:
                    return head, total
            if total == _UNKNOWN:
                total = s.search(query, limit=1, count=True).count
            k *= TOP_K_GROWTH
            if k >= total // TOP_K_GROWTH:
                return None, total
            found = s.search(query, limit=k, count=False).hits

    def _newest_of_run(self, s: tv.Searcher, query: tv.Query, request: SearchRequest,
                       key: Callable[[_Match], tuple], found: list[tuple[float, Any]], want: int) -> list[_Match] | None:
        """The head of the relevance order when the top k ended inside a long run of equal scores, else None.

        Within a score, newer meetings come first, so what the page still
        needs are the run's newest matches. tantivy lists the matches newest
        first (by the day fast field, not scored): the day of the m-th newest
        bounds a read of every match on or after that day, with scores; the
        run's matches among them, after the higher-scoring ones in ``found``,
        settle the page if they fill it (that day's matches are all read, so
        the page's ties are whole). Tried only when the cut run is at least
        :data:`NEWEST_RUN_SHARE` of the top k (a run of thousands of ties:
        boilerplate wording); None: not settled, grow k as before.
        """
        cut = found[-1][0]
        if sum(1 for h in found if h[0] == cut) < NEWEST_RUN_SHARE * len(found):
            return None
        m = len(found)
        newest = s.search(query, limit=m, count=False, order_by_field=DAY_FIELD).hits
        since = newest[-1][0] if len(newest) == m else None
        if not isinstance(since, int) or since <= 0:  # fewer dated matches than that: no shortcut
            return None
        recent = tv.Query.boolean_query([
            (tv.Occur.Must, query),
            (tv.Occur.Must, tv.Query.const_score_query(
                tv.Query.range_query(self._schema, DAY_FIELD, tv.FieldType.Integer, since, None), 0.0)),
        ])
        read = s.search(recent, limit=NEWEST_READ_FACTOR * m, count=True)
        if read.count > len(read.hits):  # that day and after hold too many matches to read here
            return None
        candidates = [h for h in found if h[0] > cut] + [h for h in read.hits if h[0] == cut]
        head, settled = _head(s, candidates, key, request.per_report, want, complete=False, last_run_usable=True)
        return head if settled else None

    def _reports(self, s: tv.Searcher, query: tv.Query, total: int,
                 estimate: "_Alongside | None" = None) -> tuple[int, bool]:
        """(reports among a query's matches, exactly counted?): counted up to :data:`EXACT_REPORTS_UP_TO`
        matches, else estimated (by ``estimate`` when it was started alongside)."""
        if total <= EXACT_REPORTS_UP_TO:
            addresses = [a for _, a in self._all(s, query)]
            return len(set(s.fast_field_values(REPORT_KEY_FIELD, addresses))), True
        value = estimate.result() if estimate is not None else s.cardinality(query, REPORT_KEY_FIELD)
        return int(round(value)), False

    @staticmethod
    def _page(
        s: tv.Searcher, matches: list[_Match], start: int, stop: int, tie: Callable[[_Match], tuple]
    ) -> tuple[list[_Match], dict[tuple[int, int], dict[str, Any]]]:
        """The matches from ``start`` to ``stop``, ties (equal score and date) in report id order.

        Only the tie runs the page touches are loaded to read their report ids.
        """
        stop = min(stop, len(matches))
        if start >= stop:
            return [], {}
        lo, hi = start, stop
        while lo > 0 and tie(matches[lo - 1]) == tie(matches[start]):
            lo -= 1
        while hi < len(matches) and tie(matches[hi]) == tie(matches[stop - 1]):
            hi += 1
        stored = {(m.segment, m.doc): _stored(s.doc(m.address)) for m in matches[lo:hi]}
        run = sorted(
            matches[lo:hi], key=lambda m: (*tie(m), stored[(m.segment, m.doc)]["report_id"], m.segment, m.doc)
        )
        return run[start - lo : stop - lo], stored


class _Alongside:
    """A call run in a second thread, its result (or its exception) taken when wanted."""

    def __init__(self, call: Callable[..., Any], *args: Any) -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._value = call(*args)
            except BaseException as exc:  # re-raised in the thread that asks for the result
                self._error = exc

        self._thread = threading.Thread(target=run, name="boardpapers-tantivy", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _head(s: tv.Searcher, found: list[tuple[float, Any]], key: Callable[[_Match], tuple], per_report: int | None,
          want: int, *, complete: bool, last_run_usable: bool | None = None) -> tuple[list[_Match], bool]:
    """(the first matches in relevance order, capped per report, until ``want`` are kept; settled?).

    ``found``: tantivy's best-scoring documents. The relevance order (``key``,
    ``_order``'s) is best score first, then newest meeting (undated last),
    then report and address. The matches are taken a run of equal scores at a
    time, best first; a run is ordered by day in one vectorised sort, and
    only the days the page needs become :class:`_Match` es (a trace wants 500
    among tens of thousands of matches whose scores tie: ordering every match
    in Python cost most of its time). The (score, day) run that reaches
    ``want`` is kept whole, so the page's ties (equal score and date) are all
    there. The last score's run is usable only when ``found`` is ``complete``
    (every match); else it may be cut short, and without it the page is not
    settled (False). ``last_run_usable``: the last run is in order as far as
    it goes (its newest matches), though not ``complete``: settled only if
    the page is filled before it ends.
    """
    if not found:
        return [], complete
    scores = np.array([h[0] for h in found], dtype=np.float64)
    if len(scores) > 1 and not np.all(scores[:-1] >= scores[1:]):  # tantivy gives them best first; if not, sort
        ranked = np.argsort(-scores, kind="stable")
        found, scores = [found[i] for i in ranked.tolist()], scores[ranked]
    run_ends = [*(np.flatnonzero(scores[1:] != scores[:-1]) + 1).tolist(), len(found)]  # where each score's run ends
    if not (complete if last_run_usable is None else last_run_usable):  # the last run may be cut short: not read
        run_ends.pop()
    kept: dict[int, int] = {}
    out: list[_Match] = []
    lo = 0
    while run_ends:
        # A chunk of whole runs, at least HEAD_CHUNK matches unless the runs end first.
        end = bisect_left(run_ends, lo + HEAD_CHUNK)
        hi = run_ends[min(end, len(run_ends) - 1)]
        del run_ends[: end + 1]
        addresses = [h[1] for h in found[lo:hi]]
        days = s.fast_field_values(DAY_FIELD, addresses)
        keys = s.fast_field_values(REPORT_KEY_FIELD, addresses)
        chunk_scores = scores[lo:hi]
        # Best score first, then newest day (None -> NaN: undated last); stable, so ties keep found's order.
        order = np.lexsort((-np.array(days, dtype=np.float64), -chunk_scores)).tolist()
        score_of = chunk_scores.tolist()
        x, n = 0, len(order)
        while x < n:
            run_score, run_day = score_of[order[x]], days[order[x]]
            y = x + 1
            while y < n and score_of[order[y]] == run_score and days[order[y]] == run_day:
                y += 1
            same = [_Match(run_score, run_day, keys[r], addresses[r].segment_ord, addresses[r].doc, addresses[r])
                    for r in order[x:y]]
            same.sort(key=key)  # a (score, day) run's matches by report and address
            for m in same:
                if per_report:
                    c = kept.get(m.key, 0)
                    if c >= per_report:
                        continue
                    kept[m.key] = c + 1
                out.append(m)
            if len(out) >= want:  # this (score, day) run whole: the page's ties are all here
                return out, True
            x = y
        lo = hi
    return out, complete


def _capped(matches: list[_Match], per_report: int | None) -> list[_Match]:
    """At most ``per_report`` matches of each report, in order (all of them without a cap)."""
    if not per_report:
        return matches
    kept: dict[int, int] = {}
    out = []
    for m in matches:
        n = kept.get(m.key, 0)
        if n < per_report:
            kept[m.key] = n + 1
            out.append(m)
    return out


# ---------------------------------------------------------------- query translation


def _text_fields(target: str = "section") -> dict[str, float]:
    """The fields a bare word searches, with their weights (as the Whoosh engine's).

    A recommendation is matched on its own words, not its report's subject.
    """
    if target == "recommendation":
        return {"rec_content": BODY_WEIGHT}
    return {
        "content": BODY_WEIGHT,
        "recs": RECOMMENDATIONS_WEIGHT,
        "title": HEADING_WEIGHT,
        SECTION_SUBJECT_FIELD: SUBJECT_WEIGHT,
    }


def _words_field(target: str = "section") -> str:
    """The plain-words field (prefix and fuzzy matching) of a target's documents."""
    return KIND_FIELDS.get(target, {}).get("words", "words")


def _boosted(query: tv.Query, boost: float) -> tv.Query:
    return query if boost == 1.0 else tv.Query.boost_query(query, boost)


def _everything() -> tv.Query:
    """Every document, scoring 1 (a bare all-query adds nothing to a conjunction's score)."""
    return tv.Query.const_score_query(tv.Query.all_query(), 1.0)


def _should(queries: list[tv.Query]) -> tv.Query | None:
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return tv.Query.boolean_query([(tv.Occur.Should, q) for q in queries])


def expand(searcher: tv.Searcher, field: str, node: QPrefix | QFuzzy, text: str) -> list[str]:
    """The index terms of ``field`` a prefix or fuzzy word stands for, sorted.

    Fuzzy: Levenshtein distance (a transposition is two edits), sharing the
    first :data:`~pipeline.index.FUZZY_PREFIX_LENGTH` characters, like Whoosh.
    """
    if isinstance(node, QPrefix):
        return sorted(t for t, _ in searcher.terms_with_prefix(field, text))
    from rapidfuzz.distance import Levenshtein

    start = text[:FUZZY_PREFIX_LENGTH]
    return sorted(
        t for t, _ in searcher.terms_with_prefix(field, start)
        if Levenshtein.distance(text, t, score_cutoff=node.distance) <= node.distance
    )


class _Translator:
    """Our query AST as tantivy queries. ``None`` stands for a query that matches nothing."""

    def __init__(self, schema: tv.Schema, searcher: tv.Searcher, stem: tv.TextAnalyzer) -> None:
        self.schema = schema
        self.searcher = searcher
        self.stem = stem
        self._expanded: dict[tuple[str, QueryNode, str], list[str]] = {}

    def words(self, field: str, text: str, boost: float) -> tv.Query | None:
        """A word or phrase in one analysed field (text that analyses to several terms is a phrase)."""
        tokens = _tokens(self.stem, text)
        if not tokens:
            return None
        if len(tokens) == 1:
            return _boosted(tv.Query.term_query(self.schema, field, tokens[0].text), boost)
        first = tokens[0].position
        phrase = [(t.position - first, t.text) for t in tokens]
        return _boosted(tv.Query.phrase_query(self.schema, field, phrase), boost)

    def expanding(self, node: QPrefix | QFuzzy, field: str, text: str, boost: float) -> tv.Query | None:
        """Any of the terms a prefix or fuzzy word expands to, each scored (as Whoosh's Or of its terms)."""
        cache_key = (field, node, text)
        if cache_key not in self._expanded:
            self._expanded[cache_key] = expand(self.searcher, field, node, text)
        terms = self._expanded[cache_key]
        return _boosted(q, boost) if (q := _should([self.term(field, t) for t in terms])) is not None else None

    def term(self, field: str, value: str) -> tv.Query:
        return tv.Query.term_query(self.schema, field, value)

    def translate(self, node: QueryNode, target: str = "section") -> tv.Query | None:
        """The query AST as a tantivy query (bare words search the ``target``'s text fields)."""
        Q, Must, MustNot = tv.Query, tv.Occur.Must, tv.Occur.MustNot
        if isinstance(node, QAll):
            return _everything()
        if isinstance(node, QAnd):
            # A child that can match nothing (a stop word) is dropped, not allowed to empty the AND.
            positives = [q for c in node.children if not isinstance(c, QNot)
                         if (q := self.translate(c, target)) is not None]
            negatives = [q for c in node.children if isinstance(c, QNot)
                         if (q := self.translate(c.child, target)) is not None]
            if not positives and not all(isinstance(c, QNot) for c in node.children):
                return None  # only stop words left to require
            if len(positives) == 1 and not negatives:
                return positives[0]
            clauses = [(Must, q) for q in positives] or [(Must, _everything())]
            return Q.boolean_query(clauses + [(MustNot, q) for q in negatives])
        if isinstance(node, QOr):
            return _should(self.alternatives(node, target))
        if isinstance(node, QNot):
            child = self.translate(node.child, target)
            if child is None:
                return _everything()
            return Q.boolean_query([(Must, _everything()), (MustNot, child)])
        if isinstance(node, QDateRange):
            return Q.range_query(
                self.schema, DAY_FIELD, tv.FieldType.Integer,
                None if node.start is None else node.start.toordinal(),
                None if node.end is None else node.end.toordinal(),
            )
        field = node.field
        if field in KEYWORD_FIELD_MAP:
            name = KEYWORD_FIELD_MAP[field]
            if isinstance(node, (QPrefix, QFuzzy)):
                return self.expanding(node, name, node.text, 1.0)
            return Q.term_query(self.schema, name, node.text)
        if field is not None:
            if field not in TEXT_FIELD_MAP:
                raise QueryError(f"unknown field {field!r}", position=getattr(node, "position", None))
            name = TEXT_FIELD_MAP[field]
            if isinstance(node, (QPrefix, QFuzzy)):
                return self.expanding(node, name, node.text.lower(), 1.0)
            return self.words(name, node.text, 1.0)
        # The text fields: content, headings, subject, recommendations.
        if isinstance(node, (QPrefix, QFuzzy)):
            # Unstemmed words, so that recruit* and recruitmnet~ see "recruitment".
            return self.expanding(node, _words_field(target), node.text.lower(), BODY_WEIGHT)
        return _should(self.alternatives(node, target))

    def confined(self, node: QueryNode, target: str = "section") -> bool:
        """Whether the translated query can match only documents of the ``target``'s kind.

        A bare word's fields exist on no other kind (:data:`KIND_FIELDS`); a
        conjunction is confined by any confined part it keeps (a stop word is
        dropped), a disjunction when every alternative it keeps is. Anything
        else (a field, a date range, a lone NOT) may match any document.
        """
        if isinstance(node, (QTerm, QPhrase, QPrefix, QFuzzy)):
            return node.field is None and self.translate(node, target) is not None
        if isinstance(node, QAnd):
            return any(self.confined(c, target) for c in node.children if not isinstance(c, QNot))
        if isinstance(node, QOr):
            kept = [c for c in node.children if self.translate(c, target) is not None]
            return bool(kept) and all(self.confined(c, target) for c in kept)
        return False

    def alternatives(self, node: QueryNode, target: str) -> list[tv.Query]:
        """The queries any of which an OR (or a bare word, in each text field) matches, unnested.

        One union of every word in every field, rather than a union of unions:
        the same matches and scores (sums, up to the order of adding), and
        tantivy's union of term scorers is about twice as fast as nested ones
        (``similar`` ORs a dozen words in four fields).
        """
        if isinstance(node, QOr):
            return [q for c in node.children for q in self.alternatives(c, target)]
        if isinstance(node, (QTerm, QPhrase)) and node.field is None:
            return [q for f, w in _text_fields(target).items() if (q := self.words(f, node.text, w)) is not None]
        q = self.translate(node, target)
        return [] if q is None else [q]


# ---------------------------------------------------------------- snippets


class _Highlighter:
    """Marks the query's matches in a text (as the Whoosh engine does) for :func:`make_snippet`.

    Works on the analyzer's tokens, so "carers" matches the term "carer" and a
    phrase only where its words stand at the same relative positions.
    """

    def __init__(self, query: QueryNode, searcher: tv.Searcher, stem: tv.TextAnalyzer,
                 words: tv.TextAnalyzer, target: str = "section") -> None:
        from pipeline.model.query import positive_leaves

        self._stem, self._words = stem, words
        self.terms: set[str] = set()  # stemmed single terms
        self.phrases: list[tuple[tuple[int, str], ...]] = []  # (relative position, stemmed term)
        self.exact: set[str] = set()  # surface words matched by prefix/fuzzy
        for leaf in positive_leaves(query):
            if getattr(leaf, "field", "x") is not None:
                continue
            if isinstance(leaf, (QTerm, QPhrase)):
                tokens = _tokens(stem, leaf.text)
                if len(tokens) == 1:
                    self.terms.add(tokens[0].text)
                elif tokens:
                    self.phrases.append(tuple((t.position - tokens[0].position, t.text) for t in tokens))
            elif isinstance(leaf, (QPrefix, QFuzzy)):
                self.exact.update(expand(searcher, _words_field(target), leaf, leaf.text.lower())[:MAX_EXPANSIONS])

    def spans(self, text: str) -> list[tuple[int, int]]:
        tokens = _tokens(self._stem, text)
        at = {t.position: t for t in tokens}
        marked: list[tuple[int, int]] = []
        for t in tokens:
            if t.text in self.terms:
                marked.append((t.start, t.end))
            for phrase in self.phrases:
                if phrase[0][1] != t.text:  # a phrase starts at its first term (relative position 0)
                    continue
                run = [at.get(t.position + offset) for offset, _ in phrase]
                if all(r is not None and r.text == term for r, (_, term) in zip(run, phrase)):
                    marked.append((t.start, run[-1].end))  # type: ignore[union-attr]
        if self.exact:
            marked += [(w.start, w.end) for w in _tokens(self._words, text) if w.text in self.exact]
        # Merge overlapping marks and marks separated only by spaces.
        merged: list[tuple[int, int]] = []
        for start, end in sorted(marked):
            if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def snippet(self, text: str) -> str:
        return make_snippet(text, self.spans(text))
