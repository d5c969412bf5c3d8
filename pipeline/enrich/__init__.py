"""Enrich a layout into the full record: council, financial period, entities, warnings.

The third layer of ``read_lines`` -> ``parse_sections`` -> ``parse_file``.
"""

from __future__ import annotations

from pipeline.enrich.report import (
    parse_document,
    parse_file,
    parse_paths,
    report_from_layout,
    report_id,
)
from pipeline.enrich.siblings import committee_key, council_lender, fill_from_siblings

__all__ = [
    "committee_key",
    "council_lender",
    "fill_from_siblings",
    "parse_document",
    "parse_file",
    "parse_paths",
    "report_from_layout",
    "report_id",
]
