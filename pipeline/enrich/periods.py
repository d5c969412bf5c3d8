"""UK financial-year quarters: arithmetic, mentions in text, a report's period.

The UK public-sector financial year starts on 1 April: FY "2023/24" runs from
1 April 2023 to 31 March 2024; Q1 = April-June, Q2 = July-September,
Q3 = October-December, Q4 = January-March of the following calendar year.

Pure Python.  Explicit date ranges ("01 July 2017 to 30 September 2017") are
parsed with :func:`pipeline.parse.dates.parse_date` (dateparser is only loaded then).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Final, Iterable

from pipeline.model import Period, QuarterMention, ReportWarning
from pipeline.parse.dates import FULL_DATE_PATTERN, parse_date

__all__ = [
    "fiscal_year_of",
    "quarter_of",
    "quarter_bounds",
    "normalise_fiscal_year",
    "find_quarters",
    "detect_period",
    "find_period",
    "PeriodFinding",
]

# ---------------------------------------------------------------- constants

#: First calendar month of the UK financial year (April).
FISCAL_YEAR_START_MONTH: Final = 4

#: Two-digit first years at or above this are 19xx ("99/00" -> 1999/00).
TWO_DIGIT_YEAR_PIVOT: Final = 90

#: Quarter words as written: "Quarter Two", "second quarter", "2nd quarter".
QUARTER_WORDS: Final[dict[str, int]] = {
    "1": 1, "2": 2, "3": 3, "4": 4,
    "one": 1, "two": 2, "three": 3, "four": 4,
    "first": 1, "second": 2, "third": 3, "fourth": 4,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip

#: An explicit range may differ from the quarter's bounds by this many days
#: at either end and still agree ("1 July to 1 October").
RANGE_TOLERANCE_DAYS: Final = 3

#: Words just before a mention that mark it as another period than the
#: report's own: a comparison ("compared with Quarter 2") or a plan ("by Q4").
OTHER_PERIOD_CUES: Final[tuple[str, ...]] = (
    "compared with",
    "compared to",
    "comparison with",
    "previous",
    "prior",
    "last",
    "since",
    "than",
    "versus",
    "vs",
    "from",
    "against",
    "by",
    "until",
    "before",
    "after",
    "next",
    "following",
)

#: How far back (characters, same sentence) to look for such a cue.
OTHER_PERIOD_WINDOW_CHARS: Final = 40

#: Words just after a mention that make it describe the report itself
#: ("first quarter period ...", "first quarter's report", "Quarter 2 Performance").
SELF_REFERENCE_WORDS: Final[tuple[str, ...]] = (
    "period",
    "report",
    "reports",
    "performance",
    "monitoring",
    "update",
    "position",
    "return",
    "results",
    "data",
    "outturn",
)

# ---------------------------------------------------------------- patterns

#: A fiscal-year pair as written: 2009-10, 2009/10, 2009/2010, 2024–25, 24/25.
_FY: Final = r"""
    (?<![\d/])
    (?:FY\s?)?                                  # optional "FY" prefix
    (?:19|20)?\d{2}\s?[/\-–]\s?(?:19|20)?\d{2}  # first year / second year
    (?![\d/])
