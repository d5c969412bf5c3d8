"""The search query language, parsed into an engine-neutral AST (``pipeline.model.Q*``).

    words              performance monitoring      (all words must match)
    "phrases"          "foster carers"
    operators          AND, OR, NOT (upper case), -word, parentheses
    fields             committee: officer: subject: section: council: doc_type: fy: quarter:
    dates              date:2018  date:2018-01  date:[2017-01-01 TO 2018-12-31]  date:[2017 TO *]
    prefix             recruit*
    fuzzy              recruitmnet~   recruitmnet~1

A field applies to one value (``committee:children``), a phrase
(``committee:"young people"``) or a group (``officer:(strategic OR executive)``).
Lower-case and/or/not are ordinary words. A malformed query raises
:class:`~pipeline.errors.QueryError` naming the column of the problem.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass

from pipeline.errors import QueryError
from pipeline.model import (
    DOC_TYPES,
    SECTION_KINDS,
    QAll,
    QAnd,
    QDateRange,
    QFuzzy,
    QNot,
    QOr,
    QPhrase,
    QPrefix,
    QTerm,
    QueryNode,
)

#: ``field:`` names the language accepts.
QUERY_FIELDS: tuple[str, ...] = (
    "committee",
    "officer",
    "subject",
    "section",
    "council",
    "doc_type",
    "fy",
    "quarter",
    "date",
)
#: Other spellings accepted for a field name.
FIELD_ALIASES: dict[str, str] = {
    "kind": "section",
    "reporting_officer": "officer",
    "type": "doc_type",
    "doctype": "doc_type",
    "year": "fy",
    "fiscal_year": "fy",
    "period": "quarter",
    "meeting_date": "date",
}
#: Fields whose values are words (analysed like the text); the others are exact keywords.
TEXT_FIELDS: frozenset[str] = frozenset({"committee", "officer", "subject", "council"})
#: Other spellings accepted for a section kind.
SECTION_KIND_ALIASES: dict[str, str] = {
    "recommendation": "recommendations",
    "recommended": "recommendations",
    "financial": "financial_implications",
    "legal": "legal_implications",
    "policy": "policy_implications",
    "risk": "risk_analysis",
    "risks": "risk_analysis",
    "equality": "equality_diversity",
    "background": "background_papers",
    "appendices": "appendix",
}
#: Shortest text before ``*`` (a shorter prefix would match most of the index).
MIN_PREFIX_LENGTH = 2
#: Edit distance for ``word~`` without a number: words up to this length allow 1 edit...
FUZZY_SHORT_WORD = 4
#: ...longer words allow this many.
FUZZY_DEFAULT_DISTANCE = 2
#: Largest edit distance ``word~N`` accepts.
FUZZY_MAX_DISTANCE = 3
#: The boolean operators (upper case only; lower case they are words).
OPERATORS: frozenset[str] = frozenset({"AND", "OR", "NOT"})
#: Longest query accepted, in characters (a longer one is a paste gone wrong, not a search).
MAX_QUERY_LENGTH = 4000
#: Most search terms (words, phrases, ranges) in one query, and in one filter option's value:
#: the engines' matchers nest once per term (Whoosh overflows Python's stack near 1,000), and a
#: long OR costs time in proportion to its terms (Whoosh merges each term's postings in every field).
MAX_QUERY_TERMS = 64
#: Deepest nesting of parentheses and NOT/-: the parser and the engines recurse once per level.
MAX_QUERY_DEPTH = 32

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)                       # whitespace between tokens
    | (?P<lparen>\()                    # group open
    | (?P<rparen>\))                    # group close
    | (?P<phrase>"[^"]*")               # a "quoted phrase"
    | (?P<badquote>")                   # a quote that is never closed
    | (?P<range>\[[^\[\]]*\])           # a date range: [2017-01-01 TO 2018-12-31]
    | (?P<badrange>[\[\]])              # a bracket without its partner
    | (?P<field>[A-Za-z_]+):            # field: (its value must follow without a space)
    | (?P<minus>-(?=[\w"(]))            # -word: shorthand for NOT word
    | (?P<word>[^\s()"\[\]]+)           # a word, possibly ending in * or ~N
    """,
    re.VERBOSE,
)

