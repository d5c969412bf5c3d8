"""What a council's website says about a paper: the sidecar ``<file>.meta.json``.

``boardpapers fetch`` writes one beside every paper it downloads (the council,
committee, meeting, agenda item, document title, attachment id, URL,
publication date, size and sha256). Ingest reads it (:func:`with_sidecar`):
the committee, meeting date and reference fill the record when the paper
itself is silent, with a ``website`` provenance; when the paper and the
website disagree the record keeps the paper's value and gets a
``metadata_conflict`` warning.

This module sits low in the package (it needs only the records of
:mod:`pipeline.model`) so that ingest can read sidecars without importing the
fetcher, which sits above ingest.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.model import Provenance, Report, ReportWarning

#: A paper's sidecar is its file name plus this suffix (``item.pdf`` -> ``item.pdf.meta.json``).
SIDECAR_SUFFIX = ".meta.json"
#: The version of the sidecar's JSON layout, written as its ``format`` key.
SIDECAR_FORMAT = 1
#: The provenance of a value given by the website (no page or line of the paper).
WEBSITE = Provenance(0, 0, "website")
#: The warning a paper and its website's metadata raise when they disagree.
CONFLICT = "metadata_conflict"
#: The warning for a sidecar that could not be read (the paper is ingested without it).
UNREADABLE = "sidecar_unreadable"
#: Paper types that carry a reference (an agenda item number); minutes and packs do not.
REFERENCED_TYPES: frozenset[str] = frozenset({"report", "appendix"})
#: Committee-name abbreviations spelled out before comparing a paper's committee with the website's.
COMMITTEE_ABBREVIATIONS: Mapping[str, str] = {
    "ppb": "policy and performance board",
    "cttee": "committee",
    "cttee.": "committee",
}
#: Words that do not tell two committee names apart.
COMMITTEE_FILLER: frozenset[str] = frozenset({"the", "of", "and", "for"})

#: A reference that is an agenda item number, so comparable with the website's item number.
_ITEM_NUMBER = re.compile(
    r"""^\s*
    (?:agenda\s+)?(?:item\s*)?(?:no\.?\s*)?   # "Agenda item", "Item", "Item No." before the number
    (?P<number>\d{1,3}(?:[.(]?[a-z0-9]{1,2}\)?)?)   # 5, 5a, 5.1, 5(a)
    \.?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
#: What separates the words of a committee name.
_NAME_SEPARATORS = re.compile(r"[\s,;:/()\-–—'’]+")


@dataclass(frozen=True, slots=True)
class PaperMeta:
    """What the council's website says about one downloaded document."""

    council: str  # the site's short name (``halton``), as in the download folder
    committee: str
    committee_id: str
    meeting_date: _dt.date
    meeting_id: str
    item_number: str  # the agenda item number as displayed ("5", "5a"); "" for a meeting's own papers
    item_title: str
    title: str  # the document's title on the website
    attachment_id: str
    url: str
    publication_date: _dt.date | None
    sha256: str
    size: int
    platform: str = "moderngov"
    site: str = ""  # the site's base URL
    pack: str | None = None  # "reports_pack" | "minutes_pack" | "supplement" for a pack of papers
    fetched_at: str = ""  # UTC time of the download (ISO 8601)


class SidecarError(ValueError):
    """A sidecar that is not valid JSON or lacks a field."""


def sidecar_path(paper: str | os.PathLike[str]) -> Path:
    """The sidecar of ``paper`` (which may not exist)."""
    p = Path(paper)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def meta_to_dict(meta: PaperMeta) -> dict[str, Any]:
    out: dict[str, Any] = {"format": SIDECAR_FORMAT}
    for f in dataclasses.fields(meta):
        value = getattr(meta, f.name)
        out[f.name] = value.isoformat() if isinstance(value, _dt.date) else value
    return out


def meta_from_dict(data: Mapping[str, Any]) -> PaperMeta:
    """Inverse of :func:`meta_to_dict`; raises :class:`SidecarError` for a missing or bad field."""
    try:
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(PaperMeta):
            if f.name not in data:
                if f.default is dataclasses.MISSING:
                    raise SidecarError(f"no {f.name!r}")
                continue
            value = data[f.name]
            if f.name in ("meeting_date", "publication_date"):
                value = _dt.date.fromisoformat(value) if value else None
            kwargs[f.name] = value
        if kwargs["meeting_date"] is None:
            raise SidecarError("no meeting date")
        return PaperMeta(**kwargs)
    except (TypeError, ValueError) as exc:
        raise SidecarError(str(exc)) from None


