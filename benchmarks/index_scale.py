"""Index and search at scale: N synthetic sections written through the Index seam, then queried.

    python benchmarks/index_scale.py --sections 100000 --engine whoosh
    python benchmarks/index_scale.py --sections 1000000 --engine tantivy [--repeat 30] [--json]
                                     [--workdir DIR] [--keep] [--reuse]

No PDF or text parsing: reports are built straight from ``generate.py``'s papers
(their header values, sections and recommendations), so an index of a million
sections costs only the engine's own work. Papers are generated fresh up to
:data:`POOL_PAPERS`; beyond that the pool is reused under new ids, paths and
meeting dates (a later paper is a copy of an earlier one moved by whole weeks),
so the vocabulary stays the generator's while the index grows.

Prints (or ``--json``: one JSON object):

* **build**: sections written per second (the way ingest writes: a commit
  every ``pipeline.ingest.COMMIT_EVERY`` papers, then the end-of-run merge),
  the time of that final merge, the index size on disk and the writer's peak RSS;
* **queries**: p50/p95 (and the first, cold call) of each query type through
  the library API (``pipeline.search``): a word, a phrase, a word with a
  date-range filter, ``trace`` and ``similar``; once with the index opened by
  every call (what a one-shot command pays, start-up aside), once with it
  kept open (what a program answering many queries pays).

Build and queries each run in a fresh interpreter, so peak RSS is their own.
``benchmarks/run.py --sections N[,M]`` runs this at each size too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import importlib.util
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the project's pipeline
    sys.path.insert(0, str(ROOT))

#: Distinct papers generated before the pool is reused under new ids.
POOL_PAPERS = 2_000
#: Days a reused paper's meeting date moves per pass over the pool.
REUSE_SHIFT_DAYS = 7
#: Timed repeats of each query (after one untimed, cold call).
DEFAULT_REPEATS = 30
#: Random seed of the generated papers.
SEED = 1
#: The queries timed: (name, function in pipeline.search, query text, keyword options).
QUERIES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("word", "search", "budget", {}),
    ("phrase", "search", '"public consultation"', {}),
    ("word + date range", "search", "consultation", {"date_from": "2012-01-01", "date_to": "2018-12-31"}),
    ("trace", "trace", "consultation with residents", {}),
    (
        "similar",
        "similar",
        "The risk register has been updated and 3 risks are rated red. Capital spending on the programme "
        "is forecast to be on budget.",
        {},
    ),
)
#: Section title words -> section kind (first match), for the synthetic sections.
KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("RECOMMENDATION", "recommendations"),
    ("PURPOSE", "purpose"),
    ("SUMMARY", "summary"),
    ("FINANCIAL", "financial_implications"),
    ("LEGAL", "legal_implications"),
    ("CLIMATE", "climate_implications"),
    ("EQUALITY", "equality_diversity"),
    ("RISK", "risk_analysis"),
    ("POLICY", "policy_implications"),
    ("IMPLICATIONS", "other_implications"),
)
#: The kind of a section whose title names none of KIND_WORDS.
DEFAULT_KIND = "supporting_information"
#: Block kinds that start a section.
HEADING_BLOCKS = ("heading", "runin")
#: Block kinds whose text goes into the current section.
TEXT_BLOCKS = ("para", "item", "leadin", "runin")


@functools.cache
def _load(name: str) -> Any:
    """A sibling script of benchmarks/ as a module (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"boardpapers_benchmarks_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _load_generate() -> Any:
    return _load("generate")


def _maxrss_mb() -> float:
    """This process's peak resident memory in MB (run.py's measure)."""
    return _load("run")._maxrss_mb(resource.RUSAGE_SELF)


def _percentile(values: Sequence[float], q: float) -> float:
    return _load("run")._percentile(values, q)


# ---------------------------------------------------------------- synthetic reports


def _kind(title: str) -> str:
    upper = title.upper()
    return next((kind for word, kind in KIND_WORDS if word in upper), DEFAULT_KIND)


def _period(paper: Any) -> Any:
    from pipeline.model import Period

    if not paper.period:
        return None
    fy, quarter = paper.period
    return Period(fiscal_year=fy, quarter=quarter, start=None, end=None)


def report_from_paper(paper: Any, *, copy: int = 0) -> Any:
    """A ``Report`` holding what the paper says (sections, recommendations, header values).

    ``copy`` > 0 makes a distinct report of the same paper: another id, path and
    a meeting date ``copy`` x :data:`REUSE_SHIFT_DAYS` days later.
    """
    from pipeline.model import Recommendation, Report, Section, Source

    sections: list[Section] = []
    title, number, texts = "", None, []

    def close() -> None:
        if title or texts:
            sections.append(
                Section(
                    number=number,
                    title=title,
                    kind=_kind(title),
                    level=1,
                    page=1 + len(sections) // 4,
                    text="\n".join(texts),
                )
            )

    for block in paper.blocks:
        if block.kind in HEADING_BLOCKS:
            close()
            title, number, texts = block.text if block.kind == "heading" else block.label, block.label or None, []
            if block.kind == "runin":
                texts.append(block.text)
        elif block.kind in TEXT_BLOCKS:
            texts.append(f"{block.label} {block.text}".strip())
        elif block.kind == "table":
            texts.extend("  ".join(row) for row in block.rows)
    close()
    date = paper.meeting_date + dt.timedelta(days=copy * REUSE_SHIFT_DAYS)
    suffix = f"-{copy}" if copy else ""
    path = f"/synthetic/{paper.relpath}{suffix}"
    sha = hashlib.sha256(path.encode()).hexdigest()
    recs = tuple(Recommendation(number=i + 1, text=t, page=1) for i, t in enumerate(paper.recommendations))
    return Report(
        id=f"{paper.id}{suffix}-{sha[:8]}",
        source=Source(path=path, sha256=sha, format="text", pages=3),
        doc_type="report",
        council=paper.council,
        committee=paper.committee,
        meeting_date=date,
        reporting_officer=paper.reporting_officer,
        subject=paper.subject,
        period=_period(paper),
        recommendations=recs,
        recommendation_leadin=paper.leadin,
        sections=tuple(sections),
    )


def iter_reports(sections: int, *, seed: int = SEED) -> Iterator[Any]:
    """Reports until they hold at least ``sections`` sections in all."""
    gen = _load_generate()
    pool: list[Any] = []
    total, i = 0, 0
    while total < sections:
        if i < POOL_PAPERS:
            paper = gen.make_paper(i, seed=seed)
            pool.append(paper)
            report = report_from_paper(paper)
        else:
            report = report_from_paper(pool[i % POOL_PAPERS], copy=i // POOL_PAPERS)
        total += len(report.sections)
        i += 1
        yield report


# ---------------------------------------------------------------- steps (each in a fresh interpreter)


def step_build(index_dir: str, engine: str, sections: int) -> dict[str, Any]:
    """Write the reports the way ingest does: a commit every COMMIT_EVERY papers without merging, a merge
    when more than MAX_RUN_SEGMENTS segments have piled up, and the end-of-run merge (``merge_s``)."""
    from pipeline.index import open_index
    from pipeline.ingest import COMMIT_EVERY, MAX_RUN_SEGMENTS

    written = papers = 0
    start = time.perf_counter()
    generating = 0.0
    with open_index(index_dir, create=True, engine=engine) as ix:
        batch: list[Any] = []
        reports = iter_reports(sections)
        while True:
            t = time.perf_counter()
            batch = [r for _, r in zip(range(COMMIT_EVERY), reports)]
            generating += time.perf_counter() - t
            if not batch:
                break
            with ix.batch(merge=False) as b:
                written += sum(b.add_report(r) for r in batch)
            papers += len(batch)
            if ix.segment_count() > MAX_RUN_SEGMENTS:
                ix.merge()
        merge_start = time.perf_counter()
        ix.merge()
        merge_s = time.perf_counter() - merge_start
        docs = ix.doc_count()
    seconds = time.perf_counter() - start - generating
    size = sum(p.stat().st_size for p in Path(index_dir).rglob("*") if p.is_file())
    return {
        "engine": engine,
        "papers": papers,
        "sections": written,
        "documents": docs,
        "seconds": round(seconds, 2),
        "generate_s": round(generating, 2),
        "merge_s": round(merge_s, 2),
        "sections_per_s": round(written / seconds, 1) if seconds else None,
        "index_bytes": size,
        "commit_every": COMMIT_EVERY,
    }


def _time_calls(call: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    start = time.perf_counter()
    call()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return first, times


def step_queries(index_dir: str, repeats: int) -> dict[str, Any]:
    """Each query through the library API, the index opened by every call, then with it kept open."""
    from pipeline import search as S
    from pipeline.index import open_index

    out: dict[str, Any] = {}
    for name, function, text, options in QUERIES:
        call = getattr(S, function)

        def found(result: Any) -> int:
            if function == "search":
                return result.total
            if function == "trace":
                return sum(len(lineage.entries) for lineage in result.lineages)
            return len(result)

        n = found(call(index_dir, text, **options))
        first, times = _time_calls(lambda: call(index_dir, text, **options), repeats)
        with open_index(index_dir) as ix:
            _, kept = _time_calls(lambda: call(ix, text, **options), repeats)
        out[name] = {
            "function": function,
            "query": text,
            "options": options,
            "found": n,
            "first_ms": round(first * 1000, 1),
            "p50_ms": round(_percentile(times, 0.5) * 1000, 1),
            "p95_ms": round(_percentile(times, 0.95) * 1000, 1),
            "open_p50_ms": round(_percentile(kept, 0.5) * 1000, 1),
            "open_p95_ms": round(_percentile(kept, 0.95) * 1000, 1),
            "repeats": repeats,
        }
    return out


STEPS = {"build": step_build, "queries": step_queries}


def _run_step(name: str, workdir: Path, **kwargs: Any) -> dict[str, Any]:
    """A step of this script in a fresh interpreter (run.py's runner)."""
    return _load("run")._run_step(name, workdir, script=Path(__file__), **kwargs)


def _step_main(name: str, args_file: str) -> int:
    kwargs = json.loads(Path(args_file).read_text())
    result = STEPS[name](**kwargs)
    result["maxrss_mb"] = _maxrss_mb()
    print(json.dumps(result))
    return 0


def measure(
    sections: int, engine: str, *, workdir: Path, repeats: int = DEFAULT_REPEATS, reuse: bool = False
) -> dict[str, Any]:
    """Build an index of ``sections`` sections with ``engine`` in ``workdir`` (or reuse it), then time the queries."""
    index_dir = workdir / f"index-{engine}-{sections}"
    out: dict[str, Any] = {"engine": engine, "sections_wanted": sections, "index_dir": str(index_dir)}
    if reuse and index_dir.exists():
        out["build"] = {"reused": True}
    else:
        if index_dir.exists():
            shutil.rmtree(index_dir)
        out["build"] = _run_step("build", workdir, index_dir=str(index_dir), engine=engine, sections=sections)
    if "error" not in out["build"]:
        out["queries"] = _run_step("queries", workdir, index_dir=str(index_dir), repeats=repeats)
    return out


def render(result: dict[str, Any]) -> str:
    b = result["build"]
    lines = [f"index at scale: {result['engine']}, {result['sections_wanted']:,} sections wanted"]
    if "error" in b:
        return "\n".join(lines + [f"  build: {b['error']}"])
    if b.get("reused"):
        lines.append("  build: index reused")
    else:
        lines.append(
            f"  build: {b['papers']:,} papers, {b['sections']:,} sections ({b['documents']:,} documents) in "
            f"{b['seconds']:,.1f} s: {b['sections_per_s']:,.0f} sections/s (final merge {b['merge_s']:.1f} s); "
            f"index {b['index_bytes'] / 1e6:,.1f} MB; writer peak RSS {b['maxrss_mb']:,.0f} MB"
        )
    q = result.get("queries", {})
    if "error" in q:
        lines.append(f"  queries: {q['error']}")
        return "\n".join(lines)
    lines.append(f"  {'':33}{'opened per call':>30}{'index kept open':>20}")
    lines.append(
        f"  {'query':24}{'found':>9}{'first':>10}{'p50':>10}{'p95':>10}{'p50':>10}{'p95':>10}  (ms, library API)"
    )
    for name, _, _, _ in QUERIES:
        r = q.get(name)
        if r:
            lines.append(
                f"  {name:24}{r['found']:>9}{r['first_ms']:>10.1f}{r['p50_ms']:>10.1f}{r['p95_ms']:>10.1f}"
                f"{r['open_p50_ms']:>10.1f}{r['open_p95_ms']:>10.1f}"
            )
    if "maxrss_mb" in q:
        lines.append(f"  queries peak RSS {q['maxrss_mb']:,.0f} MB")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--step"]:
        return _step_main(argv[1], argv[2])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sections", type=int, required=True, help="sections to index")
    ap.add_argument("--engine", choices=("whoosh", "tantivy"), default="whoosh")
    ap.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEATS, help=f"timed repeats per query (default {DEFAULT_REPEATS})"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument("--workdir", type=Path, default=None, help="where to build the index (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--reuse", action="store_true", help="query the index already in --workdir instead of building it")
    args = ap.parse_args(argv)
    if args.sections < 1:
        ap.error("--sections must be 1 or more")
    own = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="boardpapers-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        result = measure(args.sections, args.engine, workdir=workdir, repeats=args.repeat, reuse=args.reuse)
    finally:
        if own and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0 if "error" not in result["build"] and "error" not in result.get("queries", {}) else 1


if __name__ == "__main__":
    sys.exit(main())
