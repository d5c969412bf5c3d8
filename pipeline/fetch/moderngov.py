"""ModernGov (Civica Modern.Gov): most UK councils' committee papers.

Every ModernGov site answers plain GETs on its web service
``<site>/mgWebService.asmx``:

* ``GetCommittees`` -> ``<committees><committee>`` (committeeid, committeetitle,
  committeedeleted, committeeexpired, committeecategory);
* ``GetMeetings?lCommitteeId=&sFromDate=&sToDate=`` (dates dd/mm/yyyy) ->
  ``<getmeetings><committee><committeemeetings><meeting>`` (meetingid,
  meetingdate dd/mm/yyyy, meetingstatus, meetingtime). Some sites ignore the
  dates and send the committee's whole history, so meetings are also
  filtered here;
* ``GetMeeting?lMeetingId=`` -> ``<meeting><agendaitems><agendaitem>`` (agendaitemtitle,
  fulldisplaynumberformat "5.", agendaitemnumber) each with
  ``<linkeddocuments><linkeddoc>`` (attachmentid, title, url -- usually
  ``mgConvert2PDF.aspx?ID=<attachment id>`` --, isurl, isrestricted,
  publicationdate).
"""

from __future__ import annotations

import datetime as _dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

from pipeline.fetch.base import Platform
from pipeline.fetch.http import FetchError, Response, SiteClient
from pipeline.fetch.packs import pack_kind
from pipeline.fetch.records import Committee, Document, Meeting

NAME = "moderngov"
#: The web service, relative to the site's root.
SERVICE = "mgWebService.asmx"
#: Dates as the web service writes and reads them.
DATE_FORMAT = "%d/%m/%Y"

#: A URL of a ModernGov site: its web service or one of its pages (the part before is the site's root).
_SITE_URL = re.compile(
    r"""^(?P<root>https?://[^?#]*?)/?
    (?: mgWebService\.asmx\b            # the web service (any operation after it)
      | (?:mg|ie)[A-Za-z0-9]+\.aspx\b   # a page: mgCommitteeDetails.aspx, ieListDocuments.aspx ...
    )""",
    re.VERBOSE | re.IGNORECASE,
)
#: Pages that name one committee in their ``ID`` (or ``CId``) parameter.
_COMMITTEE_PAGES = re.compile(r"/(?:mgCommitteeDetails|ieListMeetings|mgCommitteeMailingList)\.aspx$", re.IGNORECASE)


class MalformedResponse(FetchError):
    """The web service answered with something that is not its XML."""


def site_root(url: str) -> str | None:
    m = _SITE_URL.match(url.strip())
    return m["root"].rstrip("/") if m else None


def committee_in_url(url: str) -> str | None:
    parts = urlsplit(url)
    if not _COMMITTEE_PAGES.search(parts.path):
        return None
    query = {k.lower(): v for k, v in parse_qs(parts.query).items()}
    found = query.get("id") or query.get("cid")
    return found[0] if found and found[0].isdigit() else None


