"""Headings and sections: found by numbering, layout (bold, size, capitals) and text.

A heading is a short, title-like line: numbered ("1.0 PURPOSE", "6.3 A Healthy
Halton", "3. Background") or standing alone in capitals, bold or a larger
font. A heading may carry text on its line ("2.0 RECOMMENDATION: That ...",
"CONTACT: Karen ...", "6.3 A Healthy Halton Not applicable."): it is split into
title and text. Numbered paragraphs ("1.1 To provide ...") are not headings.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pipeline.model import Line

# ---------------------------------------------------------------- vocabulary

#: Section kinds by title, first match wins (order matters: "background papers"
#: before "background").
KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE | re.VERBOSE))
    for kind, pattern in (
        ("background_papers", r"background\s+(?:papers|documents|reading)|list\s+of\s+background|section\s+100d"),
        ("other", r"^reasons?\s+for\s+(?:the\s+)?(?:recommendations?|decision)"),
        ("recommendations", r"recommend|^resolution|decisions?\s+(?:required|sought)|^proposals?$"),
        ("purpose", r"^purpose|^aims?\s+of\s+(?:the\s+)?report|^reason\s+for\s+(?:the\s+)?report"),
        ("summary", r"summary|^overview$|^introduction$"),
        (
            "priority_implications",
            r"(?:council|corporate|strategic)(?:'s)?\s+priorit|implications\s+for\s+the\s+council|corporate\s+strategy",
        ),
        ("policy_implications", r"policy\s+implications|^policy\b"),
        (
            "financial_implications",
            r"financ|budget\s+implications|resource\s+implications|value\s+for\s+money|cost\s+implications",
        ),
        ("legal_implications", r"legal|constitutional\s+implications"),
        ("equality_diversity", r"equalit|diversity|inclusion\s+implications|eq?ia\b"),
        ("climate_implications", r"climate|environmental\s+implications|sustainability|carbon"),
        ("risk_analysis", r"\brisks?\b"),
        (
            "other_implications",
            r"other\s+implications|^implications$|human\s+resources|\bhr\b|data\s+protection|procurement|property\s+implications|\bit\b\s+implications|implications\s+on\s+it",
        ),
        ("other", r"^consultation|^engagement|^alternative\s+options"),
        ("contact", r"\bcontacts?\b(?!\s+with)|report\s+authors?"),
        ("conclusion", r"conclusion|^next\s+steps"),
        ("appendix", r"^appendi"),
    )
)
DEFAULT_KIND = "supporting_information"

#: Section numbering: "1.0", "6.3", "10.0", "3.", "2", "1.1.", "A.".
NUMBER_RE = re.compile(
    r"""
    ^(?P<num>
        \d{1,2}(?:\.\d{1,2}){1,3}\.?      # 1.0  6.3  1.1.2  1.1.
      | \d{1,2}\.?                        # 3.   3
    )
    \s+(?P<rest>\S.*)$
    """,
    re.VERBOSE,
)

#: Text after a colon that makes a decision, not a title: "RECOMMENDATION: That the Board ...".
RUN_IN_DECISION = re.compile(r"^(?:that|to)\b", re.IGNORECASE)
#: A lettered line: "(a) Equal Opportunities", "b) Risk Management".
LETTERED_RE = re.compile(
    r"""
    ^\(?(?P<letter>[a-z])\)   # (a) or a)
    \s+(?P<rest>\S.*)$
    """,
    re.VERBOSE,
)

#: Lines that are never titles, though short.
NOT_TITLES: frozenset[str] = frozenset(
    {"none", "not applicable", "n/a", "nil", "none.", "not applicable.", "yes", "no", "tbc", "page"}
)
#: A stock reply run in after a title: "A Healthy Halton Not applicable."
NOT_TITLE_TAIL = re.compile(
    r"""
    \s+(?:not\s+applicable|none|n/a|nil|no\s+(?:\w+\s+){0,3}implications?(?:\s+identified)?)\.?\s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: What a stock reply (NOT_TITLE_TAIL) ends with, before an optional full stop: a cheap test first.
