"""Parse a document's lines into its layout: header fields, sections, recommendations, doc type.

The second layer of ``read_lines`` -> ``parse_sections`` -> ``parse_file``: no
enrichment (council lending, periods, entities), which is :mod:`pipeline.enrich`'s.
"""

from __future__ import annotations

from pathlib import PurePath

from pipeline.model import Document, Layout
from pipeline.parse.decisions import with_decisions
from pipeline.parse.doctype import doc_type_of
from pipeline.parse.furniture import strip_furniture
from pipeline.parse.packs import parse_pack
from pipeline.parse.report import parse_report_lines


def parse_sections(doc: Document) -> Layout:
    """Header fields, sections and recommendations of one document (no enrichment)."""
    lines = strip_furniture(doc.lines)
    doc_type = doc_type_of(lines, PurePath(doc.source.path).stem)
    layout = parse_pack(doc, lines) if doc_type == "agenda_pack" else parse_report_lines(doc, lines, doc_type)
    return with_decisions(layout, lines)


__all__ = ["parse_sections"]
