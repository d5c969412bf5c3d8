"""What a platform module provides: a :class:`Platform` and the :class:`Fetcher` of its sites.

A platform tells its sites from a URL (``site_root``), confirms one that the
URL does not give away (``probe``: one request), and makes a fetcher that
lists a site's committees, meetings and documents.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pipeline.fetch.http import SiteClient
from pipeline.fetch.records import Committee, Document, Meeting


class Fetcher(Protocol):
    """One site's listings (every call may send requests through the site's client)."""

    platform: str
    base: str  # the site's root URL, without a trailing slash

    def committees(self) -> tuple[Committee, ...]: ...

    def meetings(self, committee: Committee, start: _dt.date, end: _dt.date) -> tuple[Meeting, ...]: ...

    def documents(self, meeting: Meeting) -> tuple[Document, ...]: ...


@dataclass(frozen=True, slots=True)
class Platform:
    name: str
    #: The site's root when the URL shows it is one of this platform's sites, else None.
    site_root: Callable[[str], str | None]
    #: A fetcher for the site at this root.
    make: Callable[[SiteClient, str], Fetcher]
    #: One request to tell whether an unrecognised URL is one of this platform's sites: its fetcher if so
    #: (which keeps what the request brought back), else None.
    probe: Callable[[SiteClient, str], Fetcher | None]
    #: The committee the URL itself names (a committee's page), if any.
    committee_in_url: Callable[[str], str | None] = lambda url: None
