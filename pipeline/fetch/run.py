"""A fetch: a council's committees -> meetings in a date range -> their documents, downloaded once each.

Each document goes to ``OUT/<council>/<committee>/<meeting date>/<item>-<title>.pdf``
with its sidecar (``.meta.json``, :mod:`pipeline.read.sidecar`). A download is
written to ``<file>.part`` and renamed only once it is complete and checked
(a PDF that starts with ``%PDF-`` and ends with ``%%EOF``; an HTML page
served in its place is reported as such); the sidecar is written first, so
every paper in the folder has one. A document already in the folder (same
attachment id, its file of the size and sha256 its sidecar records) is
skipped without a request, so a re-run fetches only what is new, and an
interrupted run loses nothing it finished.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.errors import BoardpapersError
from pipeline.fetch.base import Fetcher, Platform
from pipeline.fetch.http import Download, FetchError, RequestCapReached, SiteClient
from pipeline.fetch.platforms import council_name, detect, slug
from pipeline.fetch.records import (
    Committee,
    Document,
    FetchOptions,
    FetchOutcome,
    FetchProgress,
    FetchSummary,
    Meeting,
)
from pipeline.read.sidecar import SIDECAR_SUFFIX, PaperMeta, SidecarError, read_sidecar, sidecar_path, write_sidecar

#: Meetings from this date on when no --from is given (a site's whole archive).
EARLIEST = _dt.date(1900, 1, 1)
#: Days after today that meetings are listed when no --to is given (agendas are published ahead).
AHEAD_DAYS = 366
#: Meeting statuses with no papers to fetch.
SKIPPED_STATUSES: frozenset[str] = frozenset({"cancelled", "postponed", "deleted"})
#: Suffix of a download (or sidecar) being written.
PART_SUFFIX = ".part"
#: A complete PDF ends with %%EOF within this many bytes of its end (as the PDF reader checks).
PDF_EOF_TAIL = 1024
#: Longest file name stem taken from a document's title.
TITLE_CHARS = 60
#: The reason given for a document fetched before.
ALREADY_FETCHED = "already fetched"

#: ``progress(state)`` after each meeting, document and downloaded chunk.
Progress = Callable[[FetchProgress], None]


class CommitteeNotFound(BoardpapersError):
    """A --committee that names no committee of the site."""


@dataclass(frozen=True, slots=True)
class SiteListing:
    """What ``--list-committees`` shows."""

    site: str
    platform: str
    council: str
    committees: tuple[Committee, ...]
    requests: int


def list_committees(url: str, *, options: FetchOptions | None = None) -> SiteListing:
    """The committees of the council site at ``url``."""
    with SiteClient(options or FetchOptions()) as client:
        platform, fetcher = detect(client, url)
        committees = fetcher.committees()
        return SiteListing(fetcher.base, platform.name, council_name(fetcher.base), committees, client.requests)


def fetch(
    url: str,
    out_dir: str | os.PathLike[str],
    *,
    committees: Sequence[str] = (),
    date_from: _dt.date | None = None,
    date_to: _dt.date | None = None,
    council: str | None = None,
    options: FetchOptions | None = None,
    ingest_into: str | os.PathLike[str] | None = None,
    pdf_engine: str | None = None,
    progress: Progress | None = None,
    ingest_progress: Callable[..., None] | None = None,
) -> FetchSummary:
    """Download the documents of the site's meetings from ``date_from`` to ``date_to`` (inclusive).

    ``committees``: ids or names (all of a name's words; every committee that
    matches), default the committee the URL names, else every committee.
    ``council``: the folder name under ``out_dir`` (default from the site's
    host). ``ingest_into``: an index directory to ingest the run's documents
    into (those fetched now and those already there), read with ``pdf_engine``
    (see :class:`~pipeline.ingest.PaperParser`); ``ingest_progress`` is
    ingest's ``progress``. ``progress`` is called as the fetch goes. Raises
    :class:`CommitteeNotFound`, :class:`~pipeline.fetch.platforms.UnknownPlatform`,
    and :class:`~pipeline.fetch.http.FetchError` when the committees cannot be listed.
    """
    started = time.monotonic()
    start, end = date_from or EARLIEST, date_to or _dt.date.today() + _dt.timedelta(days=AHEAD_DAYS)
    if start > end:
        raise ValueError(f"--from {start} is after --to {end}")
    with SiteClient(options or FetchOptions()) as client:
        platform, fetcher = detect(client, url)
        base = fetcher.base
        run = _Run(client, fetcher, platform, Path(out_dir) / (council or council_name(base)), progress)
        chosen = select_committees(fetcher.committees(), committees or _named(platform, url))
        try:
            run.go(chosen, start, end)
        except RequestCapReached as exc:
            run.stopped = str(exc)
        except KeyboardInterrupt:
            run.stopped = "interrupted: what was downloaded is kept; run the same command again to carry on"
        summary = FetchSummary(
            site=base,
            platform=platform.name,
            council=run.folder.name,
            committees=chosen,
            meetings=run.meetings_total,
            outcomes=tuple(run.outcomes),
            requests=client.requests,
            bytes=client.bytes,
            stopped=run.stopped,
            seconds=time.monotonic() - started,
        )
    if ingest_into is not None and not (run.stopped or "").startswith("interrupted"):
        from pipeline.ingest import PaperParser, ingest

        summary = replace(
            summary,
            ingest=ingest(
                summary.paths, ingest_into, parser=PaperParser(pdf_engine=pdf_engine), progress=ingest_progress
            ),
        )
    return summary


def _named(platform: Platform, url: str) -> tuple[str, ...]:
    named = platform.committee_in_url(url)
    return (named,) if named else ()


def select_committees(available: Iterable[Committee], wanted: Sequence[str]) -> tuple[Committee, ...]:
    """The committees ``wanted`` names (ids, or names: an exact title, else all its words), in site order.

    Nothing wanted: every committee that is not deleted.
    """
    available = tuple(available)
    if not wanted:
        return tuple(c for c in available if not c.deleted)
    chosen: dict[str, Committee] = {}
    for want in wanted:
        want = want.strip()
        exact = [c for c in available if c.id == want or c.title.casefold() == want.casefold()]
        words = _words(want)
        found = exact or [c for c in available if words and words <= _words(c.title)]
        if not found:
            raise CommitteeNotFound(f"no committee of the site is {want!r} (see --list-committees)")
        chosen.update((c.id, c) for c in found)
    return tuple(c for c in available if c.id in chosen)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.casefold().replace("&", " and ")))


# ---------------------------------------------------------------- the run


class _Run:
    def __init__(
        self, client: SiteClient, fetcher: Fetcher, platform: Platform, folder: Path, progress: Progress | None
    ) -> None:
        self.client = client
        self.fetcher = fetcher
        self.platform = platform
        self.folder = folder
        self.progress = progress
        self.outcomes: list[FetchOutcome] = []
        self.stopped: str | None = None
        self.meetings_total = 0
        self.meetings_done = 0
        self.documents_total = 0
        self.known = _known_documents(folder)  # attachment id -> the paper's path, from sidecars
        self.taken: set[Path] = set()  # paths given to documents in this run
        self.seen: dict[str, str | None] = {}  # attachment ids met in this run -> their path

    def go(self, committees: Sequence[Committee], start: _dt.date, end: _dt.date) -> None:
        _remove_parts(self.folder)
        meetings: list[Meeting] = []
        for committee in committees:
            try:
                meetings.extend(self.fetcher.meetings(committee, start, end))
            except FetchError as exc:
                self.outcomes.append(
                    FetchOutcome(
                        "failed",
                        committee.title,
                        exc.url,
                        reason=exc.reason,
                        committee=committee.title,
                        kind="committee",
                    )
                )
        meetings.sort(key=lambda m: (m.date, m.committee.title, m.id))
        self.meetings_total = len(meetings)
        self._report(f"{len(meetings)} meetings")
        for meeting in meetings:
            self.meeting(meeting)
            self.meetings_done += 1
            self._report(f"{meeting.date} {meeting.committee.title}")

    def meeting(self, meeting: Meeting) -> None:
        if meeting.status.casefold() in SKIPPED_STATUSES:
            return
        try:
            documents = self.fetcher.documents(meeting)
        except FetchError as exc:
            self.outcomes.append(
                FetchOutcome(
                    "failed",
                    f"meeting {meeting.id}",
                    exc.url,
                    reason=exc.reason,
                    committee=meeting.committee.title,
                    meeting_date=meeting.date,
                    kind="meeting",
                )
            )
            return
        self.documents_total += len(documents)
        for doc in documents:
            outcome = self.document(doc)
            self.outcomes.append(outcome)
            self._report(outcome.title, outcome)

    def document(self, doc: Document) -> FetchOutcome:
        def outcome(
            status: str, reason: str | None = None, path: Path | str | None = None, size: int = 0
        ) -> FetchOutcome:
            return FetchOutcome(
                status,
                doc.title,
                doc.url,
                str(path) if path else None,
                reason,
                doc.attachment_id,
                doc.meeting.committee.title,
                doc.meeting.date,
                size,
            )

        if doc.attachment_id in self.seen:
            return outcome("skipped", f"{ALREADY_FETCHED} (listed twice)", self.seen[doc.attachment_id])
        self.seen[doc.attachment_id] = None
        if doc.restricted:
            return outcome("skipped", "restricted: not published on the site")
        if doc.is_link:
            return outcome("skipped", "a link to another web page, not a document of the site")
        have = self.known.get(doc.attachment_id)
        if have is not None and _intact(have):
            self.seen[doc.attachment_id] = str(have)
            return outcome("skipped", ALREADY_FETCHED, have, have.stat().st_size)
        target = have or self._target(doc)
        part = target.with_name(target.name + PART_SUFFIX)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            got = self.client.download(doc.url, part, on_bytes=lambda n: self._report(doc.title))
        except FetchError as exc:
            return outcome("failed", exc.reason)
        problem = content_problem(got)
        if problem:
            part.unlink(missing_ok=True)
            return outcome("failed", problem)
        write_sidecar(target, self._meta(doc, got))
        os.replace(part, target)
        self.known[doc.attachment_id] = target
        self.seen[doc.attachment_id] = str(target)
        return outcome("fetched", None, target, got.size)

    def _target(self, doc: Document) -> Path:
        """``<council>/<committee>/<date>/<item>-<title>.pdf``, with the attachment id when that is taken."""
        committee = slug(doc.meeting.committee.title) or doc.meeting.committee.id
        folder = self.folder / committee / doc.meeting.date.isoformat()
        item = re.sub(r"[^0-9a-z.]+", "", doc.item_number.casefold()) or "0"
        stem = f"{item}-{slug(doc.title, TITLE_CHARS) or doc.attachment_id}"
        path = folder / f"{stem}.pdf"
        if path in self.taken or path.exists() or sidecar_path(path).exists():
            path = folder / f"{stem}-{slug(doc.attachment_id)}.pdf"
        self.taken.add(path)
        return path

    def _meta(self, doc: Document, got: Download) -> PaperMeta:
        m = doc.meeting
        return PaperMeta(
            council=self.folder.name,
            committee=m.committee.title,
            committee_id=m.committee.id,
            meeting_date=m.date,
            meeting_id=m.id,
            item_number=doc.item_number,
            item_title=doc.item_title,
            title=doc.title,
            attachment_id=doc.attachment_id,
            url=doc.url,
            publication_date=doc.publication_date,
            sha256=got.sha256,
            size=got.size,
            platform=self.platform.name,
            site=self.fetcher.base,
            pack=doc.pack,
            fetched_at=_dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        )

    def _report(self, message: str, outcome: FetchOutcome | None = None) -> None:
        if self.progress:
            done = sum(1 for o in self.outcomes if o.kind == "document")
            self.progress(
                FetchProgress(
                    self.meetings_done,
                    self.meetings_total,
                    done,
                    self.documents_total,
                    self.client.bytes,
                    message,
                    outcome,
                )
            )


def content_problem(got: Download) -> str | None:
    """Why a download is not a complete PDF (None when it is one)."""
    head = got.head.lstrip()
    if got.size == 0:
        return "the site sent an empty file"
    if head[:5] == b"%PDF-":
        if b"%%EOF" not in got.tail[-PDF_EOF_TAIL:]:
            return f"truncated PDF: the {got.size} bytes sent end before the %%EOF marker"
        return None
    lower = head[:1024].lower()
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower or "html" in got.content_type:
        title = re.search(rb"<title[^>]*>(.*?)</title>", head, re.IGNORECASE | re.DOTALL)
        named = f" ({' '.join(title[1].decode('utf-8', 'replace').split())!r})" if title else ""
        return f"the site served an HTML page{named}, not a PDF (an error or login page?)"
    return f"not a PDF: it starts with {head[:8]!r} ({got.content_type or 'no content type'})"


def _intact(path: Path) -> bool:
    """Whether ``path`` is the file its sidecar describes (same size and sha256)."""
    from pipeline.read import file_sha256

    try:
        meta = read_sidecar(path)
        return meta is not None and path.stat().st_size == meta.size and file_sha256(path) == meta.sha256
    except (OSError, SidecarError):
        return False


def _known_documents(folder: Path) -> dict[str, Path]:
    """Attachment id -> paper, for every sidecar under ``folder`` (a council's download folder)."""
    known: dict[str, Path] = {}
    if not folder.is_dir():
        return known
    for side in sorted(folder.rglob("*" + SIDECAR_SUFFIX)):
        paper = side.with_name(side.name[: -len(SIDECAR_SUFFIX)])
        try:
            meta = read_sidecar(paper)
        except SidecarError:
            continue
        if meta is not None:
            known.setdefault(meta.attachment_id, paper)
    return known


def _remove_parts(folder: Path) -> None:
    """Remove what an interrupted run was writing (never a finished file)."""
    if folder.is_dir():
        for part in folder.rglob("*" + PART_SUFFIX):
            part.unlink(missing_ok=True)
