"""Ingest on a pool and on a Dask cluster side by side, and the figures of the scaling model.

    python benchmarks/cluster.py [--papers 300] [--pdf-share 0.3] [--seed 1] [--pdf-engine pdfium]
                                 [--index-engine whoosh|tantivy] [--executors workers:1,workers:2,local:1,local:2]
                                 [--json] [--workdir DIR] [--keep]

Generates an archive with ``benchmarks/generate.py``, then, each in a fresh
interpreter, ingests it into a new index with every executor named
(``workers:N``: ``ingest(workers=N)``; ``local:N``: ``ingest(dask="local:N")``,
a LocalCluster of N processes started by the run, its start-up included) and
prints papers/s side by side. For the scaling model (benchmarks/README.md) it
also measures, on the same archive:

* the **per-core parse rate**: papers/s of the default parser in one process,
  without writing (entities on, as ingest parses);
* the **writer ceiling**: papers/s and sections/s of the committing process
  alone, on each engine, writing the already-parsed records as ingest does (a commit every
  ``COMMIT_EVERY`` papers without merging, one merge at the end);
* for ``local:N``, what starting the LocalCluster alone takes (the ingest's
  time includes it: at a few hundred papers it is a large share);
* the **bytes on the network per paper**: the mean size of a paper's file
  (what ``--ship-bytes`` sends) and of the pickled result a worker sends back.

The default (300 papers, four executors) takes two to three minutes on two cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

HERE = Path(__file__).resolve().parent
#: The executors compared when none are named.
DEFAULT_EXECUTORS = "workers:1,workers:2,local:1,local:2"


def _load_generate() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("boardpapers_benchmarks_generate", HERE / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- steps (each in a fresh interpreter)


def step_ingest(archive: str, index_dir: str, executor: str, pdf_engine: str, index_engine: str) -> dict[str, Any]:
    from pipeline.ingest import ingest

    kind, n = executor.split(":")
    options: dict[str, Any] = {"workers": int(n)} if kind == "workers" else {"dask": executor}
    startup = 0.0
    if kind == "local":  # what starting the LocalCluster alone costs (the run below starts its own)
        from pipeline.ingest import PaperParser
        from pipeline.ingest.cluster import DaskParsers

        start = time.perf_counter()
        DaskParsers(PaperParser(pdf_engine=pdf_engine), executor).close()
        startup = time.perf_counter() - start
    start = time.perf_counter()
    summary = ingest([archive], index_dir, pdf_engine=pdf_engine, engine=index_engine, **options)
    seconds = time.perf_counter() - start
    return {
        "executor": executor,
        "papers": summary.count("indexed"),
        "failed": len(summary.failed),
        "seconds": seconds,
        "papers_per_s": summary.count("indexed") / seconds,
        "startup_s": startup,
        "rss_mb": _maxrss_mb(),
    }


def step_model(archive: str, index_dir: str, pdf_engine: str) -> dict[str, Any]:
    """Parse every paper in this process (timed), then write the records as ingest commits them, on each engine."""
    from pipeline.index import open_index
    from pipeline.ingest import COMMIT_EVERY, PaperParser
    from pipeline.ingest.parser import parse_one
    from pipeline.read.walk import iter_paper_paths

    parser = PaperParser(pdf_engine=pdf_engine)
    parser.warm_up()
    paths = sorted(iter_paper_paths([archive]))
    start = time.perf_counter()
    parsed = [parse_one(parser, p) for p in paths]
    parse_s = time.perf_counter() - start
    reports = [p.report for p in parsed if p.report is not None]
    result_bytes = [len(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)) for p in parsed]
    file_bytes = [p.stat().st_size for p in paths]
    sections = sum(len(r.sections) + sum(len(x.sections) for x in r.parts) for r in reports)
    writes = {}
    for engine in ("whoosh", "tantivy"):
        start = time.perf_counter()
        with open_index(Path(index_dir) / engine, create=True, engine=engine) as ix:
            for i in range(0, len(reports), COMMIT_EVERY):
                with ix.batch(merge=False) as b:
                    for r in reports[i : i + COMMIT_EVERY]:
                        b.add_report(r)
            ix.merge()
        write_s = time.perf_counter() - start
        writes[engine] = {
            "write_s": write_s,
            "write_papers_per_s": len(reports) / write_s,
            "write_sections_per_s": sections / write_s,
        }
    return {
        "papers": len(reports),
        "sections": sections,
        "parse_s": parse_s,
        "parse_papers_per_s": len(reports) / parse_s,
        "write": writes,
        "file_bytes_mean": sum(file_bytes) / len(file_bytes),
        "result_bytes_mean": sum(result_bytes) / len(result_bytes),
        "rss_mb": _maxrss_mb(),
    }


STEPS = {"ingest": step_ingest, "model": step_model}


def _run_step(name: str, workdir: Path, **kwargs: Any) -> dict[str, Any]:
    args = workdir / f"{name}-{time.monotonic_ns()}.json"
    args.write_text(json.dumps(kwargs))
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--step", name, str(args)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"step {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the run


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    def v(dist: str) -> str | None:
        try:
            return version(dist)
        except PackageNotFoundError:
            return None

    import os

    return {
        "python": platform.python_version(),
        "cpus": len(os.sched_getaffinity(0)),
        "load_1min": os.getloadavg()[0],
        "dask": v("dask"),
        "distributed": v("distributed"),
        "whoosh": v("whoosh-reloaded"),
        "tantivy": v("tantivy"),
        "pypdfium2": v("pypdfium2"),
        "date": dt.datetime.now().isoformat(timespec="minutes"),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bp-cluster-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        archive = workdir / "archive"
        if not archive.exists():
            _load_generate().generate_archive(archive, args.papers, pdf_share=args.pdf_share, seed=args.seed)
        (archive / "labels.jsonl").unlink(missing_ok=True)
        rows = []
        for executor in args.executors.split(","):
            print(f"ingest with {executor} ...", file=sys.stderr)
            index_dir = workdir / f"index-{executor.replace(':', '-')}"
            shutil.rmtree(index_dir, ignore_errors=True)
            rows.append(
                _run_step(
                    "ingest",
                    workdir,
                    archive=str(archive),
                    index_dir=str(index_dir),
                    executor=executor,
                    pdf_engine=args.pdf_engine,
                    index_engine=args.index_engine,
                )
            )
        print("parse and write alone ...", file=sys.stderr)
        model_dir = workdir / "index-model"
        shutil.rmtree(model_dir, ignore_errors=True)
        model = _run_step("model", workdir, archive=str(archive), index_dir=str(model_dir), pdf_engine=args.pdf_engine)
        return {
            "machine": machine(),
            "papers": args.papers,
            "pdf_engine": args.pdf_engine,
            "index_engine": args.index_engine,
            "ingest": rows,
            "model": model,
        }
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def render(result: dict[str, Any]) -> str:
    m, model = result["machine"], result["model"]
    base = result["ingest"][0]["papers_per_s"]
    lines = [
        f"{result['papers']} papers, pdf engine {result['pdf_engine']}, {result['index_engine']} index; "
        f"{m['cpus']} CPUs (load {m['load_1min']:.1f} at the end), Python {m['python']}, "
        f"dask {m['dask']}, {m['date']}",
        "",
        f"{'executor':<12} {'papers/s':>9} {'seconds':>8} {'vs first':>9} {'client RSS':>11} {'cluster start':>14}",
    ]
    for r in result["ingest"]:
        lines.append(
            f"{r['executor']:<12} {r['papers_per_s']:>9.1f} {r['seconds']:>8.1f} "
            f"{r['papers_per_s'] / base:>8.2f}x {r['rss_mb']:>8.0f} MB "
            + (f"{r['startup_s']:>12.1f} s" if r.get("startup_s") else f"{'-':>14}")
        )
    lines += [
        "",
        "scaling model inputs (one process):",
        f"  parse alone:  {model['parse_papers_per_s']:.1f} papers/s a core ({model['papers']} papers, "
        f"{model['parse_s']:.1f} s)",
        *(
            f"  writer alone, {engine}: {w['write_papers_per_s']:.0f} papers/s, {w['write_sections_per_s']:.0f} "
            f"sections/s ({model['sections']} sections, {w['write_s']:.1f} s)"
            for engine, w in model["write"].items()
        ),
        f"  per paper:    file {model['file_bytes_mean'] / 1024:.1f} KiB (--ship-bytes), "
        f"result {model['result_bytes_mean'] / 1024:.1f} KiB back",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--step"]:
        kwargs = json.loads(Path(argv[2]).read_text())
        print(json.dumps(STEPS[argv[1]](**kwargs)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papers", type=int, default=300)
    ap.add_argument("--pdf-share", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pdf-engine", default="pdfium", choices=["pdfplumber", "pdfium"])
    ap.add_argument("--index-engine", default="whoosh", choices=["whoosh", "tantivy"])
    ap.add_argument(
        "--executors", default=DEFAULT_EXECUTORS, help="comma-separated workers:N and local:N (default: %(default)s)"
    )
    ap.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    ap.add_argument("--workdir", help="keep the archive and indexes here (reused by a later run)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    result = run(args)
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
