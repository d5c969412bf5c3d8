"""Dates as written in council papers: parse one, or find all in a text.

The only module that uses ``dateparser``; it is imported lazily so importing
this module stays cheap.  Finding dates is two-step: a cheap verbose regex
picks out candidate strings (day-month-year, month-day-year, month-year,
numeric), then dateparser parses only those candidates.  We never run
dateparser's ``search_dates`` over whole texts (slow, and it invents dates).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # pragma: no cover
    from dateparser.date import DateDataParser

__all__ = [
    "DATEPARSER_SETTINGS",
    "MONTH_YEAR_SETTINGS",
    "DATE_PATTERN",
    "FULL_DATE_PATTERN",
    "parse_date",
    "find_dates",
]

# ---------------------------------------------------------------- settings

#: Fixed "today" for dateparser, so results never depend on the wall clock.
RELATIVE_BASE: Final = _dt.datetime(2000, 1, 1)

#: dateparser languages (English only: UK council papers).
LANGUAGES: Final[tuple[str, ...]] = ("en",)

#: Settings for a full date (day, month and year must all be present).
#: ``STRICT_PARSING`` stops partial text inventing a day or year; the fixed
#: ``RELATIVE_BASE`` and ``PREFER_DATES_FROM`` keep old dates (2008) as written;
#: ``PARSERS`` excludes relative dates ("yesterday") and timestamps.
DATEPARSER_SETTINGS: Final[dict[str, Any]] = {
    "DATE_ORDER": "DMY",
    "STRICT_PARSING": True,
    "PREFER_DATES_FROM": "past",
    "RELATIVE_BASE": RELATIVE_BASE,
    "PARSERS": ["absolute-time"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}

#: Settings for "June 2016": month and year required, day = the 1st.
MONTH_YEAR_SETTINGS: Final[dict[str, Any]] = {
    **{k: v for k, v in DATEPARSER_SETTINGS.items() if k != "STRICT_PARSING"},
    "REQUIRE_PARTS": ["month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
}

#: Longest candidate string worth handing to dateparser.
MAX_DATE_CHARS: Final = 60

#: How many distinct candidate strings to remember (papers repeat dates a lot).
PARSE_CACHE_SIZE: Final = 8192

# ---------------------------------------------------------------- patterns

_WEEKDAY: Final = r"""
    \b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?   # Thursday, Thurs., Thu
"""
_DAY: Final = r"(?:3[01]|[12]\d|0?[1-9])"  # 1..31, optional leading zero
_ORDINAL: Final = r"""
    (?:\s?                      # PDF text often has "3 rd"
       (?:<sup>\s*)?            # "3<sup>rd</sup>" when markup slips through
       (?:st|nd|rd|th)\b
       (?:\s*</sup>)?
    )?
"""
_MONTH: Final = r"""
    \b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?
      |aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)
    \b\.?
"""
# A four-digit year, not the start of a fiscal-year pair ("2024-25", "2009/10").
_YEAR: Final = r"(?:19|20)\d{2}(?![\d/\-–]\d)"
_MONTH_NUM: Final = r"(?:1[0-2]|0?[1-9])"

#: Candidate full dates (day, month and year), as named groups per form.
FULL_DATE_PATTERN: Final = rf"""
    (?:{_WEEKDAY},?\s+)?                                   # optional weekday prefix
    (?:
        (?<![\w./£$-]){_DAY}{_ORDINAL}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}   # 3 rd November 2008
      | {_MONTH}\s+{_DAY}{_ORDINAL},?\s+{_YEAR}            # July 1st 2009
      | (?<![\w./£$-]){_DAY}{_ORDINAL}\s+{_MONTH}\s+\d{{2}}(?![\w/.\-])   # 6 Jan 26 (a two-digit year)
      | (?<![\w./£$-]){_DAY}/{_MONTH_NUM}/(?:{_YEAR}|\d{{2}}(?![\d/]))   # 12/09/2024, 12/09/24
      | (?<![\w./£$-]){_DAY}\.{_MONTH_NUM}\.{_YEAR}      # 12.09.2024
      | (?<![\w./£$-]){_DAY}-{_MONTH_NUM}-{_YEAR}          # 12-09-2024
      | (?<![\w./£$-])(?:19|20)\d{{2}}-(?:1[0-2]|0[1-9])-(?:3[01]|[12]\d|0[1-9])(?![\d-])  # ISO
    )
