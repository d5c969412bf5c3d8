"""Saved searches that come back: what is new since a watch last ran (``boardpapers watch``).

    from pipeline.search.watch import add_watch, run_watches
    add_watch("index", "fostering", '"foster carers"', Filters(committee="children"))
    run = run_watches("index")          # every watch; run_watches("index", "fostering") for one
    run.results[0].new                  # hits not seen at the watch's last run (all of them the first time)

A watch is a query with the filters of ``boardpapers search``. Running it
searches the whole archive (every matching section, up to
:data:`WATCH_MAX_HITS`, newest meetings first) and reports the hits whose
(report id, section) was not among the hits of its previous run; the run's
hits then become the ones seen. A hit that disappears (its paper replaced or
removed) and comes back is new again.

Watches live in :data:`WATCH_FILE` in the index folder, one JSON document,
replaced atomically (written beside it, then renamed), under an exclusive
lock on the folder (``flock``), so that two runs at once (cron) neither lose
an update nor report the same hits twice. Nothing else in the folder is
written: the index is only read.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import BoardpapersError, QueryError, SearchIndexError
from pipeline.model import Hit
from pipeline.search.filters import Filters

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.index import Index

#: The watches of an index: a JSON file in its folder.
WATCH_FILE = "watches.json"
#: The file's layout; a file of another version is refused rather than overwritten.
WATCH_FILE_VERSION = 1
#: Permissions of a new watch file (the index's other files are readable by all too).
WATCH_FILE_MODE = 0o644
#: Most hits one run of a watch looks at (newest meetings first); hits past it are not seen, nor reported.
WATCH_MAX_HITS = 20_000
#: A watch's name: letters, digits and . _ - (it is typed on command lines and in crontabs).
WATCH_NAME = re.compile(
    r"""
    [A-Za-z0-9]          # starts with a letter or digit (not an option's dash)
    [A-Za-z0-9._-]{0,63} # then up to 63 more, dots, underscores and dashes too
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Watch:
    name: str
    query: str
    filters: Filters
    created: str  # ISO time (UTC) it was added
    last_run: str | None  # ISO time (UTC) of its last recorded run; None: never run
    runs: int  # recorded runs
    seen: int  # hits seen at the last run

    def to_dict(self) -> dict[str, Any]:
        """The row ``watch list --json`` prints."""
        return {
            "name": self.name,
            "query": self.query,
            "filters": self.filters.to_dict(),
            "created": self.created,
            "last_run": self.last_run,
            "runs": self.runs,
            "seen": self.seen,
        }


@dataclass(frozen=True, slots=True)
class WatchResult:
    """One watch's run: the hits new since its last run."""

    watch: Watch  # as it is after this run
    new: tuple[Hit, ...]  # newest meetings first
    matched: int  # hits the run looked at
    first_run: bool
    truncated: bool  # more than WATCH_MAX_HITS matched: the rest were not looked at


@dataclass(frozen=True, slots=True)
class WatchError:
    name: str
    message: str


@dataclass(frozen=True, slots=True)
class WatchRun:
    results: tuple[WatchResult, ...]
    errors: tuple[WatchError, ...]  # watches that could not run (their query no longer valid...)
    recorded: bool  # False: a dry run, nothing saved

    @property
    def new(self) -> int:
        return sum(len(r.new) for r in self.results)


