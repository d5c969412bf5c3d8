"""What every command shares: the click group, options, output on stdout, logs and errors on stderr."""

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
    INDEX_ENV,
    PDF_ENGINES,
    QUERY_HELP,
    VERSION,
)
from pipeline.errors import BoardpapersError, QueryError

DEFAULT_INDEX = DEFAULT_INDEX_DIR

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# ---------------------------------------------------------------- helpers


def pdf_engine_option(help_text: str) -> Callable[[Callable], Callable]:
    """``--pdf-engine``, one of the readers (:data:`pipeline.config.PDF_ENGINES`), none meaning the default."""
    return click.option("--pdf-engine", type=click.Choice(PDF_ENGINES), default=None, help=help_text)


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


#: Free bytes under which the index's disk counts as full when an ingest fails.
FULL_DISK_BYTES = 64 * 1024


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


#: search and trace --help: the query language, and how to give a query that starts with '-'.
CLI_QUERY_HELP = (
    QUERY_HELP
    + """\
  -- -a                      a query starting with - goes after --
                             (options before it: search --flat -- -a)
"""
)
