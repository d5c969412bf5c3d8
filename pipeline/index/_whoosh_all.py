"""The on-disk search index: the only module that knows about Whoosh.

The seam is engine-neutral: :func:`open_index` returns an :class:`Index` whose
methods take and return ``pipeline.model`` records (``Report``,
``SearchRequest``, ``SearchResult``, the query AST), so another engine
(tantivy...) could sit behind the same functions.

Documents (``doc_kind``):

* ``section`` -- one per report section, with the report's fields copied on:
  what searches match. ``content`` holds the section title and text (stored,
  with positions, for phrases and snippets).
* ``recommendation`` -- one per numbered recommendation (``trace``).
* ``report`` -- one per report, holding the whole record as stored JSON so
  ``show``/``stats``/rebuilds work from the index alone.

An agenda pack's parts (``Report.parts``) are indexed as reports of their own.
``meta.json`` in the directory records :data:`SCHEMA_VERSION`; opening an
index written with another version rebuilds it from its stored records (or,
when they can't be read, recreates it empty and says so on stderr).

Writers commit only when every write in the batch succeeded; on any error
the batch is cancelled and the index keeps its last committed state.

Writing in other processes (optional, Whoosh only: the seam's
``segment_staging``): :func:`write_segment` writes reports as a whole segment
in the index's staging area (:data:`STAGING_DIR`) without touching the
index, in any process; :meth:`Batch.add_segment` adopts it in a commit of the
process holding the writer. Ingest's worker processes write that way.

Merging (:meth:`WhooshIndex.merge`): Whoosh's tier merge of the segments,
written faster with the same result (:func:`add_readers`: documents copied a
column at a time, postings straight from the segments' blocks); given
helpers (:class:`MergeHelpers`: an ingest's workers), other processes write
the merged postings in parts, a range of terms each (:class:`PostingsTask`),
and the merging process appends them: the same single segment.
"""

from __future__ import annotations

