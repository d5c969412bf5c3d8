"""Commands that read the archive: search, show, watch, trace, similar, stats."""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from pathlib import Path
from typing import Any

import click

from pipeline.cli._common import (
    CLI_QUERY_HELP,
    QueryCommand,
    cli,
    echo_csv,
    echo_jsonl,
    filter_options,
    filters_from,
    handle_errors,
    index_option,
    log,
    output_options,
    search_filter_options,
)
from pipeline.config import (
    MAX_LIMIT,
    MAX_PAGE,
    MAX_SECTIONS,
)


@cli.command("search", cls=QueryCommand, epilog=CLI_QUERY_HELP)
@click.argument("query", required=False)
@index_option
@search_filter_options
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    default=10,
    show_default=True,
    help="Reports per page (sections with --flat).",
)
@click.option("--page", type=click.IntRange(1, MAX_PAGE), default=1, show_default=True, help="Page of results.")
@click.option(
    "--sections",
    type=click.IntRange(1, MAX_SECTIONS),
    default=3,
    show_default=True,
    help="Best sections shown per report.",
)
@click.option("--flat", is_flag=True, help="One result per section instead of grouping by report.")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Best match first (ties: newest), or newest first.",
)
@click.option(
    "--facets",
    "facet_names",
    metavar="LIST",
    help="Also count the matching papers by these (council,committee,fy,quarter,section,doc_type or all).",
)
@click.option(
    "--batch",
    "batch",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Run one query per row of this CSV (columns name, query, and filters) into one CSV of hits.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --batch: write the CSV to FILE instead of stdout.",
)
@output_options
@handle_errors
def search_cmd(
    query: str | None,
    index_dir: Path,
    limit: int,
    page: int,
    sections: int,
    flat: bool,
    sort: str,
    facet_names: str | None,
    batch: Path | None,
    output: Path | None,
    as_json: bool,
    as_csv: bool,
    **filters: str | None,
) -> None:
    """Search the indexed papers' sections; hits show report, section, date, page and a snippet.

    Results are grouped by report (its best --sections sections) unless --flat.
    --json prints one object per hit (report_id, path, section, page,
    meeting_date, score, snippet with matches in [[ ]]). --facets also counts
    the matching papers by council, committee, financial year (fy), quarter,
    section kind or doc type: after the hits, or with --json as one last
    object {"facets": ...}, or with --csv on stderr. A filter on a field a
    paper may not have (a date, committee, council, officer, quarter) says on
    stderr how many papers it left out for having none. A malformed query is
    a one-line error and exit 2.

    --batch FILE runs one search per row of a CSV whose header names the
    columns: query, name, and any of committee, council, officer, doc_type,
    section, from, to, quarter (a row's value overrides the same option given
    here); it writes one CSV of every hit (or --json), each starting with its
    query's row number (1: the first row under the header), name and query.
    A bad row is reported on stderr with its row number and the batch goes on
    (exit 1 at the end).

    \b
    Examples:
      boardpapers search '"foster carers"'
      boardpapers search performance --section recommendations --from 2017-01-01
      boardpapers search 'recruit* AND committee:children' --flat --json
      boardpapers search budget --council halton --doc-type report --facets council,committee,fy
      boardpapers search --batch queries.csv --flat --limit 50 -o hits.csv
    """
    from pipeline.output.render import HIT_COLUMNS, search_page_rows, search_page_summary, search_page_text

    chosen = filters_from(filters)
    if batch is not None:
        if query is not None:
            raise click.UsageError("give a QUERY or --batch FILE, not both")
        _search_batch(
            index_dir, batch, output, chosen, limit=limit, sort=sort, sections=sections, flat=flat, as_json=as_json
        )
        return
    if query is None:
        raise click.UsageError("give a QUERY (or --batch FILE)")
    if output is not None:
        raise click.UsageError("-o FILE goes with --batch (redirect stdout for a single search)")
    from pipeline.output.searches import facets_text, left_out_text
    from pipeline.search.facets import facet_dimensions, faceted_search

    dimensions = facet_dimensions(facet_names) if facet_names else ()
    run = faceted_search(
        index_dir,
        query,
        facet_dimensions=dimensions,
        limit=limit,
        page=page,
        sort=sort,
        sections=sections,
        flat=flat,
        **chosen.options(),
    )
    result = run.page
    if as_json:
        echo_jsonl(search_page_rows(result) + ([run.summary()] if dimensions else []))
    elif as_csv:
        echo_csv(search_page_rows(result), HIT_COLUMNS)
        if dimensions:
            log(facets_text(run))
    else:
        if result.hits:
            click.echo(search_page_text(result))
        if dimensions:
            click.echo(("\n" if result.hits else "") + facets_text(run))
    log(search_page_summary(result))
    if note := left_out_text(run.left_out):
        log(note)


