"""The documents a report is indexed as, whichever engine stores them, and a hit read back from one.

Documents (``doc_kind``):

* ``section`` -- one per report section, with the report's fields copied on:
  what searches match. ``content`` holds the section title and text (stored,
  with positions, for phrases and snippets).
* ``recommendation`` -- one per numbered recommendation (``trace``).
* ``report`` -- one per report, holding the whole record as stored JSON so
  ``show``/``stats``/rebuilds work from the index alone.

An agenda pack's parts (``Report.parts``) are indexed as reports of their own
(:func:`flatten`). Each engine turns these dicts into its own documents.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from pipeline.model import Hit, Report, report_to_dict

#: Section kind whose text also goes to the weighted ``recs`` field.
RECOMMENDATIONS_KIND = "recommendations"
#: The kinds of document in the index.
DOC_KINDS: tuple[str, ...] = ("report", "section", "recommendation")


def as_datetime(d: _dt.date | None) -> _dt.datetime | None:
    """A date as the datetime at its midnight (what a date field holds)."""
    return None if d is None else _dt.datetime(d.year, d.month, d.day)


def section_content(title: str, text: str) -> str:
    """The searchable text of a section: its title, then its text (without repeating the title)."""
    title, text = (title or "").strip(), (text or "").strip()
    if not title or text.lower().startswith(title.lower()):
        return text
    return f"{title}\n{text}"


def flatten(report: Report) -> list[Report]:
    """A report and the parts of an agenda pack, each indexed as its own report."""
    out = [report]
    for part in report.parts:
        out.extend(flatten(part))
    return out


def documents(report: Report, path: str, sha256: str) -> list[dict[str, Any]]:
    """The index documents for one report (not its parts), as field -> value dicts."""
    period = report.period
    common: dict[str, Any] = {
        "report_id": report.id,
        "parent_id": report.parent_id or "",
        "path": path,
        "sha256": sha256,
        "council": report.council or "",
        "committee": report.committee or "",
        "officer": report.reporting_officer or "",
        "subject": report.subject or "",
        "fy": period.fiscal_year if period else "",
        "quarter": period.key if period and period.quarter else "",
        "period": period.key if period else None,
        "doc_type": report.doc_type,
    }
    if report.meeting_date is not None:
        common["meeting_date"] = as_datetime(report.meeting_date)
    # A stored record of a part carries no copy of the pack; the pack's carries its parts.
    docs = [dict(common, key=report.id, doc_kind="report", record=json.dumps(report_to_dict(report)))]
    for i, s in enumerate(report.sections):
        content = section_content(s.title, s.text)
        doc = dict(
            common,
            key=f"{report.id}#s{i}",
            doc_kind="section",
            kind=s.kind,
            number=s.number,
            title=s.title or "",
            page=s.page,
            section_index=i,
            content=content,
            words=content,
        )
        if s.kind == RECOMMENDATIONS_KIND:
            doc["recs"] = content
        docs.append(doc)
    for r in report.recommendations:
        docs.append(
            dict(
                common,
                key=f"{report.id}#r{r.number}",
                doc_kind="recommendation",
                kind="recommendation",
                number=r.label or str(r.number),
                title="",
                page=r.page,
                section_index=r.number,
                content=r.text,
                words=r.text,
            )
        )
    return docs


def hit(stored: dict[str, Any], score: float, snippet: str, *, text: bool = False) -> Hit:
    """A stored document (as :func:`documents` wrote it) as a hit; with ``text``, carrying its ``content``."""
    md = stored.get("meeting_date")
    return Hit(
        report_id=stored["report_id"],
        path=stored["path"],
        section_index=stored.get("section_index", 0),
        section_number=stored.get("number"),
        section_title=stored.get("title") or "",
        section_kind=stored.get("kind") or "",
        page=stored.get("page") or 0,
        meeting_date=md.date() if isinstance(md, _dt.datetime) else md,
        committee=stored.get("committee") or None,
        officer=stored.get("officer") or None,
        subject=stored.get("subject") or None,
        council=stored.get("council") or None,
        period=stored.get("period"),
        score=round(float(score), 4),
        snippet=snippet,
        text=(stored.get("content") or "") if text else "",
    )
