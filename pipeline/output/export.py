"""Tables of the archive for researchers: reports, sections, recommendations, entities, warnings, decisions.

    from pipeline.output.export import table_rows, table_frame, write_table, read_table
    rows = table_rows(reports, "recommendations")        # dict rows (the edge), in COLUMNS order
    df = table_frame(reports, "recommendations")         # a pandas DataFrame with DTYPES
    write_table(reports, "sections", "parquet", "sections.parquet")
    df = read_table("sections.parquet")                  # back, with the same columns and dtypes

Every table has a fixed column set (:data:`COLUMNS`), so a script written
against one export keeps working on the next. Each row of sections,
recommendations, entities and warnings repeats its report's context
(:data:`CONTEXT_COLUMNS`: id, source path, council, committee, officer,
meeting date, financial year and quarter) so that it can be cited alone.
Pages and lines are 1-based and empty where unknown.

CSV and JSON Lines are written row by row without pandas; Parquet (and the
DataFrames) need the ``data`` extra (pandas, pyarrow), imported lazily.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import os
import stat
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from pipeline.errors import BoardpapersError

if TYPE_CHECKING:  # the CLI imports this module for its vocabularies: keep it light
    from pipeline.model import Entity, Report

# ---------------------------------------------------------------- vocabularies

#: The tables that can be exported (``boardpapers export --what``).
TABLES: tuple[str, ...] = ("reports", "sections", "recommendations", "entities", "warnings", "decisions")
#: Export formats (``--format``).
FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")
#: Formats that may be written to stdout (Parquet is binary: it needs -o FILE).
STREAM_FORMATS: tuple[str, ...] = ("csv", "jsonl")
#: The format a file name's suffix implies when --format is not given.
SUFFIX_FORMATS: Mapping[str, str] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
#: Format used when neither --format nor a known suffix says.
DEFAULT_FORMAT = "csv"
#: ``section_kind`` of an entity found in the report's header rather than a section.
HEADER_KIND = "header"

# ---------------------------------------------------------------- columns

#: The report context that starts every row of sections, recommendations, entities and warnings.
CONTEXT_COLUMNS: tuple[str, ...] = (
    "report_id",
    "source_path",
    "council",
    "committee",
    "officer",
    "meeting_date",
    "fiscal_year",
    "quarter",
)

#: One row per report (an agenda pack and each report found inside it).
REPORTS_COLUMNS: tuple[str, ...] = (
    "report_id",
    "parent_id",
    "source_path",
    "source_format",
    "source_sha256",
    "pages",
    "page",
    "line",
    "doc_type",
    "council",
    "committee",
    "officer",
    "meeting_date",
    "fiscal_year",
    "quarter",
    "period",
    "period_start",
    "period_end",
    "subject",
    "cabinet_member",
    "portfolio",
    "contact",
    "wards",
    "key_decision",
    "reference",
    "recommendation_leadin",
    "sections",
    "recommendations",
    "entities",
    "warnings",
)

#: One row per section, in document order.
SECTIONS_COLUMNS: tuple[str, ...] = (
    *CONTEXT_COLUMNS,
    "section_index",
    "section_number",
    "section_title",
    "section_kind",
    "level",
    "page",
    "line",
    "text",
)

#: One row per recommendation, in the order the report numbers them.
RECOMMENDATIONS_COLUMNS: tuple[str, ...] = (
    *CONTEXT_COLUMNS,
    "recommendation_id",
    "number",
    "label",
    "text",
    "page",
    "line",
)

#: One row per entity (money, percentages, dates, quarters, organisations, people...).
ENTITIES_COLUMNS: tuple[str, ...] = (
    *CONTEXT_COLUMNS,
    "entity_index",
    "text",
    "label",
    "value",
    "section_index",
    "section_number",
    "section_title",
    "section_kind",
    "header_field",
    "start",
    "end",
    "page",
    "line",
)

#: One row per data-quality warning the parser raised.
WARNINGS_COLUMNS: tuple[str, ...] = (*CONTEXT_COLUMNS, "code", "message", "page")

#: One row per decision of minutes and decision notices (context: the minutes' record), and per
#: recommendation linked to it (pipeline.search.decisions): a decision no recommendation reached has one row.
DECISIONS_COLUMNS: tuple[str, ...] = (
    *CONTEXT_COLUMNS,
    "decision_index",
    "decision_meeting_date",
    "decision_committee",
    "item",
    "item_title",
    "decision_number",
    "outcome",
    "wording",
    "text",
    "refs",
    "amended",
    "page",
    "line",
    "recommendation_id",
    "recommendation_outcome",
    "amendment",
)

#: Each table's columns, in order.
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "reports": REPORTS_COLUMNS,
    "sections": SECTIONS_COLUMNS,
    "recommendations": RECOMMENDATIONS_COLUMNS,
    "entities": ENTITIES_COLUMNS,
    "warnings": WARNINGS_COLUMNS,
    "decisions": DECISIONS_COLUMNS,
}

#: Columns holding calendar dates (datetime64[ns] at midnight in pandas, YYYY-MM-DD in CSV/JSON Lines).
DATE_COLUMNS: tuple[str, ...] = ("meeting_date", "period_start", "period_end", "decision_meeting_date")
#: Integer columns that are always present.
INT_COLUMNS: tuple[str, ...] = (
    "pages",
    "sections",
    "recommendations",
    "entities",
    "number",
    "level",
    "entity_index",
    "decision_index",
)
#: Integer columns that may be missing (pandas nullable Int64).
NULLABLE_INT_COLUMNS: tuple[str, ...] = ("quarter", "page", "line", "section_index", "start", "end")
#: Yes/no columns that may be missing (pandas nullable boolean).
BOOL_COLUMNS: tuple[str, ...] = ("key_decision", "amended")
#: pandas dtype of the date columns (nanoseconds: Parquet round-trips it unchanged).
DATE_DTYPE = "datetime64[ns]"
#: pandas dtype of every other column (text; pandas' nullable string type).
TEXT_DTYPE = "string"


def dtype_of(column: str) -> str:
    """The pandas dtype of a column in every table."""
    if column in DATE_COLUMNS:
        return DATE_DTYPE
    if column in INT_COLUMNS:
        return "int64"
    if column in NULLABLE_INT_COLUMNS:
        return "Int64"
    if column in BOOL_COLUMNS:
        return "boolean"
    return TEXT_DTYPE


# ---------------------------------------------------------------- rows (the edge: plain dicts)


def _known(n: int | None) -> int | None:
    """Pages and lines are 1-based: 0 means unknown."""
    return n if n else None


def _context(report: Report) -> dict[str, Any]:
    p = report.period
    return {
        "report_id": report.id,
        "source_path": report.source.path,
        "council": report.council,
        "committee": report.committee,
        "officer": report.reporting_officer,
        "meeting_date": report.meeting_date,
        "fiscal_year": p.fiscal_year if p else None,
        "quarter": p.quarter if p else None,
    }


def _header_position(report: Report) -> tuple[int | None, int | None]:
    """Page and line of the report's first header field read (where the report starts)."""
    found = sorted((p.page, p.line) for p in report.provenance.values() if p.page)
    return found[0] if found else (None, None)


