"""boardpapers: UK council board papers into structured records and a searchable archive.

The layered API (each public and testable)::

    from pipeline import read_lines, parse_sections, parse_file
    doc = read_lines("corpus/pdf/000_6c94f2351dffe329.pdf")   # lines with layout
    layout = parse_sections(doc)                              # header fields, sections
    report = parse_file("corpus/pdf/000_6c94f2351dffe329.pdf")  # the full record

Heavy engines (pdfplumber, spaCy, Whoosh, dateparser) are imported lazily.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import VERSION as __version__

_LAZY = {
    "read_lines": ("pipeline.read", "read_lines"),
    "parse_sections": ("pipeline.parse", "parse_sections"),
    "parse_file": ("pipeline.enrich", "parse_file"),
    "parse_document": ("pipeline.enrich", "parse_document"),
    "open_archive": ("pipeline.output.archive", "open_archive"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(name)
