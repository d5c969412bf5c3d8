"""Commands that build and describe the archive: ingest, status."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from pipeline.cli._common import (
    FULL_DISK_BYTES,
    NO_SPACE,
    cli,
    echo_csv,
    echo_jsonl,
    handle_errors,
    index_option,
    log,
    output_options,
    pdf_engine_option,
    progress_bar,
)
from pipeline.config import (
    DEFAULT_OCR_MODE,
    OCR_MODES,
)
from pipeline.errors import BoardpapersError

# ---------------------------------------------------------------- ingest / search / show
from pipeline.index import DEFAULT_ENGINE, ENGINES  # noqa: E402 (Whoosh and tantivy load only when opened)
from pipeline.ingest import COMMIT_EVERY, LOCK_TIMEOUT, default_workers  # noqa: E402 (light: no engines imported)
from pipeline.ingest.cluster import INSTALL_HINT as DASK_INSTALL_HINT  # noqa: E402 (light: Dask loads when used)


@cli.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option(
    "--ocr",
    type=click.Choice(OCR_MODES),
    default=DEFAULT_OCR_MODE,
    show_default=True,
    help="OCR scanned PDFs (auto: only PDFs without a text layer; needs ocrmypdf and tesseract).",
)
@click.option("--strict", is_flag=True, help="Stop at the first file that fails (what came before is kept).")
@click.option("--retry-failed", is_flag=True, help="Also try again every file that failed before (see `status`).")
@click.option(
    "--lock-timeout",
    type=click.FloatRange(0),
    default=LOCK_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another ingest into the same index.",
)
@click.option(
    "--commit-every",
    type=click.IntRange(1),
    default=COMMIT_EVERY,
    show_default=True,
    metavar="N",
    help="Papers per commit: a crash loses at most this many.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=None,
    help=f"Search engine of a new index (default {DEFAULT_ENGINE}); an existing index keeps its own.",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=default_workers(),
    show_default=True,
    metavar="N",
    help="Processes parsing papers at once (default: the CPUs it may use; 1: parse in this process).",
)
@pdf_engine_option("PDF reader (default: $BOARDPAPERS_PDF_ENGINE, else pdfplumber); pdfium is faster, same fields.")
@click.option(
    "--dask",
    "dask_address",
    default=None,
    metavar="SCHEDULER",
    help="Parse on a Dask cluster: local:N (N local processes) or tcp://host:port; this process "
    "commits. Needs pip install 'boardpapers[cluster]'. --workers is then ignored.",
)
@click.option(
    "--ship-bytes",
    is_flag=True,
    help="With --dask: send each file's bytes to the workers (for workers that cannot see the files).",
)
@output_options
@handle_errors
def ingest_cmd(
    paths: tuple[Path, ...],
    index_dir: Path,
    ocr: str,
    strict: bool,
    retry_failed: bool,
    lock_timeout: float,
    commit_every: int,
    engine: str | None,
    workers: int,
    pdf_engine: str | None,
    dask_address: str | None,
    ship_bytes: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Parse papers and add them to the search index (folders are searched recursively).

    Each file ends up indexed, unchanged (same path and content as before: not
    parsed again), replaced (its content changed), duplicate (the same content
    is indexed under another path) or failed (with a one-line reason). A bad
    file never stops the run unless --strict. Every outcome is recorded in the
    index's ledger (see `boardpapers status`). Scanned PDFs are OCR'd when
    ocrmypdf and tesseract are installed. One ingest writes an index at a time:
    a second waits up to --lock-timeout seconds. Killing an ingest loses at most
    the papers since its last commit; run it again to finish.

    Progress and the summary go to stderr; --json/--csv print one outcome per
    file on stdout. Exit 0 when no file failed, 1 when some failed (the rest
    are indexed) or the index is locked, 2 on a usage error.

    \b
    Examples:
      boardpapers ingest corpus/
      boardpapers ingest new/*.pdf --index /data/bp-index --json > outcomes.jsonl
      boardpapers ingest --retry-failed --index /data/bp-index
      boardpapers ingest corpus/ --engine tantivy --index tantivy-index
      boardpapers ingest /data/papers --workers 4 --pdf-engine pdfium
      boardpapers ingest /shared/papers --dask tcp://scheduler:8786 --engine tantivy
      boardpapers ingest corpus/ --dask local:2 --ship-bytes
    """
    import sqlite3

    from pipeline.errors import IndexLocked
    from pipeline.ingest import PaperParser, ingest
    from pipeline.output.render import OUTCOME_COLUMNS, ingest_summary_text, outcome_row
    from pipeline.read.ocr import INSTALL_HINT, unavailable_reason

    if not paths and not retry_failed:
        raise click.UsageError("name files or folders to ingest (or use --retry-failed)")
    if ship_bytes and dask_address is None:
        raise click.UsageError("--ship-bytes goes with --dask")
    if dask_address is not None:
        from pipeline.ingest.cluster import check_address

        try:
            check_address(dask_address)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            log(f"error: --dask needs Dask distributed: {DASK_INSTALL_HINT}")
            sys.exit(1)
    if ocr == "always" and (missing := unavailable_reason()):
        raise click.UsageError(f"--ocr always needs OCR, but {missing}: {INSTALL_HINT}")
    try:
        parser = PaperParser(ocr, pdf_engine=pdf_engine)
    except ValueError as exc:  # BOARDPAPERS_PDF_ENGINE names no engine
        raise click.UsageError(str(exc)) from None
    with progress_bar("ingesting") as update:
        try:
            summary = ingest(
                paths,
                index_dir,
                progress=update,
                parser=parser,
                workers=workers,
                strict=strict,
                retry_failed=retry_failed,
                lock_timeout=lock_timeout,
                commit_every=commit_every,
                on_wait=log,
                engine=engine,
                dask=dask_address,
                ship_bytes=ship_bytes,
            )
        except (OSError, sqlite3.Error, ValueError, BoardpapersError) as exc:
            # A full disk shows as an OSError, as SQLite's "cannot rollback", as tantivy's
            # ValueError, or as a lock file that could not be made (IndexLocked): name the cause.
            if not (isinstance(exc, OSError) and exc.errno in NO_SPACE) and not _no_space(index_dir):
                raise
            detail = "its lock file could not be made" if isinstance(exc, IndexLocked) else str(exc)
            raise BoardpapersError(
                f"no space left on device: the index at {index_dir} could not be written ({detail}); "
                "what was committed before is kept: free some space and run the same command again"
            ) from exc
    rows = [outcome_row(o) for o in summary.outcomes]
    if as_json:
        echo_jsonl(rows)
    elif as_csv:
        echo_csv(rows, OUTCOME_COLUMNS)
    log(ingest_summary_text(summary))
    for o in summary.outcomes:
        if o.status != "failed" and o.reason:
            log(f"  {'duplicate' if o.status == 'duplicate' else 'note'}: {o.path}: {o.reason}")
    if strict and summary.failed:
        log("stopped at the first failure (--strict)")
    if summary.advice:
        log(summary.advice)
    sys.exit(1 if summary.failed else 0)


