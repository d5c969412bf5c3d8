"""Recommendations: one per item as written, lead-ins and bullets kept in their place."""

from __future__ import annotations

from pathlib import Path

from pipeline.enrich.report import parse_file


def _recs(tmp_path: Path, text: str):
    path = tmp_path / "paper.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path, entities=False)


TWO_BODIES = """2.0 RECOMMENDATIONS
2.1 Cabinet is asked to RECOMMEND that:
(1) the scheme be adopted for 2026/27;
(2) any urgent amendments be adopted immediately.
2.2 Council is asked to RESOLVE that:
(1) the scheme be adopted for 2026/27
(2) any urgent amendments be adopted immediately
3.0 BACKGROUND
3.1 The scheme has run since 2013.
"""


def test_numbered_lead_ins_asking_each_body_are_not_recommendations(tmp_path):
    report = _recs(tmp_path, TWO_BODIES)
    assert [r.text for r in report.recommendations] == [
        "the scheme be adopted for 2026/27;",
        "any urgent amendments be adopted immediately.",
        "the scheme be adopted for 2026/27",
        "any urgent amendments be adopted immediately",
    ]
    assert [r.label for r in report.recommendations] == ["(1)", "(2)", "(1)", "(2)"]
    assert report.recommendation_leadin == "Cabinet is asked to RECOMMEND that:"


def test_lettered_sub_items_of_a_lead_in_are_one_recommendation_each_with_the_label_as_written(tmp_path):
    report = _recs(
        tmp_path,
        "RECOMMENDATIONS\nThe Committee is asked to:\na) note the report;\n"
        "b) agree the next steps; and\nc) ask for a report in March.\n\nBACKGROUND\nText.\n",
    )
    assert [(r.label, r.text) for r in report.recommendations] == [
        ("a)", "note the report;"),
        ("b)", "agree the next steps; and"),
        ("c)", "ask for a report in March."),
    ]


def test_bullets_under_a_numbered_recommendation_are_part_of_it(tmp_path):
    report = _recs(
        tmp_path,
        "RECOMMENDATIONS\n1. Approve the works at:\n• Mill Lane\n• Station Road\n"
        "2. Note the cost.\n\nBACKGROUND\nText.\n",
    )
    assert [r.text for r in report.recommendations] == [
        "Approve the works at: • Mill Lane • Station Road",
        "Note the cost.",
    ]


def test_bullets_alone_after_a_lead_in_are_the_items(tmp_path):
    report = _recs(
        tmp_path,
        "RECOMMENDATIONS\nCabinet is recommended to:\n• note the report\n• agree the plan\n\nBACKGROUND\nText.\n",
    )
    assert [r.text for r in report.recommendations] == ["note the report", "agree the plan"]


def test_bare_capital_letter_label_is_not_part_of_the_text(tmp_path):
    report = _recs(
        tmp_path,
        "RECOMMENDED that:\n\nA The Working Group notes the report.\n\nBACKGROUND\n"
        "1. The council declared a climate emergency.\n",
    )
    [rec] = report.recommendations
    assert (rec.label, rec.text) == ("A", "The Working Group notes the report.")


def test_recommendations_cell_of_a_header_table_in_a_text_export(tmp_path):
    report = _recs(
        tmp_path,
        "Report subject  Tree Planting\nMeeting date  17 December 2019\n"
        "Recommendations  It is RECOMMENDED that Council supports the following\n"
        "course of action:\n1. Endorse the planting plan\n2. Note the costs.\nReason for\n"
        "recommendations  To plant before the season ends.\n\nBackground\n"
        "1. The council planted two hundred trees last year in parks across the borough.\n",
    )
    assert [r.text for r in report.recommendations] == ["Endorse the planting plan", "Note the costs."]


PLANNING = """PLANNING COMMITTEE

Proposal: Erection of two detached dwellings with associated parking and landscaping.

RECOMMENDATION: Grant permission subject to conditions set out in section 9 of this report.

1.0 SITE AND SURROUNDINGS

1.1 The site is a vacant plot on the north side of Mill Lane, within the settlement boundary.

2.0 PROPOSAL

2.1 The application proposes two detached dwellings, each with two parking spaces.
"""


def test_planning_recommendation_is_found_and_the_proposal_description_is_not_one(tmp_path):
    report = _recs(tmp_path, PLANNING)
    assert [r.text for r in report.recommendations] == [
        "Grant permission subject to conditions set out in section 9 of this report."
    ]


def test_planning_conditions_belong_to_the_decision_they_follow(tmp_path):
    report = _recs(
        tmp_path,
        "RECOMMENDATION\nGrant permission subject to the following conditions:\n"
        "1. The development shall begin within three years.\n"
        "2. The parking spaces shall be laid out before occupation.\n\nBACKGROUND\nText.\n",
    )
    [rec] = report.recommendations
    assert rec.text.startswith("Grant permission subject to the following conditions: 1. The development")
    assert rec.text.endswith("laid out before occupation.")


def test_a_single_recommendation_ends_where_the_next_paragraph_starts(tmp_path):
    report = _recs(
        tmp_path,
        "Evidence Base:\n\nRecommendation 1: Initiate a Task and Finish Group to make\n"
        "recommendations for a parking strategy.\n\n"
        "2 Residents' Parking Scheme - First Permit Increase and realignment of the\n"
        "Easton scheme alongside the permit increase.\n\nIn June the cabinet proposed changes.\n",
    )
    assert [r.text for r in report.recommendations] == [
        "Initiate a Task and Finish Group to make recommendations for a parking strategy."
    ]