_DATE_VALUE = re.compile(
    r"""
    ^(?:
        (?P<year>\d{4})                          # 2018
        (?:-(?P<month>\d{1,2})                   # 2018-01
           (?:-(?P<day>\d{1,2}))?                # 2018-01-29
        )?
      | (?P<open>\*)                             # * (an open end of a range)
    )$
    """,
    re.VERBOSE,
)

_RANGE_BODY = re.compile(
    r"""
    ^\[\s*
    (?P<start>\S+)           # lower bound (a date or *)
    \s+TO\s+                 # the TO keyword (upper case, as in Lucene)
    (?P<end>\S+)             # upper bound (a date or *)
    \s*\]$
    """,
    re.VERBOSE,
)

_FISCAL_YEAR = re.compile(
    r"""
    ^(?P<y1>\d{4})           # 2017
    \s*[/-]\s*               # / or -
    (?P<y2>\d{2}|\d{4})$     # 18 or 2018
    """,
    re.VERBOSE,
)

_QUARTER = re.compile(
    r"""
    ^(?:
        (?P<y1>\d{4})[/-](?P<y2>\d{2}|\d{4})   # 2017/18 or 2017-18 or 2017/2018
        \s*-?\s*[Qq](?P<q>[1-4])               # -Q2
      | [Qq](?P<q2>[1-4])\s*-?\s*              # Q2 first...
        (?P<y3>\d{4})[/-](?P<y4>\d{2}|\d{4})   # ...then 2017/18
    )$
    """,
    re.VERBOSE,
)

