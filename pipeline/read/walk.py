"""Folders into the paper files inside them: the one folder walker.

Sorted, hidden files and folders skipped, symlinked folders followed once; a
link back to a folder already searched (a loop) is reported, not followed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.config import SUPPORTED_EXTENSIONS

_ESCAPED_BYTE = re.compile(
    r"""
    \\x(?P<hex>[89a-f][0-9a-f])   # \xe9: a byte 0x80-0xFF of a file name that is not UTF-8
    """,
    re.VERBOSE,
)


def storable_path(path: str) -> str:
    """A path as text that any store takes (SQLite, the index engines, JSON): a name whose bytes
    are not UTF-8 (Python holds them as surrogate escapes, ``caf\\udce9.txt``) gets each such byte
    as ``\\xe9`` (``caf\\xe9.txt``, as it is shown too); any other path is unchanged.

    :func:`real_path` turns it back (a name that really holds the text ``\\x80``-``\\xff`` and
    a byte that is not UTF-8 is the one case it cannot tell apart).
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def real_path(stored: str) -> str:
    """The file's name again, as Python opens it, from :func:`storable_path`'s text."""
    if "\\x" not in stored:
        return stored
    raw = _ESCAPED_BYTE.sub(lambda m: chr(0xDC00 + int(m["hex"], 16)), stored)
    return os.fsdecode(raw.encode("utf-8", "surrogateescape")) if raw != stored else stored


@dataclass(frozen=True, slots=True)
class Found:
    """A path from the folder walk; ``problem`` set: report it as ``status`` without reading."""

    path: Path
    problem: str | None = None
    status: str = "failed"


def _walk(top: Path, seen: dict[tuple[int, int], Path]) -> Iterator[Found]:
    """A folder's papers, then its sub-folders' (sorted, hidden skipped, symlinks followed once)."""
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError as exc:
        yield Found(top, f"{top}: cannot list the folder: {exc.strerror or exc}")
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
        elif Path(entry.name).suffix.lower() in SUPPORTED_EXTENSIONS:
            yield Found(Path(entry.path))
    for folder in folders:
        yield from _folder(folder, seen)


def _folder(folder: Path, seen: dict[tuple[int, int], Path]) -> Iterator[Found]:
    try:
        st = os.stat(folder)
    except OSError as exc:
        yield Found(folder, f"{folder}: cannot open the folder: {exc.strerror or exc}")
        return
    key = (st.st_dev, st.st_ino)
    first = seen.get(key)
    if first is not None:
        if _is_within(folder.parent, first):
            yield Found(folder, f"{folder}: symlink loop: it leads back to {first}, already searched")
        else:
            yield Found(folder, f"same folder as {first} (a symlink to it): already searched", status="duplicate")
        return
    seen[key] = folder
    yield from _walk(folder, seen)


def _is_within(path: Path, ancestor: Path) -> bool:
    try:
        real, top = os.path.realpath(path), os.path.realpath(ancestor)
    except OSError:
        return False
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def scan_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Found]:
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
            yield Found(p)


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named, and the papers in folders named (recursively, sorted, hidden skipped).

    Symlinked folders are followed once: a link back to a folder already
    searched (a loop) is yielded too, for ingest to report.
    """
    for found in scan_paths(paths):
        yield found.path


def iter_paper_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """The papers to read: files named, and the papers in folders named (no loops, no hidden files)."""
    for found in scan_paths(paths):
        if found.problem is None:
            yield found.path