"""

#: Candidate dates: full dates, else month-year ("June 2016").
DATE_PATTERN: Final = rf"""
    (?P<full>{FULL_DATE_PATTERN})
  | (?P<month_year>(?<![\w-]){_MONTH},?\s+{_YEAR})         # June 2016 -> 1 June 2016
"""

#: Cheap guard in front of DATE_PATTERN: every candidate starts a word with a
#: digit or a weekday/month initial, so other positions are skipped fast.
_CANDIDATE_START: Final = r"(?<![a-z])(?=[0-9adfjmnostw])"

_DATE_RE: Final = re.compile(_CANDIDATE_START + f"(?:{DATE_PATTERN})", re.VERBOSE | re.IGNORECASE)

# Normalising before dateparser: each step is cheap and removes noise it
# would otherwise have to tolerate.
_TAG_RE: Final = re.compile(r"<[^>]{1,20}>")  # <sup>, </sup>
_NORMALISE_RE: Final = re.compile(
    rf"""
      (?<=\d)\s?(?:st|nd|rd|th)\b                 # ordinal suffix, spaced or not
    | {_WEEKDAY}(?=[\s,])                         # weekday name
    | (?<=\d)\s+of\b                              # "1st of July"
    | ,                                           # commas
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SPACES_RE: Final = re.compile(r"\s+")

#: Month names the fast path reads itself (full, three-letter and "Sept"); the
#: rest, and anything unusual, goes to dateparser.
FAST_MONTHS: Final[dict[str, int]] = {
    **{
        name: i
        for i, name in enumerate(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            1,
        )
    },
    **{
        name: i
        for i, name in enumerate(
            ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
        )
    },
    "sept": 9,
}

