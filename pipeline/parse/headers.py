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
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from pipeline.model import Line, Provenance

# ---------------------------------------------------------------- vocabulary

#: Pseudo-field for labels that belong to the header but carry nothing we keep.
IGNORE = "_ignore"
#: Pseudo-field for a sub-label whose value is appended to the previous field.
APPEND = "_append"
#: Pseudo-field for "From:" / "By:" lists that mix councillors and officers.
PEOPLE = "_people"
#: Pseudo-field for "To:" values that carry both the committee and the date.
COMMITTEE_AND_DATE = "_committee_date"

#: Header label synonyms (normalised: lower case, "&" -> "and", no "(s)", no colon) -> field.
HEADER_LABELS: dict[str, str] = {
    # committee / meeting
    "report to": "committee",
    "to": COMMITTEE_AND_DATE,
    "committee": "committee",
    "meeting": "committee",
    "meeting name": "committee",
    "name of meeting": "committee",
    "name of committee": "committee",
    "decision maker": "committee",
    "decision taker": "committee",
    "report for": "committee",
    "board": "committee",
    # meeting date
    "date": "meeting_date",
    "meeting date": "meeting_date",
    "date of meeting": "meeting_date",
    "date of decision": "meeting_date",
    "committee date": "meeting_date",
    # reporting officer
    "reporting officer": "reporting_officer",
    "report of": "reporting_officer",
    "report by": "reporting_officer",
    "report from": "reporting_officer",
    "responsible officer": "reporting_officer",
    "responsible director": "reporting_officer",
    "report authorised by": "reporting_officer",
    "authorised by": "reporting_officer",
    "officer presenting the report": "reporting_officer",
    "officer presenting report": "reporting_officer",
    "officer presenting": "reporting_officer",
    "presenting officer": "reporting_officer",
    "executive director lead": "reporting_officer",
    "lead officer": "reporting_officer",
    "lead director": "reporting_officer",
    "director": "reporting_officer",
    "chief officer": "reporting_officer",
    "from": PEOPLE,
    "by": PEOPLE,
    # councillors
    "portfolio": "portfolio",
    "cabinet portfolio": "portfolio",
    "cabinet member": "cabinet_member",
    "portfolio holder": "cabinet_member",
    "cabinet portfolio holder": "cabinet_member",
    "lead member": "cabinet_member",
    "executive member": "cabinet_member",
    "lead councillor": "cabinet_member",
    "committee chair": "cabinet_member",
    "chair": "cabinet_member",
    # subject
    "subject": "subject",
    "title": "subject",
    "report title": "subject",
    "title of report": "subject",
    "report subject": "subject",
    "subject of report": "subject",
    "re": "subject",
    # wards
    "wards": "wards",
    "ward": "wards",
    "wards affected": "wards",
    "ward affected": "wards",
    "wards or groups affected": "wards",
    "electoral division": "wards",
    "electoral divisions": "wards",
    "divisions affected": "wards",
    "electoral divisions affected": "wards",
    # contact
    "contact": "contact",
    "contact officer": "contact",
    "contact for enquiries": "contact",
    "report author": "contact",
    "author": "contact",
    # key decision
    "key decision": "key_decision",
    "key or non-key decision": "key_decision",
    "key decision or for information": "key_decision",
    "is this a key decision": "key_decision",
    # reference
    "decision number": "reference",
    "decision no": "reference",
    "decision no.": "reference",
    "decision reference": "reference",
    "item no": "reference",
    "item no.": "reference",
    "item number": "reference",
    "agenda item": "reference",
    "agenda item no": "reference",
    "paper no": "reference",
    "paper no.": "reference",
    "paper number": "reference",
    "report number": "reference",
    "report no": "reference",
    "report no.": "reference",
    "reference": "reference",
    "forward plan reference": "reference",
    # header rows we recognise (so they end the previous value) but do not keep
    "classification": IGNORE,
    "status": IGNORE,
    "past pathway": IGNORE,
    "past pathway of report": IGNORE,
    "past pathway of paper": IGNORE,
    "future pathway": IGNORE,
    "future pathway of report": IGNORE,
    "future pathway of paper": IGNORE,
    "previous pathway": IGNORE,
    "proposal origin": IGNORE,
    "exempt": IGNORE,
    "exempt information": IGNORE,
    "time": IGNORE,
    "venue": IGNORE,
    "purpose": IGNORE,
    "directorate": IGNORE,
    "service area": IGNORE,
    "lead officer name": "reporting_officer",
    "lead officer role": APPEND,
    "job title": APPEND,
}

