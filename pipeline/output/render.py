"""Rendering records for people (text) and for machines (row dicts for JSON Lines / CSV).

Text output may carry click styles; ``click.echo`` drops them when stdout is
not a terminal. Row dicts are plain JSON-able values.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

import click

from pipeline.model import DecisionLink, Hit, IndexStats, IngestOutcome, IngestSummary, SearchPage, TraceResult

# ---------------------------------------------------------------- search hits

#: Every column of a hit row, in order: a hit as a DataFrame (``Archive.search``/``similar``).
HIT_FRAME_COLUMNS: tuple[str, ...] = (
    "rank",
    "report_rank",
    "report_id",
    "section_index",
    "section_number",
    "section_title",
    "section_kind",
    "page",
    "line",
    "meeting_date",
    "committee",
    "officer",
    "council",
    "subject",
    "period",
    "score",
    "path",
    "snippet",
)
#: Columns a reader of ``search --csv`` doesn't need (kept in the DataFrame for joins).
FRAME_ONLY_COLUMNS: tuple[str, ...] = ("section_index", "council", "subject")
#: Columns of a hit row (``search --csv``), in order.
HIT_COLUMNS: tuple[str, ...] = tuple(c for c in HIT_FRAME_COLUMNS if c not in FRAME_ONLY_COLUMNS)
#: Matched words in snippets are wrapped in these (pipeline.index.MARK_OPEN/CLOSE).
MARK_OPEN, MARK_CLOSE = "[[", "]]"


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if rel.startswith("..") else rel


def styled_snippet(snippet: str) -> str:
    """A snippet with its [[marks]] shown in bold."""
    out, pos = [], 0
    while (start := snippet.find(MARK_OPEN, pos)) >= 0 and (end := snippet.find(MARK_CLOSE, start)) >= 0:
        out.append(snippet[pos:start])
        out.append(click.style(snippet[start + len(MARK_OPEN) : end], bold=True, fg="yellow"))
        pos = end + len(MARK_CLOSE)
    out.append(snippet[pos:])
    return "".join(out)


def section_label(hit: Hit) -> str:
    """``3.3 Specialist Services`` (number and title, whichever exist)."""
    return " ".join(x for x in (hit.section_number, hit.section_title) if x) or hit.section_kind


def hit_row(hit: Hit, *, rank: int | None = None, report_rank: int | None = None) -> dict[str, Any]:
    """One hit as a flat dict (``search --json`` / ``--csv``)."""
    return {
        "rank": rank,
        "report_rank": report_rank,
        "report_id": hit.report_id,
        "section_index": hit.section_index,
        "section_number": hit.section_number,
        "section_title": hit.section_title,
        "section_kind": hit.section_kind,
        "section": section_label(hit),
        "page": hit.page,
        "line": hit.line or None,
        "meeting_date": hit.meeting_date.isoformat() if hit.meeting_date else None,
        "committee": hit.committee,
        "officer": hit.officer,
        "subject": hit.subject,
        "council": hit.council,
        "period": hit.period,
        "score": hit.score,
        "path": hit.path,
        "snippet": hit.snippet,
    }


def search_page_rows(page: SearchPage) -> list[dict[str, Any]]:
    """Every hit on the page, ranked (with its report's rank when grouped)."""
    first = (page.page - 1) * page.limit
    if not page.grouped:
        return [hit_row(h, rank=first + i + 1) for i, h in enumerate(page.hits)]
    rows, rank = [], 0
    for g, group in enumerate(page.groups):
        for h in group.hits:
            rank += 1
            rows.append(hit_row(h, rank=rank, report_rank=first + g + 1))
    return rows


def _meta(*parts: Any) -> str:
    return " · ".join(str(p) for p in parts if p)


def cite_text(hit: Hit) -> str | None:
    """``p.3`` (or ``p.3 l.41`` when the hit cites its line)."""
    if not hit.page:
        return None
    return f"p.{hit.page} l.{hit.line}" if hit.line else f"p.{hit.page}"


def hit_text(hit: Hit, *, rank: int | None = None, with_report: bool = True) -> str:
    """A readable block for one hit."""
    head = f"{rank}. " if rank is not None else ""
    lines = []
    if with_report:
        lines.append(head + click.style(hit.report_id, bold=True) + "  " + section_label(hit))
        lines.append(
            "   "
            + _meta(
                hit.meeting_date.isoformat() if hit.meeting_date else "no date",
                hit.committee,
                hit.period,
                cite_text(hit),
                f"score {hit.score:g}",
            )
        )
        lines.append("   " + display_path(hit.path))
    else:
        lines.append(
            "   " + click.style(section_label(hit), bold=True) + "  " + _meta(cite_text(hit), f"score {hit.score:g}")
        )
    if hit.snippet:
        lines.append("     " + styled_snippet(hit.snippet))
    return "\n".join(lines)


def search_page_text(page: SearchPage) -> str:
    """A page of search results for the terminal."""
    first = (page.page - 1) * page.limit
    if not page.grouped:
        return "\n\n".join(hit_text(h, rank=first + i + 1) for i, h in enumerate(page.hits))
    blocks = []
    for g, group in enumerate(page.groups):
        head = [
            f"{first + g + 1}. " + click.style(group.report_id, bold=True),
            "   "
            + _meta(group.meeting_date.isoformat() if group.meeting_date else "no date", group.committee, group.period),
        ]
        if group.subject:
            head.append("   " + group.subject)
        head.append("   " + display_path(group.path))
        blocks.append("\n".join(head + [hit_text(h, with_report=False) for h in group.hits]))
    return "\n\n".join(blocks)


def search_page_summary(page: SearchPage) -> str:
    """One line for stderr: how much matched and what this page shows ("about N reports": an estimate)."""
    what = "reports" if page.grouped else "sections"
    shown = len(page.groups) if page.grouped else len(page.hits)
    first = (page.page - 1) * page.limit
    span = f"{first + 1}-{first + shown}" if shown else "none"
    reports = f"{page.reports}" if page.reports_exact else f"about {page.reports}"
    return f"{page.total} sections in {reports} reports match; showing {what} {span}"


# ---------------------------------------------------------------- ingest outcomes

#: Columns of an ingest outcome row (``ingest --json`` / ``--csv``).
OUTCOME_COLUMNS: tuple[str, ...] = ("path", "status", "report_id", "sections", "sha256", "reason")
#: Statuses in the order the summary lists them.
OUTCOME_STATUSES: tuple[str, ...] = ("indexed", "unchanged", "replaced", "duplicate", "failed")


def outcome_row(outcome: IngestOutcome) -> dict[str, Any]:
    return {k: getattr(outcome, k) for k in OUTCOME_COLUMNS}


def ingest_summary_text(summary: IngestSummary) -> str:
    """``10 files: 8 indexed, 1 unchanged, ... `` then one line per failure."""
    counts = ", ".join(f"{summary.count(s)} {s}" for s in OUTCOME_STATUSES)
    lines = [f"{len(summary.outcomes)} files: {counts}"]
    lines += [f"  failed: {o.reason or o.path}" for o in summary.failed]
    return "\n".join(lines)


# ---------------------------------------------------------------- trace (recommendation lineages)

#: Columns of a trace row (``trace --json`` / ``--csv``): one per recommendation.
TRACE_COLUMNS: tuple[str, ...] = (
    "lineage",
    "recommendation_id",
    "report_id",
    "number",
    "meeting_date",
    "committee",
    "officer",
    "period",
    "similarity",
    "text",
    "path",
    "outcome",
    "outcome_source",
)


def outcome_source(link: DecisionLink | None) -> str | None:
    """Where a decision is minuted: ``minutes.pdf p.14`` (None when none was found)."""
    if link is None or not link.path:
        return None
    return display_path(link.path) + (f" p.{link.page}" if link.page else "")


def outcome_text(link: DecisionLink) -> str:
    """``agreed as recommended  [2024-09-12 item 10: minutes.pdf p.14]`` or ``not found (why)``."""
    if link.outcome == "not found":
        return link.label + (f" ({link.reason})" if link.reason else "")
    where = _meta(
        link.meeting_date.isoformat() if link.meeting_date else None, f"item {link.item}" if link.item else None
    )
    return f"{link.label}  [{where + ': ' if where else ''}{outcome_source(link)}]"


#: Columns of an outcome row (``show --json``'s ``outcomes``): what became of one recommendation.
OUTCOME_LINK_COLUMNS: tuple[str, ...] = (
    "recommendation_id",
    "number",
    "outcome",
    "amendment",
    "label",
    "meeting_date",
    "committee",
    "item",
    "path",
    "page",
    "line",
    "wording",
    "decision_text",
    "similarity",
    "reason",
    "decision_report_id",
    "decision_index",
)


def outcome_rows(links: Any) -> list[dict[str, Any]]:
    """Each link as a flat dict (dates ISO)."""
    rows = []
    for link in links:
        row = {k: getattr(link, k) for k in OUTCOME_LINK_COLUMNS}
        row["meeting_date"] = link.meeting_date.isoformat() if link.meeting_date else None
        rows.append(row)
    return rows


def trace_rows(result: TraceResult) -> list[dict[str, Any]]:
    rows = []
    for lineage in result.lineages:
        for e in lineage.entries:
            row = {k: getattr(e, k) for k in TRACE_COLUMNS if k not in ("outcome", "outcome_source")}
            row["meeting_date"] = e.meeting_date.isoformat() if e.meeting_date else None
            row["outcome"] = e.outcome.label if e.outcome else None
            row["outcome_source"] = outcome_source(e.outcome)
            rows.append(row)
    return rows


def trace_text(result: TraceResult) -> str:
    """Each lineage: its earliest wording, then its recommendations in date order."""
    blocks = []
    for lineage in result.lineages:
        dates = [e.meeting_date for e in lineage.entries if e.meeting_date]
        span = f"{min(dates)} to {max(dates)}" if dates else "no dates"
        head = click.style(f"{lineage.id}  {lineage.text}", bold=True)
        lines = [head, f"    {len(lineage.entries)} recommendations, {span}"]
        for e in lineage.entries:
            lines.append(
                "    "
                + _meta(
                    e.meeting_date.isoformat() if e.meeting_date else "no date",
                    e.period,
                    e.committee,
                    e.officer,
                    f"similarity {e.similarity:g}",
                )
            )
            lines.append(f"      {e.recommendation_id}  {display_path(e.path)}")
            if e.text != lineage.text:
                lines.append(f"      {e.text}")
            if e.outcome is not None:
                lines.append(click.style(f"      → {outcome_text(e.outcome)}", dim=e.outcome.outcome == "not found"))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# ---------------------------------------------------------------- similar passages


def similar_rows(hits: tuple[Hit, ...]) -> list[dict[str, Any]]:
    """Hit rows, ``score`` being the similarity (0-100)."""
    return [hit_row(h, rank=i) for i, h in enumerate(hits, 1)]


def similar_text(hits: tuple[Hit, ...]) -> str:
    return "\n\n".join(
        hit_text(h, rank=i).replace(f"score {h.score:g}", f"similarity {h.score:g}") for i, h in enumerate(hits, 1)
    )


# ---------------------------------------------------------------- index statistics

#: Columns of a stats row (``stats --json`` / ``--csv``).
STATS_COLUMNS: tuple[str, ...] = ("dimension", "value", "count")


def stats_rows(stats: IndexStats) -> list[dict[str, Any]]:
    totals = [{"dimension": "total", "value": k, "count": getattr(stats, k)} for k in ("files", "reports", "sections")]
    return totals + [{"dimension": c.dimension, "value": c.value, "count": c.count} for c in stats.counts]


def stats_text(stats: IndexStats) -> str:
    lines = [f"{stats.files} files, {stats.reports} reports, {stats.sections} sections"]
    dimension = None
    for c in stats.counts:
        if c.dimension != dimension:
            dimension = c.dimension
            lines += ["", click.style(dimension.replace("_", " "), bold=True)]
        lines.append(f"  {c.count:>6}  {c.value}")
    return "\n".join(lines)


# ---------------------------------------------------------------- reports

# Report rows (``parse --csv``, ``show --csv``) are the reports table of
# pipeline.output.export (export.report_row, export.REPORTS_COLUMNS): one row builder.

#: Header fields shown by ``report_summary``, with their display names.
SUMMARY_FIELDS: tuple[tuple[str, str], ...] = (
    ("council", "Council"),
    ("committee", "Committee"),
    ("meeting_date", "Meeting date"),
    ("subject", "Subject"),
    ("reporting_officer", "Reporting officer"),
    ("cabinet_member", "Cabinet member"),
    ("portfolio", "Portfolio"),
    ("contact", "Contact"),
    ("wards", "Wards"),
    ("key_decision", "Key decision"),
    ("reference", "Reference"),
)


def page_ref(page: int, printed_page: int | None) -> str:
    """ "p.5", or "p.153 (file p.5)" when the paper prints its own page numbers (the one a reader cites)."""
    if printed_page is None or printed_page == page:
        return f"p.{page}"
    return f"p.{printed_page} (file p.{page})"


def report_summary(report: Any, outcomes: Mapping[str, DecisionLink] | None = None) -> str:
    """A readable summary of one report, every field cited to its page and line.

    ``outcomes`` (by recommendation id, :func:`pipeline.search.decisions.outcomes`) adds
    under each recommendation what its meeting decided, cited to the minutes.
    """
    from pipeline.search import recommendation_id

    path = display_path(report.source.path)
    lines = [click.style(f"{report.id}", bold=True) + f"  {report.doc_type}  {path} ({report.source.pages} pages)"]

    def cite(name: str) -> str:
        prov = report.provenance.get(name)
        if prov and prov.source != "paper":
            return click.style(f"  [{prov.source}]", dim=True)
        return click.style(f"  [{page_ref(prov.page, prov.printed_page)} l.{prov.line}]", dim=True) if prov else ""

    for name, title in SUMMARY_FIELDS:
        value = getattr(report, name)
        if value is None:
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        lines.append(f"  {title + ':':<19} {value}{cite(name)}")
    if report.period:
        p = report.period
        span = f" ({p.start.isoformat()} to {p.end.isoformat()})" if p.start and p.end else ""
        lines.append(f"  {'Period:':<19} {p.key}{span}{cite('period')}")
    if report.recommendations:
        lines.append(
            "  Recommendations:" + (f"  {report.recommendation_leadin}" if report.recommendation_leadin else "")
        )
        for r in report.recommendations:
            where = page_ref(r.page, r.printed_page)
            lines.append(f"    {r.number}. {r.text}" + click.style(f"  [{where} l.{r.line}]", dim=True))
            link = (outcomes or {}).get(recommendation_id(report.id, r.number))
            if link is not None:
                lines.append(
                    click.style(
                        f"       → {outcome_text(link)}",
                        fg=None if link.outcome == "not found" else "green",
                        dim=link.outcome == "not found",
                    )
                )
    if report.decisions:
        lines.append(f"  Decisions:  {len(report.decisions)}")
        for d in report.decisions:
            where = ".".join(x for x in (d.item, d.number) if x) or "-"
            if d.refs:
                where += f" (recommendation {', '.join(d.refs)})"
            other_day = d.meeting_date and d.meeting_date != report.meeting_date
            meeting = f"{d.meeting_date.isoformat()} " if other_day else ""
            cited = click.style(f"  [{page_ref(d.page, None)} l.{d.line}]", dim=True)
            lines.append(f"    {where:<6} {meeting}{d.outcome}: {d.text}{cited}")
    if report.sections:
        lines.append("  Sections:")
        for s in report.sections:
            indent = "  " * max(0, s.level - 1)
            num = f"{s.number} " if s.number else ""
            where = page_ref(s.page, s.printed_page)
            lines.append(f"    {indent}{num}{s.title}" + click.style(f"  ({s.kind}, {where})", dim=True))
    for w in report.warnings:
        where = f" (p.{w.page})" if w.page else ""
        lines.append(click.style(f"  warning {w.code}: {w.message}{where}", fg="yellow"))
    for part in report.parts:
        lines.append("")
        lines.append("  " + report_summary(part, outcomes).replace("\n", "\n  "))
    return "\n".join(lines)
