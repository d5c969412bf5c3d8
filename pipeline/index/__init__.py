"""The index seam: open or create an archive's index by engine name (temporary re-exports)."""

from __future__ import annotations

from typing import Any

from pipeline.index._whoosh_all import (
    DEFAULT_ENGINE,
    ENGINES,
    STAGING_DIR,
    Index,
    MergeHelpers,
    make_snippet,
    open_index,
    run_lock,
)


def __getattr__(name: str) -> Any:
    # Whoosh indexes written before the move pickle ``pipeline.index._WordCounts``.
    from pipeline.index import _whoosh_all

    return getattr(_whoosh_all, name)


__all__ = ["DEFAULT_ENGINE", "ENGINES", "STAGING_DIR", "Index", "MergeHelpers", "make_snippet", "open_index", "run_lock"]
