"""Agenda packs: cover, agenda items and component reports (``pipeline.parse.packs``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.enrich.report import parse_file
from pipeline.evaluate import fold
from pipeline.model import Line
from pipeline.parse import parse_sections
from pipeline.parse.furniture import strip_furniture
from pipeline.parse.headers import IGNORE
from pipeline.parse.packs import (
    HeaderBlock,
    cover_fields,
    find_header_blocks,
    find_reports,
    parse_agenda,
)
from pipeline.read import read_lines

ROOT = Path(__file__).resolve().parents[2]

# A small pack in the shape ModernGov prints: cover, agenda (with a running
# header and numbered rules inside an item), stamped items, minutes, two
# reports in two header templates, and an EqIA appended to the first report.
PACK = """\
Public Document Pack
Wessex County Council
Highways and Parking
Committee
Agenda

Date: Tuesday, 4 June 2024
Time: 7.00 pm
Venue: Council Chamber, County Hall

Issued by: Democratic Services
Date: Friday, 24 May 2024
Highways and Parking Committee – Agenda

Agenda
1. Apologies for Absence

2. Minutes of the Previous Meeting
(Pages 3 - 4)
3. Public Forum
Up to 30 minutes is allowed for this item.
1. Written questions must be received by noon, three working days before.
2. Written statements must be received by noon, two working days before.
Highways and Parking Committee – Agenda

4. Review of residents' parking charges and
permit types
To seek approval for new permit charges from April. (Pages 5 - 7)
5. Budget Monitoring Report
To note the forecast at Period 2. (Pages 8 - 9)
Page 2
Agenda Item 2
Wessex County Council
Minutes of the Highways and Parking Committee

1 Welcome and Introductions
The Chair welcomed everyone.
2 Apologies
None.
Page 3
4 Chair's Business
5 Date of Date of the Next Meeting
6 Parking Enforcement Update
7 Any Other Business
8 Close
Page 4
Agenda Item 4

Committee Report

COMMITTEE: Highways and Parking Committee
DATE: 4 June 2024
TITLE: Residents' Parking Charges Review
Officer presenting the report: Jane Doe Job title: Head of Parking
Executive Director lead: John Roe, Executive Director of Place

Purpose of Report:
To review the charges for residents' parking permits.

RECOMMENDATIONS
1. Approve the new permit charges.
2. Note the consultation results.
Page 5
Equality Impact Assessment
Title: Residents' parking charges
Directorate: Place
Service Area: Parking Services
Step 1: What do we want to do?
Raise permit charges in line with inflation.
Page 6
Agenda Item 4
Step 2: Who will be affected?
Permit holders across the county.
Page 7
Agenda Item 5
Budget monitoring report
Highways and Parking Committee

Report of: Director of Finance
Title: Budget Monitoring Report – Period 2
Officer presenting report: Sam Smith, Finance Manager

