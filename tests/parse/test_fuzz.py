"""the text parser and the query parser raise nothing but our own errors, whatever the input.

Hypothesis feeds arbitrary and paper-shaped text through the text reader and
``parse_sections`` / ``parse_file``, arbitrary bytes through ``read_lines``,
and arbitrary and query-shaped strings through ``parse_query`` and a search.
A failure here is a crash a user could cause with one file or one query.

Examples are derandomised so CI is repeatable; for a longer random campaign:
``BOARDPAPERS_FUZZ_EXAMPLES=5000 BOARDPAPERS_FUZZ_RANDOM=1 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.enrich.report import parse_file
from pipeline.errors import BoardpapersError
from pipeline.model import SearchRequest
from pipeline.parse import parse_sections
from pipeline.read import read_lines
from pipeline.search.query import parse_query

#: Examples per property (scaled by BOARDPAPERS_FUZZ_EXAMPLES; the full parse with entities runs a quarter).
EXAMPLES = int(os.environ.get("BOARDPAPERS_FUZZ_EXAMPLES", "300"))
RANDOM = bool(os.environ.get("BOARDPAPERS_FUZZ_RANDOM"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ_SLOW = settings(FUZZ, max_examples=max(EXAMPLES // 4, 10))

#: Pieces of real papers: headers, numbered and markdown headings, recommendations, money, dates, furniture.
PAPER_PIECES: tuple[str, ...] = (
    "REPORT TO:\tExecutive Board",
    "DATE:\t3 <sup>rd</sup> November 2008",
    "REPORTING OFFICER:\tStrategic Director",
    "SUBJECT:\tQ2 Performance Monitoring Report",
    "WARDS:\tBorough wide",
    "Meeting date: 29 January 2018",
    "1.0 PURPOSE OF THE REPORT",
    "## 2.0 **RECOMMENDATION:** That",
    "### 3.1 Background",
    "RECOMMENDATIONS",
    "1) the report be noted;",
    "(a) approve the budget",
    "ii. agree the plan",
    "* a bullet",
    "• a bullet",
    "£1,234.56",
    "£2.5m",
    "12%",
    "Q2 2009-10",
    "2017/18",
    "second quarter",
    "30th September 2009",
    "Page 3",
    "Page 1 of 12",
    "\f",
    "Appendix A",
    "Public Document Pack",
    "Minutes of the meeting held on",
    "Decision Notice",
    "Forward Plan",
    "CONTACT OFFICER: Jane Smith, jane.smith@halton.gov.uk",
    "Background Papers",
    "None under the meaning of the Act.",
    "Halton Borough Council",
    "**",
    "*",
    "#",
    "\t",
    "1.",
    "1.1",
    "10.2.3",
    "A.",
    "(i)",
    ":",
    "–",
    "’",
    "Cllr",
    "Portfolio Holder:",
    "Key Decision: Yes",
)

paper_text = st.lists(st.one_of(st.sampled_from(PAPER_PIECES), st.text(max_size=30)), max_size=60).flatmap(
    lambda parts: st.lists(
        st.sampled_from(["\n", " ", "\t", "\n\n", "\f", ""]), min_size=len(parts), max_size=len(parts)
    ).map(lambda seps: "".join(p + s for p, s in zip(parts, seps)))
)

#: Pieces of queries: operators, quotes, brackets, fields, ranges, wildcards.
QUERY_PIECES: tuple[str, ...] = (
    '"',
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "-",
    "*",
    "~",
    "~1",
    "~9",
    "foster",
    "carers",
    "recruit*",
    "committee:",
    "officer:",
    "subject:",
    "council:",
    "section:",
    "section:recommendations",
    "doc_type:",
    "fy:",
    "fy:2017/18",
    "quarter:",
    "quarter:2017/18-Q2",
    "date:",
    "date:2018",
    "date:[",
    "TO",
    "]",
    "[",
    "2017-01-01",
    "2017",
    "*]",
    "unknown:",
    ":",
    "\\",
    "'",
    "{",
    "}",
    "^",
    "+",
    "!",
    "&&",
    "||",
)

query_text = st.lists(st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=8)), max_size=12).flatmap(
    lambda parts: st.lists(st.sampled_from([" ", "", "  "]), min_size=len(parts), max_size=len(parts)).map(
        lambda seps: "".join(p + s for p, s in zip(parts, seps))
    )
)


def _write(directory: str, data: bytes, suffix: str) -> Path:
    path = Path(directory) / f"paper{suffix}"
    path.write_bytes(data)
    return path


def _ours_or_nothing(call, *args, **kwargs):
    """Run ``call``; our own errors are fine answers to bad input, anything else fails the test."""
    try:
        return call(*args, **kwargs)
    except BoardpapersError:
        return None


@FUZZ
@given(text=st.one_of(st.text(), paper_text), suffix=st.sampled_from([".txt", ".md"]))
def test_fuzz_text_reader_and_parse_sections(text, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, text.encode("utf-8", "surrogatepass"), suffix)
        doc = _ours_or_nothing(read_lines, path)
        if doc is not None:
            layout = _ours_or_nothing(parse_sections, doc)
            if layout is not None:
                assert all(s.page >= 1 for s in layout.sections)


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".txt", ".md", ".pdf", ""]))
def test_fuzz_arbitrary_bytes_are_read_or_refused(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        doc = _ours_or_nothing(read_lines, _write(tmp, data, suffix))
        if doc is not None:
            _ours_or_nothing(parse_sections, doc)


@FUZZ
@given(data=st.binary(max_size=2048))
def test_fuzz_pdf_like_bytes_are_read_or_refused(data):
    """Bytes behind a PDF header and before an end marker reach pdfminer itself."""
    with tempfile.TemporaryDirectory() as tmp:
        _ours_or_nothing(read_lines, _write(tmp, b"%PDF-1.4\n" + data + b"\n%%EOF\n", ".pdf"))


@FUZZ_SLOW
@given(text=st.one_of(paper_text, st.text(max_size=500)), encoding=st.sampled_from(["utf-8", "cp1252"]))
def test_fuzz_parse_file_with_entities(text, encoding):
    with tempfile.TemporaryDirectory() as tmp:
        data = text.encode(encoding, "replace") if encoding == "cp1252" else text.encode("utf-8", "surrogatepass")
        _ours_or_nothing(parse_file, _write(tmp, data, ".txt"))


@FUZZ
@given(query=st.one_of(st.text(), query_text))
def test_fuzz_query_parser(query):
    _ours_or_nothing(parse_query, query)


@FUZZ_SLOW
@given(query=query_text)
def test_fuzz_queries_searched(query, corpus_index):
    """A query that parses also runs: the engine raises nothing but our errors either."""
    from pipeline.index import open_index

    node = _ours_or_nothing(parse_query, query)
    if node is None:
        return
    with open_index(corpus_index) as ix:
        _ours_or_nothing(ix.search, SearchRequest(node, limit=3))