@cli.command("reindex")
@index_option
@click.option("--engine", type=click.Choice(ENGINES), required=True, help="The search engine of the rebuilt index.")
@click.option(
    "--lock-timeout",
    type=click.FloatRange(0),
    default=LOCK_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for an ingest into the same index.",
)
@output_options
@handle_errors
def reindex_cmd(index_dir: Path, engine: str, lock_timeout: float, as_json: bool, as_csv: bool) -> None:
    """Rebuild the search index with another engine from the stored records (no paper is read again).

    The new index is built beside the old one and swapped in by renames once
    complete: searches get the old index until then, an interruption leaves
    it as it was, and the ingest ledger is kept. One row on stdout with
    --json/--csv (the folder, the engines before and after, the papers,
    reports and sections the new index holds); progress on stderr.

    \b
    Examples:
      boardpapers reindex --engine tantivy
      boardpapers reindex --engine whoosh --index /data/bp-index --json
    """
    from pipeline.ingest.reindex import reindex

    summary = reindex(
        index_dir,
        engine=engine,
        lock_timeout=lock_timeout,
        on_wait=log,
        progress=lambda done: log(f"reindexing: {done} reports written"),
    )
    row = {
        "index": summary.index,
        "old_engine": summary.old_engine,
        "engine": summary.engine,
        "papers": summary.papers,
        "reports": summary.reports,
        "sections": summary.sections,
    }
    if as_json:
        echo_jsonl([row])
    elif as_csv:
        echo_csv([row], list(row))
    log(
        f"{summary.index}: {summary.old_engine} -> {summary.engine}, {summary.papers} papers, "
        f"{summary.reports} reports, {summary.sections} sections (the ledger kept)"
    )


def _no_space(path: Path) -> bool:
    """Whether the disk holding ``path`` (or its nearest existing parent) is full."""
    import shutil

    for folder in (path, *path.absolute().parents):
        with contextlib.suppress(OSError):
            return shutil.disk_usage(folder).free < FULL_DISK_BYTES
    return False


@cli.command("status")
@index_option
@click.option("--failed", "only_failed", is_flag=True, help="Only the files that failed.")
@output_options
@handle_errors
def status_cmd(index_dir: Path, only_failed: bool, as_json: bool, as_csv: bool) -> None:
    """List what the archive holds and what failed, from the index's ingest ledger.

    One row per file: its status (indexed, duplicate, failed, or missing: once
    indexed, no longer in the index), the reason, report id and the time of the
    last ingest that saw it. Counts go to stderr. `ingest --retry-failed` tries
    the failures again.

    \b
    Examples:
      boardpapers status
      boardpapers status --failed --csv > failures.csv
    """
    from pipeline.ingest.ledger import STATUS_COLUMNS, STATUSES, archive_status, status_counts

    entries = archive_status(index_dir)
    counts = status_counts(entries)
    if only_failed:
        entries = tuple(e for e in entries if e.status == "failed")
    rows = [{k: getattr(e, k) for k in STATUS_COLUMNS} for e in entries]
    if as_json:
        echo_jsonl(rows)
    elif as_csv:
        echo_csv(rows, STATUS_COLUMNS)
    else:
        for e in entries:
            detail = e.reason or e.report_id or ""
            click.echo(f"{e.status:<9} {e.path}" + (f"  {detail}" if detail else ""))
    log(f"{sum(counts.values())} files: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES))
