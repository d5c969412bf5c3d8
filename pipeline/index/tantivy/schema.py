"""The tantivy index's schema, analyzers and documents, and its files in an index directory.

The documents are the engine-neutral ones (:func:`pipeline.index.documents.documents`),
with two differences of layout: a bare word's fields exist only on the
documents of the kind it searches (:data:`KIND_FIELDS`: a recommendation's
text is ``rec_content``; a section carries its report's subject again as
``section_subject``), so a query of bare words needs no ``doc_kind`` clause
and the field statistics BM25 uses are the target's own; the meeting date is
a day number (:data:`DAY_FIELD`) and each document carries a 64-bit key of
its report (:data:`REPORT_KEY_FIELD`) as fast fields, for ordering and
grouping matches without loading them.

Stemming is Snowball English (Porter2) rather than Whoosh's Porter, so a few
words stem differently; stop words leave a gap in positions (Whoosh
renumbers them).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import tantivy as tv

from pipeline.index.store import Layout
from pipeline.model import Report, report_from_dict

#: The engine name recorded in meta.json.
ENGINE = "tantivy"
#: Bump when the schema (fields, analyzers, document layout) changes.
#: 2: a bare word's fields exist only on the documents of the kind it searches (KIND_FIELDS).
SCHEMA_VERSION = 2
#: The sub-directory of the index directory holding tantivy's files.
INDEX_SUBDIR = f"tantivy_v{SCHEMA_VERSION}"
#: Names of the sub-directories earlier schema versions used.
_SUBDIR = re.compile(
    r"""
    ^tantivy_v(?P<version>\d+)$    # tantivy_v1, tantivy_v2...
    """,
    re.VERBOSE,
)
#: What this code writes.
LAYOUT = Layout(ENGINE, SCHEMA_VERSION, INDEX_SUBDIR)

# Analyzers (registered on every opened index under these names).
#: Stemmed words: ranking, phrases and the words-valued fields.
STEM_TOKENIZER = "bp_stem"
#: Plain lower-cased words (no stop list, no stemming) for prefix and fuzzy matching.
WORDS_TOKENIZER = "bp_words"
#: Snowball stemmer language.
STEM_LANGUAGE = "english"
#: Tokens of the stemmed analyzer: Whoosh's ``\w+(\.?\w+)*`` without one-character words.
STEM_TOKEN_PATTERN = r"""(?x)
      \w+ (?:\.\w+)+     # dotted numbers and words: 2.5m, 18.3
    | \w{2,}             # a word of two or more characters (MIN_TOKEN_LENGTH)
"""
#: Tokens of the plain analyzer: every word, one character or more.
WORDS_TOKEN_PATTERN = r"""(?x)
    \w+ (?:\.\w+)*       # a word, possibly dotted
"""
#: Longer tokens (bytes) are dropped: tantivy can't index a term over 64 KB.
MAX_TOKEN_BYTES = 255
#: Stop words: Whoosh's StemmingAnalyzer list, so both engines drop the same words.
STOP_WORDS: tuple[str, ...] = (
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "by",
    "can",
    "for",
    "from",
    "have",
    "if",
    "in",
    "is",
    "it",
    "may",
    "not",
    "of",
    "on",
    "or",
    "tbd",
    "that",
    "the",
    "this",
    "to",
    "us",
    "we",
    "when",
    "will",
    "with",
    "yet",
    "you",
    "your",
)

# Fields, by how they are indexed.
#: Exact values (ids, paths, vocabularies).
RAW_FIELDS: tuple[str, ...] = (
    "key",
    "doc_kind",
    "report_id",
    "parent_id",
    "path",
    "sha256",
    "fy",
    "quarter",
    "period",
    "doc_type",
    "kind",
    "number",
)
#: Analysed (stemmed) text with positions, stored.
STEMMED_FIELDS: tuple[str, ...] = ("council", "committee", "officer", "subject", "title", "content", "rec_content")
#: Analysed (stemmed) text with positions, not stored.
UNSTORED_STEMMED_FIELDS: tuple[str, ...] = ("recs", "section_subject")
#: Plain words (prefix and fuzzy matching), not stored.
WORDS_FIELDS: tuple[str, ...] = ("words", "rec_words")
# A bare word searches fields that exist only on the documents of the kind it targets, so a query
# of bare words matches nothing else and needs no doc_kind clause (intersecting one with a query
# matching most of the documents costs more than the query itself).
#: Fields a document of a kind writes under another name (a recommendation's text and words)...
KIND_FIELDS: dict[str, dict[str, str]] = {"recommendation": {"content": "rec_content", "words": "rec_words"}}
#: ...and read back under the common name (a hit's ``content``).
STORED_AS: dict[str, str] = {"rec_content": "content"}
#: A section also carries its report's subject here, for bare words (``subject``, on every
#: document, serves ``subject:`` filters).
SECTION_SUBJECT_FIELD = "section_subject"
#: Stored integers.
INT_FIELDS: tuple[str, ...] = ("page", "section_index")
#: The meeting date as a day number (``date.toordinal``): ranges, sorting, stored.
DAY_FIELD = "meeting_day"
#: A 64-bit hash of the report id (fast field): grouping and collapsing matches by report.
REPORT_KEY_FIELD = "report_key"
#: The stored record (JSON bytes) of a report document.
RECORD_FIELD = "record"


def build_schema() -> tv.Schema:
    """The tantivy schema of the documents (see the module docstring for how fields are indexed)."""
    sb = tv.SchemaBuilder()
    for name in RAW_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    for name in STEMMED_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name=STEM_TOKENIZER, index_option="position")
    for name in UNSTORED_STEMMED_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name=STEM_TOKENIZER, index_option="position")
    for name in WORDS_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name=WORDS_TOKENIZER, index_option="freq")
    for name in INT_FIELDS:
        sb.add_integer_field(name, stored=True)
    sb.add_integer_field(DAY_FIELD, stored=True, indexed=True, fast=True)
    sb.add_unsigned_field(REPORT_KEY_FIELD, indexed=False, fast=True)
    sb.add_bytes_field(RECORD_FIELD, stored=True)
    return sb.build()


@functools.cache  # built once a process: every open of an index registers them
def stem_analyzer() -> tv.TextAnalyzer:
    """Stemmed words, stop words dropped (a gap left where they were)."""
    return (
        tv.TextAnalyzerBuilder(tv.Tokenizer.regex(STEM_TOKEN_PATTERN))
        .filter(tv.Filter.lowercase())
        .filter(tv.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tv.Filter.custom_stopword(list(STOP_WORDS)))
        .filter(tv.Filter.stemmer(STEM_LANGUAGE))
        .build()
    )


@functools.cache
def words_analyzer() -> tv.TextAnalyzer:
    """Plain lower-cased words: prefix and fuzzy matching."""
    return (
        tv.TextAnalyzerBuilder(tv.Tokenizer.regex(WORDS_TOKEN_PATTERN))
        .filter(tv.Filter.lowercase())
        .filter(tv.Filter.remove_long(MAX_TOKEN_BYTES))
        .build()
    )


@dataclass(frozen=True, slots=True)
class Token:
    """One token of an analysed text."""

    start: int  # character offsets in the analysed text
    end: int
    position: int
    text: str  # the term


def analyse(analyzer: tv.TextAnalyzer, text: str) -> list[Token]:
    """The tokens an analyzer makes of a text."""
    return [Token(t.char_offset_from, t.char_offset_to, t.position, t.text) for t in analyzer.pre_tokenize(text).tokens]


def report_key(report_id: str) -> int:
    """The 64-bit key a report's documents share (grouping by report without loading them)."""
    return int.from_bytes(hashlib.blake2b(report_id.encode("utf-8"), digest_size=8).digest(), "big")


