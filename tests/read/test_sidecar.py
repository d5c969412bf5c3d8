"""The sidecar <file>.meta.json: what a council's website says about a paper, onto its record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from conftest import CORPUS

from pipeline.ingest import PaperParser
from pipeline.model import Provenance, report_from_dict, report_to_dict
from pipeline.output.render import report_summary
from pipeline.read import file_sha256
from pipeline.read.sidecar import PaperMeta, apply_meta, read_sidecar, sidecar_path, with_sidecar, write_sidecar

#: The Central Bedfordshire sample names neither its committee nor its meeting date.
SILENT = CORPUS / "pdf" / "004_bf7852ceeef6a9de.pdf"
#: A Halton sample: "REPORT TO: Children and Young People Policy and Performance Board", "DATE: 29 January 2018".
HALTON = CORPUS / "pdf" / "003_8f5a895c28ad9ad1.pdf"


def meta_for(paper: Path, **changes: object) -> PaperMeta:
    meta = PaperMeta(
        council="centralbedfordshire",
        committee="Children's Services Overview and Scrutiny Committee",
        committee_id="601",
        meeting_date=dt.date(2017, 1, 10),
        meeting_id="7001",
        item_number="9",
        item_title="Children and Young People's Plan",
        title="CYPP Q2 2016-17",
        attachment_id="70091",
        url="https://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=70091",
        publication_date=dt.date(2016, 12, 30),
        sha256=file_sha256(paper),
        size=paper.stat().st_size,
        site="https://democracy.example.gov.uk",
    )
    return dataclasses.replace(meta, **changes)  # type: ignore[arg-type]


def parse(paper: Path):
    return PaperParser(pdf_engine="pdfium")._parse(paper)


def test_sidecar_is_written_whole_and_read_back(tmp_path):
    paper = tmp_path / "9-cypp.pdf"
    paper.write_bytes(SILENT.read_bytes())
    meta = meta_for(paper, pack="reports_pack")
    written = write_sidecar(paper, meta)
    assert written == sidecar_path(paper) == tmp_path / "9-cypp.pdf.meta.json"
    assert read_sidecar(paper) == meta
    assert json.loads(written.read_text())["meeting_date"] == "2017-01-10"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["9-cypp.pdf", "9-cypp.pdf.meta.json"]  # no .part left
    assert read_sidecar(tmp_path / "other.pdf") is None


def test_website_fills_what_the_paper_is_silent_on_and_says_so():
    report = apply_meta(parse(SILENT), meta_for(SILENT))
    assert (report.committee, report.meeting_date, report.reference) == (
        "Children's Services Overview and Scrutiny Committee",
        dt.date(2017, 1, 10),
        "9",
    )
    for name in ("committee", "meeting_date", "reference"):
        assert report.provenance[name] == Provenance(0, 0, "website")
    assert report.provenance["council"].source == "paper"
    assert not report.warnings or all(w.code != "metadata_conflict" for w in report.warnings)
    assert "Committee:          Children's Services Overview and Scrutiny Committee  [website]" in (
        report_summary(report).replace("\x1b[2m", "").replace("\x1b[0m", "")
    )
    data = report_to_dict(report)
    assert data["provenance"]["meeting_date"] == {"page": 0, "line": 0, "source": "website"}
    assert report_from_dict(json.loads(json.dumps(data))) == report


def test_a_record_stored_before_provenance_had_a_source_still_loads():
    data = report_to_dict(parse(HALTON))
    for p in data["provenance"].values():
        del p["source"]
    assert report_from_dict(data).provenance["committee"].source == "paper"


def test_paper_and_website_disagreeing_keeps_the_paper_and_warns():
    meta = meta_for(HALTON, committee="Executive Board", meeting_date=dt.date(2018, 1, 30), item_number="5")
    report = apply_meta(parse(HALTON), meta)
    assert report.committee == "Children and Young People Policy and Performance Board"
    assert report.meeting_date == dt.date(2018, 1, 29) and report.provenance["meeting_date"].source == "paper"
    conflicts = [(w.message, w.page) for w in report.warnings if w.code == "metadata_conflict"]
    assert conflicts == [
        (
            (
                "committee: the paper says 'Children and Young People Policy and Performance Board', "
                "the website 'Executive Board'"
            ),
            1,
        ),
        ("meeting_date: the paper says '2018-01-29', the website '2018-01-30'", 1),
    ]
    assert report.reference == "5" and report.provenance["reference"].source == "website"


def test_a_committee_renamed_since_is_no_conflict():
    meta = meta_for(
        HALTON,
        committee="Children, Young People & Families Policy and Performance Board",
        meeting_date=dt.date(2018, 1, 29),
    )
    report = apply_meta(parse(HALTON), meta)
    assert [w for w in report.warnings if w.code == "metadata_conflict"] == []
    # "PPB" is spelt out; "&" is "and".
    short = dataclasses.replace(parse(HALTON), committee="Children & Young People PPB")
    assert [w for w in apply_meta(short, meta).warnings if w.code == "metadata_conflict"] == []


def test_references_are_compared_only_when_the_paper_gives_an_item_number():
    report = parse(HALTON)
    meta = meta_for(
        HALTON,
        committee="Children and Young People Policy and Performance Board",
        meeting_date=dt.date(2018, 1, 29),
        item_number="10",
    )

    def conflicts(reference: str) -> list[str]:
        return [
            w.message
            for w in apply_meta(dataclasses.replace(report, reference=reference), meta).warnings
            if w.code == "metadata_conflict"
        ]

    assert conflicts("Item 10") == [] and conflicts("Agenda Item No. 10") == []
    assert conflicts("24/00109") == []  # a report's own reference: not comparable
    assert conflicts("Item 7") == ["reference: the paper says 'Item 7', the website '10'"]


def test_minutes_are_not_dated_by_the_meeting_that_approves_them():
    minutes = dataclasses.replace(parse(SILENT), doc_type="minutes")
    approved = apply_meta(minutes, meta_for(SILENT))
    assert approved.meeting_date is None and approved.reference is None
    assert approved.committee == "Children's Services Overview and Scrutiny Committee"
    printed = apply_meta(minutes, meta_for(SILENT, pack="minutes_pack"))
    assert printed.meeting_date == dt.date(2017, 1, 10)


def test_a_sidecar_for_other_content_is_not_used(tmp_path):
    report = apply_meta(parse(SILENT), meta_for(SILENT, sha256="0" * 64))
    assert report.committee is None and report.meeting_date is None
    assert [w.code for w in report.warnings][-1] == "metadata_conflict"
    assert "describes other content" in report.warnings[-1].message


def test_a_broken_sidecar_is_a_warning_not_a_failure(tmp_path):
    paper = tmp_path / "p.pdf"
    paper.write_bytes(SILENT.read_bytes())
    sidecar_path(paper).write_text("{not json")
    report = with_sidecar(paper, parse(paper))
    assert report.committee is None
    assert report.warnings[-1].code == "sidecar_unreadable" and "is not JSON" in report.warnings[-1].message
    sidecar_path(paper).write_text(json.dumps({"format": 1, "council": "x"}))
    assert "no 'committee'" in with_sidecar(paper, parse(paper)).warnings[-1].message


def test_ingest_reads_the_sidecar(tmp_path):
    from pipeline.ingest import ingest
    from pipeline.search import show

    paper = tmp_path / "papers" / "9-cypp.pdf"
    paper.parent.mkdir()
    paper.write_bytes(SILENT.read_bytes())
    write_sidecar(paper, meta_for(paper))
    summary = ingest([tmp_path / "papers"], tmp_path / "index", parser=PaperParser(pdf_engine="pdfium"))
    assert [o.status for o in summary.outcomes] == ["indexed"]  # the sidecar itself is not a paper
    report = show(tmp_path / "index", summary.outcomes[0].report_id)
    assert report.meeting_date == dt.date(2017, 1, 10) and report.provenance["meeting_date"].source == "website"
