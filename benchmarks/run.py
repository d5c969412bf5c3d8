"""Benchmarks on a synthetic archive: parse, ingest and search speed, index size, memory.

    python benchmarks/run.py [--papers 1000] [--pdf-share 0.3] [--seed 1] [--sample-pdfs 300]
                             [--workers N] [--index-engine whoosh|tantivy] [--repeat 30] [--quick] [--json]
                             [--workdir DIR] [--keep] [--sections N[,M...]] [--sections-only]

Generates an archive with ``benchmarks/generate.py`` and measures, printing a
table (or one JSON object with ``--json``):

* parse throughput in PDF pages per second over the same sample of PDFs, in one
  process and in ``--workers`` processes: pdfplumber's plain ``page.extract_text()``
  (the floor any pdfplumber-based parse pays), ``read_lines`` (the reader alone)
  and ``parse_file`` (reader + structural parse, entities off) with each PDF
  engine, and the text papers in papers per second;
* ingest throughput (``pipeline.ingest.ingest``, default parser with entities)
  with each PDF engine, at ``workers=1`` (parsing in the writing process) and
  at ``--workers`` parsing processes side by side, and the index's size on disk;
* search latency p50/p95 through the library API (``pipeline.search.search``,
  which opens the index per call) for a word, a phrase, and a word with a date range;
* wall time of ``boardpapers --help`` and of a one-shot ``boardpapers search``;
* peak memory (max RSS) of every step, each run in a fresh interpreter;
* with ``--sections N[,M]``: ``benchmarks/index_scale.py`` at each size with
  ``--index-engine`` (an index of N synthetic sections written through the
  Index seam: build rate, size, writer RSS, p50/p95 of a word, a phrase, a
  date-range filter, ``trace`` and ``similar``); ``--sections-only`` skips
  the archive steps.

The default run (1000 papers, 300 PDFs sampled for the pdfplumber steps) takes
about seven minutes on two cores; ``--papers 10000`` about 45 minutes, most of
it ingesting. ``--quick`` cuts repeats for smoke tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

HERE = Path(__file__).resolve().parent
#: PDFs parsed by the throughput steps when not given (keeps pdfplumber's share of the run bounded).
DEFAULT_SAMPLE_PDFS = 300
#: Timed repeats of each search query (after one untimed warm-up).
DEFAULT_SEARCH_REPEATS = 30
#: Runs of each CLI command timed (the median is reported).
CLI_REPEATS = 5
#: Files a worker takes at a time in the multi-process steps.
CHUNK_SIZE = 2
#: The queries timed: (name, query text, keyword options of pipeline.search.search).
SEARCH_QUERIES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("word", "budget", {}),
    ("phrase", '"public consultation"', {}),
    ("word + date range", "consultation", {"date_from": "2012-01-01", "date_to": "2018-12-31"}),
)
#: Word searched by the one-shot CLI run.
CLI_SEARCH_WORD = "budget"
#: PDF engines measured, in display order.
ENGINES: tuple[str, ...] = ("pdfplumber", "pdfium")
#: The throughput rows: (kind, engine, label). ``read`` is read_lines alone (the
#: reader), ``parse`` is parse_file without entities (reader + structural parse).
THROUGHPUT_ROWS: tuple[tuple[str, str, str], ...] = (
    ("extract_text", "pdfplumber", "pdfplumber extract_text()"),
    *(("read", e, f"read_lines, pdf engine {e}") for e in ENGINES),
    *(("parse", e, f"parse, pdf engine {e}") for e in ENGINES),
)


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"boardpapers_benchmarks_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _load_generate() -> Any:
    return _load("generate")


def _maxrss_mb(who: int) -> float:
    """Peak resident memory in MB (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(who).ru_maxrss
    return round(rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024, 1)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# ---------------------------------------------------------------- steps (each runs in a fresh interpreter)


def _extract_text(path: str) -> int:
    """pdfplumber's plain text of every page; returns the page count."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        n = 0
        for page in pdf.pages:
            page.extract_text()
            page.close()
            n += 1
    return n


def _parse(path: str, engine: str) -> int:
    from pipeline.enrich.report import parse_file

    return parse_file(path, pdf_engine=engine, entities=False).source.pages


def _read(path: str, engine: str) -> int:
    from pipeline.read import read_lines

    return read_lines(path, pdf_engine=engine).source.pages


def _work(kind: str, engine: str, path: str) -> int:
    if kind == "extract_text":
        return _extract_text(path)
    return _read(path, engine) if kind == "read" else _parse(path, engine)


def _work_item(item: tuple[str, str, str]) -> int:
    return _work(*item)


def _warm(kind: str, engine: str, path: str) -> None:
    """Import the engines and parse one file, so timings exclude start-up."""
    _work(kind, engine, path)


def _ready(_: int) -> int:
    time.sleep(0.2)
    return os.getpid()


def step_throughput(kind: str, engine: str, files: list[str], workers: int) -> dict[str, Any]:
    """Pages per second over ``files`` (``kind``: extract_text | read | parse)."""
    if not files:
        return {"files": 0, "pages": 0, "seconds": 0.0, "pages_per_s": None}
    if workers <= 1:
        _warm(kind, engine, files[0])
        start = time.perf_counter()
        pages = sum(_work(kind, engine, f) for f in files)
        seconds = time.perf_counter() - start
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")  # this interpreter has loaded no engine yet
        with ctx.Pool(workers, initializer=_warm, initargs=(kind, engine, files[0])) as pool:
            pool.map(_ready, range(workers), chunksize=1)  # every worker is up and warm
            start = time.perf_counter()
            items = [(kind, engine, f) for f in files]
            pages = sum(pool.imap_unordered(_work_item, items, chunksize=CHUNK_SIZE))
            seconds = time.perf_counter() - start
    return {
        "files": len(files),
        "pages": pages,
        "seconds": round(seconds, 3),
        "pages_per_s": round(pages / seconds, 1) if seconds else None,
        "papers_per_s": round(len(files) / seconds, 1) if seconds else None,
    }


def step_ingest(
    archive: str, index_dir: str, engine: str, workers: int = 1, index_engine: str = "whoosh"
) -> dict[str, Any]:
    try:
        from pipeline.ingest import COMMIT_EVERY, ingest
    except ImportError as exc:
        return {"skipped": f"pipeline.ingest.ingest is not available ({exc})"}
    os.environ["BOARDPAPERS_PDF_ENGINE"] = engine
    start = time.perf_counter()
    try:
        summary = ingest([archive], index_dir, pdf_engine=engine, workers=workers, engine=index_engine)
    except TypeError as exc:  # an ingest without workers= / pdf_engine=
        if workers > 1:
            return {"skipped": f"pipeline.ingest.ingest takes no workers ({exc})"}
        summary = ingest([archive], index_dir)
    seconds = time.perf_counter() - start
    n = len(summary.outcomes)
    size = sum(p.stat().st_size for p in Path(index_dir).rglob("*") if p.is_file())
    failed = [o.reason for o in summary.outcomes if o.status == "failed"]
    return {
        "engine": engine,
        "index_engine": index_engine,
        "workers": workers,
        "commit_every": COMMIT_EVERY,
        "papers": n,
        "indexed": summary.count("indexed"),
        "failed": len(failed),
        "first_failure": failed[0] if failed else None,
        "seconds": round(seconds, 2),
        "papers_per_s": round(n / seconds, 1) if seconds else None,
        "index_bytes": size,
    }


def step_search(index_dir: str, repeats: int) -> dict[str, Any]:
    try:
        from pipeline.search import search
    except ImportError as exc:
        return {"skipped": f"pipeline.search.search is not available ({exc})"}
    out: dict[str, Any] = {}
    for name, text, options in SEARCH_QUERIES:
        start = time.perf_counter()
        page = search(index_dir, text, **options)
        first = time.perf_counter() - start
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            search(index_dir, text, **options)
            times.append(time.perf_counter() - start)
        out[name] = {
            "query": text,
            "options": options,
            "hits": page.total,
            "reports": page.reports,
            "first_ms": round(first * 1000, 1),
            "p50_ms": round(_percentile(times, 0.5) * 1000, 1),
            "p95_ms": round(_percentile(times, 0.95) * 1000, 1),
            "repeats": repeats,
        }
    return out


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "throughput": step_throughput,
    "ingest": step_ingest,
    "search": step_search,
}


def _run_step(name: str, workdir: Path, *, script: Path | None = None, **kwargs: Any) -> dict[str, Any]:
    """Run a step of ``script`` (this one by default; ``script --step NAME ARGS.json``) in a fresh
    interpreter; its result carries its peak memory."""
    script = (script or Path(__file__)).resolve()
    args_file = workdir / f"{script.stem}-step-{name}-{time.monotonic_ns()}.json"
    args_file.write_text(json.dumps(kwargs))
    cmd = [sys.executable, str(script), "--step", name, str(args_file)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    args_file.unlink(missing_ok=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"step {name} failed: {tail}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _step_main(name: str, args_file: str) -> int:
    kwargs = json.loads(Path(args_file).read_text())
    result = STEPS[name](**kwargs)
    result["maxrss_mb"] = _maxrss_mb(resource.RUSAGE_SELF)
    result["children_maxrss_mb"] = _maxrss_mb(resource.RUSAGE_CHILDREN)
    print(json.dumps(result))
    return 0


# ---------------------------------------------------------------- CLI timings


def _cli_command() -> list[str]:
    exe = Path(sys.executable).with_name("boardpapers")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pipeline"]


def _wall(cmd: list[str], repeats: int, cwd: Path) -> dict[str, Any]:
    times = []
    rc = 0
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - start)
        rc = rc or proc.returncode
    return {
        "command": " ".join(cmd[-4:]),
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "repeats": repeats,
        "exit_code": rc,
    }


# ---------------------------------------------------------------- the run


def machine() -> dict[str, Any]:
    from importlib import metadata

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "usable_cpus": usable,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {d: version(d) for d in ("pdfplumber", "pypdfium2", "whoosh-reloaded", "spacy")},
    }


def run_sections(args: argparse.Namespace, workdir: Path) -> list[dict[str, Any]]:
    """``benchmarks/index_scale.py`` at each ``--sections`` size, with ``--index-engine``."""
    scale = _load("index_scale")
    out = []
    for n in args.sections:
        _progress(args, f"index at scale: {n:,} sections, {args.index_engine}")
        out.append(scale.measure(n, args.index_engine, workdir=workdir, repeats=args.repeat))
        if not args.keep:
            shutil.rmtree(out[-1]["index_dir"], ignore_errors=True)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    gen = _load_generate()
    own_workdir = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="boardpapers-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    archive = workdir / "archive"
    if archive.exists():
        shutil.rmtree(archive)
    result: dict[str, Any] = {"machine": machine()}
    if args.sections_only:
        try:
            result["index_scale"] = run_sections(args, workdir)
            result["workdir"] = str(workdir) if args.keep or not own_workdir else None
        finally:
            if own_workdir and not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
        return result
    try:
        start = time.perf_counter()
        paths = gen.generate_archive(archive, args.papers, pdf_share=args.pdf_share, seed=args.seed)
        pdfs = [str(p) for p in paths if p.suffix == ".pdf"]
        texts = [str(p) for p in paths if p.suffix != ".pdf"]
        sample = pdfs[: args.sample_pdfs] if args.sample_pdfs else pdfs
        result["archive"] = {
            "papers": len(paths),
            "pdf": len(pdfs),
            "text": len(texts),
            "seed": args.seed,
            "bytes": sum(p.stat().st_size for p in paths),
            "generate_s": round(time.perf_counter() - start, 2),
            "sample_pdfs": len(sample),
        }
        workers = args.workers
        tp: dict[str, Any] = {}
        for kind, engine, label in THROUGHPUT_ROWS:
            for w in sorted({1, workers}):
                _progress(args, f"{label}, {w} process(es), {len(sample)} PDFs")
                tp[f"{kind}:{engine}:{w}"] = {
                    "label": label,
                    "workers": w,
                    **_run_step("throughput", workdir, kind=kind, engine=engine, files=sample, workers=w),
                }
        _progress(args, f"parse, text papers, {len(texts)} files")
        tp["parse:text:1"] = {
            "label": "parse, text papers",
            "workers": 1,
            **_run_step("throughput", workdir, kind="parse", engine="pdfium", files=texts, workers=1),
        }
        result["throughput"] = tp
        result["ingest"] = {}
        search_index: Path | None = None
        for engine in args.ingest_engines:
            runs: dict[str, Any] = {}
            for w in sorted({1, workers}):
                index_dir = workdir / f"index-{engine}-{w}"
                if index_dir.exists():
                    shutil.rmtree(index_dir)
                _progress(args, f"ingest {len(paths)} papers, pdf engine {engine}, {w} worker(s)")
                res = _run_step(
                    "ingest",
                    workdir,
                    archive=str(archive),
                    index_dir=str(index_dir),
                    engine=engine,
                    workers=w,
                    index_engine=args.index_engine,
                )
                runs[str(w)] = res
                if "indexed" in res and search_index is None:
                    search_index = index_dir
            one = runs["1"]
            result["ingest"][engine] = one if ("skipped" in one or "error" in one) else runs
        if search_index is not None:
            _progress(args, "search latency")
            result["search"] = _run_step("search", workdir, index_dir=str(search_index), repeats=args.repeat)
        else:
            result["search"] = {"skipped": "no index was built (see ingest)"}
        _progress(args, "CLI wall times")
        cli = _cli_command()
        cli_repeats = 1 if args.quick else CLI_REPEATS
        result["cli"] = {"help": _wall([*cli, "--help"], cli_repeats, workdir)}
        if search_index is not None:
            result["cli"]["search"] = _wall(
                [*cli, "search", CLI_SEARCH_WORD, "--index", str(search_index)], cli_repeats, workdir
            )
        if args.sections:
            result["index_scale"] = run_sections(args, workdir)
        result["memory"] = {
            "runner_maxrss_mb": _maxrss_mb(resource.RUSAGE_SELF),
            "steps_maxrss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
        }
        result["workdir"] = str(workdir) if args.keep or not own_workdir else None
    finally:
        if own_workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _progress(args: argparse.Namespace, message: str) -> None:
    if not args.json or args.verbose:
        print(f"... {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the table


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}{unit}"
    return f"{value}{unit}"


def render_sections(result: dict[str, Any]) -> list[str]:
    scale = _load("index_scale")
    out: list[str] = []
    for res in result.get("index_scale", []):
        out += ["", scale.render(res)]
    return out


def render(result: dict[str, Any], workers: int) -> str:
    if "archive" not in result:  # --sections-only
        m = result["machine"]
        head = [
            f"boardpapers benchmarks  {m['date']}",
            f"machine: {m['cpus']} CPUs ({m['usable_cpus']} usable), Python {m['python']}, {m['platform']}",
        ]
        return "\n".join(head + render_sections(result))
    m, a = result["machine"], result["archive"]
    out = [
        f"boardpapers benchmarks  {m['date']}",
        f"machine: {m['cpus']} CPUs ({m['usable_cpus']} usable), Python {m['python']}, {m['platform']}",
        "packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v),
        f"archive: {a['papers']} papers ({a['pdf']} PDF, {a['text']} text, {a['bytes'] / 1e6:.1f} MB), "
        f"seed {a['seed']}, generated in {a['generate_s']} s",
        "",
    ]
    tp = result["throughput"]
    sample = tp.get("parse:pdfium:1", {})
    out.append(f"parse throughput, PDF pages/s (same {sample.get('files', 0)} PDFs, {sample.get('pages', 0)} pages)")
    head = f"  {'':34}{'1 process':>12}{f'{workers} processes':>14}{'peak RSS (1 / all)':>22}"
    out.append(head)
    for kind, engine, label in THROUGHPUT_ROWS:
        one = tp.get(f"{kind}:{engine}:1", {})
        many = tp.get(f"{kind}:{engine}:{workers}", {}) if workers > 1 else {}
        if "error" in one:
            out.append(f"  {label:34}{one['error']}")
            continue
        rss_many = many.get("children_maxrss_mb") if many else None
        out.append(
            f"  {label:34}{_fmt(one.get('pages_per_s')):>12}{_fmt(many.get('pages_per_s')):>14}"
            f"{_fmt(one.get('maxrss_mb')) + ' / ' + _fmt(rss_many) + ' MB':>22}"
        )
    ratios = []
    for kind in ("read", "parse"):
        base = tp.get(f"{kind}:pdfplumber:1", {}).get("pages_per_s")
        fast = tp.get(f"{kind}:pdfium:1", {}).get("pages_per_s")
        if base and fast:
            ratios.append(f"{kind} {fast / base:.1f}x")
    if ratios:
        out.append(f"  pdfium engine / pdfplumber engine, one process: {', '.join(ratios)}")
    txt = tp.get("parse:text:1", {})
    if txt.get("files"):
        out.append(
            f"  parse, text papers: {_fmt(txt.get('papers_per_s'))} papers/s "
            f"({txt['files']} files, peak RSS {_fmt(txt.get('maxrss_mb'))} MB)"
        )
    out.append("")
    ingest_rows = result["ingest"]
    every = next(
        (
            r.get("commit_every")
            for runs in ingest_rows.values()
            for r in runs.values()
            if isinstance(r, dict) and r.get("commit_every")
        ),
        None,
    )
    index_engine = next(
        (
            r.get("index_engine")
            for runs in ingest_rows.values()
            for r in runs.values()
            if isinstance(r, dict) and r.get("index_engine")
        ),
        None,
    )
    out.append(
        "ingest (whole archive, entities on"
        + (f", {index_engine} index" if index_engine else "")
        + (f", a commit every {every} papers)" if every else ")")
    )
    many = f"{workers} workers:"
    out.append(
        f"  {'pdf engine':14}{'papers/s':>10}{'seconds':>10}{'failed':>8}{'index size':>14}{'peak RSS':>12}"
        + (
            f"  | {many:>12}{'papers/s':>10}{'seconds':>10}{'failed':>8}{'peak RSS writer / worker':>27}"
            f"{'speed-up':>10}"
            if workers > 1
            else ""
        )
    )
    for engine, runs in ingest_rows.items():
        if "skipped" in runs or "error" in runs:
            out.append(f"  {engine:14}{runs.get('skipped') or runs.get('error')}")
            continue
        res = runs.get("1", {})
        if "skipped" in res or "error" in res or not res:
            out.append(f"  {engine:14}{res.get('skipped') or res.get('error') or 'not run'}")
            continue
        per = res["index_bytes"] / max(res["indexed"], 1) / 1024
        line = (
            f"  {engine:14}{_fmt(res['papers_per_s']):>10}{_fmt(res['seconds']):>10}{res['failed']:>8}"
            f"{res['index_bytes'] / 1e6:>10.1f} MB{_fmt(res.get('maxrss_mb')) + ' MB':>12}"
        )
        par = runs.get(str(workers), {}) if workers > 1 else {}
        if "papers_per_s" in par:
            rss = f"{_fmt(par.get('maxrss_mb'))} / {_fmt(par.get('children_maxrss_mb'))} MB"
            speedup = par["papers_per_s"] / res["papers_per_s"] if res["papers_per_s"] else None
            line += (
                f"  | {'':12}{_fmt(par['papers_per_s']):>10}{_fmt(par['seconds']):>10}{par['failed']:>8}"
                f"{rss:>27}{_fmt(speedup, 'x'):>10}"
            )
        elif par:
            line += f"  | {par.get('skipped') or par.get('error')}"
        out.append(line + f"   ({per:.0f} KB/paper)")
        for r in (res, par):
            if r.get("first_failure"):
                out.append(f"    first failure ({r['workers']} worker(s)): {r['first_failure']}")
    out.append("")
    search = result.get("search", {})
    out.append("search latency (library API, index opened per query)")
    if "skipped" in search or "error" in search:
        out.append(f"  {search.get('skipped') or search.get('error')}")
    else:
        out.append(f"  {'query':56}{'hits':>7}{'first':>9}{'p50':>9}{'p95':>9}  (ms)")
        for name, res in search.items():
            if not isinstance(res, dict) or "p50_ms" not in res:
                continue
            opts = res["options"]
            dates = f" {opts.get('date_from', '')}..{opts.get('date_to', '')}" if opts else ""
            q = f"{name}: {res['query']}{dates}"
            out.append(f"  {q:56}{res['hits']:>7}{res['first_ms']:>9.1f}{res['p50_ms']:>9.1f}{res['p95_ms']:>9.1f}")
        out.append(f"  search step peak RSS {_fmt(search.get('maxrss_mb'))} MB")
    out.append("")
    out.append("command line wall time (median)")
    for name, res in result.get("cli", {}).items():
        out.append(
            f"  boardpapers {'--help' if name == 'help' else 'search ' + CLI_SEARCH_WORD:28}"
            f"{res['median_s']:>8.3f} s" + ("" if res["exit_code"] == 0 else f"  (exit {res['exit_code']})")
        )
    mem = result.get("memory", {})
    out.append("")
    out.append(
        f"peak memory: largest step {_fmt(mem.get('steps_maxrss_mb'))} MB, runner {_fmt(mem.get('runner_maxrss_mb'))} MB"
    )
    out += render_sections(result)
    if result.get("workdir"):
        out.append(f"kept: {result['workdir']}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--step"]:
        return _step_main(argv[1], argv[2])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papers", type=int, default=1000, help="papers in the synthetic archive (default 1000)")
    ap.add_argument("--pdf-share", type=float, default=0.3, help="share of papers written as PDF (default 0.3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--sample-pdfs",
        type=int,
        default=DEFAULT_SAMPLE_PDFS,
        help=f"PDFs the throughput steps parse (default {DEFAULT_SAMPLE_PDFS}; 0 = all)",
    )
    ap.add_argument(
        "--workers", type=int, default=None, help="processes for the all-cores steps (default: usable CPUs)"
    )
    ap.add_argument(
        "--ingest-engines",
        default=",".join(reversed(ENGINES)),
        help="PDF engines to ingest with, comma-separated (default pdfium,pdfplumber)",
    )
    ap.add_argument(
        "--index-engine",
        choices=("whoosh", "tantivy"),
        default="whoosh",
        help="search engine of the indexes built (default whoosh)",
    )
    ap.add_argument(
        "--repeat", type=int, default=None, help=f"timed repeats per search query (default {DEFAULT_SEARCH_REPEATS})"
    )
    ap.add_argument("--quick", action="store_true", help="few repeats: a smoke test of every step")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where to write the archive and indexes (default: a temporary folder)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--verbose", action="store_true", help="progress on stderr even with --json")
    ap.add_argument(
        "--sections",
        default="",
        help="also benchmark an index of N synthetic sections with --index-engine (index_scale.py); "
        "several sizes comma-separated: 100000,1000000",
    )
    ap.add_argument("--sections-only", action="store_true", help="run only the --sections benchmark")
    args = ap.parse_args(argv)
    try:
        args.sections = [int(x.replace("_", "")) for x in args.sections.split(",") if x.strip()]
    except ValueError:
        ap.error("--sections takes whole numbers, comma-separated")
    if any(n < 1 for n in args.sections):
        ap.error("--sections must be 1 or more")
    if args.sections_only and not args.sections:
        ap.error("--sections-only needs --sections N")
    if args.papers < 1:
        ap.error("--papers must be 1 or more")
    args.workers = args.workers or machine()["usable_cpus"]
    args.repeat = args.repeat or (5 if args.quick else DEFAULT_SEARCH_REPEATS)
    args.ingest_engines = [e.strip() for e in args.ingest_engines.split(",") if e.strip()]
    unknown = [e for e in args.ingest_engines if e not in ENGINES]
    if unknown:
        ap.error(f"unknown engine(s) {', '.join(unknown)} (choose from {', '.join(ENGINES)})")
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(render(result, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
