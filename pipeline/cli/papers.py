"""Commands on papers without an archive: parse, eval."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pipeline.cli._common import (
    cli,
    echo_csv,
    echo_jsonl,
    handle_errors,
    log,
    output_options,
    pdf_engine_option,
)
from pipeline.config import (
    DEFAULT_OCR_MODE,
    OCR_MODES,
)
from pipeline.errors import BoardpapersError

# ---------------------------------------------------------------- parse


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_options
@click.option("--text/--no-text", "with_text", default=True, help="Include section text in JSON output.")
@pdf_engine_option("PDF reader (default pdfplumber, or BOARDPAPERS_PDF_ENGINE); pdfium is faster, same fields.")
@click.option(
    "--ocr",
    type=click.Choice(OCR_MODES),
    default=DEFAULT_OCR_MODE,
    show_default=True,
    help="OCR scanned PDFs (auto: only PDFs without a text layer; needs ocrmypdf and tesseract).",
)
@handle_errors
def parse_cmd(
    paths: tuple[Path, ...], as_json: bool, as_csv: bool, with_text: bool, pdf_engine: str | None, ocr: str
) -> None:
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
    rows: list[dict[str, Any]] = []
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
@click.option(
    "--min",
    "min_pct",
    type=click.FloatRange(0, 100),
    default=None,
    help="Exit 1 when overall accuracy is below this percentage.",
)
@click.option(
    "--misses/--no-misses", default=True, show_default=True, help="List every miss (wrong or missing) on stderr."
)
@pdf_engine_option("PDF reader (default: $BOARDPAPERS_PDF_ENGINE, else pdfplumber).")
@output_options
@handle_errors
def eval_cmd(
    labels: Path, docdir: Path, min_pct: float | None, misses: bool, pdf_engine: str | None, as_json: bool, as_csv: bool
) -> None:
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

    result = evaluate(
        labels,
        docdir,
        progress=lambda p: log(f"parsing {p}"),
        parse=lambda p: parse_file(p, pdf_engine=pdf_engine, entities=False),
    )
    rows, councils, overall = result.rows(), result.council_rows(), result.overall_row()
    if as_json:
        echo_jsonl([*rows, *councils, overall])
    elif as_csv:
        echo_csv(rows, ["field", "right", "wrong", "missing", "total", "accuracy", "wrong_rate"])
    else:
        click.echo(f"{'field':<20}{'right':>10}{'accuracy':>9}{'wrong':>7}{'missing':>9}")
        for r in rows:
            click.echo(
                f"{r['field']:<20} {r['right']:>4}/{r['total']:<4} {r['accuracy']:7.1f}% "
                f"{r['wrong']:>6} {r['missing']:>8}"
            )
        click.echo(
            f"{'overall':<20} {overall['right']:>4}/{overall['total']:<4} {overall['accuracy']:7.1f}% "
            f"{overall['wrong']:>6} {overall['missing']:>8}  ({result.papers} papers; "
            f"wrong-rate {overall['wrong_rate']:.1f}%)"
        )
        width = max([len("council"), *(len(c["council"]) for c in councils)])
        click.echo("")
        click.echo(f"{'council':<{width}} {'papers':>6} {'fields':>6} {'accuracy':>8} {'wrong':>6} {'missing':>8}")
        for c in councils:
            click.echo(
                f"{c['council']:<{width}} {c['papers']:>6} {c['total']:>6} {c['accuracy']:7.1f}% "
                f"{c['wrong']:>6} {c['missing']:>8}"
            )
    if misses:
        for m in result.misses:
            log(f"miss {m['paper']} {m['field']} ({m['kind']}): got {m['got']!r} expected {m['expected']!r}")
    for f in result.failed:
        log(f"failed: {f}")
    if min_pct is not None and result.overall < min_pct:
        log(f"error: accuracy {result.overall:.1f}% is below --min {min_pct:g}%")
        sys.exit(1)