def _search_batch(
    index_dir: Path,
    batch: Path,
    output: Path | None,
    defaults: Any,
    *,
    limit: int,
    sort: str,
    sections: int,
    flat: bool,
    as_json: bool,
) -> None:
    """``search --batch``: read the rows, run them, write one table of hits."""
    from pipeline.output.render import HIT_COLUMNS
    from pipeline.output.searches import BATCH_COLUMNS, batch_rows
    from pipeline.search.batch import read_batch, run_batch

    queries, bad = read_batch(batch)
    result = run_batch(
        index_dir, queries, defaults=defaults, read_errors=bad, limit=limit, sort=sort, sections=sections, flat=flat
    )
    with open(output, "w", encoding="utf-8", newline="") if output else contextlib.nullcontext(sys.stdout) as out:
        rows = batch_rows(result)
        if as_json:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        else:
            columns = list(BATCH_COLUMNS + HIT_COLUMNS)
            writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    for e in result.errors:
        log(f"error: row {e.row} ({e.name}): {e.message}")
    log(result.summary() + (f" written to {output}" if output else ""))
    sys.exit(1 if result.errors else 0)


@cli.command("show")
@click.argument("report_id")
@index_option
@output_options
@handle_errors
def show_cmd(report_id: str, index_dir: Path, as_json: bool, as_csv: bool) -> None:
    """Print one indexed report's record (a unique start of its id is enough).

    Each recommendation is followed by what its meeting decided (agreed as
    recommended, agreed with amendment, deferred, rejected, not found), cited
    to the minutes or decision notice in the index that record it; minutes
    list the decisions they record.

    \b
    Examples:
      boardpapers show 002_03db5c2531a68c69-
      boardpapers show 002_03 --json
    """
    from pipeline.output.export import REPORTS_COLUMNS, table_rows, with_parts, write_csv
    from pipeline.output.render import outcome_rows, report_summary
    from pipeline.search.decisions import show_decided

    shown = show_decided(index_dir, report_id)
    report = shown.report
    if as_json:
        echo_jsonl([{**report.to_dict(), "outcomes": outcome_rows(shown.outcomes)}])
    elif as_csv:
        write_csv(table_rows(with_parts(report), "reports"), REPORTS_COLUMNS, sys.stdout)
    else:
        click.echo(report_summary(report, {o.recommendation_id: o for o in shown.outcomes}))


# ---------------------------------------------------------------- watch


@cli.group("watch")
def watch_group() -> None:
    """Saved searches that come back: `watch run` prints the hits new since each watch last ran.

    A watch is a query with the filters of `search`, saved in the index folder
    (watches.json). A hit is new when its section (report id and section) was
    not among the watch's hits at its last run; the first run prints every
    hit. Suited to cron: `watch run` prints nothing and exits 0 when nothing
    is new.

    \b
    Examples:
      boardpapers watch add fostering '"foster carers"' --committee children
      boardpapers watch list
      boardpapers watch run                      # every watch
      boardpapers watch run fostering --csv >> fostering.csv
      boardpapers watch remove fostering
    """


