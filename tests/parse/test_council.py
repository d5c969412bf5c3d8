"""Which authority published a paper: names, initials, domains, places."""

from __future__ import annotations

from hypothesis import given, strategies as st

from pipeline.parse.council import clean_name, detect_council, initials, uncap


def test_named_on_the_first_page_beats_a_comparison_later() -> None:
    pages = [(1, "Bristol City Council's transport strategy"), (3, "Nottingham City Council ran a levy"),
             (4, "Nottingham City Council reports")]
    assert detect_council(pages) == "Bristol City Council"


def test_initials_and_domain_build_the_name_when_it_is_never_written() -> None:
    pages = [(1, "At KCC any two members may call in a decision."), (2, "KCC Scrutiny"),
             (3, "the County Council"), (3, "anna.taylor@kent.gov.uk")]
    assert detect_council(pages) == "Kent County Council"


def test_header_value_names_a_combined_authority() -> None:
    pages = [(1, "Bristol City Council and South Gloucestershire Council agree")]
    header = ["WEST OF ENGLAND MAYORAL COMBINED AUTHORITY COMMITTEE"]
    assert detect_council(pages, header=header) == "West of England Mayoral Combined Authority"


def test_implied_place_from_the_gazetteer() -> None:
    assert detect_council([(1, "Children and Young People in Halton"), (1, "A Healthy Halton")]) == "Halton Borough Council"


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
