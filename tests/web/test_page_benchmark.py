"""benchmarks/web_pages.py completes over an index and reports each page's server time (figures never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_page_benchmark_times_every_page_from_the_server_timing_header(web_index):
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "web_pages.py"),
            "--index",
            str(web_index),
            "--repeat",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    run = json.loads(out.stdout)["runs"][0]
    assert run["reports"] == 10
    pages = {p["page"]: p for p in run["pages"]}
    assert "search: word" in pages and "overview" in pages
    for page in pages.values():
        assert page["status"] == 200, page
        assert page["p95_ms"] == page["p95_ms"] and page["p95_ms"] > 0  # read from Server-Timing (NaN when missing)
