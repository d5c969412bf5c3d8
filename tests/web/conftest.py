"""Indexes for the web tests: the sample corpus on each engine, and small archives built to be awkward."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.index import ENGINES

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"

#: A text paper whose wording tries to run script in a page and to link to javascript: URLs.
HOSTILE_PAPER = """\
REPORT TO: Children <script>alert('committee')</script> Board
DATE: 22nd January 2024
REPORTING OFFICER: Executive Director <img src=x onerror=alert(1)>
SUBJECT: Hostile <script>alert('subject')</script> report

1.0 PURPOSE OF THE REPORT
1.1 To test that <script>alert('body')</script> stays text, and that [a link](javascript:alert(1)) and
<a href="javascript:alert(2)">this anchor</a> are inert. [[not a mark]] and a stray ]] too.

2.0 RECOMMENDATION
RECOMMENDED: That the Board
1) note the <b onmouseover=alert(3)>hostile</b> wording.
"""


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def corpus_indexes(tmp_path_factory) -> dict[str, Path]:
    """An index of the sample corpus per engine, built once (tests must not write to them)."""
    from pipeline.ingest import ingest

    out = {}
    for name in ENGINES:
        path = tmp_path_factory.mktemp(f"web-{name}") / "index"
        summary = ingest([CORPUS], path, engine=name)
        assert summary.count("indexed") == 10, summary.failed
        out[name] = path
    return out


@pytest.fixture(scope="session")
def web_index(corpus_indexes, engine) -> Path:
    return corpus_indexes[engine]


@pytest.fixture
def client_for():
    """A test client for the app over an index directory (closed after the test)."""
    from starlette.testclient import TestClient

    from pipeline.web import create_app

    clients = []

    def make(index_dir: Path) -> TestClient:
        client = TestClient(create_app(index_dir), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(client_for, web_index):
    return client_for(web_index)


@pytest.fixture
def copied_archive(tmp_path, engine) -> tuple[Path, Path]:
    """(papers folder, index) of a copy of the sample corpus plus the hostile paper, ingested (writable)."""
    from pipeline.ingest import ingest

    papers = tmp_path / "papers"
    shutil.copytree(CORPUS, papers)
    (papers / "seeds" / "hostile.txt").write_text(HOSTILE_PAPER, encoding="utf-8")
    index = tmp_path / "index"
    summary = ingest([papers], index, engine=engine)
    assert summary.count("indexed") == 11, summary.failed
    return papers, index
