"""People in header values: officers and councillors, as written, without phone numbers or e-mail.

A "From:" list mixes councillors and officers; a contact cell carries sub-labels
("Name:", "Position:") and details (telephone, e-mail) that the value drops.
"""

from __future__ import annotations

import re
from typing import Iterable

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
_NAME = (
    r"(?:(?:Dr|Mr|Mrs|Ms|Miss|Cllr|Councillor)\.?\s+)?[A-Z][a-z'’\-]+"
    r"(?:\s+(?:[A-Z]\.?|[A-Z][a-z'’\-]+|de|van|von|le|la|Mc[A-Z][a-z]+)){1,3}"
)
NAME_AT_END = re.compile(rf"[,–\-]\s*({_NAME})\s*,?\s*$")
NAME_AT_START = re.compile(rf"^({_NAME})\s*[,–\-:]")

#: Trailing text of a contact entry we drop: phone numbers and e-mail addresses.
CONTACT_TAIL = re.compile(
    r"""
    (?:,?\s*\b(?:tel(?:ephone)?|phone|t|mob(?:ile)?|e-?mail|email)\b[.:]?\s*.*$   # "Tel 0300 300 5265", "email: ..."
     | ,?\s*\(?\+?\d[\d\s()\-]{7,}.*$                                      # a bare phone number, "(01279) 446004"
     | ,?\s*\S+@\S+.*$                                                     # a bare e-mail address
    )""",
    re.VERBOSE | re.IGNORECASE,
)


#: A line that is only a phone number ("(01279) 446811", "Tel: 0161 234 3030").
PHONE_ONLY = re.compile(
    r"""
    ^\s*(?:(?:tel(?:ephone)?|phone|t)\s*[:.]?\s*)?   # an optional "Tel:"
    \(?\+?\d[\d\s()\-]{5,}\s*$                       # the number
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: A line that is only an e-mail address or a labelled phone / e-mail ("Email: jo@example.gov.uk").
DETAIL_ONLY = re.compile(
    r"""
    ^\s*(?:(?:e-?mail|tel(?:ephone)?|phone|mob(?:ile)?)\s*[:.]\s*\S.* # a labelled detail
      | \S+@\S+)\s*$                                                   # a bare address
    """,
    re.VERBOSE | re.IGNORECASE,
)


INLINE_APPEND_RE = re.compile(r"\.?\s+(?:job\s+title|title|role|position)\s*:\s*", re.IGNORECASE)
#: A sub-label opening a value cell: "Name: Richard Barker".
SUB_LABEL_RE = re.compile(r"^\s*(?:name|officer)\s*:\s*", re.IGNORECASE)


def join_parts(parts: Iterable[str]) -> str:
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


def clean_value(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(" ,;:")
    return text


def split_people(entries: list[list[str]]) -> list[str]:
    """Split a "From:" value into one string per person or post."""
    people: list[list[str]] = []
    for entry in entries:
        group: list[str] = []
        for text in entry:
            prev = group[-1] if group else ""
            starts_new = (
                bool(group)
                and text[:1].isupper()
                and (
                    NAME_AT_END.search(prev) is not None
                    or (
                        NAME_AT_START.match(text) is not None and not re.search(r"(?:\band|\bof|\bfor|,|–|-)\s*$", prev)
                    )
                    or (
                        ROLE_STARTERS.match(text) is not None
                        and not re.search(r"(?:\band|\bof|\bfor|\bthe|,|–|-)\s*$", prev)
                    )
                )
            )
            if starts_new:
                people.append(group)
                group = []
            group.append(text)
        if group:
            people.append(group)
    return [clean_value(join_parts(g)) for g in people if clean_value(join_parts(g))]


def clean_contact(text: str) -> str:
    return clean_value(CONTACT_TAIL.sub("", text))


def person_value(text: str) -> str:
    """An officer or councillor entry as written, without sub-labels, phone numbers or e-mail."""
    text = SUB_LABEL_RE.sub("", INLINE_APPEND_RE.sub(", ", text))
    text = re.sub(r"^the\s+(?=[A-Z])", "", text.strip(), flags=re.IGNORECASE)  # "REPORT OF THE HEAD OF ..."
    return clean_value(CONTACT_TAIL.sub("", text))


def contact_value(entries: list[list[str]]) -> str:
    """Contact entries, each line without its phone and e-mail, people joined by "; "."""
    people = []
    for entry in entries:
        parts = [person_value(t) for t in entry]
        person = clean_value(join_parts(p for p in parts if p))
        if person:
            people.append(person)
    return "; ".join(dict.fromkeys(people))