class ModernGov:
    """The fetcher of one ModernGov site."""

    platform = NAME

    def __init__(self, client: SiteClient, base: str) -> None:
        self.client = client
        self.base = base.rstrip("/")
        self._committees: tuple[Committee, ...] | None = None

    def _call(self, operation: str, what: str, **params: str) -> ET.Element:
        url = f"{self.base}/{SERVICE}/{operation}"
        return parse_xml(self.client.get(url, params=params or None), f"{operation}{what}")

    def committees(self) -> tuple[Committee, ...]:
        if self._committees is None:
            self._committees = _committees(self._call("GetCommittees", ""))
        return self._committees

    def meetings(self, committee: Committee, start: _dt.date, end: _dt.date) -> tuple[Meeting, ...]:
        root = self._call(
            "GetMeetings",
            f" (committee {committee.id})",
            lCommitteeId=committee.id,
            sFromDate=start.strftime(DATE_FORMAT),
            sToDate=end.strftime(DATE_FORMAT),
        )
        out = []
        for m in _all(root, "meeting"):
            date = _date(_text(m, "meetingdate"))
            meeting_id = _text(m, "meetingid")
            if date is None or not meeting_id or not start <= date <= end:
                continue
            out.append(Meeting(meeting_id, committee, date, _text(m, "meetingstatus"), _text(m, "meetingtime")))
        return tuple(sorted(out, key=lambda m: (m.date, m.id)))

    def documents(self, meeting: Meeting) -> tuple[Document, ...]:
        root = self._call("GetMeeting", f" (meeting {meeting.id})", lMeetingId=meeting.id)
        out = []
        for item in _all(root, "agendaitem"):
            number = _text(item, "fulldisplaynumberformat").rstrip(".") or _text(item, "agendaitemnumber")
            item_title = _text(item, "agendaitemtitle")
            for doc in _all(item, "linkeddoc"):
                url = _text(doc, "url")
                attachment = _text(doc, "attachmentid")
                if not url or not attachment:
                    continue
                title = _text(doc, "title") or item_title
                out.append(
                    Document(
                        meeting=meeting,
                        item_number=number,
                        item_title=item_title,
                        title=title,
                        attachment_id=attachment,
                        url=self._absolute(url),
                        publication_date=_date(_text(doc, "publicationdate")),
                        restricted=_flag(doc, "isrestricted"),
                        is_link=_flag(doc, "isurl"),
                        pack=pack_kind(title),
                    )
                )
        return tuple(out)

    def _absolute(self, url: str) -> str:
        """The document's URL, relative ones resolved; on an https site its own http:// links go by https."""
        full = urljoin(self.base + "/", url)
        mine, theirs = urlsplit(self.base), urlsplit(full)
        if mine.scheme == "https" and theirs.scheme == "http" and theirs.netloc == mine.netloc:
            return urlunsplit(theirs._replace(scheme="https"))
        return full


def probe(client: SiteClient, root: str) -> ModernGov | None:
    """The site's fetcher if ``root`` answers GetCommittees with the web service's XML (kept: not asked again)."""
    try:
        tree = parse_xml(client.get(f"{root}/{SERVICE}/GetCommittees"), "GetCommittees")
    except MalformedResponse:
        return None
    if _local(tree.tag) != "committees":
        return None
    fetcher = ModernGov(client, root)
    fetcher._committees = _committees(tree)
    return fetcher


def _committees(root: ET.Element) -> tuple[Committee, ...]:
    return tuple(
        Committee(
            id=_text(c, "committeeid"),
            title=_text(c, "committeetitle"),
            category=_text(c, "committeecategory"),
            expired=_flag(c, "committeeexpired"),
            deleted=_flag(c, "committeedeleted"),
        )
        for c in _all(root, "committee")
        if _text(c, "committeeid")
    )


def parse_xml(response: Response, what: str) -> ET.Element:
    """The response's XML document, or :class:`MalformedResponse` saying what came instead."""
    body = response.body.lstrip()
    head = body[:512].lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]:
        raise MalformedResponse(
            response.url,
            f"{what}: the site answered with an HTML page, not the web service's "
            "XML (an error page, or a shield against automated clients?)",
        )
    if b"<!doctype" in head or b"<!entity" in body[:4096].lower():
        # The web service never sends a DTD; one could only expand entities (a "billion laughs").
        raise MalformedResponse(response.url, f"{what}: the XML declares a DTD, which the web service never does")
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise MalformedResponse(response.url, f"{what}: malformed XML ({exc})") from None


PLATFORM = Platform(NAME, site_root, ModernGov, probe, committee_in_url)


# ---------------------------------------------------------------- XML helpers


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _all(root: ET.Element, name: str) -> Iterator[ET.Element]:
    return (e for e in root.iter() if _local(e.tag) == name)


def _text(element: ET.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return " ".join((child.text or "").split())
    return ""


def _flag(element: ET.Element, name: str) -> bool:
    return _text(element, name).lower() == "true"


def _date(text: str) -> _dt.date | None:
    for fmt in (DATE_FORMAT, "%Y-%m-%d"):
        try:
            return _dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None
