"""The registry of platforms councils publish their papers on, one module each, and site naming.

A platform module provides a :class:`~pipeline.fetch.base.Platform` (see
there). Adding a platform is one module and one line in :data:`PLATFORMS`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pipeline.errors import BoardpapersError
from pipeline.fetch import moderngov
from pipeline.fetch.base import Fetcher, Platform
from pipeline.fetch.http import FetchError, SiteClient

#: Host name parts that say nothing about the council (``democracy.halton.gov.uk`` -> ``halton``).
HOST_NOISE: frozenset[str] = frozenset(
    {
        "www",
        "democracy",
        "moderngov",
        "modgov",
        "committees",
        "committee",
        "council",
        "councillors",
        "meetings",
        "minutes",
        "cmis",
        "democratic",
        "services",
        "gov",
        "uk",
        "co",
        "org",
        "com",
        "net",
        "wales",
        "scot",
    }
)
#: What is left of a host name that is an address, not a name.
_ADDRESS = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|localhost|\[[0-9a-f:]+\])$", re.IGNORECASE)


class UnknownPlatform(BoardpapersError):
    """No platform recognises the site."""


#: The platforms, in the order they are tried.
PLATFORMS: tuple[Platform, ...] = (moderngov.PLATFORM,)


def _platforms() -> tuple[Platform, ...]:
    return PLATFORMS


def platform_names() -> tuple[str, ...]:
    return tuple(p.name for p in _platforms())


def detect(client: SiteClient, url: str) -> tuple[Platform, Fetcher]:
    """The platform of the site at ``url`` and its fetcher: from the URL, else by probing (a request each)."""
    platforms = _platforms()
    for platform in platforms:
        root = platform.site_root(url)
        if root is not None:
            return platform, platform.make(client, root)
    root = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    problems = []
    for platform in platforms:
        try:
            fetcher = platform.probe(client, root)
        except FetchError as exc:
            problems.append(exc.reason)
            continue
        if fetcher is not None:
            return platform, fetcher
    tried = "; ".join(dict.fromkeys(problems))
    raise UnknownPlatform(
        f"{url}: not a site of a platform boardpapers knows ({', '.join(p.name for p in platforms)})"
        + (f": {tried}" if tried else "")
    )


def council_name(root: str) -> str:
    """A short name for the council of the site at ``root``: its host without the usual words.

    ``https://democracy.halton.gov.uk`` -> ``halton``; a site at an address
    (``http://127.0.0.1:8765/halton``) is named by its path.
    """
    parts = urlsplit(root)
    host = (parts.hostname or "").lower()
    if _ADDRESS.match(host) or "." not in host:
        words = [w for w in parts.path.split("/") if w]
        return slug(words[-1]) if words else slug(host) or "site"
    kept = [w for w in host.split(".") if w not in HOST_NOISE]
    return slug("-".join(kept)) or slug(host)


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens, at most ``limit`` characters (cut at a word)."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("&", " and "))
    out = ""
    for w in words:
        candidate = f"{out}-{w}" if out else w
        if len(candidate) > limit:
            break
        out = candidate
    return out or (words[0][:limit] if words else "")
