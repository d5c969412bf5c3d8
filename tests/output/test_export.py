"""``boardpapers export`` and the DataFrame API (``pipeline.open_archive``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import make_report

import pipeline
from pipeline.cli import cli
from pipeline.errors import BoardpapersError, SearchIndexError
from pipeline.index import open_index
from pipeline.model import Decision, Entity, Provenance, Recommendation, ReportWarning
from pipeline.output.export import (
    COLUMNS,
    CONTEXT_COLUMNS,
    HEADER_KIND,
    TABLES,
    dtype_of,
    read_table,
    table_frame,
    table_rows,
    write_table,
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def archive(corpus_index):
    return pipeline.open_archive(corpus_index)


def row_of(df: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for k, v in where.items():
        mask &= df[k] == v
    found = df[mask]
    assert len(found) == 1, (where, len(found))
    return found.iloc[0]


# ---------------------------------------------------------------- the DataFrame API on the corpus


@pytest.mark.parametrize("what", TABLES)
def test_tables_have_the_documented_columns_and_dtypes(archive, what):
    df = archive.table(what)
    assert tuple(df.columns) == COLUMNS[what]
    assert {c: str(df[c].dtype) for c in df.columns} == {c: str(pd.Series(dtype=dtype_of(c)).dtype) for c in df.columns}
    assert len(df) > 0 or what == "decisions"  # the sample corpus holds no minutes (tests/search/test_outcomes.py)
    if what != "reports":
        assert tuple(df.columns[: len(CONTEXT_COLUMNS)]) == CONTEXT_COLUMNS


def test_table_sizes_match_the_records(archive):
    records = archive.records()
    assert len(records) == 10
    assert len(archive.reports()) == 10
    assert len(archive.sections()) == sum(len(r.sections) for r in records)
    assert len(archive.recommendations()) == sum(len(r.recommendations) for r in records)
    assert len(archive.entities()) == sum(len(r.entities) for r in records)
    assert len(archive.warnings()) == sum(len(r.warnings) for r in records)


def test_reports_table_values_for_the_2018_pdf(archive):
    df = archive.reports()
    r = row_of(df, report_id=archive.show("003_8f5a895c28ad9ad1-a55").id)
    assert r["meeting_date"] == pd.Timestamp("2018-01-29")
    assert (r["fiscal_year"], r["quarter"], r["period"]) == ("2017/18", 2, "2017/18-Q2")
    assert (r["period_start"], r["period_end"]) == (pd.Timestamp("2017-07-01"), pd.Timestamp("2017-09-30"))
    assert r["committee"] == "Children and Young People Policy and Performance Board"
    assert r["officer"] == "Strategic Director Enterprise, Community & Resources"
    assert (r["source_format"], r["pages"], r["recommendations"]) == ("pdf", 2, 3)
    assert (r["page"], r["line"]) == (1, 1)  # the committee, first thing on page 1
    # The path the file was indexed under: absolute, and the file is there.
    assert Path(r["source_path"]).is_absolute() and Path(r["source_path"]).name == "003_8f5a895c28ad9ad1.pdf"
    assert Path(r["source_path"]).is_file()


def test_reports_missing_values_are_missing_not_text(archive):
    df = archive.reports()
    bedfordshire = df[df["council"] == "Central Bedfordshire Council"]
    assert len(bedfordshire) == 2
    assert bedfordshire["meeting_date"].isna().all() and bedfordshire["committee"].isna().all()
    assert set(bedfordshire["warnings"]) == {"missing_field"}
    assert df["cabinet_member"].isna().all()  # not the string "None"


def test_recommendations_cite_report_page_and_line(archive):
    df = archive.recommendations()
    pdf = archive.show("003_8f5a895c28ad9ad1-a55")
    r = row_of(df, report_id=pdf.id, number=1)
    assert r["recommendation_id"] == f"{pdf.id}#r1"
    assert r["text"] == "Receive the second quarter's performance management report;"
    assert (r["page"], r["line"], r["label"]) == (1, 21, "1)")
    assert r["meeting_date"] == pd.Timestamp("2018-01-29") and r["quarter"] == 2
    # The same numbering as `trace` prints, so ids can be followed between the two.
    traced = set(pipeline.open_archive(archive.path).trace('"performance management report"')["recommendation_id"])
    assert f"{pdf.id}#r1" in traced and traced <= set(df["recommendation_id"])


def test_sections_rows_follow_document_order_with_pages(archive):
    df = archive.sections()
    report = archive.show("002_03db5c2531a68c69-e7")  # the 4-page PDF
    mine = df[df["report_id"] == report.id]
    assert list(mine["section_index"]) == list(range(len(report.sections)))
    assert list(mine["section_title"]) == [s.title for s in report.sections]
    # Empty text is missing (NA), as it would be after a CSV round trip.
    assert list(mine["text"].fillna("")) == [s.text for s in report.sections]
    assert mine["text"].isna().sum() == sum(1 for s in report.sections if not s.text) > 0
    assert mine["page"].max() > 1  # sections on later pages carry their own page
    first = mine.iloc[0]
    assert (first["section_number"], first["section_kind"], first["page"]) == ("1.0", "purpose", 1)


def test_entities_point_at_their_text(archive):
    """Every entity's offsets select its text: in its section's text, or in its header field's value."""
    ents, sections, reports = archive.entities(), archive.sections(), archive.reports()
    texts = {(r.report_id, r.section_index): r.text for r in sections.itertuples()}
    header = {r.report_id: r for r in reports.itertuples()}
    in_sections = ents[ents["section_kind"] != HEADER_KIND]
    assert len(in_sections) > 100
    for e in in_sections.itertuples():
        assert texts[(e.report_id, e.section_index)][e.start : e.end] == e.text
        assert pd.isna(e.header_field) and e.page >= 1
    in_header = ents[ents["section_kind"] == HEADER_KIND]
    assert len(in_header) > 5 and in_header["section_index"].isna().all()
    for e in in_header[in_header["header_field"].notna()].itertuples():
        field = e.header_field if e.header_field != "reporting_officer" else "officer"
        assert getattr(header[e.report_id], field)[e.start : e.end] == e.text
    committee = row_of(ents, report_id=archive.show("000_6c94f2351dffe329-a9").id, entity_index=0)
    assert (committee["header_field"], committee["label"], committee["page"], committee["line"]) == (
        "committee",
        "ORG",
        1,
        1,
    )