def report_row(report: Report) -> dict[str, Any]:
    """One report as a row of the reports table (also ``parse --csv`` and ``show --csv``)."""
    p = report.period
    page, line = _header_position(report)
    return {
        "report_id": report.id,
        "parent_id": report.parent_id,
        "source_path": report.source.path,
        "source_format": report.source.format,
        "source_sha256": report.source.sha256,
        "pages": report.source.pages,
        "page": page,
        "line": _known(line),
        "doc_type": report.doc_type,
        "council": report.council,
        "committee": report.committee,
        "officer": report.reporting_officer,
        "meeting_date": report.meeting_date,
        "fiscal_year": p.fiscal_year if p else None,
        "quarter": p.quarter if p else None,
        "period": p.key if p else None,
        "period_start": p.start if p else None,
        "period_end": p.end if p else None,
        "subject": report.subject,
        "cabinet_member": report.cabinet_member,
        "portfolio": report.portfolio,
        "contact": report.contact,
        "wards": report.wards,
        "key_decision": report.key_decision,
        "reference": report.reference,
        "recommendation_leadin": report.recommendation_leadin,
        "sections": len(report.sections),
        "recommendations": len(report.recommendations),
        "entities": len(report.entities),
        "warnings": "; ".join(w.code for w in report.warnings) or None,
    }