import datetime as _dt
import bisect
import json
import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from pipeline.config import DEFAULT_INDEX_ENGINE, INDEX_ENGINES
from pipeline.errors import IndexLocked, NoIndex, QueryError, SearchIndexError
from pipeline.model import (
    Hit,
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

#: Bump when the schema (fields, analyzers, document layout) changes.
#: 2: the ``words`` field counts its words in one pass (:class:`_WordCounts`); same postings.
SCHEMA_VERSION = 2
#: The engine name recorded in meta.json.
ENGINE = "whoosh"
#: Index engines (``pipeline.index_tantivy`` holds the other); chosen when an index is created.
ENGINES: tuple[str, ...] = INDEX_ENGINES
#: The engine of a new index when none is chosen.
DEFAULT_ENGINE = DEFAULT_INDEX_ENGINE
#: The file, inside the index directory, that records the version.
META_FILE = "meta.json"
#: Whoosh index name (its files are ``_<name>_<gen>.toc`` and ``<name>_*.seg``).
INDEX_NAME = f"boardpapers_v{SCHEMA_VERSION}"
#: Seconds a writer waits for another process's write lock before giving up.
WRITE_LOCK_TIMEOUT = 10.0
#: The file, inside the index directory, that a whole ingest run holds locked.
RUN_LOCK_FILE = "ingest.lock"
#: Seconds between attempts to take a busy run lock.
RUN_LOCK_POLL = 0.2
#: Reports written per commit while rebuilding an index for a new schema.
REBUILD_COMMIT_EVERY = 200
#: Whoosh can pack a segment's files into one compound file, but its reader then copies each
#: packed file whole into memory every time a reader opens (a 200 MB segment: 200 MB and a
#: fraction of a second per open, and ingest opens readers at every commit). Plain files are read
#: in place.
WRITE_COMPOUND = False
#: Megabytes of postings (as Whoosh counts them) a writer sorts in memory before spilling a run
#: to disk. Whoosh's default (128) costs several times that in Python objects.
WRITER_POOL_MB = 128
#: The sub-directory of an index directory where worker processes write whole segments for the
#: ingest to commit (:class:`SegmentStaging`). Not in the index directory itself: every Whoosh
#: commit deletes the segment files there that its table of contents does not list, a segment
#: still being written among them. Inside it, so that a finished segment's files move in by
#: rename (one filesystem).
STAGING_DIR = "_staging"
#: Bytes of postings (in the segments merged) below which a merge given helpers writes them all
#: itself: about 0.2 s of merging, less than handing out parts is worth.
MIN_PARALLEL_MERGE_BYTES = 1 << 20

# Field weights (BM25F): subject and headings > recommendations > body text.
#: Weight of the section's text (title included).
BODY_WEIGHT = 1.0
#: Extra weight for text in a recommendations section (added to the body weight).
RECOMMENDATIONS_WEIGHT = 0.75
#: Weight of section headings.
HEADING_WEIGHT = 2.5
#: Weight of the report's subject line.
SUBJECT_WEIGHT = 2.5
#: BM25 term-frequency saturation and length normalisation.
BM25_K1 = 1.2
BM25_B = 0.75
#: Section kind whose text also goes to the weighted ``recs`` field.
RECOMMENDATIONS_KIND = "recommendations"

#: Shortest token the analyzers keep.
MIN_TOKEN_LENGTH = 2
#: Fuzzy matches must share this many leading characters with the query word.
FUZZY_PREFIX_LENGTH = 1
#: Most index terms a prefix/fuzzy word expands to when highlighting.
MAX_EXPANSIONS = 200

# Snippets.
#: Characters of context shown either side of a match.
SNIPPET_CONTEXT = 90
#: Most fragments in one snippet.
SNIPPET_FRAGMENTS = 2
#: Text no longer than this is shown whole (recommendations, short sections).
SNIPPET_WHOLE = 300
#: Most matches of one text a snippet's fragments are chosen among (the first ones): the work per
#: hit stays bounded however often a long text matches.
SNIPPET_MAX_SPANS = 1000
#: Joins fragments.
SNIPPET_ELLIPSIS = " … "
#: Wrap matched words.
MARK_OPEN, MARK_CLOSE = "[[", "]]"

#: Query-language field -> index field, for fields holding words.
TEXT_FIELD_MAP: dict[str, str] = {
    "committee": "committee",
    "officer": "officer",
    "subject": "subject",
    "council": "council",
}
#: Query-language field -> index field, for exact keywords.
KEYWORD_FIELD_MAP: dict[str, str] = {
    "section": "kind",
    "doc_type": "doc_type",
    "fy": "fy",
    "quarter": "quarter",
}
#: Marks a report whose date has not been read yet.
_UNSEEN: Any = object()
#: The kinds of document in the index.
DOC_KINDS: tuple[str, ...] = ("report", "section", "recommendation")


class Index(Protocol):
    """The engine-neutral seam (what :func:`open_index` returns)."""

    path: Path

    def add_reports(self, reports: Iterable[Report]) -> int: ...
    def remove(self, report_ids: Iterable[str]) -> int: ...
    def remove_paths(self, paths: Iterable[str]) -> int: ...
    def search(self, request: SearchRequest) -> SearchResult: ...
    def get_report(self, report_id: str) -> Report | None: ...
    def report_ids(self, prefix: str = "") -> tuple[str, ...]: ...
    def iter_reports(self) -> Iterator[Report]: ...
    def hashes(self) -> dict[str, str]: ...
    def files(self) -> dict[str, str]: ...
    def count(self, doc_kind: str = "section") -> int: ...
    def doc_count(self) -> int: ...
    def terms(self, text: str) -> list[tuple[int, int, str]]: ...
    def batch(self, *, timeout: float | None = None, merge: bool = True) -> Any: ...
    def merge(self, *, timeout: float | None = None) -> int: ...
    def segment_count(self) -> int: ...
    def close(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: Any) -> None: ...


# ---------------------------------------------------------------- schema


def _analyzers() -> tuple[Any, Any]:
    from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer

    # Stemming for ranking and phrases (the stop filter renumbers positions, so
    # "performance of the board" still matches as a phrase); plain lower-cased
    # words, no stop list, for prefix and fuzzy matching.
    stem = StemmingAnalyzer(minsize=MIN_TOKEN_LENGTH)
    exact = StandardAnalyzer(stoplist=None, minsize=1)
    return stem, exact


_word_counts_class: Any = None


def _word_counts() -> Any:
    """The ``words`` field's posting format class: Whoosh's ``Frequency``, counted in one pass.

    Whoosh's ``Frequency`` runs every token through Python-level token
    objects and two dictionaries; for a plain analyzer (a regex tokenizer and
    a lower-case filter, which is what ``words`` has) the same counts come
    from the regex's matches and a ``Counter``. The postings written are the
    same: (word, frequency, frequency x field boost, packed frequency).
    Made on first use (Whoosh is imported lazily) and reached as
    ``pipeline.index._WordCounts`` (module ``__getattr__``), so the schema
    pickled in an index's table of contents can name it.
    """
    global _word_counts_class
    if _word_counts_class is None:
        from collections import Counter

        from whoosh.formats import Frequency
        from whoosh.system import pack_uint

        class _WordCounts(Frequency):
            def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
                finditer = _plain_finditer(analyzer)
                if finditer is None or not isinstance(value, str):
                    return super().word_values(value, analyzer, **kwargs)
                fb = self.field_boost
                counts = Counter(m.group(0).lower() for m in finditer(value))
                return ((w, f, f * fb, pack_uint(f)) for w, f in counts.items())

        _WordCounts.__qualname__ = "_WordCounts"
        _word_counts_class = _WordCounts
    return _word_counts_class


def __getattr__(name: str) -> Any:
    if name == "_WordCounts":
        return _word_counts()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _plain_finditer(analyzer: Any) -> Any:
    """``finditer`` of the analyzer's regex when it is exactly tokenizer + lower-case filter, else None."""
    from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, RegexTokenizer

    if not isinstance(analyzer, CompositeAnalyzer) or len(analyzer.items) != 2:
        return None
    tokenizer, lower = analyzer.items
    if type(tokenizer) is not RegexTokenizer or tokenizer.gaps or type(lower) is not LowercaseFilter:
        return None
    return tokenizer.expression.finditer


def _schema() -> Any:
    from whoosh import fields as F

    stem, exact = _analyzers()
    words = F.TEXT(analyzer=exact, phrase=False)
    words.format = _word_counts()()
    return F.Schema(
        key=F.ID(stored=True, unique=True),  # "<id>" | "<id>#s<n>" | "<id>#r<n>"
        doc_kind=F.ID(stored=True),
        report_id=F.ID(stored=True, sortable=True),
        parent_id=F.ID(stored=True),
        path=F.ID(stored=True),
        sha256=F.ID(stored=True),
        council=F.TEXT(analyzer=stem, stored=True),
        committee=F.TEXT(analyzer=stem, stored=True),
        officer=F.TEXT(analyzer=stem, stored=True),
        subject=F.TEXT(analyzer=stem, stored=True),
        fy=F.ID(stored=True),
        quarter=F.ID(stored=True),
        period=F.STORED(),
        meeting_date=F.DATETIME(stored=True, sortable=True),
        doc_type=F.ID(stored=True),
        kind=F.ID(stored=True),
        number=F.STORED(),
        title=F.TEXT(analyzer=stem, stored=True),
        page=F.STORED(),
        section_index=F.STORED(),
        content=F.TEXT(analyzer=stem, stored=True),
        recs=F.TEXT(analyzer=stem),
        words=words,
        record=F.STORED(),
    )


# ---------------------------------------------------------------- documents


def _as_datetime(d: _dt.date | None) -> _dt.datetime | None:
    return None if d is None else _dt.datetime(d.year, d.month, d.day)


def section_content(title: str, text: str) -> str:
    """The searchable text of a section: its title, then its text (without repeating the title)."""
    title, text = (title or "").strip(), (text or "").strip()
    if not title or text.lower().startswith(title.lower()):
        return text
    return f"{title}\n{text}"


def _flatten(report: Report) -> list[Report]:
    """A report and the parts of an agenda pack, each indexed as its own report."""
    out = [report]
    for part in report.parts:
        out.extend(_flatten(part))
    return out


def _documents(report: Report, path: str, sha256: str) -> list[dict[str, Any]]:
    """The index documents for one report (not its parts)."""
    period = report.period
    common: dict[str, Any] = {
        "report_id": report.id,
        "parent_id": report.parent_id or "",
        "path": path,
        "sha256": sha256,
        "council": report.council or "",
        "committee": report.committee or "",
        "officer": report.reporting_officer or "",
        "subject": report.subject or "",
        "fy": period.fiscal_year if period else "",
        "quarter": period.key if period and period.quarter else "",
        "period": period.key if period else None,
        "doc_type": report.doc_type,
    }
    if report.meeting_date is not None:
        common["meeting_date"] = _as_datetime(report.meeting_date)
    # A stored record of a part carries no copy of the pack; the pack's carries its parts.
    docs = [dict(common, key=report.id, doc_kind="report", record=json.dumps(report_to_dict(report)))]
    for i, s in enumerate(report.sections):
        content = section_content(s.title, s.text)
        doc = dict(
            common,
            key=f"{report.id}#s{i}",
            doc_kind="section",
            kind=s.kind,
            number=s.number,
            title=s.title or "",
            page=s.page,
            section_index=i,
            content=content,
            words=content,
        )
        if s.kind == RECOMMENDATIONS_KIND:
            doc["recs"] = content
        docs.append(doc)
    for r in report.recommendations:
        docs.append(
            dict(
                common,
                key=f"{report.id}#r{r.number}",
                doc_kind="recommendation",
                kind="recommendation",
                number=r.label or str(r.number),
                title="",
                page=r.page,
                section_index=r.number,
                content=r.text,
                words=r.text,
            )
        )
    return docs


# ---------------------------------------------------------------- meta / opening


def _read_meta(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def _write_meta(path: Path) -> None:
    meta = {"schema_version": SCHEMA_VERSION, "engine": ENGINE, "index_name": INDEX_NAME}
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path / META_FILE)


_TOC = re.compile(
    r"""
    ^_(?P<name>.+)_(?P<gen>\d+)\.toc$    # a Whoosh table of contents: _<indexname>_<generation>.toc
    """,
    re.VERBOSE,
)


def _whoosh_names(path: Path, *, ours: bool = True) -> set[str]:
    """Names of the Whoosh indexes in a directory: boardpapers' own (every version's name starts
    ``boardpapers``; an index another program keeps beside them is never opened, rebuilt or
    removed), or with ``ours=False`` all of them."""
    if not path.is_dir():
        return set()
    names = {m["name"] for f in os.listdir(path) if (m := _TOC.match(f))}
    return {n for n in names if n.startswith("boardpapers")} if ours else names


def _remove_whoosh_index(path: Path, name: str) -> None:
    """Delete one Whoosh index's files (other files in the directory are left alone)."""
    for f in os.listdir(path):
        if f.startswith(f"_{name}_") or f.startswith(f"{name}_"):
            try:
                os.remove(path / f)
            except OSError:  # pragma: no cover - e.g. still open elsewhere
                pass


def engine_of(path: str | os.PathLike[str], engine: str | None = None) -> str:
    """The engine of the index in ``path``: the one its meta.json records, else ``engine``, else the default.

    Raises :class:`~pipeline.errors.SearchIndexError` for an unknown engine, or an
    ``engine`` other than the existing index's (an index keeps its engine).
    """
    if engine is not None and engine not in ENGINES:
        raise SearchIndexError(f"unknown index engine {engine!r} (engines: {', '.join(ENGINES)})")
    meta = _read_meta(Path(path))
    recorded = None if meta is None else meta.get("engine", ENGINE)  # no "engine": a Whoosh index
    if recorded is None:
        return engine or DEFAULT_ENGINE
    if recorded not in ENGINES:
        raise SearchIndexError(f"the index at {path} was written by an unknown engine {recorded!r}")
    if engine is not None and engine != recorded:
        raise SearchIndexError(
            f"the index at {path} uses the {recorded} engine, not {engine} "
            f"(an index keeps the engine it was created with: leave out --engine, or use a new --index)"
        )
    return recorded


def foreign_index(path: str | os.PathLike[str]) -> str | None:
    """What another program left in ``path`` that must not be touched (None: nothing foreign).

    A meta.json that is not ours (no ``schema_version``: tantivy's own, say), or
    Whoosh indexes none of which is named ``boardpapers...`` with no meta.json.
    """
    path = Path(path)
    meta = _read_meta(path)
    if meta and "schema_version" not in meta:
        return f"{path} holds another program's index (its {META_FILE} is not a boardpapers one)"
    theirs = _whoosh_names(path, ours=False)
    if meta is None and theirs and not _whoosh_names(path):
        return f"{path} holds another program's Whoosh index ({', '.join(sorted(theirs))})"
    return None


def open_index(
    path: str | os.PathLike[str], *, create: bool = False, engine: str | None = None, readonly: bool = False
) -> Index:
    """Open the index in ``path``; with ``create``, make it (and the directory) if missing.

    The engine is the one recorded in the index's meta.json; ``engine``
    (``whoosh`` | ``tantivy``, default whoosh) chooses it for a new index.
    Raises :class:`~pipeline.errors.SearchIndexError` when there is no index and
    ``create`` is false, or when ``path`` holds another program's index (never
    changed). An index of another schema version is rebuilt, unless ``readonly``
    (a read command, which never writes): then that is a SearchIndexError too.
    """
    if (foreign := foreign_index(path)) is not None:
        raise SearchIndexError(f"{foreign}: not a boardpapers index, left as it is (give another --index folder)")
    if engine_of(path, engine) == "tantivy":
        from pipeline.index._tantivy_all import open_tantivy

        return open_tantivy(path, create=create, readonly=readonly)
    from whoosh import index as wi

    path = Path(path)
    meta = _read_meta(path)
    names = _whoosh_names(path)
    current = meta is not None and meta.get("schema_version") == SCHEMA_VERSION and INDEX_NAME in names
    if not current:
        if not names and not create:
            raise NoIndex(f"no index at {path} (run `boardpapers ingest PATH --index {path}` first)")
        if readonly:
            raise SearchIndexError(stale_index(path, meta))
        path.mkdir(parents=True, exist_ok=True)
        if names:
            _migrate(path, meta, names)
        else:
            wi.create_in(str(path), _schema(), indexname=INDEX_NAME)
            _write_meta(path)
    try:
        ix = wi.open_dir(str(path), indexname=INDEX_NAME)
    except Exception as exc:  # a corrupt or unreadable index
        raise SearchIndexError(f"cannot open the index at {path}: {exc}") from exc
    return WhooshIndex(path, ix)


def stale_index(path: Path, meta: dict[str, Any] | None) -> str:
    """Why a read command does not open an index that needs rebuilding, and what to do."""
    version = (meta or {}).get("schema_version", "unknown")
    return (f"the index at {path} has schema version {version}, which this version does not read: "
            f"rebuild it from its records with `boardpapers ingest --retry-failed --index {path}`")


def _old_records(path: Path, names: list[str]) -> Iterator[Report]:
    """The stored records of the old indexes, one at a time."""
    from whoosh import index as wi

    for name in names:
        old = wi.open_dir(str(path), indexname=name)
        with old.searcher() as s:
            for stored in s.documents(doc_kind="report"):
                yield report_from_dict(json.loads(stored["record"]))


def _migrate(path: Path, meta: dict[str, Any] | None, names: set[str]) -> None:
    """Rebuild an index of another schema version from its stored records.

    Records are read and written :data:`REBUILD_COMMIT_EVERY` at a time, so
    memory does not grow with the archive (when the old index has this
    version's name, all are read first: the new one replaces it).
    """
    from whoosh import index as wi

    old_version = (meta or {}).get("schema_version", "unknown")
    old_names = sorted(names - {INDEX_NAME}) or sorted(names)
    records: Iterator[Report] = _old_records(path, old_names)
    readable = True
    if INDEX_NAME in old_names:
        try:
            records = iter(list(records))
        except Exception as exc:  # anything unreadable: fall back to an empty index
            log.debug("cannot read old index: %s", exc)
            records = iter(())
            readable = False
    ix = wi.create_in(str(path), _schema(), indexname=INDEX_NAME)
    new = WhooshIndex(path, ix)
    written = 0
    while readable:
        try:
            chunk = list(islice(records, REBUILD_COMMIT_EVERY))
        except Exception as exc:  # anything unreadable: fall back to an empty index
            log.debug("cannot read old index: %s", exc)
            readable = False
            break
        if not chunk:
            break
        with new.batch(merge=False) as b:
            for r in chunk:
                b.add_report(r)
        written += len(chunk)
    new.close()
    if not readable and written:  # start again, empty
        _remove_whoosh_index(path, INDEX_NAME)
        new = WhooshIndex(path, wi.create_in(str(path), _schema(), indexname=INDEX_NAME))
        new.close()
    else:
        new = WhooshIndex(path, wi.open_dir(str(path), indexname=INDEX_NAME))
        new.merge()
        new.close()
    _write_meta(path)
    for name in old_names:
        if name != INDEX_NAME:
            _remove_whoosh_index(path, name)
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


# ---------------------------------------------------------------- the run lock


def _lock_holder(path: Path) -> str:
    try:
        text = (path / RUN_LOCK_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return f"another ingest ({text})" if text else "another ingest"


@contextmanager
def run_lock(
    path: str | os.PathLike[str], *, timeout: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the index directory's run lock: one ingest at a time, from creating the index to its last commit.

    Readers never take it. It is an OS file lock (``flock``), released by
    the kernel when the holder exits however it exits (SIGKILL included), so
    a crashed run leaves no stale lock. Waits up to ``timeout`` seconds,
    calling ``on_wait(message)`` once if it has to wait, then raises
    :class:`~pipeline.errors.IndexLocked` naming the holder. Creates the
    directory if needed; refuses (SearchIndexError, writing nothing) a folder
    holding another program's index.
    """
    from whoosh.util.filelock import FileLock

    path = Path(path)
    if (foreign := foreign_index(path)) is not None:
        raise SearchIndexError(f"{foreign}: not a boardpapers index, left as it is (give another --index folder)")
    lock = FileLock(str(path / RUN_LOCK_FILE))
    try:
        path.mkdir(parents=True, exist_ok=True)
        free = lock.acquire(blocking=False)
    except OSError as exc:  # not a folder, read-only, no permission
        raise SearchIndexError(f"cannot write an index at {path}: {exc.strerror or exc}") from None
    deadline = time.monotonic() + timeout
    waited = False
    while not free:
        if time.monotonic() >= deadline:
            raise IndexLocked(
                f"the index at {path} is being written by {_lock_holder(path)}; "
                f"gave up waiting after {timeout:g} s (try again later, or raise --lock-timeout)"
            )
        if not waited and on_wait is not None:
            on_wait(f"waiting up to {timeout:g} s for {_lock_holder(path)} to finish writing {path}")
        waited = True
        time.sleep(RUN_LOCK_POLL)
        free = lock.acquire(blocking=False)
    try:
        started = _dt.datetime.now().isoformat(timespec="seconds")
        os.ftruncate(lock.fd, 0)
        os.pwrite(lock.fd, f"pid {os.getpid()}, started {started}\n".encode(), 0)
        yield
    finally:
        lock.release()


# ---------------------------------------------------------------- writing


def _merge_tiers(writer: Any, segments: list[Any], helpers: "MergeHelpers | None" = None) -> list[Any]:
    """A Whoosh merge policy: keep each segment larger than all the smaller ones together, merge the rest.

    Largest first: a segment is kept while its documents outnumber those of
    every segment after it; the rest (two or more) are merged into the
    writer's new segment (:func:`add_readers`: Whoosh's merge, written faster;
    with ``helpers``, its postings written in parts by other processes).
    """
    from whoosh.reading import SegmentReader

    ordered = sorted(segments, key=lambda seg: seg.doc_count_all(), reverse=True)
    sizes = [seg.doc_count_all() for seg in ordered]
    keep = 0
    while keep < len(ordered) and sizes[keep] > sum(sizes[keep + 1 :]):
        keep += 1
    rest = ordered[keep:]
    if len(rest) < 2 and not any(seg.has_deletions() for seg in rest):
        return segments
    readers: list[Any] = []
    try:
        for seg in rest:
            readers.append(SegmentReader(writer.storage, writer.schema, seg))
    except BaseException:
        for reader in readers:
            reader.close()
        raise
    add_readers(writer, readers, helpers=helpers)
    return ordered[:keep]


# ---------------------------------------------------------------- merging segments


def add_readers(writer: Any, readers: list[Any], *, helpers: "MergeHelpers | None" = None) -> None:
    """``writer.add_reader(r)`` for each segment reader, in order, writing the same segment faster; closes them.

    Whoosh's own merge (``add_reader``) asks every document for every
    field's length, one call each, and sends every posting through the
    writer's sorting pool (pickled to disk and back) although each segment's
    postings are already sorted. When the writer and the readers are exactly
    Whoosh's plain segment writer and readers of the W3 codec
    (:class:`_SegmentMerge` checks), the documents are copied a column at a
    time (each field's lengths read once per segment, stored fields copied as
    written), and the postings go straight from the segments' blocks to the
    new segment's postings writer, the segments' terms merged in order.
    Otherwise (another codec, a writer that already holds documents...)
    Whoosh's ``add_reader`` does it. The readers are closed once the writer
    has flushed or cancelled the segment (the postings are read then).

    ``helpers``: other processes to write the postings in parts, a range of
    terms each (:class:`MergeHelpers`); the segment is the same.
    """
    merge = _SegmentMerge.of(writer, readers)
    if merge is not None:
        merge.add_to(writer, helpers)
        return
    try:
        for reader in readers:
            writer.add_reader(reader)
    finally:
        for reader in readers:
            reader.close()


@dataclass(frozen=True, slots=True)
class MergeHelpers:
    """Processes that write a merge's postings in parts (see :class:`PostingsTask`).

    ``run(task)`` runs a picklable task in another process and returns its
    future (None: not now, the merging process writes that part itself);
    ``parts``: how many parts to split the postings into; ``staging``: where
    the parts are written.
    """

    run: Callable[[Callable[[], Any]], Any]
    parts: int
    staging: "SegmentStaging"


@dataclass(frozen=True, slots=True)
class PostingsTask:
    """One part of a merge's postings: call it (in any process) to write it in a staging directory.

    The merged postings of the terms from ``start`` (included; None: the
    first) to ``stop`` (excluded; None: past the last) of committed segments
    of the index at ``index_dir`` (read only), numbered as the merge numbers
    their documents, written by Whoosh's field writer into a segment of its
    own in ``directory`` (its postings and term table). Picklable. Returns
    that segment, which the merge appends to its own (:class:`_SegmentMerge`).
    """

    index_dir: str
    directory: str
    schema: Any
    codec: Any  # the merging writer's codec (its block size and compression)
    segments: tuple[Any, ...]
    start: tuple[str, bytes] | None
    stop: tuple[str, bytes] | None

    def __call__(self) -> Any:
        from whoosh.filedb.filestore import FileStorage
        from whoosh.reading import SegmentReader

        source = FileStorage(self.index_dir, readonly=True)
        readers: list[Any] = []
        try:
            for seg in self.segments:
                readers.append(SegmentReader(source, self.schema, seg))
            merge = _SegmentMerge.of_readers(self.schema, readers)
            if merge is None:
                raise ValueError("these segments cannot be merged in parts")
            storage = FileStorage(self.directory)
            segment = self.codec.new_segment(storage, INDEX_NAME)
            fw = self.codec.field_writer(storage, segment)
            try:
                merge.write_terms(fw, self.start, self.stop)
            finally:
                fw.close()
            return segment
        finally:
            for reader in readers:
                reader.close()


class _SegmentMerge:
    """The fast path of :func:`add_readers`: segments merged into a writer's new segment, as ``add_reader`` merges them.

    The new segment holds what Whoosh's merge writes: the same documents
    (deleted ones dropped) numbered the same way, the same stored fields,
    field lengths (and totals), columns and postings, so the same files
    byte for byte except the stored-fields column, whose records are copied
    as they were written (Whoosh re-pickles each record with its fields in
    the order of a Python set, which differs between processes). It works on
    Whoosh internals (the W3 codec's column, postings and term-table
    writers, whose types are checked exactly in :meth:`of`): the writer's
    ``_flush_segment`` and ``_close_segment`` are replaced, for this writer
    only, by ones that write the merged postings and close the readers.

    With helpers (:class:`MergeHelpers`), the postings are split into ranges
    of terms of about equal work (by the largest segment's terms:
    :func:`_split_terms`), each
    written by another process (:class:`PostingsTask`) while this one copies
    the documents; the parts' postings are appended in order and their terms
    listed with their postings' new offsets. Postings blocks hold no offsets,
    so the segment is the same, byte for byte, as written here in one go; a
    part that fails is written here.
    """

    def __init__(self, schema: Any, readers: list[Any]) -> None:
        from whoosh.codec import whoosh3

        self.schema = schema
        self.readers = readers
        self.live: list[Any] = []  # each reader's documents kept, in order
        self.bases: list[int] = []  # the new number of each reader's first document
        self.renumber: list[list[int] | None] = []  # old -> new document numbers (None: base + old)
        self.lengths: list[dict[str, bytes]] = []  # each reader's length bytes by field, a byte a document
        self.parts: list[tuple[tuple[str, bytes] | None, tuple[str, bytes] | None, Any, Any]] = []
        self.staging: SegmentStaging | None = None
        base = 0
        for reader in readers:
            perdoc = reader._perdoc
            count = perdoc.doc_count_all()
            deleted = frozenset(perdoc.deleted_docs())
            live = [d for d in range(count) if d not in deleted] if deleted else range(count)
            renumber: list[int] | None = None
            if deleted:
                renumber = [-1] * count
                for new, old in enumerate(live, base):
                    renumber[old] = new
            lengths: dict[str, bytes] = {}
            for name in schema.names():
                source = perdoc._cached_reader(whoosh3._lenfield(name), whoosh3.LENGTHS_COLUMN)
                if source is not None:
                    data = source._dbfile.get(source._basepos, source._count)
                    lengths[name] = bytes(data) + bytes(max(0, count - source._count))
            self.live.append(live)
            self.bases.append(base)
            self.renumber.append(renumber)
            self.lengths.append(lengths)
            base += len(live)

    @classmethod
    def of(cls, writer: Any, readers: list[Any]) -> "_SegmentMerge | None":
        """The fast merge when the writer and every reader are exactly what it was written for, else None."""
        from whoosh.codec import whoosh3
        from whoosh.columns import CompressedBytesColumn, PickleColumn
        from whoosh.filedb.filetables import OrderedHashWriter
        from whoosh.writing import PostingPool, SegmentWriter

        if type(writer) is not SegmentWriter or type(writer.codec) is not whoosh3.W3Codec:
            return None
        if type(writer.perdocwriter) is not whoosh3.W3PerDocWriter or type(writer.fieldwriter) is not whoosh3.W3FieldWriter:
            return None
        pool, pdw = writer.pool, writer.perdocwriter
        if type(pool) is not PostingPool or pool.current or pool.runs or writer._added or writer.docnum or pdw._doccount:
            return None  # the writer holds documents already
        if pdw.is_closed or writer.fieldwriter.is_closed or set(pdw._colwriters) != {"_stored"}:
            return None
        if type(writer.fieldwriter._tindex) is not OrderedHashWriter or writer.fieldwriter._fieldmap:
            return None
        stored = pdw._colwriters["_stored"]
        if type(stored) is not PickleColumn.Writer or type(stored._child) is not CompressedBytesColumn.Writer:
            return None
        return cls.of_readers(writer.schema, readers)

    @classmethod
    def of_readers(cls, schema: Any, readers: list[Any]) -> "_SegmentMerge | None":
        """The readers' side of :meth:`of` (what a process writing a part of the postings needs)."""
        from whoosh.codec import whoosh3
        from whoosh.columns import CompressedBytesColumn, NumericColumn, PickleColumn
        from whoosh.filedb.filetables import OrderedHashReader
        from whoosh.reading import SegmentReader

        if not readers or any(field.vector for _, field in schema.items()):
            return None
        for reader in readers:
            if type(reader) is not SegmentReader or reader.schema is not schema or reader.is_closed:
                return None
            if reader.segment().is_compound():  # its files are read through Whoosh's compound storage
                return None
            if type(reader.codec()) is not whoosh3.W3Codec or type(reader._perdoc) is not whoosh3.W3PerDocReader:
                return None
            terms = reader._terms
            if type(terms) is not whoosh3.W3TermsReader or type(terms._tindex) is not OrderedHashReader:
                return None
            # Its terms come in the order the pool would sort them: field numbers follow field names.
            if [name for name, _ in sorted(terms._fieldmap.items(), key=lambda kv: kv[1])] != sorted(terms._fieldmap):
                return None
            column = reader._perdoc._cached_reader("_stored", whoosh3.STORED_COLUMN)
            if column is not None and (type(column) is not PickleColumn.Reader
                                       or type(column._child) is not CompressedBytesColumn.Reader):
                return None
            for name in schema.names():
                length = reader._perdoc._cached_reader(whoosh3._lenfield(name), whoosh3.LENGTHS_COLUMN)
                if length is not None and (type(length) is not NumericColumn.Reader or length._fixedlen != 1):
                    return None
        return cls(schema, readers)

    # ---- into a writer

    def add_to(self, writer: Any, helpers: MergeHelpers | None = None) -> None:
        """Write the readers' documents into the writer's segment now; their postings when it is flushed.

        With ``helpers``, the parts of the postings are handed to them first.
        """
        try:
            if helpers is not None:
                self._start_parts(writer, helpers)
            for i in range(len(self.readers)):
                self._add_documents(writer, i)
        except BaseException:
            self._close()
            raise
        writer._added = True

        def _flush_segment() -> None:
            self._flush(writer)

        close_segment = writer._close_segment

        def _close_segment() -> None:
            try:
                close_segment()
            finally:
                self._close()

        writer._flush_segment = _flush_segment
        writer._close_segment = _close_segment

    def _add_documents(self, writer: Any, i: int) -> None:
        """What ``SegmentWriter.write_per_doc`` writes for one reader, a column at a time."""
        from collections import Counter

        from whoosh.codec import whoosh3
        from whoosh.columns import TranslatingColumnReader, VarBytesColumn
        from whoosh.util.numeric import byte_to_length

        pdw, schema = writer.perdocwriter, self.schema
        reader, live, base, deleted = self.readers[i], self.live[i], self.bases[i], self.renumber[i] is not None
        perdoc = reader._perdoc
        assert base == writer.docnum

        # Stored fields: the records as written (compressed pickles), copied.
        column = perdoc._cached_reader("_stored", whoosh3.STORED_COLUMN)
        if column is not None:
            raw, target = column._child, pdw._colwriters["_stored"]._child
            get, put = VarBytesColumn.Reader.__getitem__, VarBytesColumn.Writer.add  # no (de)compression
            for new, old in enumerate(live, base):
                data = get(raw, old)
                if data:
                    put(target, new, data)

        # Field lengths: a byte a document, read once per field.
        for name, data in self.lengths[i].items():
            kept = bytes(data[d] for d in live) if deleted else data
            total = sum(byte_to_length(b) * n for b, n in Counter(kept).items() if b)
            if not total:
                continue
            lenfield = whoosh3._lenfield(name)
            if not pdw._has_column(lenfield):
                pdw._create_column(lenfield, whoosh3.LENGTHS_COLUMN)
            _append_bytes(pdw._get_column(lenfield), base, kept)
            pdw._fieldlengths[name] += total

        # Other columns (sortable fields): value by value, as Whoosh copies them.
        for name, field in schema.items():
            coltype = field.column_type
            if not coltype or not reader.has_column(name):
                continue
            source = reader.column_reader(name, coltype)
            if isinstance(source, TranslatingColumnReader):
                source = source.raw_column()
            if not pdw._has_column(name):
                pdw._create_column(name, coltype)
            target = pdw._get_column(name)
            for new, old in enumerate(live, base):
                target.add(new, source[old])

        pdw._doccount += len(live)
        writer.docnum += len(live)

    def _flush(self, writer: Any) -> None:
        """``SegmentWriter._flush_segment`` with the readers' postings merged term by term instead of the pool's."""
        writer.perdocwriter.close()
        fw = writer.fieldwriter
        if not self.parts:
            self.write_terms(fw)
        for start, stop, task, future in self.parts:
            done = None
            if future is not None:
                try:
                    done = future.result()
                except Exception:  # the part is written here
                    done = None
            if done is None or not self._append_part(fw, task, done):
                self.write_terms(fw, start, stop)
        fw.close()

    def _close(self) -> None:
        for reader in self.readers:
            if not reader.is_closed:
                reader.close()
        for _, _, task, _ in self.parts:
            if task is not None and self.staging is not None:
                self.staging.discard(task)

    # ---- postings

    def _terms(self, i: int, start: tuple[str, bytes] | None, stop: tuple[str, bytes] | None) -> Iterator[tuple[tuple[str, bytes], int, Any]]:
        """A reader's terms from ``start`` (included) to ``stop`` (excluded), in order: ((field, text), i, term info)."""
        from whoosh.codec import whoosh3

        schema = self.schema
        terms = self.readers[i]._terms
        tindex = terms._tindex
        if start is None:
            ranges = tindex._ranges()
        else:
            key = _source_key(terms, *start)
            if key is None:
                return
            ranges = tindex.ranges_from(key)
        get, decode, info = tindex.dbfile.get, terms._keydecoder, whoosh3.W3TermInfo.from_bytes
        for keypos, keylen, datapos, datalen in ranges:
            term = decode(get(keypos, keylen))
            if stop is not None and term >= stop:
                return
            if term[0] in schema:
                yield term, i, info(get(datapos, datalen))

    def _postings(self, i: int, fieldname: str, info: Any) -> Iterator[tuple[Any, Any, Any]]:
        """A reader's postings of one term, a block at a time: (document numbers, weights, values)."""
        from whoosh.codec import whoosh3

        reader = self.readers[i]
        m = reader.codec().postings_reader(reader._terms._postfile, info, self.schema[fieldname].format)
        if type(m) is whoosh3.W3LeafMatcher:
            while True:
                m._read_ids()
                m._read_weights()
                m._read_values()
                yield m._ids, m._weights, m._values
                if m._lastblock:
                    return
                m._goto(m._nextoffset)
        ids, weights, values = [], [], []  # pragma: no cover - an inlined term (Whoosh writes none)
        while m.is_active():  # pragma: no cover
            ids.append(m.id())
            weights.append(m.weight())
            values.append(m.value())
            m.next()
        yield ids, weights, values  # pragma: no cover

    def write_terms(self, fw: Any, start: tuple[str, bytes] | None = None, stop: tuple[str, bytes] | None = None) -> None:
        """Write the merged postings of the terms from ``start`` to ``stop`` with a W3 field writer (not closed)."""
        import heapq
        from itertools import groupby
        from operator import itemgetter

        from whoosh.util.numeric import byte_to_length

        schema = self.schema
        table = [byte_to_length(b) for b in range(256)]
        table[0] = 0
        merged = heapq.merge(*(self._terms(i, start, stop) for i in range(len(self.readers))), key=itemgetter(0))
        field = None
        for (fieldname, btext), group in groupby(merged, key=itemgetter(0)):
            add = None  # the postings writer's add, once the term has a posting (of a document kept)
            for _, i, info in group:
                base, renumber = self.bases[i], self.renumber[i]
                data = self.lengths[i].get(fieldname)
                for ids, weights, values in self._postings(i, fieldname, info):
                    if renumber is None:
                        news: Any = [base + doc for doc in ids]
                        rows: Any = range(len(ids))
                    else:
                        rows = [j for j, doc in enumerate(ids) if renumber[doc] >= 0]
                        news = [renumber[ids[j]] for j in rows]
                        if not rows:
                            continue
                    if add is None:
                        if fieldname != field:
                            if field is not None:
                                fw.finish_field()
                            fw.start_field(fieldname, schema[fieldname])
                            field = fieldname
                        fw.start_term(btext)
                        add = _postings_adder(fw._postwriter)
                    if renumber is None:
                        lengths = [table[data[doc]] for doc in ids] if data else [0] * len(ids)
                        add(news, weights, values, lengths)
                    else:
                        lengths = [table[data[ids[j]]] for j in rows] if data else [0] * len(rows)
                        add(news, [weights[j] for j in rows], [values[j] for j in rows], lengths)
            if add is not None:
                fw.finish_term()
        if field is not None:
            fw.finish_field()

    # ---- postings in parts

    def _start_parts(self, writer: Any, helpers: MergeHelpers) -> None:
        """Split the terms into ranges of about equal work and hand each to a helper (none if the merge is small)."""
        sizes = [_postings_size(reader._terms._tindex) for reader in self.readers]
        if helpers.parts < 2 or None in sizes or sum(sizes) < MIN_PARALLEL_MERGE_BYTES:
            return
        split = _split_terms(self.readers[sizes.index(max(sizes))]._terms, helpers.parts)
        bounds = [term for term in split or () if term[0] in self.schema]
        if not bounds or bounds != sorted(set(bounds)):
            return
        self.staging = helpers.staging
        index_dir = str(writer.storage.folder)
        segments = tuple(reader.segment() for reader in self.readers)
        edges: list[tuple[str, bytes] | None] = [None, *bounds, None]
        tasks: list[PostingsTask] = []
        try:
            for start, stop in zip(edges, edges[1:]):
                tasks.append(PostingsTask(index_dir, helpers.staging.directory(), self.schema, writer.codec,
                                          segments, start, stop))
        except OSError:  # no room for the parts: all written here
            for task in tasks:
                helpers.staging.discard(task)
            return
        for task in tasks:
            self.parts.append((task.start, task.stop, task, helpers.run(task)))

    def _append_part(self, fw: Any, task: PostingsTask, segment: Any) -> bool:
        """Append a part's postings to the field writer's and list its terms; False: it cannot be read (nothing written)."""
        from whoosh.codec import whoosh3
        from whoosh.filedb.filestore import FileStorage
        from whoosh.system import pack_long, pack_ushort, unpack_long

        try:
            storage = FileStorage(task.directory)
            if type(segment.codec()) is not whoosh3.W3Codec:
                return False
            terms = segment.codec().terms_reader(storage, segment)
        except Exception:
            return False
        try:
            path = os.path.join(task.directory, segment.make_filename(whoosh3.W3Codec.POSTS_EXT))
            size = os.path.getsize(path)
            items = [(terms._keydecoder(key), value) for key, value in terms._tindex.items()]
            if any(value[0] for _, value in items):  # an inlined term: no offset to move
                return False
        except Exception:
            return False
        finally:
            terms.close()
        postfile = fw._postfile
        base = postfile.tell()
        with open(path, "rb") as f:
            copied = 0
            while chunk := f.read(1 << 20):
                postfile.write(chunk)
                copied += len(chunk)
        if copied != size:
            raise OSError(f"{path} changed while it was copied")
        at = whoosh3.W3TermInfo._struct.size
        field = None
        for (fieldname, btext), value in items:
            if fieldname != field:
                if field is not None:
                    fw.finish_field()
                fw.start_field(fieldname, self.schema[fieldname])
                field = fieldname
            offset = unpack_long(value[at : at + 8])[0]
            fw._tindex.add(pack_ushort(fw._fieldid) + btext, value[:at] + pack_long(base + offset) + value[at + 8 :])
        if field is not None:
            fw.finish_field()
        return True


def _append_bytes(target: Any, base: int, data: bytes) -> None:
    """``target.add(base + i, b)`` for each byte of ``data`` (a length column: zero is its default)."""
    from whoosh.columns import NumericColumn

    if type(target) is NumericColumn.Writer and target._fixedlen == 1 and target._default == 0:
        body = data.rstrip(b"\x00")
        if body:
            target.fill(base)  # zeros up to here, as add() writes before a value past the end
            target._dbfile.write(body)
            target._count = base + len(body)
        return
    for i, b in enumerate(data):  # pragma: no cover - another column writer
        if b:
            target.add(base + i, b)


def _source_key(terms: Any, fieldname: str, btext: bytes) -> bytes | None:
    """The key, in one segment's term table, of the first of its terms at or after (fieldname, btext); None: none."""
    from whoosh.system import pack_ushort

    number = terms._fieldmap.get(fieldname)
    if number is not None:
        return pack_ushort(number) + btext
    later = [n for name, n in terms._fieldmap.items() if name > fieldname]
    return pack_ushort(min(later)) if later else None


def _nth_term(tindex: Any, n: int) -> tuple[bytes, bytes]:
    """The ``n``-th key and value of an ordered term table."""
    pos = tindex._get_pos(tindex.indexbase + n * tindex.indexsize)
    key, datapos, datalen = tindex.key_and_range_at(pos)
    return key, tindex.dbfile.get(datapos, datalen)


def _postings_offset(value: bytes) -> int | None:
    """Where a W3 term's postings start in the postings file (None: inlined in its term info)."""
    from whoosh.codec import whoosh3
    from whoosh.system import unpack_long

    if value[0]:
        return None
    at = whoosh3.W3TermInfo._struct.size
    return unpack_long(value[at : at + 8])[0]


def _postings_size(tindex: Any) -> int | None:
    """Bytes of postings a segment's term table points to (None: unknown)."""
    from whoosh.codec import whoosh3
    from whoosh.system import unpack_int

    if not tindex.indexlen:
        return 0
    _, value = _nth_term(tindex, tindex.indexlen - 1)
    offset = _postings_offset(value)
    if offset is None:
        return None
    at = whoosh3.W3TermInfo._struct.size + 8
    return offset + unpack_int(value[at : at + 4])[0]


def _split_terms(terms: Any, parts: int) -> list[tuple[str, bytes]] | None:
    """Terms of a segment that split its postings into ``parts`` runs of about equal work (None: unknown).

    A term's work is counted as its share of the segment's postings plus
    its share of their bytes (merging costs by posting, and more for the
    longer ones of a field with positions).
    """
    from whoosh.codec import whoosh3
    from whoosh.system import unpack_int

    tindex = terms._tindex
    get, unpack, at = tindex.dbfile.get, whoosh3.W3TermInfo._struct.unpack_from, whoosh3.W3TermInfo._struct.size + 8
    sizes: list[tuple[int, int]] = []
    keys: list[tuple[int, int]] = []
    for keypos, keylen, datapos, datalen in tindex._ranges():
        value = get(datapos, datalen)
        if value[0]:  # inlined: no postings of its own
            return None
        sizes.append((unpack(value)[2], unpack_int(value[at : at + 4])[0]))  # documents, bytes
        keys.append((keypos, keylen))
    count, documents, size = len(sizes), sum(d for d, _ in sizes) or 1, sum(b for _, b in sizes) or 1
    bounds: list[tuple[str, bytes]] = []
    done, k = 0.0, 1
    for (keypos, keylen), (d, b) in zip(keys, sizes):
        if done >= 3 * k / parts and done:
            bounds.append(terms._keydecoder(get(keypos, keylen)))
            k += 1
            if k == parts:
                break
        done += 1 / count + d / documents + b / size
    return bounds


def _postings_adder(pw: Any) -> Callable[[Any, Any, Any, Any], None]:
    """``add(ids, weights, values, lengths)``: ``pw.add_posting`` for each posting, a block's worth at a time.

    For Whoosh's W3 postings writer (exactly), the postings are appended to
    its block buffer a slice at a time, with the statistics ``add_posting``
    keeps (highest weight, shortest and longest length), and a full block
    written when a posting follows it, as ``add_posting`` does; for any other
    writer, ``add_posting`` is called for each.
    """
    from whoosh.codec import whoosh3

    if type(pw) is not whoosh3.W3PostingsWriter or pw._byteids:
        def add_each(ids: Any, weights: Any, values: Any, lengths: Any) -> None:
            for doc, weight, value, length in zip(ids, weights, values, lengths):
                pw.add_posting(doc, weight, b"" if value is None else value, length)

        return add_each
    limit = pw._blocklimit

    def add(ids: Any, weights: Any, values: Any, lengths: Any) -> None:
        start, n = 0, len(ids)
        while start < n:
            if len(pw._ids) >= limit:
                pw._write_block()
            stop = min(n, start + limit - len(pw._ids))
            pw._ids.extend(ids[start:stop])
            part = weights[start:stop]
            pw._weights.extend(part)
            top = max(part)
            if top > pw._maxweight:
                pw._maxweight = top
            pw._values.extend(v for v in values[start:stop] if v)
            given = [length for length in lengths[start:stop] if length]
            if given:
                low, high = min(given), max(given)
                if pw._minlength is None or low < pw._minlength:
                    pw._minlength = low
                if high > pw._maxlength:
                    pw._maxlength = high
            start = stop

    return add



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
        for r in _flatten(report):
            self._w.delete_by_term("report_id", r.id)
            for doc in _documents(r, path, sha256):
                self._w.add_document(**doc)
            n += len(r.sections)
        return n

    def remove_report(self, report_id: str) -> int:
        return self._w.delete_by_term("report_id", report_id)

    def remove_path(self, path: str) -> int:
        return self._w.delete_by_term("path", path)

    def add_segment(self, staged: "StagedSegment") -> int:
        """Adopt a segment a worker wrote (:func:`write_segment`): what ``add_report`` of each of its reports does.

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


@dataclass(frozen=True, slots=True)
class StagedSegment:
    """A whole Whoosh segment written outside the index (picklable): for :meth:`Batch.add_segment`."""

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

    def __call__(self) -> StagedSegment:
        return write_segment(self.directory, self.items)


def write_segment(directory: str | os.PathLike[str], items: Iterable[tuple[Report, str, str]]) -> StagedSegment:
    """Write the documents of ``(report, path, sha256)`` items as one finished segment in a staging directory.

    ``directory`` holds an empty index with the index's schema and name
    (made by :meth:`SegmentStaging.task`). The writer takes no lock and
    commits nothing: the table of contents there stays empty, and the
    segment's files wait for :meth:`Batch.add_segment` to move them. This is
    the analysis and postings work of ``add_report``, done wherever this runs
    (ingest runs it in its worker processes). On an error nothing is
    returned and the directory's files are left to be removed.
    """
    from whoosh import index as wi
    from whoosh.writing import SegmentWriter

    directory = str(directory)
    ix = wi.open_dir(directory, indexname=INDEX_NAME)
    writer = SegmentWriter(ix, _lk=False, limitmb=WRITER_POOL_MB, compound=WRITE_COMPOUND)
    report_ids: list[str] = []
    try:
        for report, path, sha256 in items:
            for r in _flatten(report):
                report_ids.append(r.id)
                for doc in _documents(r, path, sha256):
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
    """An index's staging area (:data:`STAGING_DIR`) for segments written by other processes.

    Made by :meth:`WhooshIndex.segment_staging`, for a run that holds the run
    lock: whatever an earlier run left there (a run killed while its workers
    wrote) is deleted first. Each :meth:`task` gets a directory of its own,
    named uniquely (a worker orphaned by a killed run can only touch its
    own), holding an empty index with the index's schema and name; each part
    of a merge's postings (:class:`PostingsTask`) gets an empty one
    (:meth:`directory`).
    """

    def __init__(self, index_path: Path, schema: Any) -> None:
        import shutil

        self.root = Path(index_path) / STAGING_DIR
        self._schema = schema
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
        from whoosh.util import random_name

        self._made += 1
        directory = self.root / f"{os.getpid()}-{self._made}-{random_name(8)}"
        FileStorage(str(directory)).create().create_index(self._schema, indexname=INDEX_NAME)
        return SegmentTask(str(directory), tuple(items))

    def directory(self) -> str:
        """A new, empty directory in the staging area (for a part of a merge's postings: :class:`PostingsTask`)."""
        from whoosh.util import random_name

        self._made += 1
        directory = self.root / f"{os.getpid()}-{self._made}-{random_name(8)}"
        directory.mkdir()
        return str(directory)

    def discard(self, task: SegmentTask | StagedSegment | PostingsTask) -> None:
        """Delete a task's directory (what is left once its segment is adopted, or given up)."""
        import shutil

        shutil.rmtree(task.directory, ignore_errors=True)

    def close(self) -> None:
        """Delete the staging area."""
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)


class WhooshIndex:
    """A Whoosh index behind the engine-neutral :class:`Index` seam."""

    def __init__(self, path: Path, ix: Any) -> None:
        self.path = path
        self._ix = ix
        self._stem, self._exact = _analyzers()
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
                f"the index at {self.path} is locked by another writer (an ingest running?); "
                f"gave up after {wait:g} s"
            ) from exc

    @contextmanager
    def batch(self, *, timeout: float | None = None, merge: bool = True) -> Iterator[Batch]:
        """A write transaction: ``with ix.batch() as b: b.add_report(r)``.

        Commits only when the block finishes without an exception; otherwise
        cancels, leaving the last committed index untouched. ``merge=False``
        writes the batch as a new segment without merging any (a run of many
        batches then calls :meth:`merge` once at its end). Waits up to
        ``timeout`` seconds (default :data:`WRITE_LOCK_TIMEOUT`) for another
        writer's lock. Whoosh writes the new segments, then the table of
        contents to a temporary file renamed into place, so a process killed
        mid-commit leaves the previous generation readable; its lock is an
        ``flock``, which the kernel releases when the process dies.
        """
        from whoosh.writing import MERGE_SMALL, NO_MERGE

        writer = self._writer(WRITE_LOCK_TIMEOUT if timeout is None else timeout)
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
        are merged tier-wise (:func:`_merge_tiers`): one larger than all the
        smaller ones together is left alone, the rest become one segment, so
        an archive ingested in several runs keeps a few segments of
        geometrically falling sizes and each run rewrites about what it added.
        The merged segment is what Whoosh's merge writes, written faster
        (:func:`add_readers`). ``helpers``: other processes (an ingest's
        workers) write the merged postings in parts meanwhile, a range of
        terms each, while this one copies the documents and then appends the
        parts (a part that fails is written here): the same segment, in one
        commit. A commit like any other: if it fails the index keeps its
        segments.
        """
        from functools import partial

        if self.segment_count() <= 1:
            return self.segment_count()
        wait = WRITE_LOCK_TIMEOUT if timeout is None else timeout
        writer = self._writer(wait)
        try:
            # Deleted documents go with the merge; nothing is added besides.
            writer.commit(mergetype=partial(_merge_tiers, helpers=helpers) if helpers is not None else _merge_tiers)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        return self.segment_count()

    def segment_staging(self) -> SegmentStaging:
        """The index's staging area, emptied, for segments written in other processes.

        The writing seam's optional part (an engine without it writes in the
        process that commits): :meth:`SegmentStaging.task` makes a picklable
        task writing reports as one segment, which any process may run, and
        :meth:`Batch.add_segment` adopts what it returns. Only for a run
        holding the run lock (:func:`run_lock`).
        """
        return SegmentStaging(self.path, self._ix.schema)

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
            _lengths_in_memory(s)
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
        """Number of documents of one kind (``report``, ``section``, ``recommendation``)."""
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
        date read from the index's columns, then ordered here: Whoosh's own
        sorting, grouping and collapsing collectors cost several times the
        scoring itself. Stored fields are read for the page's hits only.
        """
        from whoosh import query as Q

        if request.target not in ("section", "recommendation"):
            raise ValueError(f"unknown search target {request.target!r}")
        order = _sort_key(request.sort)
        s = self._searcher()
        q = _translate(request.query, s.schema, request.target)
        scope: list[Any] = [Q.Term("doc_kind", request.target)]
        # Date ranges in the filter are checked on the date read from the column for every
        # match anyway: a Whoosh date range query walks many numeric terms.
        rest, ranges = _split_date_ranges(request.filter)
        if rest is not None:
            scope.append(_translate(rest, s.schema))
        if request.report_ids:
            scope.append(Q.Or([Q.Term("report_id", r) for r in request.report_ids]))
        restrict = Q.And(scope) if len(scope) > 1 else scope[0]
        field = s.schema["meeting_date"]
        days = [(None if lo is None else field.prepare_datetime(lo), None if hi is None else field.prepare_datetime(hi))
                for lo, hi in (_date_bounds(r) for r in ranges)]
        # Require: only q scores; the scope restricts.
        matches = _matches(s, Q.Require(q, restrict), days)
        matches.sort(key=order)
        total, reports = len(matches), len({m.report for m in matches})
        if request.per_report:
            kept: dict[bytes, int] = {}
            capped = []
            for m in matches:
                n = kept.get(m.report, 0)
                if n < request.per_report:
                    kept[m.report] = n + 1
                    capped.append(m)
            matches = capped
        highlighter = _Highlighter(request.query, s, self._stem) if request.snippets else None
        hits = []
        for m in matches[request.offset : request.offset + request.limit]:
            stored = s.stored_fields(m.docnum)
            snippet = highlighter.snippet(stored.get("content") or "") if highlighter else ""
            hits.append(_hit(stored, m.score, snippet, text=request.texts))
        return SearchResult(hits=tuple(hits), total=total, reports=reports)


