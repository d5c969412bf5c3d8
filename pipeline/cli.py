"""The ``boardpapers`` command line: a thin click layer over the library.

Each command parses its options, calls one library function and renders the
result. Data goes to stdout (a readable table, ``--json`` JSON Lines or
``--csv``); progress and logs go to stderr. Exit codes: 0 ok, 1 failure,
2 usage (including a malformed query).

Heavy engines (spaCy, Whoosh, pdfplumber) are imported inside the commands so
that ``boardpapers --help`` stays instant.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import functools
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import click

from pipeline.config import (
    DEFAULT_INDEX_DIR,
    DEFAULT_OCR_MODE,
    INDEX_ENV,
    MAX_LIMIT,
    MAX_PAGE,
    MAX_SECTIONS,
    OCR_MODES,
    QUERY_HELP,
    VERSION,
)
from pipeline.errors import BoardpapersError, QueryError

DEFAULT_INDEX = DEFAULT_INDEX_DIR

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# ---------------------------------------------------------------- helpers


def index_option(f: Callable) -> Callable:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=INDEX_ENV,
        default=DEFAULT_INDEX,
        show_default=True,
        help=f"Index directory (or set {INDEX_ENV}).",
    )(f)


def output_options(f: Callable) -> Callable:
    f = click.option("--csv", "as_csv", is_flag=True, help="Print CSV (with a header row).")(f)
    f = click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one object per line.")(f)
    return f


#: Report filters shared by search, trace (and similar): (option, dest, metavar, help), in help order.
REPORT_FILTERS: tuple[tuple[str, str, str, str], ...] = (
    ("--committee", "committee", "TEXT", "Only reports whose committee has all these words."),
    ("--council", "council", "TEXT", "Only reports whose council has all these words."),
    ("--officer", "officer", "TEXT", "Only reports whose reporting officer has all these words."),
    ("--from", "date_from", "DATE", "Meetings on or after this date (2017-01-01, 2017)."),
    ("--to", "date_to", "DATE", "Meetings on or before this date."),
    ("--quarter", "quarter", "2017/18-Q2", "Only reports about this quarter (or a year: 2017/18)."),
)


def filter_options(f: Callable) -> Callable:
    """The report filters (``--committee``, ``--council``, ``--officer``, ``--from``, ``--to``, ``--quarter``)."""
    for option, dest, metavar, help_ in reversed(REPORT_FILTERS):
        f = click.option(option, dest, metavar=metavar, help=help_)(f)
    return f


#: Python's stand-ins for the bytes of a file name that are not UTF-8 (surrogate escapes).
_UNDECODABLE = re.compile("[\udc80-\udcff]")
#: The codec error handler that prints such a byte as ``\xe9`` (as ``storable_path`` stores it).
PATH_ERRORS = "boardpapers-escape"


def _escape_undecodable(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else "\ufffd" for c in bad), exc.end


codecs.register_error(PATH_ERRORS, _escape_undecodable)


def _safe_streams() -> None:
    """stdout and stderr print a file name that is not UTF-8 (``caf\xe9.txt``) instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, io.UnsupportedOperation):
            stream.reconfigure(errors=PATH_ERRORS)  # type: ignore[union-attr]


#: Filters of a search beyond the report filters: (option, dest, metavar, help).
SEARCH_FILTERS: tuple[tuple[str, str, str, str], ...] = (
    ("--doc-type", "doc_type", "TYPE", "Only papers of this type (report, minutes, decision_notice, agenda_pack...)."),
    ("--section", "section", "KIND", "Only sections of this kind (recommendations, purpose...)."),
)


def search_filter_options(f: Callable) -> Callable:
    """Every filter of ``search`` (and ``watch add``): the report filters, ``--doc-type`` and ``--section``."""
    for option, dest, metavar, help_ in reversed(SEARCH_FILTERS):
        f = click.option(option, dest, metavar=metavar, help=help_)(f)
    return filter_options(f)


