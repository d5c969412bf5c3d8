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
  parsed since the last commit; running again indexes the rest, and nothing
  twice (report ids come from path and content).
* After each commit the ledger (:mod:`pipeline.ledger`) records every file
  seen since the previous one, so ``boardpapers status`` lists what the
  archive holds and what failed, and ``retry_failed`` tries failures again.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pipeline.errors import BoardpapersError, IndexError_, NeedsOCR
from pipeline.types import IngestOutcome, IngestSummary, Report

#: File suffixes a folder is searched for (a file named explicitly is always tried).
SUPPORTED_SUFFIXES: tuple[str, ...] = (".pdf", ".txt", ".md", ".markdown")
#: Papers parsed between commits.
COMMIT_EVERY = 20
#: Bytes read at a time when hashing a file.
HASH_CHUNK = 1 << 20
#: Leading bytes kept to tell what a file is.
HEAD_BYTES = 2048
#: Seconds an ingest waits for another ingest into the same index (``--lock-timeout``).
LOCK_TIMEOUT = 60.0
#: The leading bytes of common files that are not papers -> what they are.
FOREIGN_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (a Word .docx, Excel .xlsx or OpenDocument file?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc, .xls?)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image (save scans as PDF to have them OCR'd)"),
    (b"\xff\xd8\xff", "a JPEG image (save scans as PDF to have them OCR'd)"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image (save scans as PDF to have them OCR'd)"),
    (b"MM\x00*", "a TIFF image (save scans as PDF to have them OCR'd)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)
#: File types other than regular files, by ``stat`` test.
SPECIAL_FILES: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)

#: ``progress(done, total, outcome)`` is called after each file.
Progress = Callable[[int, int, IngestOutcome], None]
#: Turns a file into its record (:class:`PaperParser` by default).
Parser = Callable[[Path], Report]


@dataclass(frozen=True, slots=True)
class _Pending:
    """A parsed paper waiting for the next commit."""

    path: str  # the file's resolved path: its identity in the index
    sha256: str
    report: Report | None  # None: only remove what was indexed from ``path``
    outcome: IngestOutcome
    replaces: bool  # remove the documents indexed from ``path`` first


@dataclass(frozen=True, slots=True)
class _Found:
    """A path from the folder walk; ``problem`` set: report it as ``status`` without reading."""

    path: Path
    problem: str | None = None
    status: str = "failed"


@dataclass(frozen=True, slots=True)
class _Fingerprint:
    sha256: str
    head: bytes
    utf8: bool  # the whole file decodes as UTF-8


# ---------------------------------------------------------------- finding files


def _walk(top: Path, seen: dict[tuple[int, int], Path]) -> Iterator[_Found]:
    """A folder's papers, then its sub-folders' (sorted, hidden skipped, symlinks followed once)."""
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError as exc:
        yield _Found(top, f"{top}: cannot list the folder: {exc.strerror or exc}")
        return
    folders: list[Path] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:  # a symlink loop or a vanished target: judged as a file below
            is_dir = False
        if is_dir:
            folders.append(Path(entry.path))
        elif Path(entry.name).suffix.lower() in SUPPORTED_SUFFIXES:
            yield _Found(Path(entry.path))
    for folder in folders:
        yield from _folder(folder, seen)


def _folder(folder: Path, seen: dict[tuple[int, int], Path]) -> Iterator[_Found]:
    try:
        st = os.stat(folder)
    except OSError as exc:
        yield _Found(folder, f"{folder}: cannot open the folder: {exc.strerror or exc}")
        return
    key = (st.st_dev, st.st_ino)
    first = seen.get(key)
    if first is not None:
        if _is_within(folder.parent, first):
            yield _Found(folder, f"{folder}: symlink loop: it leads back to {first}, already searched")
        else:
            yield _Found(folder, f"same folder as {first} (a symlink to it): already searched", status="duplicate")
        return
    seen[key] = folder
    yield from _walk(folder, seen)


def _is_within(path: Path, ancestor: Path) -> bool:
    try:
        real, top = os.path.realpath(path), os.path.realpath(ancestor)
    except OSError:
        return False
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _scan(paths: Iterable[str | os.PathLike[str]]) -> Iterator[_Found]:
    seen: dict[tuple[int, int], Path] = {}
    for raw in paths:
        p = Path(raw)
        try:
            is_dir = p.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _folder(p, seen)
        else:
            yield _Found(p)


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named, and the papers in folders named (recursively, sorted, hidden skipped).

    Symlinked folders are followed once: a link back to a folder already
    searched (a loop) is yielded too, for ingest to report.
    """
    for found in _scan(paths):
        yield found.path


# ---------------------------------------------------------------- reading one file


def file_sha256(path: Path) -> str:
    return _fingerprint(path).sha256


def _fingerprint(path: Path) -> _Fingerprint:
    """sha256, the leading bytes, and whether the file is valid UTF-8 (read once)."""
    h = hashlib.sha256()
    head = b""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return _Fingerprint(h.hexdigest(), head, utf8)


def _key(path: Path) -> str:
    """A file's identity: its resolved path (absolute, when a symlink loop can't be resolved)."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return os.path.abspath(path)


def _reason(path: Path | str, exc: BaseException) -> str:
    """One line naming the file and what went wrong."""
    if isinstance(exc, BoardpapersError):
        text = str(exc)
        text = text if str(path) in text else f"{path}: {text}"
    elif isinstance(exc, OSError):
        text = f"{path}: {_os_reason(path, exc)}"
    else:
        text = f"{path}: {type(exc).__name__}: {exc}"
    return " ".join(text.split())


def _os_reason(path: Path | str, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop: the link leads back to itself"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return f"broken symlink (it points to {os.readlink(path)}, which does not exist)"
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied: cannot read the file"
    return exc.strerror or str(exc)


def _check_file(path: Path) -> str | None:
    """Why a path can't be read as a paper, judged without opening it (None: try it)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"{path}: {_os_reason(path, exc)}"
    for test, kind in SPECIAL_FILES:
        if test(st.st_mode):
            return f"{path}: {kind}, not a regular file: skipped without reading"
    if st.st_size == 0:
        return f"{path}: empty file"
    return None


def _foreign_format(path: Path, head: bytes) -> str | None:
    for magic, what in FOREIGN_FORMATS:
        if head.startswith(magic):
            return f"{path}: {what}, not a PDF, text or markdown paper"
    return None


def _note(path: Path, fp: _Fingerprint) -> str | None:
    """How a readable file was read, when that's worth knowing."""
    is_pdf = fp.head.lstrip()[:5] == b"%PDF-"
    if is_pdf and path.suffix.lower() != ".pdf":
        return f"PDF content under a {path.suffix or 'suffix-less'} name: read as PDF"
    if not is_pdf and not fp.utf8:
        return "not UTF-8: read as Windows-1252 text"
    return None


# ---------------------------------------------------------------- parsing (with OCR)


class PaperParser:
    """The default parser: read and parse a paper, OCR-ing scanned PDFs per ``ocr`` mode.

    ``notes`` maps a path to how it was read (``"text from OCR"``).
    """

    def __init__(self, ocr: str = "auto") -> None:
        from pipeline.ocr import OCR_MODES

        if ocr not in OCR_MODES:
            raise ValueError(f"unknown OCR mode {ocr!r} (choose from {', '.join(OCR_MODES)})")
        self.ocr = ocr
        self.notes: dict[str, str] = {}

    def __call__(self, path: Path) -> Report:
        from pipeline.ocr import ocr_document
        from pipeline.parse import parse_document
        from pipeline.readers import read_lines

        if self.ocr == "always" and _is_pdf(path):
            doc = ocr_document(path, file_sha256(path), force=True)
            self.notes[str(path)] = "text from OCR (--ocr always)"
            return parse_document(doc)
        try:
            doc = read_lines(path)
        except NeedsOCR as exc:
            if self.ocr == "never":
                raise NeedsOCR(str(path), exc.reason, hint="OCR is off (--ocr never): ingest with --ocr auto") from None
            doc = ocr_document(path, file_sha256(path))
            self.notes[str(path)] = "text from OCR (a scanned PDF)"
        return parse_document(doc)


def _is_pdf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(HEAD_BYTES).lstrip()[:5] == b"%PDF-"


# ---------------------------------------------------------------- the run


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    parser: Parser | None = None,
    ocr: str = "auto",
    strict: bool = False,
    retry_failed: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    commit_every: int | None = None,
    on_wait: Callable[[str], None] | None = None,
    engine: str | None = None,
) -> IngestSummary:
    """Parse and index every paper named (folders expanded); one outcome per file, in order.

    ``ocr``: ``auto`` | ``always`` | ``never`` (for the default parser).
    ``strict``: stop at the first failure (what was parsed before it is committed).
    ``retry_failed``: also try again every file the ledger records as failed
    (folders that failed are checked when their parent is ingested again).
    ``lock_timeout``: seconds to wait for another ingest into the same index
    (``on_wait(message)`` is called once if it must wait).
    ``commit_every``: papers per commit (default :data:`COMMIT_EVERY`).
    ``engine``: the index engine (``whoosh`` | ``tantivy``) when the index is
    created here (an existing index keeps its own; another raises IndexError_).
    Raises :class:`~pipeline.errors.IndexLocked` when the wait runs out, and
    :class:`~pipeline.errors.IndexError_` for an unusable index.
    """
    from pipeline.index import open_index, run_lock
    from pipeline.ledger import Ledger

    parse = parser or PaperParser(ocr)
    notes: dict[str, str] = getattr(parse, "notes", {})
    every = commit_every or COMMIT_EVERY
    paths = list(paths)
    outcomes: list[IngestOutcome] = []
    keys: list[str] = []
    with run_lock(index_dir, timeout=lock_timeout, on_wait=on_wait):
        ledger = Ledger.open(index_dir, create=True)
        assert ledger is not None
        with ledger, open_index(index_dir, create=True, engine=engine) as ix:
            if retry_failed:
                # Files only: a failed folder (a symlink loop, an unlistable folder) is
                # checked again by ingesting the folder holding it.
                named = {_key(Path(p)) for p in paths}
                paths += [p for p in ledger.failed_paths() if p not in named and not os.path.isdir(p)]
            found = list(_scan(paths))
            by_path = ix.files()  # path -> sha256, committed
            by_sha = {sha: path for path, sha in by_path.items()}
            pending: list[tuple[int, _Pending]] = []
            unrecorded: list[int] = []  # outcomes not yet in the ledger

            def flush() -> None:
                for i, outcome in _write(ix, pending).items():
                    outcomes[i] = outcome
                pending.clear()
                ledger.record([(keys[i], outcomes[i]) for i in unrecorded])
                unrecorded.clear()

            for i, item in enumerate(found):
                # a problem found on the walk (a looping folder link) is known by the link itself
                keys.append(os.path.abspath(item.path) if item.problem else _key(item.path))
                if item.problem is not None:
                    outcome = IngestOutcome(str(item.path), item.status, reason=item.problem)
                else:
                    prepared = _prepare(item.path, keys[i], parse, notes, by_path, by_sha)
                    if isinstance(prepared, _Pending):
                        pending.append((i, prepared))
                        if prepared.report is not None:
                            by_path[prepared.path] = prepared.sha256
                            by_sha[prepared.sha256] = prepared.path
                        outcome = prepared.outcome
                    else:
                        outcome = prepared
                outcomes.append(outcome)
                unrecorded.append(i)
                if progress is not None:
                    progress(i + 1, len(found), outcome)
                if strict and outcome.status == "failed":
                    break
                if sum(1 for _, p in pending if p.report is not None) >= every:
                    flush()
            flush()
    return IngestSummary(tuple(outcomes))


def _prepare(
    path: Path, key: str, parse: Parser, notes: dict[str, str], by_path: dict[str, str], by_sha: dict[str, str]
) -> _Pending | IngestOutcome:
    """Decide what one file needs: an outcome now, or a write at the next commit."""
    problem = _check_file(path)
    if problem is not None:
        return IngestOutcome(str(path), "failed", reason=problem)
    try:
        fp = _fingerprint(path)
    except OSError as exc:
        return IngestOutcome(str(path), "failed", reason=_reason(path, exc))
    sha = fp.sha256
    foreign = _foreign_format(path, fp.head)
    if foreign is not None:
        return IngestOutcome(str(path), "failed", reason=foreign, sha256=sha)
    old_sha = by_path.get(key)
    if old_sha == sha:
        return IngestOutcome(str(path), "unchanged", sha256=sha)
    other = by_sha.get(sha)
    if other is not None and other != key:
        outcome = IngestOutcome(str(path), "duplicate", reason=f"same content as {other}", sha256=sha)
        if old_sha is not None:  # this path held other content before: drop it
            return _Pending(key, sha, None, outcome, replaces=True)
        return outcome
    try:
        report = parse(path)
    except Exception as exc:  # one bad file must not stop the run
        return IngestOutcome(str(path), "failed", reason=_reason(path, exc), sha256=sha)
    status = "replaced" if old_sha is not None else "indexed"
    sections = len(report.sections) + sum(len(p.sections) for p in report.parts)
    note = notes.pop(str(path), None) or _note(path, fp)
    outcome = IngestOutcome(str(path), status, reason=note, report_id=report.id, sha256=sha, sections=sections)
    return _Pending(key, sha, report, outcome, replaces=old_sha is not None)


def _write(ix, pending: list[tuple[int, _Pending]]) -> dict[int, IngestOutcome]:
    """Commit the pending papers together; if that fails, one by one, failing only the bad ones.

    Returns the outcomes that changed (to ``failed``). An unusable index
    (locked, unreadable) is not one paper's fault: that error propagates.
    """
    if not pending:
        return {}
    try:
        _commit(ix, [p for _, p in pending])
        return {}
    except IndexError_:
        raise
    except Exception:
        pass
    failed: dict[int, IngestOutcome] = {}
    for i, p in pending:
        try:
            _commit(ix, [p])
        except IndexError_:
            raise
        except Exception as exc:
            failed[i] = replace(p.outcome, status="failed", reason=_reason(p.outcome.path, exc), sections=0)
    return failed


def _commit(ix, items: list[_Pending]) -> None:
    with ix.batch() as b:
        for p in items:
            if p.replaces:
                b.remove_path(p.path)
            if p.report is not None:
                b.add_report(p.report, path=p.path, sha256=p.sha256)
