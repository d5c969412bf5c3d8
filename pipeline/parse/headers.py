"""Header fields: the label/value table at the top of a paper.

Councils label the same things in many ways ("REPORT TO:", "To:", "Meeting
Name:", "COMMITTEE:"), so the parser works from a table of label synonyms
(:data:`HEADER_LABELS`) and from layout: a label and its value may share a
line, sit in a two-column table (the value column is found from the spans'
x positions), or the value may wrap over the next lines; a label cell may
wrap too ("REPORT" / "TITLE:").
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Callable, Sequence

from pipeline.model import Line, Provenance
from pipeline.parse.headings import detect_heading
from pipeline.parse.people import (
    COUNCILLOR_ROLES,
    DETAIL_ONLY,
    INLINE_APPEND_RE,
    PHONE_ONLY,
    ROLE_STARTERS,
    clean_value,
    contact_value,
    join_parts,
    person_value,
    split_people,
)
from pipeline.parse.values import check, is_sentence, starts_with_name

# ---------------------------------------------------------------- vocabulary

#: Pseudo-field for labels that belong to the header but carry nothing we keep.
IGNORE = "_ignore"
#: Pseudo-field for a sub-label whose value is appended to the previous field.
APPEND = "_append"
#: Pseudo-field for "From:" / "By:" lists that mix councillors and officers.
PEOPLE = "_people"
#: Pseudo-field for "To:" values that carry both the committee and the date.
COMMITTEE_AND_DATE = "_committee_date"

#: Header label synonyms (normalised: lower case, "&" -> "and", no "(s)", no colon) -> field,
#: read from the package's ``data/header_labels.tsv``.
HEADER_LABELS_FILE = "header_labels.tsv"


def _load_labels() -> dict[str, str]:
    from importlib.resources import files

    out: dict[str, str] = {}
    text = files("pipeline.parse").joinpath("data", HEADER_LABELS_FILE).read_text(encoding="utf-8")
    for row in text.splitlines():
        if row.strip() and not row.startswith("#"):
            label, fieldname = row.split("\t")
            out[label.strip()] = fieldname.strip()
    return out


HEADER_LABELS: dict[str, str] = _load_labels()

#: Labels that are header rows only when their value is this short (in words):
#: "PURPOSE: Final Decision Report" is a header row, "Purpose: To report ..." a section.
SHORT_VALUE_LABELS: dict[str, int] = {"purpose": 4}

#: Labels that need a colon (or a cell of their own) because they are common words.
COLON_ONLY_LABELS: frozenset[str] = frozenset(
    {
        "to",
        "by",
        "from",
        "date",
        "re",
        "title",
        "board",
        "meeting",
        "director",
        "chair",
        "author",
        "contact",
        "committee",
        "status",
        "time",
        "venue",
        "reference",
        "portfolio",
        "subject",
    }
)

#: A label without its colon that carries nothing we keep counts when its value is this short (in words).
LOOSE_IGNORED_MAX_WORDS = 6
#: Values that mean "nothing here".
EMPTY_VALUES: frozenset[str] = frozenset({"", "n/a", "na", "none", "not applicable", "-", "–", "nil", "tbc"})

#: A date at the end of a "To:" value ("Cabinet, 30 January 2025", "County Council 13th March 2025").
TRAILING_DATE = re.compile(
    r"""
    [\s,–\-:]*                                   # separator before the date
    (?P<date>(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?
      \d{1,2}\s*(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}   # 30 January 2025, 9th January 2025
     | [A-Za-z]{3,9}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}        # January 30, 2025
     | \d{1,2}/\d{1,2}/\d{2,4})                               # 30/01/2025
    \s*$""",
    re.VERBOSE,
)

#: Horizontal tolerance (points) for a wrapped value to count as in the value column.
VALUE_COLUMN_TOLERANCE = 24.0
#: A continuation line may follow at most this many font sizes below the previous line.
CONTINUATION_GAP_EMS = 2.6
#: A gap wider than this (in font sizes) between value lines starts a new entry in a list.
ENTRY_GAP_EMS = 0.9
#: Fields that list people (one entry each).
PEOPLE_FIELDS: frozenset[str] = frozenset({"contact", "reporting_officer", "cabinet_member", PEOPLE})
#: Fields whose value is one line of a text file (a date, yes/no, a number).
SINGLE_LINE_FIELDS: frozenset[str] = frozenset({"meeting_date", "key_decision", "reference"})
#: Fields whose wrapped text value carries on while it is not yet a valid value.
CHECKED_FIELDS: frozenset[str] = frozenset({"committee", "subject", "reporting_officer", "cabinet_member", "contact"})
#: A text line ending like this carries on on the next line.
TEXT_WRAPS_AFTER = re.compile(
    r"""
    (?:\b(?:and|or|of|for|the|to|in|on|with|at|by|a|an|&)   # a phrase cut after a small word
     | \b(?:corporate|strategic|assistant|deputy|interim|acting|senior|principal|head|lead)  # a post cut short
     | [,(–\-/]                                          # a list, bracket or dash left open
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
#: A text label alone on its line takes the value below it across at most this many blank lines.
TEXT_VALUE_BELOW_GAP = 2
#: A line reaching past this share of the page width ran to the margin (it wraps).
WRAP_SHARE = 0.75
#: Lines that are neither label nor value tolerated inside the header table (form checkboxes).
HEADER_MAX_MISSES = 3
#: Only this many lines from the top are searched for the header table.
HEADER_MAX_LINES = 80
#: At most this many title lines stand above the header table...
PREAMBLE_MAX_LINES = 12
#: ...and none of them is prose: a line of more words than this.
PROSE_MIN_WORDS = 14
#: Label rows below the table are read on the table's page and this many more...
ZONE_EXTRA_PAGES = 1
#: ...within this many lines from the top...
ZONE_MAX_LINES = 140
#: ...until a numbered heading opening the body like this...
BODY_OPENING = re.compile(
    r"""
    ^(?:(?:executive\s+|report\s+)?summary          # Summary, Executive Summary
      | recommendations? | recommended              # Recommendations
      | (?:the\s+)?report\b | report\s+details     # The Report
      | (?:main\s+|key\s+)?issues | context        # Key Issues, Context
    )""",
    re.VERBOSE | re.IGNORECASE,
)
#: ...or any heading like this (in a text file: a line of at most OPENING_MAX_WORDS words).
UNNUMBERED_BODY_OPENING = re.compile(
    r"""
    ^(?:purpose | aims?\s+of | reasons?\s+for\s+(?:the\s+)?report   # Purpose of Report
      | introduction | background(?!\s+(?:papers|documents))      # Introduction, Background
      | supporting\s+information                                  # Supporting Information
    )""",
    re.VERBOSE | re.IGNORECASE,
)


#: A text line naming an opening section has at most this many words ("Purpose of the Report").
OPENING_MAX_WORDS = 6

#: A line opening with a section number ("1.", "2.0", "3.1").
NUMBERED_LINE = re.compile(
    r"""
    ^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+\S   # "1. Purpose", "2.0 Background", "3 Options"
    """,
    re.VERBOSE,
)


def normalise_label(text: str) -> str:
    t = text.lower().replace("&", "and").replace("’", "'")
    t = re.sub(r"\(s\)|\(es\)", "", t)
    t = re.sub(r"[:\t]+$", "", t.strip())
    t = re.sub(r"\s+", " ", t).strip(" :-–.")
    return t


def _label_pattern(label: str) -> str:
    """A label as a regex: flexible spaces, and a plural written "Ward(s)"."""
    words = []
    parts = label.split(" ")
    for n, w in enumerate(parts):
        if len(w) > 3 and w.endswith("s"):
            words.append(re.escape(w[:-1]) + r"(?:s|\(s\))")
        elif n == len(parts) - 1 and len(w) > 3 and w[-1].isalpha():
            words.append(re.escape(w) + r"(?:s|\(s\))?")  # "Contact Officers", "LEAD OFFICERS"
        else:
            words.append(re.escape(w))
    return r"\s+".join(words)


_LABEL_ALTS = sorted({_label_pattern(k) for k in HEADER_LABELS}, key=len, reverse=True)
LABEL_RE = re.compile(
    rf"""
    ^\s*
    (?:\(?[a-z]\)\s+)?                      # a lettered row "(a) Subject:"
    (?P<label>{"|".join(_LABEL_ALTS)})     # a known label
    \s*(?:\((?:s|es)\))?                    # "Ward(s)"
    (?:\s*/\s*(?P<label2>{"|".join(_LABEL_ALTS)}))?  # a second label sharing the value: "Author/Responsible Officer"
    (?P<qualifier>\s*\([^()]{{1,40}}\))?     # a qualifier: "Key decision (over £250k):"
    (?P<colon>\s*:|\s*\?|\t|\s+[–—-](?=\s))?  # its colon, tab, question mark or dash ("Report by - ...")
    (?![\w(])                               # the label ends at a word boundary
    \s*(?P<rest>.*)$
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class LabelMatch:
    label: str  # normalised
    field: str
    value: str
    value_x0: float | None
    also: str | None = None  # a second field the value fills ("Author/Responsible Officer")


def _loose_value_fits(label: str, fieldname: str, value: str) -> bool:
    """A label written without its colon (text exports lose the table's cells) counts when its value fits."""
    if label in COLON_ONLY_LABELS or not value or is_sentence(value):
        return False
    if fieldname == IGNORE:
        return len(value.split()) <= LOOSE_IGNORED_MAX_WORDS
    if fieldname == "meeting_date":
        from pipeline.parse.dates import parse_date

        return parse_date(value) is not None
    if fieldname == "key_decision":
        return parse_key_decision(value) is not None
    if fieldname in (PEOPLE, APPEND):
        return check("reporting_officer", value)
    if fieldname == COMMITTEE_AND_DATE:
        return check("committee", TRAILING_DATE.sub("", value))
    return check(fieldname, value)


def match_label(line: Line, *, loose: bool = False) -> LabelMatch | None:
    """The header label that starts ``line``, if any, with the value that follows it.

    ``loose``: also a label without colon or cell of its own whose value fits
    the field ("Meeting date 17 December 2019" in a text export).
    """
    m = LABEL_RE.match(line.text)
    if not m:
        return None
    label = normalise_label(m.group("label").replace("(s)", "s").replace("(S)", "S"))
    fieldname = HEADER_LABELS.get(label)
    if fieldname is None and label.endswith("s"):
        label = label[:-1]
        fieldname = HEADER_LABELS.get(label)
    if fieldname is None:
        return None
    rest = m.group("rest").strip()
    has_colon = bool(m.group("colon")) or rest.startswith(":") or m.group("label").endswith(".")
    rest = rest.lstrip(":").strip()
    first_span = line.spans[0] if line.spans else None
    own_cell = (
        first_span is not None
        and len(line.spans) > 1
        and normalise_label(re.sub(r"\([^()]{1,40}\)", "", first_span.text)) == label
    )
    written_caps = m.group("label").isupper() and len(label) >= 4
    if not (has_colon or own_cell or (written_caps and label not in COLON_ONLY_LABELS)):
        if not (loose and _loose_value_fits(label, fieldname, rest)):
            return None
    if not has_colon and not own_cell and not rest:
        return None
    if label in SHORT_VALUE_LABELS and (not rest or len(rest.split()) > SHORT_VALUE_LABELS[label]):
        return None
    # In a table row the label is its own cell: it must not run into the value cell.
    if first_span is not None and len(line.spans) > 1:
        label_end = m.end("label")
        if label_end > len(first_span.text) + 1:
            return None
    # Where does the value start on the page? (the first span after the label)
    value_x0 = None
    if line.spans:
        consumed = 0
        target = len(line.text) - len(m.group("rest"))
        for span in line.spans:
            if consumed >= target and span.text.strip(" :"):
                value_x0 = span.x0
                break
            consumed += len(span.text) + 1
    also = None
    if m.group("label2"):
        second = normalise_label(m.group("label2"))
        also = HEADER_LABELS.get(second) or HEADER_LABELS.get(second[:-1] if second.endswith("s") else second)
    return LabelMatch(label, fieldname, rest, value_x0, also if also != fieldname else None)


# ---------------------------------------------------------------- the header table


@dataclass
class _Field:
    label: str
    field: str
    label_line: Line
    value_x0: float | None
    entries: list[list[str]] = dataclass_field(default_factory=list)  # entries of lines
    last: Line | None = None
    also: str | None = None  # a second field the value fills

    def append_inline(self, text: str, line: Line) -> None:
        """A sub-label's value joins the current entry: "Adam Crowther" + ", Head of City Transport"."""
        text = text.strip()
        if text:
            if self.entries:
                self.entries[-1][-1] = f"{self.entries[-1][-1]}, {text}"
            else:
                self.entries.append([text])
        self.last = line

    def add(self, text: str, line: Line, *, new_entry: bool) -> None:
        text = text.strip()
        if not text:
            self.last = line
            return
        if new_entry or not self.entries:
            self.entries.append([text])
        else:
            self.entries[-1].append(text)
        self.last = line


@dataclass(frozen=True, slots=True)
class HeaderResult:
    values: dict[str, object]
    provenance: dict[str, Provenance]
    end: int  # index of the first line after the header table
    preamble: tuple[Line, ...]  # lines above the first label (title, logo text)
    found_labels: int


def _gap(prev: Line, line: Line) -> float:
    """Vertical gap between two lines, in font sizes (text files: blank lines)."""
    if line.page != prev.page:
        return 99.0
    if prev.size:
        return (line.top - prev.bottom) / prev.size
    return line.top - prev.bottom  # text: number of blank lines


def split_at_labels(line: Line) -> list[Line]:
    """A table row holding several label/value pairs, as one pseudo-line per pair.

    "Directorate: Growth ¦ Lead Officer name: Jacob Pryor" and
    "Adam Crowther ¦ Job title: ¦ Head of City Transport" each become two.
    """
    if len(line.spans) < 2:
        return [line]
    cuts = [0]
    for k in range(1, len(line.spans)):
        rest = line.spans[k:]
        probe = dataclasses.replace(line, text=" ".join(s.text for s in rest), spans=rest, x0=rest[0].x0)
        m = match_label(probe)
        if m is not None and (m.field == APPEND or line.spans[k].text.rstrip().endswith(":") or m.value):
            if ":" in line.spans[k].text or (k + 1 < len(line.spans) and line.spans[k + 1].text.startswith(":")):
                cuts.append(k)
    if len(cuts) == 1:
        return [line]
    out = []
    for a, b in zip(cuts, cuts[1:] + [len(line.spans)]):
        part = line.spans[a:b]
        out.append(
            dataclasses.replace(line, text=" ".join(s.text for s in part), spans=part, x0=part[0].x0, x1=part[-1].x1)
        )
    return out


def _in_value_column(cur: "_Field", line: Line) -> bool:
    """A PDF line sitting in the value column of the current field."""
    if not line.size or cur.value_x0 is None:
        return False
    in_column = abs(line.x0 - cur.value_x0) <= VALUE_COLUMN_TOLERANCE
    return in_column and line.x0 > cur.label_line.x0 + VALUE_COLUMN_TOLERANCE


def _continues(cur: "_Field", line: Line, *, is_heading: Callable[[Line], bool]) -> bool:
    if cur.last is None:
        return False
    gap = _gap(cur.last, line)
    if line.size:  # PDF: by position
        if gap > CONTINUATION_GAP_EMS:
            return False
        if _in_value_column(cur, line):
            return True
        if is_heading(line):
            return False
        # Label and value in one cell: a wrapped value returns to the label's edge,
        # but only after a line that ran to the right margin.
        wrapped = bool(cur.last.page_width) and cur.last.x1 >= WRAP_SHARE * cur.last.page_width
        return (
            cur.value_x0 is None
            and abs(line.x0 - cur.label_line.x0) <= 2
            and bool(cur.entries)
            and gap <= ENTRY_GAP_EMS
            and wrapped
        )
    # text: the next line, with no blank line between; a label alone on its line
    # ("REPORT TO :") has its value below, whatever it looks like; a value in capitals
    # carries on in capitals ("UPDATE ON THE COUNCIL'S RESPONSE TO THE" / "CLIMATE EMERGENCY ...").
    if not cur.entries:
        return gap <= TEXT_VALUE_BELOW_GAP and bool(line.text.strip()) and not starts_body(line)
    if gap >= 1:
        # A list of people with a phone line under each: the next person after a blank line.
        return (
            cur.field in PEOPLE_FIELDS
            and gap <= TEXT_VALUE_BELOW_GAP
            and PHONE_ONLY.match(cur.entries[-1][-1]) is not None
            and starts_with_name(line.text.strip())
        )
    if cur.field in SINGLE_LINE_FIELDS:
        return False
    last = cur.entries[-1][-1].rstrip()
    text = line.text.strip()
    if cur.field in PEOPLE_FIELDS and (PHONE_ONLY.match(text) or DETAIL_ONLY.match(text)):
        return True  # the person's phone or e-mail line (dropped from the value)
    if last.isupper() and text.isupper():
        return not last.endswith((".", ":"))
    if line.x0 > cur.label_line.x0 and not is_heading(line):
        return True  # indented under the value: the value's column
    if is_heading(line):
        return False
    # A table exported as text puts each row on the next line: a row wraps only
    # mid-phrase ("... Environment and" / "Community"), into lower case, or while
    # the value is not yet one ("Children, Young People and Families" / "Policy and Performance Board").
    if TEXT_WRAPS_AFTER.search(last) is not None or text[:1].islower():
        return True
    so_far = clean_value(join_parts(t for e in cur.entries for t in e))
    return cur.field in CHECKED_FIELDS and not check(cur.field, so_far) and check(cur.field, f"{so_far} {text}")


def _wrapped_label(lines: Sequence[Line], i: int, limit: int) -> tuple[str, float | None] | None:
    """A label cell that wraps over lines ``i`` and ``i + 1``: "REPORT" / "TITLE:" -> "report title"."""
    line = lines[i]
    if match_label(line) is not None or i + 1 >= limit or not line.text.strip():
        return None
    nxt = lines[i + 1]
    if line.page != nxt.page or abs(nxt.x0 - line.x0) >= 2 or not nxt.text.strip():
        return None
    first = line.spans[0].text if line.spans else line.text
    second = nxt.spans[0].text if nxt.spans else nxt.text
    if not (line.spans and nxt.spans) and not (line.text.isupper() and second.rstrip().endswith(":")):
        return None  # a text file's label cell wraps in capitals: "CONTRIBUTING" / "OFFICERS:"
    combined = normalise_label(first + " " + second)
    if combined not in HEADER_LABELS and combined.endswith("s"):
        combined = combined[:-1]
    if combined not in HEADER_LABELS or first.strip()[-1:] == ":":
        return None
    value_x0 = line.spans[1].x0 if len(line.spans) > 1 else (nxt.spans[1].x0 if len(nxt.spans) > 1 else None)
    return combined, value_x0


def _label_cell(text: str) -> str | None:
    """The label a table cell holds alone ("Meeting", "Date:", "Report of"), else None."""
    label = normalise_label(text.replace("(s)", "s"))
    if label in HEADER_LABELS:
        return label
    if label.endswith("s") and label[:-1] in HEADER_LABELS:
        return label[:-1]
    return None


def _label_row(lines: Sequence[Line], i: int, limit: int) -> list[_Field] | None:
    """A table whose first row holds the labels and the row below their values:
    "Meeting ¦ Date ¦ Report of" over "Cabinet ¦ 3 June 2015 ¦ Director of Place"."""
    line = lines[i]
    if i + 1 >= limit or len(line.spans) < 2 or not line.size:
        return None
    cells = [s for s in line.spans if s.text.strip()]
    labels = [_label_cell(s.text) for s in cells]
    if len(cells) < 2 or any(label is None for label in labels):
        return None
    nxt = lines[i + 1]
    if nxt.page != line.page or not nxt.spans or _gap(line, nxt) > CONTINUATION_GAP_EMS:
        return None
    starts = [c.x0 - VALUE_COLUMN_TOLERANCE for c in cells]
    fields = [_Field(str(label), HEADER_LABELS[str(label)], line, cell.x0) for label, cell in zip(labels, cells)]
    filled = 0
    for span in (s for s in nxt.spans if s.text.strip()):
        col = max((k for k, x in enumerate(starts) if span.x0 >= x), default=None)
        if col is None:
            return None
        fields[col].add(span.text, nxt, new_entry=False)
        filled += 1
    if filled < 2:
        return None
    return fields


def _column_row(row: Sequence[_Field], line: Line) -> list[tuple[_Field, str]] | None:
    """A line whose cells each sit in the value column of one field of the row above.

    "Meeting: Cabinet ¦ Date: 10 December 2025" over "Council ¦ 29 January 2026":
    the paper goes to two meetings, each column a second entry of its field.
    """
    if len(row) < 2 or not line.size or not line.spans:
        return None
    out: list[tuple[_Field, str]] = []
    for span in line.spans:
        owner = next(
            (f for f in row if f.value_x0 is not None and abs(span.x0 - f.value_x0) <= VALUE_COLUMN_TOLERANCE), None
        )
        if owner is None or not span.text.strip():
            return None
        out.append((owner, span.text))
    return out


def starts_body(line: Line, *, body_size: float = 0.0) -> bool:
    """A heading that opens the report's body, ending the header zone: a numbered opening heading
    ("1. Purpose of Report", "1.0 Introduction") or an unnumbered purpose or background one
    (front sheets carry an unnumbered "Summary" and "Recommendations" among their label rows)."""
    h = detect_heading(line, body_size=body_size)
    if h is None:
        # a text file cannot show a heading's type: a short line naming an opening section
        words = line.text.split()
        if line.size or not words or len(words) > OPENING_MAX_WORDS or line.text.rstrip().endswith("."):
            return False
        return UNNUMBERED_BODY_OPENING.match(line.text.strip()) is not None
    title = h.title.strip().rstrip(":")
    if h.number:
        return BODY_OPENING.match(title) is not None or UNNUMBERED_BODY_OPENING.match(title) is not None
    return UNNUMBERED_BODY_OPENING.match(title) is not None


def _scan_table(
    lines: Sequence[Line], i: int, limit: int, *, is_heading: Callable[[Line], bool], loose: bool
) -> tuple[list[_Field], int]:
    """The label/value rows from line ``i`` on: the fields and the index after the last row."""
    fields: list[_Field] = []
    cur: _Field | None = None
    row: list[_Field] = []  # the fields of the last label row (several pairs on one line)
    end = i
    misses = 0
    while i < limit:
        line = lines[i]
        above = _label_row(lines, i, limit)
        if above is not None:
            fields.extend(above)
            row, cur = above, above[-1]
            misses, end, i = 0, i + 2, i + 2
            continue
        wrapped = _wrapped_label(lines, i, limit)
        if wrapped is not None:
            label, value_x0 = wrapped
            nxt = lines[i + 1]
            cur = _Field(label, HEADER_LABELS[label], line, value_x0)
            for part in [s.text for s in line.spans[1:]] + [s.text for s in nxt.spans[1:]]:
                cur.add(part.lstrip(": "), nxt, new_entry=False)
            cur.last = nxt
            fields.append(cur)
            row = [cur]
            misses, end, i = 0, i + 2, i + 2
            continue
        consumed = False
        new_row: list[_Field] = []
        for seg in split_at_labels(line):
            # a text line indented under a value is no colon-less label ("      Corporate Director ...")
            indented = bool(fields) and not seg.size and seg.x0 > fields[0].label_line.x0
            m = match_label(seg, loose=loose and not indented)
            if m is not None:
                if m.field == APPEND and fields:
                    # "Job title:" belongs to the field in its own column, else the last one.
                    target = next(
                        (f for f in reversed(fields) if f.field != IGNORE and abs(f.label_line.x0 - seg.x0) <= 2), None
                    )
                    target = target or cur or fields[-1]
                    target.append_inline(m.value, seg)
                    cur = target
                else:
                    cur = _Field(m.label, m.field, seg, m.value_x0, also=m.also)
                    cur.add(m.value, seg, new_entry=False)
                    fields.append(cur)
                    new_row.append(cur)
                consumed = True
            elif cur is not None and _continues(cur, seg, is_heading=is_heading):
                gap = _gap(cur.last, seg) if cur.last else 0.0
                cur.add(seg.text, seg, new_entry=gap > ENTRY_GAP_EMS if seg.size else gap >= 1)
                consumed = True
            else:
                break
        if not consumed:
            cells = _column_row(row, line)
            if cells is not None:
                for owner, text in cells:
                    owner.add(text, line, new_entry=True)
                consumed = True
        elif new_row:
            row = new_row
        if consumed:
            misses, end, i = 0, i + 1, i + 1
            continue
        # Neither a label nor a continuation.
        misses += 1
        cur, row = None, []
        if is_heading(line) or misses >= HEADER_MAX_MISSES:
            break
        i += 1
    return fields, end


def _opens_preamble_end(line: Line, preamble: Sequence[Line], *, is_heading: Callable[[Line], bool]) -> bool:
    """Does ``line`` end the title lines above the header table? (a numbered heading, prose, a new page)"""
    if not preamble:
        return False
    if line.page != preamble[0].page or len(preamble) >= PREAMBLE_MAX_LINES:
        return True
    if len(line.text.split()) > PROSE_MIN_WORDS:
        return True
    return is_heading(line) and NUMBERED_LINE.match(line.text) is not None


def scan_header(lines: Sequence[Line], *, is_heading: Callable[[Line], bool], body_size: float = 0.0) -> HeaderResult:
    """Read the header table at the top of ``lines``.

    ``is_heading(line)`` tells whether a line starts the body (a section heading).
    The table may have title lines above it (``preamble``: the council's name,
    the meeting, the title in bold) and more label rows further down the first
    page ("Wards Affected:", "Contact Officers:" below the summary), read until
    the body's first heading.
    """
    limit = min(len(lines), HEADER_MAX_LINES)
    loose = bool(lines) and not any(l.size for l in lines[:limit])  # a text file: labels may lack their colon
    preamble: list[Line] = []
    i = 0
    while i < limit:
        line = lines[i]
        if (
            match_label(line, loose=loose) is not None
            or _wrapped_label(lines, i, limit) is not None
            or _label_row(lines, i, limit) is not None
        ):
            break
        if _opens_preamble_end(line, preamble, is_heading=is_heading):
            return _resolve([], 0, tuple(preamble))
        preamble.append(line)
        i += 1
    else:
        return _resolve([], 0, tuple(preamble))
    fields, end = _scan_table(lines, i, limit, is_heading=is_heading, loose=loose)
    # Label rows further down the header zone (each value checked when resolved).
    first_page = lines[i].page
    j = end
    zone = min(len(lines), ZONE_MAX_LINES)
    while j < zone and lines[j].page <= first_page + ZONE_EXTRA_PAGES:
        line = lines[j]
        if starts_body(line, body_size=body_size):
            break
        if match_label(line, loose=loose) is not None:
            more, after = _scan_table(lines, j, zone, is_heading=is_heading, loose=loose)
            fields.extend(more)
            j = max(after, j + 1)
            continue
        j += 1
    return _resolve(fields, end, tuple(preamble))


#: "Report by the Director of Place to the Cabinet on 12 May 2015": officer, body and date in one line.
REPORT_BY_RE = re.compile(
    r"""
    ^\s*report\s+(?:by|of|from)\s+(?:the\s+)?(?P<officer>[A-Z].+?)      # "Report by the Director of Place"
    (?:\s+to\s+(?:the\s+)?(?P<committee>[A-Z].+?))?                     # "to the Cabinet"
    (?:\s+on\s+(?P<date>\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4})     # "on 12 May 2015"
     | \s+(?:on|about|regarding|concerning)\s+(?:the\s+)?(?P<subject>[A-Z].+?))?  # "on the Local Plan Review"
    \s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)


def report_by(lines: Sequence[Line]) -> dict[str, tuple[object, Line]]:
    """Fields from a "Report by ... to ... on ..." line among ``lines``."""
    from pipeline.parse.dates import parse_date

    out: dict[str, tuple[object, Line]] = {}
    for line in lines:
        m = REPORT_BY_RE.match(line.text)
        if not m:
            continue
        out["reporting_officer"] = (clean_value(m.group("officer")), line)
        if m.group("committee"):
            out["committee"] = (clean_value(m.group("committee")), line)
        if m.group("date") and parse_date(m.group("date")):
            out["meeting_date"] = (parse_date(m.group("date")), line)
        break
    return out


def parse_key_decision(text: str) -> bool | None:
    t = text.strip().lower()
    if not t or t in EMPTY_VALUES:
        return None
    if re.match(r"(?:no\b|non[\s-]?key|not\b|for\s+information|information\b|false)", t):
        return False
    if re.match(r"(?:yes\b|key\b|true)", t):
        return True
    return None


def _first_entry(f: _Field) -> str:
    """The first of a field's entries: a paper going to two meetings ("Cabinet" / "Council") names the first."""
    return clean_value(join_parts(f.entries[0])) if f.entries else ""


def _resolve(fields: list[_Field], end: int, preamble: tuple[Line, ...]) -> HeaderResult:
    """The fields' values, each checked (:mod:`pipeline.parse.values`): the first that fits wins."""
    from pipeline.parse.dates import parse_date

    values: dict[str, object] = {}
    prov: dict[str, Provenance] = {}
    people: dict[str, list[str]] = {"reporting_officer": [], "cabinet_member": []}

    def put(name: str, value: object, line: Line) -> None:
        if name in values or not check(name, value):
            return
        values[name] = value
        prov[name] = Provenance(line.page, line.line_no)

    def person(role: str, value: str, line: Line) -> None:
        if COUNCILLOR_ROLES.search(value):
            role = "cabinet_member"  # "Report Of: Cabinet Member for Resources" names a councillor
        if check(role, value):
            people[role].append(value)
            prov.setdefault(role, Provenance(line.page, line.line_no))

    def handle(name: str, f: _Field) -> None:
        here = f.label_line
        raw_entries = [[t for t in e] for e in f.entries]
        joined = clean_value(join_parts(t for e in raw_entries for t in e))
        joined = INLINE_APPEND_RE.sub(", ", joined)
        if name == IGNORE or joined.lower() in EMPTY_VALUES:
            return
        if name == PEOPLE:
            for entry in split_people(raw_entries):
                person("reporting_officer", person_value(entry), here)
        elif name in (COMMITTEE_AND_DATE, "committee"):
            first = _first_entry(f) if len(f.entries) > 1 else joined
            m = TRAILING_DATE.search(first)
            if m:
                put("committee", clean_value(first[: m.start()]), here)
                put("meeting_date", parse_date(m.group("date")), here)
            else:
                put("committee", first, here)
        elif name == "meeting_date":
            put("meeting_date", parse_date(_first_entry(f)) or parse_date(joined), here)
        elif name == "key_decision":
            put("key_decision", parse_key_decision(joined), here)
        elif name == "reporting_officer":
            # "John Smith: Executive Director" -> "John Smith, Executive Director"; a post
            # written "Director: Legal & Democratic Services" keeps its colon.
            value = person_value(joined)
            head = re.match(r"^([^:,]{3,60}):\s+", value)
            if head and not ROLE_STARTERS.match(head.group(1)):
                value = f"{head.group(1)}, {value[head.end() :]}"
            person("reporting_officer", value, here)
        elif name == "cabinet_member":
            person("cabinet_member", person_value(joined), here)
        elif name == "contact":
            value = contact_value(raw_entries)
            if COUNCILLOR_ROLES.search(value):
                person("cabinet_member", value, here)  # "Contact: Councillor ..., Leader of the Council"
            else:
                put("contact", value, here)
        else:
            put(name, joined, here)

    for f in fields:
        handle(f.field, f)
        if f.also:
            handle(f.also, f)
    for role, names in people.items():
        if names and role not in values:
            values[role] = "; ".join(dict.fromkeys(names))
    return HeaderResult(values, prov, end, preamble, len(fields))