NOT_TITLE_TAIL_ENDS: tuple[str, ...] = ("applicable", "none", "n/a", "nil", "implication", "implications", "identified")
#: A title does not end in a word that needs another after it ("Report of the").
DANGLING_WORD = re.compile(
    r"""
    \b(?:and|or|of|the|to|for|with)$    # a conjunction, preposition or article last
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: A form's question answered on its line: "Is the decision eligible for call-in? Yes".
FORM_QUESTION = re.compile(r"\?\s*(?:yes|no|n/a)\b", re.IGNORECASE)
#: Form check boxes: a line holding them is a form row, not a heading.
CHECKBOXES = re.compile("[\u2610\u2611\u2612]")
#: A "numbered" line that is really a date: "19 March 2026".
DATE_START = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{2,4}\b", re.IGNORECASE
)
#: A numbered top-level line this short may be a heading in sentence case.
SHORT_HEADING_WORDS = 5
#: A recommendation's lead-in, not a heading: "The Audit and Risk Committee:", "That Cabinet:".
LEADIN_START = re.compile(r"^(?:the|that|this|members|it\s+is)\b", re.IGNORECASE)
#: A lead-in asking a body to decide, wherever it starts: "Committee is recommended to:",
#: "The Committee is asked to RESOLVE that", "Cabinet is requested to".
LEADIN_PHRASE = re.compile(
    r"""
    \b(?:is|are)\s+(?:recommended|asked|requested|invited|minded)\s+to\b   # "... is asked to"
    | \b(?:resolve[sd]?|recommends?)\s+that\s*:?\s*$                     # "... RESOLVE that:" last
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: A recommendations label run into its value with no colon, as a header table's cells come
#: out of a text export: "Recommendations It is RECOMMENDED that Council supports ...".
TABLE_LABEL_RUN_IN = re.compile(
    r"""
    ^(?P<title>recommendations?|recommended|decisions?\s+(?:required|sought))   # the label cell
    \s+(?P<text>(?:it\s+is|that)\b.*)$                                       # a lead-in starts the value
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: Quotation marks: a line opening a quotation it does not close is quoted prose.
OPENING_QUOTES = "“\"‘'"
CLOSING_QUOTES = "”\"’'"
#: A parenthetical in a title ("SUBJECT HISTORY (last 3 years)"): left out when judging capitals.
PARENTHETICAL = re.compile(r"\([^)]*\)")
#: Small words ignored when judging title case.
MINOR_WORDS: frozenset[str] = frozenset(
    "a an and or the of for to in on at by with from as into under within s its it is be are this that".split()
)
#: A title has at most this many words...
TITLE_MAX_WORDS = 16
#: ...and at most this many characters.
TITLE_MAX_CHARS = 130
#: Share of capitalised content words that makes a line title case.
TITLE_CASE_RATIO = 0.6
#: A font this many points above the body size marks a heading.
LARGER_FONT_POINTS = 1.0
#: A run-in title ("RECOMMENDATION: That ...") has at most this many words.
RUN_IN_MAX_WORDS = 8

#: Pseudo-headings that are layout rather than structure (table captions, sign-offs).
NON_HEADING_PATTERNS = re.compile(
    r"""
    ^(?:figure|table|chart|source|note|notes|signed|signature|date|tel|telephone|email|e-mail|page)\b  # captions, sign-off
    | ^(?:agenda\s+item|item)\s+\d                       # agenda stamps
    | ^\W+$                                             # punctuation only
    | (?:manager|partner|leader|adviser|advisor|architect|accountant|solicitor)$  # sign-off roles
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Heading:
    number: str | None
    title: str
    text: str  # run-in text that follows the title on the same line
    level: int
    line: Line
    strong: bool  # bold, a markdown heading, a larger font or capitals


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'’\-]*", text)


def _may_end_in_reply(text: str) -> bool:
    """Could NOT_TITLE_TAIL match at the end of ``text``? (Its words, an optional stop, spaces.)"""
    tail = text.rstrip()
    if tail.endswith("."):
        tail = tail[:-1]
    return tail.casefold().endswith(NOT_TITLE_TAIL_ENDS)


def is_caps(text: str) -> bool:
    """At least three letters, nine in ten of them capitals."""
    letters = list(filter(str.isalpha, text))  # C-level loops: called on every line
    return len(letters) >= 3 and sum(map(str.isupper, letters)) >= 0.9 * len(letters)


def is_title_case(text: str) -> bool:
    words = [w for w in _words(text) if w.lower() not in MINOR_WORDS]
    if not words:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= TITLE_CASE_RATIO


def title_like(text: str, *, strong: bool) -> bool:
    t = text.strip()
    if len(t) > TITLE_MAX_CHARS or len(t.split()) > TITLE_MAX_WORDS:
        return False  # first: the cheapest test, and most lines are prose
    if not t or t.lower().strip(" .:") in NOT_TITLES or NON_HEADING_PATTERNS.search(t):
        return False
    if not (t[0].isupper() or t[0].isdigit() or t[0] in "'‘\"“"):
        return False
    if t.endswith((",", ";", "-", "–", "—")) or not strong and DANGLING_WORD.search(t):
        return False
    if t.endswith(".") and not strong:
        return False
    if len(_words(t)) == 0:
        return False
    if _may_end_in_reply(t) and NOT_TITLE_TAIL.fullmatch(" " + t):
        return False  # "No financial implications identified": a stock reply, all of it
    return strong or is_caps(t) or is_title_case(t)


def number_level(number: str) -> int:
    parts = [p for p in number.strip(".").split(".") if p]
    if len(parts) >= 2 and all(p == "0" for p in parts[1:]):
        return 1
    return len(parts)


@functools.lru_cache(maxsize=4096)
def classify_kind(title: str, parent_kind: str | None = None, *, level: int = 1) -> str:
    """The kind of a section by its title (cached: papers repeat their headings)."""
    t = re.sub(r"\s+", " ", title.strip())
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(t):
            return kind
    if level > 1 and parent_kind:
        return parent_kind
    return DEFAULT_KIND


def _bold_prefix(line: Line, after: int) -> tuple[str, str] | None:
    """Split a line whose first spans (after ``after`` characters) are bold and the rest not."""
    if not line.spans:
        return None
    consumed = 0
    bold_parts: list[str] = []
    rest_parts: list[str] = []
    for span in line.spans:
        start = consumed
        consumed += len(span.text) + 1
        if consumed <= after:
            continue
        piece = span.text if start >= after else span.text[after - start :]
        if not rest_parts and span.bold:
            bold_parts.append(piece)
        else:
            rest_parts.append(piece)
    if bold_parts and rest_parts:
        return " ".join(bold_parts).strip(), " ".join(rest_parts).strip()
    return None


def caps_title(text: str) -> bool:
    """A title in capitals, a parenthetical aside ("(last 3 years)") allowed in lower case."""
    return is_caps(PARENTHETICAL.sub("", text) if "(" in text else text)


def _all_bold(line: Line) -> bool:
    """Every span of a PDF line bold (a title throughout, not a bold lead-in)."""
    return bool(line.size) and line.bold and all(sp.bold for sp in line.spans if sp.text.strip())


def detect_heading(line: Line, *, body_size: float = 0.0) -> Heading | None:
    """Is ``line`` a heading? Returns its number, title, run-in text and level."""
    text = line.text.strip()
    if ("?" in text and FORM_QUESTION.search(text)) or CHECKBOXES.search(text):
        return None
    if text[:1] in OPENING_QUOTES and not any(q in text[1:] for q in CLOSING_QUOTES):
        return None  # "“Effective scrutiny should have ...": a quotation that runs on
    body = text.rstrip(" :")
    if LEADIN_PHRASE.search(body.split(":", 1)[0] if ":" in body else text):
        return None  # "Committee is recommended to:" leads into the recommendations ("Recommendation: ..." may)
    larger = bool(body_size and line.size and line.size >= body_size + LARGER_FONT_POINTS)
    strong_layout = line.bold or line.md_level > 0 or larger
    m = NUMBER_RE.match(text)
    if m and DATE_START.match(m.group("rest")):
        return None  # "19 March 2026" is a date, not section 19
    if m:
        number = m.group("num").rstrip(".") if re.search(r"\.\d", m.group("num")) else m.group("num")
        rest = m.group("rest").strip()
        after = m.start("rest")
        level = number_level(number)
        # "6.3 A Healthy Halton Not applicable." -> bold title then text
        split = _bold_prefix(line, after)
        if split and (split[1][:1] in "-–—" or split[1][:1].islower()):
            return None  # a bold lead-in to a list item: "Homes and communities – the scheme ..."
        if split and title_like(split[0].rstrip(":"), strong=True):
            title, run_in = split
            run_in = run_in.lstrip(": ")
            if level >= 2 and not NOT_TITLE_TAIL.fullmatch(" " + run_in):
                return None  # "2.3 Transition Gap: Young adults ..." leads a paragraph
            return Heading(number.rstrip("."), title.rstrip(" :"), run_in, level, line, True)
        # "2.0 RECOMMENDATION: That the Board ..."
        rm = re.match(r"^(?P<title>[^:]{2,80}?)\s*:\s*(?P<text>.*)$", rest)
        if rm and is_caps(rest) and len(rest.split()) <= RUN_IN_MAX_WORDS and title_like(rest, strong=True):
            # "6.0 RESOURCE IMPLICATIONS: ICT, STAFFING AND ASSETS": all capitals, all title
            return Heading(number.rstrip("."), re.sub(r"\s+", " ", rest), "", level, line, True)
        after_colon = rm.group("text").strip() if rm else ""
        if (
            rm
            and _all_bold(line)
            and title_like(rest, strong=True)
            and after_colon
            and not RUN_IN_DECISION.match(after_colon)
            and len(after_colon.split()) <= RUN_IN_MAX_WORDS
            and is_title_case(after_colon)
        ):
            # "3.0 Chorlton: The Public Consultation Process", bold throughout: all title
            return Heading(number.rstrip("."), re.sub(r"\s+", " ", rest), "", level, line, True)
        plain_lead_in = rm and rm.group("text") and not strong_layout and not is_caps(rm.group("title"))
        if plain_lead_in and level >= 2 and line.size:
            return None  # "8.2. Addressing Inequality: The proposals were ...": a paragraph's lead-in
        if (
            rm
            and len(rm.group("title").split()) <= RUN_IN_MAX_WORDS
            and (is_caps(rm.group("title")) or strong_layout or is_title_case(rm.group("title")))
            and title_like(rm.group("title"), strong=True)
        ):
            return Heading(number.rstrip("."), rm.group("title").strip(), rm.group("text").strip(), level, line, True)
        # "6.3 A Healthy Halton Not applicable." -> the title, then a stock reply
        tail = NOT_TITLE_TAIL.search(rest) if _may_end_in_reply(rest) else None
        if tail and title_like(rest[: tail.start()], strong=False):
            return Heading(number.rstrip("."), rest[: tail.start()].strip(), tail.group(0).strip(), level, line, False)
        strong = strong_layout or is_caps(rest)
        if title_like(rest, strong=strong) and (strong or len(rest.split()) <= 10):
            return Heading(number.rstrip("."), rest, "", level, line, strong)
        # "1. Apologies for absence": a short top-level item in sentence case.
        if (
            level == 1
            and len(rest.split()) <= SHORT_HEADING_WORDS
            and rest[:1].isupper()
            and not rest.rstrip().endswith((".", ",", ";", ":"))
            and title_like(rest, strong=True)
        ):
            return Heading(number.rstrip("."), rest, "", level, line, False)
        return None
    if not line.size and (tm := TABLE_LABEL_RUN_IN.match(text)):
        return Heading(None, tm.group("title"), tm.group("text").strip(), 1, line, True)
    lm = LETTERED_RE.match(text)
    if lm and _all_bold(line) and title_like(lm.group("rest"), strong=True):
        # "(a) Equal Opportunities" in bold: a lettered sub-heading (its letter is not a section number)
        return Heading(None, re.sub(r"\s+", " ", lm.group("rest")), "", 2, line, True)
    # Unnumbered: "PURPOSE", "Summary:", "CONTACT: Karen Oellermann, ..."
    rm = re.match(r"^(?P<title>[^:]{2,60}?)\s*:\s*(?P<text>.*)$", text)
    if rm and rm.group("text") and len(rm.group("title").split()) <= RUN_IN_MAX_WORDS:
        title = rm.group("title").strip()
        bold_title = _bold_prefix(line, 0)
        known = classify_kind(title) != DEFAULT_KIND
        plain_text = line.size == 0.0 and not LEADIN_START.match(title)  # a text file: no bold to go by
        if (
            is_caps(title)
            or ((line.bold or plain_text or (bold_title and bold_title[0].rstrip(" :") == title)) and known)
        ) and title_like(title, strong=True):
            return Heading(None, title, rm.group("text").strip(), 1, line, True)
        return None  # "Employee Costs: ..." is a bold lead-in to a paragraph
    title = text.rstrip(" :").strip()
    strong = strong_layout or (line.italic and not text.endswith(".")) or caps_title(title)
    # "Officer Recommendations:" alone on its line in a text file
    if (
        not strong
        and line.size == 0.0
        and text.endswith(":")
        and classify_kind(title) != DEFAULT_KIND
        and not LEADIN_START.match(title)
        and len(title.split()) <= SHORT_HEADING_WORDS
    ):
        strong = title_like(title, strong=True)
    if strong and title_like(title, strong=True):
        return Heading(None, title, "", 1, line, True)
    return None


def continues_heading(heading: Heading, nxt: Line, *, body_size: float = 0.0) -> bool:
    """Does ``nxt`` carry on a heading that wrapped ("... LOCAL GOVERNMENT" / "ACT 1972")?"""
    if heading.text or nxt.page != heading.line.page:
        return False
    if NUMBER_RE.match(nxt.text) or ":" in nxt.text:
        return False
    if heading.line.size:  # PDF: same style, directly below, left edge within the title
        gap = nxt.top - heading.line.bottom
        if gap > 0.6 * heading.line.size or abs(nxt.size - heading.line.size) > 0.5:
            return False
        if heading.line.bold != nxt.bold or nxt.x0 < heading.line.x0 - 2:
            return False
    else:
        return False
    if is_caps(heading.title) and not is_caps(nxt.text):
        return False
    combined = f"{heading.title} {nxt.text}"
    if nxt.text.rstrip().endswith(".") and not (heading.line.bold and nxt.bold):
        return False
    return len(combined.split()) <= TITLE_MAX_WORDS + 4
