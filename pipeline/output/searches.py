"""Rendering the searches that come back and the searches run together: watch runs, batches, facets.

Rows are plain dicts (``--json`` / ``--csv``); text may carry click styles, as
in :mod:`pipeline.output.render`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.output.render import hit_row, hit_text, search_page_rows
from pipeline.search.batch import BatchResult
from pipeline.search.facets import FACET_PAPERS, FacetedSearch, LeftOut
from pipeline.search.watch import WATCH_MAX_HITS, WatchRun

#: The columns every batch row has before its hit's (``search --batch`` output).
BATCH_COLUMNS: tuple[str, ...] = ("query_row", "query_name", "query")
#: The column a watch run's row has before its hit's.
WATCH_COLUMNS: tuple[str, ...] = ("watch",)
#: How a filter's missing value is named (keys of pipeline.search.facets.UNKNOWN_WHEN).
UNKNOWN_NAMES: dict[str, str] = {
    "date": "no meeting date",
    "committee": "no committee",
    "council": "no council",
    "officer": "no officer",
    "quarter": "no period",
}


# ---------------------------------------------------------------- search --batch


def batch_rows(result: BatchResult) -> list[dict[str, Any]]:
    """Every hit of the batch, in row order, each after its query's row number, name and query."""
    return [
        {"query_row": q.row, "query_name": q.name, "query": q.query, **row}
        for q, page in result.pages
        for row in search_page_rows(page)
    ]


# ---------------------------------------------------------------- watch run


def watch_rows(run: WatchRun) -> list[dict[str, Any]]:
    """One row per new hit: the watch's name first, then the hit's row (``search --json``)."""
    return [{"watch": r.watch.name, **hit_row(h, rank=i)} for r in run.results for i, h in enumerate(r.new, 1)]


def watch_text(run: WatchRun) -> str:
    """The new hits for the terminal (or a cron mail), under each watch's name."""
    blocks = []
    for r in run.results:
        if r.new:
            filters = r.watch.filters.describe()
            head = f"== {r.watch.name}: {len(r.new)} new  ({r.watch.query}" + (f" {filters}" if filters else "") + ")"
            blocks.append("\n\n".join([head, *(hit_text(h, rank=i) for i, h in enumerate(r.new, 1))]))
    return "\n\n".join(blocks)


def watch_summary(run: WatchRun) -> list[str]:
    """Lines for stderr: each watch's count of new hits, and the watches that could not run."""
    lines = []
    for r in run.results:
        note = " (first run: every hit is new)" if r.first_run else ""
        if r.truncated:
            note += f" (only the newest {WATCH_MAX_HITS:,} hits looked at)"
        lines.append(f"{r.watch.name}: {len(r.new)} new of {r.matched} hits{note}")
    lines += [f"error: watch {e.name}: {e.message}" for e in run.errors]
    if not run.results and not run.errors:
        lines.append("no watches yet: add one with `boardpapers watch add NAME QUERY`")
    if not run.recorded:
        lines.append("dry run: nothing recorded")
    return lines


# ---------------------------------------------------------------- search --facets


def facets_text(result: FacetedSearch) -> str:
    """The facet counts for the terminal: a block per dimension asked for, most papers first."""
    if result.facets is None:
        return ""
    f = result.facets
    papers = f.papers if f.papers_exact else f"about {f.papers}"
    lines = [
        f"facets of {papers} matching papers"
        + (f" (best {FACET_PAPERS} counted for {', '.join(f.partial)})" if f.partial else "")
    ]
    for d in result.dimensions:
        lines.append(f"  {d.replace('_', ' ')}")
        lines += [f"    {c.count:>6}  {c.value}" for c in f.values(d)] or ["         (none)"]
    return "\n".join(lines)


def left_out_text(rows: Iterable[LeftOut]) -> str | None:
    """``left out by the filters, their field unknown: 2 papers with no meeting date``; None when none."""
    parts = [
        f"{r.papers} {'paper' if r.papers == 1 else 'papers'} with {UNKNOWN_NAMES[r.filter]}"
        + ("" if r.exact else f" (of the best {FACET_PAPERS} without that filter)")
        for r in rows
        if r.papers
    ]
    return "left out by the filters, their field unknown: " + "; ".join(parts) if parts else None