#: Labels that are header rows only when their value is this short (in words):
#: "PURPOSE: Final Decision Report" is a header row, "Purpose: To report ..." a section.
SHORT_VALUE_LABELS: dict[str, int] = {"purpose": 4}

#: Labels that need a colon (or a cell of their own) because they are common words.
COLON_ONLY_LABELS: frozenset[str] = frozenset(
    {"to", "by", "from", "date", "re", "title", "board", "meeting", "director", "chair", "author",
     "contact", "committee", "status", "time", "venue", "reference", "portfolio", "subject"}
)

#: Labels recognised only when they start a line of the header zone.
#: Values that mean "nothing here".
EMPTY_VALUES: frozenset[str] = frozenset({"", "n/a", "na", "none", "not applicable", "-", "–", "nil", "tbc"})

#: Words in a person entry that mark a councillor rather than an officer.
COUNCILLOR_ROLES = re.compile(
    r"""
    \b(?:cabinet\s+member               # Cabinet Member for ...
      | leader\b                       # Leader, Deputy Leader, Leader of the Council
      | portfolio\s+holder             # Portfolio Holder
      | councillor | cllr              # named councillors
      | mayor\b                        # elected mayors
      | executive\s+member | lead\s+member
      | committee\s+chair | chairman | chair\b
    )""",
    re.VERBOSE | re.IGNORECASE,
)

#: Words that start a role or post, so a new person entry in a "From:" list.
ROLE_STARTERS = re.compile(
    r"""
    ^(?:interim | acting | deputy | assistant | executive | corporate | strategic | chief
      | director | head | cabinet | leader | general | senior | principal
      | monitoring | s151 | s73 | dr | mr | mrs | ms | miss | cllr | councillor)\b
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A personal name: two to four capitalised words (with particles, initials, hyphens).
_NAME = r"(?:(?:Dr|Mr|Mrs|Ms|Miss|Cllr|Councillor)\.?\s+)?[A-Z][a-z'’\-]+(?:\s+(?:[A-Z]\.?|[A-Z][a-z'’\-]+|de|van|von|le|la|Mc[A-Z][a-z]+)){1,3}"
NAME_AT_END = re.compile(rf"[,–\-]\s*({_NAME})\s*,?\s*$")
NAME_AT_START = re.compile(rf"^({_NAME})\s*[,–\-:]")

#: Trailing text of a contact entry we drop: phone numbers and e-mail addresses.
CONTACT_TAIL = re.compile(
    r"""
    (?:,?\s*\b(?:tel(?:ephone)?|phone|t|mob(?:ile)?|e-?mail|email)\b[.:]?\s*.*$   # "Tel 0300 300 5265", "email: ..."
     | ,?\s*\+?\d[\d\s()\-]{7,}.*$                                         # a bare phone number
     | ,?\s*\S+@\S+.*$                                                     # a bare e-mail address
    )""",
    re.VERBOSE | re.IGNORECASE,
)

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
#: A line reaching past this share of the page width ran to the margin (it wraps).
WRAP_SHARE = 0.75
#: Lines that are neither label nor value tolerated inside the header table (form checkboxes).
HEADER_MAX_MISSES = 3
#: Only this many lines from the top are searched for the header table.
HEADER_MAX_LINES = 80


def normalise_label(text: str) -> str:
    t = text.lower().replace("&", "and").replace("’", "'")
    t = re.sub(r"\(s\)|\(es\)", "", t)
    t = re.sub(r"[:\t]+$", "", t.strip())
    t = re.sub(r"\s+", " ", t).strip(" :-–.")
    return t


def _label_pattern(label: str) -> str:
    """A label as a regex: flexible spaces, and a plural written "Ward(s)"."""
    words = []
    for w in label.split(" "):
        if len(w) > 3 and w.endswith("s"):
            words.append(re.escape(w[:-1]) + r"(?:s|\(s\))")
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
    (?P<colon>\s*:|\t)?                     # its colon or tab, when written
    (?![\w(])                               # the label ends at a word boundary
    \s*(?P<rest>.*)$
    """,
    re.VERBOSE | re.IGNORECASE,
)

INLINE_APPEND_RE = re.compile(r"\.?\s+(?:job\s+title|title|role)\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LabelMatch:
    label: str  # normalised
    field: str
    value: str
    value_x0: float | None


def match_label(line: Line) -> LabelMatch | None:
    """The header label that starts ``line``, if any, with the value that follows it."""
    m = LABEL_RE.match(line.text)
    if not m:
        return None
    label = normalise_label(m.group("label").replace("(s)", "s").replace("(S)", "S"))
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
        and normalise_label(first_span.text) == label
    )
    written_caps = m.group("label").isupper() and len(label) >= 4
    if not (has_colon or own_cell or (written_caps and label not in COLON_ONLY_LABELS)):
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
    return LabelMatch(label, fieldname, rest, value_x0)