def with_parts(report: Report) -> list[Report]:
    """A report followed by the reports found inside it (an agenda pack's parts), depth first."""
    out = [report]
    for part in report.parts:
        out.extend(with_parts(part))
    return out


def section_rows(report: Report) -> Iterator[dict[str, Any]]:
    context = _context(report)
    for i, s in enumerate(report.sections):
        yield {
            **context,
            "section_index": i,
            "section_number": s.number,
            "section_title": s.title,
            "section_kind": s.kind,
            "level": s.level,
            "page": _known(s.page),
            "line": _known(s.line),
            "text": s.text,
        }


def recommendation_rows(report: Report) -> Iterator[dict[str, Any]]:
    """Recommendations with their ids as ``boardpapers trace`` prints them (``REPORT#rN``)."""
    from pipeline.search import recommendation_id

    context = _context(report)
    for r in report.recommendations:
        yield {
            **context,
            "recommendation_id": recommendation_id(report.id, r.number),
            "number": r.number,
            "label": r.label,
            "text": r.text,
            "page": _known(r.page),
            "line": _known(r.line),
        }


def _header_field(report: Report, entity: Entity) -> str | None:
    """The header field whose value holds a header entity's text."""
    from pipeline.model import HEADER_FIELDS

    for name in HEADER_FIELDS:
        value = getattr(report, name, None)
        if isinstance(value, str) and entity.text in value:
            return name
    return None


def entity_rows(report: Report) -> Iterator[dict[str, Any]]:
    """Entities with where they were found.

    A section's entity carries its offsets in that section's ``text`` and the
    page the section starts on (its line is not recorded). A header entity
    carries the header field it was read from, its offsets in that field's
    value and the field's page and line.
    """
    context = _context(report)
    for i, e in enumerate(report.entities):
        row: dict[str, Any] = {**context, "entity_index": i, "text": e.text, "label": e.label, "value": e.value}
        if e.section is not None and 0 <= e.section < len(report.sections):
            s = report.sections[e.section]
            row.update(
                section_index=e.section,
                section_number=s.number,
                section_title=s.title,
                section_kind=s.kind,
                header_field=None,
                start=e.start,
                end=e.end,
                page=_known(s.page),
                line=None,
            )
        else:
            field = _header_field(report, e)
            prov = report.provenance.get(field) if field else None
            value = getattr(report, field) if field else None
            start = value.find(e.text) if isinstance(value, str) else -1
            row.update(
                section_index=None,
                section_number=None,
                section_title=None,
                section_kind=HEADER_KIND,
                header_field=field,
                start=start if start >= 0 else None,
                end=start + len(e.text) if start >= 0 else None,
                page=_known(prov.page) if prov else None,
                line=_known(prov.line) if prov else None,
            )
        yield row


def warning_rows(report: Report) -> Iterator[dict[str, Any]]:
    context = _context(report)
    for w in report.warnings:
        yield {**context, "code": w.code, "message": w.message, "page": _known(w.page)}


def decision_rows(reports: Iterable[Report]) -> Iterator[dict[str, Any]]:
    """Decisions with the recommendations linked to them (the whole list of reports is needed to link)."""
    from pipeline.search.decisions import link_reports

    reports = list(reports)
    by_decision: dict[tuple[str, int], list[Any]] = {}
    for link in link_reports(reports, reports).values():
        if link.decision_report_id is not None and link.decision_index is not None:
            by_decision.setdefault((link.decision_report_id, link.decision_index), []).append(link)
    for report in reports:
        context = _context(report)
        for i, d in enumerate(report.decisions):
            row = {
                **context,
                "decision_index": i,
                "decision_meeting_date": d.meeting_date or report.meeting_date,
                "decision_committee": d.committee or report.committee,
                "item": d.item,
                "item_title": d.item_title,
                "decision_number": d.number,
                "outcome": d.outcome,
                "wording": d.wording,
                "text": d.text,
                "refs": ", ".join(d.refs) or None,
                "amended": d.amended,
                "page": _known(d.page),
                "line": _known(d.line),
            }
            links = by_decision.get((report.id, i)) or [None]
            for link in links:
                yield {
                    **row,
                    "recommendation_id": link.recommendation_id if link else None,
                    "recommendation_outcome": link.outcome if link else None,
                    "amendment": link.amendment if link else None,
                }