def filters_from(options: Mapping[str, Any]) -> Any:
    """The filters among a command's options (pipeline.search.filters.Filters)."""
    from pipeline.search.filters import Filters

    return Filters(**{k: options.get(k) for k in Filters().options()})


def echo_jsonl(rows: Iterable[Mapping[str, Any]]) -> None:
    out = sys.stdout
    for row in rows:
        line = json.dumps(row, ensure_ascii=False, default=str)
        # a name that is not UTF-8: its byte as the text \xe9 (valid JSON, as the index stores it)
        line = _UNDECODABLE.sub(lambda m: f"\\\\x{ord(m.group()) - 0xDC00:02x}", line)
        out.write(line + "\n")
    out.flush()


def echo_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in row.items()}
        )
    click.echo(buf.getvalue(), nl=False)


def log(message: str) -> None:
    """Progress and logs: stderr, never stdout."""
    click.echo(message, err=True)


#: The errors of a full disk (or a full quota).
NO_SPACE: frozenset[int] = frozenset({errno.ENOSPC, errno.EDQUOT})


def _os_reason(exc: OSError) -> str:
    """``no space left on device``: the system's words, as a reason."""
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def _output_failed(exc: OSError) -> None:
    """stdout could not be written: a reader that left (``| head``) ends the command quietly, as
    Unix tools do; anything else (a full disk) is a one-line error. Exit 1 either way.

    stdout is pointed at /dev/null first, so the data still buffered is not written (and does
    not fail) again as Python exits.
    """
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    if exc.errno != errno.EPIPE:
        click.echo(f"error: cannot write the output: {_os_reason(exc)}", err=True)
    sys.exit(1)


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError as exc:
        _output_failed(exc)


def handle_errors(f: Callable) -> Callable:
    """Turn our own errors into a one-line message and the documented exit code.

    stdout is flushed before the command ends, so a full disk or a closed pipe
    is reported (exit 1) rather than lost as Python exits.
    """

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _safe_streams()
        try:
            result = f(*args, **kwargs)
        except QueryError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except BoardpapersError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                _output_failed(exc)  # the reader of stdout has gone
            if exc.errno not in NO_SPACE:
                raise
            click.echo(f"error: {_os_reason(exc)}", err=True)
            sys.exit(1)
        except SystemExit:
            _flush_stdout()
            raise
        _flush_stdout()
        return result

    return wrapper


