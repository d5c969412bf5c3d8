"""The web server never writes the index folder: an index to rebuild, or another program's, is an error page."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import make_report

from pipeline.index import ENGINES, open_index

PURPOSE = ("1.0", "PURPOSE", "purpose", "To agree the budget for the year.")


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_the_server_does_not_rebuild_an_index_of_another_schema_version(client_for, tmp_path, engine):
    folder = tmp_path / "index"
    with open_index(folder, create=True, engine=engine) as ix:
        ix.add_reports([make_report("r1", [PURPOSE])])
    meta = json.loads((folder / "meta.json").read_text())
    meta["schema_version"] = 1
    (folder / "meta.json").write_text(json.dumps(meta))
    before = snapshot(folder)
    r = client_for(folder).get("/search", params={"q": "budget"})
    assert r.status_code >= 400 and "schema version 1" in r.text
    assert snapshot(folder) == before


def test_the_servers_page_limit_is_the_clis(client_for, tmp_path):
    from pipeline.config import MAX_PAGE

    folder = tmp_path / "index"
    with open_index(folder, create=True) as ix:
        ix.add_reports([make_report("r1", [PURPOSE])])
    client = client_for(folder)
    assert client.get("/search", params={"q": "budget", "page": str(MAX_PAGE)}).status_code == 200
    assert client.get("/search", params={"q": "budget", "page": str(MAX_PAGE + 1)}).status_code == 400
