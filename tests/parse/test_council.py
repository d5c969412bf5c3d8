"""Which authority published a paper: names, initials, domains, places."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.parse.council import clean_name, detect_council, initials, uncap


def test_named_on_the_first_page_beats_a_comparison_later() -> None:
    pages = [
        (1, "Bristol City Council's transport strategy"),
        (3, "Nottingham City Council ran a levy"),
        (4, "Nottingham City Council reports"),
    ]
    assert detect_council(pages) == "Bristol City Council"


def test_initials_and_domain_build_the_name_when_it_is_never_written() -> None:
    pages = [
        (1, "At KCC any two members may call in a decision."),
        (2, "KCC Scrutiny"),
        (3, "the County Council"),
        (3, "anna.taylor@kent.gov.uk"),
    ]
    assert detect_council(pages) == "Kent County Council"


def test_header_value_names_a_combined_authority() -> None:
    pages = [(1, "Bristol City Council and South Gloucestershire Council agree")]
    header = ["WEST OF ENGLAND MAYORAL COMBINED AUTHORITY COMMITTEE"]
    assert detect_council(pages, header=header) == "West of England Mayoral Combined Authority"


def test_implied_place_from_the_gazetteer() -> None:
    assert (
        detect_council([(1, "Children and Young People in Halton"), (1, "A Healthy Halton")])
        == "Halton Borough Council"
    )


def test_nothing_named_gives_none() -> None:
    assert detect_council([(1, "The Board noted the report.")]) is None


def test_leading_words_that_are_not_places_are_dropped() -> None:
    assert clean_name("Leader of the Council") is None
    assert clean_name("the Kent County Council") == "Kent County Council"
    assert initials("Kent County Council") == "KCC"
    assert uncap("WEST OF ENGLAND COMBINED AUTHORITY") == "West of England Combined Authority"


@given(st.lists(st.tuples(st.integers(0, 50), st.text(max_size=80)), max_size=20))
def test_detect_council_never_raises(pages: list[tuple[int, str]]) -> None:
    result = detect_council(pages)
    assert result is None or isinstance(result, str)


def test_a_phrase_ending_in_council_is_no_authority() -> None:
    pages = [
        (1, "Brighton & Hove City Council"),
        (2, "a member of the UK Green Building Council"),
        (3, "Hove City Council is not a council"),
    ]
    assert detect_council(pages) == "Brighton & Hove City Council"
    assert detect_council([(1, "The Audit and Governance Council noted the UK Green Building Council")]) is None


def test_one_name_in_the_body_is_too_weak_to_name_the_paper_s_council() -> None:
    assert detect_council([(4, "as agreed with Medway Council")]) is None
    assert detect_council([(4, "as agreed with Medway Council"), (5, "Medway Council will")]) == "Medway Council"


def test_two_authorities_named_as_often_give_none() -> None:
    pages = [(1, "Kent County Council and Medway Council"), (2, "Medway Council and Kent County Council")]
    assert detect_council(pages) is None


def test_the_output_is_the_authority_s_own_name_whatever_the_paper_writes() -> None:
    assert detect_council([(1, "BCP Council"), (2, "BCP Council climate action")]) == (
        "Bournemouth, Christchurch and Poole Council"
    )
    assert detect_council([(1, "Kingston Council"), (1, "Neighbourhood Committee")]) == (
        "Royal Borough of Kingston upon Thames"
    )


def test_initials_count_where_the_paper_writes_their_place() -> None:
    pages = [(1, "Climate emergency in Dacorum"), (2, "DBC will plant trees"), (3, "DBC and Dacorum residents")]
    assert detect_council(pages) == "Dacorum Borough Council"
    assert detect_council([(1, "DBC will plant trees"), (2, "DBC again")]) is None


def test_a_subdomain_names_the_place() -> None:
    pages = [
        (2, "Nottingham City Council ran a levy"),
        (3, "Bristol City Council"),
        (3, "Nottingham City Council reports"),
        (5, "Bristol City Council"),
        (6, "https://democracy.bristol.gov.uk/ieListDocuments.aspx"),
    ]
    assert detect_council(pages) == "Bristol City Council"


def test_an_authority_abolished_before_the_meeting_is_not_its_council() -> None:
    pages = [(1, "Cornwall County Council"), (2, "Cornwall County Council")]
    assert detect_council(pages, year=2005) == "Cornwall County Council"
    assert detect_council(pages, year=2020) is None
