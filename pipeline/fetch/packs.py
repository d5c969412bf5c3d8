"""Packs: one document that gathers a meeting's papers (the reports pack, the printed minutes).

A pack repeats the component reports published beside it, so it is marked in
its sidecar (``pack``) for the near-duplicate handling to prefer the
components. Recognised by the document's title on the website.
"""

from __future__ import annotations

import re

#: A title naming a pack -> the kind of pack, first match wins.
PACK_TITLES: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Supplementary agenda", "Supplement pack", "Supplementary reports pack"
    (re.compile(r"""\bsupplement(?:ary)?\s+(?:agenda|pack|reports?)\b""", re.VERBOSE | re.IGNORECASE), "supplement"),
    # "Public reports pack", "Agenda reports pack", "Reports pack 04th-Jun-2026", "Public document pack"
    (
        re.compile(r"""\b(?:public\s+|agenda\s+)?(?:reports?|document)\s+pack\b""", re.VERBOSE | re.IGNORECASE),
        "reports_pack",
    ),
    # "Agenda pack", "Agenda and reports"
    (re.compile(r"""\bagenda\s+(?:pack|and\s+reports)\b""", re.VERBOSE | re.IGNORECASE), "reports_pack"),
    # "Printed minutes", "Printed minutes 04th-Jun-2026 14.00 Improvement Committee"
    (re.compile(r"""\bprinted\s+minutes\b""", re.VERBOSE | re.IGNORECASE), "minutes_pack"),
)


def pack_kind(title: str) -> str | None:
    """``reports_pack`` | ``minutes_pack`` | ``supplement`` when ``title`` names a pack, else None."""
    for pattern, kind in PACK_TITLES:
        if pattern.search(title):
            return kind
    return None
