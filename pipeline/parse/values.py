"""What each header field's value must look like, so a wrong value is dropped rather than kept.

A wrong value is worse than a missing one: a user cannot tell it from a right
one.  Each check answers "could this be the field's value?" from the value's
shape alone (a committee names a body, a date parses, an officer is a role or
a person and not a sentence, a subject is not a heading number nor a table's
cells run together); :func:`check` applies the one for a field.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Callable, Final

# ---------------------------------------------------------------- vocabulary

#: Words that name a meeting body; a committee value must contain one.
BODY_WORDS: Final = re.compile(
    r"""
    \b(?:cabinet                                   # Cabinet, Shadow Cabinet
      | council                                    # Council, Full Council, County Council
      | executive                                  # Executive, Executive Board
      | (?:sub[\s-]?)?committee                    # Committee, Sub-Committee, Subcommittee
      | board | panel | forum | group              # Board, Audit Panel, Schools Forum, Working Group
      | commission | assembly | partnership        # Commission, Assembly, Partnership
      | ppb | o\s?&\s?s | scrutiny                 # Halton "PPB", "O&S", Scrutiny
      | conference | authority | meeting           # Joint Authority, Annual Meeting
    )\b
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A named decision maker in place of a body ("Cabinet Member for Resources", "Leader of the Council").
DECISION_MAKER: Final = re.compile(
    r"""
    \b(?:cabinet\s+member | executive\s+member | lead\s+member   # a portfolio councillor
      | portfolio\s+holder                                      # Portfolio Holder for X
      | leader | mayor                                          # Leader of the Council, the Mayor
      | (?:corporate|strategic|executive)?\s*director           # an officer decision
      | chief\s+(?:executive|officer)                           # Chief Executive
    )\b
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: An authority's own name, which heads a paper but is not the meeting ("Manchester City Council").
AUTHORITY_NAME: Final = re.compile(
    r"""
    ^(?:the\s+)?
    (?:
      (?:royal\s+|london\s+|metropolitan\s+)?borough\s+of\s+\S.*                 # Royal Borough of Kingston upon Thames
    | (?!(?:full|county|city|borough|district|town|parish|the)\b)[A-Z][\w'’&.,\- ]*?\s  # a place ...
      (?:(?:metropolitan\s+)?borough\s+|county\s+|city\s+|district\s+|town\s+|parish\s+)?  # ... its kind ...
      council                                                                          # ... "Council"
    | .*\bcombined\s+authority                                                 # a combined authority
    )\s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: Words that make a value a sentence rather than a name, role or title (lower case as written).
SENTENCE_WORDS: Final = re.compile(
    r"""
    \b(?:is|are|was|were|will|would|shall|should|has|have|had|been|be|being    # verbs
      | this | these | which | that | we | our | it | its | you                # pronouns, determiners
      | can | must | not                                                      # modals ("May", "Will" are names)
    )\b
    """,
    re.VERBOSE,
)

#: Words that open a sentence, not a name or title.
SENTENCE_START: Final = re.compile(
    r"""
    ^(?:this | these | it | we | there | to | in | on        # "This report ...", "To consider ..."
      | the\s+(?:report|council|committee)\s+[a-z]+)\b      # "The report sets out ..."
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A value of at least this many words that ends with a full stop is a sentence.
SENTENCE_MIN_WORDS_WITH_STOP: Final = 6

#: Header labels that, found inside a value, show a table's cells run together ("... Subject: ... Report Of: ...").
EMBEDDED_LABEL: Final = re.compile(
    r"""
    (?:^|\s)(?:subject | title | date | report\s+(?:of|to|by|author) | meeting | committee
      | wards?(?:\s+affected)? | contact(?:\s+officer)? | key\s+decision | portfolio(?:\s+holder)?
      | cabinet\s+member | classification | status | appendices
    )\s*:
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A heading number, page number or bullet on its own ("1", "2.3", "(a)", "iv.").
BARE_NUMBER: Final = re.compile(
    r"""
    ^\s*(?:\(?\d+(?:\.\d+)*[.)]?        # 1, 2.3, (4), 5.
      | \(?[a-z]\)                      # (a), b)
      | \(?[ivxlc]+[.)]                 # iv., (ii)
      | page\s+\d+(?:\s+of\s+\d+)?      # Page 3 of 12
    )\s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A reference: a short code with a figure ("7", "7a", "24/00109", "CAB/2020/14", "Item 10").
REFERENCE_SHAPE: Final = re.compile(
    r"""
    ^(?:[A-Za-z]{1,12}\.?\s+)?          # an optional word before it: "Item", "No."
    [A-Za-z]{0,6}[/.\-]?\d[\w./\-]{0,20}  # the code, with a figure: "CAB/2020/14", "24/00109", "7a"
    $""",
    re.VERBOSE,
)

#: A personal name at the start of a value: a title, then two to four capitalised words, then the end or a separator.
PERSONAL_NAME: Final = re.compile(
    r"""
    ^(?:(?i:dr|mr|mrs|ms|miss|mx|prof|cllr|councillor|sir|dame)\.?\s+)?   # a title
    [A-Z][A-Za-z'’\-]+(?:\s+(?:[A-Z]\.?|[A-Z][A-Za-z'’\-]+|de|van|von|le|la|da)){1,3}  # given name(s) and surname
    (?=\s*(?:$|[,–\-;(:]))                                                # then the end, a comma or a dash
    """,
    re.VERBOSE,
)

#: Words of a post, never of a personal name ("Lead Commissioner", "Head of Service").
ROLE_WORDS: Final = frozenset(
    """lead head director officer manager chief senior principal assistant corporate strategic executive interim
    acting deputy service services team board group commissioner engineer solicitor accountant adviser advisor
    analyst planner leader member councillor cabinet portfolio holder committee council democratic governance
    finance legal policy public health programme project operations development support unit department
    directorate general city county borough district""".split()
)

#: Longest committee name, in words ("Children, Young People and Families Policy and Performance Board").
COMMITTEE_MAX_WORDS: Final = 16
#: Longest officer / cabinet member / contact value, in words (several people joined by "; ").
PERSON_MAX_WORDS: Final = 45
#: Longest one person entry, in words.
PERSON_ENTRY_MAX_WORDS: Final = 20
#: Longest subject, in words.
SUBJECT_MAX_WORDS: Final = 45
#: Longest wards value, in words (a list of ward names).
WARDS_MAX_WORDS: Final = 30
#: Longest portfolio, in words.
PORTFOLIO_MAX_WORDS: Final = 16
#: Small words a name may write in lower case ("Policy and Performance Board", "Cabinet Member for Resources").
MINOR_WORDS: Final = frozenset("a an and or of for the to in on at by with from into upon under sub".split())
#: A committee name has at most this many other lower-case words ("Cabinet member for ...").
COMMITTEE_MAX_LOWER_WORDS: Final = 2
#: A value with this many sentence words reads as a sentence.
SENTENCE_WORDS_MAX: Final = 1


def _words(text: str) -> list[str]:
    return text.split()


def _lower_words(text: str) -> list[str]:
    """Content words written in lower case: a name is written in title case or capitals."""
    return [w for w in re.findall(r"[A-Za-z][\w'’\-]*", text) if w[0].islower() and w not in MINOR_WORDS]


def is_sentence(text: str) -> bool:
    """Prose rather than a name: several verbs or pronouns, or a full stop inside."""
    if len(SENTENCE_WORDS.findall(text)) > SENTENCE_WORDS_MAX:
        return True
    if SENTENCE_START.match(text) and len(_words(text)) > 2:
        return True
    if text.rstrip().endswith(".") and len(_words(text)) >= SENTENCE_MIN_WORDS_WITH_STOP:
        return True
    return bool(re.search(r"[a-z]{3,}\.\s+[A-Z][a-z]", text))


def is_authority(text: str) -> bool:
    """The name of a council or combined authority (not a meeting of it)."""
    t = text.strip()
    if re.search(r"\b(?:committee|board|panel|cabinet|executive)\b", t, re.IGNORECASE) or DECISION_MAKER.search(t):
        return False
    return AUTHORITY_NAME.match(t) is not None


def is_committee(text: str) -> bool:
    """A body or decision maker: "Cabinet", "Audit Panel", "Cabinet Member for Resources"."""
    t = text.strip()
    if not t or len(_words(t)) > COMMITTEE_MAX_WORDS or not t[0].isalpha() or not t[0].isupper():
        return False
    if is_sentence(t) or EMBEDDED_LABEL.search(t) or re.search(r"\d{3,}|@", t):
        return False
    if is_authority(t) or len(_lower_words(t)) > COMMITTEE_MAX_LOWER_WORDS:
        return False
    return BODY_WORDS.search(t) is not None or DECISION_MAKER.search(t) is not None


def is_body_name(text: str) -> bool:
    """A committee named alone on a title line: it ends with a body word ("Audit Panel", "COUNCIL")
    or names a decision maker ("Cabinet Member for Highways"); "Council Tax Support Scheme" is a title."""
    t = text.strip().rstrip(" .:,;")
    if not is_committee(t):
        return False
    last = re.findall(r"[A-Za-z&]+", t)
    return bool(last) and (BODY_WORDS.fullmatch(last[-1]) is not None or DECISION_MAKER.match(t) is not None)


def is_person(text: str) -> bool:
    """A role or a person (or several, joined by "; "): not a sentence, not a number."""
    t = text.strip()
    if not t or len(_words(t)) > PERSON_MAX_WORDS or not re.match(r"[A-Z(]", t):
        return False
    if BARE_NUMBER.match(t) or EMBEDDED_LABEL.search(t) or is_sentence(t):
        return False
    return all(len(_words(e)) <= PERSON_ENTRY_MAX_WORDS for e in t.split(";"))


def starts_with_name(text: str) -> bool:
    """Does ``text`` open with a personal name ("Jon McGinty", "Dr Mike Gogarty, ...", "REBECCA FARRANT, ...")?"""
    m = PERSONAL_NAME.match(text.strip())
    if m is None:
        return False
    words = re.findall(r"[A-Za-z'’\-]+", m.group(0))
    return not any(w.lower() in ROLE_WORDS for w in words)


def comma_after_name(text: str) -> str:
    """ "Younes Hamade Principal Engineer" -> "Younes Hamade, Principal Engineer": a name run straight into a post."""
    if starts_with_name(text):
        return text
    words = text.split()
    for n in (2, 3):
        head, rest = words[:n], words[n:]
        if rest and rest[0].strip(",").lower() in ROLE_WORDS and starts_with_name(" ".join(head)):
            return f"{' '.join(head)}, {' '.join(rest)}"
    return text


def is_contact(text: str) -> bool:
    """A contact: each person a name, then perhaps a role ("Karen Haile, Service Delivery Manager")."""
    return is_person(text) and all(starts_with_name(p) for p in text.split(";"))


def is_subject(text: str) -> bool:
    """A title: words, not a heading number, not a table's cells run together."""
    t = text.strip()
    if not t or BARE_NUMBER.match(t) or len(_words(t)) > SUBJECT_MAX_WORDS:
        return False
    if not re.search(r"[A-Za-z]{2,}", t) or EMBEDDED_LABEL.search(t):
        return False
    return not is_authority(t)


def is_wards(text: str) -> bool:
    """Ward names or "All": short, not prose."""
    t = text.strip()
    return bool(t) and len(_words(t)) <= WARDS_MAX_WORDS and not is_sentence(t) and not EMBEDDED_LABEL.search(t)


def is_portfolio(text: str) -> bool:
    t = text.strip()
    return bool(t) and len(_words(t)) <= PORTFOLIO_MAX_WORDS and not is_sentence(t) and not EMBEDDED_LABEL.search(t)


def is_reference(text: str) -> bool:
    return REFERENCE_SHAPE.match(text.strip()) is not None


#: The check for each header field (fields not listed are not checked here).
CHECKS: Final[dict[str, Callable[[str], bool]]] = {
    "committee": is_committee,
    "subject": is_subject,
    "reporting_officer": is_person,
    "cabinet_member": is_person,
    "contact": is_contact,
    "wards": is_wards,
    "portfolio": is_portfolio,
    "reference": is_reference,
}


def check(name: str, value: object) -> bool:
    """Could ``value`` be header field ``name``'s value? (dates and booleans by type)."""
    if value is None or value == "":
        return False
    if name == "meeting_date":
        return isinstance(value, _dt.date)
    if name == "key_decision":
        return isinstance(value, bool)
    if not isinstance(value, str):
        return False
    fn = CHECKS.get(name)
    return fn(value) if fn is not None else True
