"""The Whoosh index's schema and analyzers, and its files in an index directory."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pipeline.index.fields import MIN_TOKEN_LENGTH
from pipeline.index.store import Layout

#: The engine name recorded in meta.json.
ENGINE = "whoosh"
#: Bump when the schema (fields, analyzers, document layout) changes.
#: 2: the ``words`` field counts its words in one pass (:class:`_WordCounts`); same postings.
SCHEMA_VERSION = 2
#: How every version's Whoosh index name starts: indexes not so named are another program's, never
#: opened, rebuilt or removed.
INDEX_NAME_PREFIX = "boardpapers"
#: Whoosh index name (its files are ``_<name>_<gen>.toc`` and ``<name>_*.seg``).
INDEX_NAME = f"{INDEX_NAME_PREFIX}_v{SCHEMA_VERSION}"
#: What this code writes.
LAYOUT = Layout(ENGINE, SCHEMA_VERSION, INDEX_NAME)
#: Whoosh can pack a segment's files into one compound file, but its reader then copies each
#: packed file whole into memory every time a reader opens (a 200 MB segment: 200 MB and a
#: fraction of a second per open, and ingest opens readers at every commit). Plain files are read
#: in place.
WRITE_COMPOUND = False
#: Megabytes of postings (as Whoosh counts them) a writer sorts in memory before spilling a run
#: to disk. Whoosh's default (128) costs several times that in Python objects.
WRITER_POOL_MB = 128
#: The module the ``words`` field's format class is pickled under in a table of contents
#: (``pipeline.index._WordCounts``, a module ``__getattr__``): indexes written by earlier
#: releases name it so, and new ones must open in them.
WORD_COUNTS_MODULE = "pipeline.index"

_TOC = re.compile(
    r"""
    ^_(?P<name>.+)_(?P<gen>\d+)\.toc$    # a Whoosh table of contents: _<indexname>_<generation>.toc
    """,
    re.VERBOSE,
)


def analyzers() -> tuple[Any, Any]:
    """(stemming analyzer, plain-words analyzer)."""
    from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer

    # Stemming for ranking and phrases (the stop filter renumbers positions, so
    # "performance of the board" still matches as a phrase); plain lower-cased
    # words, no stop list, for prefix and fuzzy matching.
    stem = StemmingAnalyzer(minsize=MIN_TOKEN_LENGTH)
    exact = StandardAnalyzer(stoplist=None, minsize=1)
    return stem, exact


_word_counts_class: Any = None


def word_counts() -> Any:
    """The ``words`` field's posting format class: Whoosh's ``Frequency``, counted in one pass.

    Whoosh's ``Frequency`` runs every token through Python-level token
    objects and two dictionaries; for a plain analyzer (a regex tokenizer and
    a lower-case filter, which is what ``words`` has) the same counts come
    from the regex's matches and a ``Counter``. The postings written are the
    same: (word, frequency, frequency x field boost, packed frequency).
    Made on first use (Whoosh is imported lazily) and reached as
    ``pipeline.index._WordCounts`` (:data:`WORD_COUNTS_MODULE`), so the
    schema pickled in an index's table of contents can name it.
    """
    global _word_counts_class
    if _word_counts_class is None:
        from collections import Counter

        from whoosh.formats import Frequency
        from whoosh.system import pack_uint

        class _WordCounts(Frequency):
            def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
                finditer = _plain_finditer(analyzer)
                if finditer is None or not isinstance(value, str):
                    return super().word_values(value, analyzer, **kwargs)
                fb = self.field_boost
                counts = Counter(m.group(0).lower() for m in finditer(value))
                return ((w, f, f * fb, pack_uint(f)) for w, f in counts.items())

        _WordCounts.__module__ = WORD_COUNTS_MODULE
        _WordCounts.__qualname__ = "_WordCounts"
        _word_counts_class = _WordCounts
    return _word_counts_class


def _plain_finditer(analyzer: Any) -> Any:
    """``finditer`` of the analyzer's regex when it is exactly tokenizer + lower-case filter, else None."""
    from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, RegexTokenizer

    if not isinstance(analyzer, CompositeAnalyzer) or len(analyzer.items) != 2:
        return None
    tokenizer, lower = analyzer.items
    if type(tokenizer) is not RegexTokenizer or tokenizer.gaps or type(lower) is not LowercaseFilter:
        return None
    return tokenizer.expression.finditer


def build_schema() -> Any:
    """The Whoosh schema of the documents :func:`pipeline.index.documents.documents` makes."""
    from whoosh import fields as F

    stem, exact = analyzers()
    words = F.TEXT(analyzer=exact, phrase=False)
    words.format = word_counts()()
    return F.Schema(
        key=F.ID(stored=True, unique=True),  # "<id>" | "<id>#s<n>" | "<id>#r<n>"
        doc_kind=F.ID(stored=True),
        report_id=F.ID(stored=True, sortable=True),
        parent_id=F.ID(stored=True),
        path=F.ID(stored=True),
        sha256=F.ID(stored=True),
        council=F.TEXT(analyzer=stem, stored=True),
        committee=F.TEXT(analyzer=stem, stored=True),
        officer=F.TEXT(analyzer=stem, stored=True),
        subject=F.TEXT(analyzer=stem, stored=True),
        fy=F.ID(stored=True),
        quarter=F.ID(stored=True),
        period=F.STORED(),
        meeting_date=F.DATETIME(stored=True, sortable=True),
        doc_type=F.ID(stored=True),
        kind=F.ID(stored=True),
        number=F.STORED(),
        title=F.TEXT(analyzer=stem, stored=True),
        page=F.STORED(),
        section_index=F.STORED(),
        content=F.TEXT(analyzer=stem, stored=True),
        recs=F.TEXT(analyzer=stem),
        words=words,
        record=F.STORED(),
    )


def index_names(path: Path, *, ours: bool = True) -> set[str]:
    """Names of the Whoosh indexes in a directory: boardpapers' own (:data:`INDEX_NAME_PREFIX`), or with
    ``ours=False`` all of them (another program may keep one beside ours)."""
    if not path.is_dir():
        return set()
    names = {m["name"] for f in os.listdir(path) if (m := _TOC.match(f))}
    return {n for n in names if n.startswith(INDEX_NAME_PREFIX)} if ours else names


def remove_index(path: Path, name: str) -> None:
    """Delete one Whoosh index's files (other files in the directory are left alone)."""
    for f in os.listdir(path):
        if f.startswith(f"_{name}_") or f.startswith(f"{name}_"):
            try:
                os.remove(path / f)
            except OSError:  # pragma: no cover - e.g. still open elsewhere
                pass