@watch_group.command("add", cls=QueryCommand)
@click.argument("name")
@click.argument("query")
@index_option
@search_filter_options
@click.option("--replace", "replace_existing", is_flag=True, help="Replace a watch of the same name (its history too).")
@handle_errors
def watch_add_cmd(name: str, query: str, index_dir: Path, replace_existing: bool, **filters: str | None) -> None:
    """Save a search as watch NAME (letters, digits, '.', '_', '-'); nothing is run yet.

    \b
    Examples:
      boardpapers watch add fostering '"foster carers"'
      boardpapers watch add budgets 'budget OR savings' --section financial_implications --from 2017
    """
    from pipeline.search.watch import add_watch

    watch = add_watch(index_dir, name, query, filters_from(filters), replace_existing=replace_existing)
    log(
        f"watch {watch.name} added: {watch.query} {watch.filters.describe()}".rstrip()
        + f" (run it: boardpapers watch run {watch.name})"
    )


@watch_group.command("list")
@index_option
@output_options
@handle_errors
def watch_list_cmd(index_dir: Path, as_json: bool, as_csv: bool) -> None:
    """List the watches: name, query, filters, last run and hits seen then.

    \b
    Examples:
      boardpapers watch list
      boardpapers watch list --json
    """
    from pipeline.search.watch import list_watches

    watches = list_watches(index_dir)
    rows = [w.to_dict() for w in watches]
    if as_json:
        echo_jsonl(rows)
    elif as_csv:
        echo_csv(rows, ["name", "query", "filters", "created", "last_run", "runs", "seen"])
    else:
        for w in watches:
            last = f"last run {w.last_run}, {w.seen} hits" if w.last_run else "never run"
            click.echo(f"{w.name:<16} {w.query} {w.filters.describe()}".rstrip() + f"  ({last})")
    log(f"{len(watches)} watches")


@watch_group.command("remove")
@click.argument("name")
@index_option
@handle_errors
def watch_remove_cmd(name: str, index_dir: Path) -> None:
    """Delete watch NAME and what it has seen.

    \b
    Examples:
      boardpapers watch remove fostering
    """
    from pipeline.search.watch import remove_watch

    log(f"watch {remove_watch(index_dir, name).name} removed")


@watch_group.command("run")
@click.argument("name", required=False)
@index_option
@click.option("--dry-run", is_flag=True, help="Print what is new without recording it (the next run shows it again).")
@output_options
@handle_errors
def watch_run_cmd(name: str | None, index_dir: Path, dry_run: bool, as_json: bool, as_csv: bool) -> None:
    """Print the hits new since each watch (or watch NAME) last ran, and record them as seen.

    One row per new hit, the watch's name first (--json, --csv: the columns
    of `search --flat` after "watch"), newest meetings first; a line per watch
    on stderr. Exit 0 (nothing printed when nothing is new), 1 when a watch
    could not run (the others still do).

    \b
    Examples:
      boardpapers watch run
      boardpapers watch run fostering --json
      0 7 * * 1  boardpapers watch run --index /data/bp-index --json >> /data/new-hits.jsonl
    """
    from pipeline.output.render import HIT_COLUMNS
    from pipeline.output.searches import WATCH_COLUMNS, watch_rows, watch_summary, watch_text
    from pipeline.search.watch import run_watches

    run = run_watches(index_dir, name, record=not dry_run)
    if as_json:
        echo_jsonl(watch_rows(run))
    elif as_csv:
        if run.new:
            echo_csv(watch_rows(run), [*WATCH_COLUMNS, *HIT_COLUMNS])
    elif run.new:
        click.echo(watch_text(run))
    for line in watch_summary(run):
        log(line)
    sys.exit(1 if run.errors else 0)


# ---------------------------------------------------------------- trace / similar / stats


