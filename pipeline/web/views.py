"""What the pages show, in plain functions: marked snippets, the links of citations, request parameters, the
trace's timeline. Every text goes through Jinja2's autoescaping; :func:`marked` escapes each piece itself."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

from pipeline.errors import QueryError
from pipeline.output.render import MARK_CLOSE, MARK_OPEN

#: Longest query (characters) a page accepts.
MAX_QUERY_CHARS = 2_000
#: Width of the trace timeline's drawing (SVG user units) and its margins.
TIMELINE_WIDTH, TIMELINE_MARGIN, TIMELINE_ROW = 760, 40, 34
#: Most year ticks on the timeline's axis.
TIMELINE_TICKS = 12


def marked(snippet: str | None) -> Markup:
    """A snippet with its [[marks]] as <mark>, every piece of text escaped (an unclosed mark stays text)."""
    text = snippet or ""
    out, pos = [], 0
    while (start := text.find(MARK_OPEN, pos)) >= 0 and (end := text.find(MARK_CLOSE, start + len(MARK_OPEN))) >= 0:
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>") + escape(text[start + len(MARK_OPEN) : end]) + Markup("</mark>"))
        pos = end + len(MARK_CLOSE)
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def url(path: str, **params: Any) -> str:
    """A path with its query string (empty and None values left out)."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


def report_url(report_id: str) -> str:
    return "/report/" + quote(report_id, safe="")


def source_url(report_id: str, *, page: int | None = None, line: int | None = None, text: bool = False) -> str:
    """Where a citation opens: a PDF at its page (``#page=N``), a text paper at its line (``#L12``) or page."""
    base = "/source/" + quote(report_id, safe="")
    if text and line:
        return f"{base}#L{line}"
    return f"{base}#page={page}" if page else base


def trace_url(recommendation: str) -> str:
    return url("/trace", q=recommendation)


def date_text(value: _dt.date | None) -> str:
    return value.isoformat() if value else "no date"


def int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise QueryError(f"{name} must be {low} to {high}")
    return value


def text_param(params: Mapping[str, str], name: str, longest: int = MAX_QUERY_CHARS) -> str:
    value = params.get(name, "")
    if len(value) > longest:
        raise QueryError(f"{name} is longer than {longest} characters")
    return value.strip()


def choice_param(params: Mapping[str, str], name: str, choices: tuple[str, ...], default: str | None) -> str | None:
    value = params.get(name, "").strip()
    if not value:
        return default
    if value not in choices:
        raise QueryError(f"{name} must be one of {', '.join(choices)}")
    return value


# ---------------------------------------------------------------- the timeline of a trace


@dataclass(frozen=True, slots=True)
class TimelineMark:
    x: float
    y: float
    label: str  # the tooltip: date, committee, recommendation id
    href: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """Meeting dates on one axis, one row of marks per lineage."""

    width: int
    height: int
    ticks: tuple[tuple[float, str], ...]  # (x, year)
    rows: tuple[tuple[float, str], ...]  # (y, lineage id)
    marks: tuple[TimelineMark, ...]


def timeline(lineages: tuple[Any, ...]) -> Timeline | None:
    """The lineages' dated recommendations placed on a shared date axis (None: nothing dated)."""
    dates = [e.meeting_date for lin in lineages for e in lin.entries if e.meeting_date]
    if not dates:
        return None
    first, last = min(dates), max(dates)
    lo = _dt.date(first.year, 1, 1).toordinal()
    hi = _dt.date(last.year + 1, 1, 1).toordinal()
    span = TIMELINE_WIDTH - 2 * TIMELINE_MARGIN

    def x(day: _dt.date) -> float:
        return round(TIMELINE_MARGIN + span * (day.toordinal() - lo) / (hi - lo), 1)

    years = range(first.year, last.year + 2)
    step = max(1, math.ceil(len(years) / TIMELINE_TICKS))
    ticks = tuple((x(_dt.date(y, 1, 1)), str(y)) for y in years if (y - first.year) % step == 0)
    rows, marks = [], []
    for i, lin in enumerate(lineages):
        y = 20 + TIMELINE_ROW * i
        rows.append((float(y), lin.id))
        for e in lin.entries:
            if e.meeting_date:
                label = f"{e.meeting_date.isoformat()} · {e.committee or 'no committee'} · {e.recommendation_id}"
                marks.append(TimelineMark(x(e.meeting_date), float(y), label, "#" + quote(e.recommendation_id)))
    height = 20 + TIMELINE_ROW * len(lineages) + 10
    return Timeline(TIMELINE_WIDTH, height, ticks, tuple(rows), tuple(marks))