def write_sidecar(paper: str | os.PathLike[str], meta: PaperMeta) -> Path:
    """Write ``paper``'s sidecar, whole or not at all (a temporary file renamed into place)."""
    path = sidecar_path(paper)
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(meta_to_dict(meta), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(part, path)
    return path


def read_sidecar(paper: str | os.PathLike[str]) -> PaperMeta | None:
    """``paper``'s sidecar, or None when it has none; raises :class:`SidecarError` for a broken one."""
    path = sidecar_path(paper)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SidecarError(f"cannot read {path.name}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SidecarError(f"{path.name} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SidecarError(f"{path.name} is not a JSON object")
    return meta_from_dict(data)


# ---------------------------------------------------------------- onto the record


def with_sidecar(paper: str | os.PathLike[str], report: Report) -> Report:
    """``report`` (parsed from ``paper``) with what its sidecar adds, if it has one."""
    try:
        meta = read_sidecar(paper)
    except SidecarError as exc:
        return _warn(report, UNREADABLE, f"the website's metadata was not used: {exc}")
    return report if meta is None else apply_meta(report, meta)


def apply_meta(report: Report, meta: PaperMeta) -> Report:
    """Fill the committee, meeting date and reference the paper is silent on; warn where they disagree.

    A sidecar written for other content (its sha256 is not the file's) is not used.
    The component reports of an agenda pack are filled too (their conflicts are the pack's).
    """
    if meta.sha256 and report.source.sha256 and meta.sha256 != report.source.sha256:
        return _warn(
            report,
            CONFLICT,
            f"the website's metadata describes other content (sha256 {meta.sha256[:12]}...), not this file: not used",
        )
    merged, problems = _fill(report, meta)
    parts = tuple(_fill(p, meta)[0] for p in merged.parts)
    warnings = merged.warnings + tuple(problems)
    return replace(merged, parts=parts, warnings=warnings)


def _fill(report: Report, meta: PaperMeta) -> tuple[Report, list[ReportWarning]]:
    site: dict[str, Any] = {"committee": meta.committee or None}
    if report.doc_type != "minutes" or meta.pack == "minutes_pack":
        # Minutes are published under the next meeting's "Minutes" item: that meeting approves
        # them, it is not the meeting they record (a meeting's own printed minutes are).
        site["meeting_date"] = meta.meeting_date
    if report.doc_type in REFERENCED_TYPES and meta.item_number and not meta.pack:
        site["reference"] = meta.item_number
    changes: dict[str, Any] = {}
    provenance = dict(report.provenance)
    problems: list[ReportWarning] = []
    for name, value in site.items():
        if value is None:
            continue
        ours = getattr(report, name)
        if ours is None:
            changes[name] = value
            provenance[name] = WEBSITE
        elif not _agree(name, ours, value):
            where = report.provenance.get(name)
            shown = ours.isoformat() if isinstance(ours, _dt.date) else ours
            theirs = value.isoformat() if isinstance(value, _dt.date) else value
            problems.append(
                ReportWarning(
                    CONFLICT,
                    f"{name}: the paper says {shown!r}, the website {theirs!r}",
                    where.page if where and where.page else None,
                )
            )
    if changes:
        report = replace(report, provenance=provenance, **changes)
    return report, problems


def _agree(name: str, ours: Any, theirs: Any) -> bool:
    if name == "committee":
        a, b = committee_words(str(ours)), committee_words(str(theirs))
        # A committee renamed since ("Children and Young People PPB" -> "Children, Young People and
        # Families Policy and Performance Board"): the website shows today's name for old meetings.
        return bool(a and b) and (a <= b or b <= a)
    if name == "reference":
        m = _ITEM_NUMBER.match(str(ours))
        # A report's own reference ("24/00109") is not an agenda item number: nothing to compare.
        return m is None or _item_key(m["number"]) == _item_key(str(theirs))
    return bool(ours == theirs)


def committee_words(name: str) -> frozenset[str]:
    """The words that name a committee, abbreviations spelled out (``&`` is "and")."""
    words: list[str] = []
    for word in _NAME_SEPARATORS.split(name.casefold().replace("&", " and ")):
        words.extend(COMMITTEE_ABBREVIATIONS.get(word, word).split())
    return frozenset(w.strip(".") for w in words if w.strip(".") and w not in COMMITTEE_FILLER)


def _item_key(number: str) -> str:
    return re.sub(r"[^0-9a-z]", "", number.casefold())


def _warn(report: Report, code: str, message: str) -> Report:
    return replace(report, warnings=report.warnings + (ReportWarning(code, message),))