# The forms most papers write, after _normalise, read without dateparser
# (tests/test_dates.py checks that they agree with it on every day, month and year).
_FAST_DATE_RE: Final = re.compile(
    r"""
      (?P<day>\d{1,2})\s(?P<month>[a-z]+)\.?\s(?P<year>(?:19|20)\d{2})    # 12 September 2024
    | (?P<nday>\d{1,2})/(?P<nmonth>\d{1,2})/(?P<nyear>(?:19|20)\d{2})  # 12/09/2024, day first
    | (?P<mmonth>[a-z]+)\.?\s(?P<myear>(?:19|20)\d{2})                 # September 2024 (month-year only)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_HAS_DIGIT_RE: Final = re.compile(r"\d")

#: A month name split by a text export's stray space: "20 Octob er 2020", "Sept ember".
_SPLIT_MONTH_RE: Final = re.compile(r"\b([A-Za-z]{2,8}) ([a-z]{1,7})\b")


def _join_month(m: re.Match[str]) -> str:
    joined = m.group(1) + m.group(2)
    return joined if joined.lower() in FAST_MONTHS else m.group(0)


#: A two-digit year ends a date below this is in the 2000s ("6 Jan 26", "06/01/26"), else the 1900s.
TWO_DIGIT_YEAR_PIVOT: Final = 70

#: A normalised date ending in a two-digit year, after a month name or a day and month number.
_TWO_DIGIT_YEAR_RE: Final = re.compile(
    r"""
    ^(?P<head>\d{1,2}\s[a-z]+\.?\s      # 6 Jan 26
      | \d{1,2}([/.\-])\d{1,2}\2)        # 06/01/26, 6.1.26
    (?P<yy>\d{2})$
    """,
    re.VERBOSE | re.IGNORECASE,
)


# ---------------------------------------------------------------- engine


@functools.cache
def _parser(kind: str) -> "DateDataParser":
    """The dateparser engine, built once per kind ("full" / "month_year")."""
    from dateparser.date import DateDataParser

    settings = DATEPARSER_SETTINGS if kind == "full" else MONTH_YEAR_SETTINGS
    return DateDataParser(languages=list(LANGUAGES), settings=dict(settings))


def _normalise(text: str) -> str:
    text = _TAG_RE.sub("", text)
    text = _NORMALISE_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip(" .")


def _fast_date(text: str, kind: str) -> _dt.date | None:
    """The common forms read with a regex (dateparser costs ~0.7 ms a call); None: ask dateparser."""
    m = _FAST_DATE_RE.fullmatch(text)
    if m is None:
        return None
    try:
        if m.group("day") is not None and kind == "full":
            month = FAST_MONTHS.get(m.group("month").lower())
            return _dt.date(int(m.group("year")), month, int(m.group("day"))) if month else None
        if m.group("nday") is not None and kind == "full":
            return _dt.date(int(m.group("nyear")), int(m.group("nmonth")), int(m.group("nday")))
        if m.group("mmonth") is not None and kind == "month_year":
            month = FAST_MONTHS.get(m.group("mmonth").lower())
            return _dt.date(int(m.group("myear")), month, 1) if month else None
    except ValueError:  # 31 June: dateparser decides
        return None
    return None


@functools.lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_normalised(text: str, kind: str) -> _dt.date | None:
    fast = _fast_date(text, kind)
    if fast is not None:
        return fast
    return _dateparser_date(text, kind)


def _dateparser_date(text: str, kind: str) -> _dt.date | None:
    """dateparser's reading of a normalised candidate (the engine behind every date)."""
    try:
        data = _parser(kind).get_date_data(text)
    except Exception:  # dateparser raises odd errors on odd input
        return None
    found = data.date_obj if data is not None else None
    return found.date() if found is not None else None


# ---------------------------------------------------------------- public


def parse_date(text: str) -> _dt.date | None:
    """Parse one full date as written in a paper; None if it is not one.

    Day, month and year must all be present ("2nd November 2009",
    "3 rd November 2008", "July 1st 2009", "Thursday, 12th September, 2024",
    "12/09/2024" day-first).  Never raises.
    """
    if not isinstance(text, str) or len(text) > MAX_DATE_CHARS * 2:
        return None
    clean = _SPLIT_MONTH_RE.sub(_join_month, _normalise(text))
    if not clean or len(clean) > MAX_DATE_CHARS or not _HAS_DIGIT_RE.search(clean):
        return None
    m = _TWO_DIGIT_YEAR_RE.match(clean)
    if m is not None:
        yy = int(m.group("yy"))
        year = 2000 + yy if yy < TWO_DIGIT_YEAR_PIVOT else 1900 + yy
        head = m.group("head")
        if head[-1] in "/.-":  # numeric: read as day/month/year
            head = re.sub(r"[.\-]", "/", head)
        clean = head + str(year)
    return _parse_normalised(clean, "full")


def _parse_month_year(text: str) -> _dt.date | None:
    clean = _normalise(text)
    if not clean:
        return None
    return _parse_normalised(clean, "month_year")


def find_dates(text: str) -> list[tuple[int, int, _dt.date]]:
    """Every date in ``text`` as ``(start, end, date)``, in order.

    Month-year mentions ("June 2016") give the first of the month.  Offsets are
    character offsets into ``text`` (they cover any ``<sup>`` markup inside).
    """
    out: list[tuple[int, int, _dt.date]] = []
    for m in _DATE_RE.finditer(text):
        if m.group("full") is not None:
            value = parse_date(m.group(0))
        else:
            value = _parse_month_year(m.group(0))
        if value is not None:
            out.append((m.start(), m.end(), value))
    return out
