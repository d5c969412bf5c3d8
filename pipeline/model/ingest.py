"""What ingest records: one outcome per file, a run's summary, a ledger entry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    path: str
    status: str  # indexed | unchanged | replaced | duplicate | failed
    reason: str | None = None
    report_id: str | None = None
    sha256: str | None = None
    sections: int = 0


@dataclass(frozen=True, slots=True)
class IngestSummary:
    outcomes: tuple[IngestOutcome, ...]
    advice: str | None = None  # said once, when the run takes the archive past a size its engine searches slowly

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> tuple[IngestOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")


@dataclass(frozen=True, slots=True)
class ReindexSummary:
    """What ``reindex`` did: the index folder, its engine before and after, and what the new index holds."""

    index: str
    old_engine: str
    engine: str
    papers: int  # files indexed
    reports: int  # report records, the parts of agenda packs included
    sections: int


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What the archive knows about one file (``boardpapers status``).

    ``status`` is the file's standing: ``indexed`` (held in the index),
    ``duplicate`` (its content is indexed under another path), ``failed``
    (``reason`` says why) or ``missing`` (recorded as indexed, but the index
    no longer holds it). ``time`` is the UTC time of the last ingest that saw
    the file (ISO 8601; empty when only the index knows it).
    """

    path: str
    status: str
    sha256: str | None = None
    reason: str | None = None
    report_id: str | None = None
    sections: int = 0
    time: str = ""
