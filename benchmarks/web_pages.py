"""Page timing of the web page (``boardpapers serve``): server time of each page, p50/p95.

    .venv/bin/python benchmarks/web_pages.py --papers 300                  # synthetic archive, both engines
    .venv/bin/python benchmarks/web_pages.py --index index --engine whoosh # an index you have (sample: make demo)
    .venv/bin/python benchmarks/web_pages.py --papers 10000 --workers 2    # the issue's size (minutes of ingest)

For each index it starts ``boardpapers serve`` in its own process on a free
port, asks each page ``--repeat`` times (after one warm-up request) and reads
the server's own time from the ``Server-Timing`` header each response carries
(from the request's arrival to the response's headers, the page rendered),
besides the wall time the client saw. The search page is the full page: the
search, its facets and the counts of undated papers. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

#: Requests timed per page (after one warm-up request).
DEFAULT_REPEATS = 30
#: Seconds the server gets to start.
STARTUP_TIMEOUT = 60.0
#: The pages timed: (name, path and query). ``{report}`` is a report id of the index, ``{rec}`` its first
#: recommendation. The search pages are the queries of benchmarks/run.py.
PAGES: tuple[tuple[str, str], ...] = (
    ("search: word", "/search?q=budget"),
    ("search: phrase", "/search?" + urllib.parse.urlencode({"q": '"public consultation"'})),
    ("search: word + date range", "/search?q=consultation&from=2012-01-01&to=2018-12-31"),
    ("search: a facet clicked", "/search?" + urllib.parse.urlencode({"q": "budget section:financial_implications"})),
    ("search: page 3, by date", "/search?q=budget&sort=date&page=3"),
    ("api/search: word (no facets)", "/api/search?q=budget"),
    ("report", "/report/{report}"),
    ("trace: a recommendation", "/trace?q={rec}"),
    (
        "similar",
        "/similar?"
        + urllib.parse.urlencode(
            {"text": "The council will consult the public on the budget proposals before the cabinet decides"}
        ),
    ),
)
#: Pages timed fewer times: they read every report.
SLOW_PAGES: tuple[tuple[str, str], ...] = (("overview", "/overview"),)
SLOW_REPEATS = 3
_TIMING = re.compile(r"app;dur=(?P<ms>[0-9.]+)")  # Server-Timing: app;dur=12.3


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, float, float]:
    """(status, server ms, wall ms) of one request."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            r.read()
            status, header = r.status, r.headers.get("server-timing", "")
    except urllib.error.HTTPError as exc:
        exc.read()
        status, header = exc.code, exc.headers.get("server-timing", "")
    wall = (time.perf_counter() - start) * 1000
    m = _TIMING.search(header)
    return status, float(m["ms"]) if m else float("nan"), wall


class Server:
    """``boardpapers serve`` over one index, in its own process."""

    def __init__(self, index: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "serve", "--index", str(index), "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                urllib.request.urlopen(self.base + "/help", timeout=5).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"boardpapers serve --index {index} did not start")
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _sample_ids(index: Path) -> tuple[str, str]:
    """A report with recommendations, and its first recommendation's id."""
    from pipeline.index import open_index
    from pipeline.search import recommendation_id

    with open_index(index) as ix:
        for r in ix.iter_reports():
            if r.recommendations:
                return r.id, recommendation_id(r.id, r.recommendations[0].number)
            first = r.id
    return first, first + "#r1"


def time_pages(index: Path, repeats: int) -> list[dict[str, Any]]:
    report, rec = _sample_ids(index)
    server = Server(index)
    rows = []
    try:
        for pages, n in ((PAGES, repeats), (SLOW_PAGES, min(repeats, SLOW_REPEATS))):
            for name, path in pages:
                url = server.base + path.format(
                    report=urllib.parse.quote(report, safe=""), rec=urllib.parse.quote(rec, safe="")
                )
                status, first_server, first_wall = _get(url)  # the warm-up: the index opened, caches filled
                times = [_get(url) for _ in range(n)]
                server_ms = [t[1] for t in times]
                rows.append(
                    {
                        "page": name,
                        "status": status,
                        "first_ms": round(first_server, 1),
                        "repeats": n,
                        "p50_ms": round(_percentile(server_ms, 0.5), 1),
                        "p95_ms": round(_percentile(server_ms, 0.95), 1),
                        "wall_p95_ms": round(_percentile([t[2] for t in times], 0.95), 1),
                    }
                )
    finally:
        server.stop()
    return rows


def build(papers: int, engine: str, workdir: Path, workers: int) -> Path:
    """A synthetic archive of ``papers`` papers (benchmarks/generate.py), ingested with ``engine``."""
    from generate import generate_archive

    from pipeline.ingest import ingest

    archive = workdir / f"archive-{papers}"
    if not archive.exists():
        generate_archive(archive, papers)
    index = workdir / f"index-{papers}-{engine}"
    summary = ingest([archive], index, engine=engine, pdf_engine="pdfium", workers=workers)
    if summary.failed:
        raise RuntimeError(f"{len(summary.failed)} papers failed to ingest")
    return index


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papers", type=int, default=300, help="papers in the synthetic archive (default 300)")
    ap.add_argument("--index", type=Path, default=None, help="time this index instead of a synthetic one")
    ap.add_argument("--engine", choices=("whoosh", "tantivy", "both"), default="both")
    ap.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEATS, help=f"requests per page (default {DEFAULT_REPEATS})"
    )
    ap.add_argument("--workers", type=int, default=1, help="ingest processes for the synthetic archive")
    ap.add_argument("--workdir", type=Path, default=None, help="where the archive and indexes go (default: temporary)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = ap.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="boardpapers-web-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    engines = ("whoosh", "tantivy") if args.engine == "both" else (args.engine,)
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%d"),
        "repeats": args.repeat,
        "load": os.getloadavg()[0],
        "runs": [],
    }
    for engine in engines:
        if args.index is not None:
            index, label = args.index, str(args.index)
        else:
            started = time.perf_counter()
            index = build(args.papers, engine, workdir, args.workers)
            label = f"{args.papers} synthetic papers, built in {time.perf_counter() - started:.0f} s"
        from pipeline.index import open_index

        with open_index(index) as ix:
            kind = type(ix).__name__.removesuffix("Index").lower()  # WhooshIndex, TantivyIndex
            size = {"reports": ix.count("report"), "sections": ix.count("section"), "engine": kind}
        results["runs"].append({"index": label, **size, "pages": time_pages(index, args.repeat)})
        if args.index is not None:
            break
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(
        f"web page timing, {results['date']}, Python {results['machine']['python']}, "
        f"{results['machine']['cpus']} CPUs (load {results['load']:.1f} at the start), {args.repeat} requests a page "
        "(server time from Server-Timing)"
    )
    for run in results["runs"]:
        print(f"\n{run['engine']}: {run['index']} ({run['reports']} reports, {run['sections']} sections)")
        print(f"  {'page':34}{'status':>7}{'first':>9}{'p50':>9}{'p95':>9}{'wall p95':>10}  (ms)")
        for r in run["pages"]:
            print(
                f"  {r['page']:34}{r['status']:>7}{r['first_ms']:>9.1f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
                f"{r['wall_p95_ms']:>10.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