def _check_table(what: str) -> None:
    if what not in TABLES:
        raise BoardpapersError(f"unknown table {what!r} (tables: {', '.join(TABLES)})")


def table_rows(reports: Iterable[Report], what: str) -> Iterator[dict[str, Any]]:
    """One table's rows (dicts in :data:`COLUMNS` order), reports in the order given."""
    _check_table(what)
    if what == "decisions":
        yield from decision_rows(reports)
        return
    for report in reports:
        if what == "reports":
            yield report_row(report)
        elif what == "sections":
            yield from section_rows(report)
        elif what == "recommendations":
            yield from recommendation_rows(report)
        elif what == "entities":
            yield from entity_rows(report)
        else:
            yield from warning_rows(report)


def load_reports(index_dir: str | os.PathLike[str]) -> list[Report]:
    """Every report in the index (agenda packs and their parts), by id.

    ``source.path`` is the path the file was indexed under (absolute, as search
    hits show it), not the path as typed when it was parsed.
    """
    from dataclasses import replace

    from pipeline.index import open_index

    with open_index(index_dir, readonly=True) as ix:
        by_sha = ix.hashes()
        reports = list(ix.iter_reports())
    out = []
    for r in reports:
        indexed = by_sha.get(r.source.sha256)
        out.append(replace(r, source=replace(r.source, path=indexed)) if indexed else r)
    return sorted(out, key=lambda r: r.id)


# ---------------------------------------------------------------- DataFrames (pandas, lazily)


def _require_pandas(what: str) -> Any:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise BoardpapersError(f"{what} needs pandas and pyarrow: pip install 'boardpapers[data]'") from None
    return pd


def coerce(df: Any, what: str) -> Any:
    """The table's columns, in order, with their documented dtypes (:func:`dtype_of`).

    Accepts values as Python objects or as the strings of a CSV file.
    """
    pd = _require_pandas("a DataFrame")
    _check_table(what)
    columns = COLUMNS[what]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise BoardpapersError(f"not a {what} table: no column {', '.join(missing)}")
    out = {}
    for c in columns:
        col = df[c]
        kind = dtype_of(c)
        if kind == DATE_DTYPE:
            out[c] = pd.to_datetime(col.astype(object).where(col.notna(), None), format="ISO8601").astype(DATE_DTYPE)
        elif kind in ("int64", "Int64"):
            out[c] = pd.to_numeric(col.astype(object).where(col.notna(), None)).astype(kind)
        elif kind == "boolean":
            out[c] = col.astype(object).map(_as_bool, na_action="ignore").astype("boolean")
        else:  # empty text is missing, in every format (CSV can't tell them apart)
            out[c] = col.astype(object).where(col.notna() & (col.astype(object) != ""), None).astype(TEXT_DTYPE)
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        if value.lower() in ("true", "1", "yes"):
            return True
        if value.lower() in ("false", "0", "no"):
            return False
        raise ValueError(f"not a yes/no value: {value!r}")
    return bool(value)


def table_frame(reports: Iterable[Report], what: str) -> Any:
    """One table as a pandas DataFrame with :data:`COLUMNS` and the documented dtypes."""
    pd = _require_pandas("a DataFrame")
    _check_table(what)
    rows = list(table_rows(reports, what))
    return coerce(pd.DataFrame.from_records(rows, columns=list(COLUMNS[what])), what)


# ---------------------------------------------------------------- files


def format_for(path: str | os.PathLike[str] | None, fmt: str | None = None) -> str:
    """The format asked for, else the one the file's suffix implies, else :data:`DEFAULT_FORMAT`."""
    if fmt:
        if fmt not in FORMATS:
            raise BoardpapersError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
        return fmt
    if path is not None:
        return SUFFIX_FORMATS.get(Path(path).suffix.lower(), DEFAULT_FORMAT)
    return DEFAULT_FORMAT