def test_entity_values_are_normalised(archive):
    ents = archive.entities()
    dates = ents[ents["label"] == "DATE"]
    assert len(dates) > 0 and "2009-07-01" in set(dates["value"])
    assert "2009/10-Q2" in set(ents.loc[ents["label"] == "QUARTER", "value"])


def test_warnings_table(archive):
    df = archive.warnings()
    assert set(df["code"]) == {"period_conflict", "duplicate_section_number", "missing_field"}
    dup = df[df["code"] == "duplicate_section_number"]
    assert sorted(dup["page"]) == [1, 3]  # the text file has one page, the PDF four
    assert dup["message"].str.contains("6.3").all()


def test_tables_are_fresh_dataframes(archive):
    df = archive.reports()
    df.loc[0, "council"] = "changed"
    assert archive.reports().loc[0, "council"] != "changed"


# ---------------------------------------------------------------- search, trace, show, cite


def test_archive_search_is_a_frame_of_hits(archive):
    hits = archive.search('"foster carers"')
    assert list(hits["section_title"]) == ["Specialist Services", "Specialist Services"]
    assert list(hits["rank"]) == [1, 2]
    assert hits["meeting_date"].dtype == "datetime64[ns]"
    assert (hits["meeting_date"] == pd.Timestamp("2008-11-03")).all()
    assert hits["snippet"].str.contains(r"\[\[foster carers\]\]").all()
    flat = archive.search("performance", section="recommendations", date_from="2017-01-01", flat=True)
    assert len(flat) == 4 and set(flat["section_kind"]) == {"recommendations"}


def test_archive_trace_dates_and_lineages(archive):
    t = archive.trace('"performance management report"')
    assert set(t["lineage"]) == {"L1"}
    assert list(t["meeting_date"]) == sorted(t["meeting_date"])
    assert set(t["meeting_date"].dt.year) == {2018, 2024}


def test_archive_similar(archive):
    hits = archive.similar("improve the supply of local foster carers", limit=3)
    assert len(hits) == 3 and hits["score"].is_monotonic_decreasing
    assert hits.iloc[0]["section_title"] == "Specialist Services"


def test_archive_show_and_cite(archive):
    report = archive.show("003_8f5a895c28ad9ad1-a55")
    assert report.meeting_date == dt.date(2018, 1, 29)
    text = archive.cite(report.id, page=1, line=21)
    # The council is filled from sibling papers to the same committee at ingest.
    assert text.startswith(
        "Halton Borough Council, Children and Young People Policy and Performance Board, 29 January 2018, "
    )
    assert text.endswith(f"p. 1, l. 21 [003_8f5a895c28ad9ad1.pdf; report {report.id}]")
    assert '"Performance Management Reports' in text
    with pytest.raises(BoardpapersError, match="no report"):
        archive.cite("999")