_FUZZY_WORD = re.compile(
    r"""
    (?P<w>.+?)      # the word
    ~               # fuzzy marker
    (?P<n>\d*)      # optional edit distance: recruitmnet~1
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # lparen rparen phrase range field minus word op
    text: str
    pos: int
    end: int


def _fail(message: str, query: str, pos: int) -> QueryError:
    return QueryError(f"{message} at column {pos + 1} of the query", query=query, position=pos)


def _tokens(query: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        assert m is not None  # the word alternative matches any other character
        kind = m.lastgroup or "word"
        if kind == "badquote":
            raise _fail('unclosed quote "', query, pos)
        if kind == "badrange":
            raise _fail(f"unmatched {m.group()!r}", query, pos)
        if kind == "word" and m.group() in OPERATORS:
            kind = "op"
        if kind != "ws":
            out.append(_Token(kind, m.group(), pos, m.end()))
        pos = m.end()
    return out


# ---------------------------------------------------------------- value normalisers


def normalize_fiscal_year(value: str) -> str | None:
    """``2017-18`` / ``2017/2018`` -> ``2017/18``; None when it is not a fiscal year."""
    m = _FISCAL_YEAR.match(value.strip())
    if not m:
        return None
    y1, y2 = int(m["y1"]), m["y2"]
    if int(y2[-2:]) != (y1 + 1) % 100:
        return None
    return f"{y1}/{(y1 + 1) % 100:02d}"


def normalize_quarter(value: str) -> str | None:
    """``2017/18-Q2`` / ``2017-18 Q2`` / ``Q2 2017/18`` -> ``2017/18-Q2``; None if not a quarter."""
    m = _QUARTER.match(value.strip())
    if not m:
        return None
    fy = normalize_fiscal_year(f"{m['y1'] or m['y3']}/{m['y2'] or m['y4']}")
    return f"{fy}-Q{m['q'] or m['q2']}" if fy else None


def normalize_section_kind(value: str) -> str | None:
    """A section kind from its name or an alias (``recommendation`` -> ``recommendations``)."""
    v = value.strip().lower().replace("-", "_").replace(" ", "_")
    v = SECTION_KIND_ALIASES.get(v, v)
    return v if v in SECTION_KINDS else None


def parse_date_bound(value: str, *, upper: bool) -> _dt.date | None:
    """``2018`` / ``2018-01`` / ``2018-01-29`` as the first (or, ``upper``, last) day it covers.

    Returns None for ``*``; raises ValueError when the value is not a date.
    """
    m = _DATE_VALUE.match(value.strip())
    if not m:
        raise ValueError(value)
    if m["open"]:
        return None
    year = int(m["year"])
    if m["month"] is None:
        return _dt.date(year, 12, 31) if upper else _dt.date(year, 1, 1)
    month = int(m["month"])
    if m["day"] is None:
        if not 1 <= month <= 12:
            raise ValueError(value)
        return _dt.date(year, month, calendar.monthrange(year, month)[1] if upper else 1)
    return _dt.date(year, month, int(m["day"]))


# ---------------------------------------------------------------- the parser


class _Parser:
    """Recursive descent over the tokens::

    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*
    unary    := ("NOT" | "-") unary | atom
    atom     := "(" or_expr ")" | field ":" (value | "(" or_expr ")") | value
    """

    def __init__(self, query: str) -> None:
        self.query = query
        if len(query) > MAX_QUERY_LENGTH:
            raise QueryError(
                f"the query is too long: {len(query):,} characters (at most {MAX_QUERY_LENGTH:,})", query=query
            )
        self.toks = _tokens(query)
        self.i = 0
        self.depth = 0  # parentheses and NOTs open around the current token
        terms = [t for t in self.toks if t.kind in ("word", "phrase", "range")]
        if len(terms) > MAX_QUERY_TERMS:
            raise self.fail(
                f"too many search terms: {len(terms):,} (at most {MAX_QUERY_TERMS})", terms[MAX_QUERY_TERMS]
            )

    def nest(self, tok: _Token) -> None:
        """One level deeper (a '(' or a NOT): refuse past :data:`MAX_QUERY_DEPTH`."""
        self.depth += 1
        if self.depth > MAX_QUERY_DEPTH:
            raise self.fail(
                f"the query nests too deeply: more than {MAX_QUERY_DEPTH} levels of parentheses and NOT", tok
            )

    def peek(self) -> _Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, tok: _Token | None) -> QueryError:
        return _fail(message, self.query, tok.pos if tok else len(self.query))

    def parse(self) -> QueryNode:
        if not self.toks:
            raise QueryError("empty query", query=self.query, position=0)
        node = self.or_expr(None)
        tok = self.peek()
        if tok is not None:
            raise self.fail(f"unexpected {tok.text!r}", tok)
        return node

    def or_expr(self, field: str | None) -> QueryNode:
        parts = [self.and_expr(field)]
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text == "OR":
            self.take()
            parts.append(self.and_expr(field))
        return parts[0] if len(parts) == 1 else QOr(tuple(parts))

    def and_expr(self, field: str | None) -> QueryNode:
        parts = [self.unary(field)]
        while (tok := self.peek()) is not None and not (
            tok.kind == "rparen" or (tok.kind == "op" and tok.text == "OR")
        ):
            if tok.kind == "op" and tok.text == "AND":
                self.take()
            parts.append(self.unary(field))
        return parts[0] if len(parts) == 1 else QAnd(tuple(parts))

    def unary(self, field: str | None) -> QueryNode:
        tok = self.peek()
        if tok is None:
            prev = self.toks[self.i - 1] if self.i else None
            what = f"after {prev.text!r}" if prev else ""
            raise self.fail(f"missing a search term {what}".strip(), None)
        if (tok.kind == "op" and tok.text == "NOT") or tok.kind == "minus":
            self.take()
            if self.peek() is None:
                raise self.fail(f"missing a search term after {tok.text!r}", None)
            self.nest(tok)
            node = QNot(self.unary(field))
            self.depth -= 1
            return node
        return self.atom(field)

    def atom(self, field: str | None) -> QueryNode:
        tok = self.take()
        if tok.kind == "op":
            raise self.fail(f"unexpected {tok.text} (it needs a search term on each side)", tok)
        if tok.kind == "rparen":
            raise self.fail("unmatched ')'", tok)
        if tok.kind == "lparen":
            if (nxt := self.peek()) is not None and nxt.kind == "rparen":
                raise self.fail("empty parentheses", tok)
            self.nest(tok)
            node = self.or_expr(field)
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise self.fail("unclosed '('", tok)
            self.take()
            self.depth -= 1
            return node
        if tok.kind == "field":
            if field is not None:
                raise self.fail(f"field {tok.text!r} inside another field's value", tok)
            name = tok.text[:-1].lower()
            name = FIELD_ALIASES.get(name, name)
            if name not in QUERY_FIELDS:
                raise self.fail(f"unknown field {tok.text[:-1]!r} (fields: {', '.join(QUERY_FIELDS)})", tok)
            nxt = self.peek()
            if nxt is None or nxt.pos != tok.end or nxt.kind not in ("word", "phrase", "range", "lparen"):
                raise self.fail(f"missing a value after {tok.text!r}", tok)
            if nxt.kind == "lparen":
                return self.atom(name)
            return self.value(self.take(), name)
        return self.value(tok, field)

    def value(self, tok: _Token, field: str | None) -> QueryNode:
        if tok.kind == "range":
            if field != "date":
                raise self.fail("a [range] is only allowed after date:", tok)
            m = _RANGE_BODY.match(tok.text)
            if not m:
                raise self.fail("a date range looks like [2017-01-01 TO 2018-12-31]", tok)
            start = self.date(m["start"], tok, upper=False)
            end = self.date(m["end"], tok, upper=True)
            if start is None and end is None:
                raise self.fail("date:[* TO *] has no bounds: give a start or an end (date:[2017 TO *])", tok)
            if start and end and start > end:
                raise self.fail("the range's start is after its end", tok)
            return QDateRange(start, end, tok.pos)
        if tok.kind == "phrase":
            text = tok.text[1:-1].strip()
            if not text:
                raise self.fail("empty phrase", tok)
            if field is not None and field not in TEXT_FIELDS:
                return self.keyword(field, text, tok)
            return QPhrase(text, field, tok.pos)
        text = tok.text
        if field == "date":
            return QDateRange(self.date(text, tok, upper=False), self.date(text, tok, upper=True), tok.pos)
        if text == "*" and field is None:
            return QAll()
        fuzzy = _FUZZY_WORD.fullmatch(text)
        if fuzzy:
            word = fuzzy["w"]
            if "*" in word or "~" in word:
                raise self.fail("a word can't be both fuzzy (~) and a prefix (*)", tok)
            if fuzzy["n"]:
                distance = int(fuzzy["n"])
                if not 1 <= distance <= FUZZY_MAX_DISTANCE:
                    raise self.fail(f"fuzzy distance must be 1 to {FUZZY_MAX_DISTANCE}", tok)
            else:
                distance = 1 if len(word) <= FUZZY_SHORT_WORD else FUZZY_DEFAULT_DISTANCE
            return QFuzzy(word, field, distance, tok.pos)
        if "~" in text:
            raise self.fail("'~' only at the end of a word (recruitmnet~)", tok)
        if text.endswith("*"):
            stem = text[:-1]
            if "*" in stem:
                raise self.fail("'*' only at the end of a word (recruit*)", tok)
            if len(stem) < MIN_PREFIX_LENGTH:
                raise self.fail(f"a prefix needs at least {MIN_PREFIX_LENGTH} characters before '*'", tok)
            return QPrefix(stem, field, tok.pos)
        if "*" in text:
            raise self.fail("'*' only at the end of a word (recruit*)", tok)
        if field is not None and field not in TEXT_FIELDS:
            return self.keyword(field, text, tok)
        return QTerm(text, field, tok.pos)

    def keyword(self, field: str, text: str, tok: _Token) -> QueryNode:
        """An exact-valued field: validate and normalise its value."""
        value: str | None
        if field == "section":
            value = normalize_section_kind(text)
            if value is None:
                raise self.fail(f"unknown section kind {text!r} (kinds: {', '.join(SECTION_KINDS)})", tok)
        elif field == "doc_type":
            value = text.lower() if text.lower() in DOC_TYPES else None
            if value is None:
                raise self.fail(f"unknown doc_type {text!r} (types: {', '.join(DOC_TYPES)})", tok)
        elif field == "fy":
            value = normalize_fiscal_year(text)
            if value is None:
                raise self.fail(f"fy:{text} is not a financial year like 2017/18", tok)
        elif field == "quarter":
            value = normalize_quarter(text)
            if value is None:
                raise self.fail(f"quarter:{text} is not a quarter like 2017/18-Q2", tok)
        else:  # pragma: no cover - every keyword field is handled above
            raise self.fail(f"field {field!r} takes words", tok)
        return QTerm(value, field, tok.pos)

    def date(self, text: str, tok: _Token, *, upper: bool) -> _dt.date | None:
        try:
            return parse_date_bound(text, upper=upper)
        except ValueError:
            raise self.fail(f"{text!r} is not a date (use 2018, 2018-01 or 2018-01-29)", tok) from None


def parse_query(query: str) -> QueryNode:
    """Parse a query into the AST; raise :class:`QueryError` (with ``position``) if malformed."""
    return _Parser(query).parse()


def conjoin(*nodes: QueryNode | None) -> QueryNode | None:
    """AND the given nodes together, dropping None and match-alls."""
    parts = [n for n in nodes if n is not None and not isinstance(n, QAll)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else QAnd(tuple(parts))
