"""Header forms from many councils, as small synthetic papers (issue 3).

Each case is a paper written the way some council writes its header; the
parser must read the same fields from all of them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.headers import parse_key_decision, split_people
from pipeline.parse import parse_file

BODY = """
1. Purpose of the Report

1.1 This report sets out the position.

2. Recommendations

2.1 That the Committee notes the report.
"""

CASES = {
    "halton": (
        "REPORT TO: Executive Board\nDATE: 12 March 2015\nREPORTING OFFICER: Strategic Director, People\n"
        "PORTFOLIO: Resources\nSUBJECT: Budget Monitoring Quarter 3 2014/15\nWARDS: Borough wide\n",
        {"committee": "Executive Board", "meeting_date": dt.date(2015, 3, 12),
         "reporting_officer": "Strategic Director, People", "portfolio": "Resources",
         "subject": "Budget Monitoring Quarter 3 2014/15", "wards": "Borough wide"},
    ),
    "kent": (
        "From: Roger Gough, Leader of the Council\nTo: Cabinet, 30 January 2025\n"
        "Subject: Budget Update\nClassification: Unrestricted\nElectoral Division: All\n",
        {"committee": "Cabinet", "meeting_date": dt.date(2025, 1, 30), "cabinet_member": "Roger Gough, Leader of the Council",
         "subject": "Budget Update", "wards": "All"},
    ),
    "bristol": (
        "COMMITTEE: Transport and Connectivity Committee\nDATE: 12 September 2024\nTITLE: Workplace Parking Levy\n"
        "Ward(s): All wards\nOfficer presenting the report: Adam Crowther Job title: Head of City Transport\n"
        "Committee Chair: Councillor Ed Plowden\nKEY DECISION OR FOR INFORMATION: For Information\n",
        {"committee": "Transport and Connectivity Committee", "meeting_date": dt.date(2024, 9, 12),
         "subject": "Workplace Parking Levy", "wards": "All wards",
         "reporting_officer": "Adam Crowther, Head of City Transport", "cabinet_member": "Councillor Ed Plowden",
         "key_decision": False},
    ),
    "moderngov": (
        "Meeting Name: Health and Wellbeing Board\nDate of Meeting: 4 June 2019\nReport title: Better Care Fund Plan\n"
        "Report Authorised by: Director of Public Health\nCabinet Member: Cllr Jane Doe\n"
        "Contact for enquiries: John Smith, Commissioning Manager, tel 01234 567890\n"
        "Ward(s) or groups affected: All\nKey Decision: Yes\nItem No. 7\n",
        {"committee": "Health and Wellbeing Board", "meeting_date": dt.date(2019, 6, 4),
         "subject": "Better Care Fund Plan", "reporting_officer": "Director of Public Health",
         "cabinet_member": "Cllr Jane Doe", "contact": "John Smith, Commissioning Manager", "wards": "All",
         "key_decision": True, "reference": "7"},
    ),
    "decision_maker": (
        "Decision maker: Cabinet Member for Highways\nPaper No: CAB/2020/14\nReport title: Winter Gritting Routes\n"
        "Date: 1st October 2020\n",
        {"committee": "Cabinet Member for Highways", "reference": "CAB/2020/14", "subject": "Winter Gritting Routes",
         "meeting_date": dt.date(2020, 10, 1)},
    ),
    "report_by": (
        "Winter Gritting Routes\n\nReport by the Director of Place to the Cabinet on 12 May 2015\n",
        {"reporting_officer": "Director of Place", "committee": "Cabinet", "meeting_date": dt.date(2015, 5, 12)},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_issue3_header_forms(name: str, tmp_path: Path) -> None:
    header, expected = CASES[name]
    paper = tmp_path / f"{name}.txt"
    paper.write_text(header + BODY, encoding="utf-8")
    report = parse_file(paper, entities=False)
    got = {k: getattr(report, k) for k in expected}
    assert got == expected
    assert [s.title for s in report.sections] == ["Purpose of the Report", "Recommendations"]
    assert [r.text for r in report.recommendations] == ["That the Committee notes the report."]


def test_from_list_splits_councillors_and_officers() -> None:
    entries = [["Deputy Leader and Cabinet Member for Finance, Corporate and", "Traded Services, Peter Oakford",
                "Interim Corporate Director Finance, John Betts"]]
    assert split_people(entries) == [
        "Deputy Leader and Cabinet Member for Finance, Corporate and Traded Services, Peter Oakford",
        "Interim Corporate Director Finance, John Betts",
    ]


@pytest.mark.parametrize(
    "text,expected",
    [("Yes - It affects more than 2 Electoral Divisions", True), ("No", False), ("For Information", False),
     ("Key decision over £500k spend", True), ("Non-key", False), ("n/a", None)],
)
def test_key_decision_values(text: str, expected: bool | None) -> None:
    assert parse_key_decision(text) is expected
