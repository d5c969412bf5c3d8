"""The gazetteer of UK authorities (issue 13): names folded, looked up and found in text."""

from __future__ import annotations

from collections import Counter
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.parse.gazetteer import authorities, canonical_council, find_councils, fold_name, lookup

#: Words and the separators names are written with.
NAME_TEXT = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ &,.-'’()"), max_size=60
)


def test_the_data_file_ships_inside_the_package() -> None:
    data = resources.files("pipeline").joinpath("data", "councils.tsv")
    assert data.is_file()
    assert "Kent County Council" in data.read_text(encoding="utf-8")


def test_every_nation_and_kind_of_authority_is_there() -> None:
    table = authorities()
    current = [a for a in table if a.end is None]
    by_nation = Counter(a.nation for a in current if a.is_council)
    assert by_nation["Scotland"] == 32
    assert by_nation["Wales"] == 22
    assert by_nation["Northern Ireland"] == 11
    assert sum(1 for a in current if a.kind == "london_borough") == 32
    kinds = {a.kind for a in table}
    assert {
        "county",
        "district",
        "unitary",
        "metropolitan_district",
        "london_borough",
        "city_corporation",
        "combined_authority",
        "strategic_authority",
        "police_and_crime_commissioner",
        "fire_authority",
        "transport_authority",
        "national_park_authority",
    } <= kinds
    assert len({a.code for a in table}) == len(table)


def test_every_name_of_the_table_finds_its_own_authority() -> None:
    for a in authorities():
        year = a.end or a.start
        for name in (*a.names, *a.abbreviations):
            assert lookup(name, year=year) == a, name


@pytest.mark.parametrize(
    "written",
    [
        "London Borough of Hackney",
        "Hackney Council",
        "Hackney London Borough Council",
        "HACKNEY COUNCIL",
        "the London Borough of Hackney",
        "Hackney",
    ],
)
def test_the_forms_of_a_london_borough_are_one_authority(written: str) -> None:
    assert canonical_council(written) == "London Borough of Hackney"


@pytest.mark.parametrize(
    "written",
    [
        "the Council",
        "Council",
        "County Council",
        "The County Council",
        "Audit and Governance Committee",
        "Leader of the Council",
        "Hove City Council",
        "UK Green Building Council",
        "Hackney District Council",
        "",
        "KCC",
    ],
)
def test_what_names_no_authority_gives_none(written: str) -> None:
    assert canonical_council(written) is None


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("BCP Council", "Bournemouth, Christchurch and Poole Council"),
        ("Bournemouth, Christchurch & Poole Council", "Bournemouth, Christchurch and Poole Council"),
        ("Kingston", "Royal Borough of Kingston upon Thames"),
        ("Kingston Council", "Royal Borough of Kingston upon Thames"),
        ("Brighton and Hove", "Brighton & Hove City Council"),
        ("BRIGHTON & HOVE CITY COUNCIL", "Brighton & Hove City Council"),
        ("Wirral Metropolitan Borough Council", "Wirral Council"),
        ("Kings Lynn and West Norfolk Borough Council", "Borough Council of King's Lynn and West Norfolk"),
        ("St. Helens Council", "St Helens Council"),
        ("WECA", "West of England Mayoral Combined Authority"),
        ("West of England Combined Authority", "West of England Mayoral Combined Authority"),
        ("Kent Police and Crime Commissioner", "Police and Crime Commissioner for Kent"),
        ("TfL", "Transport for London"),
    ],
)
def test_short_forms_and_other_names_give_the_authority_s_own_name(written: str, name: str) -> None:
    assert canonical_council(written) == name


def test_the_paper_s_year_picks_the_authority_of_the_day_and_its_name_then() -> None:
    assert canonical_council("Cornwall County Council", year=2005) == "Cornwall County Council"
    assert canonical_council("Cornwall County Council", year=2020) is None  # abolished in 2009
    assert canonical_council("BCP Council", year=2012) == "Bournemouth, Christchurch and Poole Council"  # to come
    assert canonical_council("Colchester Borough Council", year=2015) == "Colchester Borough Council"
    assert canonical_council("Colchester Borough Council", year=2024) == "Colchester City Council"
    assert canonical_council("Somerset", year=2015) == "Somerset County Council"
    assert canonical_council("Somerset", year=2024) == "Somerset Council"


def test_a_name_two_authorities_share_goes_to_the_one_that_exists() -> None:
    assert canonical_council("Durham Council", year=2020) == "Durham County Council"
    assert canonical_council("Durham City Council", year=2005) == "Durham City Council"


def test_find_councils_reads_the_whole_name_in_a_line() -> None:
    found = find_councils("Brighton & Hove City Council: School Admission Arrangements")
    assert [(m.text, m.name) for m in found] == [("Brighton & Hove City Council", "Brighton & Hove City Council")]


def test_find_councils_gives_each_mention_in_order() -> None:
    text = "Kent County Council's view, then Medway Council's, and WECA's"
    found = find_councils(text)
    assert [m.name for m in found] == [
        "Kent County Council",
        "Medway Council",
        "West of England Mayoral Combined Authority",
    ]
    assert text[found[0].start : found[0].end] == "Kent County Council's"


def test_a_bare_place_or_a_name_across_a_full_stop_is_no_mention() -> None:
    assert find_councils("Children and young people in Hackney") == []
    assert find_councils("Services in Kent. County Council members agreed") == []
    assert find_councils("weca and kcc") == []


@given(NAME_TEXT)
def test_folding_is_idempotent(text: str) -> None:
    assert fold_name(fold_name(text)) == fold_name(text)


@given(NAME_TEXT)
def test_folding_ignores_case(text: str) -> None:
    assert fold_name(text.upper()) == fold_name(text.lower())


@given(NAME_TEXT, NAME_TEXT)
def test_folding_reads_ampersand_as_and(left: str, right: str) -> None:
    assert fold_name(f"{left} & {right}") == fold_name(f"{left} and {right}")


@given(NAME_TEXT)
def test_folding_drops_a_leading_the_and_punctuation(text: str) -> None:
    assert fold_name(f"The {text}") == fold_name(text) or fold_name(text).startswith("the ")
    assert fold_name(f"{text}.,") == fold_name(text)
    assert "  " not in fold_name(text) and fold_name(text) == fold_name(text).strip()