# ---------------------------------------------------------------- the file


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _folder(index_dir: str | os.PathLike[str]) -> Path:
    path = Path(index_dir)
    if not path.is_dir():
        raise SearchIndexError(f"no index at {path} (run `boardpapers ingest` first)")
    return path


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the index folder for a read-modify-write of the watch file."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock (one writer at a time is up to the user)
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _load(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / WATCH_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise BoardpapersError(f"cannot read the watches in {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != WATCH_FILE_VERSION:
        raise BoardpapersError(f"{path} is not a watch file of version {WATCH_FILE_VERSION}; not touching it")
    return dict(data.get("watches") or {})


def _save(folder: Path, watches: dict[str, dict[str, Any]]) -> None:
    """Write the watch file whole and rename it into place: a reader sees the old file or the new one."""
    path = folder / WATCH_FILE
    body = json.dumps({"version": WATCH_FILE_VERSION, "watches": watches}, ensure_ascii=False, indent=1)
    fd, tmp = tempfile.mkstemp(prefix=f".{WATCH_FILE}.", suffix=".tmp", dir=folder)
    try:
        try:  # the file keeps its permissions (mkstemp's are the owner's only)
            os.chmod(tmp, path.stat().st_mode & 0o777)
        except FileNotFoundError:
            os.chmod(tmp, WATCH_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a crash once the folder is synced
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _watch(name: str, entry: dict[str, Any]) -> Watch:
    return Watch(
        name=name,
        query=entry["query"],
        filters=Filters.from_mapping(entry.get("filters") or {}),
        created=entry.get("created", ""),
        last_run=entry.get("last_run"),
        runs=int(entry.get("runs", 0)),
        seen=len(entry.get("seen") or ()),
    )


# ---------------------------------------------------------------- add, list, remove


def check_name(name: str) -> str:
    if not WATCH_NAME.fullmatch(name or ""):
        raise QueryError(
            f"a watch name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit; not {name!r}"
        )
    return name


def add_watch(
    index_dir: str | os.PathLike[str],
    name: str,
    query: str,
    filters: Filters = Filters(),
    *,
    replace_existing: bool = False,
) -> Watch:
    """Save a watch (the query and filters checked first: a malformed one is a QueryError, nothing saved)."""
    from pipeline.search import _opened, build_filter, build_request

    check_name(name)
    build_request(query, filter=build_filter(**filters.options()))
    folder = _folder(index_dir)
    with _opened(index_dir):  # a boardpapers index (not another program's folder), before writing into it
        pass
    with _locked(folder):
        watches = _load(folder)
        if name in watches and not replace_existing:
            raise BoardpapersError(f"there is already a watch named {name!r} (remove it first, or replace it)")
        watches[name] = {
            "query": query,
            "filters": filters.to_dict(),
            "created": _now(),
            "last_run": None,
            "runs": 0,
            "seen": [],
        }
        _save(folder, watches)
        return _watch(name, watches[name])


def list_watches(index_dir: str | os.PathLike[str]) -> tuple[Watch, ...]:
    """Every watch of the index, by name (reads only)."""
    folder = _folder(index_dir)
    return tuple(_watch(n, e) for n, e in sorted(_load(folder).items()))


def remove_watch(index_dir: str | os.PathLike[str], name: str) -> Watch:
    folder = _folder(index_dir)
    with _locked(folder):
        watches = _load(folder)
        if name not in watches:
            raise BoardpapersError(_unknown(name, watches))
        gone = _watch(name, watches.pop(name))
        _save(folder, watches)
    return gone


def _unknown(name: str, watches: dict[str, Any]) -> str:
    have = ", ".join(sorted(watches)) or "none yet: add one with `boardpapers watch add NAME QUERY`"
    return f"no watch named {name!r} (watches: {have})"


# ---------------------------------------------------------------- run


def _key(hit: Hit) -> str:
    """A hit's identity across runs: its report and section."""
    return f"{hit.report_id}#{hit.section_index}"


def _matches(ix: Index, query: str, filters: Filters) -> tuple[list[Hit], bool]:
    """Every hit of the watch's search (no snippets), newest first, and whether there were more."""
    from pipeline.search import build_filter, build_request

    request = build_request(query, filter=build_filter(**filters.options()), flat=True, sort="date")
    result = ix.search(replace(request, limit=WATCH_MAX_HITS, snippets=False, counts=True))
    return list(result.hits), result.total > len(result.hits)


def _with_snippets(ix: Index, query: str, filters: Filters, new: list[Hit]) -> tuple[Hit, ...]:
    """The new hits again, with their snippets (one search restricted to their reports)."""
    from pipeline.search import build_filter, build_request

    if not new:
        return ()
    wanted = {_key(h) for h in new}
    reports = tuple(dict.fromkeys(h.report_id for h in new))
    request = build_request(query, filter=build_filter(**filters.options()), flat=True, sort="date")
    hits = ix.search(replace(request, limit=WATCH_MAX_HITS, report_ids=reports, counts=False)).hits
    by_key = {_key(h): h for h in hits if _key(h) in wanted}
    return tuple(by_key.get(_key(h), h) for h in new)


def run_watches(index_dir: str | os.PathLike[str] | Index, name: str | None = None, *, record: bool = True) -> WatchRun:
    """Run every watch (or the one named) and return the hits new since each last ran.

    ``record`` saves what each run saw (the next run reports only what is new
    since); False is a dry run that changes nothing. A watch whose search
    fails is a WatchError and the others still run.
    """
    from pipeline.search import _opened

    folder = _folder(index_dir if isinstance(index_dir, (str, os.PathLike)) else index_dir.path)
    with _locked(folder) if record else contextlib.nullcontext():
        watches = _load(folder)
        if name is not None and name not in watches:
            raise BoardpapersError(_unknown(name, watches))
        names = [name] if name is not None else sorted(watches)
        results: list[WatchResult] = []
        errors: list[WatchError] = []
        now = _now()
        with _opened(index_dir) as ix:
            for n in names:
                entry = watches[n]
                watch = _watch(n, entry)
                try:
                    hits, truncated = _matches(ix, watch.query, watch.filters)
                    seen = set(entry.get("seen") or ())
                    new = [h for h in hits if _key(h) not in seen]
                    shown = _with_snippets(ix, watch.query, watch.filters, new)
                except QueryError as exc:
                    errors.append(WatchError(n, str(exc)))
                    continue
                first = entry.get("last_run") is None
                if record:
                    entry.update(last_run=now, runs=int(entry.get("runs", 0)) + 1, seen=sorted({_key(h) for h in hits}))
                results.append(WatchResult(_watch(n, entry), shown, len(hits), first, truncated))
        if record and results:
            _save(folder, watches)
    return WatchRun(tuple(results), tuple(errors), record)
