"""boardpapers fetch against a replayed ModernGov site on 127.0.0.1 (see conftest.py): no test touches the internet."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.fetch import FetchError, fetch, list_committees
from pipeline.read.sidecar import read_sidecar, sidecar_path
from pipeline.search import search, show

CORPUS_PDF = Path(__file__).resolve().parents[2] / "corpus" / "pdf"
HALTON_BOARD = "Children, Young People and Families Policy and Performance Board"
#: The fast client options as command-line flags.
FAST_FLAGS = ["--delay", "0", "--timeout", "0.5", "--retries", "2", "--backoff", "0.01"]


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def by_attachment(summary, attachment: str):
    return next(o for o in summary.outcomes if o.attachment_id == attachment)


# ---------------------------------------------------------------- listing


def test_list_committees_asks_the_web_service_once(replay, fast):
    site = list_committees(replay.base() + "/mgWebService.asmx", options=fast)
    assert site.platform == "moderngov" and site.council == "halton" and site.site == replay.base()
    assert [(c.id, c.expired) for c in site.committees] == [("140", False), ("144", False), ("312", True)]
    assert [r.key for r in replay.requests] == ["halton/GetCommittees"]


def test_list_committees_command_prints_one_row_per_committee(replay):
    code, out, err = run_cli("fetch", replay.base(), "--list-committees", "--json", *FAST_FLAGS)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0] == {
        "id": "140",
        "title": HALTON_BOARD,
        "category": "Policy and Performance Boards",
        "expired": False,
        "deleted": False,
    }
    assert "halton (moderngov" in err and "3 committees" in err
    code, out, _ = run_cli("fetch", replay.base(), "--list-committees", *FAST_FLAGS)
    assert code == 0 and out.splitlines()[2].split()[:2] == ["312", "Appointment"] and "(expired)" in out


# ---------------------------------------------------------------- end to end


def test_sample_corpus_fetched_and_ingested_is_searchable_by_website_committee_and_date(replay, fast, tmp_path):
    out, index = tmp_path / "papers", tmp_path / "index"
    halton = fetch(replay.base(), out, options=fast, ingest_into=index, pdf_engine="pdfium")
    assert halton.count("fetched") == 5 and halton.count("failed") == 0
    assert halton.meetings == 5  # four with papers, one cancelled (not asked for)
    assert "halton/GetMeeting-4966" not in {r.key for r in replay.requests}
    paper = out / "halton" / "children-young-people-and-families-policy-and-performance" / "2018-01-29"
    assert (paper / "5-performance-management-reports-q2-2017-18.pdf").read_bytes() == (
        CORPUS_PDF / "003_8f5a895c28ad9ad1.pdf"
    ).read_bytes()
    code, _, err = run_cli(
        "fetch",
        replay.base("centralbedfordshire"),
        "--committee",
        "children's services",
        "--out",
        str(out),
        "--ingest",
        "--index",
        str(index),
        "--pdf-engine",
        "pdfium",
        *FAST_FLAGS,
    )
    assert code == 0, err
    assert "documents: 1 fetched, 0 skipped, 0 failed" in err and "ingest: 1 files: 1 indexed" in err

    # The Central Bedfordshire paper names neither its committee nor its meeting: the website does.
    found = search(
        index, "performance", committee="children's services scrutiny", date_from="2017-01-10", date_to="2017-01-10"
    )
    assert [g.path for g in found.groups] == [
        str(
            out / "centralbedfordshire" / "children-s-services-overview-and-"
            "scrutiny-committee" / "2017-01-10" / "9-children-and-young-"
            "people-s-plan-q2-2016-17-performance.pdf"
        )
    ]
    report = show(index, found.groups[0].report_id)
    assert report.committee == "Children's Services Overview and Scrutiny Committee"
    assert report.meeting_date == dt.date(2017, 1, 10) and report.reference == "9"
    assert {k: p.source for k, p in report.provenance.items() if k in ("committee", "meeting_date", "reference")} == {
        "committee": "website",
        "meeting_date": "website",
        "reference": "website",
    }
    assert report.council == "Central Bedfordshire Council"  # read in the paper, as before
    assert not [w for w in report.warnings if w.code == "metadata_conflict"]

    # The Halton papers are searchable by their meetings' dates, as before.
    assert len(search(index, "performance", date_from="2018-01-29", date_to="2018-01-29").groups) == 1
    assert len(search(index, "performance", committee="young people").groups) == 4  # the papers name it


def test_rerun_fetches_nothing_new_and_says_how_many_it_skipped(replay, fast, tmp_path):
    first = fetch(replay.base(), tmp_path, options=fast)
    before = {p: sha256(tmp_path / p) for p in files(tmp_path)}
    replay.requests.clear()
    again = fetch(replay.base(), tmp_path, options=fast)
    assert again.count("fetched") == 0 and again.count("failed") == 0
    assert sum(1 for o in again.outcomes if o.reason == "already fetched") == first.count("fetched") == 5
    assert not replay.asked("halton/doc-")  # no document asked for again
    assert {p: sha256(tmp_path / p) for p in files(tmp_path)} == before
    code, _, err = run_cli("fetch", replay.base(), "--out", str(tmp_path), *FAST_FLAGS)
    assert code == 0 and "documents: 0 fetched, 7 skipped, 0 failed" in err and "skipped 5: already fetched" in err


def test_rerun_fetches_again_a_paper_whose_file_was_damaged(replay, fast, tmp_path):
    fetch(replay.base(), tmp_path, options=fast)
    damaged = next(tmp_path.rglob("6-q2-2009-10-performance-update.pdf"))
    damaged.write_bytes(damaged.read_bytes()[:1000])
    replay.requests.clear()
    again = fetch(replay.base(), tmp_path, options=fast)
    assert again.count("fetched") == 1 and by_attachment(again, "12061").path == str(damaged)
    assert [r.key for r in replay.asked("halton/doc-")] == ["halton/doc-12061"]
    assert damaged.read_bytes() == (CORPUS_PDF / "000_6c94f2351dffe329.pdf").read_bytes()


def test_sidecar_records_what_the_website_says(replay, fast, tmp_path):
    summary = fetch(replay.base(), tmp_path, options=fast, committees=["140"], date_from=dt.date(2024, 1, 1))
    path = Path(by_attachment(summary, "50051").path)
    meta = read_sidecar(path)
    assert meta is not None
    assert (meta.council, meta.committee, meta.committee_id) == ("halton", HALTON_BOARD, "140")
    assert (meta.meeting_date, meta.meeting_id, meta.item_number) == (dt.date(2024, 1, 22), "5001", "5")
    assert meta.item_title == "Performance Management Report for Quarter 2 2023/24"
    assert (meta.title, meta.attachment_id) == ("Performance Management Report Q2 2023-24", "50051")
    assert meta.url == replay.base() + "/mgConvert2PDF.aspx?ID=50051"
    assert meta.publication_date == dt.date(2024, 1, 12) and meta.pack is None
    assert (meta.sha256, meta.size) == (sha256(path), path.stat().st_size)
    assert json.loads(sidecar_path(path).read_text())["format"] == 1


def test_agenda_pack_is_marked_in_its_sidecar(replay, fast, tmp_path):
    summary = fetch(replay.base(), tmp_path, options=fast, date_from=dt.date(2018, 1, 1), date_to=dt.date(2018, 12, 31))
    pack = read_sidecar(by_attachment(summary, "33059").path)
    report = read_sidecar(by_attachment(summary, "33051").path)
    assert pack is not None and pack.pack == "reports_pack"
    assert report is not None and report.pack is None


def test_restricted_documents_and_links_are_skipped_without_a_request(replay, fast, tmp_path):
    summary = fetch(replay.base(), tmp_path, options=fast, date_from=dt.date(2024, 1, 1))
    assert by_attachment(summary, "50052").reason == "restricted: not published on the site"
    assert by_attachment(summary, "50053").reason == "a link to another web page, not a document of the site"
    assert [r.key for r in replay.asked("halton/doc-")] == ["halton/doc-50051"]


# ---------------------------------------------------------------- choosing what to fetch


def test_from_to_keeps_the_meetings_in_range_although_the_site_sends_them_all(replay, fast, tmp_path):
    summary = fetch(replay.base(), tmp_path, options=fast, date_from=dt.date(2009, 1, 1), date_to=dt.date(2018, 12, 31))
    assert summary.meetings == 2
    assert sorted({o.meeting_date for o in summary.outcomes}) == [dt.date(2009, 11, 2), dt.date(2018, 1, 29)]
    listing = replay.asked("halton/GetMeetings-140")[0]
    assert (listing.query["sfromdate"], listing.query["stodate"]) == ("01/01/2009", "31/12/2018")
    asked = sorted(r.key for r in replay.asked("halton/GetMeeting-"))
    assert asked == ["halton/GetMeeting-1201", "halton/GetMeeting-3301"]


def test_from_to_on_the_command_line_takes_years_and_months(replay, tmp_path):
    code, out, err = run_cli(
        "fetch",
        replay.base(),
        "--from",
        "2018",
        "--to",
        "2024-01",
        "--committee",
        "140",
        "--out",
        str(tmp_path),
        "--json",
        *FAST_FLAGS,
    )
    assert code == 0, err
    dates = {json.loads(line)["meeting_date"] for line in out.splitlines()}
    assert dates == {"2018-01-29", "2024-01-22"}


def test_committee_by_name_or_id_and_from_the_url(replay, fast, tmp_path):
    fetch(replay.base(), tmp_path, options=fast, committees=["audit governance"])
    assert [r.key for r in replay.asked("halton/GetMeetings")] == ["halton/GetMeetings-144"]
    replay.requests.clear()
    fetch(replay.base() + "/mgCommitteeDetails.aspx?ID=312", tmp_path, options=fast)
    assert [r.key for r in replay.asked("halton/GetMeetings")] == ["halton/GetMeetings-312"]


def test_every_committee_but_the_deleted_ones_by_default(replay, fast, tmp_path):
    fetch(replay.base("centralbedfordshire"), tmp_path, options=fast)
    assert [r.key for r in replay.asked("centralbedfordshire/GetMeetings")] == ["centralbedfordshire/GetMeetings-601"]


def test_unknown_committee_or_site_is_a_usage_error(replay, tmp_path):
    code, _, err = run_cli("fetch", replay.base(), "--committee", "planning", "--out", str(tmp_path), *FAST_FLAGS)
    assert code == 2 and "no committee of the site is 'planning'" in err
    code, _, err = run_cli("fetch", replay.base("nowhere"), "--out", str(tmp_path), *FAST_FLAGS)
    assert code == 2 and "not a site of a platform boardpapers knows (moderngov)" in err and "404" in err
    code, _, err = run_cli("fetch", replay.base(), "--from", "2024", "--to", "2023", *FAST_FLAGS)
    assert code == 2 and "is after" in err


# ---------------------------------------------------------------- when the site misbehaves


def test_server_errors_then_success_are_retried(replay, fast, tmp_path):
    replay.fail("halton/GetMeeting-3301", "500", times=2)
    replay.fail("halton/doc-50051", "429")
    summary = fetch(replay.base(), tmp_path, options=fast)
    assert summary.count("failed") == 0 and summary.count("fetched") == 5
    assert len(replay.asked("halton/GetMeeting-3301")) == 3 and len(replay.asked("halton/doc-50051")) == 2


def test_a_meeting_that_keeps_failing_is_reported_and_the_others_are_fetched(replay, fast, tmp_path):
    replay.fail("halton/GetMeeting-3301", "500", times=10)
    code, out, err = run_cli("fetch", replay.base(), "--out", str(tmp_path), "--json", *FAST_FLAGS)
    assert code == 1
    failed = [json.loads(line) for line in out.splitlines() if json.loads(line)["status"] == "failed"]
    assert [(f["kind"], f["meeting_date"]) for f in failed] == [("meeting", "2018-01-29")]
    assert failed[0]["reason"] == "HTTP 500 Internal Server Error (3 tries)"
    assert "documents: 3 fetched" in err and "failed: meeting meeting 3301 (2018-01-29): HTTP 500" in err
    assert len(replay.asked("halton/GetMeeting-3301")) == 3  # 1 + --retries 2


def test_time_out_is_retried_then_reported(replay, fast, tmp_path):
    options = replace(fast, timeout=0.2, retries=1)
    replay.fail("halton/doc-12061", "timeout")
    replay.fail("halton/doc-11071", "timeout", times=2)
    summary = fetch(replay.base(), tmp_path, options=options, date_to=dt.date(2009, 12, 31))
    assert by_attachment(summary, "12061").status == "fetched"
    lost = by_attachment(summary, "11071")
    assert lost.status == "failed" and lost.reason == "timed out (no answer within 0.2 s) (2 tries)"
    assert [p for p in files(tmp_path) if "2008-11-03" in p] == []


def test_malformed_xml_fails_that_meeting_only(replay, fast, tmp_path):
    replay.fail("halton/GetMeeting-1201", "malformed")
    summary = fetch(replay.base(), tmp_path, options=fast)
    (bad,) = summary.failed
    assert bad.kind == "meeting" and bad.meeting_date == dt.date(2009, 11, 2)
    assert bad.reason.startswith("GetMeeting (meeting 1201): malformed XML (")
    assert summary.count("fetched") == 4


def test_committees_that_cannot_be_listed_stop_the_run(replay, fast, tmp_path):
    replay.fail("halton/GetCommittees", "html")
    with pytest.raises(FetchError, match="GetCommittees: the site answered with an HTML page"):
        fetch(replay.base() + "/mgWebService.asmx", tmp_path, options=fast)
    replay.fail("halton/GetCommittees", "malformed")
    code, _, err = run_cli("fetch", replay.base() + "/mgWebService.asmx", "--out", str(tmp_path), *FAST_FLAGS)
    assert code == 1 and "GetCommittees: malformed XML" in err


def test_html_page_served_as_a_pdf_is_reported_and_not_kept(replay, fast, tmp_path):
    replay.fail("halton/doc-50051", "html")
    summary = fetch(replay.base(), tmp_path, options=fast, date_from=dt.date(2024, 1, 1))
    failed = by_attachment(summary, "50051")
    assert failed.reason == "the site served an HTML page ('Just a moment...'), not a PDF (an error or login page?)"
    assert files(tmp_path) == []  # no file, no sidecar, no .part


def test_download_cut_off_leaves_nothing_half_written(replay, fast, tmp_path):
    replay.fail("halton/doc-11071", "cut", times=3)
    replay.fail("halton/doc-12061", "cut")
    summary = fetch(replay.base(), tmp_path, options=fast, date_to=dt.date(2009, 12, 31))
    cut = by_attachment(summary, "11071")
    assert cut.status == "failed" and cut.reason == "the download was cut off after 13920 of 41762 bytes (3 tries)"
    assert [p for p in files(tmp_path) if "2008-11-03" in p] == []
    retried = Path(by_attachment(summary, "12061").path)  # cut once, then whole
    assert retried.read_bytes() == (CORPUS_PDF / "000_6c94f2351dffe329.pdf").read_bytes()
    assert not list(tmp_path.rglob("*.part"))


def test_a_truncated_pdf_with_the_right_length_is_not_kept(replay, fast, tmp_path):
    whole = (CORPUS_PDF / "001_301a5d08a7e7c56a.pdf").read_bytes()
    replay.overrides["halton/doc-50051"] = whole[: len(whole) // 2]  # the site itself serves half a file
    summary = fetch(replay.base(), tmp_path, options=fast, date_from=dt.date(2024, 1, 1))
    assert by_attachment(summary, "50051").reason == (
        f"truncated PDF: the {len(whole) // 2} bytes sent end before the %%EOF marker"
    )
    assert files(tmp_path) == []


def test_what_an_interrupted_run_was_writing_is_removed_and_fetched_again(replay, fast, tmp_path):
    fetch(replay.base(), tmp_path, options=fast, date_to=dt.date(2009, 12, 31))
    paper = next(tmp_path.rglob("7-q2-performance-monitoring-reports.pdf"))
    sidecar_path(paper).unlink()
    paper.rename(paper.with_name(paper.name + ".part"))  # as a run killed mid-download leaves it
    summary = fetch(replay.base(), tmp_path, options=fast, date_to=dt.date(2009, 12, 31))
    assert by_attachment(summary, "11071").status == "fetched" and by_attachment(summary, "12061").status == "skipped"
    assert not list(tmp_path.rglob("*.part"))
    assert paper.read_bytes() == (CORPUS_PDF / "002_03db5c2531a68c69.pdf").read_bytes()


# ---------------------------------------------------------------- the website and the paper disagree


def test_sidecar_that_disagrees_with_the_paper_warns_metadata_conflict(replay, fast, tmp_path):
    listing = replay.fixture("halton/GetMeetings-140").replace("29/01/2018", "30/01/2018")
    replay.override("halton/GetMeetings-140", listing)
    index = tmp_path / "index"
    summary = fetch(
        replay.base(),
        tmp_path / "papers",
        options=fast,
        date_from=dt.date(2018, 1, 1),
        date_to=dt.date(2018, 12, 31),
        ingest_into=index,
        pdf_engine="pdfium",
    )
    assert summary.ingest is not None and summary.ingest.count("indexed") == 1  # and the pack: a duplicate
    report = show(index, summary.ingest.outcomes[0].report_id)
    assert report.meeting_date == dt.date(2018, 1, 29)  # the paper's own date is kept
    assert report.provenance["meeting_date"].source == "paper"
    conflicts = [w.message for w in report.warnings if w.code == "metadata_conflict"]
    assert conflicts == ["meeting_date: the paper says '2018-01-29', the website '2018-01-30'"]
    # The renamed committee ("Children and Young People PPB" then, "... and Families ..." now) is no conflict.
    assert report.committee == "Children and Young People Policy and Performance Board"


def test_a_document_listed_at_two_meetings_is_fetched_once(replay, fast, tmp_path):
    # As minutes are: published with their meeting, listed again under the next meeting's "Minutes" item.
    again = replay.fixture("halton/GetMeeting-1201").replace(
        "<attachmentid>12061</attachmentid>", "<attachmentid>11071</attachmentid>"
    )
    replay.override("halton/GetMeeting-1201", again.replace("ID=12061", "ID=11071"))
    summary = fetch(replay.base(), tmp_path, options=fast, date_to=dt.date(2009, 12, 31))
    first, second = [o for o in summary.outcomes if o.attachment_id == "11071"]
    assert (first.status, second.status, second.reason) == ("fetched", "skipped", "already fetched (listed twice)")
    assert second.path == first.path and summary.paths == (first.path,)
    assert len(replay.asked("halton/doc-11071")) == 1
