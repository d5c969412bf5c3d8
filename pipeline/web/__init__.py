"""The archive in a browser: ``boardpapers serve`` (Starlette, Jinja2 templates, uvicorn).

    from pipeline.web import create_app, serve
    app = create_app("index")            # an ASGI app (Starlette)
    serve("index", port=8000)            # blocks; binds to 127.0.0.1 unless told otherwise

Pages: search (with facets), a report, a recommendation's trace, similar
wording, the archive's overview; every page also as JSON under ``/api/``
(the objects the CLI prints with ``--json``). Read-only: the app only reads
the index and its ledger, and serves a paper's file only when the ledger
knows it (looked up by report id; no path from a request reaches the file
system). Needs the ``web`` extra: ``pip install -e '.[web]'``.
"""

from __future__ import annotations

from pipeline.web.app import DEFAULT_HOST, DEFAULT_PORT, create_app, serve

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "serve"]