@cli.command("trace", cls=QueryCommand, epilog=CLI_QUERY_HELP)
@click.argument("query_or_id", metavar="QUERY|RECOMMENDATION_ID")
@index_option
@filter_options
@click.option(
    "--min-similarity",
    type=click.FloatRange(0, 100),
    default=55.0,
    show_default=True,
    help="With a RECOMMENDATION_ID: how alike (0-100) a recommendation must be to be listed.",
)
@output_options
@handle_errors
def trace_cmd(
    query_or_id: str,
    index_dir: Path,
    committee: str | None,
    council: str | None,
    officer: str | None,
    date_from: str | None,
    date_to: str | None,
    quarter: str | None,
    min_similarity: float,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Follow recommendations across reports: those matching a query, or worded like one recommendation.

    Near-identical wordings form one lineage, listed in meeting-date order with
    committee, officer, quarter and similarity (0-100), and what each one's
    meeting decided (its outcome, cited to the minutes). A recommendation id is
    REPORT_ID#rN (N-th recommendation; a unique start of the report id will do),
    as printed by this command.

    \b
    Examples:
      boardpapers trace '"performance management report"'
      boardpapers trace 003_8f5a895c28ad9ad1-76a6580b#r1
      boardpapers trace 'receive AND quarter' --from 2017 --csv
    """
    from pipeline.output.render import TRACE_COLUMNS, trace_rows, trace_text
    from pipeline.search.decisions import trace_decided

    result = trace_decided(
        index_dir,
        query_or_id,
        committee=committee,
        officer=officer,
        date_from=date_from,
        date_to=date_to,
        quarter=quarter,
        min_similarity=min_similarity,
        council=council,
    )
    if as_json:
        echo_jsonl(trace_rows(result))
    elif as_csv:
        echo_csv(trace_rows(result), TRACE_COLUMNS)
    elif result.lineages:
        click.echo(trace_text(result))
    log(f"{sum(len(line.entries) for line in result.lineages)} recommendations in {len(result.lineages)} lineages")


@cli.command("similar")
@click.argument("text", required=False)
@click.option("--file", "file", type=click.File("r", encoding="utf-8"), help="Read the text from this file.")
@index_option
@filter_options
@click.option("--section", metavar="KIND", help="Only sections of this kind (recommendations, purpose...).")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True, help="Passages shown.")
@output_options
@handle_errors
def similar_cmd(
    text: str | None,
    file: Any,
    index_dir: Path,
    committee: str | None,
    council: str | None,
    officer: str | None,
    date_from: str | None,
    date_to: str | None,
    quarter: str | None,
    section: str | None,
    limit: int,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Find passages in earlier papers worded most like TEXT (or --file, or stdin).

    Each matching section is scored by its paragraph (or few consecutive
    paragraphs) worded most like the text: similarity 0-100 (shared wording,
    stemmed, in any order), cited by the page and line where that passage
    begins (p.2 l.60; --json: page, line), the shared words marked.

    \b
    Examples:
      boardpapers similar 'improve the supply of local foster carers'
      boardpapers similar --file draft.txt --section recommendations
      boardpapers similar 'supply of foster carers' --committee children --from 2008 --to 2012
      boardpapers similar 'supply of foster carers' --council halton --section summary
      pbpaste | boardpapers similar --json
    """
    from pipeline.output.render import HIT_COLUMNS, similar_rows, similar_text
    from pipeline.search import similar

    if file is not None:
        text = file.read()
    elif text in (None, "-"):
        stdin = sys.stdin
        if text is None and stdin.isatty():
            raise click.UsageError("give TEXT, --file FILE, or text on stdin")
        text = stdin.read()
    hits = similar(
        index_dir,
        text or "",
        section=section,
        committee=committee,
        officer=officer,
        date_from=date_from,
        date_to=date_to,
        quarter=quarter,
        council=council,
        limit=limit,
    )
    if as_json:
        echo_jsonl(similar_rows(hits))
    elif as_csv:
        echo_csv(similar_rows(hits), HIT_COLUMNS)
    elif hits:
        click.echo(similar_text(hits))
    log(f"{len(hits)} similar passages")


@cli.command("stats")
@index_option
@output_options
@handle_errors
def stats_cmd(index_dir: Path, as_json: bool, as_csv: bool) -> None:
    """Count the indexed reports by council, committee, financial year and quarter; doc types; warnings.

    \b
    Examples:
      boardpapers stats
      boardpapers stats --csv > archive-stats.csv
    """
    from pipeline.output.render import STATS_COLUMNS, stats_rows, stats_text
    from pipeline.search import stats

    result = stats(index_dir)
    if as_json:
        echo_jsonl(stats_rows(result))
    elif as_csv:
        echo_csv(stats_rows(result), STATS_COLUMNS)
    else:
        click.echo(stats_text(result))