SUMMARY
The forecast is balanced.
Page 8
Background
Spending is on track.
Page 9
"""


@pytest.fixture
def pack_path(tmp_path: Path) -> Path:
    path = tmp_path / "wessex_highways_pack.txt"
    path.write_text(PACK, encoding="utf-8")
    return path


@pytest.fixture
def unstamped_path(tmp_path: Path) -> Path:
    """The same pack with its "Agenda Item N" stamps lost (another export, another council)."""
    text = "\n".join(l for l in PACK.splitlines() if not l.startswith("Agenda Item")) + "\n"
    path = tmp_path / "wessex_highways_unstamped.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, n: int, page: int = 1) -> Line:
    return Line(text=text, page=page, line_no=n)


# ---------------------------------------------------------------- the pack


def test_pack_committee_and_date_from_cover(pack_path: Path) -> None:
    r = parse_file(pack_path, entities=False)
    assert r.doc_type == "agenda_pack"
    # The council's name above the committee's is the authority, not the meeting.
    assert r.committee == "Highways and Parking Committee"
    assert r.meeting_date == dt.date(2024, 6, 4)  # not the issue date (24 May)
    assert r.provenance["committee"].line == 3
    assert r.provenance["meeting_date"].line == 7
    assert r.subject is None and r.reporting_officer is None and r.recommendations == ()


def test_agenda_items_become_sections(pack_path: Path) -> None:
    r = parse_file(pack_path, entities=False)
    assert [(s.number, s.title) for s in r.sections] == [
        ("1", "Apologies for Absence"),
        ("2", "Minutes of the Previous Meeting"),
        ("3", "Public Forum"),
        ("4", "Review of residents' parking charges and permit types"),
        ("5", "Budget Monitoring Report"),
    ]
    forum = r.sections[2]
    # Numbered rules that break the sequence are the item's text, not items.
    assert "1. Written questions" in forum.text and "2. Written statements" in forum.text
    # The running header is not text; the page range is not text or title.
    assert "– Agenda" not in forum.text
    parking = r.sections[3]
    assert parking.text == "To seek approval for new permit charges from April."
    assert parking.line == PACK.splitlines().index("4. Review of residents' parking charges and") + 1
    assert parking.page == 2
    assert r.sections[1].text == ""


def test_each_report_is_a_part_in_agenda_order(pack_path: Path) -> None:
    r = parse_file(pack_path, entities=False)
    assert [p.subject for p in r.parts] == [
        "Residents' Parking Charges Review",
        "Budget Monitoring Report – Period 2",
    ]
    first, second = r.parts
    assert first.id == f"{r.id}-p1" and second.id == f"{r.id}-p2"
    assert first.parent_id == r.id and first.doc_type == "report"
    assert first.reporting_officer.startswith("Jane Doe, Head of Parking")
    assert first.committee == "Highways and Parking Committee"
    assert first.meeting_date == dt.date(2024, 6, 4)
    assert second.reporting_officer == "Director of Finance; Sam Smith, Finance Manager"
    assert [rec.text for rec in first.recommendations] == [
        "Approve the new permit charges.",
        "Note the consultation results.",
    ]


def test_a_report_without_meeting_labels_takes_the_packs_meeting(pack_path: Path) -> None:
    second = parse_file(pack_path, entities=False).parts[1]
    assert second.committee == "Highways and Parking Committee"
    assert second.meeting_date == dt.date(2024, 6, 4)
    assert second.provenance["meeting_date"].line == 7  # the cover's "Date:" line
    assert not [w for w in second.warnings if w.code == "missing_field"]


def test_appendix_stays_with_its_report(pack_path: Path) -> None:
    first = parse_file(pack_path, entities=False).parts[0]
    text = "\n".join(s.text for s in first.sections)
    # The EqIA (its own "Title:" label) and its second page (the repeated stamp) follow the report.
    assert "Raise permit charges in line with inflation." in text
    assert "Permit holders across the county." in text
    assert "The forecast is balanced." not in text


def test_minutes_are_not_a_report(pack_path: Path) -> None:
    r = parse_file(pack_path, entities=False)
    assert all("Minutes" not in (p.subject or "") for p in r.parts)
    assert all("Chair welcomed" not in s.text for p in r.parts for s in p.sections)


def test_unstamped_pack_splits_on_header_blocks(unstamped_path: Path) -> None:
    r = parse_file(unstamped_path, entities=False)
    assert [p.subject for p in r.parts] == [
        "Residents' Parking Charges Review",
        "Budget Monitoring Report – Period 2",
    ]
    # The agenda stops where the minutes begin: their "4 Chair's Business"... are no items.
    assert [s.number for s in r.sections] == ["1", "2", "3", "4", "5"]
    assert r.sections[-1].title == "Budget Monitoring Report"


def test_pack_without_report_headers_warns(tmp_path: Path) -> None:
    path = tmp_path / "pack.txt"
    path.write_text(PACK.split("Page 4\n")[0] + "Page 4\n", encoding="utf-8")
    r = parse_file(path, entities=False)
    assert r.parts == ()
    assert "pack_without_reports" in [w.code for w in r.warnings]
    assert len(r.sections) == 5


def test_pack_without_agenda_list_keeps_its_reports(tmp_path: Path) -> None:
    # No numbered agenda: the reports' own numbered paragraphs must not be read as one.
    # Without stamps or minutes, the first "1." is in the first report's recommendations.
    path = tmp_path / "pack.txt"
    cover = PACK.split("Agenda\n1. Apologies")[0]
    reports = PACK.split("Page 4\n", 1)[1]
    text = cover + "Page 1\n" + reports
    path.write_text("\n".join(l for l in text.splitlines() if not l.startswith("Agenda Item")), encoding="utf-8")
    r = parse_file(path, entities=False)
    assert r.sections == ()
    assert [p.subject for p in r.parts] == [
        "Residents' Parking Charges Review",
        "Budget Monitoring Report – Period 2",
    ]


# ---------------------------------------------------------------- pieces


def test_header_block_strength() -> None:
    report = HeaderBlock(0, 5, ("committee", "meeting_date", "subject", "reporting_officer", IGNORE))
    eqia = HeaderBlock(0, 3, ("subject", IGNORE, IGNORE))
    cover = HeaderBlock(0, 3, ("meeting_date", IGNORE, IGNORE))
    signoff = HeaderBlock(0, 2, ("meeting_date", "subject"))
    author = HeaderBlock(0, 3, ("reporting_officer", "subject", "reporting_officer"))
    assert report.strong() and report.stamped()
    assert not eqia.strong() and not eqia.stamped()
    assert not cover.strong() and not cover.stamped()
    assert not signoff.strong() and signoff.stamped()
    assert author.strong()


def test_header_blocks_do_not_cross_pages() -> None:
    lines = [
        _line("Date: 9 January 2023", 1, page=3),
        _line("Review by the team.", 2, page=3),
        _line("Title: Equality Impact Assessment", 3, page=4),
        _line("Directorate: Place", 4, page=4),
    ]
    blocks = find_header_blocks(lines)
    assert [(b.start, b.fields) for b in blocks] == [(0, ("meeting_date",)), (2, ("subject", IGNORE))]


def test_find_reports_ranges(pack_path: Path) -> None:
    lines = strip_furniture(read_lines(pack_path).lines)
    ranges = find_reports(lines)
    assert len(ranges) == 2
    (s1, e1), (s2, e2) = ranges
    assert lines[s1].text == "Committee Report"  # the title line above the block
    assert lines[e1].text == "Agenda Item 5"  # ends at the next item's stamp
    assert lines[s2].text == "Budget monitoring report"
    assert e2 == len(lines)


def test_agenda_sub_items_and_page_ranges() -> None:
    texts = [
        "1. Apologies",
        "2. Reports for decision",
        "2a. Bus Strategy (Pages 4 - 9)",
        "To agree the strategy.",
        "2b) Cycle Lanes",
        "(Page 10)",
        "4. Out of order: text, not an item",
        "3. Any Other Business",
    ]
    lines = [_line(t, n) for n, t in enumerate(texts, start=1)]
    items = parse_agenda(lines, 0, len(lines))
    assert [(i.number, i.title) for i in items] == [
        ("1", "Apologies"),
        ("2", "Reports for decision"),
        ("2a", "Bus Strategy"),
        ("2b", "Cycle Lanes"),
        ("3", "Any Other Business"),
    ]
    assert items[2].pages == (4, 9) and items[2].text == "To agree the strategy."
    assert items[3].pages == (10, 10)
    assert "Out of order" in items[3].text


def test_cover_date_without_label() -> None:
    lines = [
        _line("Public Document Pack", 1),
        _line("Cabinet", 2),
        _line("Wednesday, 5th June, 2024 at 2.00 pm", 3),
        _line("Council Chamber", 4),
        _line("AGENDA", 5),
    ]
    fields, prov = cover_fields(lines)
    assert fields == {"committee": "Cabinet", "meeting_date": dt.date(2024, 6, 5)}
    assert prov["committee"].line == 2 and prov["meeting_date"].line == 3


def test_report_papers_are_not_packs(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(PACK.split("Agenda Item 4\n")[1].split("Page 5\n")[0] + "Page 5\nmore\nPage 6\n", encoding="utf-8")
    layout = parse_sections(read_lines(path))
    assert layout.doc_type == "report" and layout.parts == ()


# ---------------------------------------------------------------- real packs


def _shared() -> Path | None:
    for base in (Path("/work/shared"), ROOT.parent / "shared"):
        if (base / "labels" / "real-dev.jsonl").is_file() and (base / "corpus" / "real").is_dir():
            return base
    return None


SHARED = _shared()
PACK_LABELS = (
    [
        label
        for label in map(json.loads, (SHARED / "labels" / "real-dev.jsonl").read_text(encoding="utf-8").splitlines())
        if label.get("reports_in_pack") and (SHARED / "corpus" / "real" / label["file"]).is_file()
    ]
    if SHARED
    else []
)


@pytest.mark.real
@pytest.mark.slow
@pytest.mark.skipif(not PACK_LABELS, reason="needs ../shared (labels and corpus/real with packs)")
@pytest.mark.parametrize("label", PACK_LABELS, ids=[l["file"] for l in PACK_LABELS])
def test_real_packs_match_labels(label: dict) -> None:
    assert SHARED is not None
    r = parse_file(SHARED / "corpus" / "real" / label["file"], entities=False)
    assert r.doc_type == "agenda_pack"
    assert fold(r.committee) == fold(label["committee"])
    assert r.meeting_date == dt.date.fromisoformat(label["meeting_date"])
    assert [fold(p.subject) for p in r.parts] == [fold(e["subject"]) for e in label["reports_in_pack"]]
    assert [fold(s.title) for s in r.sections] == [fold(t) for t in label["section_titles"]]