# ---------------------------------------------------------------- the header table


@dataclass
class _Field:
    label: str
    field: str
    label_line: Line
    value_x0: float | None
    entries: list[list[str]] = field(default_factory=list)  # entries of lines
    last: Line | None = None

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


def _join(parts: Iterable[str]) -> str:
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out.endswith("-") and not out.endswith(" -") and p[:1].islower():
            out = out[:-1] + p
        else:
            out = f"{out} {p}" if out else p
    return re.sub(r"\s+", " ", out).strip()


def _clean_value(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(" ,;:")
    return text


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
        out.append(dataclasses.replace(line, text=" ".join(s.text for s in part), spans=part,
                                       x0=part[0].x0, x1=part[-1].x1))
    return out


def _in_value_column(cur: "_Field", line: Line) -> bool:
    """A PDF line sitting in the value column of the current field."""
    if not line.size or cur.value_x0 is None:
        return False
    return abs(line.x0 - cur.value_x0) <= VALUE_COLUMN_TOLERANCE and line.x0 > cur.label_line.x0 + VALUE_COLUMN_TOLERANCE


def _continues(cur: "_Field", line: Line, *, is_heading) -> bool:
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
        return (cur.value_x0 is None and abs(line.x0 - cur.label_line.x0) <= 2 and bool(cur.entries)
                and gap <= ENTRY_GAP_EMS and wrapped)
    # text: the next line, with no blank line between
    return gap < 1 and bool(cur.entries) and not is_heading(line)


def scan_header(lines: Sequence[Line], *, is_heading) -> HeaderResult:
    """Read the header table at the top of ``lines``.

    ``is_heading(line)`` tells whether a line starts the body (a section heading).
    """
    fields: list[_Field] = []
    cur: _Field | None = None
    preamble: list[Line] = []
    end = 0
    misses = 0
    limit = min(len(lines), HEADER_MAX_LINES)
    i = 0
    while i < limit:
        line = lines[i]
        # A label cell that wraps: "REPORT" / "TITLE:" -> "report title".
        if match_label(line) is None and i + 1 < limit and line.spans:
            nxt = lines[i + 1]
            if nxt.spans and line.page == nxt.page and abs(nxt.x0 - line.x0) < 2:
                combined = normalise_label(line.spans[0].text + " " + nxt.spans[0].text)
                if combined in HEADER_LABELS and line.spans[0].text.strip()[-1:] != ":":
                    value_x0 = line.spans[1].x0 if len(line.spans) > 1 else (
                        nxt.spans[1].x0 if len(nxt.spans) > 1 else None)
                    cur = _Field(combined, HEADER_LABELS[combined], line, value_x0)
                    for part in [s.text for s in line.spans[1:]] + [s.text for s in nxt.spans[1:]]:
                        cur.add(part.lstrip(": "), nxt, new_entry=False)
                    cur.last = nxt
                    fields.append(cur)
                    misses, end, i = 0, i + 2, i + 2
                    continue
        consumed = False
        for seg in split_at_labels(line):
            m = match_label(seg)
            if m is not None:
                if m.field == APPEND and fields:
                    # "Job title:" belongs to the field in its own column, else the last one.
                    target = next((f for f in reversed(fields)
                                   if f.field != IGNORE and abs(f.label_line.x0 - seg.x0) <= 2), None)
                    target = target or cur or fields[-1]
                    target.append_inline(m.value, seg)
                    cur = target
                else:
                    cur = _Field(m.label, m.field, seg, m.value_x0)
                    cur.add(m.value, seg, new_entry=False)
                    fields.append(cur)
                consumed = True
            elif cur is not None and _continues(cur, seg, is_heading=is_heading):
                gap = _gap(cur.last, seg) if cur.last else 0.0
                cur.add(seg.text, seg, new_entry=bool(seg.size) and gap > ENTRY_GAP_EMS)
                consumed = True
            else:
                break
        if consumed:
            misses, end, i = 0, i + 1, i + 1
            continue
        # Neither a label nor a continuation.
        if not fields:
            if is_heading(line) and preamble:
                break
            preamble.append(line)
            i += 1
            continue
        misses += 1
        cur = None
        if is_heading(line) or misses >= HEADER_MAX_MISSES:
            break
        i += 1
    if not fields:
        end = 0
    return _resolve(fields, end, tuple(preamble))


def split_people(entries: list[list[str]]) -> list[str]:
    """Split a "From:" value into one string per person or post."""
    people: list[list[str]] = []
    for entry in entries:
        group: list[str] = []
        for text in entry:
            prev = group[-1] if group else ""
            starts_new = bool(group) and text[:1].isupper() and (
                NAME_AT_END.search(prev) is not None
                or (NAME_AT_START.match(text) is not None and not re.search(r"(?:\band|\bof|\bfor|,|–|-)\s*$", prev))
                or (ROLE_STARTERS.match(text) is not None and not re.search(r"(?:\band|\bof|\bfor|\bthe|,|–|-)\s*$", prev))
            )
            if starts_new:
                people.append(group)
                group = []
            group.append(text)
        if group:
            people.append(group)
    return [_clean_value(_join(g)) for g in people if _clean_value(_join(g))]


#: "Report by the Director of Place to the Cabinet on 12 May 2015": officer, body and date in one line.
REPORT_BY_RE = re.compile(
    r"""
    ^\s*report\s+(?:by|of|from)\s+(?:the\s+)?(?P<officer>[A-Z].+?)      # "Report by the Director of Place"
    (?:\s+to\s+(?:the\s+)?(?P<committee>[A-Z].+?))?                     # "to the Cabinet"
    (?:\s+on\s+(?P<date>\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4}))?  # "on 12 May 2015"
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
        out["reporting_officer"] = (_clean_value(m.group("officer")), line)
        if m.group("committee"):
            out["committee"] = (_clean_value(m.group("committee")), line)
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


def clean_contact(text: str) -> str:
    return _clean_value(CONTACT_TAIL.sub("", text))


def _resolve(fields: list[_Field], end: int, preamble: tuple[Line, ...]) -> HeaderResult:
    from pipeline.parse.dates import parse_date

    values: dict[str, object] = {}
    prov: dict[str, Provenance] = {}
    people: dict[str, list[str]] = {"reporting_officer": [], "cabinet_member": []}

    def put(name: str, value: object, line: Line) -> None:
        if value in (None, "") or name in values:
            return
        values[name] = value
        prov[name] = Provenance(line.page, line.line_no)

    for f in fields:
        here = f.label_line
        raw_entries = [[t for t in e] for e in f.entries]
        joined = _clean_value(_join(t for e in raw_entries for t in e))
        joined = INLINE_APPEND_RE.sub(", ", joined)
        if f.field == IGNORE:
            continue
        if joined.lower() in EMPTY_VALUES:
            continue
        if f.field == PEOPLE:
            for person in split_people(raw_entries):
                person = INLINE_APPEND_RE.sub(", ", person)
                role = "cabinet_member" if COUNCILLOR_ROLES.search(person) else "reporting_officer"
                people[role].append(person)
                prov.setdefault(role, Provenance(here.page, here.line_no))
            continue
        if f.field == COMMITTEE_AND_DATE:
            m = TRAILING_DATE.search(joined)
            if m:
                put("committee", _clean_value(joined[: m.start()]), here)
                d = parse_date(m.group("date"))
                if d:
                    put("meeting_date", d, here)
            else:
                put("committee", joined, here)
            continue
        if f.field == "meeting_date":
            d = parse_date(joined)
            if d:
                put("meeting_date", d, here)
            continue
        if f.field == "key_decision":
            kd = parse_key_decision(joined)
            if kd is not None:
                put("key_decision", kd, here)
            continue
        if f.field == "reporting_officer":
            # "John Smith: Executive Director" -> "John Smith, Executive Director"; a post
            # written "Director: Legal & Democratic Services" keeps its colon.
            head = re.match(r"^([^:,]{3,60}):\s+", joined)
            value = joined
            if head and not ROLE_STARTERS.match(head.group(1)):
                value = f"{head.group(1)}, {joined[head.end():]}"
            people["reporting_officer"].append(value)
            prov.setdefault("reporting_officer", Provenance(here.page, here.line_no))
            continue
        if f.field == "cabinet_member":
            people["cabinet_member"].append(joined)
            prov.setdefault("cabinet_member", Provenance(here.page, here.line_no))
            continue
        if f.field == "contact":
            put("contact", clean_contact(joined), here)
            continue
        put(f.field, joined, here)
    for role, names in people.items():
        if names and role not in values:
            values[role] = "; ".join(dict.fromkeys(names))
    return HeaderResult(values, prov, end, preamble, len(fields))