def to_document(fields: dict[str, Any]) -> tv.Document:
    """A tantivy document from one of :func:`pipeline.index.documents.documents`' dicts (fields renamed by kind)."""
    doc = tv.Document()
    renamed = KIND_FIELDS.get(fields.get("doc_kind", ""), {})
    for name, value in fields.items():
        if value is None:
            continue
        name = renamed.get(name, name)
        if name == "meeting_date":
            doc.add_integer(DAY_FIELD, value.toordinal())
        elif name == RECORD_FIELD:
            doc.add_bytes(RECORD_FIELD, value.encode("utf-8"))
        elif name in INT_FIELDS:
            doc.add_integer(name, int(value))
        else:
            doc.add_text(name, str(value))
    if fields.get("doc_kind") == "section" and fields.get("subject"):
        doc.add_text(SECTION_SUBJECT_FIELD, str(fields["subject"]))
    doc.add_unsigned(REPORT_KEY_FIELD, report_key(fields["report_id"]))
    return doc


def stored(doc: tv.Document) -> dict[str, Any]:
    """A stored document as the flat dict :func:`pipeline.index.documents.hit` reads."""
    out: dict[str, Any] = {STORED_AS.get(name, name): values[0] for name, values in doc.to_dict().items() if values}
    day = out.pop(DAY_FIELD, None)
    out["meeting_date"] = None if day is None else _dt.date.fromordinal(day)
    return out


def subdirs(path: Path) -> set[str]:
    """Names of the tantivy indexes (one per schema version) in a directory."""
    if not path.is_dir():
        return set()
    return {name for name in os.listdir(path) if _SUBDIR.match(name) and (path / name / "meta.json").exists()}


def engine_failure(exc: BaseException) -> bool:
    """An error from tantivy, Rust panics included (pyo3 raises those as a BaseException)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def open_dir(directory: Path) -> tv.Index:
    """The tantivy index in ``directory``, with this engine's analyzers registered."""
    ix = tv.Index.open(str(directory))
    ix.register_tokenizer(STEM_TOKENIZER, stem_analyzer())
    ix.register_tokenizer(WORDS_TOKENIZER, words_analyzer())
    return ix


def create_dir(directory: Path) -> tv.Index:
    """A new, empty tantivy index in ``directory`` (made if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    tv.Index(build_schema(), path=str(directory), reuse=False)
    return open_dir(directory)


def match_count(result: tv.SearchResult) -> int:
    """The count of every match that a search made with ``count=True`` carries (tantivy's type stub omits it)."""
    return result.count  # type: ignore[attr-defined]


def count_matches(searcher: tv.Searcher, query: tv.Query) -> int:
    """How many documents match a query (counted by tantivy, none read)."""
    return match_count(searcher.search(query, limit=1, count=True))


def read_records(directory: Path) -> Iterator[Report]:
    """The stored records of an index, one at a time."""
    ix = open_dir(directory)
    searcher = ix.searcher()
    query = tv.Query.term_query(ix.schema, "doc_kind", "report")
    n = count_matches(searcher, query)
    if not n:
        return
    for _, addr in searcher.search(query, limit=n, count=False).hits:
        yield report_from_dict(json.loads(bytes(searcher.doc(addr)[RECORD_FIELD][0]).decode("utf-8")))
