"""Recommendations linked to the decisions of their meeting, from papers written here, on both index engines."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SYNTHETIC_MINUTES as MINUTES

from pipeline.cli import cli
from pipeline.index import ENGINES
from pipeline.ingest import ingest
from pipeline.output.export import load_reports, table_rows
from pipeline.search.decisions import outcomes, same_body, show_decided, trace_decided

REPORT = """\
REPORT TO: {committee}

DATE: {date}

REPORTING OFFICER: Director of Place

SUBJECT: {subject}

1.0 PURPOSE OF REPORT

1.1 To seek the Committee's decision on {subject}.

2.0 RECOMMENDATIONS: That the Committee

{recommendations}

3.0 FINANCIAL IMPLICATIONS

3.1 Met from existing budgets.
"""

#: (file stem, subject, date, recommendations): the reports the minutes (MINUTES) decide, and one they do not.
REPORTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "bus",
        "Bus Service Improvement Plan",
        "14 March 2024",
        (
            "Approve the Bus Service Improvement Plan as set out in Appendix A;",
            "Delegate authority to the Director of Place to submit the plan to the Department for Transport.",
        ),
    ),
    (
        "parking",
        "Parking Charges Review",
        "14 March 2024",
        (
            "Approve an increase in on-street parking charges of 10 per cent;",
            "Note the results of the public consultation.",
        ),
    ),
    ("library", "Library Opening Hours", "14 March 2024", ("Approve the revised library opening hours.",)),
    (
        "lighting",
        "Street Lighting Contract",
        "14 March 2024",
        (
            "Award the street lighting maintenance contract to the preferred bidder;",
            "Note the procurement timetable;",
            "Delegate the contract's extensions to the Director of Place.",
        ),
    ),
    ("bridges", "Bridge Maintenance Programme", "20 June 2024", ("Approve the bridge maintenance programme.",)),
)


def _write_papers(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "minutes_2024_03_14.txt").write_text(MINUTES, encoding="utf-8")
    for stem, subject, date, recs in REPORTS:
        text = REPORT.format(
            committee="Highways & Transport Committee",
            date=date,
            subject=subject,
            recommendations="\n".join(f"{i}) {r}" for i, r in enumerate(recs, 1)),
        )
        (folder / f"report_{stem}.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module", params=ENGINES)
def decided(request, tmp_path_factory) -> Path:
    """The minutes and the reports they decide, indexed by one engine."""
    folder = tmp_path_factory.mktemp(f"papers-{request.param}")
    _write_papers(folder)
    path = folder / "index"
    summary = ingest([folder], path, engine=request.param)
    assert summary.count("indexed") == len(REPORTS) + 1, summary.failed
    return path


def _outcomes(index: Path, stem: str) -> list:
    return list(show_decided(index, f"report_{stem}").outcomes)


def test_recommendations_resolved_as_written_are_agreed_as_recommended_citing_the_minutes(decided):
    links = _outcomes(decided, "bus")
    assert [link.outcome for link in links] == ["agreed as recommended"] * 2
    first = links[0]
    assert first.path and first.path.endswith("minutes_2024_03_14.txt")
    assert first.page == 1 and first.line and first.item == "2"
    assert str(first.meeting_date) == "2024-03-14"
    assert first.wording == "RESOLVED"


def test_an_amended_resolution_gives_the_words_the_meeting_changed(decided):
    links = _outcomes(decided, "parking")
    assert links[0].outcome == "agreed with amendment"
    assert "phased over two years" in (links[0].amendment or "")
    assert links[0].label.startswith("agreed with amendment: adds")
    assert links[1].outcome == "agreed as recommended"  # "notes the results" as recommended


def test_a_deferred_item_defers_its_recommendations(decided):
    assert [link.outcome for link in _outcomes(decided, "library")] == ["deferred"]


def test_recommendations_lost_in_a_vote_are_rejected_and_one_not_minuted_is_not_found(decided):
    links = _outcomes(decided, "lighting")
    assert [link.outcome for link in links] == ["rejected", "not found", "rejected"]
    assert "item 5" in (links[1].reason or "")


def test_a_meeting_without_minutes_in_the_archive_is_not_found_with_the_reason(decided):
    (link,) = _outcomes(decided, "bridges")
    assert link.outcome == "not found" and link.path is None
    assert "no minutes of Highways & Transport Committee" in (link.reason or "")


def test_trace_entries_carry_their_outcome(decided):
    result = trace_decided(decided, "library")
    entries = [e for lineage in result.lineages for e in lineage.entries]
    assert entries and all(e.outcome is not None for e in entries)
    assert {e.outcome.outcome for e in entries if "library" in e.text.lower()} == {"deferred"}


def test_show_cli_prints_outcomes_with_a_citation_and_json_has_them(decided):
    runner = CliRunner()
    out = runner.invoke(cli, ["show", "report_parking", "--index", str(decided)])
    assert out.exit_code == 0, out.output
    assert "→ agreed with amendment: adds" in out.output and "minutes_2024_03_14.txt p.1" in out.output
    as_json = runner.invoke(cli, ["show", "report_bus", "--index", str(decided), "--json"])
    record = json.loads(as_json.output)
    assert [o["outcome"] for o in record["outcomes"]] == ["agreed as recommended"] * 2
    minutes = runner.invoke(cli, ["show", "minutes_2024", "--index", str(decided)])
    assert "Decisions:" in minutes.output


def test_trace_cli_csv_has_the_outcome_columns(decided):
    out = CliRunner().invoke(cli, ["trace", "lighting", "--index", str(decided), "--csv"])
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert {"outcome", "outcome_source"} <= set(rows[0])
    assert "rejected" in {r["outcome"] for r in rows}


def test_export_decisions_rows_carry_the_context_and_the_linked_recommendation(decided):
    rows = list(table_rows(load_reports(decided), "decisions"))
    assert rows and all(r["report_id"].startswith("minutes_2024_03_14") for r in rows)
    linked = {r["recommendation_id"].split("-")[0]: r for r in rows if r["recommendation_id"]}
    assert set(linked) == {"report_bus", "report_parking", "report_library", "report_lighting"}
    deferred = next(r for r in rows if r["outcome"] == "deferred")
    assert deferred["recommendation_outcome"] == "deferred" and deferred["item"] == "4"
    out = CliRunner().invoke(cli, ["export", "--what", "decisions", "--index", str(decided)])
    assert out.exit_code == 0 and "report_id,source_path,council,committee" in out.output


def test_the_decisions_frame_has_the_documented_columns_and_dtypes(decided):
    import pandas as pd

    from pipeline import open_archive
    from pipeline.output.export import COLUMNS, dtype_of

    df = open_archive(decided).decisions()
    assert tuple(df.columns) == COLUMNS["decisions"] and len(df) > 0
    assert {c: str(df[c].dtype) for c in df.columns} == {c: str(pd.Series(dtype=dtype_of(c)).dtype) for c in df.columns}
    assert df["decision_meeting_date"].iloc[0] == pd.Timestamp("2024-03-14")


def test_outcomes_of_a_report_in_hand(decided):
    report = show_decided(decided, "report_bus").report
    assert [link.outcome for link in outcomes(decided, report)] == ["agreed as recommended"] * 2


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("Transport and Connectivity Committee", "Transport & Connectivity Policy Committee", True),
        ("Cabinet", "Cabinet", True),
        ("Overview and Scrutiny Committee", "Adult Social Care Overview and Scrutiny Committee", False),
        ("Planning Committee", "Licensing Committee", False),
        (None, "Cabinet", False),
    ],
)
def test_one_body_by_its_committees_words(a, b, same):
    assert same_body(a, b) is same


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_the_decisions_export_round_trips(decided, tmp_path, fmt):
    import pandas as pd

    from pipeline.output.export import read_table, table_frame, write_table

    reports = load_reports(decided)
    path = tmp_path / f"decisions.{fmt}"
    n = write_table(reports, "decisions", fmt, path)
    expected = table_frame(reports, "decisions")
    assert n == len(expected) > 0
    pd.testing.assert_frame_equal(read_table(path), expected)
