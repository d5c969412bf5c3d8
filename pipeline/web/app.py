"""The web application: routes over the library functions the CLI calls, rendered by Jinja2 templates.

Every page calls the same library function as its command (``pipeline.search``:
search, show, trace, similar, stats; ``pipeline.ingest.ledger.archive_status``;
``pipeline.search.facets`` for the facets and the coverage grid) on one index kept
open by :class:`ArchiveHandle`; its JSON twin under ``/api/`` returns the
rows of ``pipeline.output.render`` that the CLI prints with ``--json``.

Safety: every text from a paper goes through Jinja2's autoescaping (snippet
marks become ``<mark>`` around escaped text); pages carry a Content Security
Policy that allows no script at all; ``/source/<report id>`` serves a file
only when the index holds that report, the ledger records its file as
indexed, its path is still the file's real path (no symlink swapped in) and
its bytes still have the recorded sha256; the bytes served are the bytes
checked.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.config import MARKDOWN_EXTENSIONS, MAX_PAGE, TEXT_EXTENSIONS
from pipeline.errors import BoardpapersError, QueryError, SearchIndexError
from pipeline.model import DOC_TYPES, SECTION_KINDS, Hit, Report, TraceEntry
from pipeline.output.render import section_label
from pipeline.web.files import ArchiveHandle, NotFound, ingest_running, section_label_of, text_lines, verified_bytes
from pipeline.web.views import (
    choice_param,
    date_text,
    int_param,
    marked,
    report_url,
    source_url,
    text_param,
    timeline,
    trace_url,
    url,
)

log = logging.getLogger("boardpapers.web")

#: Where ``boardpapers serve`` listens unless told otherwise: this machine only.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
#: Longest draft (characters) the similar page accepts.
MAX_DRAFT_CHARS = 20_000
#: Reports per search page.
PAGE_SIZE = 10
#: Most passages the similar page shows.
MAX_SIMILAR = 50
#: Headers of every HTML page: no script runs, nothing is framed, nothing is sniffed.
HTML_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; style-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
#: Source formats shown as numbered text lines (the others are served as they are: PDF).
TEXT_FORMATS: frozenset[str] = frozenset({"text", "markdown"})
#: Hits carry their paper's path, not its format: text papers by their name (cited by line, not page).
TEXT_SUFFIXES: frozenset[str] = TEXT_EXTENSIONS | MARKDOWN_EXTENSIONS
#: Content types of the formats served as files.
FILE_TYPES: dict[str, str] = {"pdf": "application/pdf"}
#: Shades of the coverage grid (CSS classes shade-0 .. shade-N).
COVERAGE_SHADES = 5


# ---------------------------------------------------------------- the application


class DateRange(TypedDict):
    """The date options every page takes (the other filters are written in the query)."""

    date_from: str | None
    date_to: str | None


class WebApp:
    """The routes' state: the archive handle, the templates, and the page functions."""

    def __init__(self, index_dir: str | os.PathLike[str]) -> None:
        self.archive = ArchiveHandle(index_dir)
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        self.env.filters.update(marked=marked, date_text=date_text)
        self.env.globals.update(
            url=url,
            report_url=report_url,
            source_url=source_url,
            trace_url=trace_url,
            section_label=section_label,
            section_kinds=SECTION_KINDS,
            doc_types=DOC_TYPES,
            index_path=str(self.archive.path),
        )

    # ---- responses

    def html(self, name: str, context: dict[str, Any], status: int = 200) -> Response:
        context = dict(context, writing=ingest_running(self.archive.path))
        body = self.env.get_template(name).render(**context)
        return Response(body, status_code=status, media_type="text/html; charset=utf-8", headers=HTML_HEADERS)

    @staticmethod
    def json(data: Any, status: int = 200) -> Response:
        return JSONResponse(data, status_code=status, headers={"X-Content-Type-Options": "nosniff"})

    def error(
        self,
        request: Request,
        status: int,
        message: str,
        *,
        query: str | None = None,
        position: int | None = None,
        title: str | None = None,
    ) -> Response:
        if request.url.path.startswith("/api/"):
            return self.json({"error": message, "status": status, "query": query, "position": position}, status)
        titles = {
            400: "The request could not be read",
            404: "Not found",
            503: "The archive cannot be opened",
            500: "Something went wrong",
        }
        return self.html(
            "error.html",
            {
                "title": title or titles.get(status, "Error"),
                "status": status,
                "message": message,
                "query": query,
                "position": position,
            },
            status,
        )

    def handle(self, page: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """A route function: the page, with our errors as pages (or JSON under /api/) and never a traceback."""

        def endpoint(request: Request) -> Response:
            try:
                return page(request)
            except QueryError as exc:
                return self.error(request, 400, str(exc), query=exc.query or None, position=exc.position)
            except SearchIndexError as exc:
                writing = ingest_running(self.archive.path)
                message = str(exc) + (
                    f" An ingest is writing it now ({writing}): try again when it has finished." if writing else ""
                )
                return self.error(request, 503, message)
            except NotFound as exc:
                return self.error(request, 404, str(exc))
            except HTTPException:
                raise
            except Exception:
                log.exception("error answering %s", request.url.path)
                return self.error(request, 500, "The server could not answer this request; the error is in its log.")

        endpoint.__name__ = page.__name__
        return endpoint

    # ---- search

    def search_page(self, request: Request) -> Response:
        data = self._search(request.query_params)
        return self.html("search.html", data)

    def api_search(self, request: Request) -> Response:
        from pipeline.output.render import search_page_rows, search_page_summary

        data = self._search(request.query_params, with_facets=False, required=True)
        result = data["result"]
        return self.json(
            {
                "query": data["q"],
                "page": result.page,
                "limit": result.limit,
                "total": result.total,
                "reports": result.reports,
                "reports_exact": result.reports_exact,
                "summary": search_page_summary(result),
                "hits": search_page_rows(result),
            }
        )

    def api_facets(self, request: Request) -> Response:
        from pipeline.search.facets import facets

        p = request.query_params
        q, options = text_param(p, "q"), self._filters(p)
        with self.archive.index() as ix:
            result = facets(ix, q, **options)
        return self.json(dict(query=q, **result.to_dict()))

    @staticmethod
    def _filters(p: Mapping[str, str]) -> DateRange:
        """The search options a page takes: the date range (the rest is written in the query)."""
        return DateRange(date_from=text_param(p, "from") or None, date_to=text_param(p, "to") or None)

    def _search(self, p: Mapping[str, str], *, with_facets: bool = True, required: bool = False) -> dict[str, Any]:
        from pipeline.output.render import search_page_summary
        from pipeline.search import NO_VALUE, SORTS, search
        from pipeline.search.facets import FACET_DIMENSIONS, narrow, narrowed, widen
        from pipeline.search.facets import facets as facet_counts

        q = text_param(p, "q")
        options = self._filters(p)
        sort = choice_param(p, "sort", SORTS, "relevance")
        page = int_param(p, "page", 1, 1, MAX_PAGE)
        data: dict[str, Any] = {
            "q": q,
            "date_from": options["date_from"] or "",
            "date_to": options["date_to"] or "",
            "sort": sort,
            "result": None,
            "facets": None,
        }
        if not q and not any(options.values()):
            if required:
                raise QueryError("give a query: q=words (the language of `boardpapers search --help`)")
            with self.archive.index() as ix:
                data["archive_size"] = ix.count("report")
            return data
        keep = {"from": options["date_from"], "to": options["date_to"], "sort": None if sort == "relevance" else sort}
        with self.archive.index() as ix:
            result = search(ix, q, limit=PAGE_SIZE, page=page, sort=sort or "relevance", **options)
            found = facet_counts(ix, q, **options) if with_facets else None
        data.update(result=result, summary=search_page_summary(result), facets=found)
        pages = max(1, math.ceil(result.reports / PAGE_SIZE))
        data["pages"] = pages
        data["prev_url"] = url("/search", q=q, page=page - 1, **keep) if page > 1 else None
        data["next_url"] = url("/search", q=q, page=page + 1, **keep) if page < pages else None
        data["first_rank"] = (page - 1) * PAGE_SIZE + 1
        data["sort_urls"] = {s: url("/search", q=q, **{**keep, "sort": None if s == "relevance" else s}) for s in SORTS}
        if found is not None:
            groups = []
            for dimension in FACET_DIMENSIONS:
                values = []
                for c in found.values(dimension):
                    if c.value == NO_VALUE:
                        values.append({"value": c.value, "count": c.count, "href": None, "selected": False})
                        continue
                    selected = narrowed(q, dimension, c.value)
                    target = widen(q, dimension, c.value) if selected else narrow(q, dimension, c.value)
                    values.append(
                        {
                            "value": c.value,
                            "count": c.count,
                            "selected": selected,
                            "href": url("/search", q=target, **keep),
                        }
                    )
                groups.append({"dimension": dimension, "values": values, "partial": dimension in found.partial})
            data["facet_groups"] = groups
        return data

    # ---- help

    def help_page(self, request: Request) -> Response:
        from pipeline.config import QUERY_HELP

        return self.html("help.html", {"query_help": QUERY_HELP.replace("\b\n", "")})

    # ---- report

    def _report(self, request: Request) -> Report:
        from pipeline.search import show

        wanted = request.path_params["report_id"]
        with self.archive.index() as ix:
            exact = ix.get_report(wanted)  # a lookup by key; show() lists every id to resolve a prefix
            if exact is not None:
                return exact
            try:
                return show(ix, wanted)
            except BoardpapersError as exc:
                raise NotFound(str(exc)) from None

    def report_page(self, request: Request) -> Response:
        from pipeline.output.render import SUMMARY_FIELDS
        from pipeline.search import recommendation_id

        report = self._report(request)
        if report.id != request.path_params["report_id"]:  # a unique start of the id: the page's own address
            return RedirectResponse(report_url(report.id), status_code=303)
        text = report.source.format in TEXT_FORMATS

        def cite(name: str) -> dict[str, Any] | None:
            prov = report.provenance.get(name)
            if prov is None:
                return None
            return {
                "page": prov.page,
                "line": prov.line,
                "href": source_url(report.id, page=prov.page, line=prov.line, text=text),
            }

        fields = []
        for name, title in SUMMARY_FIELDS:
            value = getattr(report, name)
            if value is None:
                continue
            if isinstance(value, bool):
                value = "yes" if value else "no"
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            fields.append({"name": name, "title": title, "value": value, "cite": cite(name)})
        recommendations = [
            {
                "label": r.label or f"{r.number}.",
                "text": r.text,
                "id": recommendation_id(report.id, r.number),
                "cite": {
                    "page": r.page,
                    "line": r.line,
                    "href": source_url(report.id, page=r.page, line=r.line, text=text),
                },
            }
            for r in report.recommendations
        ]
        sections = [
            {"section": s, "href": source_url(report.id, page=s.page, line=s.line, text=text)} for s in report.sections
        ]
        names = {i: section_label_of(s) for i, s in enumerate(report.sections)}
        entities = [
            {"entity": e, "where": names.get(e.section, "header") if e.section is not None else "header"}
            for e in report.entities
        ]
        return self.html(
            "report.html",
            {
                "report": report,
                "fields": fields,
                "recommendations": recommendations,
                "sections": sections,
                "entities": entities,
                "source_href": source_url(report.id),
            },
        )

    def api_report(self, request: Request) -> Response:
        from pipeline.output.render import outcome_rows
        from pipeline.search.decisions import outcomes

        report = self._report(request)
        with self.archive.index() as ix:  # what became of its recommendations, as show --json gives
            decided = outcomes(ix, report)
        return self.json({**report.to_dict(), "outcomes": outcome_rows(decided)})

    # ---- source files

    def source(self, request: Request) -> Response:
        """A paper's own file, by its report id: only what the ledger knows, only as it was ingested."""
        from pipeline.ingest.ledger import Ledger

        rid = request.path_params["report_id"]
        with self.archive.index() as ix:
            report = ix.get_report(rid)  # the exact id: no prefixes, no paths
        if report is None:
            raise NotFound(f"no report with id {rid!r} in the archive")
        path = report.source.path
        ledger = Ledger.open(self.archive.path)
        if ledger is None:
            raise NotFound("the archive has no ingest ledger, so no file is served")
        with ledger:
            entry = next((e for e in ledger.entries() if e.path == path), None)
        if entry is None or entry.status != "indexed":
            raise NotFound(f"the ledger does not record the file of report {rid} as indexed")
        data = verified_bytes(path, entry.sha256 or report.source.sha256)
        if data is None:
            raise NotFound(f"the file of report {rid} has moved or changed since it was ingested: ingest it again")
        name = Path(path).name
        if report.source.format in TEXT_FORMATS:
            if request.query_params.get("raw"):
                return Response(
                    data,
                    media_type="text/plain; charset=utf-8",
                    headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
                )
            return self.html(
                "source.html",
                {
                    "report": report,
                    "name": name,
                    "lines": text_lines(path, data),
                    "raw_href": url("/source/" + quote(rid, safe=""), raw=1),
                },
            )
        media = FILE_TYPES.get(report.source.format)
        if media is None:
            raise NotFound(f"files of format {report.source.format!r} are not served")
        disposition = f"inline; filename*=UTF-8''{quote(name, safe='')}"
        return Response(
            data, media_type=media, headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}
        )

    # ---- trace

    def _trace(self, p: Mapping[str, str]) -> tuple[str, Any]:
        from pipeline.search.decisions import trace_decided as trace  # with each entry's outcome

        q = text_param(p, "q")
        if not q:
            return q, None
        with self.archive.index() as ix:
            result = trace(ix, q, committee=text_param(p, "committee") or None, **self._filters(p))
        return q, result

    def trace_page(self, request: Request) -> Response:
        from pipeline.search.wording import word_changes

        q, result = self._trace(request.query_params)
        lineages = []
        if result is not None:
            for lin in result.lineages:
                steps: list[dict[str, Any]] = []
                previous: TraceEntry | None = None
                for e in lin.entries:
                    changes = word_changes(previous.text, e.text) if previous is not None else None
                    steps.append(
                        {
                            "entry": e,
                            "changes": changes,
                            "seed": result.seed is not None and e.recommendation_id == result.seed.recommendation_id,
                            "changed": changes is not None and any(c.op != "same" for c in changes),
                        }
                    )
                    previous = e
                lineages.append({"lineage": lin, "steps": steps})
        p = request.query_params
        return self.html(
            "trace.html",
            {
                "q": q,
                "result": result,
                "lineages": lineages,
                "committee": p.get("committee", ""),
                "date_from": p.get("from", ""),
                "date_to": p.get("to", ""),
                "timeline": timeline(result.lineages) if result is not None else None,
            },
        )

    def api_trace(self, request: Request) -> Response:
        from pipeline.output.render import trace_rows

        q, result = self._trace(request.query_params)
        if result is None:
            raise QueryError("give a query or a recommendation id: q=REPORT_ID#r1")
        return self.json(
            {
                "query": q,
                "seed": result.seed.recommendation_id if result.seed else None,
                "recommendations": trace_rows(result),
            }
        )

    # ---- similar

    def _similar(self, p: Mapping[str, str]) -> tuple[str, tuple[Hit, ...] | None, list[str]]:
        from pipeline.search import similar
        from pipeline.search.wording import mark_shared

        text = text_param(p, "text", MAX_DRAFT_CHARS)
        if not text:
            return text, None, []
        limit = int_param(p, "limit", 10, 1, MAX_SIMILAR)
        section = choice_param(p, "section", SECTION_KINDS, None)
        with self.archive.index() as ix:
            hits = similar(
                ix,
                text,
                section=section,
                committee=text_param(p, "committee") or None,
                council=text_param(p, "council") or None,
                limit=limit,
                **self._filters(p),
            )
            drafts = [mark_shared(ix, text, h.snippet) for h in hits]
        return text, hits, drafts

    def similar_page(self, request: Request) -> Response:
        text, hits, drafts = self._similar(request.query_params)
        p = request.query_params
        return self.html(
            "similar.html",
            {
                "text": text,
                # Each passage with the draft's shared words and whether its paper is text (cited by line).
                "pairs": [(h, d, Path(h.path).suffix.lower() in TEXT_SUFFIXES) for h, d in zip(hits or (), drafts)],
                "searched": hits is not None,
                "section": p.get("section", ""),
                "committee": p.get("committee", ""),
                "council": p.get("council", ""),
                "date_from": p.get("from", ""),
                "date_to": p.get("to", ""),
            },
        )

    def api_similar(self, request: Request) -> Response:
        from pipeline.output.render import similar_rows

        _text, hits, _ = self._similar(request.query_params)
        if hits is None:
            raise QueryError("give the draft: text=...")
        return self.json({"hits": similar_rows(hits)})

    # ---- overview

    def _overview(self) -> dict[str, Any]:
        from pipeline.ingest.ledger import archive_status, status_counts
        from pipeline.search import stats
        from pipeline.search.facets import coverage

        with self.archive.index() as ix:
            numbers = stats(ix)
            grid = coverage(ix)
        files = archive_status(self.archive.path)
        return {
            "stats": numbers,
            "coverage": grid,
            "files": files,
            "file_counts": status_counts(files),
            "failed": [f for f in files if f.status in ("failed", "missing")],
        }

    def overview_page(self, request: Request) -> Response:
        data = self._overview()
        grid = data["coverage"]
        top = max((c.papers for c in grid.cells), default=0)
        rows = []
        for committee in grid.committees:
            cells = []
            for quarter in grid.quarters:
                n = grid.count(committee, quarter)
                shade = 0 if not n else max(1, math.ceil(COVERAGE_SHADES * n / top))
                cells.append({"quarter": quarter, "papers": n, "shade": shade})
            rows.append({"committee": committee, "cells": cells})
        by_dimension: dict[str, list[Any]] = {}
        for c in data["stats"].counts:
            by_dimension.setdefault(c.dimension, []).append(c)
        return self.html("overview.html", dict(data, grid_rows=rows, by_dimension=by_dimension))

    def api_overview(self, request: Request) -> Response:
        from pipeline.ingest.ledger import STATUS_COLUMNS
        from pipeline.output.render import stats_rows
        from pipeline.search.facets import coverage_rows, warning_rows

        data = self._overview()
        grid = data["coverage"]
        return self.json(
            {
                "stats": stats_rows(data["stats"]),
                "coverage": {
                    "committees": list(grid.committees),
                    "quarters": list(grid.quarters),
                    "cells": coverage_rows(grid),
                    "papers": grid.papers,
                    "without_quarter": grid.without_quarter,
                },
                "warnings": warning_rows(grid.warnings),
                "files": data["file_counts"],
                "failed": [{k: getattr(e, k) for k in STATUS_COLUMNS} for e in data["failed"]],
            }
        )

    def api_stats(self, request: Request) -> Response:
        from pipeline.output.render import stats_rows
        from pipeline.search import stats

        with self.archive.index() as ix:
            return self.json({"rows": stats_rows(stats(ix))})

    def api_status(self, request: Request) -> Response:
        from pipeline.ingest.ledger import STATUS_COLUMNS, archive_status, status_counts

        files = archive_status(self.archive.path)
        return self.json(
            {"counts": status_counts(files), "files": [{k: getattr(e, k) for k in STATUS_COLUMNS} for e in files]}
        )

    def not_found(self, request: Request, exc: Exception) -> Response:
        return self.error(request, getattr(exc, "status_code", 404), getattr(exc, "detail", "") or "no such page")