"""

_FY_FULL_RE: Final = re.compile(
    r"""
    \s*(?:FY\s?)?
    (?P<y1>(?:19|20)?\d{2})     # first year: 2009 or 09
    \s?[/\-–]\s?                 # slash, hyphen or en dash
    (?P<y2>(?:19|20)?\d{2})     # second year: 10 or 2010
    (?:\s+financial\s+year)?\s*
    """,
    re.VERBOSE | re.IGNORECASE,
)

_QUARTER_NUM: Final = r"(?:[1-4]|one|two|three|four)"
_QUARTER_ORD: Final = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"

#: Space inside a mention: may wrap onto the next line, but not across a paragraph.
_GAP: Final = r"(?:[ \t]+|[ \t]*\n[ \t]*)"

_QUARTER_RE: Final = re.compile(
    rf"""
    (?<![a-z])(?=[0-9qfst])                          # cheap guard: a word starting so
    (?:(?P<fy_before>{_FY}){_GAP})?                  # "2023/24 Q2" (year written first)
    (?P<q>
        (?-i:\bQ)(?P<q_short>[1-4])\b                 # Q2 (capital Q only)
      | \bQ(?:tr\.?|uarter){_GAP}(?P<q_word>{_QUARTER_NUM})\b(?![.,]\d)
                                                     # Quarter 2, Quarter Two, Qtr 2
      | \b(?P<q_ord>{_QUARTER_ORD}){_GAP}quarter\b(?:['’]s)?
                                                     # second quarter, first quarter's
    )
    (?:                                              # optional year after the quarter:
        (?:[ \t]*,[ \t]*|{_GAP}of{_GAP}(?:the{_GAP})?|{_GAP})   # ", " / " of (the) " / " "
        (?P<fy_after>{_FY})
        (?:{_GAP}financial{_GAP}year)?
      | [ \t]*\([ \t]*(?P<fy_paren>{_FY})[ \t]*\)  # " (2024/25)"
    )?
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A calendar year right after a quarter ("third quarter of 2024"): a calendar
#: quarter, not a financial one, so not a mention.
_CALENDAR_YEAR_RE: Final = re.compile(
    rf"""
    (?:[ \t]*,[ \t]*|{_GAP}of{_GAP}|{_GAP})   # separator as for a fiscal year
    (?:19|20)\d{{2}}(?![\d/\-–])              # 2024, not 2024/25 or 2024-25
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: An explicit range right after a mention: "period, July 1st 2009 to September 30th 2009".
_RANGE_RE: Final = re.compile(
    rf"""
    (?:\s+period)?                          # "second quarter period"
    [\s,:;(]*
    (?:(?:from|between|of|covering)\s+)?    # "from 1 July 2017"
    (?P<d1>{FULL_DATE_PATTERN})
    \s*(?:to|until|and|–|-)\s*              # "to", "-" ...
    (?P<d2>{FULL_DATE_PATTERN})
    """,
    re.VERBOSE | re.IGNORECASE,
)

_SENTENCE_BREAK_RE: Final = re.compile(r"[.;:!?\n]\s")
_OTHER_PERIOD_RE: Final = re.compile(
    r"\b(?:" + "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in OTHER_PERIOD_CUES) + r")\b",
    re.IGNORECASE,
)
_SELF_REFERENCE_RE: Final = re.compile(
    r"""
      (?:['’]s\b)                                       # first quarter's ...
    | \s*(?:"""
    + "|".join(SELF_REFERENCE_WORDS)
    + r""")\b   # Quarter 2 Performance
    """,
    re.VERBOSE | re.IGNORECASE,
)


# ---------------------------------------------------------------- arithmetic


def fiscal_year_of(d: _dt.date) -> str:
    """The UK financial year containing ``d``: 2023-05-01 -> "2023/24"."""
    first = d.year if d.month >= FISCAL_YEAR_START_MONTH else d.year - 1
    return _fy_label(first)


def quarter_of(d: _dt.date) -> int:
    """The financial quarter (1-4) containing ``d``: April-June is 1, January-March 4."""
    return (d.month - FISCAL_YEAR_START_MONTH) % 12 // 3 + 1


def quarter_bounds(fiscal_year: str, quarter: int) -> tuple[_dt.date, _dt.date]:
    """First and last day of ``quarter`` in ``fiscal_year`` (any form normalise accepts).

    Raises ValueError for an unknown year or a quarter outside 1-4.
    """
    fy = normalise_fiscal_year(fiscal_year)
    if fy is None:
        raise ValueError(f"not a financial year: {fiscal_year!r}")
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, not {quarter!r}")
    first = int(fy[:4]) * 12 + FISCAL_YEAR_START_MONTH - 1 + 3 * (quarter - 1)  # months since year 0
    start = _dt.date(first // 12, first % 12 + 1, 1)
    after = _dt.date((first + 3) // 12, (first + 3) % 12 + 1, 1)
    return start, after - _dt.timedelta(days=1)


def normalise_fiscal_year(text: str | None) -> str | None:
    """ "2009-10", "2009/10", "2009/2010", "2009–10", "09/10", "FY24/25" -> "2009/10" style.

    None unless the two years are consecutive.
    """
    if not text:
        return None
    m = _FY_FULL_RE.fullmatch(text)
    if m is None:
        return None
    first = _full_year(m["y1"])
    second = m["y2"]
    if len(second) == 4:
        ok = int(second) == first + 1
    else:
        ok = int(second) == (first + 1) % 100
    return _fy_label(first) if ok else None


def _full_year(digits: str) -> int:
    if len(digits) == 4:
        return int(digits)
    yy = int(digits)
    return (1900 if yy >= TWO_DIGIT_YEAR_PIVOT else 2000) + yy


def _fy_label(first: int) -> str:
    return f"{first}/{(first + 1) % 100:02d}"


# ---------------------------------------------------------------- mentions


def find_quarters(text: str) -> list[QuarterMention]:
    """Every financial-quarter mention in ``text``, in order.

    ``start``/``end`` cover the quarter phrase and any year written with it
    ("Quarter 2 of 2017/18"); an explicit date range right after it
    ("second quarter period 01 July 2017 to 30 September 2017") is returned as
    ``date_from``/``date_to`` but is outside the span.  "Quarterly" and
    "Quarters" are not mentions.
    """
    out: list[QuarterMention] = []
    for m in _QUARTER_RE.finditer(text):
        word = m["q_short"] or m["q_word"] or m["q_ord"]
        quarter = QUARTER_WORDS[word.lower()]
        start, end = m.start(), m.end()
        written_year = m["fy_after"] or m["fy_paren"]
        fiscal_year = normalise_fiscal_year(written_year) if written_year else None
        if written_year and fiscal_year is None:  # "Quarter 2 2009-2012": the quarter alone
            end = m.end("q")
        if not written_year and _CALENDAR_YEAR_RE.match(text, m.end("q")):
            continue  # "third quarter of 2024": a calendar quarter
        if m["fy_before"]:
            before = normalise_fiscal_year(m["fy_before"])
            if before is None:
                start = m.start("q")
            elif fiscal_year is None:
                fiscal_year = before
        date_from = date_to = None
        r = _RANGE_RE.match(text, m.end("q") if fiscal_year is None else end)
        if r is not None:
            date_from, date_to = parse_date(r["d1"]), parse_date(r["d2"])
            if date_from is None or date_to is None or date_to < date_from:
                date_from = date_to = None
        out.append(
            QuarterMention(
                text=text[start:end],
                start=start,
                end=end,
                quarter=quarter,
                fiscal_year=fiscal_year,
                date_from=date_from,
                date_to=date_to,
            )
        )
    return out


# ---------------------------------------------------------------- period


def detect_period(
    subject: str | None, body: str, meeting_date: _dt.date | None
) -> tuple[Period | None, tuple[ReportWarning, ...]]:
    """The financial quarter a report is about, with ``period_conflict`` warnings (see :func:`find_period`)."""
    found = find_period(subject, body, meeting_date)
    return found.period, found.warnings


@dataclass(frozen=True, slots=True)
class PeriodFinding:
    """A report's period, its warnings, and the mention it was read from (to cite it)."""

    period: Period | None
    warnings: tuple[ReportWarning, ...] = ()
    mention: QuarterMention | None = None
    source: str | None = None  # "subject" or "body": the text ``mention``'s offsets are in


def find_period(subject: str | None, body: str, meeting_date: _dt.date | None) -> PeriodFinding:
    """The financial quarter a report is about, with ``period_conflict`` warnings.

    The subject's first quarter mention (one with a year if any) wins, else the
    body's first mention with a year, else the body's first mention.  A mention
    without a year takes it from another mention of the same quarter that has
    one, else from an explicit date range, else from ``meeting_date`` (the
    financial year containing it, or the one before if that quarter had not
    ended by the meeting: a report looks back).  A year without a quarter is
    not a period (None).
    """
    subject_mentions = find_quarters(subject) if subject else []
    body_mentions = find_quarters(body) if body else []
    body_own = [m for m in body_mentions if not _names_other_period(body, m)]
    # Without a quarter in the subject, only a body mention that names its year
    # counts: a bare "Q2" in a table or an economic update is not the report's period.
    chosen = _pick(subject_mentions) or _pick([m for m in body_own if m.fiscal_year])
    if chosen is None:
        return PeriodFinding(None)
    found_in = "subject" if any(m is chosen for m in subject_mentions) else "body"
    quarter = chosen.quarter
    assert quarter is not None
    evidence = [*subject_mentions, *(m for m in body_own if _claims_period(body, m))]
    fiscal_year = chosen.fiscal_year or _year_from_evidence(chosen, evidence, meeting_date)
    if fiscal_year is None:
        return PeriodFinding(None)
    start, end = quarter_bounds(fiscal_year, quarter)
    period = Period(fiscal_year=fiscal_year, quarter=quarter, start=start, end=end)

    problems: list[str] = []
    for source, text, mentions in (("subject", subject or "", subject_mentions), ("body", body, body_mentions)):
        for m in mentions:
            if m is chosen:
                if _range_disagrees(m, start, end):
                    problems.append(_describe(source, m, f"date range disagrees with {period.key}"))
                continue
            if m.fiscal_year is not None and m.fiscal_year != fiscal_year:
                continue  # about another year
            if source == "body" and not _claims_period(text, m):
                continue  # "compared with Quarter 2", "(Quarter 2)"
            if m.quarter != quarter:
                problems.append(_describe(source, m, f"names Q{m.quarter}, not Q{quarter}"))
            elif _range_disagrees(m, start, end):
                problems.append(_describe(source, m, f"date range disagrees with {period.key}"))
    if not problems:
        return PeriodFinding(period, (), chosen, found_in)
    message = f"period {period.key}: " + "; ".join(problems)
    return PeriodFinding(period, (ReportWarning(code="period_conflict", message=message),), chosen, found_in)


def _pick(mentions: list[QuarterMention]) -> QuarterMention | None:
    for m in mentions:
        if m.fiscal_year is not None:
            return m
    return mentions[0] if mentions else None


def _year_from_evidence(
    chosen: QuarterMention, mentions: Iterable[QuarterMention], meeting_date: _dt.date | None
) -> str | None:
    same = [m for m in mentions if m.quarter == chosen.quarter]
    for m in same:
        if m.fiscal_year is not None:
            return m.fiscal_year
    for m in (chosen, *same):
        if m.date_from is not None:
            return fiscal_year_of(m.date_from)
    if meeting_date is not None and chosen.quarter is not None:
        fiscal_year = fiscal_year_of(meeting_date)
        _, end = quarter_bounds(fiscal_year, chosen.quarter)
        if end >= meeting_date:  # that quarter had not ended yet: the previous year's
            fiscal_year = _fy_label(int(fiscal_year[:4]) - 1)
        return fiscal_year
    return None


def _range_disagrees(m: QuarterMention, start: _dt.date, end: _dt.date) -> bool:
    if m.date_from is None or m.date_to is None:
        return False
    slack = _dt.timedelta(days=RANGE_TOLERANCE_DAYS)
    return abs(m.date_from - start) > slack or abs(m.date_to - end) > slack


def _names_other_period(text: str, m: QuarterMention) -> bool:
    """Is a mention cued as another period ("compared with Quarter 2", "by Q4")?"""
    before = text[max(0, m.start - OTHER_PERIOD_WINDOW_CHARS) : m.start]
    breaks = list(_SENTENCE_BREAK_RE.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    return _OTHER_PERIOD_RE.search(before) is not None


def _claims_period(text: str, m: QuarterMention) -> bool:
    """Does a body mention describe the report's own period?

    Not when cued as another period; yes when it names a year or a date range,
    or is followed by "period", "report", "'s" ... ("first quarter's report").
    """
    if _names_other_period(text, m):
        return False
    if m.fiscal_year is not None or m.date_from is not None:
        return True
    return _SELF_REFERENCE_RE.match(text, m.end) is not None


def _describe(source: str, m: QuarterMention, problem: str) -> str:
    return f"{source} {m.text!r} {problem}"
