"""Header forms from many councils, as small synthetic papers.

Each case is a paper written the way some council writes its header; the
parser must read the same fields from all of them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.enrich.report import parse_file
from pipeline.parse.headers import parse_key_decision, split_people

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
        {
            "committee": "Executive Board",
            "meeting_date": dt.date(2015, 3, 12),
            "reporting_officer": "Strategic Director, People",
            "portfolio": "Resources",
            "subject": "Budget Monitoring Quarter 3 2014/15",
            "wards": "Borough wide",
        },
    ),
    "kent": (
        "From: Roger Gough, Leader of the Council\nTo: Cabinet, 30 January 2025\n"
        "Subject: Budget Update\nClassification: Unrestricted\nElectoral Division: All\n",
        {
            "committee": "Cabinet",
            "meeting_date": dt.date(2025, 1, 30),
            "cabinet_member": "Roger Gough, Leader of the Council",
            "subject": "Budget Update",
            "wards": "All",
        },
    ),
    "bristol": (
        "COMMITTEE: Transport and Connectivity Committee\nDATE: 12 September 2024\nTITLE: Workplace Parking Levy\n"
        "Ward(s): All wards\nOfficer presenting the report: Adam Crowther Job title: Head of City Transport\n"
        "Committee Chair: Councillor Ed Plowden\nKEY DECISION OR FOR INFORMATION: For Information\n",
        {
            "committee": "Transport and Connectivity Committee",
            "meeting_date": dt.date(2024, 9, 12),
            "subject": "Workplace Parking Levy",
            "wards": "All wards",
            "reporting_officer": "Adam Crowther, Head of City Transport",
            "cabinet_member": "Councillor Ed Plowden",
            "key_decision": False,
        },
    ),
    "moderngov": (
        "Meeting Name: Health and Wellbeing Board\nDate of Meeting: 4 June 2019\nReport title: Better Care Fund Plan\n"
        "Report Authorised by: Director of Public Health\nCabinet Member: Cllr Jane Doe\n"
        "Contact for enquiries: John Smith, Commissioning Manager, tel 01234 567890\n"
        "Ward(s) or groups affected: All\nKey Decision: Yes\nItem No. 7\n",
        {
            "committee": "Health and Wellbeing Board",
            "meeting_date": dt.date(2019, 6, 4),
            "subject": "Better Care Fund Plan",
            "reporting_officer": "Director of Public Health",
            "cabinet_member": "Cllr Jane Doe",
            "contact": "John Smith, Commissioning Manager",
            "wards": "All",
            "key_decision": True,
            "reference": "7",
        },
    ),
    "decision_maker": (
        "Decision maker: Cabinet Member for Highways\nPaper No: CAB/2020/14\nReport title: Winter Gritting Routes\n"
        "Date: 1st October 2020\n",
        {
            "committee": "Cabinet Member for Highways",
            "reference": "CAB/2020/14",
            "subject": "Winter Gritting Routes",
            "meeting_date": dt.date(2020, 10, 1),
        },
    ),
    "report_by": (
        "Winter Gritting Routes\n\nReport by the Director of Place to the Cabinet on 12 May 2015\n",
        {"reporting_officer": "Director of Place", "committee": "Cabinet", "meeting_date": dt.date(2015, 5, 12)},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_header_forms(name: str, tmp_path: Path) -> None:
    header, expected = CASES[name]
    paper = tmp_path / f"{name}.txt"
    paper.write_text(header + BODY, encoding="utf-8")
    report = parse_file(paper, entities=False)
    got = {k: getattr(report, k) for k in expected}
    assert got == expected
    assert [s.title for s in report.sections] == ["Purpose of the Report", "Recommendations"]
    assert [r.text for r in report.recommendations] == ["That the Committee notes the report."]


def test_from_list_splits_councillors_and_officers() -> None:
    entries = [
        [
            "Deputy Leader and Cabinet Member for Finance, Corporate and",
            "Traded Services, Peter Oakford",
            "Interim Corporate Director Finance, John Betts",
        ]
    ]
    assert split_people(entries) == [
        "Deputy Leader and Cabinet Member for Finance, Corporate and Traded Services, Peter Oakford",
        "Interim Corporate Director Finance, John Betts",
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Yes - It affects more than 2 Electoral Divisions", True),
        ("No", False),
        ("For Information", False),
        ("Key decision over £500k spend", True),
        ("Non-key", False),
        ("n/a", None),
    ],
)
def test_key_decision_values(text: str, expected: bool | None) -> None:
    assert parse_key_decision(text) is expected


GENERIC = """Agenda Item 7

Report to: Cabinet
Date of meeting: 14th July 2021
Report of: Director of Finance and Resources
Portfolio Holder: Councillor A. Smith, Finance
Wards affected: All Wards
Key Decision: Yes
Contact officer: Jane Brown, Head of Finance, 01234 567890, jane.brown@example.gov.uk

Revenue Budget Monitoring 2021/22 - Quarter 1

1. Purpose of Report

1.1 To report the forecast revenue outturn for 2021/22 as at the end of the first quarter (30 June 2021).

2. Recommendations

2.1 Cabinet is recommended to:

(a) note the forecast overspend of £1.2m;
(b) approve the virements set out in Appendix A; and
(c) agree the actions in section 5.

3. Reasons for Recommendations

3.1 To ensure the Council's budget is monitored.
"""


def test_title_below_the_header_and_numbered_leadin(tmp_path: Path) -> None:
    """A subject line under the header table (not the "Agenda Item 7" stamp above it),
    and "2.1 Cabinet is recommended to:" read as the lead-in of (a)-(c)."""
    paper = tmp_path / "generic.txt"
    paper.write_text(GENERIC, encoding="utf-8")
    r = parse_file(paper, entities=False)
    assert r.subject == "Revenue Budget Monitoring 2021/22 - Quarter 1"
    assert (r.committee, r.meeting_date, r.reporting_officer) == (
        "Cabinet",
        dt.date(2021, 7, 14),
        "Director of Finance and Resources",
    )
    assert r.cabinet_member == "Councillor A. Smith, Finance"
    assert r.contact == "Jane Brown, Head of Finance"
    assert (r.wards, r.key_decision) == ("All Wards", True)
    assert r.period is not None and r.period.key == "2021/22-Q1"
    assert r.recommendation_leadin == "Cabinet is recommended to:"
    assert [x.text for x in r.recommendations] == [  # as written, list punctuation kept
        "note the forecast overspend of £1.2m;",
        "approve the virements set out in Appendix A; and",
        "agree the actions in section 5.",
    ]
    assert [(s.title, s.kind) for s in r.sections] == [
        ("Purpose of Report", "purpose"),
        ("Recommendations", "recommendations"),
        ("Reasons for Recommendations", "other"),
    ]


# ---------------------------------------------------------------- cheap tests before the heading regexes


_REPLY_PIECES = [
    *"abc NnOoEeIiLl/.APLICBTSDF \tſ",
    "not applicable",
    "none",
    "n/a",
    "nil",
    "no implications",
    "identified",
    "NOT APPLICABLE",
    "None.",
]


@given(st.lists(st.sampled_from(_REPLY_PIECES), max_size=8).map("".join))
@settings(max_examples=400, deadline=None)
def test_reply_prefilter_never_hides_a_stock_reply(text: str) -> None:
    from pipeline.parse.headings import NOT_TITLE_TAIL, _may_end_in_reply

    if NOT_TITLE_TAIL.search(text):
        assert _may_end_in_reply(text)
