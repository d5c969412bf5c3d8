"""Tests for pipeline.enrich.periods: UK financial quarters and a report's period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.enrich.periods import (
    detect_period,
    find_quarters,
    fiscal_year_of,
    normalise_fiscal_year,
    quarter_bounds,
    quarter_of,
)
from pipeline.model import Period

SEEDS = Path(__file__).resolve().parents[2] / "corpus" / "seeds"
D = dt.date

# ---------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(
    ("d", "fy", "q"),
    [
        (D(2023, 4, 1), "2023/24", 1),
        (D(2023, 6, 30), "2023/24", 1),
        (D(2023, 7, 1), "2023/24", 2),
        (D(2023, 12, 31), "2023/24", 3),
        (D(2024, 1, 1), "2023/24", 4),
        (D(2024, 3, 31), "2023/24", 4),
        (D(1999, 5, 5), "1999/00", 1),
        (D(2008, 11, 3), "2008/09", 3),
    ],
)
def test_fiscal_year_and_quarter_of(d: dt.date, fy: str, q: int) -> None:
    assert fiscal_year_of(d) == fy
    assert quarter_of(d) == q


@pytest.mark.parametrize(
    ("fy", "q", "bounds"),
    [
        ("2023/24", 1, (D(2023, 4, 1), D(2023, 6, 30))),
        ("2023/24", 2, (D(2023, 7, 1), D(2023, 9, 30))),
        ("2023/24", 3, (D(2023, 10, 1), D(2023, 12, 31))),
        ("2023/24", 4, (D(2024, 1, 1), D(2024, 3, 31))),
        ("2009-10", 2, (D(2009, 7, 1), D(2009, 9, 30))),
        ("2024-25", 4, (D(2025, 1, 1), D(2025, 3, 31))),
    ],
)
def test_quarter_bounds(fy: str, q: int, bounds: tuple[dt.date, dt.date]) -> None:
    assert quarter_bounds(fy, q) == bounds


@pytest.mark.parametrize(("fy", "q"), [("2023/25", 1), ("nonsense", 1), ("2023/24", 0), ("2023/24", 5)])
def test_quarter_bounds_rejects(fy: str, q: int) -> None:
    with pytest.raises(ValueError):
        quarter_bounds(fy, q)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2009-10", "2009/10"),
        ("2009/10", "2009/10"),
        ("2009/2010", "2009/10"),
        ("2009–10", "2009/10"),
        ("2024-25", "2024/25"),
        ("24/25", "2024/25"),
        ("FY24/25", "2024/25"),
        ("2023-2024", "2023/24"),
        ("1999/00", "1999/00"),
        ("99/00", "1999/00"),
        (" 2017/18 ", "2017/18"),
        ("2009-11", None),
        ("2024", None),
        ("12/09/2024", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_fiscal_year(text: str | None, expected: str | None) -> None:
    assert normalise_fiscal_year(text) == expected


dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2098, 12, 31))


@given(dates)
def test_quarter_round_trip(d: dt.date) -> None:
    start, end = quarter_bounds(fiscal_year_of(d), quarter_of(d))
    assert start <= d <= end
    assert quarter_of(start) == quarter_of(end) == quarter_of(d)
    assert fiscal_year_of(start) == fiscal_year_of(end) == fiscal_year_of(d)


@given(st.integers(min_value=1950, max_value=2098))
def test_quarters_contiguous_and_cover_year(year: int) -> None:
    fy = f"{year}/{(year + 1) % 100:02d}"
    bounds = [quarter_bounds(fy, q) for q in (1, 2, 3, 4)]
    assert bounds[0][0] == D(year, 4, 1)
    assert bounds[-1][1] == D(year + 1, 3, 31)
    for (_, end), (start, _) in zip(bounds, bounds[1:]):
        assert start == end + dt.timedelta(days=1)
    assert sum((e - s).days + 1 for s, e in bounds) == (D(year + 1, 4, 1) - D(year, 4, 1)).days


@given(st.integers(min_value=1950, max_value=2098), st.sampled_from(["-", "/", "–"]), st.booleans())
def test_normalise_fiscal_year_variants(year: int, sep: str, long_second: bool) -> None:
    second = str(year + 1) if long_second else f"{(year + 1) % 100:02d}"
    expected = f"{year}/{(year + 1) % 100:02d}"
    assert normalise_fiscal_year(f"{year}{sep}{second}") == expected
    assert normalise_fiscal_year(f"{year}{sep}{(year + 2) % 100:02d}") is None


# ---------------------------------------------------------------- mentions


@pytest.mark.parametrize(
    ("text", "mention", "quarter", "fy"),
    [
        ("Q2 2009-10 Performance Update", "Q2 2009-10", 2, "2009/10"),
        ("Report for Quarter 2 2023/24", "Quarter 2 2023/24", 2, "2023/24"),
        ("Reports for Quarter 2 of 2017/18", "Quarter 2 of 2017/18", 2, "2017/18"),
        ("Plan: Quarter Two 2016/17 Performance", "Quarter Two 2016/17", 2, "2016/17"),
        ("the Quarter 3 2024-25 budget", "Quarter 3 2024-25", 3, "2024/25"),
        ("position as at Quarter 3 of 2024-25, which", "Quarter 3 of 2024-25", 3, "2024/25"),
        ("Q3 2024/25 figures", "Q3 2024/25", 3, "2024/25"),
        ("Quarterly Performance Report, Quarter 3, 2024/25", "Quarter 3, 2024/25", 3, "2024/25"),
        ("end of December 2024 (Quarter 3, 2024/25).", "Quarter 3, 2024/25", 3, "2024/25"),
        ("Q3 (2024/25) data", "Q3 (2024/25)", 3, "2024/25"),
        ("2023/24 Q2 data", "2023/24 Q2", 2, "2023/24"),
        ("Quarter 1 2024-2025", "Quarter 1 2024-2025", 1, "2024/25"),
        ("first quarter of the 2023/24 financial year", "first quarter of the 2023/24 financial year", 1, "2023/24"),
        ("the Q2 Report Card", "Q2", 2, None),
        ("on Quarter 2 Performance", "Quarter 2", 2, None),
        ("for the second quarter period", "second quarter", 2, None),
        ("Receive the first quarter's report", "first quarter's", 1, None),
        ("the 4th quarter", "4th quarter", 4, None),
        ("QUARTER FOUR", "QUARTER FOUR", 4, None),
        ("Quarter\n2 2023/24", "Quarter\n2 2023/24", 2, "2023/24"),
        ("Q2 2009-2012 plan", "Q2", 2, None),  # not a financial year
    ],
)
def test_find_quarters_forms(text: str, mention: str, quarter: int, fy: str | None) -> None:
    found = find_quarters(text)
    assert len(found) == 1
    m = found[0]
    assert (m.text, m.quarter, m.fiscal_year) == (mention, quarter, fy)
    assert text[m.start : m.end] == mention


@pytest.mark.parametrize(
    "text",
    [
        "Quarterly reports are prepared",
        "reported in Quarters 1 & 2",
        "the previous Quarter",
        "FAQ2 and q2 and Q5",
        "Quarter 2.5 million",
        "the third quarter of 2024 (July to September)",  # calendar quarter
        "a quarter of the budget",
        "performance to the end of the quarter.\n\n1. Introduction",
    ],
)
def test_find_quarters_rejects(text: str) -> None:
    assert find_quarters(text) == []


def test_find_quarters_date_ranges() -> None:
    text = "for the second quarter period 01 July 2017 to 30 September 2017."
    (m,) = find_quarters(text)
    assert (m.text, m.quarter, m.fiscal_year) == ("second quarter", 2, None)
    assert (m.date_from, m.date_to) == (D(2017, 7, 1), D(2017, 9, 30))

    text = "update for the Quarter 2 period, July 1<sup>st</sup> 2009 to September 30<sup>th</sup> 2009."
    (m,) = find_quarters(text)
    assert m.text == "Quarter 2"
    assert (m.date_from, m.date_to) == (D(2009, 7, 1), D(2009, 9, 30))

    (m,) = find_quarters("Quarter 2 meeting. On 01 July 2017 to 30 September 2017")
    assert m.date_from is None and m.date_to is None


def test_find_quarters_many_in_order() -> None:
    text = "Q1 2024/25 was better than Q4 and the first quarter's plan; Quarter 3 2024-25."
    assert [(m.text, m.quarter, m.fiscal_year) for m in find_quarters(text)] == [
        ("Q1 2024/25", 1, "2024/25"),
        ("Q4", 4, None),
        ("first quarter's", 1, None),
        ("Quarter 3 2024-25", 3, "2024/25"),
    ]


# ---------------------------------------------------------------- detect_period


def P(fy: str, q: int) -> Period:
    start, end = quarter_bounds(fy, q)
    return Period(fy, q, start, end)


@pytest.mark.parametrize(
    ("name", "subject", "meeting", "expected", "conflicts"),
    [
        ("000_6c94f2351dffe329.txt", "Q2 2009-10 Performance Update", D(2009, 11, 2), P("2009/10", 2), 0),
        (
            "001_301a5d08a7e7c56a.txt",
            "Performance Management Report for Quarter 2 2023/24",
            D(2024, 1, 22),
            P("2023/24", 2),
            1,
        ),
        ("002_03db5c2531a68c69.txt", "Q2 Performance Monitoring Reports", D(2008, 11, 3), P("2008/09", 2), 0),
        (
            "003_8f5a895c28ad9ad1.txt",
            "Performance Management Reports for Quarter 2 of 2017/18",
            D(2018, 1, 29),
            P("2017/18", 2),
            0,
        ),
        (
            "004_bf7852ceeef6a9de.txt",
            "Children and Young People's Plan: Quarter Two 2016/17 Performance Monitoring Report",
            None,
            P("2016/17", 2),
            0,
        ),
    ],
)
def test_detect_period_on_seeds(
    name: str, subject: str, meeting: dt.date | None, expected: Period, conflicts: int
) -> None:
    body = (SEEDS / name).read_text(encoding="utf-8")
    period, warnings = detect_period(subject, body, meeting)
    assert period == expected
    assert [w.code for w in warnings] == ["period_conflict"] * conflicts


def test_seed_001_conflict_names_the_first_quarter() -> None:
    body = (SEEDS / "001_301a5d08a7e7c56a.txt").read_text(encoding="utf-8")
    _, (warning,) = detect_period("Performance Management Report for Quarter 2 2023/24", body, None)
    assert "first quarter" in warning.message and "2023/24-Q2" in warning.message


KENT_BODY = """Summary:
The attached report sets out the revenue and capital budget monitoring position as at
November 2024-25, in advance of the 2025-26 Budget County Council in February 2025.
1.1 The Quarter 3 2024-25 budget monitoring report being presented sets out the revenue
and capital forecast position.
2.1 The attached report sets out the overall forecast position as at Quarter 3 of 2024-25,
which is a revenue overspend of +£23.3m and a capital underspend of -£111.6m.
2.2 The forecast outturn position has decreased by £3.5m
compared with the forecast position in September 2024-25 (Quarter 2). Whilst it should
be recognised that this is an improvement in the position compared with Quarter 2, it
is still a concern. The £9.9m underspend in CYPE (£3.1m in Quarter 2).
"""


def test_detect_period_subject_without_quarter_uses_body() -> None:
    subject = "Revenue and Capital Budget Monitoring Report – November 2024-25"
    period, warnings = detect_period(subject, KENT_BODY, D(2025, 1, 30))
    assert period == P("2024/25", 3)
    assert warnings == ()  # "compared with Quarter 2", "(Quarter 2)" are comparisons


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Revenue Outturn 2023/24", "The outturn for 2023/24 was balanced."),
        ("Budget 2024-25", "Quarterly reports will follow."),
        (None, ""),
    ],
)
def test_year_without_quarter_is_not_a_period(subject: str | None, body: str) -> None:
    assert detect_period(subject, body, D(2024, 6, 1)) == (None, ())


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        (D(2008, 11, 3), P("2008/09", 2)),  # Q2 ended 30 Sept: this year's
        (D(2008, 9, 15), P("2007/08", 2)),  # Q2 2008/09 still running: last year's
        (D(2009, 2, 1), P("2008/09", 2)),
        (D(2008, 5, 1), P("2007/08", 2)),
    ],
)
def test_bare_quarter_takes_year_from_meeting(meeting: dt.date, expected: Period) -> None:
    assert detect_period("Q2 Performance", "", meeting) == (expected, ())


def test_bare_quarter_without_year_or_meeting() -> None:
    assert detect_period("Q2 Performance", "Quarter 2 results.", None) == (None, ())
    body = "For the Quarter 2 period, July 1st 2009 to September 30th 2009."
    assert detect_period("Q2 Performance", body, None) == (P("2009/10", 2), ())


def test_bare_subject_quarter_takes_year_from_body_mention() -> None:
    period, warnings = detect_period("Q2 Report", "Quarter 2 2016/17 performance is attached.", None)
    assert period == P("2016/17", 2) and warnings == ()


def test_conflict_on_range_disagreeing_with_quarter() -> None:
    body = "Performance for the Quarter 2 period 01 April 2023 to 30 June 2023."
    period, warnings = detect_period("Quarter 2 2023/24", body, None)
    assert period == P("2023/24", 2)
    assert [w.code for w in warnings] == ["period_conflict"]


def test_no_conflict_for_other_years_or_comparisons() -> None:
    body = (
        "In Quarter 1 2022/23 the figure was lower. Compared with Quarter 1 it rose. "
        "The second quarter performance report follows."
    )
    assert detect_period("Quarter 2 2023/24", body, None) == (P("2023/24", 2), ())


def test_subject_conflict_with_body_year_mention() -> None:
    period, warnings = detect_period("Quarter 2 2023/24", "This Quarter 3 2023/24 report ...", None)
    assert period == P("2023/24", 2)
    assert len(warnings) == 1 and "Q3" in warnings[0].message
