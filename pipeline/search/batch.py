"""A batch of searches from a CSV, one query a row, into one table of hits (ICIJ Datashare's batch search).

    from pipeline.search.batch import read_batch, run_batch
    result = run_batch("index", read_batch("queries.csv"), limit=50)
    result.pages         # (BatchQuery, SearchPage) for each row that ran, in row order
    result.errors        # BatchError(row, name, message) for each row that could not run

The CSV has a header row naming its columns: ``query`` (required), ``name``,
and any of the filters of ``boardpapers search`` by their option names
(:data:`pipeline.search.filters.FILTER_NAMES`: committee, council, officer,
doc_type, section, from, to, quarter). An empty cell is no filter. Rows are
numbered from 1, the first under the header. Each row runs exactly as
:func:`pipeline.search.search` would with its query and filters and the
batch's own options (limit, sort, grouping), over one opened index.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import BoardpapersError, QueryError
from pipeline.model import SearchPage
from pipeline.search.filters import FILTER_NAMES, Filters

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.index import Index

#: Columns a batch file may have besides the filters.
QUERY_COLUMNS: tuple[str, ...] = ("name", "query")
#: Most rows a batch file may hold.
MAX_BATCH_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class BatchQuery:
    """One row of a batch file."""

    row: int  # 1 for the first row under the header
    name: str  # the row's name, or "row N" when it has none
    query: str
    filters: Filters


@dataclass(frozen=True, slots=True)
class BatchError:
    row: int
    name: str
    message: str


@dataclass(frozen=True, slots=True)
class BatchResult:
    pages: tuple[tuple[BatchQuery, SearchPage], ...]  # each row that ran and its page of hits, in row order
    errors: tuple[BatchError, ...]  # rows that could not be read or run, in row order

    @property
    def searched(self) -> int:
        return len(self.pages)

    @property
    def hits(self) -> int:
        return sum(len(page.hits) for _, page in self.pages)

    def summary(self) -> str:
        """``20 rows: 18 searched, 2 failed; 135 hits``."""
        return (
            f"{self.searched + len(self.errors)} rows: {self.searched} searched, {len(self.errors)} failed; "
            f"{self.hits} hits"
        )


def read_batch(source: str | os.PathLike[str] | io.TextIOBase) -> tuple[tuple[BatchQuery, ...], tuple[BatchError, ...]]:
    """The queries of a batch file (a path, or an open text file), and the rows that could not be read.

    A file without a ``query`` column, or with a column that is neither a
    query column nor a filter, is a QueryError (a usage error): nothing runs.
    A row with a malformed filter is an error of that row only.
    """
    if isinstance(source, (str, os.PathLike)):
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise BoardpapersError(f"cannot read the batch file {source}: {exc}") from None
    else:
        text = source.read()
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in reader.fieldnames or ()]
    if "query" not in columns:
        raise QueryError("the batch file needs a header row with a 'query' column (and name, committee, from...)")
    unknown = [c for c in columns if c not in QUERY_COLUMNS and c not in FILTER_NAMES]
    if unknown:
        raise QueryError(
            f"unknown column {', '.join(unknown)} in the batch file "
            f"(columns: {', '.join(QUERY_COLUMNS + tuple(FILTER_NAMES))})"
        )
    reader.fieldnames = columns
    queries: list[BatchQuery] = []
    errors: list[BatchError] = []
    for n, raw in enumerate(reader, 1):
        if n > MAX_BATCH_ROWS:
            raise QueryError(f"the batch file has more than {MAX_BATCH_ROWS:,} rows")
        if None in raw:  # more cells than the header has columns
            errors.append(
                BatchError(n, (raw.get("name") or "").strip() or f"row {n}", "more cells than the header has columns")
            )
            continue
        row = {k: (v or "") for k, v in raw.items()}
        name = row.get("name", "").strip() or f"row {n}"
        try:
            filters = Filters.from_mapping({k: v for k, v in row.items() if k in FILTER_NAMES})
            filters.check()
        except QueryError as exc:
            errors.append(BatchError(n, name, str(exc)))
            continue
        queries.append(BatchQuery(n, name, row.get("query", ""), filters))
    return tuple(queries), tuple(errors)


def run_batch(
    index_dir: str | os.PathLike[str] | Index,
    queries: Iterable[BatchQuery],
    *,
    defaults: Filters = Filters(),
    read_errors: Iterable[BatchError] = (),
    limit: int = 10,
    sort: str = "relevance",
    sections: int = 3,
    flat: bool = False,
) -> BatchResult:
    """Run each query (its filters over ``defaults``: a row's cell wins) and gather the hits in row order.

    A query that fails (a malformed query, a bad option) becomes a BatchError
    and the batch goes on; ``read_errors`` (from :func:`read_batch`) join them.
    """
    from pipeline.search import _opened, search

    pages: list[tuple[BatchQuery, SearchPage]] = []
    errors = list(read_errors)
    with _opened(index_dir) as ix:
        for q in queries:
            filters: dict[str, Any] = q.filters.over(defaults).options()
            try:
                page = search(
                    ix,
                    q.query,
                    limit=limit,
                    sort=sort,
                    sections=sections,
                    flat=flat,
                    **filters,
                )
            except QueryError as exc:
                errors.append(BatchError(q.row, q.name, str(exc)))
                continue
            pages.append((q, page))
    return BatchResult(tuple(pages), tuple(sorted(errors, key=lambda e: e.row)))
