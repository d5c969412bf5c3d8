"""Agenda packs: a public document pack split into its component reports.

A pack holds an agenda, previous minutes and several committee reports, each
with its own header. ``parse_pack`` returns the pack's own layout (agenda
items as sections, the meeting's committee and date) with one part per report,
each parsed as a report of its own with the pack as its source.
"""

from __future__ import annotations

from typing import Sequence

from pipeline.types import Document, Layout, Line


def parse_pack(doc: Document, lines: Sequence[Line]) -> Layout:
    """The pack's layout; ``parts`` hold its component reports (none found yet)."""
    return Layout(
        document=doc,
        fields={},
        provenance={},
        sections=(),
        recommendations=(),
        recommendation_leadin=None,
        doc_type="agenda_pack",
    )
