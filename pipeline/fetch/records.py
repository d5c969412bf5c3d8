"""The fetcher's records: what a council's site lists, and what a fetch did."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from pipeline.model import IngestSummary

#: Seconds between two requests to the same site (``--delay``).
DEFAULT_DELAY = 1.0
#: Seconds a request may take before it is abandoned (and retried).
DEFAULT_TIMEOUT = 30.0
#: Tries after the first for a request that fails with 429, 5xx, a time-out or a dropped connection.
DEFAULT_RETRIES = 3
#: Seconds before the first retry; each further retry waits twice as long.
DEFAULT_BACKOFF = 2.0
#: Longest wait before a retry, whatever the server's Retry-After asks.
MAX_BACKOFF = 60.0
#: Requests one run makes to one site at most (``--max-requests``): a run that reaches it stops
#: cleanly, and the next run carries on where it stopped (what it fetched is skipped).
DEFAULT_MAX_REQUESTS = 2000

#: What a fetched document's outcome can be.
FETCH_STATUSES: tuple[str, ...] = ("fetched", "skipped", "failed")


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How politely and patiently to talk to a site."""

    delay: float = DEFAULT_DELAY
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    max_requests: int = DEFAULT_MAX_REQUESTS


@dataclass(frozen=True, slots=True)
class Committee:
    id: str
    title: str
    category: str = ""
    expired: bool = False
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Meeting:
    id: str
    committee: Committee
    date: _dt.date
    status: str = ""  # "Confirmed", "Cancelled"...
    time: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    """A document linked from a meeting's agenda."""

    meeting: Meeting
    item_number: str  # as displayed on the agenda ("5", "5a"); "" for the meeting's own papers
    item_title: str
    title: str
    attachment_id: str
    url: str
    publication_date: _dt.date | None = None
    restricted: bool = False  # exempt from publication: the site will not serve it
    is_link: bool = False  # a link to another web page, not a document of the site
    pack: str | None = None  # see pipeline.fetch.packs


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What happened to one document (or, ``kind`` meeting/committee, to a listing that failed)."""

    status: str  # one of FETCH_STATUSES
    title: str
    url: str
    path: str | None = None  # where the document is (fetched or already there)
    reason: str | None = None
    attachment_id: str | None = None
    committee: str | None = None
    meeting_date: _dt.date | None = None
    size: int = 0
    kind: str = "document"  # document | meeting | committee


@dataclass(frozen=True, slots=True)
class FetchSummary:
    site: str  # the site's base URL
    platform: str
    council: str
    committees: tuple[Committee, ...]  # the committees fetched
    meetings: int  # meetings in the date range
    outcomes: tuple[FetchOutcome, ...]
    requests: int  # requests sent to the site
    bytes: int  # bytes downloaded
    stopped: str | None = None  # why the run stopped before the end (the request cap)
    ingest: IngestSummary | None = None
    seconds: float = 0.0  # the fetch's own time (the ingest's not included)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status and o.kind == "document")

    @property
    def failed(self) -> tuple[FetchOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")

    @property
    def paths(self) -> tuple[str, ...]:
        """The documents of the run that are on disk (fetched now or before)."""
        return tuple(dict.fromkeys(o.path for o in self.outcomes if o.path and o.status != "failed"))


@dataclass(frozen=True, slots=True)
class FetchProgress:
    """Where a fetch has got to (``progress`` is called after each step)."""

    meetings_done: int
    meetings_total: int
    documents_done: int
    documents_total: int  # documents found so far
    bytes: int
    message: str = ""
    outcome: FetchOutcome | None = field(default=None)
