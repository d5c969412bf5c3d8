"""Fetch a council's committee papers from its website (``boardpapers fetch``).

    from pipeline.fetch import fetch, list_committees
    listing = list_committees("https://democracy.example.gov.uk")
    summary = fetch("https://democracy.example.gov.uk", "papers", committees=["Audit"], ingest_into="index")

Modules: :mod:`~pipeline.fetch.http` (all network traffic: politeness,
retries, downloads), :mod:`~pipeline.fetch.platforms` (the registry of
platforms), one module per platform (:mod:`~pipeline.fetch.moderngov`),
:mod:`~pipeline.fetch.run` (the fetch itself), :mod:`~pipeline.fetch.records`.
The sidecar a fetch writes beside each paper is :mod:`pipeline.read.sidecar`.
"""

from __future__ import annotations

from typing import Any

# Loaded on first use, so that importing the package (the CLI's defaults) does not load httpx.
_LAZY = {
    "USER_AGENT": "pipeline.fetch.http",
    "FetchError": "pipeline.fetch.http",
    "RequestCapReached": "pipeline.fetch.http",
    "UnknownPlatform": "pipeline.fetch.platforms",
    "platform_names": "pipeline.fetch.platforms",
    "FetchOptions": "pipeline.fetch.records",
    "FetchOutcome": "pipeline.fetch.records",
    "FetchProgress": "pipeline.fetch.records",
    "FetchSummary": "pipeline.fetch.records",
    "CommitteeNotFound": "pipeline.fetch.run",
    "SiteListing": "pipeline.fetch.run",
    "fetch": "pipeline.fetch.run",
    "list_committees": "pipeline.fetch.run",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
