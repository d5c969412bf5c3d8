"""The ``boardpapers`` command line: a thin click layer over the library.

Each command parses its options, calls one library function and renders the
result. Data goes to stdout (a readable table, ``--json`` JSON Lines or
``--csv``); progress and logs go to stderr. Exit codes: 0 ok, 1 failure,
2 usage (including a malformed query).

Heavy engines (spaCy, Whoosh, pdfplumber) are imported inside the commands so
that ``boardpapers --help`` stays instant.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import click

from pipeline import __version__
from pipeline.errors import BoardpapersError, QueryError

#: Environment variable naming the index directory.
INDEX_ENV = "BOARDPAPERS_INDEX"
#: Index directory used when neither --index nor BOARDPAPERS_INDEX is given.
DEFAULT_INDEX = "index"

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


def echo_jsonl(rows: Iterable[Mapping[str, Any]]) -> None:
    out = click.get_text_stream("stdout")
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
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


def handle_errors(f: Callable) -> Callable:
    """Turn our own errors into a one-line message and the documented exit code."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except QueryError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except BoardpapersError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper


# ---------------------------------------------------------------- the group


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="boardpapers")
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
@handle_errors
def parse_cmd(paths: tuple[Path, ...], as_json: bool, as_csv: bool, with_text: bool) -> None:
    """Parse papers without indexing them; print one record per file.

    \b
    Examples:
      boardpapers parse corpus/seeds/000_6c94f2351dffe329.txt
      boardpapers parse corpus/pdf/*.pdf --json > records.jsonl
    """
    from pipeline.parse import parse_paths
    from pipeline.render import report_summary, report_row, REPORT_COLUMNS

    failed = 0
    rows = []
    for path, result in parse_paths(paths):
        if isinstance(result, BoardpapersError):
            failed += 1
            log(f"error: {result}")
            continue
        data = result.to_dict()
        if not with_text:
            for s in data["sections"]:
                s.pop("text", None)
        if as_json:
            echo_jsonl([data])
        elif as_csv:
            rows.append(report_row(result))
        else:
            click.echo(report_summary(result))
    if as_csv:
        echo_csv(rows, REPORT_COLUMNS)
    sys.exit(1 if failed else 0)


# ---------------------------------------------------------------- eval


@cli.command("eval")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("docdir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--min", "min_pct", type=click.FloatRange(0, 100), default=None,
              help="Exit 1 when overall accuracy is below this percentage.")
@click.option("--misses/--no-misses", default=True, show_default=True, help="List every miss.")
@output_options
@handle_errors
def eval_cmd(labels: Path, docdir: Path, min_pct: float | None, misses: bool, as_json: bool, as_csv: bool) -> None:
    """Score the parser against labelled papers: per-field accuracy and each miss.

    \b
    Examples:
      boardpapers eval tests/data/seeds.jsonl corpus/
      boardpapers eval ../shared/labels/real-dev.jsonl ../shared/corpus/real --min 90
    """
    from pipeline.evaluate import evaluate

    result = evaluate(labels, docdir, progress=lambda p: log(f"parsing {p}"))
    rows = result.rows()
    if as_json:
        echo_jsonl(rows + [{"field": "overall", "accuracy": round(result.overall, 1), "papers": result.papers}])
    elif as_csv:
        echo_csv(rows, ["field", "right", "total", "accuracy"])
    else:
        for r in rows:
            click.echo(f"{r['field']:<20} {r['right']:>4}/{r['total']:<4} {r['accuracy']:6.1f}%")
        click.echo(f"{'overall':<20} {'':>9} {result.overall:6.1f}%  ({result.papers} papers)")
    if misses:
        for m in result.misses:
            log(f"miss {m['paper']} {m['field']}: got {m['got']!r} expected {m['expected']!r}")
    for f in result.failed:
        log(f"failed: {f}")
    if min_pct is not None and result.overall < min_pct:
        log(f"error: accuracy {result.overall:.1f}% is below --min {min_pct:g}%")
        sys.exit(1)


def main() -> None:
    cli(prog_name="boardpapers")


if __name__ == "__main__":  # pragma: no cover
    main()
