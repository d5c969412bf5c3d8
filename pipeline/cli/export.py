"""export and serve: the archive to files and to a browser."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.cli._common import (
    cli,
    handle_errors,
    index_option,
    log,
)

# ---------------------------------------------------------------- export
# The tables and formats are choices: their light module is read at startup.
from pipeline.output.export import FORMATS as EXPORT_FORMATS  # noqa: E402
from pipeline.output.export import TABLES as EXPORT_TABLES  # noqa: E402


@cli.command("export")
@index_option
@click.option(
    "--what",
    type=click.Choice(EXPORT_TABLES),
    required=True,
    help="The table: one row per report, section, recommendation, entity, warning or decision.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="File format  [default: from -o FILE's suffix, else csv]",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE instead of stdout (required for parquet).",
)
@handle_errors
def export_cmd(index_dir: Path, what: str, fmt: str | None, output: Path | None) -> None:
    """Export one table of the archive for analysis: CSV, JSON Lines or Parquet.

    Each table has a fixed set of columns (README, "Exporting data"). Rows of
    sections, recommendations, entities and warnings start with their report's
    report_id, source_path, council, committee, officer, meeting_date,
    fiscal_year and quarter, so each can be cited alone. Dates are YYYY-MM-DD;
    pages and lines are 1-based and empty where unknown. Data goes to stdout
    unless -o FILE; Parquet is binary and needs -o FILE.

    \b
    Examples:
      boardpapers export --what recommendations > recommendations.csv
      boardpapers export --what sections --format jsonl -o sections.jsonl
      boardpapers export --what entities -o entities.parquet
      boardpapers export --what decisions > decisions.csv
    """
    from pipeline.output.export import STREAM_FORMATS, format_for, load_reports, write_table

    fmt = format_for(output, fmt)
    if output is None and fmt not in STREAM_FORMATS:
        raise click.UsageError(f"--format {fmt} is binary: give -o FILE (for example -o {what}.{fmt})")
    reports = load_reports(index_dir)
    n = write_table(reports, what, fmt, output if output is not None else sys.stdout)
    log(f"{n} {what} rows from {len(reports)} reports" + (f" written to {output}" if output else ""))


# ---------------------------------------------------------------- serve


@cli.command("serve")
@index_option
# pipeline.web.DEFAULT_HOST and DEFAULT_PORT, spelled out so --help stays light.
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0: every network this machine is on).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@handle_errors
def serve_cmd(index_dir: Path, host: str, port: int) -> None:
    """Serve the archive as a web page: search with facets, reports, traces, similar wording, an overview.

    Read-only: it reads the index and its ingest ledger, and opens a paper's
    file only when the ledger knows it. Every page is also JSON under /api/
    (the objects the commands print with --json). Stop it with Ctrl-C.
    Needs the web extra: pip install -e '.[web]'.

    \b
    Examples:
      boardpapers serve
      boardpapers serve --index /data/bp-index --port 8080
    """
    try:
        from pipeline.web import serve
    except ImportError as exc:
        raise click.UsageError(
            f"the web page needs the web extra ({exc.name} is missing): pip install -e '.[web]'"
        ) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        log(f"warning: listening on {host}: anyone who can reach this machine can read the archive")
    log(f"serving the archive in {index_dir} at http://{host}:{port}/ (Ctrl-C to stop)")
    serve(index_dir, host=host, port=port)
