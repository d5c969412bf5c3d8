"""The report filters of a search as one value: what a saved search keeps and a batch row gives.

    from pipeline.search.filters import Filters
    f = Filters.from_mapping({"committee": "children", "from": "2017"})
    search("index", "budget", **f.options())

The names are the command line's (``--from`` is ``from``); :data:`FILTER_NAMES`
maps each to the keyword :func:`pipeline.search.search` takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from pipeline.errors import QueryError

#: Filter name (option, CSV column, JSON key) -> keyword of pipeline.search.search, in help order.
FILTER_NAMES: dict[str, str] = {
    "committee": "committee",
    "council": "council",
    "officer": "officer",
    "doc_type": "doc_type",
    "section": "section",
    "from": "date_from",
    "to": "date_to",
    "quarter": "quarter",
}


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters of one search (None: not restricted), as the options of ``boardpapers search`` give them."""

    committee: str | None = None
    council: str | None = None
    officer: str | None = None
    doc_type: str | None = None
    section: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    quarter: str | None = None

    def options(self) -> dict[str, str | None]:
        """Keywords for pipeline.search.search (and facets, similar where they apply)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_dict(self) -> dict[str, str]:
        """The filters set, by their command-line names (``from``, ``to``...)."""
        return {name: value for name, key in FILTER_NAMES.items() if (value := getattr(self, key))}

    @classmethod
    def from_mapping(cls, data: Mapping[str, str | None]) -> "Filters":
        """Filters from command-line names; blank values are no filter, an unknown name is a QueryError."""
        unknown = sorted(set(data) - set(FILTER_NAMES))
        if unknown:
            raise QueryError(f"unknown filter {', '.join(unknown)} (filters: {', '.join(FILTER_NAMES)})")
        return cls(**{FILTER_NAMES[k]: (v.strip() or None) if isinstance(v, str) else None for k, v in data.items()})

    def over(self, base: "Filters") -> "Filters":
        """These filters, with ``base``'s where these have none."""
        return Filters(**{k: v if v is not None else getattr(base, k) for k, v in self.options().items()})

    def check(self) -> None:
        """Raise QueryError when a value is malformed (an unknown section kind, a date that is not one)."""
        from pipeline.search import build_filter

        build_filter(**self.options())

    def describe(self) -> str:
        """``--committee children --from 2017``, as the command line would take them."""
        return " ".join(f"--{name.replace('_', '-')} {_quoted(value)}" for name, value in self.to_dict().items())


def _quoted(value: str) -> str:
    return f"'{value}'" if any(c.isspace() for c in value) or not value else value
