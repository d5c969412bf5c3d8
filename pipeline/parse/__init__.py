"""Parse a document's lines into its layout: header fields, sections, recommendations, doc type.

The second layer of ``read_lines`` -> ``parse_sections`` -> ``parse_file``: no
enrichment (council lending, periods, entities), which is :mod:`pipeline.enrich`'s.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath
from typing import Mapping

from pipeline.model import Document, Layout
from pipeline.parse.decisions import with_decisions
from pipeline.parse.doctype import doc_type_of
from pipeline.parse.furniture import printed_pages, strip_furniture
from pipeline.parse.packs import parse_pack
from pipeline.parse.report import parse_report_lines
from pipeline.parse.structure import repair_lines


def parse_sections(doc: Document) -> Layout:
    """Header fields, sections and recommendations of one document (no enrichment)."""
    lines = repair_lines(strip_furniture(doc.lines))
    doc_type = doc_type_of(lines, PurePath(doc.source.path).stem)
    if doc_type == "agenda_pack":
        layout = parse_pack(doc, lines)
    else:
        layout = parse_report_lines(doc, lines, doc_type)
    layout = with_decisions(layout, lines)
    printed = printed_pages(doc.lines)
    return with_printed_pages(layout, printed) if printed else layout


def with_printed_pages(layout: Layout, printed: Mapping[int, int]) -> Layout:
    """Every page a layout cites (fields, sections, recommendations, parts) given its printed number too."""
    return dataclasses.replace(
        layout,
        header=dataclasses.replace(
            layout.header,
            provenance={
                k: dataclasses.replace(v, printed_page=printed.get(v.page)) for k, v in layout.provenance.items()
            },
        ),
        sections=tuple(dataclasses.replace(s, printed_page=printed.get(s.page)) for s in layout.sections),
        recommendations=tuple(dataclasses.replace(r, printed_page=printed.get(r.page)) for r in layout.recommendations),
        parts=tuple(with_printed_pages(p, printed) for p in layout.parts),
        printed_pages=dict(printed),
    )


__all__ = ["parse_sections"]
