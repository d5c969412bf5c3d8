"""An index built by the previous release opens, answers and takes new papers with this code, not rebuilt.

``tests/data/previous_release/`` holds what release 0.1.0 (commit 078b278)
wrote when it ingested ``corpus/seeds/001_301a5d08a7e7c56a.txt``, once per
engine (``whoosh/``, ``tantivy/``), and what those indexes answered then
(``answers.json``, computed by that release). A Whoosh index pickles its
schema into its table of contents, naming the ``words`` field's format class
by module (``pipeline.index._WordCounts``): moving that class without keeping
the name would leave every existing index unopenable.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from conftest import make_report

from pipeline.index import ENGINES, open_index
from pipeline.ingest.ledger import archive_status
from pipeline.model import SearchRequest
from pipeline.search.query import parse_query

RELEASE = Path(__file__).resolve().parents[1] / "data" / "previous_release"
ANSWERS = json.loads((RELEASE / "answers.json").read_text(encoding="utf-8"))


@pytest.fixture(params=ENGINES)
def released(request, tmp_path) -> tuple[str, Path]:
    """(engine, a copy of the index the previous release wrote with it)."""
    copy = tmp_path / "index"
    shutil.copytree(RELEASE / request.param, copy)
    return request.param, copy


def answers(ix, queries: list[str]) -> dict:
    out = {}
    for text in queries:
        for target in ("section", "recommendation"):
            r = ix.search(SearchRequest(parse_query(text), target=target, limit=4))
            out[f"{target} {text}"] = [r.total, r.reports, [[h.section_index, h.score, h.snippet] for h in r.hits]]
    return out


def test_an_index_of_the_previous_release_answers_as_it_did(released, caplog):
    engine, path = released
    want = ANSWERS[engine]
    with caplog.at_level(logging.WARNING, logger="boardpapers.index"):
        with open_index(path) as ix:
            assert list(ix.report_ids()) == want["report_ids"]
            assert {k: ix.count(k) for k in want["counts"]} == want["counts"]
            assert answers(ix, ANSWERS["queries"]) == want["searches"]
            report = ix.get_report(want["report_ids"][0])
            assert report is not None
            assert {
                "subject": report.subject,
                "committee": report.committee,
                "meeting_date": report.meeting_date.isoformat(),
                "sections": [s.title for s in report.sections],
            } == want["record"]
    assert "rebuilt" not in caplog.text and "recreated" not in caplog.text  # opened as it is
    assert [(e.status, e.report_id) for e in archive_status(path)] == [("indexed", want["report_ids"][0])]


def test_an_index_of_the_previous_release_takes_new_papers(released):
    engine, path = released
    meta = (path / "meta.json").read_text()
    with open_index(path, engine=engine) as ix:
        ix.add_reports(
            [
                make_report(
                    "new",
                    [("1", "Purpose", "purpose", "Museums and libraries are reviewed.")],
                    subject="Libraries review",
                )
            ]
        )
    with open_index(path) as ix:
        assert ix.report_ids() == (ANSWERS[engine]["report_ids"][0], "new")
        assert [h.report_id for h in ix.search(SearchRequest(parse_query("museums"))).hits] == ["new"]
        assert ix.search(SearchRequest(parse_query('"performance management"'))).total == 15
        assert ix.segment_count() == 2
        assert ix.merge() == 2  # Whoosh keeps the larger segment as it is; tantivy merges on its own
    assert (path / "meta.json").read_text() == meta


def test_a_whoosh_table_of_contents_names_the_words_format_as_the_previous_release_did(tmp_path):
    """The schema this code pickles into a new commit names the class as the release's tables of contents do."""
    released_toc = next((RELEASE / "whoosh").glob("_*.toc")).read_bytes()
    name = b"cpipeline.index\n_WordCounts\n"
    assert name in released_toc
    with open_index(tmp_path / "new", create=True) as ix:
        ix.add_reports([make_report("a", [("1", "Purpose", "purpose", "Museums.")])])
    (toc,) = (tmp_path / "new").glob("_*_1.toc")
    assert name in toc.read_bytes()
