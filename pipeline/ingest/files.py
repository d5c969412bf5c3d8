"""What can be told of a file before it is parsed: its fingerprint, why it can't be a paper, a note on how it reads.

A file is identified by its resolved path (:func:`identity`) and its content by
sha256 (:func:`fingerprint`, which reads it once for the hash, its leading
bytes and whether it is UTF-8). :func:`examine` turns a path into a
:class:`Job` to parse, or the outcome of a file that can't be a paper, named
in one line (:func:`reason`).
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.errors import BoardpapersError
from pipeline.model import IngestOutcome
from pipeline.read.walk import storable_path

#: Bytes read at a time when hashing a file.
HASH_CHUNK = 1 << 20
#: Leading bytes kept to tell what a file is.
HEAD_BYTES = 2048
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


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What one read of a file tells: its content hash, leading bytes, and whether it is UTF-8."""

    sha256: str
    head: bytes
    utf8: bool  # the whole file decodes as UTF-8


@dataclass(frozen=True, slots=True)
class Job:
    """A file to parse, with what was learnt of it before parsing."""

    index: int  # its place among the files found
    path: Path
    key: str  # its identity in the index (see identity)
    fp: Fingerprint
    old_sha: str | None = None  # the content indexed from this path before, if any


def file_sha256(path: Path) -> str:
    """The sha256 of a file's content (hex)."""
    return fingerprint(path).sha256


def fingerprint(path: Path) -> Fingerprint:
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
    return Fingerprint(h.hexdigest(), head, utf8)


def identity(path: Path) -> str:
    """A file's identity: its resolved path (absolute, when a symlink loop can't be resolved), storable."""
    try:
        return storable_path(str(path.resolve()))
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return storable_path(os.path.abspath(path))


def reason(path: Path | str, exc: BaseException) -> str:
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


def reading_note(path: Path, fp: Fingerprint) -> str | None:
    """How a readable file was read, when that's worth knowing."""
    is_pdf = fp.head.lstrip()[:5] == b"%PDF-"
    if is_pdf and path.suffix.lower() != ".pdf":
        return f"PDF content under a {path.suffix or 'suffix-less'} name: read as PDF"
    if not is_pdf and not fp.utf8:
        from pipeline.read.text import encoding_note

        return encoding_note(path)
    return None


def is_pdf(path: Path) -> bool:
    """Whether the file's content is a PDF (whatever its name)."""
    with open(path, "rb") as f:
        return f.read(HEAD_BYTES).lstrip()[:5] == b"%PDF-"


def examine(i: int, path: Path, file_key: str) -> Job | IngestOutcome:
    """What can be told of a file before the index is asked: a failure, or its fingerprint."""
    problem = _check_file(path)
    if problem is not None:
        return IngestOutcome(str(path), "failed", reason=problem)
    try:
        fp = fingerprint(path)
    except OSError as exc:
        return IngestOutcome(str(path), "failed", reason=reason(path, exc))
    foreign = _foreign_format(path, fp.head)
    if foreign is not None:
        return IngestOutcome(str(path), "failed", reason=foreign, sha256=fp.sha256)
    return Job(i, path, file_key, fp)
