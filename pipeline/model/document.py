"""What a reader gives: a document's lines with their layout, and where a value was read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A run of words on one line that belongs together (a table cell, a bold label).

    A reader splits a line into spans at wide horizontal gaps (PDF) or tabs
    (text), and at changes between bold and regular type.
    """

    text: str
    x0: float
    x1: float
    bold: bool = False
    italic: bool = False
    size: float = 0.0


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line of a document, with its layout.

    For text and markdown files, ``x0`` is the indentation in characters,
    ``size`` is 0.0 (unknown) and ``md_level`` carries a markdown ``#`` level.
    """

    text: str
    page: int  # 1-based
    line_no: int  # 1-based within the document
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    italic: bool = False
    spans: tuple[Span, ...] = ()
    md_level: int = 0
    page_width: float = 0.0
    page_height: float = 0.0


@dataclass(frozen=True, slots=True)
class Source:
    path: str
    sha256: str
    format: str  # "pdf" | "text" | "markdown"
    pages: int
    size_bytes: int = 0


@dataclass(frozen=True, slots=True)
class Document:
    """What a reader returns: the source and its lines in reading order."""

    source: Source
    lines: tuple[Line, ...]
    body_size: float = 0.0  # the commonest font size (0.0 when unknown)


#: Where a value can come from: read in the paper itself, or given by the council's website
#: (the sidecar ``<file>.meta.json`` that ``boardpapers fetch`` writes beside a paper).
PROVENANCE_SOURCES: tuple[str, ...] = ("paper", "website")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a value was read: 1-based page and line number in the source.

    ``source`` "website": the value came from the council's website, not from a
    line of the paper (page and line are then 0).

    ``page`` counts the file's pages; ``printed_page`` is the number printed on
    that page (an agenda pack's "Page 153"), the page a reader cites, when the
    paper numbers its pages.
    """

    page: int
    line: int
    source: str = "paper"  # one of PROVENANCE_SOURCES
    printed_page: int | None = None
