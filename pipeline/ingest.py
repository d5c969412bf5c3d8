"""Ingest papers into the index: expand folders, parse each file, index it.

A bad file never stops the run: its parse error (or any exception) becomes a
``failed`` outcome naming the file, and nothing already indexed is lost.
Files are identified by content hash:

* ``indexed``   -- new file, added;
* ``unchanged`` -- same path, same sha256: nothing to do (not even parsed);
* ``replaced``  -- same path, new content: its old documents are replaced;
* ``duplicate`` -- the same content is already indexed under another path: skipped;
* ``failed``    -- could not be read, parsed or indexed (``reason`` says why).

Writes are batched: one commit per :data:`COMMIT_EVERY` parsed papers, so a
crash loses at most the papers parsed since the last commit.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pipeline.errors import BoardpapersError, IndexError_
from pipeline.types import IngestOutcome, IngestSummary, Report

#: File suffixes a folder is searched for (a file named explicitly is always tried).
SUPPORTED_SUFFIXES: tuple[str, ...] = (".pdf", ".txt", ".md", ".markdown")
#: Papers parsed between commits.
COMMIT_EVERY = 20
#: Bytes read at a time when hashing a file.
HASH_CHUNK = 1 << 20

#: ``progress(done, total, outcome)`` is called after each file.
Progress = Callable[[int, int, IngestOutcome], None]
#: Turns a file into its record (``pipeline.parse.parse_file`` by default).
Parser = Callable[[Path], Report]


@dataclass(frozen=True, slots=True)
class _Pending:
    """A parsed paper waiting for the next commit."""

    path: str  # the file's resolved path: its identity in the index
    sha256: str
    report: Report | None  # None: only remove what was indexed from ``path``
    outcome: IngestOutcome
    replaces: bool  # remove the documents indexed from ``path`` first


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named, and the papers in folders named (recursively, sorted, hidden skipped)."""
    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            yield p
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                    yield Path(root) / name


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _reason(path: Path | str, exc: BaseException) -> str:
    """One line naming the file and what went wrong."""
    if isinstance(exc, BoardpapersError):
        text = str(exc)
        text = text if str(path) in text else f"{path}: {text}"
    elif isinstance(exc, OSError):
        text = f"{path}: {exc.strerror or exc}"
    else:
        text = f"{path}: {type(exc).__name__}: {exc}"
    return " ".join(text.split())


def _default_parser() -> Parser:
    from pipeline.parse import parse_file

    return parse_file


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    parser: Parser | None = None,
) -> IngestSummary:
    """Parse and index every paper named (folders expanded); one outcome per file, in order."""
    from pipeline.index import open_index

    files = list(expand_paths(paths))
    parse = parser or _default_parser()
    outcomes: dict[int, IngestOutcome] = {}
    with open_index(index_dir, create=True) as ix:
        by_path = ix.files()  # path -> sha256, committed
        by_sha = {sha: path for path, sha in by_path.items()}
        pending: list[tuple[int, _Pending]] = []

        def flush() -> None:
            for i, outcome in _write(ix, pending).items():
                outcomes[i] = outcome
            pending.clear()

        for i, path in enumerate(files):
            item = _prepare(path, parse, by_path, by_sha)
            if isinstance(item, _Pending):
                pending.append((i, item))
                if item.report is not None:
                    by_path[item.path] = item.sha256
                    by_sha[item.sha256] = item.path
                outcome = item.outcome
            else:
                outcome = item
            outcomes[i] = outcome
            if progress is not None:
                progress(i + 1, len(files), outcome)
            if sum(1 for _, p in pending if p.report is not None) >= COMMIT_EVERY:
                flush()
        if pending:
            flush()
    return IngestSummary(tuple(outcomes[i] for i in range(len(files))))


def _prepare(
    path: Path, parse: Parser, by_path: dict[str, str], by_sha: dict[str, str]
) -> _Pending | IngestOutcome:
    """Decide what one file needs: an outcome now, or a write at the next commit."""
    key = str(path.resolve())
    try:
        if not path.is_file():
            reason = "no such file" if not path.exists() else "not a regular file"
            return IngestOutcome(str(path), "failed", reason=f"{path}: {reason}")
        sha = file_sha256(path)
    except OSError as exc:
        return IngestOutcome(str(path), "failed", reason=_reason(path, exc))
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
    outcome = IngestOutcome(str(path), status, report_id=report.id, sha256=sha, sections=sections)
    return _Pending(key, sha, report, outcome, replaces=old_sha is not None)


def _write(ix, pending: list[tuple[int, _Pending]]) -> dict[int, IngestOutcome]:
    """Commit the pending papers together; if that fails, one by one, failing only the bad ones.

    Returns the outcomes that changed (to ``failed``). An unusable index
    (locked, unreadable) is not one paper's fault: that error propagates.
    """
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
