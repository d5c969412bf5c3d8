"""Tests for pipeline.parse.dates: one date string, and dates found in text."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.parse.dates import DATEPARSER_SETTINGS, find_dates, parse_date

SEEDS = Path(__file__).resolve().parents[2] / "corpus" / "seeds"

MONTHS = ("January February March April May June July August September October November December").split()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2nd November 2009", dt.date(2009, 11, 2)),
        ("3 rd November 2008", dt.date(2008, 11, 3)),
        ("3 <sup>rd</sup> November 2008", dt.date(2008, 11, 3)),
        ("2<sup>nd</sup> November 2009", dt.date(2009, 11, 2)),
        ("22 January 2024", dt.date(2024, 1, 22)),
        ("July 1st 2009", dt.date(2009, 7, 1)),
        ("September 30th 2009", dt.date(2009, 9, 30)),
        ("30th September 2023", dt.date(2023, 9, 30)),
        ("01 July 2017", dt.date(2017, 7, 1)),
        ("Thursday, 12th September, 2024", dt.date(2024, 9, 12)),
        ("12/09/2024", dt.date(2024, 9, 12)),  # day first
        ("01/02/2008", dt.date(2008, 2, 1)),
        ("12 Sept 2024", dt.date(2024, 9, 12)),
        ("30 Jan 2025", dt.date(2025, 1, 30)),
        ("1st of July 2009", dt.date(2009, 7, 1)),
        ("2024-09-12", dt.date(2024, 9, 12)),
        ("  3 March 2015. ", dt.date(2015, 3, 3)),
    ],
)
def test_parse_date_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "May",
        "2024",
        "June 2016",  # no day: not a full date
        "Quarter 2 2023/24",
        "31/02/2024",  # no such day
        "13/13/2024",
        "yesterday",
        "in two days",
        "3.1.2",
        "x" * 500,
    ],
)
def test_parse_date_rejects_non_dates(text: str) -> None:
    assert parse_date(text) is None


def test_parse_date_keeps_old_dates() -> None:
    # old papers must not drift to a recent year
    assert parse_date("3 November 1998") == dt.date(1998, 11, 3)
    assert parse_date("01 July 2003") == dt.date(2003, 7, 1)


def test_settings_constant_is_uk_english_strict() -> None:
    assert DATEPARSER_SETTINGS["DATE_ORDER"] == "DMY"
    assert DATEPARSER_SETTINGS["STRICT_PARSING"] is True


@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_parse_date_never_raises(text: str) -> None:
    result = parse_date(text)
    assert result is None or isinstance(result, dt.date)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2039, 12, 31)))
@settings(max_examples=150, deadline=None)
def test_parse_date_round_trips_written_forms(d: dt.date) -> None:
    month = MONTHS[d.month - 1]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(d.day, "th")
    for text in (
        f"{d.day} {month} {d.year}",
        f"{d.day}{suffix} {month} {d.year}",
        f"{d.day} {suffix} {month} {d.year}",
        f"{month} {d.day}{suffix} {d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.strftime('%A')}, {d.day}{suffix} {month}, {d.year}",
    ):
        assert parse_date(text) == d, text


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[a:b], d.isoformat()) for a, b, d in find_dates(text)]


def test_find_dates_forms_and_offsets() -> None:
    text = (
        "Agreed on 3 March 2015; in June 2016 a group formed. "
        "Period July 1st 2009 to September 30th 2009, noted 12/09/2024."
    )
    assert _found(text) == [
        ("3 March 2015", "2015-03-03"),
        ("June 2016", "2016-06-01"),
        ("July 1st 2009", "2009-07-01"),
        ("September 30th 2009", "2009-09-30"),
        ("12/09/2024", "2024-09-12"),
    ]


def test_find_dates_ignores_non_dates() -> None:
    text = (
        "Section 3.1.2 of the Local Government Act 1972; Q2 2009-10; 2023/24; "
        "the plan (March 15 - March 17); we may 3 things; £2.5m; 18.3%; "
        "November 2024-25 monitoring; on the 3rd September."
    )
    assert find_dates(text) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "000_6c94f2351dffe329.txt",
            [
                ("2<sup>nd</sup> November 2009", "2009-11-02"),
                ("July 1<sup>st</sup> 2009", "2009-07-01"),
                ("September 30<sup>th</sup> 2009", "2009-09-30"),
            ],
        ),
        (
            "001_301a5d08a7e7c56a.txt",
            [
                ("22 January 2024", "2024-01-22"),
                ("01 July 2023", "2023-07-01"),
                ("30th September 2023", "2023-09-30"),
            ],
        ),
        ("002_03db5c2531a68c69.txt", [("3 <sup>rd</sup> November 2008", "2008-11-03")]),
        ("004_bf7852ceeef6a9de.txt", [("3 March 2015", "2015-03-03"), ("June 2016", "2016-06-01")]),
    ],
)
def test_find_dates_on_seeds(name: str, expected: list[tuple[str, str]]) -> None:
    assert _found((SEEDS / name).read_text(encoding="utf-8")) == expected


def test_import_is_cheap() -> None:
    code = "import sys, pipeline.parse.dates; print('dateparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- the regex fast path agrees with dateparser


from pipeline.parse.dates import FAST_MONTHS, _dateparser_date, _fast_date  # noqa: E402


@settings(max_examples=400, deadline=None)
@given(
    day=st.integers(1, 31),
    month=st.sampled_from(sorted(FAST_MONTHS)),
    year=st.integers(1900, 2099),
    case=st.sampled_from([str.lower, str.title, str.upper]),
    dot=st.booleans(),
)
def test_fast_path_agrees_with_dateparser(day: int, month: str, year: int, case, dot: bool) -> None:
    name = case(month) + ("." if dot and len(month) <= 4 else "")
    try:
        valid = dt.date(year, FAST_MONTHS[month], day)
    except ValueError:
        valid = None
    fast = _fast_date(f"{day} {name} {year}", "full")
    assert fast == valid  # it answers every real date of its form, and no impossible one
    if fast is not None:
        assert fast == _dateparser_date(f"{day} {name} {year}", "full")
    assert _fast_date(f"{name} {year}", "month_year") == _dateparser_date(f"{name} {year}", "month_year")


@settings(max_examples=300, deadline=None)
@given(day=st.integers(1, 31), month=st.integers(1, 12), year=st.integers(1900, 2099), pad=st.booleans())
def test_fast_path_numeric_dates_are_day_first_like_dateparser(day: int, month: int, year: int, pad: bool) -> None:
    text = f"{day:02d}/{month:02d}/{year}" if pad else f"{day}/{month}/{year}"
    try:
        valid = dt.date(year, month, day)
    except ValueError:
        valid = None
    assert _fast_date(text, "full") == valid
    if valid is not None:
        assert _dateparser_date(text, "full") == valid, text


def test_fast_path_answers_the_common_forms_and_leaves_the_rest() -> None:
    assert _fast_date("12 September 2024", "full") == dt.date(2024, 9, 12)
    assert _fast_date("3 Sept 2008", "full") == dt.date(2008, 9, 3)
    assert _fast_date("12/09/2024", "full") == dt.date(2024, 9, 12)
    assert _fast_date("June 2016", "month_year") == dt.date(2016, 6, 1)
    # Not its forms, or not valid: dateparser decides.
    assert _fast_date("31 June 2016", "full") is None
    assert _fast_date("July 1 2009", "full") is None
    assert _fast_date("June 2016", "full") is None
    assert _fast_date("12 Septembre 2024", "full") is None
