"""The project's own error types: every failure a user can cause is one of these."""

from __future__ import annotations


class BoardpapersError(Exception):
    """Base class: a message fit to show a user, naming the file and the reason."""


class ReadError(BoardpapersError):
    """A file could not be read (empty, truncated, encrypted, not a paper...)."""

    def __init__(self, path: str, reason: str, *, hint: str | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.hint = hint
        super().__init__(f"{path}: {reason}" + (f" ({hint})" if hint else ""))


class NeedsOCR(ReadError):
    """The PDF has no text layer: it is a scan that needs OCR."""


class DamagedPDF(ReadError):
    """A PDF library could not read (part of) the file: the other PDF engine may still read it."""


class UnsupportedFormat(ReadError):
    """No reader handles this file's content."""


class QueryError(BoardpapersError):
    """A malformed search query; ``position`` points at the problem when known."""

    def __init__(self, message: str, *, query: str = "", position: int | None = None) -> None:
        self.query = query
        self.position = position
        super().__init__(message)


class SearchIndexError(BoardpapersError):
    """The on-disk index is missing, locked or unusable."""


class NoIndex(SearchIndexError):
    """The folder holds no index (yet)."""


class IndexLocked(SearchIndexError):
    """Another process holds the index's write lock."""
