"""UK local authorities by name: which authority a piece of text names, if any.

The authorities are a data file in the package (``data/councils.tsv``):
councils past and present of the four nations, combined authorities, the
GLA, transport, police, fire and national park authorities, each with its own
name, its place, other names and abbreviations. Names are compared folded
(:func:`fold_name`: case, "&" and "and", punctuation, a leading "The").

A council is also known by its place and a council type that fits it:
"Hackney Council", "Hackney London Borough Council" and "London Borough of
Hackney" are one authority; "Hackney District Council" is none (nothing calls
Hackney a district). The other bodies are known only by the names listed.
Where a name fits several authorities ("Durham Council") the one that existed
in the paper's year, else the one that exists now, is taken; when that still
leaves several, none is. An authority abolished before the paper's year is
never the answer.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

#: The data file, inside the package.
DATA_PACKAGE = "pipeline"
DATA_FILE = ("data", "councils.tsv")
#: Separator of the several values of a column (aliases, abbreviations, former names).
VALUE_SEPARATOR = "|"
#: Kinds of authority that are councils: known by their place and a fitting council type too.
COUNCIL_KINDS: frozenset[str] = frozenset(
    {"county", "district", "unitary", "metropolitan_district", "london_borough", "city_corporation"}
)
#: How sure a match is, best first: the authority's own (or former) name, another listed name, a place and type.
TIER_NAME, TIER_ALIAS, TIER_BUILT, TIER_PLACE = 0, 1, 2, 3
#: Folded words before a council's place, longest first ("London Borough of Hackney").
COUNCIL_PREFIXES: tuple[str, ...] = (
    "borough council of",
    "city and county of",
    "metropolitan borough of",
    "london borough of",
    "royal borough of",
    "council of the",
    "borough of",
    "county of",
    "city of",
)
#: Folded words after a council's place, longest first ("Hackney London Borough Council").
COUNCIL_SUFFIXES: tuple[str, ...] = (
    "metropolitan borough council",
    "metropolitan district council",
    "city and district council",
    "county borough council",
    "london borough council",
    "royal borough council",
    "borough council",
    "county council",
    "district council",
    "city council",
    "corporation",
    "council",
)
#: Words that say a council's type: a name built with them must fit the authority's own names.
TYPE_WORDS: frozenset[str] = frozenset({"county", "city", "borough", "district", "metropolitan", "london", "royal"})
#: Words an authority's kind implies though its names may not say them.
KIND_WORDS: dict[str, frozenset[str]] = {
    "county": frozenset({"county"}),
    "london_borough": frozenset({"london", "borough"}),
    "metropolitan_district": frozenset({"metropolitan"}),
}
#: Places that name no one council on their own.
NOT_A_PLACE: frozenset[str] = frozenset({"london", "city", "county", "borough", "district", "royal", "council"})
#: A word of a name: letters and digits, with an apostrophe inside ("King's", "Council's").
WORD_RE = re.compile(
    r"""
    [^\W_]+(?:['’][^\W_]+)*    # letters or digits, apostrophes inside
    | &                        # "&" stands for "and"
    | (?<=\w)[.;:!?](?=\s)     # a full stop or colon and a space: a name does not run across it
    """,
    re.VERBOSE,
)
#: Apostrophes and the like, dropped inside words ("King's" = "Kings").
_APOSTROPHES = str.maketrans({"'": None, "’": None, "‘": None, "`": None})
#: A leading "the" of a folded name.
_LEADING_THE_RE = re.compile(r"^(?:the(?: |$))+")
#: Runs of anything that is not a letter or a digit.
_NOT_WORD_RE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Authority:
    """One authority of the gazetteer."""

    code: str
    name: str
    short: str | None
    aliases: tuple[str, ...]
    abbreviations: tuple[str, ...]
    kind: str
    nation: str
    gss: str | None
    start: int | None
    end: int | None
    #: Earlier names and the first year of the name that followed: (name, year).
    former: tuple[tuple[str, int], ...] = ()

    @property
    def is_council(self) -> bool:
        return self.kind in COUNCIL_KINDS

    def existed(self, year: int | None) -> bool:
        """Did it exist in ``year`` (a shadow authority meets the year before it starts)? True when unknown."""
        if year is None:
            return True
        return (self.start is None or year >= self.start - 1) and (self.end is None or year <= self.end)

    def name_in(self, year: int | None = None) -> str:
        """Its name in ``year``: a former name before a rename, else its own."""
        if year is not None:
            for name, until in sorted(self.former, key=lambda f: f[1]):
                if year < until:
                    return name
        return self.name

    @property
    def names(self) -> tuple[str, ...]:
        """Its own, former and other names."""
        return (self.name, *(n for n, _ in self.former), *self.aliases)


@dataclass(frozen=True)
class Mention:
    """An authority named in a text: where, as written, and which."""

    start: int
    end: int
    text: str
    authority: Authority
    tier: int

    @property
    def name(self) -> str:
        return self.authority.name


def fold_name(text: str) -> str:
    """A name folded for comparison: case, "&" = "and", punctuation, apostrophes and a leading "The" dropped."""
    t = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    t = t.replace("&", " and ")
    t = _NOT_WORD_RE.sub(" ", t).strip()
    return _LEADING_THE_RE.sub("", t)


def _strip(folded: str, affixes: Iterable[str], *, at_start: bool) -> tuple[str, str]:
    """(what is left, the affix) with the first affix found at the start (or end) removed."""
    for a in affixes:
        if at_start and folded.startswith(a + " "):
            return folded[len(a) + 1 :], a
        if not at_start and folded.endswith(" " + a):
            return folded[: -len(a) - 1], a
    return folded, ""


def place_of(folded: str) -> str:
    """The place in a folded council name: its type words before and after removed."""
    rest, _ = _strip(folded, COUNCIL_PREFIXES, at_start=True)
    rest, _ = _strip(rest, COUNCIL_SUFFIXES, at_start=False)
    return rest


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(VALUE_SEPARATOR) if v.strip())


def _year(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _former(value: str) -> tuple[tuple[str, int], ...]:
    out = []
    for item in _split(value):
        name, _, year = item.rpartition("<")
        if name and year.isdigit():
            out.append((name.strip(), int(year)))
    return tuple(out)


def _rows(text: str) -> Iterator[dict[str, str]]:
    lines = (line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


@functools.cache
def authorities() -> tuple[Authority, ...]:
    """Every authority of the data file, read once."""
    text = resources.files(DATA_PACKAGE).joinpath(*DATA_FILE).read_text(encoding="utf-8")
    return tuple(
        Authority(
            code=r["code"],
            name=r["name"],
            short=r["short"] or None,
            aliases=_split(r["aliases"]),
            abbreviations=_split(r["abbreviations"]),
            kind=r["type"],
            nation=r["nation"],
            gss=r["gss"] or None,
            start=_year(r["start"]),
            end=_year(r["end"]),
            former=_former(r["former"]),
        )
        for r in _rows(text)
    )


def _places(a: Authority) -> set[str]:
    """A council's places, folded: its short name and what its names say without their type words."""
    places = {fold_name(a.short)} if a.short else set()
    places.update(place_of(fold_name(n)) for n in a.names)
    return {p for p in places if p and p not in NOT_A_PLACE}


def _type_words(a: Authority) -> frozenset[str]:
    """The council type words its names use (and its kind implies)."""
    words = {w for n in a.names for w in fold_name(n).split() if w in TYPE_WORDS}
    return frozenset(words | KIND_WORDS.get(a.kind, frozenset()))


def _fits(affix: str, words: frozenset[str]) -> bool:
    """Does a council type ("london borough council") fit an authority with these type words?"""
    return all(w in words for w in affix.split() if w in TYPE_WORDS)


@dataclass(frozen=True)
class _Index:
    """Folded names -> {authority index: tier}, as a word trie for scanning text, and places for bare lookups."""

    trie: dict
    places: dict[str, dict[int, int]]
    abbreviations: dict[str, set[int]]
    abbreviation_re: re.Pattern[str] | None


#: Key under which a trie node keeps the authorities whose name ends there.
_END = ""


def _add(trie: dict, folded: str, i: int, tier: int) -> None:
    node = trie
    for w in folded.split():
        node = node.setdefault(w, {})
    ends: dict[int, int] = node.setdefault(_END, {})
    ends[i] = min(tier, ends.get(i, tier))


@functools.cache
def _index() -> _Index:
    trie: dict = {}
    places: dict[str, dict[int, int]] = {}
    abbreviations: dict[str, set[int]] = {}
    for i, a in enumerate(authorities()):
        _add(trie, fold_name(a.name), i, TIER_NAME)
        for name, _ in a.former:
            _add(trie, fold_name(name), i, TIER_NAME)
        for name in a.aliases:
            folded = fold_name(name)
            # A bare place ("Hull") is a place, not a name to find in running text.
            if a.is_council and folded in _places(a) and not any(f" {s}" in f" {folded}" for s in COUNCIL_SUFFIXES):
                continue
            _add(trie, folded, i, TIER_ALIAS)
        for abbr in a.abbreviations:
            abbreviations.setdefault(abbr, set()).add(i)
        if not a.is_council:
            continue
        words = _type_words(a)
        for place in _places(a):
            places.setdefault(place, {})[i] = TIER_PLACE
            for suffix in COUNCIL_SUFFIXES:
                if _fits(suffix, words):
                    _add(trie, f"{place} {suffix}", i, TIER_BUILT)
            for prefix in COUNCIL_PREFIXES:
                if _fits(prefix, words) and prefix not in ("borough council of", "council of the"):
                    _add(trie, f"{prefix} {place}", i, TIER_BUILT)
    pattern = None
    if abbreviations:
        alternatives = "|".join(re.escape(a) for a in sorted(abbreviations, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w&])(?:{alternatives})(?![\w&])")
    return _Index(trie, places, abbreviations, pattern)


def _choose(found: dict[int, int], year: int | None) -> Authority | None:
    """The one authority among matches: best tier, not abolished by ``year``, existing then, else the current one.

    None when several remain. An authority abolished before the year is none
    (a paper of 2020 is not Cornwall County Council's); one formed after it is
    kept when it is the only match (the year read may be wrong, and papers name
    authorities to come).
    """
    if not found:
        return None
    table = authorities()
    best = min(found.values())
    ids = [i for i, t in found.items() if t == best]
    if year is not None:
        ids = [i for i in ids if (end := table[i].end) is None or year <= end]
        ids = [i for i in ids if table[i].existed(year)] or ids
    if len(ids) > 1:
        current = [i for i in ids if table[i].end is None]
        ids = current if current else ids
    return table[ids[0]] if len(ids) == 1 else None


def lookup(text: str, *, year: int | None = None) -> Authority | None:
    """The authority ``text`` names as a whole ("Hackney Council", "BCP Council", "Kingston"), or None."""
    if not text or not text.strip():
        return None
    index = _index()
    abbr = index.abbreviations.get(text.strip())
    if abbr:
        return _choose({i: TIER_ALIAS for i in abbr}, year)
    folded = fold_name(text)
    node: dict | None = index.trie
    for w in folded.split():
        node = node.get(w) if node is not None else None
    if node is not None and node.get(_END):
        return _choose(node[_END], year)
    return _choose(index.places.get(folded, {}), year)


def canonical_council(text: str, *, year: int | None = None) -> str | None:
    """The name of the authority ``text`` names (as it was called in ``year``), or None.

    >>> canonical_council("Hackney London Borough Council")
    'London Borough of Hackney'
    >>> canonical_council("the Council") is None
    True
    """
    a = lookup(text, year=year)
    return a.name_in(year) if a else None


def _words(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, ways to read it) for each word; a possessive reads with and without its "'s"."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    for m in WORD_RE.finditer(text):
        raw = m.group()
        if raw in ".;:!?":
            out.append((m.start(), m.end(), ()))  # a boundary: no name runs across it
            continue
        if raw == "&":
            out.append((m.start(), m.end(), ("and",)))
            continue
        word = unicodedata.normalize("NFKC", raw).casefold()
        ways = [word.translate(_APOSTROPHES)]
        stem = re.sub(r"['’]s$", "", word)
        if stem != word:
            ways.append(stem.translate(_APOSTROPHES))
        out.append((m.start(), m.end(), tuple(ways)))
    return out


def _longest(words: list[tuple[int, int, tuple[str, ...]]], at: int, trie: dict) -> tuple[int, dict[int, int]] | None:
    """The longest name starting at word ``at``: (words it takes, its authorities)."""
    best: tuple[int, dict[int, int]] | None = None
    frontier = [(trie, at)]
    while frontier:
        node, j = frontier.pop()
        if node.get(_END) and j > at and (best is None or j - at > best[0]):
            best = (j - at, node[_END])
        if j < len(words):
            for way in words[j][2]:
                nxt = node.get(way)
                if nxt is not None:
                    frontier.append((nxt, j + 1))
    return best


def find_councils(text: str, *, year: int | None = None) -> list[Mention]:
    """The authorities named in ``text``, in order, longest names first where they overlap.

    A bare place ("in Hackney") is not a mention: a name needs its council type
    ("Hackney Council"), its own form ("London Borough of Hackney") or an
    abbreviation written as listed ("WECA").
    """
    if not text:
        return []
    index = _index()
    words = _words(text)
    found: list[Mention] = []
    i = 0
    while i < len(words):
        hit = _longest(words, i, index.trie)
        if hit is None:
            i += 1
            continue
        n, ids = hit
        a = _choose(ids, year)
        start, end = words[i][0], words[i + n - 1][1]
        if a is not None:
            found.append(Mention(start, end, text[start:end], a, min(ids.values())))
        i += n
    if index.abbreviation_re is not None:
        for m in index.abbreviation_re.finditer(text):
            if any(f.start <= m.start() < f.end for f in found):
                continue
            a = _choose({j: TIER_ALIAS for j in index.abbreviations[m.group()]}, year)
            if a is not None:
                found.append(Mention(m.start(), m.end(), m.group(), a, TIER_ALIAS))
    return sorted(found, key=lambda f: f.start)


def initials(name: str) -> str:
    """Initials of a name's capitalised words ("Dacorum Borough Council" -> "DBC")."""
    return "".join(w[0] for w in name.split() if w[:1].isupper())


@functools.cache
def _by_initials() -> dict[str, tuple[Authority, ...]]:
    out: dict[str, list[Authority]] = {}
    for a in authorities():
        for name in (a.name, *a.aliases):
            if len(name.split()) > 1:
                out.setdefault(initials(name), []).append(a)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def by_initials(acronym: str) -> tuple[Authority, ...]:
    """Authorities one of whose names has these initials ("KCC": Kent County Council and others)."""
    return _by_initials().get(acronym, ())


def by_place(place: str, *, year: int | None = None) -> Authority | None:
    """The council of a place ("Halton", "brighton-hove"), when one fits; punctuation and spaces do not count."""
    key = _squash(place)
    if not key:
        return None
    return _choose(_squashed_places().get(key, {}), year)


def _squash(place: str) -> str:
    """A place as a domain writes it: no spaces, punctuation or "and" ("brighton-hove", "brightonandhove")."""
    return "".join(w for w in fold_name(place).split() if w != "and")


@functools.cache
def _squashed_places() -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    for place, ids in _index().places.items():
        out.setdefault(_squash(place), {}).update(ids)
    return out


def first_mention(
    lines: Iterable[tuple[int, int, str]], name: str, *, year: int | None = None
) -> tuple[int, int] | None:
    """(page, line) of the first of ``lines`` (page, line, text) naming the authority ``name``, else its place."""
    a = lookup(name, year=year)
    if a is None:
        return None
    place = a.short.casefold() if a.short else None
    fallback = None
    for page, line_no, text in lines:
        if any(m.authority == a for m in find_councils(text, year=year)):
            return page, line_no
        if fallback is None and place and place in text.casefold():
            fallback = (page, line_no)
    return fallback
