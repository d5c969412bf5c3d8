"""The sample papers as labelled cases (after usaddress's test_labeling.py).

Every seed paper is parsed from its text and from its Word-made PDF and
compared with ``tests/data/seeds.jsonl`` using the labels' own folding
(case, white space, quotes, dashes, "&" = "and").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.enrich.report import parse_file
from pipeline.enrich.siblings import fill_from_siblings
from pipeline.evaluate import fold, fold_item, load_labels, section_f1

ROOT = Path(__file__).resolve().parents[2]
LABELS = load_labels(ROOT / "tests" / "data" / "seeds.jsonl")
HEADER_FIELDS = (
    "council",
    "committee",
    "meeting_date",
    "reporting_officer",
    "portfolio",
    "subject",
    "wards",
    "contact",
)

#: What a PDF copy does not contain, so cannot yield (checked by test_pdf_omissions_are_real).
PDF_OMISSIONS = {("001_301a5d08a7e7c56a", "wards"): "WARD(S)"}

CASES = [(label, fmt) for label in LABELS for fmt in ("txt", "pdf")]


def _path(label: dict, fmt: str) -> Path:
    return ROOT / "corpus" / ("seeds" if fmt == "txt" else "pdf") / f"{label['id']}.{fmt}"


@pytest.fixture(scope="module")
def parsed() -> dict[tuple[str, str], object]:
    keys = [(label["id"], fmt) for label, fmt in CASES]
    reports = fill_from_siblings([parse_file(_path(l, f), entities=False) for l, f in CASES])
    return dict(zip(keys, reports))


def _ids(case):
    label, fmt = case
    return f"{label['id'][:3]}-{fmt}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_header_fields(case, parsed):
    label, fmt = case
    report = parsed[(label["id"], fmt)]
    for name in HEADER_FIELDS:
        if name not in label:
            continue
        expected = label[name]
        if fmt == "pdf" and (label["id"], name) in PDF_OMISSIONS:
            expected = None
        got = getattr(report, name)
        got = got.isoformat() if hasattr(got, "isoformat") else got
        assert fold(got) == fold(expected), f"{name}: {got!r} != {expected!r}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_period(case, parsed):
    label, fmt = case
    p = parsed[(label["id"], fmt)].period
    exp = label["period"]
    assert p is not None
    assert (p.fiscal_year, p.quarter, p.start.isoformat(), p.end.isoformat()) == (
        exp["fiscal_year"],
        exp["quarter"],
        exp["start"],
        exp["end"],
    )


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_recommendations_item_by_item(case, parsed):
    label, fmt = case
    got = [r.text for r in parsed[(label["id"], fmt)].recommendations]
    assert [fold_item(t) for t in got] == [fold_item(t) for t in label["recommendations"]]


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_sections_titles_and_kinds(case, parsed):
    label, fmt = case
    report = parsed[(label["id"], fmt)]
    got = [(s.number, fold(s.title), s.kind) for s in report.sections]
    expected = [(s["number"], fold(s["title"]), s["kind"]) for s in label["sections"]]
    assert got == expected
    assert section_f1([s.title for s in report.sections], [s["title"] for s in label["sections"]]) == 1.0


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_expected_warnings_and_no_others(case, parsed):
    label, fmt = case
    codes = sorted(w.code for w in parsed[(label["id"], fmt)].warnings)
    expected = sorted(w.split(":")[0] for w in label["expected_warnings"])
    assert codes == expected


def test_pdf_omissions_are_real():
    """The PDF copy of 001 really has no WARD(S) row, so the PDF cannot yield it."""
    from pipeline.read import read_lines

    for (paper, _field), marker in PDF_OMISSIONS.items():
        pdf_text = " ".join(l.text for l in read_lines(ROOT / "corpus" / "pdf" / f"{paper}.pdf").lines)
        txt_text = " ".join(l.text for l in read_lines(ROOT / "corpus" / "seeds" / f"{paper}.txt").lines)
        assert marker not in pdf_text.upper()
        assert marker in txt_text.upper()


GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_sections_golden(case, parsed):
    """Sections (number, title, kind, level, page, start of text) against golden files."""
    label, fmt = case
    report = parsed[(label["id"], fmt)]
    got = [
        {
            "number": s.number,
            "title": s.title,
            "kind": s.kind,
            "level": s.level,
            "page": s.page,
            "text_start": " ".join(s.text.split())[:60],
        }
        for s in report.sections
    ]
    golden = GOLDEN / f"{label['id']}.{fmt}.sections.json"
    assert got == json.loads(golden.read_text(encoding="utf-8"))
