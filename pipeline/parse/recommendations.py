"""Recommendations: one item each, numbering and bullets removed, wording as written.

An item keeps its list punctuation ("...be noted;", "...; and"): the text is
what the paper says; the label keeps the numbering as written ("a)", "2.1").

Works on the lines of a recommendations section: a lead-in ("Cabinet is asked
to:", "That the Board") followed by numbered, lettered or bulleted items, or a
single inline recommendation ("RECOMMENDATION: That the Board ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from pipeline.model import Line, Recommendation
from pipeline.parse.furniture import HYPHEN_BREAK, paragraph_break

#: Item markers at the start of a line.
ITEM_RE = re.compile(
    r"""
    ^\s*
    (?:[-•●▪◦*–]\s+)?                 # a bullet before the number ("- 1) Receive")
    (?P<label>
        \(\s*\d{1,2}\s*\)             # (1)
      | \d{1,2}\s*\)                  # 1)
      | \d{1,2}\.\d{1,2}\.?           # 2.1 (a numbered paragraph)
      | \d{1,2}\.(?!\d)               # 1.
      | \(\s*[a-z]\s*\)               # (a)
      | [a-z]\s*\)                    # a)
      | [a-z]\.(?=\s)                 # a.
      | \(\s*[ivx]{1,5}\s*\)          # (iv)
      | [ivx]{1,5}\s*\)               # iv)
      | [ivx]{1,5}\.(?=\s)            # iv.
      | [-•●▪◦*–]                     # a bullet alone
      | (?-i:[A-H])(?=\s+(?-i:The|That|This|These|It|Its)\b)   # A The Working Group ... (a bare capital)
    )
    (?:\s+|(?<=[.)])(?=[A-Z]))        # a space, or none after "1." before a capital ("1.Note", text exports)
    (?P<text>\S.*)$
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: Lead-ins end like this ("Cabinet is asked to:", "That the Committee:", "That").
LEADIN_END = re.compile(r"(?::|\bto|\bthat|\bboard|\bcommittee|\bcouncil|\bcabinet)\s*$", re.IGNORECASE)
#: A short label between items that groups the next ones ("Contractual:", "Financial:").
SUB_LEADIN = re.compile(r"^[A-Z][\w’' /&-]{1,40}:$")
#: Lines that end the recommendations before the next heading (a reasons paragraph).
STOP_RE = re.compile(
    r"""
    ^(?:reasons?\s+for\s+(?:the\s+)?recommendation   # "Reasons for the recommendations"
      | reasons?\s+for\s+decision                   # "Reason for decision"
      | reasons?\s+for\s*$                          # "Reason for" / "recommendations": a label wrapped in its cell
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: A planning decision whose list is its conditions or reasons, not further recommendations:
#: "Grant permission subject to the following conditions:", "Refuse for the following reasons:".
DECISION_WITH_CONDITIONS = re.compile(
    r"""
    \b(?:grant|refuse|approve|permit)\w*\b   # the decision on the application
    .*\b(?:conditions?|reasons?)\b           # ... then what the list below holds
    [^:]*:\s*$                               # ... and a colon, last
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: Bullets: under a numbered item they are part of it, not items of their own.
BULLETS: frozenset[str] = frozenset("-•●▪◦*–")
#: An item that asks rather than decides leads into the items below it:
#: "2.2 Council is asked to RESOLVE that:", "2.1 Cabinet is recommended to:".
LEADIN_ITEM = re.compile(
    r"""
    (?:\b(?:is|are)\s+(?:recommended|asked|requested|invited)\s+to\b.*   # "... is asked to RESOLVE that"
      | \b(?:resolve[sd]?|recommends?|agrees?)\s+that                     # "... RECOMMENDS that"
      | \bto                                                             # "Cabinet is recommended to"
    )
    \s*:\s*$                                                              # ... then a colon, last
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class RecLine:
    """A line of the recommendations section, or the run-in text of its heading."""

    text: str
    line: Line


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("**", "").strip()


def _append(buf: str, text: str, prev: Line | None) -> str:
    if not buf:
        return text
    if HYPHEN_BREAK.search(buf) and text[:1].islower() and prev is not None and prev.size:
        return buf[:-1] + text
    return f"{buf} {text}"


def extract_recommendations(
    lines: Sequence[RecLine],
) -> tuple[tuple[Recommendation, ...], str | None]:
    """Items and lead-in from a recommendations section's lines."""
    items: list[tuple[str, str, Line]] = []  # (label, text, first line)
    leadin = ""
    leadin_line: Line | None = None
    prev: Line | None = None
    item_x0: float | None = None
    closed = False
    for rl in lines:
        text = _clean(rl.text)
        if not text:
            continue
        if STOP_RE.match(text):
            break
        m = ITEM_RE.match(text)
        if (
            m
            and not closed
            and m.group("label") in BULLETS
            and items
            and items[-1][0] not in BULLETS
            and not LEADIN_ITEM.search(items[-1][1])
        ):
            # A bullet under a numbered recommendation is part of it.
            label, body, first = items[-1]
            items[-1] = (label, _append(body, text, prev), first)
        elif m and not closed:
            items.append((m.group("label"), m.group("text").strip(), rl.line))
            item_x0 = rl.line.x0
        elif items and SUB_LEADIN.match(text) and (rl.line.size == 0 or item_x0 is None or rl.line.x0 < item_x0 - 1):
            prev = rl.line  # "Contractual:" groups the items that follow
            continue
        elif items:
            # After the list: a new paragraph at the lead-in's indent ends it.
            if (
                prev is not None
                and paragraph_break(prev, rl.line)
                and (rl.line.size == 0 or item_x0 is None or rl.line.x0 <= item_x0 + 1)
            ):
                closed = True
                prev = rl.line
                continue
            if closed:
                continue
            label, body, first = items[-1]
            items[-1] = (label, _append(body, text, prev), first)
        else:
            if (
                prev is not None
                and leadin
                and paragraph_break(prev, rl.line)
                and LEADIN_END.search(leadin) is None
                and leadin.rstrip().endswith(".")
                and not ITEM_RE.match(text)
            ):
                # A new paragraph after a finished sentence, before any item: the first paragraph
                # was the recommendation; what follows is the next section run in.
                break
            leadin = _append(leadin, text, prev)
            leadin_line = leadin_line or rl.line
        prev = rl.line
    if items and leadin and DECISION_WITH_CONDITIONS.search(leadin):
        # "Grant permission subject to the following conditions: 1. ... 2. ...": one decision.
        only = leadin_line or items[0][2]
        text = " ".join([leadin, *(f"{label} {body}" for label, body, _ in items)])
        return (Recommendation(1, _clean(text), only.page, only.line_no, None),), None
    if not items:
        if not leadin:
            return (), None
        only = leadin_line or lines[0].line
        return (Recommendation(1, _clean(leadin), only.page, only.line_no, None),), None
    # "2.1 Cabinet is recommended to:" numbered like an item, then (a) (b) (c): a lead-in,
    # wherever it stands ("2.2 Council is asked to RESOLVE that:" before the Council's items).
    kept: list[tuple[str, str, Line]] = []
    for k, item in enumerate(items):
        asks = k + 1 < len(items) and (LEADIN_ITEM.search(item[1]) or (k == 0 and item[1].rstrip().endswith(":")))
        if asks:
            leadin = leadin or item[1]
            continue
        kept.append(item)
    items = kept
    recs = tuple(
        Recommendation(i, _clean(body), line.page, line.line_no, label)
        for i, (label, body, line) in enumerate(items, start=1)
    )
    return recs, (leadin.strip() or None)
