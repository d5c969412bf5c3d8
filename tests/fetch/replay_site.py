"""A ModernGov site on 127.0.0.1 that replays recorded-format responses and serves the sample PDFs.

:class:`Replay` is a threaded ``http.server`` on a free port serving
the sites in ``fixtures/`` (``fixtures/README.md`` says where their format
comes from): ``<base>/mgWebService.asmx/GetCommittees``, ``GetMeetings``
(``lCommitteeId``; like some real sites it ignores the dates and sends the
committee's whole history), ``GetMeeting`` (``lMeetingId``) and
``<base>/mgConvert2PDF.aspx?ID=`` (the sample corpus PDFs, by
``fixtures/documents.json``). ``replay.fail(key, action, times)`` makes the
next answers for one resource go wrong; ``replay.requests`` records what
was asked.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pipeline.fetch import FetchOptions

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
CORPUS_PDF = HERE.parent.parent / "corpus" / "pdf"
#: Seconds a "timeout" answer waits before it is sent (tests give the client less).
SLOW_SECONDS = 1.5
#: Client options for tests: no delay, short time-outs, quick retries.
FAST = FetchOptions(delay=0.0, timeout=0.5, retries=2, backoff=0.01, max_requests=200)
#: A bot shield's page, as some councils' sites send instead of the web service's XML or a PDF.
SHIELD_PAGE = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>'
    b"<body><p>Checking your browser before accessing the site.</p></body></html>"
)


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, str]
    user_agent: str
    at: float  # time.monotonic() when it arrived
    key: str


class Replay:
    """The replay server's state (what to serve, what went wrong, what was asked)."""

    def __init__(self, port: int = 0) -> None:
        self.documents: dict[str, dict[str, str]] = json.loads((FIXTURES / "documents.json").read_text())
        self.overrides: dict[str, bytes] = {}  # key -> the body to serve instead of the fixture
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.requests: list[Seen] = []
        self.retry_after = "0"  # what a "429" answer's Retry-After asks
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def base(self, site: str = "halton") -> str:
        return f"http://127.0.0.1:{self.port}/{site}"

    def fail(self, key: str, action: str, times: int = 1) -> None:
        """Make the next ``times`` answers for ``key`` go wrong: 500, 429, 404, timeout, malformed, html, cut."""
        with self.lock:
            self.faults[key].extend([action] * times)

    def override(self, key: str, body: str) -> None:
        self.overrides[key] = body.encode("utf-8")

    def fixture(self, key: str) -> str:
        site, name = key.split("/", 1)
        return (FIXTURES / site / f"{name}.xml").read_text(encoding="utf-8")

    def asked(self, prefix: str = "") -> list[Seen]:
        return [r for r in self.requests if r.key.startswith(prefix)]

    def take_fault(self, key: str) -> str | None:
        with self.lock:
            queue = self.faults.get(key)
            return queue.pop(0) if queue else None


def _handler(replay: Replay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait between them

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k.lower(): v[0] for k, v in parse_qs(parts.query).items()}
            bits = [b for b in parts.path.split("/") if b]
            site = bits[0] if bits else ""
            key, body, ctype = self.resolve(site, bits[1:], query)
            replay.requests.append(Seen(parts.path, query, self.headers.get("User-Agent", ""), time.monotonic(), key))
            fault = replay.take_fault(key)
            try:
                if fault == "timeout":
                    time.sleep(SLOW_SECONDS)
                    self.send(200, body, ctype)
                elif fault in ("500", "404"):
                    self.send(int(fault), b"<html><body>Server Error</body></html>", "text/html")
                elif fault == "429":
                    self.send(429, b"Too many requests", "text/plain", {"Retry-After": replay.retry_after})
                elif fault == "malformed":
                    self.send(200, body[: len(body) // 2], ctype)
                elif fault == "html":
                    self.send(200, SHIELD_PAGE, "text/html; charset=utf-8")
                elif fault == "cut":
                    self.send_response(200)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 3])
                    self.wfile.flush()
                    self.close_connection = True
                elif body is None:
                    self.send(404, b"<html><body>Not found</body></html>", "text/html")
                else:
                    self.send(200, body, ctype)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a time-out)
                self.close_connection = True

        def resolve(self, site: str, rest: list[str], query: dict[str, str]) -> tuple[str, bytes | None, str]:
            if len(rest) == 2 and rest[0].lower() == "mgwebservice.asmx":
                op = rest[1]
                arg = {"GetMeetings": query.get("lcommitteeid"), "GetMeeting": query.get("lmeetingid")}.get(op)
                key = f"{site}/{op}" + (f"-{arg}" if arg else "")
                path = FIXTURES / site / f"{key.split('/', 1)[1]}.xml"
                if key in replay.overrides:
                    text = replay.overrides[key].decode("utf-8")
                elif path.is_file():
                    text = path.read_text(encoding="utf-8")
                else:
                    return key, None, "text/html"
                return key, text.replace("{base}", replay.base(site)).encode("utf-8"), "text/xml; charset=utf-8"
            if len(rest) == 1 and rest[0].lower() == "mgconvert2pdf.aspx":
                attachment = query.get("id", "")
                key = f"{site}/doc-{attachment}"
                name = replay.documents.get(site, {}).get(attachment)
                if key in replay.overrides:
                    return key, replay.overrides[key], "application/pdf"
                return key, (CORPUS_PDF / name).read_bytes() if name else None, "application/pdf"
            return f"{site}/{'/'.join(rest)}", None, "text/html"

        def send(self, status: int, body: bytes | None, ctype: str, headers: dict[str, str] | None = None) -> None:
            body = body or b""
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

    return Handler


def main() -> None:
    """Serve the replayed sites until interrupted (the README's session): ``python tests/fetch/replay_site.py 8765``."""
    import sys

    replay = Replay(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"replaying {', '.join(replay.base(s) for s in sorted(replay.documents))} (Ctrl-C to stop)", flush=True)
    try:
        replay.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        replay.server.server_close()


if __name__ == "__main__":
    main()