def _lengths_in_memory(searcher: Any) -> None:
    """Read each segment's field-length columns (a byte a document a field) into memory.

    BM25 reads a document's field length for every posting it scores, and a
    column in a plain segment file costs a seek and a read each time (half of
    ``similar``'s time, which scores a few hundred thousand postings). Only
    Whoosh's W3 per-document reader is known; others are left as they are.
    """
    from whoosh.codec import whoosh3
    from whoosh.columns import NumericColumn

    fields = [name for name, field in searcher.schema.items() if field.scorable]
    for reader, _ in searcher.reader().leaf_readers():
        perdoc = getattr(reader, "_perdoc", None)
        if not isinstance(perdoc, whoosh3.W3PerDocReader):
            continue
        for name in fields:
            lenfield = whoosh3._lenfield(name)
            column = perdoc._cached_reader(lenfield, whoosh3.LENGTHS_COLUMN)
            if type(column) is not NumericColumn.Reader or column._fixedlen != 1:
                continue
            data = column._dbfile.get(column._basepos, column._count)
            # bytes index to ints, as the column does; documents past its end have length 0
            perdoc._readers[lenfield] = bytes(data) + bytes(max(0, column._doccount - column._count))


@dataclass(frozen=True, slots=True)
class _Match:
    """One scored match, with what orders it: its report's meeting date (None: undated) and id."""

    score: float
    day: int | None  # the meeting date as Whoosh's column holds it
    report: bytes  # the report id (UTF-8: orders as the text does)
    docnum: int


