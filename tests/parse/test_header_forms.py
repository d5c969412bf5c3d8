"""Header fields in their general forms (issue 13): label tables, title blocks, value checks.

Each paper is written here, as text or as lines with layout (a PDF's spans,
bold and positions), the way some council lays out its front page; none is a
copy of a real paper.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.enrich.report import parse_document, parse_file
from pipeline.model import Document, HeaderFields, Line, Provenance, Source, Span
from pipeline.parse import parse_sections
from pipeline.parse.dates import parse_date
from pipeline.parse.titles import read_cell
from pipeline.parse.values import check

PAGE_WIDTH = 595.0
CHAR_WIDTH = 5.5


def cell(x0: float, text: str, *, bold: bool = False) -> Span:
    return Span(text, x0, x0 + CHAR_WIDTH * len(text), bold=bold, size=12.0)


def pdf_doc(rows: list[tuple[float, list[Span]] | tuple[float, list[Span], bool]]) -> Document:
    """A one-page PDF-like document from (top, cells[, bold]) rows."""
    lines = []
    for n, row in enumerate(rows, start=1):
        top, spans = row[0], row[1]
        bold = row[2] if len(row) > 2 else all(s.bold for s in spans)
        lines.append(
            Line(
                " ".join(s.text for s in spans),
                1,
                n,
                x0=spans[0].x0,
                top=top,
                x1=spans[-1].x1,
                bottom=top + 12.0,
                size=12.0,
                bold=bool(bold),
                spans=tuple(spans),
                page_width=PAGE_WIDTH,
                page_height=842.0,
            )
        )
    return Document(Source("/papers/synthetic.pdf", "0" * 64, "pdf", 1), tuple(lines), body_size=12.0)


def body_rows(top: float) -> list[tuple[float, list[Span]]]:
    return [
        (top, [cell(57, "1.0", bold=True), cell(93, "Purpose of Report", bold=True)]),
        (top + 25, [cell(57, "1.1"), cell(93, "To set out the proposed scheme for the coming year for approval.")]),
        (top + 50, [cell(57, "2.0", bold=True), cell(93, "Recommendations", bold=True)]),
        (top + 75, [cell(57, "2.1"), cell(93, "That the scheme be approved.")]),
    ]


def text_paper(tmp_path: Path, text: str, name: str = "paper.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return parse_file(p, entities=False)


# ---------------------------------------------------------------- label tables


def test_two_pairs_per_row_and_a_second_meeting_in_the_columns_below() -> None:
    """ "Meeting: Cabinet ¦ Date: 10 December 2025" over "Council ¦ 29 January 2026": the first meeting."""
    doc = pdf_doc(
        [
            (
                133,
                [
                    cell(62, "Meeting:", bold=True),
                    cell(168, "Cabinet", bold=True),
                    cell(381, "Date:", bold=True),
                    cell(424, "10 December 2025", bold=True),
                ],
            ),
            (150, [cell(168, "Council", bold=True), cell(424, "29 January 2026", bold=True)]),
            (186, [cell(62, "Subject:", bold=True), cell(168, "Household Waste Collection Policy", bold=True)]),
            (206, [cell(62, "Report Of:", bold=True), cell(168, "Cabinet Member for Environment", bold=True)]),
            (226, [cell(62, "Wards Affected:", bold=True), cell(168, "All", bold=True)]),
            (
                246,
                [
                    cell(62, "Key Decision:", bold=True),
                    cell(168, "Yes", bold=True),
                    cell(272, "Budget/Policy Framework:", bold=True),
                    cell(438, "No", bold=True),
                ],
            ),
            (265, [cell(62, "Contact Officer:", bold=True), cell(168, "Sam Example, Waste Manager", bold=True)]),
            (285, [cell(168, "Email: sam.example@example.gov.uk", bold=True), cell(439, "Tel: 396476", bold=True)]),
            *body_rows(330),
        ]
    )
    h = parse_sections(doc).header
    assert (h.committee, h.meeting_date) == ("Cabinet", dt.date(2025, 12, 10))
    assert h.subject == "Household Waste Collection Policy"
    assert h.cabinet_member == "Cabinet Member for Environment"  # "Report Of:" a councillor's post
    assert h.reporting_officer is None
    assert (h.wards, h.key_decision, h.contact) == ("All", True, "Sam Example, Waste Manager")
    assert h.provenance["meeting_date"] == Provenance(1, 1)


def test_council_name_and_marking_above_the_table_are_neither_committee_nor_subject() -> None:
    doc = pdf_doc(
        [
            (73, [cell(228, "Northshire City Council", bold=True)]),
            (86, [cell(236, "Report for Resolution", bold=True)]),
            (114, [cell(71, "Report to:", bold=True), cell(179, "Executive - 25 July 2018")], False),
            (142, [cell(71, "Subject:", bold=True), cell(179, "Riverside - New Development Opportunities")], False),
            (169, [cell(71, "Report of:", bold=True), cell(179, "Strategic Director (Growth)")], False),
            (212, [cell(71, "Summary", bold=True)]),
            (240, [cell(71, "This report sets out the outcome of the consultation on the two draft frameworks.")]),
            (270, [cell(71, "Wards Affected:", bold=True), cell(251, "Riverside")], False),
            *body_rows(320),
        ]
    )
    h = parse_sections(doc).header
    assert (h.committee, h.meeting_date) == ("Executive", dt.date(2018, 7, 25))  # the date split off the body
    assert h.subject == "Riverside - New Development Opportunities"
    assert h.reporting_officer == "Strategic Director (Growth)"
    assert h.wards == "Riverside"  # a label row below the summary, still in the header zone


def test_text_export_labels_without_colons(tmp_path: Path) -> None:
    """A table exported as text loses its cells: "Meeting date 17 December 2019"; values checked."""
    r = text_paper(
        tmp_path,
        (
            "1\n\nCOUNCIL\n\nReport subject Response to the Flood Review\nMeeting date 17 December 2019\n"
            "Status Public Report\nExecutive summary To present the review and its action plan to members\n"
            "for their comments.\nPortfolio Holder(s): Councillor Pat Example – Portfolio Holder for Environment\n"
            "Corporate Director Alex Example - Corporate Director of Environment and\nCommunity\n"
            "Wards All\nClassification For Decision\n\nBackground\n\n1. The council declared a flood emergency in July.\n"
        ),
    )
    assert (r.committee, r.meeting_date) == ("COUNCIL", dt.date(2019, 12, 17))
    assert r.subject == "Response to the Flood Review"
    assert r.cabinet_member == "Councillor Pat Example – Portfolio Holder for Environment"
    assert r.reporting_officer == "Alex Example - Corporate Director of Environment and Community"
    assert r.wards == "All"


def test_text_label_alone_on_its_line_takes_the_value_below(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "REPORT TO :\nAUDIT WORKING GROUP\nDATE:\n15 AUGUST 2019\nTITLE:\nFLOOD STRATEGY – INITIAL\nREPORT\n\n"
            "LEAD OFFICERS :\nSENIOR MANAGEMENT BOARD (01234) 446004\nCONTRIBUTING\nOFFICERS:\n"
            "JO EXAMPLE, OPERATIONS MANAGER\n(01234) 446811\n\nRECOMMENDED that:\n\nA The Group notes the report.\n\n"
            "BACKGROUND\n\n1. The council adopted its first flood plan in 2011.\n"
        ),
    )
    assert (r.committee, r.meeting_date) == ("AUDIT WORKING GROUP", dt.date(2019, 8, 15))
    assert r.subject == "FLOOD STRATEGY – INITIAL REPORT"
    assert r.reporting_officer == "SENIOR MANAGEMENT BOARD"  # the phone number dropped
    assert r.contact == "JO EXAMPLE, OPERATIONS MANAGER"


def test_text_value_in_capitals_wraps_onto_the_next_capital_line(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "1\nPLANNING OVERVIEW & SCRUTINY COMMITTEE\n24TH SEPTEMBER 2019\nREPORT TITLE UPDATE ON THE COUNCIL’S LOCAL\n"
            "PLAN REVIEW\nREPORT OF Jo Example – Director of Place\nREPORT SUMMARY\nThis report updates the committee.\n"
            "\n1.0 INTRODUCTION\n\nThe plan was adopted in 2015.\n"
        ),
    )
    assert r.subject == "UPDATE ON THE COUNCIL’S LOCAL PLAN REVIEW"
    assert (r.committee, r.meeting_date) == ("PLANNING OVERVIEW & SCRUTINY COMMITTEE", dt.date(2019, 9, 24))
    assert r.reporting_officer == "Jo Example – Director of Place"


# ---------------------------------------------------------------- title blocks without labels


def test_title_block_body_date_and_bold_title_on_separate_lines() -> None:
    doc = pdf_doc(
        [
            (59, [cell(57, "Northtown and Riverside Neighbourhood Committee", bold=True)]),
            (84, [cell(57, "15 January 2026")]),
            (108, [cell(57, "Petition Regarding Traffic Calming Measures On Mill", bold=True)]),
            (123, [cell(57, "Road", bold=True)]),
            (151, [cell(57, "Report by Sam Example, Director, Highways and Transport")]),
            (176, [cell(57, "Relevant Portfolio Holder: Councillor Pat Example, Portfolio Holder for Transport")]),
            *body_rows(221),
        ]
    )
    h = parse_sections(doc).header
    assert h.committee == "Northtown and Riverside Neighbourhood Committee"
    assert h.meeting_date == dt.date(2026, 1, 15)
    assert h.subject == "Petition Regarding Traffic Calming Measures On Mill Road"
    assert h.reporting_officer == "Sam Example, Director, Highways and Transport"
    assert h.cabinet_member == "Councillor Pat Example, Portfolio Holder for Transport"
    assert h.provenance["subject"] == Provenance(1, 3)


def test_stamp_cell_beside_the_body_gives_committee_and_reference() -> None:
    """ "Council ¦ Agenda Item 6" above the label table."""
    doc = pdf_doc(
        [
            (38, [cell(195, "Southshire County Council", bold=True)]),
            (89, [cell(81, "Council", bold=True), cell(398, "Agenda Item 6", bold=True)]),
            (128, [cell(84, "Subject:", bold=True), cell(190, "School Admission Arrangements 2026-27", bold=True)]),
            (155, [cell(84, "Date of meeting:", bold=True), cell(190, "27 February 2025", bold=True)]),
            *body_rows(200),
        ]
    )
    h = parse_sections(doc).header
    assert (h.committee, h.reference) == ("Council", "6")
    assert h.subject == "School Admission Arrangements 2026-27"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("EXECUTIVE 14 MARCH 2019", {"committee": "EXECUTIVE", "meeting_date": dt.date(2019, 3, 14)}),
        (
            "PLANNING SUB-COMMITTEE – 3RD JUNE 2015",
            {"committee": "PLANNING SUB-COMMITTEE", "meeting_date": dt.date(2015, 6, 3)},
        ),
        ("Audit Panel, 20 January 2021", {"committee": "Audit Panel", "meeting_date": dt.date(2021, 1, 20)}),
        ("Tuesday 6th January 2026", {"meeting_date": dt.date(2026, 1, 6)}),
        (
            "Meeting of the Licensing Committee held on 3 June 2015",
            {"committee": "Licensing Committee", "meeting_date": dt.date(2015, 6, 3)},
        ),
        (
            "Report of the Director of Place to the Cabinet on 12 May 2015",
            {"reporting_officer": "Director of Place", "committee": "Cabinet", "meeting_date": dt.date(2015, 5, 12)},
        ),
        ("Item No. 4", {"reference": "4"}),
        ("Agenda Item 7", {"reference": "7"}),
        ("Paper No. 19-42", {"reference": "19-42"}),
        ("Decision No. 24/00109", {"reference": "24/00109"}),
        ("Ref: CAB/2020/14", {"reference": "CAB/2020/14"}),
        ("Non-key decision", {"key_decision": False}),
        ("Key Decision", {"key_decision": True}),
    ],
)
def test_title_block_body_and_date_on_one_line(text: str, expected: dict) -> None:
    line = Line(text, 1, 1)
    got = read_cell(text, line)
    assert got is not None
    assert {c.field: c.value for c in got} == expected


@pytest.mark.parametrize(
    "text",
    [
        "Brighton & Hove City Council",
        "Royal Borough of Northtown",
        "Report for Resolution",
        "For general release",
        "OFFICIAL",
        "Page 3 of 12",
        "2",
    ],
)
def test_authority_names_and_markings_give_no_field(text: str) -> None:
    assert read_cell(text, Line(text, 1, 1)) == []


def test_a_report_with_a_plain_title_line_and_no_labels(tmp_path: Path) -> None:
    r = text_paper(tmp_path, "Quarterly Performance Report 2016/17\n\nPURPOSE\n\n1. The purpose of this report.\n")
    assert r.subject == "Quarterly Performance Report 2016/17"
    assert r.committee is None and r.meeting_date is None


# ---------------------------------------------------------------- value checks


@pytest.mark.parametrize(
    "name,value",
    [
        ("subject", "1"),  # a heading number
        ("subject", "Council 29 January 2026 Subject: Local Tax Scheme Report Of: Cabinet Member"),  # cells joined
        ("subject", "NORTHSHIRE CITY COUNCIL"),  # the authority's banner
        ("committee", "Northshire City Council"),  # the authority, not a meeting
        ("committee", "The government outlines the Council's statutory duties in relation to providing"),  # prose
        ("committee", "Report for Resolution"),  # no body named
        ("reporting_officer", "This report is presented by the director."),  # a sentence
        ("contact", "5.2 The applicant shall submit details of the scheme to the council"),  # a condition paragraph
        ("contact", "Lead Commissioner - Environment"),  # a post, no person
        ("reference", "see the report"),
    ],
)
def test_wrong_shaped_values_are_rejected(name: str, value: str) -> None:
    assert not check(name, value)


@pytest.mark.parametrize(
    "name,value",
    [
        ("committee", "COUNCIL"),
        ("committee", "County Council"),
        ("committee", "Cabinet Member for Resources"),
        ("committee", "Children, Young People and Families Policy and Performance Board"),
        ("committee", "Leader of the Council"),
        ("reporting_officer", "Head of Paid Service"),
        ("reporting_officer", "SENIOR MANAGEMENT BOARD"),
        ("contact", "Dr Jo Example, Interim Strategic Lead for Public Health"),
        ("contact", "JO EXAMPLE, OPERATIONS MANAGER; SAM EXAMPLE, OPERATIONS MANAGER"),
        ("subject", "Appendix 9 - Transport Implications and Considerations"),
        ("reference", "CAB/2020/14"),
        ("reference", "24/00109"),
    ],
)
def test_right_shaped_values_pass(name: str, value: str) -> None:
    assert check(name, value)


def test_a_heading_number_is_not_taken_as_the_subject(tmp_path: Path) -> None:
    r = text_paper(tmp_path, "1\n\nREPORT SUMMARY\n\nThis report provides an update.\n\n1.0 INTRODUCTION\n\nText.\n")
    assert r.subject != "1"


# ---------------------------------------------------------------- contacts


def test_contact_block_with_name_and_position_sub_labels(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "Report to: Executive\nSubject: Town Centre Plan\n\n1. Introduction\n\n1.1 The plan is set out.\n\n"
            "Contact Officers:\n\nName: Jo Example\nPosition: Strategic Director, Development\nTelephone: 0161 234 3030\n"
            "E-mail: j.example@example.gov.uk\n\nName: Sam Sample\nPosition: City Solicitor\nTelephone: 0161 234 3087\n"
        ),
    )
    assert r.contact == "Jo Example, Strategic Director, Development; Sam Sample, City Solicitor"


def test_author_of_report_line_gives_the_contact(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "Report to: Executive\nSubject: Crossing Consultation\n\n1. Introduction\n\n1.1 The results are set out.\n\n"
            "Background papers - Held by Author\nAuthor of report - Jo Example, Principal Engineer,\n"
            "Email: jo.example@example.gov.uk Tel: 020 8547 5922\n"
        ),
    )
    assert r.contact == "Jo Example, Principal Engineer"


# ---------------------------------------------------------------- dates and the record


@pytest.mark.parametrize(
    "text,expected",
    [
        ("3RD JUNE 2015", dt.date(2015, 6, 3)),
        ("Tuesday 6th January 2026", dt.date(2026, 1, 6)),
        ("06/01/2026", dt.date(2026, 1, 6)),
        ("6 Jan 26", dt.date(2026, 1, 6)),
        ("06/01/26", dt.date(2026, 1, 6)),
        ("6/1/99", dt.date(1999, 1, 6)),
    ],
)
def test_dates_in_every_written_form_day_first(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_header_fields_record_is_typed_and_cites_each_field() -> None:
    h = HeaderFields.from_values(
        {"committee": "Cabinet", "subject": "", "meeting_date": dt.date(2025, 1, 2)},
        {"committee": Provenance(1, 2), "meeting_date": Provenance(1, 3)},
    )
    assert h.committee == "Cabinet" and h.subject is None
    assert h.values() == {"committee": "Cabinet", "meeting_date": dt.date(2025, 1, 2)}
    assert set(h.provenance) == {"committee", "meeting_date"}
    with pytest.raises(ValueError):
        HeaderFields.from_values({"colour": "red"}, {})
    with pytest.raises(KeyError):
        h.get("colour")


def test_every_field_filled_from_the_header_cites_its_line() -> None:
    doc = pdf_doc(
        [
            (59, [cell(57, "Northtown Neighbourhood Committee", bold=True)]),
            (84, [cell(57, "15 January 2026")]),
            (108, [cell(57, "Crossing Consultation Results", bold=True)]),
            *body_rows(150),
        ]
    )
    r = parse_document(doc, entities=False)
    for name in ("committee", "meeting_date", "subject"):
        assert getattr(r, name) is not None and name in r.provenance


def test_text_people_list_with_a_phone_line_under_each(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "REPORT TO: AUDIT WORKING GROUP\nDATE: 15 AUGUST 2019\nTITLE: FLOOD STRATEGY\nCONTRIBUTING\nOFFICERS:\n"
            "JO EXAMPLE, OPERATIONS MANAGER\n(01234) 446811\n\nSAM SAMPLE, OPERATIONS MANAGER\n(01234) 6687\n\n\n"
            "RECOMMENDED that:\n\nA The Group notes the report.\n\nBACKGROUND\n\n1. The plan was adopted in 2011.\n"
        ),
    )
    assert r.contact == "JO EXAMPLE, OPERATIONS MANAGER; SAM SAMPLE, OPERATIONS MANAGER"


def test_contact_block_keeps_every_person_past_their_phone_and_email_rows(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "Report to: Executive\nSubject: Town Centre Plan\n\n1. Introduction\n\n1.1 The plan is set out.\n\n"
            "Contact Officers:\n\nName: Jo Example\nPosition: Head of Planning\nTelephone: 0161 234 3030\n"
            "Email: j.example@example.gov.uk\n\nName: Sam Sample\nPosition: City Solicitor\nTelephone: 0161 234 3087\n"
            "Email: s.sample@example.gov.uk\n\nName: Al Other\nPosition: Head of Finance\nTelephone: 0161 234 4552\n"
        ),
    )
    assert r.contact == "Jo Example, Head of Planning; Sam Sample, City Solicitor; Al Other, Head of Finance"


@pytest.mark.parametrize(
    "text", ["Council Tax Support Scheme", "Local Plan Review Working Paper", "Published 3 May 2024"]
)
def test_a_title_naming_a_council_service_is_a_title_line_not_a_committee(text: str) -> None:
    assert read_cell(text, Line(text, 1, 1)) is None


def test_report_to_without_a_colon_names_the_body() -> None:
    got = read_cell("Report to the Audit Committee", Line("Report to the Audit Committee", 1, 1))
    assert got is not None and [(c.field, c.value) for c in got] == [("committee", "Audit Committee")]


def test_a_name_run_into_a_post_gets_its_comma(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "Report to: Executive\nSubject: Crossing Consultation\n\n1. Introduction\n\n1.1 The results are set out.\n\n"
            "Author of report - Jo Example Principal Engineer\njo.example@example.gov.uk\n"
        ),
    )
    assert r.contact == "Jo Example, Principal Engineer"


def test_wards_from_the_summary_sentence_when_no_label_gives_them(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "REPORT TITLE: Flood Plan Update\nREPORT SUMMARY\nThis report updates members.\n"
            "This matter affects all Wards within the Borough.\n\n1.0 INTRODUCTION\n\nText.\n"
        ),
    )
    assert r.wards == "all Wards within the Borough"


def test_an_appendix_file_is_an_appendix_though_its_pages_do_not_say_so(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        "SCHEME FOR CO-ORDINATED ADMISSIONS\n\nIntroduction\n\nThe scheme applies.\n",
        name="school_admissions_appendix6_primary_scheme.txt",
    )
    assert r.doc_type == "appendix"
    assert r.subject == "SCHEME FOR CO-ORDINATED ADMISSIONS"


def test_form_questions_as_labels_and_a_forward_plan_reference_row(tmp_path: Path) -> None:
    """ "Is this a key decision? Yes" is a label row; a "Forward Plan Reference" row does not make a forward plan."""
    r = text_paper(
        tmp_path,
        (
            "Public Report\nCabinet\nDate: 14 January 2020\n\nSubject: HOUSING ALLOCATIONS REVIEW\n"
            "Report of: Acting Director, Neighbourhoods\nIs this a key decision? Yes\n"
            "If relevant, add Forward Plan Reference: 006832/2020\n\n1 Executive Summary\n\n1.1 The review is set out.\n"
        ),
    )
    assert r.doc_type == "report"
    assert (r.committee, r.key_decision, r.subject) == ("Cabinet", True, "HOUSING ALLOCATIONS REVIEW")


def test_run_in_report_of_the_officer_in_capitals(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "Agenda Item 9\n\nPLANNING SUB-COMMITTEE – 3RD JUNE 2015\n\nREPORT OF THE HEAD OF PLANNING\n\n"
            "LAND AT MILL LANE, EXAMPLETOWN\n\n1. Introduction\n\n1.1 The application is for ten houses.\n"
        ),
    )
    assert (r.committee, r.meeting_date) == ("PLANNING SUB-COMMITTEE", dt.date(2015, 6, 3))
    assert (r.reporting_officer, r.subject, r.reference) == ("HEAD OF PLANNING", "LAND AT MILL LANE, EXAMPLETOWN", "9")


def test_label_row_above_value_row() -> None:
    """A header table whose first row holds the labels and the second their values."""
    doc = pdf_doc(
        [
            (60, [cell(57, "Northshire County Council", bold=True)]),
            (100, [cell(57, "Meeting", bold=True), cell(200, "Date", bold=True), cell(330, "Report of", bold=True)]),
            (116, [cell(57, "Cabinet"), cell(200, "3 June 2015"), cell(330, "Director of Place")], False),
            (132, [cell(330, "and Growth")], False),
            (160, [cell(57, "Subject:", bold=True), cell(170, "Highway Maintenance Plan")], False),
            *body_rows(200),
        ]
    )
    h = parse_sections(doc).header
    assert (h.committee, h.meeting_date) == ("Cabinet", dt.date(2015, 6, 3))
    assert h.reporting_officer == "Director of Place and Growth"  # the value cell wraps
    assert h.subject == "Highway Maintenance Plan"
    assert h.provenance["committee"] == Provenance(1, 2)


def test_key_decision_row_in_a_table_at_the_end(tmp_path: Path) -> None:
    r = text_paper(
        tmp_path,
        (
            "Report to: Cabinet\nSubject: Library Opening Hours\n\n1. Purpose of Report\n\n1.1 To agree the hours.\n\n"
            "2. Recommendations\n\n2.1 That the hours be agreed.\n\nDecision details\nKey decision: No\n"
        ),
    )
    assert r.key_decision is False


def test_one_value_under_two_labels_and_a_dash_separator(tmp_path: Path) -> None:
    """ "Author/Responsible Officer – Jo Example, Corporate / Director of Place" fills both fields."""
    r = text_paper(
        tmp_path,
        (
            "Report for: Cabinet\nDate of meeting: 20 Octob er 2020\nTitle of report: Flood Plan Progress\n"
            "Contact: Councillor Pat Example, Leader of the Council\n\n"
            "Author/Responsible Officer – Jo Example, Corporate\nDirector of Place\n"
            "Purpose of report: The purpose of this report is to update members.\n\n1. Introduction\n\nText.\n"
        ),
    )
    assert r.meeting_date == dt.date(2020, 10, 20)  # a month split by the export's stray space
    assert r.reporting_officer == r.contact == "Jo Example, Corporate Director of Place"
    assert r.cabinet_member == "Councillor Pat Example, Leader of the Council"  # a councillor named as the contact


def test_single_member_decision_label_qualifier_and_item_number_in_its_own_box() -> None:
    doc = pdf_doc(
        [
            (103, [Span("5", 516, 530, size=24.0)]),
            (108, [cell(421, "Agenda item:", bold=True)]),
            (129, [cell(62, "Decision maker:", bold=True), cell(197, "Cabinet Member for Traffic & Transport")], False),
            (143, [cell(197, "15th July 2010")], False),
            (157, [cell(62, "Subject:", bold=True), cell(197, "Parking Restrictions Review")], False),
            (198, [cell(62, "Report by:", bold=True), cell(197, "Head of Transport")], False),
            (253, [cell(62, "Key decision (over £250k):", bold=True), cell(296, "No")], False),
            *body_rows(300),
        ]
    )
    h = parse_sections(doc).header
    assert (h.committee, h.meeting_date) == ("Cabinet Member for Traffic & Transport", dt.date(2010, 7, 15))
    assert h.cabinet_member == "Cabinet Member for Traffic & Transport"  # the decision maker is a portfolio
    assert (h.key_decision, h.reference) == (False, "5")


def test_text_value_indented_under_its_label_carries_on(tmp_path: Path) -> None:
    """A second "From:" entry indented under the first, starting with a post that is also a label."""
    r = text_paper(
        tmp_path,
        (
            "From: Cabinet Member for Finance, Pat Example\n      Corporate Director Finance, Jo Example\n\n"
            "To: Cabinet, 9 November 2009\n\nSubject: Budget Update\n\n1. Introduction\n\n1.1 Text.\n"
        ),
    )
    assert r.cabinet_member == "Cabinet Member for Finance, Pat Example"
    assert r.reporting_officer == "Corporate Director Finance, Jo Example"


def test_report_of_the_officer_to_the_body_on_the_subject() -> None:
    text = "Report of the Chief Executive to the Cabinet on the Local Plan Review"
    got = read_cell(text, Line(text, 1, 1))
    assert got is not None
    assert {c.field: c.value for c in got} == {
        "reporting_officer": "Chief Executive",
        "committee": "Cabinet",
        "subject": "Local Plan Review",
    }
