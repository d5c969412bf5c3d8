"""Councils lent between papers to the same committee (``parse.fill_from_siblings``),
by ingest's rule: only councils a paper names count, and only an unambiguous one is lent."""

from __future__ import annotations

import dataclasses

from conftest import make_report

from pipeline.enrich.siblings import committee_key, council_lender, fill_from_siblings
from pipeline.model import Provenance, Report

BOARD = "Children and Young People Policy and Performance Board"


def named(rid: str, council: str, *, committee: str = BOARD, folder: str = "/a") -> Report:
    """A paper that names its council (it has a provenance for it)."""
    r = make_report(rid, committee=committee, council=council, path=f"{folder}/{rid}.txt")
    return dataclasses.replace(r, provenance={"council": Provenance(1, 1)})


def lacking(rid: str, *, committee: str | None = BOARD, folder: str = "/a") -> Report:
    r = make_report(rid, committee=committee or "", council="", path=f"{folder}/{rid}.txt")
    return dataclasses.replace(r, council=None, committee=committee)


def test_committee_key_folds_case_punctuation_and_ampersand() -> None:
    assert committee_key("Children & Young People's Board") == committee_key("children and young people s board")
    assert committee_key("") is None and committee_key(None) is None and committee_key("--") is None


def test_one_named_council_is_lent() -> None:
    out = fill_from_siblings([named("a", "Halton Borough Council"), lacking("b")])
    assert [r.council for r in out] == ["Halton Borough Council", "Halton Borough Council"]
    assert "council" not in out[1].provenance  # borrowed: no line of the paper names it


def test_ambiguous_committee_lends_nothing() -> None:
    # Two councils both have a "Cabinet": the most common one is not lent.
    reports = [
        named("a", "Kent County Council", committee="Cabinet"),
        named("b", "Kent County Council", committee="Cabinet"),
        named("c", "Bristol City Council", committee="Cabinet"),
        lacking("d", committee="Cabinet"),
    ]
    assert fill_from_siblings(reports)[3].council is None


def test_same_folder_decides_before_the_whole_batch() -> None:
    reports = [
        named("a", "Kent County Council", committee="Cabinet", folder="/kent"),
        named("b", "Bristol City Council", committee="Cabinet", folder="/bristol"),
        lacking("c", committee="Cabinet", folder="/kent"),
        lacking("d", committee="Cabinet", folder="/elsewhere"),
    ]
    out = fill_from_siblings(reports)
    assert out[2].council == "Kent County Council"
    assert out[3].council is None


def test_only_named_councils_lend() -> None:
    # A council without provenance (itself borrowed, or guessed without a citing line) lends nothing.
    unnamed = dataclasses.replace(make_report("a", committee=BOARD, council="Halton Borough Council"), provenance={})
    assert fill_from_siblings([unnamed, lacking("b")])[1].council is None


def test_pack_parts_lend_and_borrow() -> None:
    part = dataclasses.replace(named("p1", "Halton Borough Council"), parent_id="pack")
    empty_part = dataclasses.replace(lacking("p2"), parent_id="pack")
    pack = dataclasses.replace(
        make_report("pack", parts=[part, empty_part], committee="Executive Board"), council=None, provenance={}
    )
    out = fill_from_siblings([pack, lacking("b")])
    assert out[0].parts[1].council == "Halton Borough Council"
    assert out[0].council is None  # nobody names the Executive Board's council
    assert out[1].council == "Halton Borough Council"


def test_nothing_to_fill_returns_the_same_reports() -> None:
    reports = [named("a", "Halton Borough Council"), lacking("b", committee=None)]
    out = fill_from_siblings(reports)
    assert all(x is y for x, y in zip(out, reports))


def test_council_lender_prefers_the_folder_then_the_archive_and_refuses_shared_names() -> None:
    lent = council_lender(
        [
            ("Cabinet", "/a", "Kent County Council"),
            ("Cabinet", "/b", "Bristol City Council"),
            ("Children & Families Board", "/a", "Halton Borough Council"),
        ]
    )
    assert lent("cabinet", "/a") == "Kent County Council"  # one council in this folder
    assert lent("Cabinet", "/c") is None  # two across the archive: nothing lent
    assert lent("Children and Families Board", "/z") == "Halton Borough Council"  # the only one anywhere
    assert lent("Scrutiny", "/a") is None and lent(None, "/a") is None
