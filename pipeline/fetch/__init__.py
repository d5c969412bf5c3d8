"""Fetch a council's committee papers from its website (``boardpapers fetch``).

    from pipeline.fetch import fetch, list_committees
    listing = list_committees("https://democracy.example.gov.uk")
    summary = fetch("https://democracy.example.gov.uk", "papers", committees=["Audit"], ingest_into="index")

Modules: :mod:`~pipeline.fetch.http` (all network traffic: politeness,
retries, downloads), :mod:`~pipeline.fetch.platforms` (the registry of
platforms), one module per platform (:mod:`~pipeline.fetch.moderngov`),
:mod:`~pipeline.fetch.run` (the fetch itself), :mod:`~pipeline.fetch.records`.
The sidecar a fetch writes beside each paper is :mod:`pipeline.sidecar`.
"""

from __future__ import annotations

from pipeline.fetch.http import USER_AGENT, FetchError, RequestCapReached
from pipeline.fetch.platforms import UnknownPlatform, platform_names
from pipeline.fetch.records import FetchOptions, FetchOutcome, FetchProgress, FetchSummary
from pipeline.fetch.run import CommitteeNotFound, SiteListing, fetch, list_committees

__all__ = [
    "USER_AGENT",
    "CommitteeNotFound",
    "FetchError",
    "FetchOptions",
    "FetchOutcome",
    "FetchProgress",
    "FetchSummary",
    "RequestCapReached",
    "SiteListing",
    "UnknownPlatform",
    "fetch",
    "list_committees",
    "platform_names",
]
