"""Comparing two wordings: the words they share, and what changed from one to the next.

    from pipeline.search.wording import mark_shared, word_changes
    mark_shared("index", draft, passage)       # the draft with the words the passage shares in [[ ]]
    word_changes(earlier, later)               # (WordChange("same", "Receive the"), WordChange("removed", ...), ...)

``mark_shared`` compares words as the index sees them (stemmed, stop words
dropped: ``pipeline.search.similar`` marks the passage's side the same way);
``word_changes`` compares the words as written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from pipeline.index import MARK_CLOSE, MARK_OPEN
from pipeline.search import _opened

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.index import Index

#: Kinds of step in a word-by-word comparison.
CHANGE_OPS: tuple[str, ...] = ("same", "added", "removed")

_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class WordChange:
    op: str  # one of CHANGE_OPS
    text: str  # the words, joined by single spaces


def unmarked(text: str) -> str:
    """A snippet without its [[ ]] marks."""
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def mark_shared(index_dir: str | os.PathLike[str] | Index, text: str, other: str) -> str:
    """``text`` with each run of words whose index term also occurs in ``other`` wrapped in [[ ]].

    A run is consecutive index terms (stop words between them join it), as
    ``pipeline.search.similar`` marks a passage. Marks in ``other`` (a
    snippet) are ignored.
    """
    with _opened(index_dir) as ix:
        wanted = {term for _, _, term in ix.terms(unmarked(other))}
        terms = ix.terms(text)
    merged: list[tuple[int, int]] = []
    previous = -2
    for k, (s, e, term) in enumerate(terms):
        if term not in wanted:
            continue
        if previous == k - 1 and merged:  # consecutive shared terms (stop words between): one mark
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
        previous = k
    out, pos = [], 0
    for s, e in merged:
        out += [text[pos:s], MARK_OPEN, text[s:e], MARK_CLOSE]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def word_changes(before: str, after: str) -> tuple[WordChange, ...]:
    """How ``after`` reads against ``before``, word by word (case and punctuation as written)."""
    a, b = _WORD.findall(before), _WORD.findall(after)
    out: list[WordChange] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(WordChange("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(WordChange("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(WordChange("added", " ".join(b[j1:j2])))
    return tuple(out)