def _text_value(value: Any) -> Any:
    """A cell for CSV/JSON: dates as YYYY-MM-DD; empty text is missing (as CSV can't tell them apart)."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if value == "":
        return None
    return value


def write_csv(rows: Iterable[Mapping[str, Any]], columns: tuple[str, ...], out: IO[str]) -> int:
    """CSV with a header row; missing values are empty. Returns the rows written."""
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: _text_value(v) for k, v in row.items()})
        n += 1
    return n


def write_jsonl(rows: Iterable[Mapping[str, Any]], columns: tuple[str, ...], out: IO[str]) -> int:
    """One JSON object per line, keys in column order; missing values are null."""
    n = 0
    for row in rows:
        out.write(json.dumps({c: _text_value(row[c]) for c in columns}, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_table(
    reports: Iterable[Report],
    what: str,
    fmt: str,
    out: str | os.PathLike[str] | IO[str],
) -> int:
    """Write one table to a file (path) or, for CSV and JSON Lines, a text stream. Returns the rows written.

    A file is written beside its final name and renamed into place, so a failed
    export never leaves half a file.
    """
    _check_table(what)
    fmt = format_for(None, fmt)
    columns = COLUMNS[what]
    if not isinstance(out, (str, os.PathLike)):
        if fmt not in STREAM_FORMATS:
            raise BoardpapersError(f"{fmt} output needs a file name (-o FILE)")
        writer = write_csv if fmt == "csv" else write_jsonl
        try:
            return writer(table_rows(reports, what), columns, out)
        except BrokenPipeError:
            raise  # the reader stopped early (| head): not an error of ours
        except OSError as exc:
            raise BoardpapersError(f"cannot write the {what} table: {_os_reason(exc)}") from exc
    path = Path(out)
    if _is_special(path):
        # A device or a pipe (-o /dev/stdout, a FIFO): written in place; renaming
        # a file over it would replace it with that file.
        if fmt not in STREAM_FORMATS:
            raise BoardpapersError(f"{path}: not a regular file: {fmt} output needs a file name")
        try:
            with open(path, "w", encoding="utf-8", newline="") as f:
                return write_table(reports, what, fmt, f)
        except OSError as exc:
            raise BoardpapersError(f"{path}: {_os_reason(exc)}") from exc
    tmp = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "parquet":
            _require_pandas("Parquet export")
            df = table_frame(reports, what)
            df.to_parquet(tmp, index=False)
            n = len(df)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                n = write_table(reports, what, fmt, f)
        os.replace(tmp, path)
    except OSError as exc:
        raise BoardpapersError(f"{path}: {_os_reason(exc)}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return n


def _is_special(path: Path) -> bool:
    """Whether ``path`` exists and is not a regular file (a device, a FIFO, a socket)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:  # missing (a new file), or unreadable: the rename path reports it
        return False


def _os_reason(exc: OSError) -> str:
    """An OS error as a reason: ``no space left on device``."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def _which_table(columns: Iterable[str]) -> str:
    have = tuple(columns)
    for what in TABLES:
        if have == COLUMNS[what]:
            return what
    raise BoardpapersError("the columns match no export table (" + ", ".join(have[:6]) + ", ...)")


def read_table(path: str | os.PathLike[str], what: str | None = None, fmt: str | None = None) -> Any:
    """An exported file back as a DataFrame with the documented columns and dtypes.

    The table is recognised by its columns unless ``what`` is given; the format
    by the suffix unless ``fmt`` is.
    """
    pd = _require_pandas("read_table")
    fmt = format_for(path, fmt)
    if fmt == "parquet":
        df = pd.read_parquet(path)
    elif fmt == "csv":
        # Every cell as text: only an empty cell is missing ("NA" is a word here).
        df = pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""])
    else:
        with open(path, encoding="utf-8") as f:
            records = [json.loads(line) for line in f if line.strip()]
        if not records and what is None:
            raise BoardpapersError(f"{path} is empty: say which table it holds (what=)")
        columns = list(records[0]) if records else list(COLUMNS[what or TABLES[0]])
        df = pd.DataFrame.from_records(records, columns=columns)
    return coerce(df, what or _which_table(df.columns))
