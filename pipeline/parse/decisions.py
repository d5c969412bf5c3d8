"""Decisions: what minutes and decision notices record a meeting decided ("RESOLVED – that ...").

    from pipeline.parse.decisions import parse_decisions
    decisions = parse_decisions(lines, "minutes", committee="Cabinet", meeting_date=date(2024, 9, 12))

A paper is read as a run of minute **items** (a numbered heading, "7 Workplace
Parking Levy", or a form's "Subject:" with its "(agenda item 7)"). Inside an
item a **trigger** (:data:`DECISION_WORDS`: "RESOLVED", "It was APPROVED",
"AGREED", "DECISION:", "The Committee resolved that", "Decision made:", "The
Committee noted the report", or a vote's result naming recommendations,
"Recommendations 4c and 5 were not approved") opens a **block**: the text after
it on its line and the lines after, until the next trigger, item, procedural
line ("moved by", "put to the vote"), form label ("Reasons for decision") or
prose after the list. A block's numbered items ("1.", "2a.", "(b)") are one
decision each; a block without items is one decision.

An agenda pack's minutes (the previous meeting's, an agenda item of their own)
give decisions dated and named by their own title, not the pack's.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Sequence

from pipeline.model import Decision, Layout, Line

# ---------------------------------------------------------------- vocabulary

#: Words that open a decision, by the outcome they record. Each pattern is searched in a line;
#: group ``rest`` (when present) is the decision's text on that line, group ``refs`` the
#: recommendations it names. The ``ref_vote`` kind is a vote's result on named recommendations.
DECISION_WORDS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, outcome, re.compile(pattern, re.VERBOSE | flags))
    for kind, outcome, pattern, flags in (
        (
            "resolved",
            "agreed",
            r"""
            (?P<words>
                \bRESOLVED\b                                         # "RESOLVED:", "It was RESOLVED that" (capitals)
              | ^\s*[Rr]esolved\b                                    # "Resolved – that ..." at a line's start
              | \b(?i:it\s+was|committee|board|cabinet|council|panel|executive|members)
                \s+(?:\w+\s+){0,2}?resolved\b                        # "The Committee (unanimously) resolved that"
            )
            (?:\s*\([^)]{0,80}\))?                                   # "(unanimously)", "(8 voting for, 1 against)"
            \s*(?:[:;,–—-]\s*)?(?P<rest>.*)$
            """,
            0,
        ),
        (
            "approved",
            "agreed",
            r"""
            (?P<words>
                \b[Ii]t\s+was\s+(?:APPROVED|approved)\b              # "It was APPROVED", "it was approved that"
              | ^\s*APPROVED\b                                       # "APPROVED:" at a line's start (capitals)
            )
            \s*(?:[:;,–—-]\s*)?(?P<rest>.*)$
            """,
            0,
        ),
        (
            "agreed",
            "agreed",
            r"""
            (?P<words>
                (?<![a-z]\s)\bAGREED\b(?!\s+(?:as|by|at)\b)          # "AGREED:", "It was AGREED" (capitals)
              | ^\s*[Aa]greed\s*[:–—-]                               # "Agreed: that ..." at a line's start
              | ^\s*[Ii]t\s+was\s+agreed\s+(?=that\b|to\b|:)         # "It was agreed that / to"
              # "The Board agreed to", "The Committee agreed that"
              | ^\s*[Tt]he\s+(?i:committee|board|cabinet|panel|council)\s+agreed\s+(?=that\b|to\b|:)
            )
            \s*(?:[:;,–—-]\s*)?(?P<rest>.*)$
            """,
            0,
        ),
        (
            "decision",
            "agreed",
            r"""
            ^\s*(?:\(?[a-z0-9]{1,2}\)\s*)?                           # a form's own numbering: "(d)"
            (?P<words>decisions?(?:\s+(?:made|taken|reached|agreed))?)  # "DECISION", "Decision made", "Decision taken"
            \s*(?:[:–—]\s*|-\s+|$)                                  # then a colon or dash, or nothing more
            (?P<rest>.*)$
            """,
            re.IGNORECASE,
        ),
        (
            "noted",
            "noted",
            r"""
            ^\s*(?:it\s+was\s+)?(?P<words>
                (?:the\s+)?(?:[A-Z][\w&,'’\- ]{0,80}?\s)?            # "The Transport and Connectivity ..."
                (?:committee|board|cabinet|panel|council|sub-committee|members)
                \s+(?:\w+\s+)?noted\b                                # "... Committee (duly) noted"
            )
            # "... the report", "the contents of" (not "noted that")
            (?P<rest>\s+(?:the\s+)?(?:report|contents|update|information|progress|position)\b.*)$
            """,
            re.IGNORECASE,
        ),
        (
            "ref_vote",
            "",
            r"""
            \b(?:report\s+|substantive\s+|the\s+|officer\s+)*
            (?P<noun>recommendations?)
            # the numbers: "4c and 5", "15 to 20"
            (?:\s+(?P<refs>\d{1,2}\s?[a-z]?\b(?:\s*(?:,|and|&|to|-|–)\s*\d{1,2}\s?[a-z]?\b)*))?
            [^.:]{0,80}?                                             # "(as amended)", "as outlined in the report"
            \s(?:(?:was|were|had\s+been)\s+)?
            (?P<words>LOST|lost|FELL|fell|CARRIED|carried|rejected|defeated|refused|deferred|withdrawn|noted
              |not\s+(?:approved|agreed|carried|accepted|adopted|supported))  # the vote's result
            \b(?P<rest>.*)$
            """,
            re.IGNORECASE,
        ),
    )
)

#: The outcome of a vote's result word (the ``ref_vote`` kind).
VOTE_OUTCOMES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.VERBOSE | re.IGNORECASE), outcome)
    for p, outcome in (
        (r"^(?:lost|fell|rejected|defeated|refused|not\s+\w+)$", "rejected"),  # the recommendation falls
        (r"^(?:deferred|withdrawn)$", "deferred"),  # put off, taken back
        (r"^noted$", "noted"),  # noted only
        (r"^carried$", "agreed"),  # carried
    )
)

#: A decision's text that puts the matter off rather than deciding it.
DEFERRAL = re.compile(
    r"""
    \b(?:be|was|were|is|are|been)\s+(?:\w+\s+)?(?:deferred|postponed|adjourned|withdrawn)\b  # "the item be deferred"
    | \bdefer(?:s|red)?\s+(?:consideration|the\s+(?:item|report|decision|matter))\b        # "to defer consideration"
    | ^\s*deferred\b                                                # "Deferred to the next meeting"
    | \b(?:brought|come)\s+back\s+to\s+(?:a|the)\s+(?:future|next)\s+meeting\b  # "brought back to a future meeting"
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A decision's text that turns the matter down.
REJECTION = re.compile(
    r"""
    \b(?:not\s+(?:be\s+)?(?:approved|agreed|adopted|supported|accepted)|be\s+refused|be\s+rejected)\b  # "not approved"
    | ^\s*(?:rejected|refused)\b                                                                      # "Rejected."
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A decision's text that only notes.
NOTING = re.compile(
    r"""
    # "To note ...", "That the Committee notes ..."
    ^\s*(?:that\s+)?(?:the\s+[\w&,'’\- ]{0,80}?\s)?(?:to\s+)?not(?:e|es|ed)\b
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: Procedure, not decision: a line like this ends a decision's block.
PROCEDURE = re.compile(
    r"""
    \b(?:was|were)\s+moved\b                            # "The recommendation was moved by ..."
    | \bmoved\s+(?:by|an\s+amendment|the\s+recommendations?)\b  # "moved by Councillor X", "Cllr X moved an amendment"
    | \bseconded\b                                      # "seconded by ..."
    | \bput\s+to\s+(?:the\s+|a\s+)?vote\b               # "On being put to the vote ..."
    | ^\s*recommendation\s+\d{1,2}\s?[a-z]?\s*[-–—:]    # "Recommendation 3 – ..." (a recommendation's heading)
    | ^\s*(?:the\s+)?meeting\s+(?:ended|closed|finished|concluded)\b  # "Meeting ended at 8.10 pm"
    | ^\s*(?:chair(?:man|person)?|signed)\b.*(?:_{3,}|\.{5,})  # "CHAIR ______"
    | ^\s*the\s+(?:committee|board|cabinet|panel)\s+considered\b  # "The Committee considered a report" (narrative)
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: Labels of a decision notice's other fields: a line starting like this ends the decision.
FORM_LABEL = re.compile(
    r"""
    ^\s*(?:\(?[a-z0-9]{1,2}\)\s*)?                     # the form's numbering: "(e)"
    (?:reasons?\s+for\s+(?:the\s+)?decision             # "Reason(s) for decision:"
      | alternative\s+options?                          # "Alternative options considered:"
      | (?:any\s+)?(?:declarations?|conflicts?)\s+of\s+interests?  # "Declarations of interest:"
      | exempt\s+information                            # "Exempt Information?"
      | dispensations?                                  # "Dispensation granted"
      | (?:additional\s+)?information\s+(?:at\s+the\s+meeting|considered)  # "Additional information at the meeting ..."
      | background\s+(?:papers|documents)               # "Background papers:"
      | date\s+of\s+(?:publication|implementation|decision)\b  # "Date of publication:"
      | call[\s-]?in\b                                  # "Call-in deadline"
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A minute item's heading: its number, then its title ("7 Workplace Parking Levy", "Minute 45. Apologies").
ITEM_HEADING = re.compile(
    r"""
    ^\s*(?:(?:minute|item|min\.?)\s+(?:no\.?\s*)?)?    # "Minute 45", "Item 7"
    (?P<num>[1-9]\d{0,2}(?:[./]\d{1,3})?[a-z]?)         # the number (no leading zero: "01 Name" is a list)
    (?:[.:)]\s*|\s+)
    (?P<title>[A-Z0-9(“"'‘].*)$                         # the title, capitalised (or "2024/25 P3 Finance ...")
    """,
    re.VERBOSE,
)
#: A numbered line whose "title" is a month is a date ("12 September 2024"), not an item.
MONTH_START = re.compile(
    r"""
    ^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b   # "September 2024 at 5.00 pm"
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: A heading's title has at most this many words...
ITEM_TITLE_MAX_WORDS = 18
#: ...and numbers go up by at most this much from one item to the next (a bold heading may jump further).
ITEM_MAX_STEP = 2

#: A decision notice's item: "Subject: ...", "Decision title: ...".
ITEM_LABEL = re.compile(
    r"""
    ^\s*(?:\(?[a-z0-9]{1,2}\)\s*)?                     # "(a)"
    (?:subject|title|decision\s+title|report\s+title|item)\s*:\s*  # the label
    (?P<title>\S.*)$
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: The agenda item a decision notice's item refers to: "(agenda item 7)".
AGENDA_REF = re.compile(
    r"""
    \bagenda\s+item\s+(?:no\.?\s*)?(?P<num>\d{1,3}[a-z]?)\b   # "agenda item 7", "Agenda Item No. 7a"
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: An agenda ref belongs to the item label at most this many lines above it.
AGENDA_REF_LINES = 3

#: Words a resolution's item starts with, so a numbered line starting so is not a minute heading.
DECISION_VERBS = re.compile(
    r"""
    ^(?:that|to|it|the\s+committee|noted?|notes|approv\w*|agree\w*|authori[sz]\w*|delegat\w*|endors\w*|
       resolv\w*|accept\w*|adopt\w*|confirm\w*|recommend\w*|request\w*|ask\w*|receiv\w*|support\w*|
       initiat\w*|implement\w*|refer\w*|defer\w*|reject\w*|allocat\w*|appoint\w*|welcom\w*|instruct\w*)\b
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A numbered item of a resolution: "1.", "2a.", "(b)", "iii)", "- ".
ENUMERATOR = re.compile(
    r"""
    ^\s*(?:
        (?P<num>\d{1,2})(?P<sub>[a-z])?[.)]             # "1." "2)" "2a."
      | \((?P<pnum>\d{1,2})\)                           # "(1)"
      | \(?(?P<alpha>[a-z])[.)]                         # "a." "(b)" "c)"
      | \(?(?P<roman>(?:i{1,3}|iv|v|vi{1,3}|ix|x))[.)]  # "ii)" "(iv)"
      | (?P<bullet>[-•*–▪●])                            # a bullet
    )\s+(?P<rest>\S.*)$
    """,
    re.VERBOSE,
)

#: A mention of one recommendation, which a later "the recommendation was LOST" refers back to.
REC_MENTION = re.compile(
    r"""
    \brecommendation\s+(?P<ref>\d{1,2}\s?[a-z]?)\b     # "Recommendation 2A was moved", "Recommendation 5 - ..."
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: An amendment carried: the next decision is the amended wording.
AMENDMENT_CARRIED = re.compile(
    r"""
    \bamendment\b[^.]{0,120}?\b(?:was\s+)?(?:CARRIED|carried|agreed|accepted|approved)\b  # "the amendment was CARRIED"
    | \bas\s+amended\b                                       # "Recommendation 2C as amended"
    """,
    re.VERBOSE,
)

#: A line this short without a full stop, between a resolution's items, is a sub-heading ("Contractual:").
SUBHEADING_MAX_WORDS = 6
#: A decision that heads sub-items ("2. Residents Parking" over "a.", "b.") is dropped when this short.
PARENT_TITLE_MAX_WORDS = 8
#: Lines at the top of an agenda pack's item read for a minutes title.
MINUTES_TITLE_LINES = 8

_REF = re.compile(r"(\d{1,2})\s?([a-z]?)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][”\"')]?\s*$")
#: "It was APPROVED that;" : a "that" alone after the trigger leads in to what follows.
LEADIN_THAT = re.compile(r"^\s*that\s*[:;,]?\s*$", re.IGNORECASE)


# ---------------------------------------------------------------- records


@dataclass(slots=True)
class _Block:
    """An open decision block: the trigger and the lines after it."""

    kind: str
    outcome: str
    wording: str
    line: Line
    first: str  # the text after the trigger on its line
    number: str | None  # the trigger line's own numbering ("1. It was APPROVED that ...")
    amended: bool
    form_label: bool  # opened by a labelled form field ("(d) Decision taken")
    lines: list[Line] = field(default_factory=list)


@dataclass(slots=True)
class _Item:
    number: str | None
    title: str | None


# ---------------------------------------------------------------- helpers


def expand_refs(text: str | None) -> tuple[str, ...]:
    """ "4c and 5" -> ("4c", "5"); "15 to 18" -> ("15", "16", "17", "18")."""
    if not text:
        return ()
    out: list[str] = []
    parts = re.split(r"\s*(,|and|&|to|-|–)\s*", text.strip(), flags=re.IGNORECASE)
    previous: tuple[int, str] | None = None
    range_next = False
    for part in parts:
        if part.lower() in ("to", "-", "–"):
            range_next = True
            continue
        m = _REF.fullmatch(part.strip())
        if not m:
            range_next = False
            continue
        n, sub = int(m.group(1)), m.group(2).lower()
        if range_next and previous is not None and not sub and not previous[1] and n > previous[0]:
            out.extend(str(k) for k in range(previous[0] + 1, n + 1))
        else:
            out.append(f"{n}{sub}")
        previous, range_next = (n, sub), False
    return tuple(dict.fromkeys(out))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" \t;,")


def _words(text: str) -> int:
    return len(text.split())


def _match_trigger(text: str) -> tuple[str, str, re.Match[str]] | None:
    for kind, outcome, pattern in DECISION_WORDS:
        m = pattern.search(text)
        if m is None:
            continue
        if kind == "ref_vote":
            word = re.sub(r"\s+", " ", m.group("words")).lower()
            if not m.group("refs") and word in ("noted",):
                continue  # "the recommendation was noted" without numbers: the report's item, below
            outcome = next(o for p, o in VOTE_OUTCOMES if p.match(word))
        return kind, outcome, m
    return None


def _is_heading(line: Line, last: int | None, *, in_block: bool = False) -> re.Match[str] | None:
    """A minute item's numbered heading, numbered after the previous one.

    Inside a resolution (``in_block``) a numbered line starting with a verb is one of its items.
    """
    m = ITEM_HEADING.match(line.text)
    if m is None:
        return None
    title = m.group("title").strip()
    if _words(title) > ITEM_TITLE_MAX_WORDS or (in_block and DECISION_VERBS.match(title)) or MONTH_START.match(title):
        return None
    if re.search(r"[.;,]\s*$|\.\s+[A-Z]", title) and not title.endswith("etc."):
        return None  # a sentence, not a title
    n = int(re.match(r"\d+", m.group("num")).group())  # type: ignore[union-attr]
    if last is not None and not (last < n <= last + ITEM_MAX_STEP or (line.bold and n > last)):
        return None
    return m


def _title_continues(head: Line, nxt: Line) -> bool:
    text = nxt.text.strip()
    if not text or ENUMERATOR.match(text) or _match_trigger(text) or _words(text) > ITEM_TITLE_MAX_WORDS // 2:
        return False
    if nxt.page != head.page or (nxt.line_no - head.line_no > 1 and not head.bold):
        return False
    return (head.bold and nxt.bold and abs(head.size - nxt.size) < 0.5) or text[:1].islower()


def _outcome_of(text: str, outcome: str) -> str:
    """The block's outcome, refined by what the decision's own words say."""
    if outcome in ("agreed", "noted"):
        if DEFERRAL.search(text):
            return "deferred"
        if REJECTION.search(text):
            return "rejected"
        if outcome == "agreed" and NOTING.match(text):
            return "noted"
    return outcome


def _paragraph_break(prev: Line, line: Line) -> bool:
    """A blank line between them (text papers number blank lines too)."""
    return prev.page == line.page and line.line_no - prev.line_no > 1


# ---------------------------------------------------------------- blocks into decisions


def _split(block: _Block, item: _Item, committee: str | None, meeting_date: _dt.date | None) -> list[Decision]:
    """A block's numbered items as decisions (or the whole block as one)."""
    entries: list[tuple[str | None, Line, list[str]]] = []  # (number, first line, texts)
    leadin: list[str] = []
    top: str | None = None
    first_text = block.first.strip()
    rows: list[tuple[Line, str]] = ([(block.line, first_text)] if first_text else []) + [
        (l, l.text.strip()) for l in block.lines
    ]
    if block.number and rows and rows[0][0] is block.line:
        top = block.number
        entries.append((block.number, block.line, [first_text]))
        rows = rows[1:]
    for k, (line, text) in enumerate(rows):
        m = ENUMERATOR.match(text)
        if m is not None:
            if m.group("num") or m.group("pnum"):
                top = m.group("num") or m.group("pnum")
                number = top + (m.group("sub") or "").lower()
            elif m.group("alpha"):
                number = (top or "") + m.group("alpha").lower()
            elif m.group("roman"):
                number = (entries[-1][0] if entries else "") or m.group("roman")
                number = f"{number}.{m.group('roman')}" if entries else m.group("roman")
            else:
                number = None
            entries.append((number, line, [m.group("rest")]))
            continue
        nxt = rows[k + 1][1] if k + 1 < len(rows) else ""
        is_subheading = (
            entries
            and _words(text) <= SUBHEADING_MAX_WORDS
            and not _SENTENCE_END.search(text)
            and _SENTENCE_END.search(entries[-1][2][-1]) is not None
            and ENUMERATOR.match(nxt) is not None
        )
        if is_subheading:
            continue  # "Contractual:", "Regarding EBLN" between items
        if entries:
            entries[-1][2].append(text)
        else:
            leadin.append(text)
    if not entries:
        text = _clean(" ".join(leadin))
        if not text:
            return []
        entries = [(block.number, block.line, [text])]
    out: list[Decision] = []
    for k, (number, line, texts) in enumerate(entries):
        text = _clean(" ".join(texts))
        has_children = (
            k + 1 < len(entries)
            and number is not None
            and (entries[k + 1][0] or "").startswith(number)
            and entries[k + 1][0] != number
        )
        if not text or (has_children and _words(text) <= PARENT_TITLE_MAX_WORDS):
            continue
        out.append(
            Decision(
                text=text,
                outcome=_outcome_of(text, block.outcome),
                wording=_clean(block.wording),
                page=line.page,
                line=line.line_no,
                item=item.number,
                item_title=item.title,
                number=number,
                amended=block.amended,
                committee=committee,
                meeting_date=meeting_date,
            )
        )
    return out


def _ends_block(block: _Block, prev: Line | None, line: Line) -> bool:
    text = line.text.strip()
    if PROCEDURE.search(text) or FORM_LABEL.match(text):
        return True
    if block.form_label and re.match(r"^\s*\(?[a-z]\)\s+\S", text) and text.rstrip().endswith(("?", ":")):
        return True  # the form's next labelled field: "(e) Exempt Information?"
    content = [block.first.strip()] if block.first.strip() else []
    content += [l.text.strip() for l in block.lines]
    if not content or prev is None:
        return False
    enumerated = any(ENUMERATOR.match(t) for t in content[1:] + content[:1]) or block.number is not None
    ended = _SENTENCE_END.search(content[-1]) is not None
    if ENUMERATOR.match(text):
        return False
    if not enumerated:
        # One paragraph: it ends at a blank line, or where a sentence ends and a new line starts
        # that is not a list (its lead-in ends with ":" and the list follows).
        if content[-1].endswith((":", ";")):
            return False
        return _paragraph_break(prev, line) or (ended and not text[:1].islower())
    # A list: prose after a finished item ends it (a short sub-heading does not): prose after
    # a blank line, or set unlike the list's items (bold items, plain prose).
    if not ended or not text[:1].isupper() or _words(text) <= SUBHEADING_MAX_WORDS:
        return False
    items = [l for l in block.lines if ENUMERATOR.match(l.text.strip())]
    restyled = bool(items) and items[0].bold != line.bold
    return _paragraph_break(prev, line) or restyled


# ---------------------------------------------------------------- the paper


def find_decisions(
    lines: Sequence[Line], *, committee: str | None = None, meeting_date: _dt.date | None = None
) -> tuple[Decision, ...]:
    """The decisions recorded in minutes or a decision notice (lines with page furniture removed)."""
    out: list[Decision] = []
    item = _Item(None, None)
    last_item: int | None = None
    block: _Block | None = None
    recent_ref: str | None = None
    amended = False
    label_line: int | None = None  # index of the last "Subject:" label (a form's item)

    def close() -> None:
        nonlocal block, amended
        if block is not None:
            found = _split(block, item, committee, meeting_date)
            out.extend(found)
            if found and block.kind != "ref_vote":
                amended = False
        block = None

    prev: Line | None = None
    skip_until = -1
    for i, line in enumerate(lines):
        if i <= skip_until:
            prev = line
            continue
        text = line.text.strip()
        if not text:
            continue
        heading = _is_heading(line, last_item, in_block=block is not None)
        if heading is not None and not (block is not None and block.form_label):
            close()
            title = heading.group("title").strip()
            j = i
            while j + 1 < len(lines) and _title_continues(lines[j], lines[j + 1]):
                j += 1
                title += " " + lines[j].text.strip()
            skip_until = j
            item = _Item(heading.group("num"), _clean(title))
            last_item = int(re.match(r"\d+", heading.group("num")).group())  # type: ignore[union-attr]
            recent_ref, amended = None, False
            prev = line
            continue
        label = ITEM_LABEL.match(text)
        if label is not None:
            close()
            title = label.group("title")
            j = i
            while j + 1 < len(lines) and lines[j + 1].text.strip()[:1].islower() and j - i < AGENDA_REF_LINES:
                j += 1
                title += " " + lines[j].text.strip()
            skip_until = j
            item = _Item(None, _clean(AGENDA_REF.sub("", title).strip(" ()")))
            label_line = i
            ref = AGENDA_REF.search(title)
            if ref:
                item.number = ref.group("num")
            recent_ref, amended = None, False
            prev = lines[j]
            continue
        ref = AGENDA_REF.search(text)
        if ref and label_line is not None and i - label_line <= AGENDA_REF_LINES and item.number is None:
            item.number = ref.group("num")
            prev = line
            continue
        mention = REC_MENTION.search(text)
        trigger = _match_trigger(text)
        if AMENDMENT_CARRIED.search(text):
            amended = True
        if trigger is not None:
            kind, outcome, m = trigger
            close()
            number = None
            enum = ENUMERATOR.match(text)
            if enum is not None and enum.start("rest") <= m.start() and (enum.group("num") or enum.group("pnum")):
                number = enum.group("num") or enum.group("pnum")
            if kind == "ref_vote":
                singular = m.group("noun").lower() == "recommendation"
                refs = expand_refs(m.group("refs")) or ((recent_ref,) if recent_ref and singular else ())
                if refs:
                    is_amended = amended and outcome == "agreed"
                    out.append(
                        Decision(
                            text=_clean(text),
                            outcome=outcome,
                            wording=_clean(m.group("words")),
                            page=line.page,
                            line=line.line_no,
                            item=item.number,
                            item_title=item.title,
                            refs=refs,
                            amended=is_amended,
                            committee=committee,
                            meeting_date=meeting_date,
                        )
                    )
                if outcome in ("rejected", "deferred"):
                    amended = False  # the amended recommendations fell with it
                if text.rstrip().endswith(":") and outcome in ("rejected", "deferred", "noted"):
                    # "Recommendations 1 and 3 as outlined in the report were not approved:" then their text
                    block = _Block(kind, outcome, m.group("words"), line, "", None, False, False)
            else:
                rest = LEADIN_THAT.sub("", m.group("rest") or "")
                block = _Block(
                    kind,
                    outcome,
                    m.group("words"),
                    line,
                    rest,
                    number,
                    amended,
                    form_label=kind == "decision" and bool(re.match(r"^\s*\(?[a-z0-9]{1,2}\)", text)),
                )
            if mention:
                recent_ref = mention.group("ref").replace(" ", "").lower()
            prev = line
            continue
        if mention:
            recent_ref = mention.group("ref").replace(" ", "").lower()
        if block is not None:
            if _ends_block(block, prev, line):
                close()
            else:
                block.lines.append(line)
        prev = line
    close()
    return tuple(out)


def minutes_segments(lines: Sequence[Line]) -> list[tuple[int, int]]:
    """(start, end) line ranges of the minutes inside an agenda pack (an item whose title is "Minutes of ...")."""
    from pipeline.parse.doctype import detect_doc_type
    from pipeline.parse.packs import find_boundaries

    starts, _ = find_boundaries(lines)
    out = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        if detect_doc_type(lines[start : start + MINUTES_TITLE_LINES]) == "minutes":
            out.append((start, end))
    return out


def parse_decisions(
    lines: Sequence[Line],
    doc_type: str,
    *,
    committee: str | None = None,
    meeting_date: _dt.date | None = None,
) -> tuple[Decision, ...]:
    """The decisions of minutes and decision notices, and of the minutes inside an agenda pack.

    ``committee`` and ``meeting_date`` are the paper's (its title's); a pack's
    minutes are named and dated by their own title.
    """
    if doc_type in ("minutes", "decision_notice"):
        return find_decisions(lines, committee=committee, meeting_date=meeting_date)
    if doc_type != "agenda_pack":
        return ()
    from pipeline.parse.report import meeting_from_title

    out: list[Decision] = []
    for start, end in minutes_segments(lines):
        segment = lines[start:end]
        meeting = {name: value for name, value, _ in meeting_from_title(segment, "minutes")}
        date = meeting.get("meeting_date")
        out.extend(
            find_decisions(
                segment,
                committee=str(meeting["committee"]) if meeting.get("committee") else committee,
                meeting_date=date if isinstance(date, _dt.date) else None,
            )
        )
    return tuple(out)


def with_decisions(layout: Layout, lines: Sequence[Line]) -> Layout:
    """The layout with the decisions its paper records (``parse_sections`` calls this)."""
    found = parse_decisions(
        lines, layout.doc_type, committee=layout.header.committee, meeting_date=layout.header.meeting_date
    )
    return dataclasses.replace(layout, decisions=found) if found else layout


__all__ = ["DECISION_WORDS", "expand_refs", "find_decisions", "minutes_segments", "parse_decisions", "with_decisions"]
