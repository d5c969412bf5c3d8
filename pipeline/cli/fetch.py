"""fetch: papers from a council's website."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from pipeline.cli._common import (
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

# ---------------------------------------------------------------- fetch (papers from a council's website)
# Light: numbers (the fetch package loads httpx only when it fetches).
from pipeline.fetch.records import (  # noqa: E402
    DEFAULT_BACKOFF,
    DEFAULT_DELAY,
    DEFAULT_MAX_REQUESTS,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
)

#: Where ``fetch`` puts papers when no --out is given.
DEFAULT_PAPERS = "papers"


@cli.command("fetch")
@click.argument("url")
@click.option(
    "--committee",
    "committees",
    multiple=True,
    metavar="NAME_OR_ID",
    help="A committee's id or name (all its words; repeatable). Default: every committee.",
)
@click.option("--from", "date_from", metavar="DATE", help="Meetings on or after this date (2023-01-01, 2023-01, 2023).")
@click.option("--to", "date_to", metavar="DATE", help="Meetings on or before this date.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_PAPERS,
    show_default=True,
    help="Folder for the papers: OUT/<council>/<committee>/<meeting date>/.",
)
@click.option("--council", metavar="NAME", help="The council's folder name (default: from the site's address).")
@click.option("--ingest", "do_ingest", is_flag=True, help="Ingest the run's papers into the index (--index).")
@index_option
@click.option("--list-committees", is_flag=True, help="Only list the site's committees (one request).")
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=DEFAULT_DELAY,
    show_default=True,
    metavar="SECONDS",
    help="Pause between two requests to the site.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up on an answer after this long (then retry).",
)
@click.option(
    "--retries",
    type=click.IntRange(0),
    default=DEFAULT_RETRIES,
    show_default=True,
    metavar="N",
    help="Tries again after 429, 5xx, a time-out or a dropped connection.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(0),
    default=DEFAULT_BACKOFF,
    show_default=True,
    metavar="SECONDS",
    help="Wait before the first retry; twice as long before each next one (or what Retry-After asks).",
)
@click.option(
    "--max-requests",
    type=click.IntRange(1),
    default=DEFAULT_MAX_REQUESTS,
    show_default=True,
    metavar="N",
    help="Requests to the site in one run at most; run again to carry on.",
)
@pdf_engine_option("PDF reader for --ingest (default: $BOARDPAPERS_PDF_ENGINE, else pdfplumber).")
@output_options
@handle_errors
def fetch_cmd(
    url: str,
    committees: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    out_dir: Path,
    council: str | None,
    do_ingest: bool,
    index_dir: Path,
    list_committees: bool,
    delay: float,
    timeout: float,
    retries: int,
    backoff: float,
    max_requests: int,
    pdf_engine: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Download a council's committee papers from its website (ModernGov), politely and resumably.

    Lists the site's committees, their meetings from --from to --to, and each
    meeting's agenda documents; downloads each document once into
    OUT/<council>/<committee>/<meeting date>/<item>-<title>.pdf with a sidecar
    <file>.meta.json (council, committee, meeting, agenda item, document title,
    attachment id, URL, publication date, sha256). --ingest then ingests them:
    the committee, meeting date and reference the website gives fill a record
    whose paper is silent (provenance "website"); where they disagree the
    record gets a metadata_conflict warning.

    One request at a time, --delay seconds apart, with a User-Agent naming
    boardpapers and its version; retries with backoff; at most --max-requests
    requests a run. A re-run downloads only what is new (by attachment id, size
    and sha256) and says how many it skipped; an interrupted run keeps every
    finished download (each is written to <file>.part and renamed once
    complete and checked to be a PDF).

    Progress and the summary go to stderr; --json/--csv print one row per
    document on stdout (or per committee, with --list-committees). Exit 0 when
    nothing failed, 1 when some documents or listings failed or the run stopped
    early (what it fetched is kept), 2 on a usage error (an unknown committee,
    a bad date, a site of no known platform).

    \b
    Examples:
      boardpapers fetch https://democracy.example.gov.uk --list-committees
      boardpapers fetch https://democracy.example.gov.uk --committee "Audit" --from 2023-01-01 --ingest
      boardpapers fetch https://democracy.example.gov.uk/mgCommitteeDetails.aspx?ID=140 --from 2024 --out papers
      boardpapers fetch https://democracy.example.gov.uk --committee 140 --json > fetched.jsonl
    """
    from pipeline.fetch import CommitteeNotFound, FetchOptions, UnknownPlatform, fetch
    from pipeline.fetch import list_committees as listing
    from pipeline.fetch.render import (
        COMMITTEE_COLUMNS,
        OUTCOME_COLUMNS,
        committee_line,
        committee_row,
        outcome_row,
        summary_text,
    )
    from pipeline.search.query import parse_date_bound

    def date_option(name: str, value: str | None, upper: bool) -> Any:
        try:
            return parse_date_bound(value, upper=upper) if value else None
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date like 2023-01-31, 2023-01 or 2023", param_hint=name)

    start, end = date_option("--from", date_from, False), date_option("--to", date_to, True)
    if start and end and start > end:
        raise click.UsageError(f"--from {date_from} is after --to {date_to}")
    options = FetchOptions(delay=delay, timeout=timeout, retries=retries, backoff=backoff, max_requests=max_requests)
    try:
        if list_committees:
            site = listing(url, options=options)
            rows = [committee_row(c) for c in site.committees]
            if as_json:
                echo_jsonl(rows)
            elif as_csv:
                echo_csv(rows, COMMITTEE_COLUMNS)
            else:
                for c in site.committees:
                    click.echo(committee_line(c))
            log(f"{site.council} ({site.platform}, {site.site}): {len(site.committees)} committees")
            return
        with fetch_progress_bar() as update, progress_bar("ingesting") as ingest_update:
            summary = fetch(
                url,
                out_dir,
                committees=committees,
                date_from=start,
                date_to=end,
                council=council,
                options=options,
                ingest_into=index_dir if do_ingest else None,
                pdf_engine=pdf_engine,
                progress=update,
                ingest_progress=ingest_update,
            )
    except (CommitteeNotFound, UnknownPlatform) as exc:
        raise click.UsageError(str(exc)) from None
    rows = [outcome_row(o) for o in summary.outcomes]
    if as_json:
        echo_jsonl(rows)
    elif as_csv:
        echo_csv(rows, OUTCOME_COLUMNS)
    log(summary_text(summary))
    if summary.ingest is not None:
        from pipeline.output.render import ingest_summary_text

        log("ingest: " + ingest_summary_text(summary.ingest))
    failed = summary.failed or summary.stopped or (summary.ingest and summary.ingest.failed)
    sys.exit(1 if failed else 0)


@contextlib.contextmanager
def fetch_progress_bar() -> Iterator[Callable[[Any], None]]:
    """Progress of a fetch on stderr: a bar on a terminal (meetings, documents, bytes), else a line per document."""
    from pipeline.fetch.render import human_bytes

    if not sys.stderr.isatty():

        def line(state: Any) -> None:
            o = state.outcome
            if o is not None:
                where = o.path or o.url
                log(
                    f"[{state.meetings_done + 1}/{state.meetings_total} meetings] {o.status} {where}"
                    + (f": {o.reason}" if o.reason else "")
                )

        yield line
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("meetings"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[docs]}"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=None, docs="")

        def update(state: Any) -> None:
            docs = f"documents {state.documents_done}/{state.documents_total} · {human_bytes(state.bytes)}"
            bar.update(
                task,
                completed=state.meetings_done,
                total=state.meetings_total or None,
                docs=docs,
                description=state.message[:40],
            )

        yield update
