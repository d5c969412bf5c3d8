"""Both index engines (Whoosh and tantivy) behind the one seam: the same searches, the same answers.

The sample corpus is ingested once per engine for the module; hand-built
reports cover matching, ranking, records, transactions and versions.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, ROOT, make_report

from pipeline.cli import cli
from pipeline.errors import IndexLocked, SearchIndexError
from pipeline.index import ENGINES, open_index
from pipeline.index.store import META_FILE, Layout
from pipeline.index.tantivy import FILES as TANTIVY_FILES
from pipeline.index.tantivy import ranking
from pipeline.index.tantivy.schema import INDEX_SUBDIR
from pipeline.index.tantivy.schema import SCHEMA_VERSION as TANTIVY_SCHEMA_VERSION
from pipeline.index.tantivy.translate import Translator
from pipeline.index.whoosh.schema import SCHEMA_VERSION as WHOOSH_SCHEMA_VERSION
from pipeline.ingest import ingest
from pipeline.model import QAll, QTerm, SearchRequest
from pipeline.search import search, similar, stats, trace
from pipeline.search.query import parse_query

RELEVANCE = [
    json.loads(line)
    for line in (Path(__file__).resolve().parents[1] / "data" / "relevance.jsonl").read_text().splitlines()
]
OPTION_NAMES = {"from": "date_from", "to": "date_to"}

SPECIALIST = (
    "3.3",
    "Specialist Services",
    "supporting_information",
    "Placement Strategy: a strategy is being developed to improve the supply of local foster carers. "
    "Safe Recruitment: organisations operate recruitment and supervision practices.",
)
RECS = ("2.0", "RECOMMENDED", "recommendations", "Receive the second quarter's performance management report")
PURPOSE = ("1.0", "PURPOSE OF REPORT", "purpose", "To consider performance for the second quarter period.")
R2016_SECTIONS = [("1", "PURPOSE", "purpose", "The carers of foster children are thanked.")]


def stem(hit) -> str:
    """The corpus paper a hit comes from ("002" for 002_03db...-316798dc)."""
    return Path(hit.path).name[:3]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def q(text: str, **kw) -> SearchRequest:
    return SearchRequest(parse_query(text), **kw)


def keys(result) -> list[tuple[str, str | None]]:
    return [(h.report_id, h.section_number) for h in result.hits]


def engine_recorded(path: Path) -> str:
    return json.loads((path / META_FILE).read_text())["engine"]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=ENGINES)
def corpus_ix(request, tmp_path_factory) -> Path:
    """The sample corpus (5 .txt + 5 .pdf) indexed by one engine; tests must not write to it."""
    path = tmp_path_factory.mktemp(f"corpus-{request.param}") / "index"
    summary = ingest([CORPUS], path, engine=request.param)
    assert summary.count("indexed") == 10, summary.failed
    assert engine_recorded(path) == request.param
    return path


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict[str, Path]:
    """The corpus indexed by each engine, for comparing their answers."""
    out = {}
    for engine in ENGINES:
        path = tmp_path_factory.mktemp(f"both-{engine}") / "index"
        assert ingest([CORPUS], path, engine=engine).count("indexed") == 10
        out[engine] = path
    return out


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture
def ix(engine, index_dir):
    reports = [
        make_report(
            "r2008",
            [PURPOSE, RECS, SPECIALIST],
            date="2008-11-03",
            period=("2008/09", 2),
            committee="Children & Young People PPB",
            officer="Strategic Director, Children",
            recommendations=["Receive the second quarter's performance management report"],
        ),
        make_report(
            "r2024",
            [PURPOSE, ("2.0", "RECOMMENDED", "recommendations", "Receive the first quarter's report")],
            date="2024-01-22",
            period=("2023/24", 2),
            committee="Children, Young People and Families Board",
            officer="Executive Director - Children",
            recommendations=["Receive the first quarter's report"],
        ),
        make_report(
            "r2016",
            R2016_SECTIONS,
            date="2016-12-01",
            period=("2016/17", 3),
            council="Central Bedfordshire Council",
            committee="Children's Trust Board",
            officer="Assistant Director",
        ),
    ]
    with open_index(index_dir, create=True, engine=engine) as ix:
        ix.add_reports(reports)
        yield ix


# ---------------------------------------------------------------- the engine registry


def test_a_new_index_records_its_engine_and_later_opens_use_it(engine, index_dir):
    with open_index(index_dir, create=True, engine=engine) as ix:
        ix.add_reports([make_report("a", [PURPOSE])])
    meta = json.loads((index_dir / "meta.json").read_text())
    assert meta["engine"] == engine
    assert meta["schema_version"] == (TANTIVY_SCHEMA_VERSION if engine == "tantivy" else WHOOSH_SCHEMA_VERSION)
    with open_index(index_dir) as ix:  # no engine named: the recorded one
        assert type(ix).__module__ == f"pipeline.index.{engine}"
        assert keys(ix.search(q("performance"))) == [("a", "1.0")]


def test_whoosh_is_the_default(index_dir):
    with open_index(index_dir, create=True) as ix:
        assert type(ix).__name__ == "WhooshIndex"
    assert engine_recorded(index_dir) == "whoosh"


def test_an_index_keeps_its_engine(engine, index_dir):
    other = next(e for e in ENGINES if e != engine)
    with open_index(index_dir, create=True, engine=engine):
        pass
    with pytest.raises(SearchIndexError, match=f"uses the {engine} engine, not {other}"):
        open_index(index_dir, create=True, engine=other)
    with pytest.raises(SearchIndexError, match="unknown index engine"):
        open_index(index_dir, engine="lucene")


def test_missing_index_is_an_error_unless_created(engine, tmp_path):
    with pytest.raises(SearchIndexError, match="no index at"):
        open_index(tmp_path / "none", engine=engine)
    assert not (tmp_path / "none").exists()
    with open_index(tmp_path / "new", create=True, engine=engine) as ix:
        assert ix.count("report") == 0 and ix.report_ids() == ()


# ---------------------------------------------------------------- matching (hand-built reports)


def test_phrase_matches_only_adjacent_words(ix):
    res = ix.search(q('"foster carers"'))
    assert keys(res) == [("r2008", "3.3")]
    assert "[[foster carers]]" in res.hits[0].snippet


def test_words_are_stemmed(ix):
    assert {h.report_id for h in ix.search(q("carer")).hits} == {"r2008", "r2016"}


def test_section_title_is_searchable(ix):
    res = ix.search(q('"specialist services"'))
    assert keys(res) == [("r2008", "3.3")] and res.hits[0].section_title == "Specialist Services"


def test_prefix_and_fuzzy_use_unstemmed_words_and_are_highlighted(ix):
    for text in ("recruit*", "recruitmnet~", "Recruitmnet~2"):
        res = ix.search(q(text))
        assert keys(res) == [("r2008", "3.3")], text
        assert "[[Recruitment]]" in res.hits[0].snippet and "[[recruitment]]" in res.hits[0].snippet
    assert ix.search(q("recruitmnet~1")).total == 0  # a transposition is two edits
    assert ix.search(q("ecruitment~1")).total == 0  # fuzzy words keep their first letter
    assert ix.search(q("recruitmentxyz~3")).total == 1  # three edits: beyond tantivy's own fuzzy query


def test_boolean_operators(ix):
    assert {h.report_id for h in ix.search(q("carers NOT placement")).hits} == {"r2016"}
    assert {h.report_id for h in ix.search(q("NOT carers")).hits} == {"r2008", "r2024"}
    assert ix.search(q("(placement OR thanked) AND carers")).total == 2
    assert ix.search(q("placement thanked")).total == 0  # words are ANDed
    assert {h.report_id for h in ix.search(q("-carers quarter")).hits} == {"r2008", "r2024"}


def test_stop_words_alone_match_nothing_and_do_not_spoil_a_query(ix):
    assert ix.search(q("the")).total == 0
    assert keys(ix.search(q("the placement"))) == [("r2008", "3.3")]


def test_field_queries(ix):
    assert {h.report_id for h in ix.search(q("committee:families")).hits} == {"r2024"}
    assert {h.report_id for h in ix.search(q('officer:"assistant director"')).hits} == {"r2016"}
    assert {h.report_id for h in ix.search(q("subject:management")).hits} == {"r2008", "r2016", "r2024"}
    assert {h.report_id for h in ix.search(q("council:bedfordshire")).hits} == {"r2016"}
    assert {h.report_id for h in ix.search(q("quarter:2008/09-Q2")).hits} == {"r2008"}
    assert {h.report_id for h in ix.search(q("fy:2023/24")).hits} == {"r2024"}
    assert {h.section_number for h in ix.search(q("section:recommendations")).hits} == {"2.0"}
    assert {h.report_id for h in ix.search(q("date:[2016 TO 2018]")).hits} == {"r2016"}
    assert {h.report_id for h in ix.search(q("date:2024-01-22")).hits} == {"r2024"}
    assert {h.report_id for h in ix.search(q("date:[2016 TO *]")).hits} == {"r2016", "r2024"}
    assert {h.report_id for h in ix.search(q("committee:famil*")).hits} == {"r2024"}
    assert ix.search(q("doc_type:minutes")).total == 0
    assert ix.search(q("doc_type:report")).total == 6


def test_filter_restricts_without_scoring(ix):
    scored = ix.search(q("quarter"))
    filtered = ix.search(SearchRequest(parse_query("quarter"), QTerm("recommendations", "section")))
    assert filtered.total and {h.section_kind for h in filtered.hits} == {"recommendations"}
    by_key = {(h.report_id, h.section_index): h.score for h in scored.hits}
    for h in filtered.hits:
        assert h.score == by_key[(h.report_id, h.section_index)]


def test_date_filter_is_inclusive_of_both_ends(ix):
    import datetime as dt

    from pipeline.model import QDateRange

    flt = QDateRange(dt.date(2008, 11, 3), dt.date(2016, 12, 1))
    assert {h.report_id for h in ix.search(SearchRequest(QAll(), flt, limit=50)).hits} == {"r2008", "r2016"}


def test_a_filter_that_matches_nothing_empties_the_result(ix):
    res = ix.search(SearchRequest(QAll(), QTerm("the", "committee")))  # a stop word
    assert (res.total, res.reports, res.hits) == (0, 0, ())


# ---------------------------------------------------------------- hits and ranking


def test_hit_carries_report_and_section_fields(ix):
    hit = ix.search(q('"foster carers"')).hits[0]
    assert hit.path == "/papers/r2008.txt"
    assert hit.section_kind == "supporting_information" and hit.section_index == 2 and hit.page == 3
    assert hit.meeting_date.isoformat() == "2008-11-03"
    assert hit.committee == "Children & Young People PPB"
    assert hit.officer == "Strategic Director, Children"
    assert hit.council == "Halton Borough Council"
    assert hit.subject == "Performance Management Report"
    assert hit.period == "2008/09-Q2"
    assert hit.score > 0


def test_heading_and_subject_outrank_recommendations_which_outrank_body(engine, index_dir):
    body = "word " * 5
    reports = [
        make_report("body", [("1", "Other", "other", f"budget {body}")], subject="x"),
        make_report("head", [("1", "Budget", "other", f"nothing {body}")], subject="x"),
        make_report("recs", [("1", "Other", "recommendations", f"budget {body}")], subject="x"),
        make_report("subj", [("1", "Other", "other", f"nothing {body}")], subject="Budget"),
    ]
    with open_index(index_dir, create=True, engine=engine) as ix:
        ix.add_reports(reports)
        order = [h.report_id for h in ix.search(q("budget")).hits]
    assert order.index("head") < order.index("recs") < order.index("body")
    assert order.index("subj") < order.index("recs")


def test_ties_are_broken_by_date_newest_first_then_report_id(engine, index_dir):
    same = [("1", "Purpose", "purpose", "Identical wording about budgets.")]
    dated = (("a", "2010-01-01"), ("b", "2020-01-01"), ("c", "2015-01-01"), ("e", "2015-01-01"), ("d", "2015-01-01"))
    with open_index(index_dir, create=True, engine=engine) as ix:
        ix.add_reports([make_report(r, same, date=d) for r, d in dated])
        ix.add_reports([make_report("undated", same, date=None)])
        res = ix.search(q("budgets"))
        order = [h.report_id for h in res.hits]
        assert [r for r in order if r != "undated"] == ["b", "c", "d", "e", "a"]
        assert len({h.score for h in res.hits}) == 1
        # a page boundary inside a run of ties keeps the same order
        pages = [h.report_id for off in range(0, 6, 2) for h in ix.search(q("budgets", limit=2, offset=off)).hits]
        assert pages == order
        by_date = [h.report_id for h in ix.search(q("budgets", sort="date")).hits]
        assert by_date == order
    # A report without a meeting date comes after every dated one, on both engines.
    assert order == ["b", "c", "d", "e", "a", "undated"]


def test_undated_reports_come_last_when_sorting_by_date(engine, index_dir):
    """--sort date: newest first, undated reports after every dated one (whatever their score)."""
    with open_index(index_dir, create=True, engine=engine) as ix:
        ix.add_reports(
            [
                make_report("undated-best", [("1", "Budget", "purpose", "budget budget budget")], date=None),
                make_report("old", [("1", "Purpose", "purpose", "A budget.")], date="2001-05-01"),
                make_report(
                    "new",
                    [("1", "Purpose", "purpose", "A budget, and more words about other things.")],
                    date="2024-05-01",
                ),
                make_report(
                    "undated-worst", [("1", "Purpose", "purpose", "A budget among many many other words.")], date=None
                ),
            ]
        )
        by_date = ix.search(q("budget", sort="date"))
        assert [h.report_id for h in by_date.hits] == ["new", "old", "undated-best", "undated-worst"]
        assert [h.meeting_date for h in by_date.hits][2:] == [None, None]
        by_relevance = [h.report_id for h in ix.search(q("budget")).hits]
        assert by_relevance[0] == "undated-best"  # relevance first: a better match is not pushed down


def test_sort_by_date(ix):
    res = ix.search(q("children OR carers OR receive", sort="date"))
    dates = [h.meeting_date for h in res.hits]
    assert len(dates) > 2 and dates == sorted(dates, reverse=True)


def test_limit_offset_and_per_report(ix):
    everything = ix.search(q("*", limit=100))
    assert everything.total == 6 and everything.reports == 3
    assert {h.score for h in everything.hits} == {1.0}
    page2 = ix.search(q("*", limit=2, offset=2))
    assert keys(page2) == keys(everything)[2:4]
    capped = ix.search(q("*", limit=100, per_report=1))
    assert sorted(h.report_id for h in capped.hits) == ["r2008", "r2016", "r2024"]
    assert capped.total == 6 and capped.reports == 3
    two = ix.search(q("*", limit=100, per_report=2, report_ids=("r2008",)))
    assert [h.report_id for h in two.hits] == ["r2008", "r2008"] and two.total == 3 and two.reports == 1


def test_per_report_cap_holds_with_a_filter(ix):
    res = ix.search(SearchRequest(QAll(), QTerm("Children", "committee"), limit=100, per_report=1))
    assert sorted(h.report_id for h in res.hits) == ["r2008", "r2016", "r2024"]


def test_recommendation_target(ix):
    res = ix.search(q("receive", target="recommendation"))
    assert {h.report_id for h in res.hits} == {"r2008", "r2024"}
    hit = next(h for h in res.hits if h.report_id == "r2008")
    assert hit.section_kind == "recommendation" and hit.section_index == 1 and hit.section_number == "1"
    assert hit.snippet == "[[Receive]] the second quarter's performance management report"
    assert all(h.section_kind != "recommendation" for h in ix.search(q("receive", limit=50)).hits)
    # a recommendation is matched on its own words, not its report's subject
    assert [h.snippet for h in ix.search(q('"management report"', target="recommendation")).hits] == [
        "Receive the second quarter's performance [[management report]]"
    ]
    assert ix.search(q("subject:management", target="recommendation")).total == 2


def test_snippets_can_be_left_out(ix):
    assert ix.search(q("carers", snippets=False)).hits[0].snippet == ""


def test_bad_request_values_are_rejected(ix):
    with pytest.raises(ValueError, match="target"):
        ix.search(q("x", target="paragraph"))
    with pytest.raises(ValueError, match="sort"):
        ix.search(q("x", sort="alphabetical"))


# ---------------------------------------------------------------- records, writing, versions


def test_stored_record_round_trips(ix):
    original = make_report(
        "r2016",
        R2016_SECTIONS,
        date="2016-12-01",
        period=("2016/17", 3),
        council="Central Bedfordshire Council",
        committee="Children's Trust Board",
        officer="Assistant Director",
    )
    assert ix.get_report("r2016") == original
    assert ix.get_report("nope") is None


def test_report_ids_hashes_files_and_counts(ix):
    assert ix.report_ids() == ("r2008", "r2016", "r2024")
    assert ix.report_ids("r2016") == ("r2016",)
    assert set(ix.files()) == {"/papers/r2008.txt", "/papers/r2016.txt", "/papers/r2024.txt"}
    assert {v: k for k, v in ix.hashes().items()} == ix.files()
    assert (ix.count("section"), ix.count("report"), ix.count("recommendation")) == (6, 3, 2)
    assert ix.doc_count() == ix.count("*") == 11
    assert sorted(r.id for r in ix.iter_reports()) == ["r2008", "r2016", "r2024"]


def test_agenda_pack_parts_are_indexed_as_reports(engine, index_dir):
    part1 = make_report(
        "pack-p1", [("1", "Budget", "purpose", "The budget for libraries.")], parent_id="pack", path="/papers/pack.pdf"
    )
    part2 = make_report(
        "pack-p2",
        [("1", "Roads", "purpose", "Pothole repairs.")],
        parent_id="pack",
        path="/papers/pack.pdf",
        committee="Highways Committee",
    )
    pack = make_report(
        "pack",
        [("", "Agenda", "other", "Agenda items")],
        doc_type="agenda_pack",
        path="/papers/pack.pdf",
        parts=[part1, part2],
    )
    with open_index(index_dir, create=True, engine=engine) as ix:
        ix.add_reports([pack])
        assert ix.report_ids() == ("pack", "pack-p1", "pack-p2")
        hit = ix.search(q("potholes")).hits[0]
        assert (hit.report_id, hit.committee, hit.path) == ("pack-p2", "Highways Committee", "/papers/pack.pdf")
        assert ix.get_report("pack-p1") == part1 and ix.get_report("pack").parts == (part1, part2)
        assert ix.search(q("agenda")).hits[0].section_number == ""
        assert ix.remove_paths(["/papers/pack.pdf"]) == 3 + 3  # three reports, three sections
        assert ix.report_ids() == () and ix.count("section") == 0


def test_re_adding_a_report_replaces_its_documents(ix):
    ix.add_reports([make_report("r2016", [("1", "PURPOSE", "purpose", "Entirely new words about libraries.")])])
    assert ix.search(q("thanked")).total == 0
    assert keys(ix.search(q("libraries"))) == [("r2016", "1")]
    assert ix.count("report") == 3 and ix.count("section") == 6


def test_remove_by_id(ix):
    assert ix.remove(["r2008"]) == 1 + 3 + 1  # its report, sections and recommendation documents
    assert ix.report_ids() == ("r2016", "r2024")
    assert ix.search(q('"foster carers"')).total == 0


def test_batch_cancels_on_error_and_keeps_the_last_commit(ix):
    with pytest.raises(RuntimeError):
        with ix.batch() as b:
            b.remove_report("r2008")
            b.add_report(make_report("new", [PURPOSE]))
            raise RuntimeError("boom")
    assert ix.report_ids() == ("r2008", "r2016", "r2024")
    with ix.batch() as b:  # the lock was released: the next batch works
        b.add_report(make_report("new", [PURPOSE]))
    assert "new" in ix.report_ids()


def test_a_second_writer_gets_index_locked(ix):
    with ix.batch():
        with open_index(ix.path) as other, pytest.raises(IndexLocked, match="locked"):
            with other.batch(timeout=0.2):
                pass
    with ix.batch(timeout=0) as b:  # released after the first batch committed
        b.add_report(make_report("later", [PURPOSE]))
    assert "later" in ix.report_ids()


def test_readers_see_commits_made_through_another_handle(ix):
    with open_index(ix.path) as other:
        other.add_reports([make_report("other", [PURPOSE])])
    assert "other" in ix.report_ids()


def test_foreign_files_in_the_index_dir_are_left_alone(engine, tmp_path):
    (tmp_path / "README.md").write_text("keep me")
    with open_index(tmp_path, create=True, engine=engine) as ix:
        ix.add_reports([make_report("a", [PURPOSE])])
    assert (tmp_path / "README.md").read_text() == "keep me"


def test_tantivy_schema_change_rebuilds_from_stored_records(index_dir, monkeypatch, caplog):
    current = INDEX_SUBDIR
    with open_index(index_dir, create=True, engine="tantivy") as ix:
        ix.add_reports([make_report("r2008", [PURPOSE, SPECIALIST]), make_report("r2016", R2016_SECTIONS)])
    monkeypatch.setattr(TANTIVY_FILES, "layout", Layout("tantivy", 99, "tantivy_v99"))
    with caplog.at_level(logging.WARNING, logger="boardpapers.index"):
        with open_index(index_dir) as rebuilt:
            assert rebuilt.report_ids() == ("r2008", "r2016")
            assert keys(rebuilt.search(q('"foster carers"'))) == [("r2008", "3.3")]
    assert "rebuilt for version 99 from 2 stored reports" in caplog.text
    meta = json.loads((index_dir / "meta.json").read_text())
    assert (meta["engine"], meta["schema_version"]) == ("tantivy", 99)
    assert not (index_dir / current).exists()  # the old version's files are removed


def test_tantivy_unreadable_old_index_is_recreated_empty_with_a_warning(index_dir, monkeypatch, caplog):
    with open_index(index_dir, create=True, engine="tantivy") as ix:
        ix.add_reports([make_report("a", [PURPOSE])])
    for f in (index_dir / INDEX_SUBDIR).iterdir():
        if f.suffix == ".store":
            f.write_bytes(b"garbage")
    version = TANTIVY_SCHEMA_VERSION + 1
    monkeypatch.setattr(TANTIVY_FILES, "layout", Layout("tantivy", version, f"tantivy_v{version}"))
    with caplog.at_level(logging.WARNING, logger="boardpapers.index"):
        with open_index(index_dir) as ix:
            assert ix.count("report") == 0
    assert "could not be read" in caplog.text and "ingest your papers again" in caplog.text


def test_tantivy_corrupt_index_is_an_index_error(index_dir):
    with open_index(index_dir, create=True, engine="tantivy") as ix:
        ix.add_reports([make_report("a", [PURPOSE])])
    for f in (index_dir / INDEX_SUBDIR).iterdir():
        if f.suffix == ".store":
            f.write_bytes(b"garbage")
    with pytest.raises(SearchIndexError, match="cannot open the index"):
        open_index(index_dir)


#: A tantivy writer committing one report at a time (killed at random moments by the test).
TANTIVY_WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from conftest import make_report
    from pipeline.index import open_index

    start = int(sys.argv[2])
    with open_index(sys.argv[1], create=True, engine="tantivy") as ix:
        for k in range(start, start + 10_000):
            ix.add_reports([make_report(f"r{{k:05d}}", [("1", "Purpose", "purpose", f"performance report {{k}}")])])
            print(k, flush=True)
    """
).format(tests=str(ROOT / "tests"))
#: Writers killed, and the longest wait before each kill (seconds).
TANTIVY_KILLS, TANTIVY_KILL_MAX_DELAY = 5, 0.5