class ServerTiming:
    """ASGI middleware: each response says how long the server took to make it (``Server-Timing: app;dur=MS``,
    from the request's arrival to the response's headers; a page's body is rendered before them)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Any) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - start) * 1000
                message.setdefault("headers", []).append((b"server-timing", f"app;dur={took:.1f}".encode()))
            await send(message)

        await self.app(scope, receive, timed)


def create_app(index_dir: str | os.PathLike[str]) -> Starlette:
    """The ASGI application serving the archive in ``index_dir`` (read-only)."""
    web = WebApp(index_dir)
    h = web.handle
    routes = [
        Route("/", h(web.search_page)),
        Route("/search", h(web.search_page)),
        Route("/help", h(web.help_page)),
        Route("/report/{report_id}", h(web.report_page)),
        Route("/source/{report_id}", h(web.source)),
        Route("/trace", h(web.trace_page)),
        Route("/similar", h(web.similar_page)),
        Route("/overview", h(web.overview_page)),
        Route("/api/search", h(web.api_search)),
        Route("/api/facets", h(web.api_facets)),
        Route("/api/report/{report_id}", h(web.api_report)),
        Route("/api/trace", h(web.api_trace)),
        Route("/api/similar", h(web.api_similar)),
        Route("/api/stats", h(web.api_stats)),
        Route("/api/status", h(web.api_status)),
        Route("/api/overview", h(web.api_overview)),
        Mount("/static", StaticFiles(directory=str(STATIC_DIR), follow_symlink=False), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        web.archive.close()

    app = Starlette(
        routes=routes,
        exception_handlers={404: web.not_found, 405: web.not_found},
        lifespan=lifespan,
        middleware=[Middleware(ServerTiming)],
    )
    app.state.web = web
    return app


def serve(
    index_dir: str | os.PathLike[str], *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, log_level: str = "info"
) -> None:
    """Serve the archive until interrupted (uvicorn, one process)."""
    import uvicorn

    uvicorn.run(create_app(index_dir), host=host, port=port, log_level=log_level, server_header=False)