def _within(day: int | None, ranges: Iterable[tuple[int | None, int | None]]) -> bool:
    return day is not None and all((lo is None or day >= lo) and (hi is None or day <= hi) for lo, hi in ranges)


def _date_bounds(node: QDateRange) -> tuple[_dt.datetime | None, _dt.datetime | None]:
    """A date range's inclusive bounds as datetimes: from the start of its first day to the end of its last."""
    start = _as_datetime(node.start)
    end = None if node.end is None else _dt.datetime(node.end.year, node.end.month, node.end.day, 23, 59, 59)
    return start, end


def _split_date_ranges(node: QueryNode | None) -> tuple[QueryNode | None, list[QDateRange]]:
    """A filter as (the rest, the date ranges it requires): ranges alone or ANDed at its top level."""
    if isinstance(node, QDateRange):
        return None, [node]
    if not isinstance(node, QAnd):
        return node, []
    ranges = [c for c in node.children if isinstance(c, QDateRange)]
    rest = tuple(c for c in node.children if not isinstance(c, QDateRange))
    if not ranges:
        return node, []
    if not rest:
        return None, ranges
    return (rest[0] if len(rest) == 1 else QAnd(rest)), ranges


def _sort_key(sort: str) -> Callable[[_Match], tuple]:
    """The order of matches for a sort: relevance (ties: newest first) or date (newest first).

    An undated report comes after every dated one, in both (as the tantivy
    engine orders them); then the report id, then the document's place in
    the index (a report's sections in their order).
    """
    if sort == "relevance":
        return lambda m: (-m.score, m.day is None, -(m.day or 0), m.report, m.docnum)
    if sort == "date":
        return lambda m: (m.day is None, -(m.day or 0), -m.score, m.report, m.docnum)
    raise ValueError(f"unknown sort {sort!r}")