class QueryCommand(click.Command):
    """A command whose argument is a query: a query starting with ``-`` (``-budget``) is not an option.

    click reads a leading ``-`` as an option, and treating unknown ones as the
    query is unsafe (``-hospital`` holds ``-h``, the help option), so the query
    goes after ``--`` (``search --index DIR -- -budget``); an unknown option
    that is a single-dash word says so.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click consumes args as it parses
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            name = exc.option_name
            if name.startswith("-") and not name.startswith("--"):
                word = next((a for a in given if a.startswith(name)), name).replace("'", "'\\''")
                raise click.UsageError(
                    f"no such option: {name}. A query that starts with '-' goes after '--', "
                    f"the options before it: boardpapers {ctx.info_name} [OPTIONS] -- '{word}'",
                    ctx,
                ) from None
            raise


# ---------------------------------------------------------------- the group


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(VERSION, prog_name="boardpapers")
def cli() -> None:
    """Turn council board papers into structured records and a searchable archive.

    \b
    Examples:
      boardpapers parse corpus/pdf/000_6c94f2351dffe329.pdf
      boardpapers ingest corpus/
      boardpapers search '"foster carers"'
    """


# ---------------------------------------------------------------- parse


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_options
@click.option("--text/--no-text", "with_text", default=True, help="Include section text in JSON output.")
@click.option("--pdf-engine", type=click.Choice(["pdfplumber", "pdfium"]), default=None,
              help="PDF reader (default pdfplumber, or BOARDPAPERS_PDF_ENGINE); pdfium is faster, same fields.")
@click.option("--ocr", type=click.Choice(OCR_MODES), default=DEFAULT_OCR_MODE, show_default=True,
              help="OCR scanned PDFs (auto: only PDFs without a text layer; needs ocrmypdf and tesseract).")
@handle_errors
def parse_cmd(paths: tuple[Path, ...], as_json: bool, as_csv: bool, with_text: bool, pdf_engine: str | None,
              ocr: str) -> None:
    """Parse papers without indexing them; print one record per file.

    With --json, one line per file in order: a file that cannot be read gives
    {"source": {"path": ...}, "error": "<reason>"} and the exit code is 1.

    \b
    Examples:
      boardpapers parse corpus/seeds/000_6c94f2351dffe329.txt
      boardpapers parse corpus/pdf/*.pdf --json > records.jsonl
      boardpapers parse scan.pdf --ocr always
    """
    from pipeline.enrich.report import parse_paths
    from pipeline.output.export import REPORTS_COLUMNS, table_rows, with_parts, write_csv
    from pipeline.output.render import report_summary
    from pipeline.read.ocr import INSTALL_HINT, unavailable_reason

    if ocr == "always" and (missing := unavailable_reason()):
        raise click.UsageError(f"--ocr always needs OCR, but {missing}: {INSTALL_HINT}")
    failed = 0
    rows = []
    for path, result in parse_paths(paths, pdf_engine=pdf_engine, ocr=ocr):
        if isinstance(result, BoardpapersError):
            failed += 1
            log(f"error: {result}")
            if as_json:  # keep consumers aligned with their inputs: one line per file
                reason = getattr(result, "reason", None) or str(result)
                echo_jsonl([{"source": {"path": str(path)}, "error": reason}])
            continue
        data = result.to_dict()
        if not with_text:
            for s in data["sections"]:
                s.pop("text", None)
        if as_json:
            echo_jsonl([data])
        elif as_csv:
            rows.extend(table_rows(with_parts(result), "reports"))
        else:
            click.echo(report_summary(result))
    if as_csv:
        write_csv(rows, REPORTS_COLUMNS, sys.stdout)
    sys.exit(1 if failed else 0)


# ---------------------------------------------------------------- eval


@cli.command("eval")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("docdir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--min", "min_pct", type=click.FloatRange(0, 100), default=None,
              help="Exit 1 when overall accuracy is below this percentage.")
@click.option("--misses/--no-misses", default=True, show_default=True,
              help="List every miss (wrong or missing) on stderr.")
# The choices are pipeline.read.PDF_ENGINES, spelled out so --help stays light.
@click.option("--pdf-engine", type=click.Choice(["pdfplumber", "pdfium"]), default=None,
              help="PDF reader (default: $BOARDPAPERS_PDF_ENGINE, else pdfplumber).")
@output_options
@handle_errors
def eval_cmd(labels: Path, docdir: Path, min_pct: float | None, misses: bool, pdf_engine: str | None,
             as_json: bool, as_csv: bool) -> None:
    """Score the parser against labelled papers: per field and per council, wrong apart from missing.

    A value is WRONG when it differs from the label's, MISSING when none was
    given where the label has one; the wrong-rate is wrong values per hundred
    scored (a wrong value is worse than a missing one). --json prints the
    field rows, the council rows and an overall row ("table": fields,
    councils, overall); --csv the field table.

    \b
    Examples:
      boardpapers eval tests/data/seeds.jsonl corpus/
      boardpapers eval ../shared/labels/real-dev.jsonl ../shared/corpus/real --min 90
      boardpapers eval ../shared/labels/real-dev2.jsonl ../shared/corpus/real2 --json --no-misses
      boardpapers eval tests/data/seeds.jsonl corpus/ --pdf-engine pdfium
    """
    from pipeline.enrich.report import parse_file
    from pipeline.evaluate import evaluate

    result = evaluate(labels, docdir, progress=lambda p: log(f"parsing {p}"),
                      parse=lambda p: parse_file(p, pdf_engine=pdf_engine, entities=False))
    rows, councils, overall = result.rows(), result.council_rows(), result.overall_row()
    if as_json:
        echo_jsonl([*rows, *councils, overall])
    elif as_csv:
        echo_csv(rows, ["field", "right", "wrong", "missing", "total", "accuracy", "wrong_rate"])
    else:
        click.echo(f"{'field':<20}{'right':>10}{'accuracy':>9}{'wrong':>7}{'missing':>9}")
        for r in rows:
            click.echo(f"{r['field']:<20} {r['right']:>4}/{r['total']:<4} {r['accuracy']:7.1f}% "
                       f"{r['wrong']:>6} {r['missing']:>8}")
        click.echo(f"{'overall':<20} {overall['right']:>4}/{overall['total']:<4} {overall['accuracy']:7.1f}% "
                   f"{overall['wrong']:>6} {overall['missing']:>8}  ({result.papers} papers; "
                   f"wrong-rate {overall['wrong_rate']:.1f}%)")
        width = max([len("council"), *(len(c["council"]) for c in councils)])
        click.echo("")
        click.echo(f"{'council':<{width}} {'papers':>6} {'fields':>6} {'accuracy':>8} {'wrong':>6} {'missing':>8}")
        for c in councils:
            click.echo(f"{c['council']:<{width}} {c['papers']:>6} {c['total']:>6} {c['accuracy']:7.1f}% "
                       f"{c['wrong']:>6} {c['missing']:>8}")
    if misses:
        for m in result.misses:
            log(f"miss {m['paper']} {m['field']} ({m['kind']}): got {m['got']!r} expected {m['expected']!r}")
    for f in result.failed:
        log(f"failed: {f}")
    if min_pct is not None and result.overall < min_pct:
        log(f"error: accuracy {result.overall:.1f}% is below --min {min_pct:g}%")
        sys.exit(1)


# ---------------------------------------------------------------- ingest / search / show


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int, Any], None]]:
    """Progress on stderr; yields ``update(done, total, outcome)``.

    A bar on a terminal; otherwise (a log file, a pipe) one line per file:
    ``[3/20] indexed path``.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not sys.stderr.isatty():

        def line(done: int, total: int, outcome: Any) -> None:
            log(f"[{done}/{total}] {outcome.status} {outcome.path}")

        yield line
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, outcome: Any) -> None:
            bar.update(task, completed=done, total=total, description=f"{label} {Path(outcome.path).name}")

        yield update


from pipeline.index import DEFAULT_ENGINE, ENGINES  # noqa: E402 (Whoosh and tantivy load only when opened)
from pipeline.ingest import COMMIT_EVERY, LOCK_TIMEOUT, default_workers  # noqa: E402 (light: no engines imported)
from pipeline.ingest.cluster import INSTALL_HINT as DASK_INSTALL_HINT  # noqa: E402 (light: Dask loads when used)


@cli.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--ocr", type=click.Choice(OCR_MODES), default=DEFAULT_OCR_MODE, show_default=True,
              help="OCR scanned PDFs (auto: only PDFs without a text layer; needs ocrmypdf and tesseract).")
@click.option("--strict", is_flag=True, help="Stop at the first file that fails (what came before is kept).")
@click.option("--retry-failed", is_flag=True, help="Also try again every file that failed before (see `status`).")
@click.option("--lock-timeout", type=click.FloatRange(0), default=LOCK_TIMEOUT, show_default=True, metavar="SECONDS",
              help="How long to wait for another ingest into the same index.")
@click.option("--commit-every", type=click.IntRange(1), default=COMMIT_EVERY, show_default=True, metavar="N",
              help="Papers per commit: a crash loses at most this many.")
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help=f"Search engine of a new index (default {DEFAULT_ENGINE}); an existing index keeps its own.")
@click.option("--workers", type=click.IntRange(1), default=default_workers(), show_default=True, metavar="N",
              help="Processes parsing papers at once (default: the CPUs it may use; 1: parse in this process).")
# The choices are pipeline.read.PDF_ENGINES, spelled out so --help stays light.
@click.option("--pdf-engine", type=click.Choice(["pdfplumber", "pdfium"]), default=None,
              help="PDF reader (default: $BOARDPAPERS_PDF_ENGINE, else pdfplumber); pdfium is faster, same fields.")
@click.option("--dask", "dask_address", default=None, metavar="SCHEDULER",
              help="Parse on a Dask cluster: local:N (N local processes) or tcp://host:port; this process "
                   "commits. Needs pip install 'boardpapers[cluster]'. --workers is then ignored.")
@click.option("--ship-bytes", is_flag=True,
              help="With --dask: send each file's bytes to the workers (for workers that cannot see the files).")
@output_options
@handle_errors
def ingest_cmd(paths: tuple[Path, ...], index_dir: Path, ocr: str, strict: bool, retry_failed: bool,
               lock_timeout: float, commit_every: int, engine: str | None, workers: int, pdf_engine: str | None,
               dask_address: str | None, ship_bytes: bool, as_json: bool, as_csv: bool) -> None:
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
            summary = ingest(paths, index_dir, progress=update, parser=parser, workers=workers, strict=strict,
                             retry_failed=retry_failed, lock_timeout=lock_timeout, commit_every=commit_every,
                             on_wait=log, engine=engine, dask=dask_address,
                             ship_bytes=ship_bytes)
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
@click.option("--lock-timeout", type=click.FloatRange(0), default=LOCK_TIMEOUT, show_default=True, metavar="SECONDS",
              help="How long to wait for an ingest into the same index.")
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

    summary = reindex(index_dir, engine=engine, lock_timeout=lock_timeout, on_wait=log,
                      progress=lambda done: log(f"reindexing: {done} reports written"))
    row = {"index": summary.index, "old_engine": summary.old_engine, "engine": summary.engine,
           "papers": summary.papers, "reports": summary.reports, "sections": summary.sections}
    if as_json:
        echo_jsonl([row])
    elif as_csv:
        echo_csv([row], list(row))
    log(f"{summary.index}: {summary.old_engine} -> {summary.engine}, {summary.papers} papers, "
        f"{summary.reports} reports, {summary.sections} sections (the ledger kept)")


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
@click.option("--committee", "committees", multiple=True, metavar="NAME_OR_ID",
              help="A committee's id or name (all its words; repeatable). Default: every committee.")
@click.option("--from", "date_from", metavar="DATE", help="Meetings on or after this date (2023-01-01, 2023-01, 2023).")
@click.option("--to", "date_to", metavar="DATE", help="Meetings on or before this date.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_PAPERS,
              show_default=True, help="Folder for the papers: OUT/<council>/<committee>/<meeting date>/.")
@click.option("--council", metavar="NAME", help="The council's folder name (default: from the site's address).")
@click.option("--ingest", "do_ingest", is_flag=True, help="Ingest the run's papers into the index (--index).")
@index_option
@click.option("--list-committees", is_flag=True, help="Only list the site's committees (one request).")
@click.option("--delay", type=click.FloatRange(0), default=DEFAULT_DELAY, show_default=True, metavar="SECONDS",
              help="Pause between two requests to the site.")
@click.option("--timeout", type=click.FloatRange(0.1), default=DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS",
              help="Give up on an answer after this long (then retry).")
@click.option("--retries", type=click.IntRange(0), default=DEFAULT_RETRIES, show_default=True, metavar="N",
              help="Tries again after 429, 5xx, a time-out or a dropped connection.")
@click.option("--backoff", type=click.FloatRange(0), default=DEFAULT_BACKOFF, show_default=True, metavar="SECONDS",
              help="Wait before the first retry; twice as long before each next one (or what Retry-After asks).")
@click.option("--max-requests", type=click.IntRange(1), default=DEFAULT_MAX_REQUESTS, show_default=True, metavar="N",
              help="Requests to the site in one run at most; run again to carry on.")
@click.option("--pdf-engine", type=click.Choice(["pdfplumber", "pdfium"]), default=None,
              help="PDF reader for --ingest (default: $BOARDPAPERS_PDF_ENGINE, else pdfplumber).")
@output_options
@handle_errors
def fetch_cmd(url: str, committees: tuple[str, ...], date_from: str | None, date_to: str | None, out_dir: Path,
              council: str | None, do_ingest: bool, index_dir: Path, list_committees: bool, delay: float,
              timeout: float, retries: int, backoff: float, max_requests: int, pdf_engine: str | None, as_json: bool,
              as_csv: bool) -> None:
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
            summary = fetch(url, out_dir, committees=committees, date_from=start, date_to=end, council=council,
                            options=options, ingest_into=index_dir if do_ingest else None, pdf_engine=pdf_engine,
                            progress=update, ingest_progress=ingest_update)
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
                log(f"[{state.meetings_done + 1}/{state.meetings_total} meetings] {o.status} {where}"
                    + (f": {o.reason}" if o.reason else ""))

        yield line
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("meetings"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[docs]}"),
               TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=None, docs="")

        def update(state: Any) -> None:
            docs = f"documents {state.documents_done}/{state.documents_total} · {human_bytes(state.bytes)}"
            bar.update(task, completed=state.meetings_done, total=state.meetings_total or None, docs=docs,
                       description=state.message[:40])

        yield update


#: Free bytes under which the index's disk counts as full when an ingest fails.
FULL_DISK_BYTES = 64 * 1024


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


#: search and trace --help: the query language, and how to give a query that starts with '-'.
CLI_QUERY_HELP = QUERY_HELP + """\
  -- -a                      a query starting with - goes after --
                             (options before it: search --flat -- -a)
"""


@cli.command("search", cls=QueryCommand, epilog=CLI_QUERY_HELP)
@click.argument("query", required=False)
@index_option
@search_filter_options
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True,
              help="Reports per page (sections with --flat).")
@click.option("--page", type=click.IntRange(1, MAX_PAGE), default=1, show_default=True, help="Page of results.")
@click.option("--sections", type=click.IntRange(1, MAX_SECTIONS), default=3, show_default=True,
              help="Best sections shown per report.")
@click.option("--flat", is_flag=True, help="One result per section instead of grouping by report.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="Best match first (ties: newest), or newest first.")
@click.option("--facets", "facet_names", metavar="LIST",
              help="Also count the matching papers by these (council,committee,fy,quarter,section,doc_type or all).")
@click.option("--batch", "batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Run one query per row of this CSV (columns name, query, and filters) into one CSV of hits.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With --batch: write the CSV to FILE instead of stdout.")
@output_options
@handle_errors
def search_cmd(query: str | None, index_dir: Path, limit: int, page: int, sections: int, flat: bool, sort: str,
               facet_names: str | None, batch: Path | None, output: Path | None, as_json: bool, as_csv: bool,
               **filters: str | None) -> None:
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
        _search_batch(index_dir, batch, output, chosen, limit=limit, sort=sort, sections=sections, flat=flat,
                      as_json=as_json)
        return
    if query is None:
        raise click.UsageError("give a QUERY (or --batch FILE)")
    if output is not None:
        raise click.UsageError("-o FILE goes with --batch (redirect stdout for a single search)")
    from pipeline.output.searches import facets_text, left_out_text
    from pipeline.search.facets import facet_dimensions, faceted_search

    dimensions = facet_dimensions(facet_names) if facet_names else ()
    run = faceted_search(index_dir, query, facet_dimensions=dimensions, limit=limit, page=page, sort=sort,
                         sections=sections, flat=flat, **chosen.options())
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


def _search_batch(index_dir: Path, batch: Path, output: Path | None, defaults: Any, *, limit: int, sort: str,
                  sections: int, flat: bool, as_json: bool) -> None:
    """``search --batch``: read the rows, run them, write one table of hits."""
    from pipeline.output.render import HIT_COLUMNS
    from pipeline.output.searches import BATCH_COLUMNS, batch_rows
    from pipeline.search.batch import read_batch, run_batch

    queries, bad = read_batch(batch)
    result = run_batch(index_dir, queries, defaults=defaults, read_errors=bad, limit=limit, sort=sort,
                       sections=sections, flat=flat)
    with (open(output, "w", encoding="utf-8", newline="") if output else contextlib.nullcontext(sys.stdout)) as out:
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
    log(f"watch {watch.name} added: {watch.query} {watch.filters.describe()}".rstrip()
        + f" (run it: boardpapers watch run {watch.name})")


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
@click.option("--min-similarity", type=click.FloatRange(0, 100), default=55.0, show_default=True,
              help="With a RECOMMENDATION_ID: how alike (0-100) a recommendation must be to be listed.")
@output_options
@handle_errors
def trace_cmd(query_or_id: str, index_dir: Path, committee: str | None, council: str | None, officer: str | None,
              date_from: str | None, date_to: str | None, quarter: str | None, min_similarity: float, as_json: bool,
              as_csv: bool) -> None:
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

    result = trace_decided(index_dir, query_or_id, committee=committee, officer=officer, date_from=date_from,
                           date_to=date_to, quarter=quarter, min_similarity=min_similarity, council=council)
    if as_json:
        echo_jsonl(trace_rows(result))
    elif as_csv:
        echo_csv(trace_rows(result), TRACE_COLUMNS)
    elif result.lineages:
        click.echo(trace_text(result))
    log(f"{sum(len(l.entries) for l in result.lineages)} recommendations in {len(result.lineages)} lineages")


@cli.command("similar")
@click.argument("text", required=False)
@click.option("--file", "file", type=click.File("r", encoding="utf-8"), help="Read the text from this file.")
@index_option
@filter_options
@click.option("--section", metavar="KIND", help="Only sections of this kind (recommendations, purpose...).")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True, help="Passages shown.")
@output_options
@handle_errors
def similar_cmd(text: str | None, file: Any, index_dir: Path, committee: str | None, council: str | None,
                officer: str | None, date_from: str | None, date_to: str | None, quarter: str | None,
                section: str | None, limit: int, as_json: bool, as_csv: bool) -> None:
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
    hits = similar(index_dir, text or "", section=section, committee=committee, officer=officer, date_from=date_from,
                   date_to=date_to, quarter=quarter, council=council, limit=limit)
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


# ---------------------------------------------------------------- export

# The tables and formats are choices: their light module is read at startup.
from pipeline.output.export import FORMATS as EXPORT_FORMATS  # noqa: E402
from pipeline.output.export import TABLES as EXPORT_TABLES  # noqa: E402


@cli.command("export")
@index_option
@click.option("--what", type=click.Choice(EXPORT_TABLES), required=True,
              help="The table: one row per report, section, recommendation, entity, warning or decision.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default=None,
              help="File format  [default: from -o FILE's suffix, else csv]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of stdout (required for parquet).")
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
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every network this machine is on).")
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
        raise click.UsageError(f"the web page needs the web extra ({exc.name} is missing): "
                               "pip install -e '.[web]'") from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        log(f"warning: listening on {host}: anyone who can reach this machine can read the archive")
    log(f"serving the archive in {index_dir} at http://{host}:{port}/ (Ctrl-C to stop)")
    serve(index_dir, host=host, port=port)


def main() -> None:
    cli(prog_name="boardpapers")


if __name__ == "__main__":  # pragma: no cover
    main()
