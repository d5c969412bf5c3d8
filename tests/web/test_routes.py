"""Every page and API of the web app through Starlette's test client, on both engines, with bad inputs."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.ingest.ledger import Ledger
from pipeline.search import show
from pipeline.web import DEFAULT_HOST, create_app

PDF_ID_PREFIX = "000_6c94f2351dffe329-"  # the PDF copy of sample paper 000 (its id starts with the file's name)


def ids(index: Path) -> dict[str, str]:
    """Report id by source file name."""
    from pipeline.index import open_index

    with open_index(index) as ix:
        return {Path(r.source.path).name: r.id for r in ix.iter_reports()}


def cli_json(index: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, [*args, "--index", str(index), "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# ---------------------------------------------------------------- search


def test_search_page_lists_reports_with_highlighted_snippets_dates_committees_and_pages(client):
    r = client.get("/search", params={"q": '"foster carers"'})
    assert r.status_code == 200
    assert r.text.count('class="report"') == 2
    assert "<mark>foster carers</mark>" in r.text
    assert "2008-11-03" in r.text and "Children &amp; Young People PPB" in r.text
    assert re.search(r'href="/source/[^"]+#page=1">p\.1</a>', r.text)
    assert "2 sections in 2 reports match" in r.text


def test_search_page_has_facets_each_a_link_that_narrows_the_search(client):
    r = client.get("/search", params={"q": "performance"})
    for dimension in ("council", "committee", "fiscal_year", "quarter", "section", "doc_type"):
        assert f'data-dimension="{dimension}"' in r.text
    link = re.search(r'<a href="([^"]+)" class="" data-value="2017/18-Q2">', r.text)
    assert link
    narrowed = client.get(link.group(1).replace("&amp;", "&"))
    assert narrowed.status_code == 200
    assert 'value="performance quarter:2017/18-Q2"' in narrowed.text
    assert narrowed.text.count('class="report"') == 2
    assert 'class="selected" data-value="2017/18-Q2"' in narrowed.text  # shown selected, a link that widens again


def test_search_page_counts_papers_with_unknown_date_and_committee(client):
    r = client.get("/search", params={"q": "performance"})
    assert 'data-undated="2"' in r.text and 'data-no-committee="2"' in r.text  # the Central Bedfordshire paper
    ranged = client.get("/search", params={"q": "performance", "from": "2017"})
    assert ranged.text.count('class="report"') == 4
    assert "The date range leaves out 2 papers that match otherwise but have no meeting date." in ranged.text


def test_search_page_sorts_by_date_and_pages(client):
    r = client.get("/search", params={"q": "report", "sort": "date"})
    dates = re.findall(r'<p class="meta">(\d{4}-\d\d-\d\d|no date)', r.text)
    assert dates[-2:] == ["no date", "no date"]  # undated papers last
    assert dates[:-2] == sorted(dates[:-2], reverse=True) and len(dates) == 10
    one = client.get("/search", params={"q": "performance OR budget", "page": "2"})
    assert one.status_code == 200 and 'rel="prev"' in one.text


def test_api_search_returns_the_rows_the_cli_prints_with_json(client, web_index):
    api = client.get("/api/search", params={"q": "performance", "from": "2017"}).json()
    assert api["hits"] == cli_json(web_index, "search", "performance", "--from", "2017")
    assert api["reports"] == 4 and api["page"] == 1
    assert api["summary"].startswith(f"{api['total']} sections in 4 reports")


def test_api_facets_returns_the_counts(client):
    data = client.get("/api/facets", params={"q": "performance"}).json()
    assert data["papers"] == 10
    assert {"value": "report", "count": 10} in data["counts"]["doc_type"]
    assert data["left_out_undated"] is None


def test_malformed_query_is_a_400_page_showing_the_error_and_its_column(client):
    r = client.get("/search", params={"q": "performance AND"})
    assert r.status_code == 400
    assert "column" in r.text and "Traceback" not in r.text
    assert re.search(r'<pre class="caret"[^>]*>performance AND\n\s*\^</pre>', r.text)
    api = client.get("/api/search", params={"q": "(budget"})
    assert api.status_code == 400
    assert "column" in api.json()["error"] and api.json()["position"] is not None


def test_cli_and_page_give_the_same_query_error(client, web_index):
    result = CliRunner().invoke(cli, ["search", "performance AND", "--index", str(web_index)])
    assert result.exit_code == 2
    message = result.stderr.strip().removeprefix("error: ")
    assert client.get("/api/search", params={"q": "performance AND"}).json()["error"] == message


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x", "page": "zero"},
        {"q": "x", "page": "0"},
        {"q": "x", "sort": "size"},
        {"q": "x", "from": "last year"},
        {"q": "x" * 3000},
        {"q": ""},
    ],
)
def test_bad_parameters_are_400(client, params):
    r = client.get("/api/search", params=params)
    assert r.status_code == 400 and r.json()["error"]


def test_empty_search_page_shows_the_form_and_archive_size(client):
    r = client.get("/")
    assert r.status_code == 200 and 'name="q"' in r.text and "Search the 10 papers" in r.text


def test_help_page_shows_the_query_language_of_the_cli(client):
    from pipeline.config import QUERY_HELP

    r = client.get("/help")
    assert "recruitmnet~" in r.text and "date:[2017-01-01 TO 2018-12-31]" in r.text
    assert "section:financial_implications" in r.text and "\b" not in r.text
    assert "recruit*" in QUERY_HELP


# ---------------------------------------------------------------- report and source


def test_report_page_shows_fields_with_citations_recommendations_sections_warnings_entities(client, web_index):
    rid = ids(web_index)["001_301a5d08a7e7c56a.txt"]
    r = client.get(f"/report/{rid}")
    assert r.status_code == 200
    report = show(web_index, rid)
    assert f'<tr data-field="committee"><th>Committee</th><td>{report.committee}</td>' in r.text
    prov = report.provenance["committee"]
    assert f'href="/source/{rid}#L{prov.line}">p.{prov.page} l.{prov.line}</a>' in r.text  # a text paper: its line
    for rec in report.recommendations:
        assert f'<span class="label">{rec.label}</span>' in r.text
        assert f'href="/trace?q={rid}%23r{rec.number}"' in r.text
    assert r.text.count("<details") == len(report.sections)
    assert "period_conflict" in r.text
    assert '<section class="entities">' in r.text


def test_report_citations_of_a_pdf_open_the_pdf_at_the_page(client, web_index):
    rid = ids(web_index)["000_6c94f2351dffe329.pdf"]
    r = client.get(f"/report/{rid}")
    assert re.search(rf'href="/source/{rid}#page=\d+">p\.\d+ l\.\d+</a>', r.text)
    pdf = client.get(f"/source/{rid}")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_text_source_is_shown_with_numbered_lines_and_page_anchors(client, web_index):
    rid = ids(web_index)["001_301a5d08a7e7c56a.txt"]
    r = client.get(f"/source/{rid}")
    assert r.status_code == 200 and 'id="L3"' in r.text and 'id="page=1"' in r.text
    raw = client.get(f"/source/{rid}", params={"raw": "1"})
    assert raw.headers["content-type"].startswith("text/plain") and b"REPORT TO" in raw.content


def test_a_unique_start_of_a_report_id_redirects_to_its_page(client, web_index):
    rid = ids(web_index)["000_6c94f2351dffe329.pdf"]
    r = client.get(f"/report/{rid[:-3]}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/report/{rid}"


def test_api_report_is_the_record_show_json_prints(client, web_index):
    rid = ids(web_index)["000_6c94f2351dffe329.pdf"]
    assert client.get(f"/api/report/{rid}").json() == cli_json(web_index, "show", rid)[0]


@pytest.mark.parametrize(
    "path",
    [
        "/report/nothing",
        "/api/report/nothing",
        "/source/nothing",
        "/nowhere",
        "/source/..%2F..%2Fetc%2Fpasswd",
        "/source/%2Fetc%2Fpasswd",
        "/source/../../etc/passwd",
        "/static/../app.py",
        "/source/000_6c94",
    ],
)
def test_unknown_reports_paths_and_prefixes_are_404(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "root:" not in r.text and "Traceback" not in r.text


def test_source_refuses_a_file_swapped_for_a_symlink_out_of_the_archive(client_for, copied_archive, tmp_path):
    papers, index = copied_archive
    rid = ids(index)["002_03db5c2531a68c69.txt"]
    client = client_for(index)
    assert client.get(f"/source/{rid}").status_code == 200
    target = papers / "seeds" / "002_03db5c2531a68c69.txt"
    outside = tmp_path / "outside.txt"
    shutil.copy(target, outside)  # the same bytes, outside the archive
    target.unlink()
    os.symlink(outside, target)
    assert client.get(f"/source/{rid}").status_code == 404


def test_source_refuses_a_file_changed_since_it_was_ingested(client_for, copied_archive):
    papers, index = copied_archive
    rid = ids(index)["003_8f5a895c28ad9ad1.pdf"]
    client = client_for(index)
    (papers / "pdf" / "003_8f5a895c28ad9ad1.pdf").write_bytes(b"%PDF-1.4 something else")
    r = client.get(f"/source/{rid}")
    assert r.status_code == 404 and "changed since it was ingested" in r.text


def test_source_serves_only_files_the_ledger_records_as_indexed(client_for, copied_archive):
    _, index = copied_archive
    rid = ids(index)["002_03db5c2531a68c69.txt"]
    (index / "ledger.sqlite").unlink()
    r = client_for(index).get(f"/source/{rid}")
    assert r.status_code == 404 and "ledger" in r.text


# ---------------------------------------------------------------- a hostile paper


def test_text_from_a_paper_is_escaped_on_every_page(client_for, copied_archive):
    _, index = copied_archive
    rid = ids(index)["hostile.txt"]
    client = client_for(index)
    pages = [
        client.get("/search", params={"q": "hostile"}),
        client.get(f"/report/{rid}"),
        client.get(f"/source/{rid}"),
        client.get("/similar", params={"text": "test that script stays text and the link is inert"}),
        client.get("/trace", params={"q": f"{rid}#r1"}),
        client.get("/overview"),
    ]
    for r in pages:
        assert r.status_code == 200, r.url
        assert "<script" not in r.text.lower(), r.url
        assert 'href="javascript:' not in r.text.lower() and "<img" not in r.text and "<b " not in r.text, r.url
        assert "script-src 'none'" in r.headers["content-security-policy"]
    assert "&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in pages[1].text
    assert "Hostile &lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt; report" in pages[0].text


def test_marked_escapes_each_piece_and_leaves_unclosed_marks_as_text():
    from pipeline.web.views import marked

    assert str(marked("a <b> [[c & d]] e [[f")) == "a &lt;b&gt; <mark>c &amp; d</mark> e [[f"


# ---------------------------------------------------------------- trace and similar


def test_trace_page_shows_a_timeline_and_the_wording_with_changes(client, web_index):
    rid = ids(web_index)["003_8f5a895c28ad9ad1.txt"]
    r = client.get("/trace", params={"q": f"{rid}#r1"})
    assert r.status_code == 200
    assert "<svg" in r.text and r.text.count('class="mark"') >= 2
    assert "<del>second</del>" in r.text and "<ins>first</ins>" in r.text
    assert 'class="step seed"' in r.text


def test_api_trace_is_the_rows_trace_json_prints(client, web_index):
    data = client.get("/api/trace", params={"q": "performance management report"}).json()
    assert data["recommendations"] == cli_json(web_index, "trace", "performance management report")
    assert data["seed"] is None


def test_similar_page_shows_draft_and_passage_side_by_side_with_shared_words(client):
    draft = "We are developing a strategy to improve the local supply of foster carers"
    r = client.get("/similar", params={"text": draft})
    assert r.status_code == 200
    assert '<td class="draft">We are <mark>developing a strategy' in r.text
    assert '<td class="passage">' in r.text and "<mark>" in r.text.split('<td class="passage">')[1]


def test_similar_filters_by_section_kind_committee_and_date(client, web_index):
    draft = "Receive the performance management report"
    every = client.get("/api/similar", params={"text": draft}).json()["hits"]
    recs = client.get("/api/similar", params={"text": draft, "section": "recommendations"}).json()["hits"]
    assert recs and all(h["section_kind"] == "recommendations" for h in recs)
    dated = client.get("/api/similar", params={"text": draft, "from": "2017", "to": "2018"}).json()["hits"]
    assert dated and all(h["meeting_date"].startswith(("2017", "2018")) for h in dated)
    by_committee = client.get("/api/similar", params={"text": draft, "committee": "families"}).json()["hits"]
    assert by_committee and all("Families" in h["committee"] for h in by_committee)
    assert any("Families" not in (h["committee"] or "") for h in every)
    assert every == cli_json(web_index, "similar", draft)
    assert client.get("/api/similar", params={"text": draft, "section": "nonsense"}).status_code == 400


def test_similar_page_cites_the_passage_at_its_page_and_line_and_filters_by_council(client):
    draft = "The Strategy for Change Part 2 is the next major milestone in the Building Schools for the Future"
    hits = client.get("/api/similar", params={"text": draft, "limit": "5"}).json()["hits"]
    pdf = next(h for h in hits if h["path"].endswith(".pdf"))
    txt = next(h for h in hits if h["path"].endswith(".txt"))
    assert pdf["page"] == 3 and pdf["line"] and txt["line"]
    r = client.get("/similar", params={"text": draft, "limit": "5"})
    assert f'#page=3">p.3 l.{pdf["line"]}</a>' in r.text  # a PDF opens at the page
    assert f'#L{txt["line"]}">p.1 l.{txt["line"]}</a>' in r.text  # a text paper at the line
    central = client.get("/api/similar", params={"text": draft, "council": "central"}).json()["hits"]
    assert all(h["council"] == "Central Bedfordshire Council" for h in central)
    assert not any(h["report_id"] == pdf["report_id"] for h in central)


# ---------------------------------------------------------------- overview


def test_overview_shows_coverage_warnings_and_failed_files(client_for, copied_archive):
    papers, index = copied_archive
    (papers / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    from pipeline.ingest import ingest

    ingest([papers], index)
    r = client_for(index).get("/overview")
    assert r.status_code == 200
    assert '<table class="coverage">' in r.text and "2017/18-Q2" in r.text and "shade-" in r.text
    assert "period_conflict" in r.text
    assert "broken.pdf" in r.text and "truncated PDF" in r.text
    api = client_for(index).get("/api/overview").json()
    assert any(f["path"].endswith("broken.pdf") for f in api["failed"])
    assert api["coverage"]["quarters"][0] == "2008/09-Q2"


def test_api_stats_and_status_are_the_cli_rows(client, web_index):
    assert client.get("/api/stats").json()["rows"] == cli_json(web_index, "stats")
    assert client.get("/api/status").json()["files"] == cli_json(web_index, "status")


# ---------------------------------------------------------------- the index missing or being written


def test_a_missing_index_is_a_clear_503_page(client_for, tmp_path):
    client = client_for(tmp_path / "nothing-here")
    r = client.get("/search", params={"q": "budget"})
    assert r.status_code == 503 and "no index at" in r.text and "boardpapers ingest" in r.text
    assert "Traceback" not in r.text
    assert client.get("/api/search", params={"q": "budget"}).json()["status"] == 503


def test_an_index_being_written_for_the_first_time_says_so(client_for, tmp_path):
    from pipeline.index import run_lock

    index = tmp_path / "index"
    with run_lock(index, timeout=0):
        r = client_for(index).get("/")
        assert r.status_code == 503 and "An ingest is writing it now" in r.text


def test_an_index_being_written_shows_a_banner(client_for, copied_archive):
    from pipeline.index import run_lock

    _, index = copied_archive
    with run_lock(index, timeout=0):
        r = client_for(index).get("/search", params={"q": "budget"})
    assert r.status_code == 200 and 'class="banner"' in r.text


def test_an_index_appearing_after_the_server_started_is_served(client_for, tmp_path):
    from pipeline.ingest import ingest

    from .conftest import CORPUS

    index = tmp_path / "index"
    client = client_for(index)
    assert client.get("/").status_code == 503
    ingest([CORPUS / "seeds"], index)
    assert client.get("/").status_code == 200


# ---------------------------------------------------------------- read-only, local


def test_the_app_answers_only_get(client):
    assert client.post("/search", data={"q": "x"}).status_code == 405
    assert client.delete("/api/report/x").status_code == 405


def test_serve_binds_to_this_machine_unless_told_otherwise():
    assert DEFAULT_HOST == "127.0.0.1"
    params = {p.name: p for p in cli.commands["serve"].params}
    assert params["host"].default == "127.0.0.1"


def test_the_app_never_writes_to_the_index(client_for, copied_archive):
    _, index = copied_archive

    def snapshot() -> dict[str, float]:
        return {str(p): p.stat().st_mtime_ns for p in index.rglob("*") if p.is_file() and p.name != "ingest.lock"}

    before = snapshot()
    client = client_for(index)
    for path in ("/search?q=budget", "/overview", "/api/status", "/similar?text=budget+monitoring", "/trace?q=note"):
        client.get(path)
    assert snapshot() == before


def test_create_app_is_an_asgi_app(web_index):
    assert callable(create_app(web_index))


def test_ledger_knows_the_sample_files(web_index):
    with Ledger.open(web_index) as ledger:
        assert len(ledger.entries()) == 10