def _matches(searcher: Any, query: Any, days: list[tuple[int | None, int | None]] = ()) -> list[_Match]:
    """Every document matching ``query``, scored, with its report id and meeting date from the columns.

    Segment by segment, as Whoosh's collectors do. The date is read once per
    report (every document of a report carries the report's date). With
    ``days`` (inclusive (low, high) bounds in the column's units, None: open),
    only documents dated within every range are kept.
    """
    context = searcher.context()
    missing = searcher.schema["meeting_date"].column_type.default_value()
    out: list[_Match] = []
    for sub, offset in searcher.leaf_searchers():
        scores = _scores(query.matcher(sub, context), getattr(sub.reader(), "_perdoc", None))
        if not scores:
            continue
        reader = sub.reader()
        ids = reader.column_reader("report_id", translate=False)
        column = reader.column_reader("meeting_date", translate=False)
        seen: dict[bytes, int | None] = {}
        for docnum, score in scores.items():
            report = ids[docnum]
            day = seen.get(report, _UNSEEN)
            if day is _UNSEEN:
                raw = column[docnum]
                day = seen[report] = None if raw == missing else raw
            if not days or _within(day, days):
                out.append(_Match(score, day, report, offset + docnum))
    return out


def _scores(matcher: Any, perdoc: Any = None) -> dict[int, float]:
    """Document number -> score of every match of a fresh Whoosh matcher.

    Whoosh's own tree of matchers for the query, walked here: each leaf (a
    term, a phrase, a prefix's terms...) is run by itself and the unions,
    intersections and exclusions above the leaves are done with dictionaries,
    adding scores in the order Whoosh's matchers add them, so scores are
    equal to the last bit. Whoosh's union matchers cost several times their
    leaves for every match (a word searches four fields; ``similar`` ORs
    sixty-four words). A matcher this does not know is run as it is (among
    them the union Whoosh uses in small segments, which reads its clauses as
    it is made). Matchers that advance their children when made (an
    intersection, an exclusion) only skip documents they would not match.
    """
    from whoosh import matching as M

    kind = type(matcher)
    if kind is M.UnionMatcher:
        a, b = _scores(matcher.a, perdoc), _scores(matcher.b, perdoc)
        if len(b) > len(a):  # fold the smaller into the larger (fresh dicts; x + y == y + x, to the bit)
            a, b = b, a
        for d, v in b.items():
            a[d] = a[d] + v if d in a else v
        return a
    if kind is M.IntersectionMatcher:
        a, b = _scores(matcher.a, perdoc), _scores(matcher.b, perdoc)
        return {d: v + b[d] for d, v in a.items() if d in b}
    if kind is M.RequireMatcher:
        a = _scores(matcher.a, perdoc)
        return {d: a[d] for d in _present(matcher.b, sorted(a))}
    if kind is M.AndNotMatcher:
        a = _scores(matcher.a, perdoc)
        for d in _present(matcher.b, sorted(a)):
            del a[d]
        return a
    if kind is M.WrappingMatcher:
        boost = matcher.boost
        return {d: v * boost for d, v in _scores(matcher.child, perdoc).items()}
    out = {}
    bm25 = _bm25_of(matcher, perdoc)
    if bm25 is not None:
        # a term's postings scored straight from the in-memory field lengths, a block at a
        # time: BM25F's formula written out on the same numbers as matcher.score(), its
        # length-dependent part looked up by the length byte (the block is read by the
        # matcher's own methods, as id()/weight() do)
        idf, k1p, lengths, denominator, slow = bm25
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids, weights = matcher._ids, matcher._weights
            for i in range(matcher._i, matcher._blocklength):
                d = ids[i]
                tf = weights[i]
                lbyte = lengths[d]
                out[d] = idf * ((tf * k1p) / (tf + (denominator[lbyte] if lbyte else slow(d))))
            matcher._i = matcher._blocklength - 1
            matcher.next()  # past the block's last posting: the next block, or the end
        return out
    while matcher.is_active():
        out[matcher.id()] = matcher.score()
        matcher.next()
    return out


