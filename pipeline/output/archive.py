"""The archive as pandas DataFrames, for notebooks and analysis scripts.

    import pipeline
    archive = pipeline.open_archive("index")
    archive.reports()                  # one row per report (pipeline.output.export.REPORTS_COLUMNS)
    archive.recommendations()          # one row per recommendation, with its report's context
    archive.search('"foster carers"')  # hits as a DataFrame (pipeline.search.search)
    archive.trace('"performance management report"')
    report = archive.show("002_03db")  # the typed record (pipeline.model.Report)
    archive.cite(report.id, page=2)

The tables are built from the records stored in the index, read once and
kept: after ingesting more papers, call :meth:`Archive.reload` (or open the
archive again). pandas is imported only when a table is asked for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pipeline.model import Report

# The DataFrames of search/similar and trace use the row builders' own column
# sets (pipeline.output.render), so the CLI's --csv and the DataFrames agree.
from pipeline.output.render import HIT_FRAME_COLUMNS
from pipeline.output.render import TRACE_COLUMNS as TRACE_FRAME_COLUMNS


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Any:
    """Rows as a DataFrame with the given columns; ``meeting_date`` as a date."""
    import pandas as pd

    df = pd.DataFrame.from_records(rows, columns=list(columns))
    if "meeting_date" in df.columns:
        df["meeting_date"] = pd.to_datetime(df["meeting_date"].astype(object), format="ISO8601").astype(
            "datetime64[ns]"
        )
    return df


class Archive:
    """An index opened for analysis: tables as DataFrames, and search, trace and show."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._reports: list[Report] | None = None

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r})"

    # ---- records

    def records(self) -> list[Report]:
        """Every indexed report (agenda packs and their parts), by id."""
        if self._reports is None:
            from pipeline.output.export import load_reports

            self._reports = load_reports(self.path)
        return self._reports

    def reload(self) -> None:
        """Forget the records read so far (after ingesting into the index)."""
        self._reports = None

    def __len__(self) -> int:
        return len(self.records())

    # ---- tables (pipeline.output.export.COLUMNS)

    def table(self, what: str) -> Any:
        """One of :data:`pipeline.output.export.TABLES` as a DataFrame."""
        from pipeline.output.export import table_frame

        return table_frame(self.records(), what)

    def reports(self) -> Any:
        """One row per report: header fields, period, counts and warning codes."""
        return self.table("reports")

    def sections(self) -> Any:
        """One row per section: number, title, kind, page, line and text."""
        return self.table("sections")

    def recommendations(self) -> Any:
        """One row per recommendation: id (REPORT#rN), number, label, text, page, line."""
        return self.table("recommendations")

    def entities(self) -> Any:
        """One row per entity: text, label, normalised value and where it was found."""
        return self.table("entities")

    def warnings(self) -> Any:
        """One row per data-quality warning: code, message, page."""
        return self.table("warnings")

    def decisions(self) -> Any:
        """One row per decision of the minutes, with the recommendation linked to it and its outcome."""
        return self.table("decisions")

    # ---- search (pipeline.search)

    def search(self, text: str, **options: Any) -> Any:
        """Hits of :func:`pipeline.search.search` (same options) as a DataFrame, ranked."""
        from pipeline.output.render import search_page_rows
        from pipeline.search import search

        return _frame(search_page_rows(search(self.path, text, **options)), HIT_FRAME_COLUMNS)

    def similar(self, text: str, **options: Any) -> Any:
        """Passages worded like ``text`` (:func:`pipeline.search.similar`); ``score`` is the similarity."""
        from pipeline.output.render import similar_rows
        from pipeline.search import similar

        return _frame(similar_rows(similar(self.path, text, **options)), HIT_FRAME_COLUMNS)

    def trace(self, query_or_id: str, **options: Any) -> Any:
        """Recommendation lineages (:func:`pipeline.search.trace`), one row per recommendation."""
        from pipeline.output.render import trace_rows
        from pipeline.search import trace

        return _frame(trace_rows(trace(self.path, query_or_id, **options)), TRACE_FRAME_COLUMNS)

    def show(self, id_or_prefix: str) -> Report:
        """One report's record, by id or a unique start of it (:func:`pipeline.search.show`)."""
        from pipeline.search import show

        return show(self.path, id_or_prefix)

    def cite(self, id_or_prefix: str, page: int | None = None, line: int | None = None) -> str:
        """A citation for a report (and a page and line of it)::

        Halton Borough Council, Children and Young People Policy and Performance Board,
        29 January 2018, "Performance Management Reports, Quarter 2 2017/18",
        p. 1, l. 21 [003_8f5a895c28ad9ad1.pdf; report 003_8f5a895c28ad9ad1-a55f57b8]
        """
        report = self.show(id_or_prefix)
        parts = [
            report.council,
            report.committee,
            f"{report.meeting_date.day} {report.meeting_date:%B %Y}" if report.meeting_date else "undated",
            f'"{report.subject}"' if report.subject else None,
            f"p. {page}" if page else None,
            f"l. {line}" if line else None,
        ]
        where = f"[{Path(report.source.path).name}; report {report.id}]"
        return ", ".join(p for p in parts if p) + " " + where


def open_archive(path: str | os.PathLike[str]) -> Archive:
    """Open the index at ``path`` for analysis; raises SearchIndexError when there is none."""
    from pipeline.index import open_index

    with open_index(path, readonly=True):
        pass
    return Archive(path)
