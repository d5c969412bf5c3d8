"""Which authority published a paper: named, abbreviated, or implied.

Only authorities of the gazetteer (:mod:`pipeline.parse.gazetteer`) are answers.
Evidence, strongest first: the authority's name as written ("Kent County
Council", "Hackney Council", "WECA"), weighted up in the header and on the
first page; its initials ("KCC", "DBC") where the paper writes its place too;
its e-mail or web domain ("@kent.gov.uk"); and, where nothing names one, a
place the paper is about ("in Halton", "A Healthy Halton"). A wrong council is
worse than none: a name met once in the body, or two authorities named as
often, give None.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Iterable, NamedTuple

from pipeline.parse.gazetteer import Authority, by_initials, by_place, find_councils

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
#: A domain in an e-mail or web address: "@kent.gov.uk", "www.bristol.gov.uk", "//democracy.bristol.gov.uk".
DOMAIN_RE = re.compile(
    r"""
    (?:@|www\.|//)                 # an e-mail address or a web address
    (?:[a-z0-9\-]+\.)*?            # subdomains ("democracy.")
    (?P<place>[a-z][a-z\-]{2,30})   # the council's own name in it
    \.gov\.uk\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
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
#: What DOMAIN_RE cannot match without, in lower case.
DOMAIN_WORD = ".gov.uk"
#: Weight of a name written on the first page (the header, the logo).
FIRST_PAGE_WEIGHT = 3
#: Weight of a name in the header's values (committee, subject).
HEADER_WEIGHT = 6
#: Weight of each e-mail or web domain that names the council's place.
DOMAIN_WEIGHT = 3
#: Initials count when written this often, and the place they stand for is written as often.
ACRONYM_MIN = 2
#: The best-scored authority is the paper's only with this score or more (one name in the body is not enough).
MIN_SCORE = 2
#: A place the paper is about names its council when written this often.
IMPLIED_MIN = 2


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


def uncap(text: str) -> str:
    """'WEST OF ENGLAND COMBINED AUTHORITY' -> 'West of England Combined Authority'."""
    if not text.isupper():
        return text
    small = {"of", "and", "the", "upon", "on", "in", "for"}
    return " ".join(w.lower() if w.lower() in small else w.capitalize() for w in text.split())


class _Scan(NamedTuple):
    """What the lines of a paper say about its council, counted."""

    names: Counter[Authority]
    bare_types: Counter[str]
    domains: Counter[str]
    acronyms: Counter[str]


def _scan(pages: Iterable[tuple[int, str]], year: int | None = None) -> _Scan:
    """Authorities named (weighted by page), bare council types, domains and initials."""
    names: Counter[Authority] = Counter()
    bare_types: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    acronyms: Counter[str] = Counter()
    for page, text in pages:
        weight = HEADER_WEIGHT if page == 0 else FIRST_PAGE_WEIGHT if page == 1 else 1
        for mention in find_councils(text, year=year):
            names[mention.authority] += weight
        # Each pattern needs a literal word: lines without it are not searched.
        if "Council" in text:
            for t in BARE_TYPE_RE.finditer(text):
                bare_types[t.group(1)] += 1
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


def _merged(first: Counter[Authority], then: Counter[Authority]) -> Counter[Authority]:
    """Counts of both; keys in the order first seen (``first``'s, then ``then``'s)."""
    out = Counter(first)
    out.update(then)
    return out


def _place_count(a: Authority, places: Counter[str]) -> int:
    """How often the paper writes the authority's place (its rarest word), 0 when it has none."""
    words = [w for w in (a.short or "").split() if w[:1].isupper()]
    return min((places[w] for w in words), default=0)


def detect_council(
    pages: Iterable[tuple[int, str]], *, header: Iterable[str] = (), year: int | None = None
) -> str | None:
    """The authority that published a paper, from its (page, text) pieces; None when the evidence is weak.

    Only authorities of the gazetteer (:mod:`pipeline.parse.gazetteer`) count, and the
    name returned is the authority's own (as it was called in ``year``, the
    meeting's). ``header`` holds header values (committee, subject): an
    authority named there ("WEST OF ENGLAND COMBINED AUTHORITY COMMITTEE")
    counts as the header.
    """
    header = list(header)
    head = tuple((0, uncap(h)) for h in header if h)
    body = tuple(pages)
    head_scan, body_scan = _scan(head, year), _scan_lines(body, year)
    names = _merged(head_scan.names, body_scan.names)
    domains = head_scan.domains + body_scan.domains
    acronyms = head_scan.acronyms + body_scan.acronyms
    places: Counter[str] | None = None
    scores: Counter[Authority] = Counter(names)
    # A domain names the place: credit the authorities named there, or the place's council.
    for place, n in domains.items():
        key = place.replace("-", "")
        hits = [a for a in scores if a.short and key == a.short.lower().replace(" ", "").replace("-", "")]
        if not hits:
            found = by_place(place, year=year)
            hits = [found] if found is not None and found.is_council else []
        for a in hits:
            scores[a] += DOMAIN_WEIGHT * min(n, 3)
    # Initials: "KCC" for Kent County Council, confirmed by the paper writing its place.
    for acr, n in acronyms.items():
        if n < ACRONYM_MIN:
            continue
        hits = [a for a in scores if acr in (initials(a.name), *a.abbreviations)]
        if not hits:
            if places is None:
                places = _places(head) + _places_lines(body)
            known = [(a, _place_count(a, places)) for a in by_initials(acr) if a.existed(year)]
            known = [(a, c) for a, c in known if c >= ACRONYM_MIN]
            top = max((c for _, c in known), default=0)
            hits = [a for a, c in known if c == top][:2]
            if len(hits) > 1:
                hits = []
        for a in hits:
            scores[a] += n
    # A header naming the council's own body ("To: County Council") credits the
    # authorities of that type: the paper is the County Council's own.
    for h in header:
        m = re.match(r"^\s*(?:the\s+|full\s+)?(County|City|Borough|District)\s+Council\b", h or "", re.IGNORECASE)
        if m:
            for a in scores:
                if f" {m.group(1).title()} Council" in a.name:
                    scores[a] += HEADER_WEIGHT
    ranked = scores.most_common(2)
    if ranked:
        (best, score), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0)
        if score >= MIN_SCORE and score > runner_up:
            return best.name_in(year)
        return None
    implied = (_implied_places(head) + _implied_lines(body)).most_common()
    for place, n in implied:
        if n < IMPLIED_MIN:
            break
        found = by_place(place, year=year)
        if found is not None and found.is_council:
            return found.name_in(year)
    return None