def _bm25_of(
    matcher: Any, perdoc: Any
) -> tuple[float, float, bytes, list[float], Callable[[int], float]] | None:
    """For a term's postings scored by BM25F with its field lengths in memory: (idf, K1 + 1, the
    length bytes, the length part of the denominator by length byte, that part for a document
    without a length byte).

    Whoosh's ``bm25`` is ``idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))``;
    the same operations on the same numbers give the same score to the bit.
    """
    from whoosh.codec import whoosh3
    from whoosh.scoring import BM25FScorer
    from whoosh.util.numeric import byte_to_length

    scorer = getattr(matcher, "scorer", None)
    term = getattr(matcher, "_term", None)
    if type(matcher) is not whoosh3.W3LeafMatcher or type(scorer) is not BM25FScorer or not term:
        return None
    lengths = getattr(perdoc, "_readers", {}).get(whoosh3._lenfield(term[0]))
    if type(lengths) is not bytes:
        return None
    K1, B, avgfl, dfl = scorer.K1, scorer.B, scorer.avgfl, scorer.dfl

    def part(fl: float) -> float:
        return K1 * ((1 - B) + B * fl / avgfl)

    denominator = [part(byte_to_length(lbyte)) for lbyte in range(256)]
    return scorer.idf, K1 + 1, lengths, denominator, lambda docnum: part(dfl(docnum))


