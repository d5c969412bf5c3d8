"""The query language: parsing into the AST, and errors with positions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import QueryError
from pipeline.model import QAll, QAnd, QDateRange, QFuzzy, QNot, QOr, QPhrase, QPrefix, QTerm
from pipeline.model.query import positive_leaves
from pipeline.search.query import normalize_fiscal_year, normalize_quarter, parse_query


def test_words_phrases_and_implicit_and():
    assert parse_query('performance "foster carers"') == QAnd(
        (QTerm("performance", None, 0), QPhrase("foster carers", None, 12))
    )


def test_precedence_and_binds_tighter_than_or():
    node = parse_query("a OR b c")
    assert isinstance(node, QOr) and node.children[1] == QAnd((QTerm("b", None, 5), QTerm("c", None, 7)))


def test_not_minus_and_parentheses():
    assert parse_query("-a") == QNot(QTerm("a", None, 1))
    assert parse_query("NOT (a OR b)") == QNot(QOr((QTerm("a", None, 5), QTerm("b", None, 10))))


def test_lower_case_operators_are_words():
    assert parse_query("children and young") == QAnd(
        (QTerm("children", None, 0), QTerm("and", None, 9), QTerm("young", None, 13))
    )


def test_fields_are_validated_and_normalised():
    assert parse_query("section:recommendation") == QTerm("recommendations", "section", 8)
    assert parse_query("quarter:2017-18-Q2") == QTerm("2017/18-Q2", "quarter", 8)
    assert parse_query('quarter:"Q2 2017/18"') == QTerm("2017/18-Q2", "quarter", 8)
    assert parse_query("fy:2017-2018") == QTerm("2017/18", "fy", 3)
    assert parse_query("doc_type:Minutes") == QTerm("minutes", "doc_type", 9)
    assert parse_query('committee:"young people"') == QPhrase("young people", "committee", 10)
    assert parse_query("kind:purpose") == QTerm("purpose", "section", 5)  # an alias


def test_field_applies_to_a_group():
    assert parse_query("officer:(strategic OR executive)") == QOr(
        (QTerm("strategic", "officer", 9), QTerm("executive", "officer", 22))
    )


def test_dates():
    assert parse_query("date:2018") == QDateRange(dt.date(2018, 1, 1), dt.date(2018, 12, 31), 5)
    assert parse_query("date:2024-02") == QDateRange(dt.date(2024, 2, 1), dt.date(2024, 2, 29), 5)
    assert parse_query("date:[2017-01-01 TO 2018-12-31]") == QDateRange(dt.date(2017, 1, 1), dt.date(2018, 12, 31), 5)
    assert parse_query("date:[* TO 2018]") == QDateRange(None, dt.date(2018, 12, 31), 5)


def test_prefix_fuzzy_and_match_all():
    assert parse_query("recruit*") == QPrefix("recruit", None, 0)
    assert parse_query("recruitmnet~") == QFuzzy("recruitmnet", None, 2, 0)
    assert parse_query("care~") == QFuzzy("care", None, 1, 0)
    assert parse_query("recruitmnet~1") == QFuzzy("recruitmnet", None, 1, 0)
    assert parse_query("*") == QAll()


@pytest.mark.parametrize(
    "query, message, column",
    [
        ('"foster carers', "unclosed quote", 1),
        ("(a OR b", "unclosed '('", 1),
        ("a OR b)", "unexpected ')'", 7),
        ("a AND", "missing a search term after 'AND'", 6),
        ("AND a", "unexpected AND", 1),
        ("a OR OR b", "unexpected OR", 6),
        ("()", "empty parentheses", 1),
        ('""', "empty phrase", 1),
        ("foo:bar", "unknown field 'foo'", 1),
        ("committee: x", "missing a value after 'committee:'", 1),
        ("section:nonsense", "unknown section kind", 9),
        ("quarter:2017", "not a quarter", 9),
        ("fy:2017/19", "not a financial year", 4),
        ("date:[2018 TO 2017]", "start is after its end", 6),
        ("date:yesterday", "not a date", 6),
        ("date:[2017 2018]", "a date range looks like", 6),
        ("[2017 TO 2018]", "only allowed after date:", 1),
        ("a*b", "only at the end", 1),
        ("r*", "at least 2 characters", 1),
        ("word~9", "fuzzy distance", 1),
        ("x ]", "unmatched ']'", 3),
        ("", "empty query", 1),
    ],
)
def test_malformed_queries_name_the_column(query, message, column):
    with pytest.raises(QueryError) as err:
        parse_query(query)
    assert message in str(err.value)
    assert err.value.position == column - 1
    assert "\n" not in str(err.value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab ()"*~:-[]ORANDTNOT', max_size=20))
def test_any_input_parses_or_raises_query_error(text):
    try:
        parse_query(text)
    except QueryError as exc:
        assert exc.position is not None and 0 <= exc.position <= len(text)


def test_positive_leaves_skip_negations():
    node = parse_query('a "b c" NOT d -(e OR f)')
    assert [getattr(n, "text", None) for n in positive_leaves(node)] == ["a", "b c"]


def test_normalisers():
    assert normalize_fiscal_year("2009-10") == "2009/10"
    assert normalize_fiscal_year("1999/00") == "1999/00"
    assert normalize_fiscal_year("2009/11") is None
    assert normalize_quarter("2009/10 Q2") == "2009/10-Q2"
    assert normalize_quarter("Q3-2023/24") == "2023/24-Q3"
    assert normalize_quarter("2023/24-Q5") is None