def test_tantivy_sigkill_during_commits_never_corrupts_the_index(tmp_path):
    index_dir = tmp_path / "index"
    rng = random.Random(4)
    committed = 0
    for _ in range(TANTIVY_KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-c", TANTIVY_WRITER, str(index_dir), str(committed)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # the first commit of this run is done
        time.sleep(rng.uniform(0, TANTIVY_KILL_MAX_DELAY))
        os.kill(proc.pid, signal.SIGKILL)
        printed = [int(line) for line in proc.stdout.read().split()]
        proc.wait()
        proc.stdout.close()
        with open_index(index_dir) as ix:
            n = ix.count("report")
            ids = ix.report_ids()
            last = printed[-1] + 1 if printed else committed + 1
            assert last <= n <= last + 1  # every commit reported done; at most the one in flight beyond
            assert ids == tuple(f"r{k:05d}" for k in range(n))
            assert ix.search(q("performance", limit=3)).total == n
        committed = n
    with open_index(index_dir) as ix, ix.batch(timeout=0) as b:  # the killed writers left no lock
        b.remove_report("r00000")
    with open_index(index_dir) as ix:
        assert ix.count("report") == committed - 1


def test_tantivy_write_lock_of_a_killed_process_is_released(index_dir):
    holder = textwrap.dedent(
        """
        import sys, time
        from pipeline.index import open_index
        with open_index(sys.argv[1], create=True, engine="tantivy") as ix, ix.batch():
            print("locked", flush=True)
            time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", holder, str(index_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with open_index(index_dir) as ix, pytest.raises(IndexLocked, match="locked by another writer"):
            with ix.batch(timeout=0):
                pass
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    with open_index(index_dir) as ix, ix.batch(timeout=0) as b:
        b.add_report(make_report("a", [PURPOSE]))
    with open_index(index_dir) as ix:
        assert ix.report_ids() == ("a",)


def test_terms_are_what_the_index_sees(ix):
    terms = ix.terms("The Foster Carers")
    assert [t for _, _, t in terms] == ["foster", "carer"]
    assert terms[0][:2] == (4, 10)
    assert [t for _, _, t in ix.terms("the of and")] == []
    text = "£2.5m — recruitment"  # offsets count characters, not UTF-8 bytes
    assert [text[s:e] for s, e, _ in ix.terms(text)] == ["2.5m", "recruitment"]


# ---------------------------------------------------------------- done-when checks, both engines


def test_foster_carers_phrase_finds_only_the_2008_specialist_services_section(corpus_ix):
    page = search(corpus_ix, '"foster carers"', flat=True)
    assert [(stem(h), h.section_number, h.section_title) for h in page.hits] == [
        ("002", "3.3", "Specialist Services"),
        ("002", "3.3", "Specialist Services"),
    ]
    assert sorted(Path(h.path).suffix for h in page.hits) == [".pdf", ".txt"]
    assert all("[[foster carers]]" in h.snippet for h in page.hits)
    assert all(h.meeting_date.isoformat() == "2008-11-03" for h in page.hits)


def test_performance_recommendations_since_2017(corpus_ix):
    page = search(corpus_ix, "performance", section="recommendations", date_from="2017-01-01", flat=True)
    got = sorted((stem(h), Path(h.path).suffix, h.section_kind) for h in page.hits)
    assert got == [
        ("001", ".pdf", "recommendations"),
        ("001", ".txt", "recommendations"),
        ("003", ".pdf", "recommendations"),
        ("003", ".txt", "recommendations"),
    ]


def test_performance_in_quarter_2009_10_q2(corpus_ix):
    page = search(corpus_ix, "performance", quarter="2009/10-Q2", flat=True, limit=100)
    assert page.total > 0 and len(page.hits) == page.total
    assert {stem(h) for h in page.hits} == {"000"}
    assert {h.period for h in page.hits} == {"2009/10-Q2"}


def test_ingest_twice_adds_nothing_and_a_changed_file_replaces_its_documents(engine, tmp_path):
    papers = tmp_path / "papers"
    shutil.copytree(CORPUS / "seeds", papers)
    path = tmp_path / "index"
    first = ingest([papers], path, engine=engine)
    assert first.count("indexed") == 5
    with open_index(path) as ix:
        counts = (ix.doc_count(), ix.count("section"), ix.count("report"))
    again = ingest([papers], path)  # the recorded engine, no --engine needed
    assert again.count("unchanged") == 5 and again.count("indexed") == 0
    with open_index(path) as ix:
        assert (ix.doc_count(), ix.count("section"), ix.count("report")) == counts
    paper = papers / "002_03db5c2531a68c69.txt"
    paper.write_text(paper.read_text().replace("foster carers", "adoptive parents"))
    third = ingest([papers], path)
    assert [o.status for o in third.outcomes if o.path == str(paper)] == ["replaced"]
    assert third.count("unchanged") == 4
    with open_index(path) as ix:
        assert ix.count("report") == 5 and len(ix.files()) == 5
        assert ix.search(q('"foster carers"')).total == 0
        assert {stem(h) for h in ix.search(q('"adoptive parents"')).hits} == {"002"}


# ---------------------------------------------------------------- relevance, trace, similar, stats


@pytest.mark.parametrize("judged", RELEVANCE, ids=[j["id"] for j in RELEVANCE])
def test_relevance_judged_sections_rank_top_3(corpus_ix, judged):
    options = {OPTION_NAMES.get(k, k): v for k, v in judged.get("options", {}).items()}
    page = search(corpus_ix, judged["query"], flat=True, limit=50, **options)
    top3: list[tuple[str, str]] = []
    for h in page.hits:  # the .txt and .pdf copies of a paper count once
        key = (stem(h), h.section_title.lower())
        if key not in top3:
            top3.append(key)
    for want in judged["relevant"]:
        assert (want["paper"], want["section"].lower()) in top3[:3], (judged["query"], top3[:3])


def test_grouped_search_shows_each_reports_best_sections(corpus_ix):
    page = search(corpus_ix, "performance", sections=2, limit=3)
    assert page.grouped and len(page.groups) == 3 and page.reports >= 3 and page.total >= page.reports
    for g in page.groups:
        assert 1 <= len(g.hits) <= 2 and all(h.report_id == g.report_id for h in g.hits)
        assert [h.score for h in g.hits] == sorted((h.score for h in g.hits), reverse=True)
        assert all("[[" in h.snippet for h in g.hits)
    assert [g.score for g in page.groups] == sorted((g.score for g in page.groups), reverse=True)
    ids = [g.report_id for p in (1, 2, 3, 4) for g in search(corpus_ix, "performance", limit=3, page=p).groups]
    assert len(ids) == len(set(ids)) == page.reports


def test_trace_groups_the_2018_and_2024_receive_recommendations_into_one_lineage(corpus_ix):
    result = trace(corpus_ix, '"performance management report"')
    assert len(result.lineages) == 1
    lineage = result.lineages[0]
    assert lineage.text == "Receive the second quarter's performance management report;"
    assert [(stem(e), e.meeting_date.isoformat()) for e in lineage.entries] == [
        ("003", "2018-01-29"),
        ("003", "2018-01-29"),
        ("001", "2024-01-22"),
        ("001", "2024-01-22"),
    ]
    assert 80 <= lineage.entries[-1].similarity < 100


def test_trace_by_recommendation_id(corpus_ix):
    with open_index(corpus_ix) as ix:
        rid = next(i for i in ix.report_ids() if i.startswith("001_"))
    result = trace(corpus_ix, f"{rid}#r1")
    assert result.seed is not None and result.seed.text.startswith("Receive the first quarter's")
    assert len(result.lineages) == 1
    assert {stem(e) for e in result.lineages[0].entries} == {"001", "003"}


@pytest.mark.parametrize(
    "text, paper, section",
    [
        (
            "A bid has been submitted to get £2.5m of investment to refurbish the Kingsway Health Building as a youth "
            "hub called The Buzz.",
            "002",
            "Preventative Services",
        ),
        (
            "Board members get red, amber and green ratings showing how delivery of targets and priorities is "
            "progressing, and the direction of travel says if performance is getting better, staying the same or "
            "declining.",
            "004",
            "MONITORING THE CHILDREN'S TRUST PRIORITIES",
        ),
        (
            "Because the timetable for corporate performance reports doesn't match the PPB cycle this quarter, the "
            "quarterly reports won't be ready until the following meeting.",
            "000",
            "Summary",
        ),
    ],
    ids=["P0", "P1", "P2"],
)
def test_similar_ranks_the_paraphrased_paragraph_first(corpus_ix, text, paper, section):
    hits = similar(corpus_ix, text, limit=5)
    assert stem(hits[0]) == paper and hits[0].section_title.lower() == section.lower()
    assert "[[" in hits[0].snippet and 0 < hits[-1].score <= hits[0].score <= 100


def test_similar_marks_shared_wording_as_runs(corpus_ix):
    hit = similar(corpus_ix, "improving the supply of local foster carers", limit=1)[0]
    assert "[[improving the supply of local foster carers]]" in hit.snippet


@pytest.mark.parametrize("engine", ENGINES)
def test_similar_finds_a_section_whose_wording_is_all_in_its_heading(index_dir, engine):
    """A run-in heading with no text after it (its wording all in the title) is a passage too:
    `similar` found nothing when every candidate was such a section (seen at a million sections)."""
    run_in = ("2.", "That a public consultation with residents runs for twelve weeks", "recommendations", "")
    with open_index(index_dir, create=True, engine=engine) as ix:
        ix.add_reports([make_report("r1", [PURPOSE, run_in]), make_report("r2", [PURPOSE])])
    hits = similar(index_dir, "A public consultation with residents ran for twelve weeks.")
    assert [(h.report_id, h.section_index) for h in hits] == [("r1", 1)]
    assert "[[public consultation with residents]]" in hits[0].snippet and hits[0].score > 50


def test_stats(corpus_ix):
    s = stats(corpus_ix)
    assert (s.files, s.reports) == (10, 10) and s.sections > 50
    counts = {(c.dimension, c.value): c.count for c in s.counts}
    assert counts[("council", "Central Bedfordshire Council")] == 2
    assert counts[("fiscal_year", "2017/18")] == 2
    assert counts[("quarter", "2009/10-Q2")] == 2
    assert counts[("doc_type", "report")] == 10


def test_both_engines_find_the_same_sections(both):
    """Same documents, same query language: the same matches (ranking may differ a little)."""
    queries = [
        '"foster carers"',
        "performance AND NOT quarter",
        "recruit*",
        "recruitmnet~",
        "committee:children",
        "section:recommendations date:[2017 TO *]",
        "quarter:2009/10-Q2",
        "(GCSE OR Kingsway) results",
        "officer:director fy:2017/18",
        '"report card"',
        "hub*",
    ]
    for text in queries:
        found = {}
        for engine, path in both.items():
            page = search(path, text, flat=True, limit=1000)
            found[engine] = {(h.path, h.section_index) for h in page.hits}
            assert len(found[engine]) == page.total, (engine, text)
        assert found["whoosh"] == found["tantivy"], text
        assert found["whoosh"], text
    for engine, path in both.items():
        assert stats(path) == stats(both["whoosh"]), engine


# ---------------------------------------------------------------- the command line


def test_cli_ingest_with_engine_then_every_command_opens_the_recorded_engine(tmp_path):
    path = tmp_path / "tv-index"
    res = run("ingest", str(CORPUS), "--engine", "tantivy", "--index", str(path))
    assert res.exit_code == 0, res.output
    assert engine_recorded(path) == "tantivy" and (path / INDEX_SUBDIR).is_dir()
    res = run("search", '"foster carers"', "--json", "--index", str(path))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(rows) == 2 and all("[[foster carers]]" in r["snippet"] for r in rows)
    assert {r["section"] for r in rows} == {"3.3 Specialist Services"}
    res = run("trace", '"performance management report"', "--json", "--index", str(path))
    assert res.exit_code == 0 and {json.loads(line)["lineage"] for line in res.stdout.splitlines()} == {"L1"}
    assert run("stats", "--index", str(path)).stdout.startswith("10 files, 10 reports,")
    assert run("similar", "improving the supply of local foster carers", "--index", str(path)).exit_code == 0
    again = run("ingest", str(CORPUS), "--index", str(path), "--json")
    assert again.exit_code == 0
    assert {json.loads(line)["status"] for line in again.stdout.splitlines()} == {"unchanged"}
    clash = run("ingest", str(CORPUS), "--engine", "whoosh", "--index", str(path))
    assert clash.exit_code == 1 and "uses the tantivy engine, not whoosh" in clash.stderr
    assert "Traceback" not in clash.output


def test_cli_ingest_defaults_to_whoosh_and_rejects_unknown_engines(tmp_path):
    path = tmp_path / "index"
    assert run("ingest", str(CORPUS / "seeds"), "--index", str(path)).exit_code == 0
    assert engine_recorded(path) == "whoosh"
    bad = run("ingest", str(CORPUS), "--engine", "lucene", "--index", str(tmp_path / "x"))
    assert bad.exit_code == 2 and "lucene" in bad.stderr
    assert "--engine [whoosh|tantivy]" in run("ingest", "--help").stdout


def settling(monkeypatch, name: str, settled) -> list[bool]:
    """Wrap the tantivy ranking's ``<name>`` to record, a call at a time, whether its result settled the page."""
    real = getattr(ranking, name)
    calls: list[bool] = []

    def recording(*args):
        result = real(*args)
        calls.append(settled(result))
        return result

    monkeypatch.setattr(ranking, name, recording)
    return calls


def test_tantivy_top_documents_give_the_same_page_as_sorting_every_match(index_dir, monkeypatch):
    """A relevance page from tantivy's top documents has the same hits, in order, as sorting every match."""
    T = ranking

    texts = [
        "budget",
        "budget budget",
        "the budget and the forecast",
        "budget monitoring budget",
        "a budget",
        "budget among other words of the text",
    ]
    reports = [
        make_report(
            f"r{k:03d}",
            [
                ("1", "Purpose", "purpose", texts[k % len(texts)]),
                ("2", "Background", "other", texts[(k * 7) % len(texts)]),
            ],
            date=f"20{10 + k % 9}-0{1 + k % 9}-1{k % 10}",
        )
        for k in range(90)
    ]
    with open_index(index_dir, create=True, engine="tantivy") as ix:
        ix.add_reports(reports)
        requests = [
            q("budget"),
            q("budget", limit=7, offset=14),
            q("budget", per_report=1, limit=5, offset=10),
            q("budget forecast", per_report=2),
            q("budget", limit=40),
            q("budget", limit=30, counts=False),
        ]
        every = [ix.search(r) for r in requests]
        monkeypatch.setattr(T, "TOP_K_MIN", 3)
        monkeypatch.setattr(T, "TOP_K_FACTOR", 1)
        monkeypatch.setattr(T, "TOP_K_GROWTH", 2)
        monkeypatch.setattr(T, "EXACT_REPORTS_UP_TO", 10)
        calls = settling(monkeypatch, "_best", lambda found: found[0] is not None)
        top = [ix.search(r) for r in requests]
    assert any(calls)  # the top-documents path answered (some pages need most matches: sorted whole)
    for a, b in zip(every, top):
        assert [(h.report_id, h.section_index, h.score, h.snippet) for h in a.hits] == [
            (h.report_id, h.section_index, h.score, h.snippet) for h in b.hits
        ]
        if a.total and b.total:  # counts=False: the hits only
            assert a.total == b.total
            assert abs(a.reports - b.reports) <= max(1, a.reports // 50)  # estimated past EXACT_REPORTS_UP_TO


def test_tantivy_estimated_report_count_is_flagged_and_printed_as_about(index_dir, monkeypatch):
    """Past EXACT_REPORTS_UP_TO matches the report count is an estimate: the page says so, and the summary
    line reads "about N reports"; below it (and on Whoosh, always) the count is exact."""
    T = ranking
    from pipeline.output.render import search_page_summary

    # Texts of different lengths: scores differ, so tantivy's top documents settle a page.
    reports = [
        make_report(
            f"r{k:03d}",
            [
                ("1", "Purpose", "purpose", "the budget is set" + " today" * k),
                ("2", "Background", "other", "budget monitoring" + " again" * (k + 40)),
            ],
        )
        for k in range(30)
    ]
    with open_index(index_dir, create=True, engine="tantivy") as ix:
        ix.add_reports(reports)
    exact = search(index_dir, "budget")
    assert (exact.total, exact.reports, exact.reports_exact) == (60, 30, True)
    assert search_page_summary(exact).startswith("60 sections in 30 reports match")
    monkeypatch.setattr(T, "TOP_K_MIN", 3)
    monkeypatch.setattr(T, "TOP_K_FACTOR", 1)
    monkeypatch.setattr(T, "TOP_K_GROWTH", 2)
    assert search(index_dir, "budget").reports_exact  # the top documents settle the page; 60 reports counted
    monkeypatch.setattr(T, "EXACT_REPORTS_UP_TO", 10)
    estimated = search(index_dir, "budget")
    assert estimated.total == 60 and not estimated.reports_exact and abs(estimated.reports - 30) <= 1
    assert search_page_summary(estimated).startswith(f"60 sections in about {estimated.reports} reports match")
    flat = search(index_dir, "budget", flat=True)
    assert not flat.reports_exact


def test_whoosh_report_count_is_exact(index_dir):
    from pipeline.output.render import search_page_summary

    with open_index(index_dir, create=True, engine="whoosh") as ix:
        ix.add_reports([make_report(f"r{k:03d}", [("1", "Purpose", "purpose", "the budget is set")]) for k in range(5)])
    page = search(index_dir, "budget")
    assert page.reports_exact and search_page_summary(page).startswith("5 sections in 5 reports match")


@pytest.mark.parametrize(
    "dates",
    [
        ["2018-01-29", "2018-01-29", "2019-03-04", None, "2017-06-05"],  # few days: long ties on score and date
        [
            *(f"20{10 + k}-0{1 + k % 9}-1{k % 10}" for k in range(13)),
            None,
            "2016-02-10",
        ],  # many: the newest read settles
    ],
)
def test_tantivy_page_ordered_a_run_at_a_time_is_the_page_of_sorting_every_match(index_dir, monkeypatch, dates):
    """Scores and dates tying in long runs (as in trace): ordering only the runs a page needs gives the
    hits, in order, that sorting every match gives, with and without a cap per report; so does reading
    a cut run's newest matches by day (trace's 28,700 ties at a million sections)."""
    T = ranking

    texts = ["budget", "the budget", "budget and forecast"]
    reports = [
        make_report(
            f"r{k:03d}",
            [
                ("1", "Purpose", "purpose", texts[k % 3]),
                ("2", "Background", "other", texts[(k + 1) % 3]),
                ("3", "More", "other", texts[k % 3]),
            ],
            date=dates[k % len(dates)],
            recommendations=[texts[k % 3], texts[(k + 2) % 3]],
        )
        for k in range(60)
    ]
    requests = [
        q("budget", limit=7, offset=20),
        q("budget", per_report=1, limit=10, offset=5),
        q("budget", per_report=2, limit=25),
        q("budget", target="recommendation", limit=50, counts=False),
        q("budget forecast", limit=3),
        q("budget", limit=200),
    ]

    def every_match(s, found, key, per_report, want, *, complete, last_run_usable=None):  # the old way: sort them all
        if not complete:
            return [], False
        return T._capped(T._matches(s, found, key), per_report), True

    def hits(ix):
        return [[(h.report_id, h.section_index, h.score, h.snippet) for h in ix.search(r).hits] for r in requests]

    with open_index(index_dir, create=True, engine="tantivy") as ix:
        ix.add_reports(reports)
        runs = hits(ix)
        monkeypatch.setattr(T, "TOP_K_MIN", 4)
        monkeypatch.setattr(T, "TOP_K_FACTOR", 1)
        monkeypatch.setattr(T, "TOP_K_GROWTH", 2)
        small_k = hits(ix)
        settled_by_newest = settling(monkeypatch, "_newest_of_run", lambda head: head is not None)
        monkeypatch.setattr(T, "NEWEST_RUN_SHARE", 0.0)  # read a cut run's newest matches whenever k ends in one
        newest_always = hits(ix)
        monkeypatch.setattr(T, "NEWEST_READ_FACTOR", 1)  # ... with a read that is often too small
        newest_small_read = hits(ix)
        monkeypatch.setattr(T, "NEWEST_RUN_SHARE", 2.0)  # never
        newest_never = hits(ix)
        monkeypatch.setattr(T, "_head", every_match)
        sorted_whole = hits(ix)
    assert runs == small_k == newest_always == newest_small_read == newest_never == sorted_whole
    assert all(runs)
    assert False in settled_by_newest  # the newest-of-run read fell back to a larger k when it could not...
    if len(set(dates)) > 5:
        assert True in settled_by_newest  # ...and settled pages when the days spread the matches


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_trace_entries_come_from_the_recommendation_documents(index_dir, engine):
    """trace reads each recommendation's wording and its report's fields from the search hits
    (SearchRequest.texts): the same as the stored records say."""
    reports = [
        make_report(
            f"r{k:02d}",
            [PURPOSE],
            date=f"201{k}-05-0{k + 1}",
            officer=f"Officer {k}",
            recommendations=[
                "Note the consultation with residents on the budget",
                f"Approve plan {k} for consultation",
            ],
        )
        for k in range(4)
    ]
    with open_index(index_dir, create=True, engine=engine) as ix:
        ix.add_reports(reports)
        hit = ix.search(q("residents", target="recommendation", texts=True)).hits[0]
        assert hit.text == "Note the consultation with residents on the budget"
        assert ix.search(q("residents", target="recommendation")).hits[0].text == ""  # not asked for
    result = trace(index_dir, "consultation")
    entries = [e for lineage in result.lineages for e in lineage.entries]
    assert len(entries) == 8
    by_id = {r.id: r for r in reports}
    for e in entries:
        report = by_id[e.report_id]
        rec = report.recommendations[e.number - 1]
        assert (e.text, e.meeting_date, e.committee, e.officer, e.period) == (
            rec.text,
            report.meeting_date,
            report.committee,
            report.reporting_officer,
            report.period.key,
        )
        assert e.recommendation_id == f"{report.id}#r{rec.number}"


def test_tantivy_bare_words_need_no_doc_kind_clause(index_dir, monkeypatch):
    """tantivy schema 2: a bare word's fields exist only on the documents of the kind it targets, so a
    query confined to them is run without the doc_kind clause (`similar` 31 -> 18 ms at a
    million sections); every page equals the one the clause gives, for both targets, whatever the query."""
    reports = [
        make_report(
            f"r{k}",
            [PURPOSE, SPECIALIST, RECS],
            subject=subject,
            committee=committee,
            date=f"201{k}-0{k % 9 + 1}-11",
            recommendations=[f"Note the foster carers recruitment plan {k}", "Receive the performance report"],
        )
        for k, (subject, committee) in enumerate(
            [
                ("Foster carers", "Cabinet"),
                ("Performance report", "Audit"),
                ("Budget", "Cabinet"),
                ("Recruitment", "Scrutiny Board"),
            ]
        )
    ]
    queries = [
        "foster",
        '"foster carers"',
        "performance report",
        "foster OR budget",
        "the foster",
        "recruit*",
        "recruitmnet~",
        "carers -budget",
        "committee:cabinet",
        "committee:cabinet foster",
        "committee:cabinet OR foster",
        "the committee:audit",
        "-foster",
        "subject:budget OR performance",
        "foster date:[2011-01-01 TO 2012-12-31]",
        "(foster OR committee:audit) budget",
        "report OR the",
    ]
    requests = [
        q(text, target=target, limit=50, per_report=None, counts=True)
        for text in queries
        for target in ("section", "recommendation")
    ]

    def pages(ix):
        return [
            (
                r.hits and [(h.report_id, h.section_index, h.score, h.snippet, h.text) for h in r.hits],
                r.total,
                r.reports,
            )
            for r in map(ix.search, requests)
        ]

    with open_index(index_dir, create=True, engine="tantivy") as ix:
        ix.add_reports(reports)
        assert ix.search(q("foster", target="recommendation", texts=True)).hits[0].text.startswith("Note the foster")
        confined = pages(ix)
        monkeypatch.setattr(Translator, "confined", lambda self, node, target="section": False)
        scoped = pages(ix)
    assert confined == scoped
    assert sum(1 for hits, _, _ in confined if hits) >= 20
    monkeypatch.undo()
    with open_index(index_dir) as ix:  # which queries skip the clause
        t = Translator(ix._schema, ix._searcher(), ix._stem)
        assert t.confined(parse_query('foster "carers plan" -budget'))
        assert t.confined(parse_query("committee:cabinet foster"))
        assert not t.confined(parse_query("committee:cabinet OR foster"))
        assert not t.confined(parse_query("the committee:audit"))  # the stop word is dropped
        assert not t.confined(parse_query("-foster"))