def _present(matcher: Any, docnums: list[int]) -> list[int]:
    """Those of ``docnums`` (ascending) that a fresh matcher matches: a term's postings read whole, else by skipping."""
    from whoosh.codec import whoosh3

    if type(matcher) is whoosh3.W3LeafMatcher and not matcher._byteids:
        ids: set[int] = set()
        while matcher.is_active():  # a block at a time, with the matcher's own reader
            if matcher._ids is None:
                matcher._read_ids()
            ids.update(matcher._ids[matcher._i :])
            matcher._i = matcher._blocklength - 1
            matcher.next()
        return [d for d in docnums if d in ids]
    found = []
    for d in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < d:
            matcher.skip_to(d)
            if not matcher.is_active():
                break
        if matcher.id() == d:
            found.append(d)
    return found


def _hit(d: dict[str, Any], score: float, snippet: str, *, text: bool = False) -> Hit:
    """A stored document as a hit; with ``text``, carrying its stored text (``content``)."""
    md = d.get("meeting_date")
    return Hit(
        report_id=d["report_id"],
        path=d["path"],
        section_index=d.get("section_index", 0),
        section_number=d.get("number"),
        section_title=d.get("title") or "",
        section_kind=d.get("kind") or "",
        page=d.get("page") or 0,
        meeting_date=md.date() if isinstance(md, _dt.datetime) else md,
        committee=d.get("committee") or None,
        officer=d.get("officer") or None,
        subject=d.get("subject") or None,
        council=d.get("council") or None,
        period=d.get("period"),
        score=round(float(score), 4),
        snippet=snippet,
        text=(d.get("content") or "") if text else "",
    )


