"""Councils lent between papers: a paper that names no council takes it from papers to the same committee."""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Callable, Iterable, Iterator, Sequence

from pipeline.model import (
    Report,
)


def committee_key(committee: str | None) -> str | None:
    """A committee's name compared across papers: case and punctuation folded, "&" = "and"."""
    if not committee:
        return None
    t = committee.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", t).strip() or None


def council_lender(
    named: Iterable[tuple[str | None, str, str]],
) -> Callable[[str | None, str], str | None]:
    """The rule by which a paper that names no council borrows one from its siblings.

    ``named`` holds ``(committee, folder, council)`` for every paper that names
    its council itself (a ``council`` provenance, not a borrowed one). The
    returned function gives, for a committee and a folder, the council named by
    papers to that committee (compared by :func:`committee_key`) in the same
    folder when there is exactly one, else the only one named anywhere, else
    None: a committee name several councils share ("Cabinet") lends nothing.
    Used by :func:`fill_from_siblings` (a parsed batch) and by
    :func:`pipeline.ingest.fill_councils` (the whole index).
    """
    anywhere: dict[str, set[str]] = {}
    here: dict[tuple[str, str], set[str]] = {}
    for committee, folder, council in named:
        key = committee_key(committee)
        if key:
            anywhere.setdefault(key, set()).add(council)
            here.setdefault((folder, key), set()).add(council)

    def lent(committee: str | None, folder: str) -> str | None:
        key = committee_key(committee)
        if not key:
            return None
        for councils in (here.get((folder, key)), anywhere.get(key)):
            if councils:
                return next(iter(councils)) if len(councils) == 1 else None
        return None

    return lent


def _with_parts(reports: Iterable[Report]) -> Iterator[Report]:
    """Each report, then its component reports (a pack's parts), depth first."""
    for r in reports:
        yield r
        yield from _with_parts(r.parts)


def fill_from_siblings(reports: Sequence[Report]) -> list[Report]:
    """Papers that do not name their council take it from papers to the same committee.

    A batch from one archive shares its committees: "Children and Young People
    Policy and Performance Board" names the council in one paper and not in
    another. The rule is ingest's (:func:`pipeline.ingest.fill_councils`): only
    councils a paper names count (those with a ``council`` provenance, not
    borrowed ones); the council is lent when it is the only one named by papers
    to that committee in the same folder, else the only one in the whole batch;
    a committee name several councils share ("Cabinet") lends nothing. A pack's
    component reports lend and borrow as papers do. The borrowed council gets
    no provenance: no line of the paper names it.
    """
    lent = council_lender(
        (r.committee, os.path.dirname(r.source.path), r.council)
        for r in _with_parts(reports)
        if r.council and "council" in r.provenance
    )

    def filled(r: Report) -> Report:
        parts = tuple(filled(p) for p in r.parts)
        council = r.council or lent(r.committee, os.path.dirname(r.source.path))
        if council == r.council and all(a is b for a, b in zip(parts, r.parts)):
            return r
        return dataclasses.replace(r, council=council, parts=parts)

    return [filled(r) for r in reports]
