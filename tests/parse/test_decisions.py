"""Decisions read from minutes and decision notices written here (synthetic, several councils' wordings)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import SYNTHETIC_MINUTES as MINUTES

from pipeline import parse_file, parse_sections, read_lines
from pipeline.model import Decision, report_from_dict
from pipeline.parse.decisions import expand_refs


def _minutes(tmp_path: Path, text: str = MINUTES, name: str = "minutes.txt") -> tuple[Decision, ...]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_sections(read_lines(path)).decisions


def test_a_resolved_block_gives_one_decision_per_numbered_item_with_its_item_and_meeting(tmp_path):
    decisions = [d for d in _minutes(tmp_path) if d.item == "2"]
    assert [d.number for d in decisions] == ["1", "2"]
    first = decisions[0]
    assert first.text == "approves the Bus Service Improvement Plan as set out in Appendix A"
    assert first.outcome == "agreed" and first.wording == "RESOLVED"
    assert first.item_title == "Bus Service Improvement Plan"
    assert first.committee == "Highways and Transport Committee"
    assert first.meeting_date == dt.date(2024, 3, 14)
    assert first.page == 1 and first.line > 0


def test_an_amendment_carried_marks_the_resolution_after_it_amended(tmp_path):
    decisions = [d for d in _minutes(tmp_path) if d.item == "3"]
    assert [d.outcome for d in decisions] == ["agreed", "noted"]
    assert all(d.amended for d in decisions)
    assert not any(d.amended for d in _minutes(tmp_path) if d.item == "2")


def test_a_resolution_to_defer_is_a_deferral(tmp_path):
    (decision,) = [d for d in _minutes(tmp_path) if d.item == "4"]
    assert decision.outcome == "deferred"
    assert decision.item_title == "Library Opening Hours"


def test_a_vote_naming_recommendations_rejects_those_recommendations(tmp_path):
    decisions = [d for d in _minutes(tmp_path) if d.item == "5"]
    assert [(d.outcome, d.refs, d.wording) for d in decisions] == [("rejected", ("1", "3"), "LOST")]


def test_a_procedural_line_ends_a_resolution(tmp_path):
    texts = [d.text for d in _minutes(tmp_path)]
    assert not any("moved" in t or "Meeting ended" in t for t in texts if "Recommendations" not in t)


@pytest.mark.parametrize(
    "line, outcome",
    [
        ("RESOLVED: That the annual report be approved.", "agreed"),
        ("Resolved – that the annual report be approved.", "agreed"),
        ("The Committee resolved that the annual report be approved.", "agreed"),
        ("AGREED: that the annual report be approved.", "agreed"),
        ("It was agreed that the annual report be approved.", "agreed"),
        ("DECISION: To approve the annual report.", "agreed"),
        ("Decision made: to approve the annual report.", "agreed"),
        ("It was APPROVED that the annual report be published.", "agreed"),
        ("The Board noted the report.", "noted"),
        ("RESOLVED – that the annual report be deferred to a future meeting.", "deferred"),
    ],
)
def test_each_councils_wording_of_a_decision_is_read(tmp_path, line, outcome):
    text = f"Minutes of the Audit Committee\n12 June 2023\n\n7 Annual Report\n\n{line}\n\nMeeting closed at 8 pm\n"
    (decision,) = _minutes(tmp_path, text)
    assert decision.outcome == outcome
    assert "annual report" in decision.text.lower() or decision.text.lower() == "the report."
    assert decision.item == "7" and decision.item_title == "Annual Report"


def test_ordinary_sentences_are_not_decisions(tmp_path):
    text = (
        "Minutes of the Audit Committee\n12 June 2023\n\n7 Annual Report\n\n"
        "The Chair agreed to look into the matter. The request is resolved with the auditors.\n"
        "Members noted that the deadline had passed.\n"
    )
    assert _minutes(tmp_path, text) == ()


def test_a_decision_notice_form_gives_its_subject_agenda_item_and_decisions(tmp_path):
    text = (
        "Record of Decision\nDecision taken at the Cabinet meeting on 5 May 2022\n\n"
        "(a) Subject: Waste Strategy\n(agenda item 6)\n"
        "(b) Decision:\n1. Approved the Waste Strategy.\n2. Noted the consultation responses.\n"
        "(c) Reasons for decision:\nAs set out in the report.\n"
    )
    decisions = _minutes(tmp_path, text, "notice.txt")
    assert [(d.item, d.item_title, d.number, d.outcome) for d in decisions] == [
        ("6", "Waste Strategy", "1", "agreed"),
        ("6", "Waste Strategy", "2", "noted"),
    ]
    assert decisions[0].meeting_date == dt.date(2022, 5, 5)


def test_recommendation_numbers_named_in_a_vote_expand():
    assert expand_refs("4c and 5") == ("4c", "5")
    assert expand_refs("15 to 18") == ("15", "16", "17", "18")
    assert expand_refs("1, 2 & 3") == ("1", "2", "3")


def test_decisions_survive_the_stored_record_and_old_records_load(tmp_path):
    path = tmp_path / "minutes.txt"
    path.write_text(MINUTES, encoding="utf-8")
    report = parse_file(path, entities=False)
    assert report.doc_type == "minutes" and report.decisions
    data = report.to_dict()
    assert report_from_dict(data).decisions == report.decisions
    data.pop("decisions")
    assert report_from_dict(data).decisions == ()


def test_a_report_has_no_decisions(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(
        "REPORT TO: Cabinet\n\nDATE: 1 May 2024\n\nSUBJECT: Budget\n\n1.0 RECOMMENDATIONS\n\n"
        "RESOLVED that the budget be approved.\n",
        encoding="utf-8",
    )
    assert parse_file(path, entities=False).decisions == ()
