"""How a fetch is shown: outcome rows (``--json``/``--csv``), committee rows, the closing summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.fetch.records import Committee, FetchOutcome, FetchSummary

#: Columns of ``fetch --csv`` (and keys of ``--json``), one row per document or failed listing.
OUTCOME_COLUMNS: tuple[str, ...] = (
    "status",
    "kind",
    "committee",
    "meeting_date",
    "title",
    "attachment_id",
    "path",
    "size",
    "reason",
    "url",
)
#: Columns of ``fetch --list-committees --csv``.
COMMITTEE_COLUMNS: tuple[str, ...] = ("id", "title", "category", "expired", "deleted")
#: Failures listed one by one in the summary; past this many, a count.
SHOWN_FAILURES = 20


def outcome_row(o: FetchOutcome) -> dict[str, Any]:
    return {
        "status": o.status,
        "kind": o.kind,
        "committee": o.committee,
        "meeting_date": o.meeting_date.isoformat() if o.meeting_date else None,
        "title": o.title,
        "attachment_id": o.attachment_id,
        "path": o.path,
        "size": o.size,
        "reason": o.reason,
        "url": o.url,
    }


def committee_row(c: Committee) -> dict[str, Any]:
    return {"id": c.id, "title": c.title, "category": c.category, "expired": c.expired, "deleted": c.deleted}


def committee_line(c: Committee) -> str:
    flags = ", ".join(f for f, on in (("expired", c.expired), ("deleted", c.deleted)) if on)
    return f"{c.id:>6}  {c.title}" + (f"  [{c.category}]" if c.category else "") + (f"  ({flags})" if flags else "")


def human_bytes(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n} bytes"  # pragma: no cover


def summary_text(s: FetchSummary) -> str:
    """The closing lines (stderr): what was asked of the site, then fetched, skipped and failed with reasons."""
    committees = f"{len(s.committees)} {'committee' if len(s.committees) == 1 else 'committees'}"
    meetings = f"{s.meetings} {'meeting' if s.meetings == 1 else 'meetings'}"
    lines = [
        (
            f"{s.council} ({s.platform}, {s.site}): {committees}, {meetings}; "
            f"{s.requests} requests, {human_bytes(s.bytes)} in {s.seconds:.1f} s"
        ),
        f"documents: {s.count('fetched')} fetched, {s.count('skipped')} skipped, {s.count('failed')} failed",
    ]
    skipped = Counter(o.reason or "" for o in s.outcomes if o.status == "skipped")
    lines += [f"  skipped {n}: {reason}" for reason, n in skipped.most_common()]
    failed = s.failed
    for o in failed[:SHOWN_FAILURES]:
        what = o.title if o.kind == "document" else f"{o.kind} {o.title}"
        when = f" ({o.meeting_date})" if o.meeting_date else ""
        lines.append(f"  failed: {what}{when}: {o.reason}  <{o.url}>")
    if len(failed) > SHOWN_FAILURES:
        lines.append(f"  ... and {len(failed) - SHOWN_FAILURES} more failures (--json lists them all)")
    if s.stopped:
        lines.append(f"stopped early: {s.stopped}")
    return "\n".join(lines)
