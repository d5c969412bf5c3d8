"""Shared fixtures: hand-built reports for index tests, and the sample corpus."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Sequence

import pytest

from pipeline.model import Period, Recommendation, Report, Section, Source

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def make_report(
    rid: str,
    sections: Sequence[tuple[str | None, str, str, str]] = (),
    *,
    path: str | None = None,
    date: str | None = "2018-01-29",
    committee: str = "Children and Young People Policy and Performance Board",
    officer: str = "Strategic Director",
    subject: str = "Performance Management Report",
    council: str = "Halton Borough Council",
    period: tuple[str, int | None] | None = ("2017/18", 2),
    recommendations: Sequence[str] = (),
    doc_type: str = "report",
    parts: Sequence[Report] = (),
    parent_id: str | None = None,
) -> Report:
    """A report from (number, title, kind, text) section tuples."""
    path = path or f"/papers/{rid}.txt"
    return Report(
        id=rid,
        source=Source(path=path, sha256=hashlib.sha256(path.encode()).hexdigest(), format="text", pages=1),
        doc_type=doc_type,
        council=council,
        committee=committee,
        meeting_date=dt.date.fromisoformat(date) if date else None,
        reporting_officer=officer,
        subject=subject,
        period=Period(period[0], period[1], None, None) if period else None,
        sections=tuple(
            Section(number=n, title=t, kind=k, level=1, page=i + 1, text=x) for i, (n, t, k, x) in enumerate(sections)
        ),
        recommendations=tuple(Recommendation(i + 1, r, page=1) for i, r in enumerate(recommendations)),
        parts=tuple(parts),
        parent_id=parent_id,
    )


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """An index of the sample corpus (5 .txt + 5 .pdf), built once; tests must not write to it."""
    from pipeline.ingest import ingest

    path = tmp_path_factory.mktemp("corpus") / "index"
    summary = ingest([CORPUS], path)
    assert summary.count("indexed") == 10, summary.failed
    return path


def unlisted_files(ix) -> list[str]:
    """Segment files in a Whoosh index directory that its table of contents does not list."""
    from pipeline.index.whoosh.schema import INDEX_NAME

    listed = {seg.segment_id() for seg in ix._ix._segments()}
    name = INDEX_NAME
    return sorted(
        f
        for f in os.listdir(ix.path)
        if f.startswith(f"{name}_") and f.split(".")[0] not in listed and not f.endswith("WRITELOCK")
    )


#: Minutes written for the decision tests: a RESOLVED block, an amendment carried, a deferral, a vote lost.
SYNTHETIC_MINUTES = """\
Exampleshire County Council
Minutes of the Highways and Transport Committee
14 March 2024 at 2.00 pm

1 Apologies for Absence

Apologies were received from Councillor Hart.

2 Bus Service Improvement Plan

The Committee considered a report on the Bus Service Improvement Plan.

The recommendations were moved by Councillor Lee and seconded by Councillor Khan.

RESOLVED – that the Committee:

1. approves the Bus Service Improvement Plan as set out in Appendix A;

2. delegates authority to the Director of Place to submit the plan to the Department for Transport.

3 Parking Charges Review

Councillor Ames moved an amendment to recommendation 1 to phase the increase over two years.

On being put to the vote the amendment was CARRIED.

RESOLVED – that the Committee:

1. approves an increase in on-street parking charges of 10 per cent, phased over two years;

2. notes the results of the public consultation.

4 Library Opening Hours

RESOLVED – that consideration of the report be deferred to the next meeting of the Committee.

5 Street Lighting Contract

Recommendations 1 and 3 were moved by Councillor Lee.

On being put to the vote recommendations 1 and 3 were LOST.

Meeting ended at 4.10 pm
"""


@pytest.fixture(scope="session", params=("whoosh", "tantivy"))
def engine_corpus(request, tmp_path_factory) -> Path:
    """The sample corpus indexed by each engine in turn (pipeline.index.ENGINES); tests must not write to it."""
    from pipeline.ingest import ingest

    path = tmp_path_factory.mktemp(f"corpus-{request.param}") / "index"
    summary = ingest([CORPUS], path, engine=request.param)
    assert summary.count("indexed") == 10, summary.failed
    return path