def test_open_archive_without_an_index(tmp_path):
    with pytest.raises(SearchIndexError, match="no index"):
        pipeline.open_archive(tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_archive_reload_sees_new_papers(tmp_path):
    path = tmp_path / "ix"
    with open_index(path, create=True) as ix:
        ix.add_reports([make_report("a1")])
    archive = pipeline.open_archive(path)
    assert list(archive.reports()["report_id"]) == ["a1"]
    with open_index(path) as ix:
        ix.add_reports([make_report("b2")])
    assert len(archive) == 1  # read once and kept...
    archive.reload()
    assert list(archive.reports()["report_id"]) == ["a1", "b2"]  # ...until reloaded


# ---------------------------------------------------------------- hand-built edge cases


def awkward_reports():
    """A pack with a part, unknown lines, no period, a key decision, text that looks like NA."""
    part = make_report(
        "pack-p1",
        [("1", "Purpose", "purpose", 'Costs "£1,200", rising;\nsee NA below')],
        parent_id="pack",
        period=None,
        date=None,
        recommendations=["Note the report, and agree"],
    )
    pack = make_report("pack", [("2.1", "NA", "other", "NA"), ("3", "Background", "other", "")], parts=[part])
    pack = replace(
        pack,
        key_decision=True,
        entities=(Entity("Wigan", "GPE", None, 0, 5), Entity("NA", "ORG", 0, 0, 2)),
        warnings=(ReportWarning("missing_field", "no wards", None),),
        provenance={"committee": Provenance(3, 7)},
        recommendations=(Recommendation(1, "Agree", page=2, line=0, label="(a)"),),
        decisions=(Decision("NA", "agreed", "RESOLVED", page=4, line=0, item="7", refs=("4c", "5"), amended=True),),
    )
    return [pack, part]


def test_awkward_values_in_the_frame():
    reports = awkward_reports()
    df = table_frame(reports, "reports")
    pack, part = df.iloc[0], df.iloc[1]
    assert (pack["page"], pack["line"], pack["key_decision"]) == (3, 7, True)
    assert part["parent_id"] == "pack" and pd.isna(part["quarter"]) and pd.isna(part["meeting_date"])
    assert pd.isna(part["key_decision"]) and pd.isna(part["page"])
    recs = table_frame(reports, "recommendations")
    assert pd.isna(recs.iloc[0]["line"])  # line 0 means unknown
    assert recs.iloc[0]["page"] == 2
    ents = table_frame(reports, "entities")
    # "Wigan" is in no header field of this report: no field, no position claimed.
    assert ents.iloc[0]["section_kind"] == HEADER_KIND and pd.isna(ents.iloc[0]["header_field"])
    assert pd.isna(ents.iloc[0]["start"])
    assert (ents.iloc[1]["section_title"], ents.iloc[1]["text"]) == ("NA", "NA")
    warnings = table_frame(reports, "warnings")
    assert pd.isna(warnings.iloc[0]["page"])


def test_empty_tables_keep_their_columns():
    df = table_frame([make_report("x")], "warnings")
    assert len(df) == 0 and tuple(df.columns) == COLUMNS["warnings"]
    assert df["meeting_date"].dtype == "datetime64[ns]"


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("what", TABLES)
def test_awkward_values_round_trip(tmp_path, what, fmt):
    reports = awkward_reports()
    path = tmp_path / f"{what}.{fmt}"
    n = write_table(reports, what, fmt, path)
    expected = table_frame(reports, what)
    assert n == len(expected)
    pd.testing.assert_frame_equal(read_table(path), expected)
    assert not list(tmp_path.glob(".*partial"))


def test_unknown_table_and_format():
    with pytest.raises(BoardpapersError, match="unknown table"):
        list(table_rows([make_report("x")], "minutes"))
    with pytest.raises(BoardpapersError, match="unknown format"):
        write_table([make_report("x")], "reports", "xlsx", io.StringIO())
    with pytest.raises(BoardpapersError, match="needs a file name"):
        write_table([make_report("x")], "reports", "parquet", io.StringIO())


# ---------------------------------------------------------------- the command, round trips


#: The tables the sample corpus fills (it holds no minutes: decisions round trip in tests/search/test_outcomes.py).
CORPUS_TABLES: tuple[str, ...] = tuple(t for t in TABLES if t != "decisions")


@pytest.mark.parametrize("what", CORPUS_TABLES)
def test_cli_csv_round_trip(corpus_index, archive, tmp_path, what):
    res = run("export", "--index", str(corpus_index), "--what", what, "--format", "csv")
    assert res.exit_code == 0, res.output
    expected = archive.table(what)
    assert f"{len(expected)} {what} rows from 10 reports" in res.stderr
    # Plain pandas reads the documented columns...
    plain = pd.read_csv(io.StringIO(res.stdout), parse_dates=["meeting_date"])
    assert tuple(plain.columns) == COLUMNS[what] and len(plain) == len(expected)
    assert plain["meeting_date"].dropna().dt.year.isin([2008, 2009, 2018, 2024]).all()
    # ...and read_table restores the dtypes: the same frame as the API's.
    path = tmp_path / f"{what}.csv"
    path.write_text(res.stdout, encoding="utf-8")
    pd.testing.assert_frame_equal(read_table(path), expected)


@pytest.mark.parametrize("what", CORPUS_TABLES)
def test_cli_parquet_round_trip(corpus_index, archive, tmp_path, what):
    out = tmp_path / f"{what}.parquet"
    res = run("export", "--index", str(corpus_index), "--what", what, "-o", str(out))
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert out.read_bytes()[:4] == b"PAR1"  # format from the suffix
    # Plain pandas gets the API's frame back exactly: columns, dtypes and values.
    pd.testing.assert_frame_equal(pd.read_parquet(out), archive.table(what))


def test_cli_jsonl_round_trip(corpus_index, archive, tmp_path):
    res = run("export", "--index", str(corpus_index), "--what", "recommendations", "--format", "jsonl")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(rows) == 18 and all(tuple(r) == COLUMNS["recommendations"] for r in rows)
    assert {r["meeting_date"] for r in rows} >= {"2018-01-29", None}
    path = tmp_path / "r.jsonl"
    path.write_text(res.stdout, encoding="utf-8")
    pd.testing.assert_frame_equal(read_table(path), archive.recommendations())


def test_cli_parquet_to_stdout_is_a_usage_error(corpus_index):
    res = run("export", "--index", str(corpus_index), "--what", "entities", "--format", "parquet")
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "give -o FILE" in res.stderr


def test_cli_format_overrides_the_suffix(corpus_index, tmp_path):
    out = tmp_path / "recs.parquet"
    res = run("export", "--index", str(corpus_index), "--what", "recommendations", "--format", "csv", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith(",".join(COLUMNS["recommendations"]) + "\n")


def test_cli_export_needs_an_index_and_a_table(tmp_path):
    res = run("export", "--index", str(tmp_path / "none"), "--what", "reports")
    assert res.exit_code == 1 and "no index" in res.stderr
    res = run("export", "--index", str(tmp_path / "none"))
    assert res.exit_code == 2 and "--what" in res.stderr


def test_cli_export_help_has_examples():
    res = run("export", "--help")
    assert res.exit_code == 0
    assert "boardpapers export --what recommendations > recommendations.csv" in res.stdout


def test_cli_startup_does_not_import_pandas():
    code = "import sys, pipeline.cli, pipeline.output.archive; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_read_table_of_an_empty_file(tmp_path):
    path = tmp_path / "warnings.jsonl"
    assert write_table([make_report("x")], "warnings", "jsonl", path) == 0
    assert path.read_text() == ""
    df = read_table(path, "warnings")
    assert len(df) == 0 and tuple(df.columns) == COLUMNS["warnings"]
    with pytest.raises(BoardpapersError, match="is empty"):
        read_table(path)
    csv_path = tmp_path / "warnings.csv"
    write_table([make_report("x")], "warnings", "csv", csv_path)
    assert tuple(read_table(csv_path).columns) == COLUMNS["warnings"]  # the header row names the table


# ---------------------------------------------------------------- one row builder (review: no second report-row shape)


def test_show_csv_is_a_row_of_the_reports_table(corpus_index, archive):
    report_id = archive.reports()["report_id"].iloc[0]
    res = run("show", report_id, "--csv", "--index", str(corpus_index))
    assert res.exit_code == 0, res.output
    shown = pd.read_csv(io.StringIO(res.stdout))
    assert tuple(shown.columns) == COLUMNS["reports"] and list(shown["report_id"]) == [report_id]


def test_parse_csv_has_the_reports_table_columns_and_values(corpus_index, archive):
    seeds = sorted(Path("corpus/seeds").glob("*.txt"))
    res = run("parse", *map(str, seeds), "--csv")
    assert res.exit_code == 0, res.output
    parsed = pd.read_csv(io.StringIO(res.stdout))
    assert tuple(parsed.columns) == COLUMNS["reports"] and len(parsed) == len(seeds)
    indexed = archive.reports().set_index("report_id")
    for _, row in parsed.iterrows():
        assert row["subject"] == indexed.loc[row["report_id"], "subject"]
        assert row["sections"] == indexed.loc[row["report_id"], "sections"]


def test_archive_frames_use_the_cli_row_columns(archive):
    from pipeline.output.render import HIT_COLUMNS, HIT_FRAME_COLUMNS, TRACE_COLUMNS

    hits = archive.search("performance")
    assert tuple(hits.columns) == HIT_FRAME_COLUMNS and set(HIT_COLUMNS) <= set(HIT_FRAME_COLUMNS)
    assert tuple(archive.trace('"performance management report"').columns) == TRACE_COLUMNS
