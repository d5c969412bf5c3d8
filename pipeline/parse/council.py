"""Which authority published a paper: named, abbreviated, or implied.

Evidence, strongest first: the council's name as written ("Kent County
Council"), weighted up on the first page; its initials ("KCC", "BCC"); its
e-mail or web domain ("@kent.gov.uk"); and, where nothing names it, a place
the paper is about ("in Halton", "A Healthy Halton") looked up in a small
gazetteer.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Iterable, NamedTuple

#: Council types as written before "Council".
COUNCIL_TYPES: tuple[str, ...] = ("Metropolitan Borough", "Borough", "County", "City", "District", "Town", "Parish")

COUNCIL_RE = re.compile(
    r"""
    (?P<name>
      (?:[A-Z][A-Za-z'’]+[ \-])                                  # the place's first word
      (?:(?:and|upon|on|under|le|in|of|the|[A-Z][A-Za-z'’]+)[ \-])*?  # more of the place
      (?:(?:Metropolitan\s+)?Borough\s+|County\s+|City\s+|District\s+|Town\s+|Parish\s+)?  # its type
      Council)\b
    | (?P<authority>
      (?:[A-Z][a-z]+\s+(?:of\s+)?){1,4}(?:Mayoral\s+)?Combined\s+Authority)\b   # combined authorities
    """,
    re.VERBOSE,
)
#: Capitalised words that start a match but are not places ("Leader of the Council").
NOT_PLACES: frozenset[str] = frozenset(
    """the a an and of this that each our their its full county city borough district town parish
    leader deputy member members cabinet council recommendation recommendations report under when
    where with for from by to at as in on into all any both whole same previous next special annual
    budget extraordinary london unitary local chief executive officer director committee meeting
    policy scrutiny governance update approved agreed county's city's if it is was were be has have
    monitoring section appendix paper item members' mayor mayoral""".split()
)
#: A domain in an e-mail or web address: "@kent.gov.uk", "www.bristol.gov.uk".
DOMAIN_RE = re.compile(r"(?:@|www\.|//)(?P<place>[a-z][a-z\-]{2,30})\.gov\.uk\b", re.IGNORECASE)
#: Initials of a council: "KCC", "BCC", "BwD".
ACRONYM_RE = re.compile(r"\b(?P<acr>[A-Z]{1,3}C)\b")
#: "in Halton", "A Healthy Halton", "Halton's": a place a paper is about.
IMPLIED_PLACE_RE = re.compile(r"\b(?:in|across|for|Safer|Healthy|Greener)\s+(?P<place>[A-Z][a-z]{3,})\b")
#: Capitalised words: the places initials are built from.
PLACE_WORD_RE = re.compile(
    r"""
    \b[A-Z][a-z]{2,}\b    # "Kent", "Bristol"
    """,
    re.VERBOSE,
)
#: "Halton's": a place a paper is about.
POSSESSIVE_PLACE_RE = re.compile(
    r"""
    \b([A-Z][a-z]{3,})['’]s\b    # a capitalised word with an apostrophe s
    """,
    re.VERBOSE,
)
#: The council type in a name that has no place ("the County Council").
BARE_TYPE_RE = re.compile(
    r"""
    (Metropolitan[ ]Borough|Borough|County|City|District)\s+Council    # a type, then "Council"
    """,
    re.VERBOSE,
)
#: Papers whose line scans are remembered (a pack and its parts share one).
SCAN_CACHE_SIZE = 4
#: Literal words COUNCIL_RE cannot match without (a cheap test before the search).
COUNCIL_WORDS: tuple[str, ...] = ("Council", "Authority")
#: What DOMAIN_RE cannot match without, in lower case.
DOMAIN_WORD = ".gov.uk"
#: Weight of a name written on the first page (the header, the logo).
FIRST_PAGE_WEIGHT = 3
#: Weight of a name in the header's values (committee, subject).
HEADER_WEIGHT = 6
#: Weight of each e-mail or web domain that names the council's place.
DOMAIN_WEIGHT = 3

#: Councils known by their place, for papers that only imply them (a small gazetteer).
KNOWN_COUNCILS: dict[str, str] = {
    "Halton": "Halton Borough Council",
    "Kent": "Kent County Council",
    "Bristol": "Bristol City Council",
    "Medway": "Medway Council",
    "Somerset": "Somerset Council",
    "Wirral": "Wirral Council",
    "Knowsley": "Knowsley Council",
    "Warrington": "Warrington Borough Council",
    "Liverpool": "Liverpool City Council",
    "Manchester": "Manchester City Council",
    "Leeds": "Leeds City Council",
    "Birmingham": "Birmingham City Council",
    "Sheffield": "Sheffield City Council",
    "Nottingham": "Nottingham City Council",
    "Leicester": "Leicester City Council",
    "Coventry": "Coventry City Council",
    "Sefton": "Sefton Council",
    "Wigan": "Wigan Council",
    "Salford": "Salford City Council",
    "Stockport": "Stockport Metropolitan Borough Council",
    "Bolton": "Bolton Council",
    "Oldham": "Oldham Council",
    "Trafford": "Trafford Council",
    "Hampshire": "Hampshire County Council",
    "Surrey": "Surrey County Council",
    "Essex": "Essex County Council",
    "Norfolk": "Norfolk County Council",
    "Suffolk": "Suffolk County Council",
    "Devon": "Devon County Council",
    "Cornwall": "Cornwall Council",
    "Lancashire": "Lancashire County Council",
    "Durham": "Durham County Council",
    "Northumberland": "Northumberland County Council",
    "Gateshead": "Gateshead Council",
    "Sunderland": "Sunderland City Council",
    "Newcastle": "Newcastle City Council",
    "Cardiff": "Cardiff Council",
    "Swansea": "Swansea Council",
    "Glasgow": "Glasgow City Council",
    "Edinburgh": "City of Edinburgh Council",
    "Belfast": "Belfast City Council",
}


def clean_name(name: str) -> str | None:
    """Drop leading words that are not a place; None when no place is left."""
    words = re.sub(r"\s+", " ", name).strip().split(" ")
    while words and words[0].lower().strip("'’") in NOT_PLACES:
        words = words[1:]
    if len(words) < 2:
        return None
    if words[0] in COUNCIL_TYPES or words[0] in ("Metropolitan", "Mayoral", "Combined"):
        return None
    return " ".join(words)


def initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper() and w.lower() not in ("of", "and", "the"))


def _contains_words(longer: list[str], shorter: list[str]) -> bool:
    """Are ``shorter``'s words found in ``longer`` in the same order?"""
    it = iter(longer)
    return len(longer) > len(shorter) and all(w in it for w in shorter)


def uncap(text: str) -> str:
    """'WEST OF ENGLAND COMBINED AUTHORITY' -> 'West of England Combined Authority'."""
    if not text.isupper():
        return text
    small = {"of", "and", "the", "upon", "on", "in", "for"}
    return " ".join(w.lower() if w.lower() in small else w.capitalize() for w in text.split())


class _Scan(NamedTuple):
    """What the lines of a paper say about its council, counted."""

    names: Counter[str]
    bare_types: Counter[str]
    domains: Counter[str]
    acronyms: Counter[str]


def _scan(pages: Iterable[tuple[int, str]]) -> _Scan:
    """Council names (weighted by page), bare council types, domains and initials."""
    names: Counter[str] = Counter()
    bare_types: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    acronyms: Counter[str] = Counter()
    for page, text in pages:
        # Each pattern needs a literal word: lines without it are not searched.
        if any(word in text for word in COUNCIL_WORDS):
            for m in COUNCIL_RE.finditer(text):
                raw = m.group("name") or m.group("authority") or ""
                name = clean_name(raw)
                if name is None:
                    t = BARE_TYPE_RE.search(raw)
                    if t:
                        bare_types[t.group(1)] += 1
                    continue
                names[name] += HEADER_WEIGHT if page == 0 else FIRST_PAGE_WEIGHT if page == 1 else 1
        if DOMAIN_WORD in text.lower():
            for m in DOMAIN_RE.finditer(text):
                domains[m.group("place").lower()] += 1
        if "C" in text:
            for m in ACRONYM_RE.finditer(text):
                acronyms[m.group("acr")] += 1
    return _Scan(names, bare_types, domains, acronyms)


# A pack's component reports all read the pack's lines: the scans of a paper's
# lines are remembered (keyed by the lines themselves) for the next part.
_scan_lines = functools.lru_cache(maxsize=SCAN_CACHE_SIZE)(_scan)


def _places(pages: Iterable[tuple[int, str]]) -> Counter[str]:
    """Capitalised words and how often they occur (places to build initials from)."""
    return Counter(PLACE_WORD_RE.findall("\n".join(text for _, text in pages)))


def _implied_places(pages: Iterable[tuple[int, str]]) -> Counter[str]:
    """Places the paper is about ("in Halton", "Halton's"), for when nothing names a council."""
    implied: Counter[str] = Counter()
    for _, text in pages:
        implied.update(IMPLIED_PLACE_RE.findall(text))
        implied.update(POSSESSIVE_PLACE_RE.findall(text))
    return implied


_places_lines = functools.lru_cache(maxsize=SCAN_CACHE_SIZE)(_places)
_implied_lines = functools.lru_cache(maxsize=SCAN_CACHE_SIZE)(_implied_places)


def _merged(first: Counter[str], then: Counter[str]) -> Counter[str]:
    """Counts of both; keys in the order first seen (``first``'s, then ``then``'s)."""
    out = Counter(first)
    out.update(then)
    return out


def detect_council(pages: Iterable[tuple[int, str]], *, header: Iterable[str] = ()) -> str | None:
    """The authority that published a paper, from its (page, text) pieces.

    ``header`` holds header values (committee, subject): an authority named
    there ("WEST OF ENGLAND COMBINED AUTHORITY COMMITTEE") counts as the header.
    """
    header = list(header)
    head = tuple((0, uncap(h)) for h in header if h)
    body = tuple(pages)
    head_scan, body_scan = _scan(head), _scan_lines(body)
    names = _merged(head_scan.names, body_scan.names)
    bare_types = _merged(head_scan.bare_types, body_scan.bare_types)
    domains = _merged(head_scan.domains, body_scan.domains)
    acronyms = _merged(head_scan.acronyms, body_scan.acronyms)
    places: Counter[str] | None = None
    scores: Counter[str] = Counter(names)
    # A domain names the place: credit the names that contain it, or build one.
    for place, n in domains.items():
        hits = [c for c in scores if place in c.lower().replace(" ", "")]
        if not hits:
            title = place.replace("-", " ").title()
            kind = bare_types.most_common(1)[0][0] if bare_types else None
            built = f"{title} {kind} Council" if kind else KNOWN_COUNCILS.get(title)
            if built:
                hits = [built]
        for c in hits:
            scores[c] += DOMAIN_WEIGHT * min(n, 3)
    # Initials: "KCC" for "Kent County Council", or built from a frequent place.
    for acr, n in acronyms.items():
        if n < 2:
            continue
        hits = [c for c in scores if initials(c) == acr]
        if not hits and len(acr) == 3 and bare_types:
            if places is None:
                places = _merged(_places(head), _places_lines(body))
            kind = next((k for k, _ in bare_types.most_common() if k[0] == acr[1]), None)
            place = next((p for p, _ in places.most_common() if p[0] == acr[0] and p not in COUNCIL_TYPES
                          and p.lower() not in NOT_PLACES), None)
            if kind and place:
                hits = [f"{place} {kind} Council"]
        for c in hits:
            scores[c] += n
    # A header naming the council's own body ("To: County Council") credits the
    # names of that type: the paper is the County Council's own.
    for h in header:
        m = re.match(r"^\s*(?:the\s+|full\s+)?(County|City|Borough|District)\s+Council\b", h or "", re.IGNORECASE)
        if m:
            for c in scores:
                if f" {m.group(1).title()} Council" in c:
                    scores[c] += HEADER_WEIGHT
    # A shorter form of a fuller name ("West of England Combined Authority" within
    # "West of England Mayoral Combined Authority") counts for the fuller one.
    for short in list(scores):
        words = short.lower().split()
        fuller = [
            c for c in scores
            if c != short and _contains_words(c.lower().split(), words)
            and c.lower().split()[0] == words[0] and c.lower().split()[-1] == words[-1]
            and len(set(c.lower().split())) == len(c.split())
        ]
        if fuller:
            target = max(fuller, key=lambda c: scores[c])
            scores[target] += scores.pop(short)
    if scores:
        return scores.most_common(1)[0][0]
    for place, _n in _merged(_implied_places(head), _implied_lines(body)).most_common():
        if place in KNOWN_COUNCILS:
            return KNOWN_COUNCILS[place]
    return None
