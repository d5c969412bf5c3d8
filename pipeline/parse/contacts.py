"""Contact officers: who to ask about a paper, name and role, no phone or e-mail.

A contact block is read by layout: a table of columns headed "Report Author"
and "Relevant Director" keeps the authors' column; groups under an author label
("Author", "Lead Officer:") are kept and groups under a director label are
dropped; a person is a name line and the role lines after it, ended by a
telephone or e-mail line or a gap.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from pipeline.model import Line, Provenance, Section
from pipeline.parse.furniture import paragraph_break
from pipeline.parse.headings import Heading
from pipeline.parse.people import clean_contact
from pipeline.parse.values import comma_after_name

#: A line (or its tail) that gives a telephone number or an e-mail address.
DETAIL_RE = re.compile(
    r"""
    (?:^|\s|,)\s*(?:
        (?:tel(?:ephone)?(?:\s+number)?|phone(?:\s+number)?|mob(?:ile)?|t|e|e-?mail(?:\s+address)?)\s*[:.]  # "T:", "Email:", "Phone number:"
      | (?:telephone|phone|e-?mail)(?:\s+(?:number|address))?\s*$                                    # a bold "Telephone number" label
      | tel\b                                                                                       # "Tel 0300 300 5265"
      | \+?\d[\d\s()\-]{8,}                                                                          # a bare phone number
      | [\w.'+-]+@[\w-]+(?:\.[\w-]+)+                                                                # a bare e-mail address
    ).*$
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: Labels of the people to keep.
AUTHOR_LABEL = re.compile(
    r"^(?:report\s+)?authors?\b|^contact(?:\s+officer|\s+details)?\b|^lead\s+officers?\b|^report\s+author",
    re.IGNORECASE,
)
#: Sub-labels of one person's rows in a contact block ("Name:", "Position:", "Job title:").
SUB_LABEL = re.compile(r"^(?P<label>name|position|job\s+title|title|role|post)\s*:\s*(?P<value>.*)$", re.IGNORECASE)
#: Labels of people who are not the contact (directors signing the paper off).
DIRECTOR_LABEL = re.compile(r"(?:\bdirectors?|\bsign[\s-]?off)\s*:?\s*$", re.IGNORECASE)
#: A label is short: at most this many words.
LABEL_MAX_WORDS = 4
#: A short label line: "Report Author", "Lead Officer:", "Relevant Director".
LABEL_LINE = re.compile(r"^[A-Z][A-Za-z ]{2,40}:?$")
#: Columns whose starts differ by more than this many points are separate.
COLUMN_GAP = 60.0
#: A role line reaching this share of its column's width wrapped from the line above.
WRAP_SHARE = 0.8


def _strip_details(text: str) -> tuple[str, bool]:
    """Text without its phone/e-mail tail; True when a detail was found."""
    m = DETAIL_RE.search(text)
    if not m:
        return text.strip(), False
    return text[: m.start()].strip(" ,;:"), True


def _header_columns(lines: Sequence[Line]) -> list[float] | None:
    """x positions of author columns when the block is a table headed by labels."""
    for line in lines[:3]:
        cells = [s for s in line.spans if s.text.strip(" :")]
        if len(cells) >= 2 and all(AUTHOR_LABEL.search(c.text.strip()) or DIRECTOR_LABEL.search(c.text) for c in cells):
            starts = [c.x0 for c in cells]
            if max(starts) - min(starts) > COLUMN_GAP:
                return [
                    c.x0 for c in cells if AUTHOR_LABEL.search(c.text.strip()) and not DIRECTOR_LABEL.search(c.text)
                ]
    return None


def _column_cells(lines: Sequence[Line], columns: list[float]) -> list[tuple[str, Line, float]]:
    """The text of each line that falls in one of ``columns`` (with its right edge)."""
    out: list[tuple[str, Line, float]] = []
    for line in lines:
        for span in line.spans:
            if any(abs(span.x0 - x) <= COLUMN_GAP / 2 for x in columns):
                out.append((span.text, line, span.x1))
    return out


def contact_from_lines(lines: Sequence[Line]) -> str | None:
    """Contact people ("Name, Role; Name, Role") from the lines of a contact block."""
    if not lines:
        return None
    columns = _header_columns(lines)
    if columns:
        cells = _column_cells(lines, columns)
    else:
        cells = [(l.text, l, l.x1) for l in lines]
    width = max((len(_strip_details(t)[0]) for t, _, _ in cells), default=0)
    people: list[str] = []
    cur: list[str] = []
    keep = True
    prev: Line | None = None
    prev_len = 0

    def close() -> None:
        nonlocal cur
        if cur and keep:
            people.append(cur[0] if len(cur) == 1 else _person(cur))
        cur = []

    for text, line, x1 in cells:
        text = text.strip()
        if not text:
            continue
        # A person's rows under sub-labels: "Name: Eddie Smith" starts one, "Position: ..." adds the role.
        sub = SUB_LABEL.match(text)
        if not columns and not _strip_details(text)[0]:
            close()  # "Telephone: 0161 234 3030" ends the person above; it is not another block
            prev = line
            continue
        if sub is not None and not columns:
            value, _ = _strip_details(sub.group("value"))
            if sub.group("label").lower() == "name":
                close()
                keep = True
                if value:
                    cur.append(value)
            elif value and cur:
                cur.append(value)
            prev = line
            continue
        # "Report Author: Pete Davis" -> "Pete Davis, Report Author"
        inline = re.match(r"^(?P<label>[A-Z][A-Za-z0-9 ]{2,30}):\s*(?P<value>.+)$", text)
        if (
            inline
            and not columns
            and people
            and not (AUTHOR_LABEL.search(inline.group("label")) or DIRECTOR_LABEL.search(inline.group("label")))
        ):
            break  # "Appendix 1: ..." after the contacts: another block
        if (
            inline
            and not columns
            and (AUTHOR_LABEL.search(inline.group("label")) or DIRECTOR_LABEL.search(inline.group("label")))
        ):
            close()
            value, _ = _strip_details(inline.group("value"))
            if (
                value
                and AUTHOR_LABEL.search(inline.group("label"))
                and not DIRECTOR_LABEL.search(inline.group("label"))
            ):
                if re.search(r"author", inline.group("label"), re.IGNORECASE) and not re.search(r"[,–]", value):
                    people.append(f"{value}, {inline.group('label').strip()}")
                else:
                    people.append(value)
            prev = line
            continue
        is_label = (
            LABEL_LINE.match(text) is not None
            and len(text.split()) <= LABEL_MAX_WORDS
            and (text.endswith(":") or AUTHOR_LABEL.search(text) is not None or DIRECTOR_LABEL.search(text) is not None)
            and not _looks_like_name(text)
        )
        if is_label:
            label = text.rstrip(":")
            if AUTHOR_LABEL.search(label) and not DIRECTOR_LABEL.search(label):
                close()
                keep = True
            elif DIRECTOR_LABEL.search(label):
                close()
                keep = False
            elif DETAIL_RE.search(text):
                pass
            else:
                close()
                break  # another block ("Appendix A:") begins
            prev = line
            continue
        body, had_detail = _strip_details(text)
        if prev is not None and cur and paragraph_break(prev, line) and not (line.page != prev.page):
            close()
        if body:
            if cur and (body[:1].islower() or (width and prev_len >= WRAP_SHARE * width)):
                cur[-1] = f"{cur[-1]} {body}"
            else:
                cur.append(body)
        if had_detail and not body:
            close()
        prev, prev_len = line, len(body)
    close()
    people = [comma_after_name(re.sub(r"\s+", " ", p).strip(" ,;")) for p in people if p.strip(" ,;")]
    return "; ".join(dict.fromkeys(people)) or None


def _looks_like_name(text: str) -> bool:
    words = text.rstrip(":").split()
    return (
        2 <= len(words) <= 4
        and all(w[:1].isupper() for w in words)
        and not AUTHOR_LABEL.search(text)
        and not DIRECTOR_LABEL.search(text)
        and not text.endswith(":")
    )


def _person(parts: list[str]) -> str:
    """ "Name" + role lines -> "Name, Role, Role" (a line already "Name, Role" stays whole)."""
    head, rest = parts[0], parts[1:]
    return ", ".join([head, *rest])


# ---------------------------------------------------------------- finding the contact in a report

#: A contact block introduced by a plain label line.
CONTACT_LABEL_LINE = re.compile(r"^\s*contact(?:s|\s+details|\s+officers?)?\s*:?\s*$", re.IGNORECASE)


#: "Contact: Sam Wilcock, Policy Committee Officer, email: ..." on a cover page.
CONTACT_INLINE = re.compile(r"^\s*contact(?:\s+officer)?\s*:\s*(?P<value>[A-Z].+)$", re.IGNORECASE)


#: "Author of report - Younes Hamade, ...", "Report Author: ..." anywhere in the paper (after a glued page number too).
AUTHOR_INLINE = re.compile(
    r"""
    (?:^|(?<=\d)|(?<=\s))                                          # a line's start, or glued to a page number
    (?:author\s+of\s+(?:the\s+)?report | report\s+author)s?       # the label
    \s*[:\-–]\s*(?P<value>[A-Z].+)$                                 # and its value
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: An author line and this many lines after it are read as the author's block.
AUTHOR_BLOCK_LINES = 4
#: How many lines after such a label are read as the block.
CONTACT_BLOCK_LINES = 12


#: "Sangeeta Surana – Pension Fund and Treasury Investments Manager": a signature line.
NAME_ROLE_LINE = re.compile(r"^(?:Dr\.?\s+)?[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+){1,2}\s*[–,\-]\s+[A-Z].{3,80}$")


def find_contact(
    lines: Sequence[Line],
    sections: Sequence[Section],
    headings: Sequence[tuple[int, Heading, int]],
    section_lines: Sequence[Sequence[Line]],
) -> tuple[str, Provenance] | None:
    """The contact people, from contact sections, else a "Contact details:" block,
    else a signature block (a name and role followed by a telephone or e-mail line)."""

    people: list[str] = []
    where: Provenance | None = None
    for s, (_, h, _), content in zip(sections, headings, section_lines):
        if s.kind != "contact":
            continue
        block = ([dataclasses.replace(h.line, text=h.text, spans=h.line.spans[-1:])] if h.text else []) + list(content)
        value = contact_from_lines(block)
        if value:
            people.extend(p for p in value.split("; ") if p not in people)
            where = where or Provenance(s.page, s.line)
    if people and where:
        return "; ".join(people), where
    for line in lines:
        m = CONTACT_INLINE.match(line.text)
        if m and line.page == lines[0].page:
            value = clean_contact(m.group("value"))
            if value:
                return value, Provenance(line.page, line.line_no)
    for i, line in enumerate(lines):
        m = AUTHOR_INLINE.search(line.text)
        if m:
            # "Author of report - Younes Hamade, Principal Engineer," / "REPORT AUTHOR: Mike Cockburn" over its role
            first = dataclasses.replace(line, text=m.group("value"), spans=())
            value = contact_from_lines([first, *lines[i + 1 : i + AUTHOR_BLOCK_LINES]])
            if value:
                return value, Provenance(line.page, line.line_no)
    for i, line in enumerate(lines):
        if CONTACT_LABEL_LINE.match(line.text):
            value = contact_from_lines(lines[i + 1 : i + 1 + CONTACT_BLOCK_LINES])
            if value:
                return value, Provenance(line.page, line.line_no)
    last_page = max((l.page for l in lines), default=0)
    tail = [l for l in lines if l.page >= last_page - 1]
    for i, line in enumerate(tail[:-1]):
        nxt = tail[i + 1]
        if NAME_ROLE_LINE.match(line.text) and DETAIL_RE.match(nxt.text.strip()):
            value = contact_from_lines(tail[i : i + 3])
            if value:
                return value, Provenance(line.page, line.line_no)
    return None
