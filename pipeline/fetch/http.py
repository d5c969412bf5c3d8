"""All of the fetcher's network traffic: one polite HTTP client per site (httpx).

Politeness, for every request to a site:

* one request at a time, and at least ``delay`` seconds between the end of
  one and the start of the next;
* a User-Agent naming the tool and its version (:data:`USER_AGENT`);
* at most ``max_requests`` requests in a run, retries included: past that,
  :class:`RequestCapReached` stops the run cleanly;
* a request that meets 429 or a 5xx answer, a time-out or a dropped
  connection is tried again ``retries`` times, waiting ``backoff`` seconds
  and twice as long each time (or what the server's Retry-After asks, up to
  :data:`~pipeline.fetch.records.MAX_BACKOFF`); other answers (403, 404) are
  final.

Downloads stream to a file the caller names (its ``.part``), hashing as they
go; a download cut short (fewer bytes than Content-Length) is a dropped
connection: tried again, and the partial file is removed whatever happens.
Tests point this client at a server on 127.0.0.1: nothing else here knows
about the network.
"""

from __future__ import annotations

import email.utils
import hashlib
import http
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import httpx

from pipeline.config import VERSION
from pipeline.errors import BoardpapersError
from pipeline.fetch.records import MAX_BACKOFF, FetchOptions

#: Sent with every request: the tool, its version, and what it does.
USER_AGENT = f"boardpapers/{VERSION} (archives published council committee papers; one request at a time)"
#: Answers worth trying again: too many requests, and the server's own failures.
RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})
#: Bytes read from a download at a time.
CHUNK_BYTES = 1 << 16
#: Leading bytes of a download kept to tell what it is.
HEAD_BYTES = 2048
#: Trailing bytes of a download kept (a complete PDF ends with %%EOF within them).
TAIL_BYTES = 1024


class FetchError(BoardpapersError):
    """A request that failed for good (after its retries): ``reason`` says why."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class RequestCapReached(BoardpapersError):
    """The run has sent as many requests to the site as it may."""


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Download:
    """A body streamed to a file."""

    url: str
    content_type: str
    size: int
    sha256: str
    head: bytes  # its first HEAD_BYTES
    tail: bytes  # its last TAIL_BYTES


class SiteClient:
    """One site's HTTP client: use as a context manager; not for use by several threads."""

    def __init__(self, options: FetchOptions, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.options = options
        self.requests = 0  # sent so far, retries included
        self.bytes = 0  # body bytes received so far
        self._sleep = sleep
        self._last: float | None = None  # when the previous request ended (monotonic)
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(options.timeout),
            follow_redirects=True,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, params: Mapping[str, str] | None = None) -> Response:
        """GET ``url``: the answer with a 2xx status, or :class:`FetchError`."""

        def once() -> _Attempt:
            r = self._client.get(url, params=params)
            body = r.content
            self.bytes += len(body)
            return _Attempt(
                r.status_code,
                _retry_after(r),
                Response(str(r.url), r.status_code, r.headers.get("content-type", ""), body),
            )

        result = self._with_retries(url, once)
        assert isinstance(result, Response)
        return result

    def download(self, url: str, dest: Path, on_bytes: Callable[[int], None] | None = None) -> Download:
        """Stream ``url``'s body into ``dest`` (replaced); removed again unless the whole body arrived."""

        def once() -> _Attempt:
            digest = hashlib.sha256()
            head = b""
            tail = b""
            size = 0
            try:
                with self._client.stream("GET", url) as r:
                    if r.status_code >= 300:
                        r.read()
                        return _Attempt(r.status_code, _retry_after(r), None)
                    expected = r.headers.get("content-length", "")
                    with open(dest, "wb") as out:
                        try:
                            for chunk in r.iter_bytes(CHUNK_BYTES):
                                out.write(chunk)
                                digest.update(chunk)
                                size += len(chunk)
                                self.bytes += len(chunk)
                                if len(head) < HEAD_BYTES:
                                    head = (head + chunk)[:HEAD_BYTES]
                                tail = (tail + chunk)[-TAIL_BYTES:]
                                if on_bytes:
                                    on_bytes(len(chunk))
                        except httpx.RemoteProtocolError:
                            raise _cut_off(r.num_bytes_downloaded, expected) from None
                    if expected.isdigit() and int(expected) != r.num_bytes_downloaded:
                        raise _cut_off(r.num_bytes_downloaded, expected)
                    got = Download(str(r.url), r.headers.get("content-type", ""), size, digest.hexdigest(), head, tail)
                    return _Attempt(r.status_code, None, got)
            except BaseException:
                dest.unlink(missing_ok=True)
                raise

        try:
            result = self._with_retries(url, once)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        assert isinstance(result, Download)
        return result

    # ------------------------------------------------------------ politeness

    def _with_retries(self, url: str, once: Callable[[], _Attempt]) -> Any:
        tries = self.options.retries + 1
        problem = ""
        retry_after: float | None = None
        for attempt in range(tries):
            if attempt:
                self._sleep(self._backoff(attempt, retry_after))
            retry_after = None
            self._wait_turn()
            try:
                result = once()
            except httpx.TimeoutException:
                problem = f"timed out (no answer within {self.options.timeout:g} s)"
                continue
            except httpx.TransportError as exc:
                problem = _transport_reason(exc)
                continue
            finally:
                self._last = time.monotonic()
            if result.status < 300:
                return result.value
            problem = f"HTTP {result.status} {_reason_phrase(result.status)}".rstrip()
            if result.status not in RETRY_STATUSES:
                raise FetchError(url, problem + _status_hint(result.status))
            retry_after = result.retry_after
        raise FetchError(url, f"{problem} ({tries} {'try' if tries == 1 else 'tries'})")

    def _wait_turn(self) -> None:
        if self.requests >= self.options.max_requests:
            raise RequestCapReached(
                f"stopped after {self.requests} requests to the site (the cap for one run, --max-requests): "
                "run the same command again to carry on"
            )
        if self._last is not None and self.options.delay > 0:
            gap = self._last + self.options.delay - time.monotonic()
            if gap > 0:
                self._sleep(gap)
        self.requests += 1

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        wait = self.options.backoff * 2 ** (attempt - 1)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One try's answer: its status, the Retry-After it gave, and what it got (2xx only)."""

    status: int
    retry_after: float | None
    value: Response | Download | None


def _cut_off(received: int, expected: str) -> httpx.RemoteProtocolError:
    of = f" of {expected}" if expected.isdigit() else ""
    return httpx.RemoteProtocolError(f"the download was cut off after {received}{of} bytes")


def _retry_after(r: httpx.Response) -> float | None:
    """Seconds a 429/503 answer asks to wait (Retry-After: seconds or a date); None if it does not say."""
    value = r.headers.get("retry-after")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return ": the site refused the request (a login, or a shield against automated clients?)"
    if status == 404:
        return ": no such page"
    return ""


def _transport_reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc)
        return text if text.startswith("the download was cut off") else f"the connection was dropped ({text})"
    return f"network error ({exc.__class__.__name__}: {exc})"
