"""The synthetic archive generator and the benchmark runner (benchmarks/).

The generator must be deterministic, and what it writes must parse back to
what it generated (a labelling round trip through the real parser, for every
header form, as text and as PDF). The runner must complete a tiny run and
print its table; its figures are measured there, never asserted here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
#: Papers per template and format in the round trip.
ROUND_TRIP_PAPERS = 10
#: Of those, how many PDFs are read with pdfplumber (the rest with pdfium, which is faster).
PLUMBER_PAPERS = 3
#: Header fields compared in the round trip.
HEADER_FIELDS = (
    "council",
    "committee",
    "meeting_date",
    "subject",
    "reporting_officer",
    "cabinet_member",
    "wards",
    "key_decision",
)


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = load("generate")
runner = load("run")


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- determinism


def test_generator_is_deterministic(tmp_path: Path) -> None:
    a = gen.generate_archive(tmp_path / "a", 12, pdf_share=0.5, seed=7)
    b = gen.generate_archive(tmp_path / "b", 12, pdf_share=0.5, seed=7)
    assert [p.relative_to(tmp_path / "a") for p in a] == [p.relative_to(tmp_path / "b") for p in b]
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert {p.suffix for p in a} == {".pdf", ".txt"}
    other = gen.generate_archive(tmp_path / "c", 12, pdf_share=0.5, seed=8)
    assert (tmp_path / "c" / gen.LABELS_FILE).read_bytes() != (tmp_path / "a" / gen.LABELS_FILE).read_bytes()
    assert len(other) == 12


def test_paper_i_does_not_depend_on_archive_size(tmp_path: Path) -> None:
    small = gen.generate_archive(tmp_path / "small", 5, seed=3)
    large = gen.generate_archive(tmp_path / "large", 9, seed=3)
    assert [p.read_bytes() for p in small] == [p.read_bytes() for p in large[:5]]
    labels_small = (tmp_path / "small" / gen.LABELS_FILE).read_text().splitlines()
    labels_large = (tmp_path / "large" / gen.LABELS_FILE).read_text().splitlines()
    assert labels_small == labels_large[:5]


def test_pdf_share_is_respected(tmp_path: Path) -> None:
    assert all(p.suffix == ".txt" for p in gen.generate_archive(tmp_path / "none", 8, pdf_share=0.0))
    assert all(p.suffix == ".pdf" for p in gen.generate_archive(tmp_path / "all", 8, pdf_share=1.0))
    papers = list(gen.iter_papers(400, pdf_share=0.3))
    share = sum(p.fmt == "pdf" for p in papers) / len(papers)
    assert 0.25 < share < 0.35
    # Formats are drawn apart from templates: every template comes in both.
    assert {(p.template, p.fmt) for p in papers} == {(t, f) for t in gen.TEMPLATES for f in ("pdf", "txt")}


def test_generate_command_line(tmp_path: Path) -> None:
    out = tmp_path / "archive"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "generate.py"),
            str(out),
            "--papers",
            "10",
            "--pdf-share",
            "0.4",
            "--seed",
            "2",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "wrote 10 papers" in proc.stderr
    labels = [json.loads(line) for line in (out / gen.LABELS_FILE).read_text().splitlines()]
    assert len(labels) == 10
    for label in labels:
        path = out / label["file"]
        assert path.is_file()
        assert path.read_bytes().startswith(b"%PDF-") == (path.suffix == ".pdf")
    bad = subprocess.run(
        [sys.executable, str(BENCHMARKS / "generate.py"), str(out), "--pdf-share", "2"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "--pdf-share" in bad.stderr


# ---------------------------------------------------------------- the labelling round trip


def _expected(paper: Any) -> dict[str, Any]:
    label = paper.label()
    return {f: label[f] for f in HEADER_FIELDS}


def _got(report: Any) -> dict[str, Any]:
    out = {f: getattr(report, f) for f in HEADER_FIELDS}
    out["meeting_date"] = report.meeting_date.isoformat() if report.meeting_date else None
    return out


@pytest.mark.parametrize("fmt", ["txt", "pdf"])
@pytest.mark.parametrize("template", gen.TEMPLATES)
def test_round_trip_header_fields(template: str, fmt: str, tmp_path: Path) -> None:
    from pipeline.enrich.report import parse_file

    misses = []
    periods = 0
    for i in range(ROUND_TRIP_PAPERS):
        paper = gen.make_paper(1000 + i, seed=11, template=template, fmt=fmt)
        path = gen.write_paper(paper, tmp_path)
        engine = "pdfplumber" if i < PLUMBER_PAPERS else "pdfium"
        report = parse_file(path, pdf_engine=engine, entities=False)
        got, expected = _got(report), _expected(paper)
        misses += [(path.name, f, got[f], expected[f]) for f in HEADER_FIELDS if got[f] != expected[f]]
        if paper.period:
            periods += 1
            got_period = (report.period.fiscal_year, report.period.quarter) if report.period else None
            if got_period != paper.period:
                misses.append((path.name, "period", got_period, paper.period))
        assert report.source.format == ("pdf" if fmt == "pdf" else "markdown" if path.suffix == ".md" else "text")
    assert not misses, misses
    assert periods >= 1  # some quarterly reports were among them


def test_labels_file_scores_full_marks_on_header_fields(tmp_path: Path) -> None:
    from pipeline.enrich.report import parse_file
    from pipeline.evaluate import evaluate

    gen.generate_archive(tmp_path, 16, pdf_share=0.5, seed=5)
    result = evaluate(
        tmp_path / gen.LABELS_FILE, tmp_path, parse=lambda p: parse_file(p, pdf_engine="pdfium", entities=False)
    )
    assert result.papers == 16 and not result.failed
    for name in HEADER_FIELDS:
        tally = result.tallies[name]
        assert (tally.right, tally.total) == (16, 16), (name, [m for m in result.misses if m["field"] == name])


def test_pdf_papers_have_their_header_in_bold_and_ordinals_raised(tmp_path: Path) -> None:
    from pipeline.read import read_lines

    paper = gen.make_paper(0, seed=4, template="halton", fmt="pdf")
    doc = read_lines(gen.write_paper(paper, tmp_path), pdf_engine="pdfplumber")
    rows = {l.spans[0].text: l for l in doc.lines if len(l.spans) > 1}
    assert rows["REPORT TO:"].spans[0].bold and not rows["REPORT TO:"].spans[1].bold
    day = paper.meeting_date.day
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    assert rows["DATE:"].spans[1].text.startswith(f"{day}{suffix} ")  # the superscript joined back
    assert doc.source.pages >= 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["budget", "the", "1)", "a)", "(iv)", "•", "2.", "council", "£3.2m"]), min_size=1, max_size=60
    ),
    st.floats(min_value=40, max_value=400),
)
def test_wrapped_lines_never_start_like_list_items(words: list[str], width: float) -> None:
    lines = gen.wrap(" ".join(words), width, 11.0)
    assert " ".join(lines).split() == words
    for prev, line in zip(lines, lines[1:]):
        assert not gen.ITEM_START.match(line) or len(prev.split()) == 1, (prev, line)


# ---------------------------------------------------------------- the runner


def test_render_reports_a_missing_ingest_clearly() -> None:
    result = {
        "machine": {
            "date": "2026-01-01T00:00:00+00:00",
            "cpus": 2,
            "usable_cpus": 2,
            "python": "3.11",
            "platform": "Linux",
            "packages": {"pdfplumber": "0.11"},
        },
        "archive": {"papers": 2, "pdf": 1, "text": 1, "bytes": 1000, "seed": 1, "generate_s": 0.1, "sample_pdfs": 1},
        "throughput": {
            "parse:pdfium:1": {"files": 1, "pages": 3, "pages_per_s": 150.0, "maxrss_mb": 40.0},
            "parse:pdfplumber:1": {"files": 1, "pages": 3, "pages_per_s": 15.0, "maxrss_mb": 50.0},
        },
        "ingest": {"pdfium": {"skipped": "pipeline.ingest.ingest is not available (No module named x)"}},
        "search": {"skipped": "no index was built (see ingest)"},
        "cli": {"help": {"median_s": 0.12, "exit_code": 0}},
        "memory": {"steps_maxrss_mb": 50.0, "runner_maxrss_mb": 20.0},
    }
    table = runner.render(result, 2)
    assert re.search(r"^  pdfium\s+pipeline\.ingest\.ingest is not available", table, re.MULTILINE)
    assert "no index was built" in table
    assert "pdfium engine / pdfplumber engine, one process: parse 10.0x" in table
    assert "2 CPUs" in table and "Python 3.11" in table


def test_percentile() -> None:
    assert runner._percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert runner._percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.95) == pytest.approx(4.8)


@pytest.mark.slow
def test_quick_benchmark_completes_and_prints_its_table(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--papers", "20", "--quick", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    for heading in (
        "parse throughput",
        "ingest",
        "search latency",
        "command line wall time",
        "peak memory",
        "machine:",
        "archive: 20 papers",
    ):
        assert heading in out, heading
    number = r"[\d,]+\.\d"
    for row in (
        "pdfplumber extract_text\\(\\)",
        "read_lines, pdf engine pdfplumber",
        "read_lines, pdf engine pdfium",
        "parse, pdf engine pdfplumber",
        "parse, pdf engine pdfium",
    ):
        assert re.search(rf"{row}\s+{number}\s+{number}", out), row
    assert re.search(rf"word: budget\s+\d+\s+{number}\s+{number}\s+{number}", out)
    assert re.search(r"boardpapers --help\s+\d+\.\d+ s", out)
    assert re.search(r"pdfium\s+[\d.]+\s+[\d.]+\s+0\s+[\d.]+ MB", out)  # ingest: no failures


@pytest.mark.slow
def test_the_cluster_benchmark_completes_and_prints_executors_side_by_side(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="the cluster extra")
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "cluster.py"),
            "--papers",
            "8",
            "--executors",
            "workers:1,local:1",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    for executor in ("workers:1", "local:1"):
        assert re.search(rf"^{executor}\s+[\d.]+\s+[\d.]+\s+[\d.]+x", out, re.MULTILINE), executor
    for line in ("parse alone:", "writer alone, whoosh:", "writer alone, tantivy:", "per paper:"):
        assert line in out, line


# ---------------------------------------------------------------- the index at scale (index_scale.py)

scale = load("index_scale")


def test_synthetic_reports_hold_the_generated_papers_sections_and_recommendations() -> None:
    paper = gen.make_paper(3, seed=1)
    report = scale.report_from_paper(paper)
    assert report.committee == paper.committee and report.meeting_date == paper.meeting_date
    assert [r.text for r in report.recommendations] == paper.recommendations
    assert report.sections and all(s.kind for s in report.sections)
    copy = scale.report_from_paper(paper, copy=2)
    assert copy.id != report.id and copy.source.path != report.source.path
    assert (copy.meeting_date - report.meeting_date).days == 2 * scale.REUSE_SHIFT_DAYS
    reports = list(scale.iter_reports(40))
    assert sum(len(r.sections) for r in reports) >= 40 > sum(len(r.sections) for r in reports[:-1])
    assert len({r.id for r in reports}) == len(reports)


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_index_scale_runs_at_a_tiny_size_and_prints_its_table(tmp_path: Path, engine: str) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "index_scale.py"),
            "--sections",
            "60",
            "--engine",
            engine,
            "--repeat",
            "1",
            "--workdir",
            str(tmp_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    build = result["build"]
    assert build["sections"] >= 60 and build["documents"] > build["sections"] and build["index_bytes"] > 0
    assert build["maxrss_mb"] > 0 and build["sections_per_s"] > 0
    queries = result["queries"]
    assert [name for name, *_ in scale.QUERIES] == [n for n in queries if n != "maxrss_mb"]
    for name, *_ in scale.QUERIES:
        q = queries[name]
        assert q["found"] > 0, name
        assert q["p95_ms"] >= q["p50_ms"] > 0 and q["open_p95_ms"] >= q["open_p50_ms"] > 0
    table = scale.render(result)
    assert f"index at scale: {engine}" in table and "sections/s" in table and "similar" in table


def test_run_takes_sections_sizes_and_runs_only_them(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--sections",
            "40,80",
            "--sections-only",
            "--index-engine",
            "tantivy",
            "--repeat",
            "1",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("index at scale: tantivy") == 2
    assert "40 sections wanted" in proc.stdout and "80 sections wanted" in proc.stdout
    bad = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--sections-only"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "--sections" in bad.stderr
