"""Named entities in a report: money, percentages, dates, quarters, organisations, people.

The only module that uses spaCy (imported lazily).  No pretrained model is
needed: the default pipeline is ``spacy.blank("en")`` plus an EntityRuler with
our organisation rules (known acronyms, national programme names, and
capitalised names ending in an organisation head noun such as "Council",
"Board", "Trust").  With a pretrained model (``model=`` or the
``BOARDPAPERS_SPACY_MODEL`` environment variable) our ruler runs before its
``ner`` so our rules win, and the model adds its own entities.

Money, percentages, dates and quarters are found by regexes over the raw text
(spaCy's tokenizer splits "£2.5m" and "-£111.6m" inconsistently, and the
offsets must be exact): MONEY/PERCENT here, DATE via
:func:`pipeline.parse.dates.find_dates`, QUARTER via :func:`pipeline.enrich.periods.find_quarters`.
PERSON comes from the names the parser found (``people=``), matched as phrases.
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import re
import threading
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final, Iterable, Iterator, Sequence

from pipeline.config import SPACY_MODEL_ENV
from pipeline.enrich.periods import find_quarters
from pipeline.model import Entity, Section
from pipeline.parse.dates import find_dates

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["get_nlp", "extract_entities", "ORG_ACRONYMS", "NATIONAL_PROGRAMMES", "ORG_HEAD_NOUNS"]

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- configuration

#: Environment variable naming the default spaCy model (e.g. "en_core_web_sm").
MODEL_ENV_VAR: Final = SPACY_MODEL_ENV

#: Language of the blank pipeline.
BLANK_LANGUAGE: Final = "en"

#: Pipeline components of a pretrained model we never need (speed).
MODEL_EXCLUDE: Final[tuple[str, ...]] = ("parser", "lemmatizer", "senter")

#: Name of our EntityRuler in the pipeline.
RULER_NAME: Final = "boardpapers_ruler"

#: Texts are cut at paragraph breaks into chunks of at most this many
#: characters before spaCy sees them (bounded memory, good batching).
CHUNK_CHARS: Final = 10_000

#: Documents per ``nlp.pipe`` batch.
PIPE_BATCH_SIZE: Final = 64

# ---------------------------------------------------------------- vocabularies

#: Known UK public-sector organisations written as acronyms (matched case-sensitively).
ORG_ACRONYMS: Final[frozenset[str]] = frozenset(
    {
        # central government departments, past and present
        "DCSF", "DfE", "DFE", "DfES", "DH", "DHSC", "DCLG", "MHCLG", "DLUHC", "DfT",
        "DWP", "DEFRA", "Defra", "DCMS", "BEIS", "DESNZ", "DBT", "HMRC", "HMT", "MoJ",
        "FCDO", "ODPM",
        # regulators, inspectorates and national agencies
        "Ofsted", "OFSTED", "Ofqual", "CQC", "HMICFRS", "ESFA", "EFA", "ONS", "NAO",
        "UKHSA", "PHE", "OHID", "NICE", "HSE", "ICO", "LGSCO", "CIPFA", "LGA", "PWLB",
        "OBR", "DVLA", "TfL",
        # health bodies
        "NHS", "ICB", "ICS", "CCG", "PCT", "SHA", "CAMHS",
        # safeguarding and local partnerships
        "HSCB", "LSCB", "LSCP", "SAB", "YOS", "YOT", "LEP", "SEND",
        # combined and local authorities
        "WECA", "KCC", "GLA",
    }
)  # fmt: skip

#: National programmes and initiatives named in papers (matched case-insensitively).
NATIONAL_PROGRAMMES: Final[tuple[str, ...]] = (
    "Building Schools for the Future",
    "Every Child Matters",
    "Sure Start",
    "Troubled Families",
    "Supporting Families",
    "Family Hubs",
    "Start for Life",
    "Healthy Child Programme",
    "Holiday Activities and Food",
    "Levelling Up Fund",
    "Youth Guarantee",
    "Aiming High for Disabled Children",
    "Team Around the Child",
    "Common Assessment Framework",
)

#: Nouns that end an organisation's name ("Halton Borough Council", "Youth Hub").
ORG_HEAD_NOUNS: Final[tuple[str, ...]] = (
    "council", "board", "trust", "authority", "committee", "partnership", "department",
    "agency", "service", "services", "group", "programme", "building", "centre", "center",
    "hub", "school", "academy", "college", "university", "commission", "office", "fund",
    "executive", "panel", "cabinet", "directorate", "inspectorate", "ministry",
    "foundation", "association", "society", "alliance", "company", "limited",
    "ltd", "plc", "llp", "hospital", "police", "constabulary",
)  # fmt: skip

#: Nouns that start a name and take "for"/"of" ("Department for Education").
ORG_HEAD_FIRST_NOUNS: Final[tuple[str, ...]] = (
    "department", "ministry", "office", "council", "commission", "board",
)  # fmt: skip

#: Lower-case words allowed inside a name ("Building Schools for the Future",
#: "Policy and Performance Board", "Children & Young People ...").
ORG_CONNECTORS: Final[tuple[str, ...]] = ("for", "of", "the", "and", "&")

#: Capitalised words that do not start a name ("The Board", "This Council").
ORG_START_STOPWORDS: Final[tuple[str, ...]] = (
    "the", "a", "an", "this", "that", "these", "those", "our", "their", "its", "his",
    "her", "each", "all", "any", "both", "every", "i", "we", "it", "to", "from", "for",
    "of", "and", "in", "on", "at", "by", "with", "as", "if", "when", "where", "which",
    "while", "dear", "cc", "re", "subject", "date", "report", "appendix",
    # months and weekdays ("December Transport Committee" is a meeting, not a name)
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday",
)  # fmt: skip

#: Labels we produce ourselves; a pretrained model's other labels pass through.
LABEL_PRIORITY: Final[dict[str, int]] = {
    "PERSON": 0,  # from the parser's people list
    "QUARTER": 1,
    "DATE": 2,
    "MONEY": 3,
    "PERCENT": 4,
    "ORG": 5,
}
#: Priority of entities from a pretrained model's ``ner`` (after all of ours).
MODEL_PRIORITY: Final = 10

# ---------------------------------------------------------------- regexes

#: Multipliers for money units.
MONEY_UNITS: Final[dict[str, int]] = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}

_MONEY_RE: Final = re.compile(
    r"""
    (?=[+\-−–£])                               # cheap guard: a sign or the pound sign
    (?:(?<![\w.,£])(?P<sign>[+\-−–])\s?)?     # +£23.3m / -£111.6m (sign after a space or "(")
    (?<![\w£])£\s?                            # the pound sign
    (?P<number>
        \d{1,3}(?:,\d{3})+(?:\.\d+)?          # 100,000 / 868,500.50
      | \d+(?:\.\d+)?                         # 2.5 / 200
    )
    (?:\s?(?P<unit>bn|billion|mn|million|m|thousand|k)\b)?   # £2.5m, £5 million, £200k
    """,
    re.VERBOSE,
)

_PERCENT_RE: Final = re.compile(
    r"""
    (?=[+\-−\d])(?<![\w.,])                   # cheap guard: a sign or digit starting a number
    (?P<number>[+\-−]?\d+(?:\.\d+)?)          # 18.3 / -2 / 15.9
    (?:
        \s?%                                  # 18.3% / 18.3 %
      | \s+per\s?cent\b                       # 15.9 per cent / percent
      | \s+percent\b
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _trigger_pattern() -> str:
    """One alternative per line, each with its comment (for re.VERBOSE)."""
    alternatives = [
        *(f"{re.escape(a)}    # the acronym {a}" for a in sorted(ORG_ACRONYMS, key=len, reverse=True)),
        *(
            f"{h[0].upper()}(?i:{re.escape(h[1:])})    # the head noun {h.capitalize()}, any case after its capital"
            for h in ORG_HEAD_NOUNS
        ),
    ]
    return "\n| ".join(alternatives) + "\n"


#: What every organisation rule needs somewhere on a line: a known acronym (as
#: written) or a capitalised head noun ("Council", "BOARD"; the heads-first nouns
#: are heads too). spaCy's tokens never span a line break, so a line without one
#: (and without a programme's or a person's name) cannot hold a match, and the
#: blank pipeline is not given it. A pretrained model reads everything.
_TRIGGER_RE: Final = re.compile(_trigger_pattern(), re.VERBOSE)
assert set(ORG_HEAD_FIRST_NOUNS) <= set(ORG_HEAD_NOUNS)

_PARAGRAPH_BREAK_RE: Final = re.compile(r"\n[ \t]*\n")
_LINE_BREAK_RE: Final = re.compile(r"\n")
_SPACE_RE: Final = re.compile(r"\s")


# ---------------------------------------------------------------- pipeline


_CAPITALISED_RE: Final = re.compile(r"[A-Z][A-Za-z'’.\-]*")  # Halton, NHS, Co-operative, St.
_POSSESSIVES: Final = frozenset({"'s", "’s", "'S", "’S"})


def _is_capitalised(word: str) -> bool:
    return _CAPITALISED_RE.fullmatch(word) is not None


def _token_flags(nlp: "Language") -> dict[str, int]:
    """Boolean lexeme flags for the organisation rule, computed once per word.

    Flags are checked in C by the Matcher; set/regex predicates would run
    Python code for every token and every pattern (several times slower).
    """
    heads = frozenset(ORG_HEAD_NOUNS)
    connectors = frozenset(ORG_CONNECTORS)
    stop = frozenset(ORG_START_STOPWORDS) | connectors

    def word(s: str) -> bool:
        return _is_capitalised(s) and s.lower() not in connectors

    def start(s: str) -> bool:
        return _is_capitalised(s) and s.lower() not in stop

    add = nlp.vocab.add_flag
    return {
        "acronym": add(lambda s: s in ORG_ACRONYMS),
        "start": add(start),
        "start_not_head": add(lambda s: start(s) and s.lower() not in heads),
        "word": add(word),
        "word_not_head": add(lambda s: word(s) and s.lower() not in heads),
        "word_or_possessive": add(lambda s: word(s) or s in _POSSESSIVES),
        "head": add(lambda s: _is_capitalised(s) and s.lower() in heads),
        "head_first": add(lambda s: _is_capitalised(s) and s.lower() in ORG_HEAD_FIRST_NOUNS),
        "and": add(lambda s: s.lower() in ("and", "&")),
        "for": add(lambda s: s.lower() in ("for", "of")),
    }


def _org_patterns(flags: dict[str, int]) -> list[dict[str, object]]:
    """EntityRuler patterns for organisations.

    A name is capitalised words ending in a head noun.  Connectors may join
    parts: "and"/"&" after any part ("Policy and Performance Board"), "for"/"of"
    only after two or more words ("Building Schools for the Future Programme",
    not "Performance for Children's Services").  The word before a connector
    is not a head noun ("Acting Early Group and ... Board" is two names), and a
    connector is followed by at least one word before the head.
    """

    def tok(flag: str, op: str | None = None) -> dict[object, object]:
        spec: dict[object, object] = {flags[flag]: True}
        if op:
            spec["OP"] = op
        return spec

    start, start_not_head = tok("start"), tok("start_not_head")
    word, word_not_head, words = tok("word"), tok("word_not_head"), tok("word_or_possessive", "*")
    head = tok("head")
    and_join: list[dict[object, object]] = [tok("and")]
    for_join: list[dict[object, object]] = [tok("for"), {"LOWER": "the", "OP": "?"}]

    one_word = [start_not_head]  # "Policy" (and ...)
    many_words = [start, words, word_not_head]  # "Building Schools" (for ...)
    firsts = [(one_word, and_join), (many_words, and_join), (many_words, for_join)]
    middles = [[word_not_head], [word, words, word_not_head]]
    tail = [word, words, head]

    named: list[list[dict[object, object]]] = [[start, words, head]]  # Halton Borough Council
    for first, join in firsts:
        named.append([*first, *join, *tail])  # Partnership Vision for Education Board
        for middle in middles:
            for join2 in (and_join, for_join):
                # Children & Young People Policy and Performance Board
                named.append([*first, *join, *middle, *join2, *tail])

    patterns: list[dict[str, object]] = [
        # DCSF, Ofsted, NHS ...
        {"label": "ORG", "id": "acronym", "pattern": [tok("acronym")]},
        # Department for Education, Office for National Statistics
        {"label": "ORG", "id": "head_first", "pattern": [tok("head_first"), *for_join, word, tok("word", "*")]},
        *({"label": "ORG", "id": "named", "pattern": p} for p in named),  # type: ignore[list-item]
    ]
    # Every Child Matters, Building Schools for the Future (phrase patterns)
    patterns += [{"label": "ORG", "id": "programme", "pattern": name} for name in NATIONAL_PROGRAMMES]
    return patterns


def _add_ruler(nlp: "Language") -> None:
    before = "ner" if "ner" in nlp.pipe_names else None
    # validate=False: patterns use lexeme flag ids (ints) as keys.
    ruler = nlp.add_pipe(
        "entity_ruler",
        name=RULER_NAME,
        before=before,
        config={"phrase_matcher_attr": "LOWER", "validate": False, "overwrite_ents": False},
    )
    ruler.add_patterns(_org_patterns(_token_flags(nlp)))  # type: ignore[attr-defined]


_NLP_LOCK: Final = threading.Lock()


@functools.cache
def _load(model: str) -> "Language":
    import spacy

    nlp = None
    if model:
        try:
            nlp = spacy.load(model, exclude=list(MODEL_EXCLUDE))
        except Exception as exc:  # not installed, incompatible version ...
            log.warning("spaCy model %r unavailable (%s); using a blank English pipeline", model, exc)
    if nlp is None:
        nlp = spacy.blank(BLANK_LANGUAGE)
    _add_ruler(nlp)
    return nlp


def get_nlp(model: str | None = None) -> "Language":
    """The spaCy pipeline with our rules, loaded once per model name.

    ``model`` defaults to ``$BOARDPAPERS_SPACY_MODEL``, else a blank English
    pipeline.  A model that is not installed falls back to blank (logged).
    """
    name = model if model is not None else os.environ.get(MODEL_ENV_VAR, "")
    with _NLP_LOCK:
        return _load(name.strip())


# ---------------------------------------------------------------- extraction

# A candidate: (start, end, label, value, priority)
_Candidate = tuple[int, int, str, "str | None", int]


def _chunks(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, chunk) pieces of ``text``, cut at paragraph, line or word breaks."""
    start = 0
    n = len(text)
    while n - start > limit:
        window = text[start : start + limit]
        cut = 0
        for pattern in (_PARAGRAPH_BREAK_RE, _LINE_BREAK_RE, _SPACE_RE):
            ends = [m.end() for m in pattern.finditer(window)]
            if ends and ends[-1] > limit // 4:
                cut = ends[-1]
                break
        if cut == 0:
            cut = limit
        yield start, text[start : start + cut]
        start += cut
    if start < n:
        yield start, text[start:]


def _pieces(text: str, phrases: Sequence[str]) -> list[tuple[int, str]]:
    """(offset, piece) runs of whole lines of ``text`` that may hold a match: a
    trigger (:data:`_TRIGGER_RE`) or one of ``phrases`` (lower case) on the line."""
    if not text:
        return []
    lowered = text.lower()
    if len(lowered) != len(text):
        return [(0, text)]  # lower-casing moved offsets: read it all
    starts = [0, *(m.end() for m in _LINE_BREAK_RE.finditer(text))]
    hits = {bisect.bisect_right(starts, m.start()) - 1 for m in _TRIGGER_RE.finditer(text)}
    for phrase in phrases:
        at = lowered.find(phrase)
        while at >= 0:
            hits.add(bisect.bisect_right(starts, at) - 1)
            at = lowered.find(phrase, at + 1)
    out: list[tuple[int, str]] = []
    run_start = run_end = -1
    for line in sorted(hits):
        if line != run_end + 1 and run_start >= 0:
            out.append((starts[run_start], text[starts[run_start] : _line_end(text, starts, run_end)]))
            run_start = -1
        if run_start < 0:
            run_start = line
        run_end = line
    if run_start >= 0:
        out.append((starts[run_start], text[starts[run_start] : _line_end(text, starts, run_end)]))
    return out


def _line_end(text: str, starts: Sequence[int], line: int) -> int:
    """Where line ``line`` ends (before its line break)."""
    return starts[line + 1] - 1 if line + 1 < len(starts) else len(text)


def _money_value(number: str, unit: str | None, sign: str | None) -> str | None:
    try:
        amount = Decimal(number.replace(",", "")) * MONEY_UNITS.get((unit or "").lower(), 1)
    except InvalidOperation:
        return None
    if sign and sign != "+":
        amount = -amount
    if amount == amount.to_integral_value():
        return str(int(amount))
    return format(amount.normalize(), "f")


def _regex_candidates(text: str) -> Iterator[_Candidate]:
    for m in _MONEY_RE.finditer(text):
        value = _money_value(m["number"], m["unit"], m["sign"])
        yield m.start(), m.end(), "MONEY", value, LABEL_PRIORITY["MONEY"]
    for m in _PERCENT_RE.finditer(text):
        number = m["number"].replace("−", "-")
        yield m.start(), m.end(), "PERCENT", number, LABEL_PRIORITY["PERCENT"]
    for start, end, day in find_dates(text):
        yield start, end, "DATE", day.isoformat(), LABEL_PRIORITY["DATE"]
    for q in find_quarters(text):
        value = f"{q.fiscal_year}-Q{q.quarter}" if q.fiscal_year else f"Q{q.quarter}"
        yield q.start, q.end, "QUARTER", value, LABEL_PRIORITY["QUARTER"]


def _doc_candidates(doc: "Doc", offset: int) -> Iterator[_Candidate]:
    for ent in doc.ents:
        ours = ent.label_ in LABEL_PRIORITY and ent.ent_id_ != ""
        priority = LABEL_PRIORITY[ent.label_] if ours else MODEL_PRIORITY
        yield offset + ent.start_char, offset + ent.end_char, ent.label_, None, priority


def _people_candidates(doc: "Doc", offset: int, matcher: object, canonical: dict[str, str]) -> Iterator[_Candidate]:
    for _, start, end in matcher(doc):  # type: ignore[operator]
        span = doc[start:end]
        value = canonical.get(span.text.lower())
        yield offset + span.start_char, offset + span.end_char, "PERSON", value, LABEL_PRIORITY["PERSON"]


def _resolve(candidates: Iterable[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates: longest first, then by label priority."""
    ordered = sorted(candidates, key=lambda c: (-(c[1] - c[0]), c[4], c[0]))
    starts: list[int] = []
    ends: list[int] = []
    kept: list[_Candidate] = []
    for cand in ordered:
        start, end = cand[0], cand[1]
        if end <= start:
            continue
        i = bisect.bisect_left(starts, start)
        if i > 0 and ends[i - 1] > start:
            continue  # overlaps the kept span before it
        if i < len(starts) and starts[i] < end:
            continue  # overlaps the kept span after it
        starts.insert(i, start)
        ends.insert(i, end)
        kept.append(cand)
    kept.sort(key=lambda c: c[0])
    return kept


def extract_entities(
    sections: Sequence[Section],
    *,
    header: str = "",
    people: Sequence[str] = (),
    model: str | None = None,
) -> tuple[Entity, ...]:
    """Entities in the header text and each section's text.

    ``Entity.section`` is None for the header, else the index into
    ``sections``; ``start``/``end`` are character offsets within that text.
    Overlapping spans are resolved longest-first.  ``people`` are names the
    parser found (contact, reporting officer); they are tagged PERSON wherever
    they occur, case-insensitively, with ``value`` set to the name as given.
    """
    from spacy.matcher import PhraseMatcher

    nlp = get_nlp(model)
    texts: list[tuple[int | None, str]] = [(None, header), *((i, s.text) for i, s in enumerate(sections))]

    names = [p.strip() for p in people if p and p.strip()]
    canonical = {n.lower(): n for n in names}
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher_docs = list(nlp.tokenizer.pipe(canonical.values())) if names else []  # type: ignore[union-attr]
    if names:
        matcher.add("PERSON", matcher_docs)

    candidates: list[list[_Candidate]] = [list(_regex_candidates(text)) for _, text in texts]
    if "ner" in nlp.pipe_names:  # a pretrained model reads everything
        parts = [[(0, text)] for _, text in texts]
    else:  # only lines our rules can match on (see _TRIGGER_RE)
        phrases = [p.lower() for p in NATIONAL_PROGRAMMES]
        for pattern in matcher_docs if names else ():
            phrases.append(max((t.lower_ for t in pattern), key=len))
        parts = [_pieces(text, phrases) for _, text in texts]
    pieces = [
        (k, offset + sub, chunk)
        for k, found in enumerate(parts)
        for offset, piece in found
        for sub, chunk in _chunks(piece)
    ]
    docs = nlp.pipe((chunk for _, _, chunk in pieces), batch_size=PIPE_BATCH_SIZE)
    for (k, offset, _), doc in zip(pieces, docs):
        candidates[k].extend(_doc_candidates(doc, offset))
        if names:
            candidates[k].extend(_people_candidates(doc, offset, matcher, canonical))

    out: list[Entity] = []
    for (section, text), found in zip(texts, candidates):
        for start, end, label, value, _ in _resolve(found):
            out.append(Entity(text=text[start:end], label=label, section=section, start=start, end=end, value=value))
    return tuple(out)
