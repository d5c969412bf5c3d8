"""Decisions and recommendation -> decision links on the real Bristol papers against what was read by hand.

tests/data/decision_links.jsonl holds, per recommendation (paper file, part of an
agenda pack or 0, number), the outcome read in the minutes and, when decided, the
meeting and minute item; tests/data/decisions_real.jsonl some decisions of the
minutes (file, meeting, item, number or the recommendations a vote names, outcome,
amended): ids and numbers only, no text of the papers.
Run with ``-s`` to see the figures the README quotes.
"""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

REAL = ROOT.parent / "shared" / "corpus" / "real"
LABELS = ROOT / "tests" / "data" / "decision_links.jsonl"
DECISION_LABELS = ROOT / "tests" / "data" / "decisions_real.jsonl"
#: Precision of the links found (outcome, meeting and item as read) must reach this.
MIN_PRECISION = 0.9
#: At least this many links found among the labelled recommendations.
MIN_LINKS = 13


@pytest.fixture(scope="module")
def papers() -> dict:
    """The Bristol papers parsed (no entities), by file name."""
    if not REAL.is_dir():
        pytest.skip("the real papers (../shared/corpus/real) are not here")
    from pipeline import parse_file

    return {p.name: parse_file(p, entities=False) for p in sorted(REAL.glob("bristol_*"))}


@pytest.mark.slow
def test_decisions_read_in_the_bristol_minutes_are_found(papers):
    labels = [json.loads(line) for line in DECISION_LABELS.read_text().splitlines() if line.strip()]
    found = 0
    for label in labels:
        decisions = papers[label["file"]].decisions
        match = [
            d
            for d in decisions
            if str(d.meeting_date) == label["meeting"]
            and d.item == label["item"]
            and d.outcome == label["outcome"]
            and ("number" not in label or d.number == label["number"])
            and ("refs" not in label or list(d.refs) == label["refs"])
            and ("amended" not in label or d.amended == label["amended"])
        ]
        found += bool(match)
    print(f"\ndecisions read as labelled: {found}/{len(labels)}")
    assert found == len(labels)


@pytest.mark.slow
def test_links_on_the_bristol_papers_are_precise(papers):
    from pipeline.search.decisions import link_reports

    records = [r for report in papers.values() for r in (report, *report.parts)]
    links = link_reports(records, records)
    labels = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()]

    def link_of(label: dict):
        report = papers[label["file"]]
        target = report.parts[label["part"] - 1] if label["part"] else report
        return next(
            (link for link in links.values() if link.report_id == target.id and link.number == label["number"]), None
        )

    found = [link for link in links.values() if link.outcome != "not found"]
    labelled = {(link.report_id, link.number) for link in filter(None, map(link_of, labels))}
    right = wrong = 0
    for label in labels:
        link = link_of(label)
        assert link is not None, f"no recommendation {label['number']} in {label['file']} part {label['part']}"
        ok = link.outcome == label["outcome"] and (
            label["outcome"] == "not found"
            or (str(link.meeting_date) == label["meeting"] and link.item == label["item"])
        )
        if link.outcome != "not found":
            right, wrong = right + ok, wrong + (not ok)
    unlabelled = [link for link in found if (link.report_id, link.number) not in labelled]
    precision = right / (right + wrong) if right + wrong else 0.0
    agree = sum(1 for label in labels if (link := link_of(label)) is not None and link.outcome == label["outcome"])
    print(
        f"\nlinks found: {len(found)} ({len(unlabelled)} unlabelled); labelled: {len(labels)}; "
        f"precision {right}/{right + wrong} = {precision:.0%}; outcomes as labelled {agree}/{len(labels)}"
    )
    assert not unlabelled, [link.recommendation_id for link in unlabelled]
    assert precision >= MIN_PRECISION and right >= MIN_LINKS