# ---------------------------------------------------------------- query translation


def _text_fields(target: str = "section") -> dict[str, float]:
    """The fields a bare word searches, with their weights.

    A recommendation is matched on its own words, not its report's subject.
    """
    if target == "recommendation":
        return {"content": BODY_WEIGHT}
    return {
        "content": BODY_WEIGHT,
        "recs": RECOMMENDATIONS_WEIGHT,
        "title": HEADING_WEIGHT,
        "subject": SUBJECT_WEIGHT,
    }


def _analyzed(schema: Any, field: str, text: str) -> list[str]:
    return [t.text for t in schema[field].analyzer(text, mode="query")]


def _words_query(schema: Any, field: str, text: str, boost: float) -> Any:
    """A word or phrase in one analysed field (text that analyses to several terms is a phrase)."""
    from whoosh import query as Q

    terms = _analyzed(schema, field, text)
    if not terms:
        return Q.NullQuery
    if len(terms) == 1:
        return Q.Term(field, terms[0], boost=boost)
    return Q.Phrase(field, terms, boost=boost)


def _expanding(schema: Any, node: QPrefix | QFuzzy, field: str, boost: float) -> Any:
    from whoosh import query as Q

    text = node.text.lower()
    if isinstance(node, QPrefix):
        return Q.Prefix(field, text, boost=boost)
    return Q.FuzzyTerm(field, text, boost=boost, maxdist=node.distance, prefixlength=FUZZY_PREFIX_LENGTH)


def _translate(node: QueryNode, schema: Any, target: str = "section") -> Any:
    """The query AST as a Whoosh query (bare words search the ``target``'s text fields)."""
    from whoosh import query as Q

    if isinstance(node, QAll):
        return Q.Every()
    if isinstance(node, QAnd):
        # A child that can match nothing (a stop word) is dropped, not allowed to empty the AND.
        positives = _live([_translate(c, schema, target) for c in node.children if not isinstance(c, QNot)])
        negatives = _live([_translate(c.child, schema, target) for c in node.children if isinstance(c, QNot)])
        if not positives and not all(isinstance(c, QNot) for c in node.children):
            return Q.NullQuery  # only stop words left to require
        base = Q.And(positives) if positives else Q.Every()
        return Q.AndNot(base, Q.Or(negatives)) if negatives else base
    if isinstance(node, QOr):
        children = _live([_translate(c, schema, target) for c in node.children])
        return Q.Or(children) if children else Q.NullQuery
    if isinstance(node, QNot):
        return Q.AndNot(Q.Every(), _translate(node.child, schema, target))
    if isinstance(node, QDateRange):
        return Q.DateRange("meeting_date", *_date_bounds(node))
    field = node.field
    if field in KEYWORD_FIELD_MAP:
        target = KEYWORD_FIELD_MAP[field]
        if isinstance(node, QPrefix):
            return Q.Prefix(target, node.text)
        if isinstance(node, QFuzzy):
            return Q.FuzzyTerm(target, node.text, maxdist=node.distance)
        return Q.Term(target, node.text)
    if field is not None:
        if field not in TEXT_FIELD_MAP:
            raise QueryError(f"unknown field {field!r}", position=getattr(node, "position", None))
        target = TEXT_FIELD_MAP[field]
        if isinstance(node, (QPrefix, QFuzzy)):
            return _expanding(schema, node, target, 1.0)
        return _words_query(schema, target, node.text, 1.0)
    # The text fields: content, headings, subject, recommendations.
    if isinstance(node, (QPrefix, QFuzzy)):
        # Unstemmed words, so that recruit* and recruitmnet~ see "recruitment".
        return _expanding(schema, node, "words", BODY_WEIGHT)
    alternatives = _live([_words_query(schema, f, node.text, w) for f, w in _text_fields(target).items()])
    return Q.Or(alternatives) if alternatives else Q.NullQuery


def _live(queries: list[Any]) -> list[Any]:
    """Drop queries that can match nothing (words that analyse to no terms)."""
    from whoosh import query as Q

    return [x for x in queries if x is not Q.NullQuery]


# ---------------------------------------------------------------- snippets


class _Highlighter:
    """Marks the query's matches in a text and cuts the best fragments around them.

    Works on the analyzer's tokens, so "carers" matches the term "carer" and a
    phrase only where its words are consecutive.
    """

    def __init__(self, query: QueryNode, searcher: Any, stem: Any) -> None:
        from pipeline.model.query import positive_leaves

        self._stem = stem
        self.terms: set[str] = set()  # stemmed single terms
        self.phrases: list[tuple[str, ...]] = []  # stemmed phrase sequences
        self.exact: set[str] = set()  # surface words matched by prefix/fuzzy
        for leaf in positive_leaves(query):
            if getattr(leaf, "field", "x") is not None:
                continue
            if isinstance(leaf, (QTerm, QPhrase)):
                terms = tuple(t.text for t in stem(leaf.text, mode="query"))
                if len(terms) == 1:
                    self.terms.add(terms[0])
                elif terms:
                    self.phrases.append(terms)
            elif isinstance(leaf, (QPrefix, QFuzzy)):
                wq = _expanding(searcher.schema, leaf, "words", 1.0)
                found = sorted(wq.existing_terms(searcher.reader(), expand=True))[:MAX_EXPANSIONS]
                self.exact.update(t.decode("utf-8") if isinstance(t, bytes) else t for _, t in found)

    def spans(self, text: str) -> list[tuple[int, int]]:
        tokens = [(t.startchar, t.endchar, t.text) for t in self._stem(text, chars=True, mode="index")]
        marked: list[tuple[int, int]] = []
        for i, (start, end, term) in enumerate(tokens):
            if term in self.terms or text[start:end].lower() in self.exact:
                marked.append((start, end))
            for phrase in self.phrases:
                if tuple(t[2] for t in tokens[i : i + len(phrase)]) == phrase:
                    marked.append((start, tokens[i + len(phrase) - 1][1]))
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


def make_snippet(text: str, spans: list[tuple[int, int]], *, whole: int = SNIPPET_WHOLE) -> str:
    """Up to :data:`SNIPPET_FRAGMENTS` fragments of ``text`` around ``spans``, marks in [[ ]].

    Text no longer than ``whole`` is shown whole.
    """
    if not text:
        return ""
    spans = sorted(spans)[:SNIPPET_MAX_SPANS]
    if len(text) <= whole:
        windows = [(0, len(text))]
    elif not spans:
        windows = [(0, min(len(text), 2 * SNIPPET_CONTEXT))]
    else:
        # Score a window around each match by the distinct matched words it holds. The spans
        # are sorted and do not overlap, so those inside a window are a run between two
        # pointers that only move forward: one pass, counting words in and out.
        words = [text[s:e].lower() for s, e in spans]
        counts: dict[str, int] = {}
        first = last = 0  # the run spans[first:last] lies inside the current window
        candidates = []
        for start, end in spans:
            lo, hi = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
            while last < len(spans) and spans[last][1] <= hi:
                counts[words[last]] = counts.get(words[last], 0) + 1
                last += 1
            while first < last and spans[first][0] < lo:
                counts[words[first]] -= 1
                if not counts[words[first]]:
                    del counts[words[first]]
                first += 1
            candidates.append((-len(counts), lo, hi))
        chosen: list[tuple[int, int]] = []
        for _, lo, hi in sorted(candidates):
            if any(lo < c_hi and hi > c_lo for c_lo, c_hi in chosen):
                continue
            chosen.append((lo, hi))
            if len(chosen) == SNIPPET_FRAGMENTS:
                break
        windows = sorted(chosen)
    fragments = []
    for lo, hi in windows:
        lo, hi = _word_boundary(text, lo, hi)
        parts, pos = [], lo
        for s, e in spans[bisect.bisect_left(spans, (lo, lo)):]:
            if s > hi:
                break
            if e <= hi:
                parts += [text[pos:s], MARK_OPEN, text[s:e], MARK_CLOSE]
                pos = e
        parts.append(text[pos:hi])
        fragments.append(re.sub(r"\s+", " ", "".join(parts)).strip())
    lead = "…" if _word_boundary(text, *windows[0])[0] > 0 else ""
    tail = "…" if _word_boundary(text, *windows[-1])[1] < len(text) else ""
    return lead + SNIPPET_ELLIPSIS.join(fragments) + tail


def _word_boundary(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Widen a window so that it doesn't cut words in half."""
    while lo > 0 and not text[lo - 1].isspace():
        lo -= 1
    while hi < len(text) and not text[hi].isspace():
        hi += 1
    return lo, hi
