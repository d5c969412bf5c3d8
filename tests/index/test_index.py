"""The Whoosh index behind its engine-neutral seam, with hand-built reports."""

from __future__ import annotations

import dataclasses
import json
import logging
import os

import pytest
from conftest import make_report, unlisted_files

from pipeline.errors import IndexLocked, SearchIndexError
from pipeline.index import MergeHelpers, make_snippet, open_index, store
from pipeline.index.documents import DOC_KINDS
from pipeline.index.snippets import SNIPPET_CONTEXT
from pipeline.index.store import Layout
from pipeline.index.whoosh import FILES as WHOOSH_FILES
from pipeline.index.whoosh import merge as merge_mod
from pipeline.index.whoosh import scoring
from pipeline.index.whoosh.schema import SCHEMA_VERSION, analyzers, build_schema
from pipeline.model import QAll, QDateRange, QTerm, SearchRequest
from pipeline.search.query import parse_query

SPECIALIST = (
    "3.3",
    "Specialist Services",
    "supporting_information",
    "Placement Strategy: a strategy is being developed to improve the supply of local foster carers. "
    "Safe Recruitment: organisations operate recruitment and supervision practices.",
)
RECS = ("2.0", "RECOMMENDED", "recommendations", "Receive the second quarter's performance management report")
PURPOSE = ("1.0", "PURPOSE OF REPORT", "purpose", "To consider performance for the second quarter period.")


def q(text: str, **kw) -> SearchRequest:
    return SearchRequest(parse_query(text), **kw)


def keys(result) -> list[tuple[str, str | None]]:
    return [(h.report_id, h.section_number) for h in result.hits]


@pytest.fixture
def ix(index_dir):
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
            [("1", "PURPOSE", "purpose", "The carers of foster children are thanked.")],
            date="2016-12-01",
            period=("2016/17", 3),
            council="Central Bedfordshire Council",
            committee="Children's Trust Board",
            officer="Assistant Director",
        ),
    ]
    with open_index(index_dir, create=True) as ix:
        ix.add_reports(reports)
        yield ix


# ---------------------------------------------------------------- matching


def test_phrase_matches_only_adjacent_words(ix):
    res = ix.search(q('"foster carers"'))
    assert keys(res) == [("r2008", "3.3")]
    assert "[[foster carers]]" in res.hits[0].snippet


def test_words_are_stemmed(ix):
    # "carer" finds "carers" in both reports; the phrase above did not match r2016's "carers of foster".
    assert {h.report_id for h in ix.search(q("carer")).hits} == {"r2008", "r2016"}


def test_section_title_is_searchable(ix):
    res = ix.search(q('"specialist services"'))
    assert keys(res) == [("r2008", "3.3")]
    assert res.hits[0].section_title == "Specialist Services"


def test_prefix_and_fuzzy_use_unstemmed_words_and_are_highlighted(ix):
    for text in ("recruit*", "recruitmnet~", "Recruitmnet~2"):
        res = ix.search(q(text))
        assert keys(res) == [("r2008", "3.3")], text
        assert "[[Recruitment]]" in res.hits[0].snippet
    assert ix.search(q("recruitmnet~1")).total == 0  # a transposition is two edits


def test_boolean_operators(ix):
    assert {h.report_id for h in ix.search(q("carers NOT placement")).hits} == {"r2016"}
    assert {h.report_id for h in ix.search(q("NOT carers")).hits} == {"r2008", "r2024"}
    assert ix.search(q("(placement OR thanked) AND carers")).total == 2
    assert ix.search(q("placement thanked")).total == 0  # words are ANDed


def test_stop_words_alone_match_nothing_and_do_not_spoil_a_query(ix):
    assert ix.search(q("the")).total == 0
    assert keys(ix.search(q("the placement"))) == [("r2008", "3.3")]


def test_field_queries(ix):
    assert {h.report_id for h in ix.search(q("committee:families")).hits} == {"r2024"}
    assert {h.report_id for h in ix.search(q('officer:"assistant director"')).hits} == {"r2016"}
    assert {h.report_id for h in ix.search(q("council:bedfordshire")).hits} == {"r2016"}
    assert {h.report_id for h in ix.search(q("quarter:2008/09-Q2")).hits} == {"r2008"}
    assert {h.report_id for h in ix.search(q("fy:2023/24")).hits} == {"r2024"}
    assert {h.section_number for h in ix.search(q("section:recommendations")).hits} == {"2.0"}
    assert {h.report_id for h in ix.search(q("date:[2016 TO 2018]")).hits} == {"r2016"}
    assert {h.report_id for h in ix.search(q("date:2024-01-22")).hits} == {"r2024"}
    assert ix.search(q("doc_type:minutes")).total == 0


def test_filter_restricts_without_scoring(ix):
    scored = ix.search(q("quarter"))
    filtered = ix.search(SearchRequest(parse_query("quarter"), QTerm("recommendations", "section")))
    assert {h.section_kind for h in filtered.hits} == {"recommendations"}
    by_key = {(h.report_id, h.section_index): h.score for h in scored.hits}
    for h in filtered.hits:
        assert h.score == by_key[(h.report_id, h.section_index)]


def test_date_filter_is_inclusive_of_both_ends(ix):
    import datetime as dt

    flt = QDateRange(dt.date(2008, 11, 3), dt.date(2016, 12, 1))
    assert {h.report_id for h in ix.search(SearchRequest(QAll(), flt, limit=50)).hits} == {"r2008", "r2016"}


# ---------------------------------------------------------------- hits and ranking


def test_hit_carries_report_and_section_fields(ix):
    hit = ix.search(q('"foster carers"')).hits[0]
    assert hit.path == "/papers/r2008.txt"
    assert hit.section_kind == "supporting_information" and hit.section_index == 2 and hit.page == 3
    assert hit.meeting_date.isoformat() == "2008-11-03"
    assert hit.committee == "Children & Young People PPB"
    assert hit.officer == "Strategic Director, Children"
    assert hit.council == "Halton Borough Council"
    assert hit.period == "2008/09-Q2"
    assert hit.score > 0


def test_heading_outranks_body_and_recommendations_outrank_body(index_dir):
    body = "word " * 5
    reports = [
        make_report("body", [("1", "Other", "other", f"budget {body}")], subject="x"),
        make_report("head", [("1", "Budget", "other", f"nothing {body}")], subject="x"),
        make_report("recs", [("1", "Other", "recommendations", f"budget {body}")], subject="x"),
        make_report("subj", [("1", "Other", "other", f"nothing {body}")], subject="Budget"),
    ]
    with open_index(index_dir, create=True) as ix:
        ix.add_reports(reports)
        order = [h.report_id for h in ix.search(q("budget")).hits]
    assert order.index("head") < order.index("recs") < order.index("body")
    assert order.index("subj") < order.index("recs")


def test_ties_are_broken_by_date_newest_first(index_dir):
    same = [("1", "Purpose", "purpose", "Identical wording about budgets.")]
    with open_index(index_dir, create=True) as ix:
        ix.add_reports(
            [make_report(r, same, date=d) for r, d in (("a", "2010-01-01"), ("b", "2020-01-01"), ("c", "2015-01-01"))]
        )
        res = ix.search(q("budgets"))
    assert [h.report_id for h in res.hits] == ["b", "c", "a"]
    assert len({h.score for h in res.hits}) == 1


def test_sort_by_date(ix):
    res = ix.search(q("children OR carers OR receive", sort="date"))
    dates = [h.meeting_date for h in res.hits]
    assert dates == sorted(dates, reverse=True)


def test_limit_offset_and_per_report(ix):
    everything = ix.search(q("*", limit=100))
    assert everything.total == 6 and everything.reports == 3
    page2 = ix.search(q("*", limit=2, offset=2))
    assert keys(page2) == keys(everything)[2:4]
    capped = ix.search(q("*", limit=100, per_report=1))
    assert sorted(h.report_id for h in capped.hits) == ["r2008", "r2016", "r2024"]
    assert capped.total == 6 and capped.reports == 3


def test_recommendation_target(ix):
    res = ix.search(q("receive", target="recommendation"))
    assert {h.report_id for h in res.hits} == {"r2008", "r2024"}
    hit = next(h for h in res.hits if h.report_id == "r2008")
    assert hit.section_kind == "recommendation" and hit.section_index == 1
    assert hit.snippet == "[[Receive]] the second quarter's performance management report"
    # sections and recommendations never mix
    assert all(h.section_kind != "recommendation" for h in ix.search(q("receive", limit=50)).hits)


# ---------------------------------------------------------------- records


def test_stored_record_round_trips(ix):
    original = make_report(
        "r2016",
        [("1", "PURPOSE", "purpose", "The carers of foster children are thanked.")],
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
    assert ix.report_ids("r20") == ("r2008", "r2016", "r2024")
    assert ix.report_ids("r2016") == ("r2016",)
    assert set(ix.files()) == {"/papers/r2008.txt", "/papers/r2016.txt", "/papers/r2024.txt"}
    assert {v: k for k, v in ix.hashes().items()} == {p: s for p, s in ix.files().items()}
    assert ix.count("section") == 6 and ix.count("report") == 3 and ix.count("recommendation") == 2
    assert [r.id for r in sorted(ix.iter_reports(), key=lambda r: r.id)] == ["r2008", "r2016", "r2024"]


def test_agenda_pack_parts_are_indexed_as_reports(index_dir):
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
    with open_index(index_dir, create=True) as ix:
        ix.add_reports([pack])
        assert ix.report_ids() == ("pack", "pack-p1", "pack-p2")
        hit = ix.search(q("potholes")).hits[0]
        assert (hit.report_id, hit.committee, hit.path) == ("pack-p2", "Highways Committee", "/papers/pack.pdf")
        assert ix.get_report("pack-p1") == part1
        assert ix.get_report("pack").parts == (part1, part2)
        ix.remove_paths(["/papers/pack.pdf"])
        assert ix.report_ids() == () and ix.count("section") == 0


def test_re_adding_a_report_replaces_its_documents(ix):
    new = make_report("r2016", [("1", "PURPOSE", "purpose", "Entirely new words about libraries.")])
    ix.add_reports([new])
    assert ix.search(q("thanked")).total == 0
    assert keys(ix.search(q("libraries"))) == [("r2016", "1")]
    assert ix.count("report") == 3


def test_remove_by_id(ix):
    ix.remove(["r2008"])
    assert ix.report_ids() == ("r2016", "r2024")
    assert ix.search(q('"foster carers"')).total == 0


# ---------------------------------------------------------------- transactions, locking, versions


def test_batch_cancels_on_error_and_keeps_the_last_commit(ix):
    with pytest.raises(RuntimeError):
        with ix.batch() as b:
            b.remove_report("r2008")
            b.add_report(make_report("new", [PURPOSE]))
            raise RuntimeError("boom")
    assert ix.report_ids() == ("r2008", "r2016", "r2024")
    # and the lock was released: the next batch works
    with ix.batch() as b:
        b.add_report(make_report("new", [PURPOSE]))
    assert "new" in ix.report_ids()


def test_a_second_writer_gets_index_locked(ix):
    with ix.batch():
        with open_index(ix.path) as other, pytest.raises(IndexLocked, match="locked"):
            with other.batch(timeout=0.2):
                pass


def test_missing_index_is_an_error_unless_created(tmp_path):
    with pytest.raises(SearchIndexError, match="no index at"):
        open_index(tmp_path / "none")
    assert not (tmp_path / "none").exists()
    with open_index(tmp_path / "new", create=True) as ix:
        assert ix.count("report") == 0
    meta = json.loads((tmp_path / "new" / "meta.json").read_text())
    assert meta["schema_version"] == SCHEMA_VERSION


def test_foreign_files_in_the_index_dir_are_left_alone(tmp_path):
    (tmp_path / "README.md").write_text("keep me")
    with open_index(tmp_path, create=True) as ix:
        ix.add_reports([make_report("a", [PURPOSE])])
    assert (tmp_path / "README.md").read_text() == "keep me"


def _bump_schema(monkeypatch, version: int) -> None:
    """The Whoosh engine's code writes schema ``version`` from now on (its index named for it)."""
    monkeypatch.setattr(WHOOSH_FILES, "layout", Layout("whoosh", version, f"boardpapers_v{version}"))


def test_schema_change_rebuilds_from_stored_records(ix, monkeypatch, caplog):
    path = ix.path
    before = sorted(ix.report_ids())
    ix.close()
    _bump_schema(monkeypatch, 99)
    with caplog.at_level(logging.WARNING, logger="boardpapers.index"):
        with open_index(path) as rebuilt:
            assert sorted(rebuilt.report_ids()) == before
            assert keys(rebuilt.search(q('"foster carers"'))) == [("r2008", "3.3")]
    assert "rebuilt for version 99 from 3 stored reports" in caplog.text
    assert json.loads((path / "meta.json").read_text())["schema_version"] == 99
    assert not [f for f in os.listdir(path) if "boardpapers_v1" in f]  # old files removed


def test_unreadable_old_index_is_recreated_empty_with_a_warning(index_dir, monkeypatch, caplog):
    from whoosh import fields
    from whoosh import index as wi

    index_dir.mkdir()
    old = wi.create_in(str(index_dir), fields.Schema(x=fields.TEXT(stored=True)), indexname="boardpapers_v0")
    w = old.writer()
    w.add_document(x="no record field here")
    w.commit()
    (index_dir / "meta.json").write_text(json.dumps({"schema_version": 0}))
    with caplog.at_level(logging.WARNING, logger="boardpapers.index"):
        with open_index(index_dir) as ix:
            assert ix.count("report") == 0
    assert "could not be read" in caplog.text and "ingest your papers again" in caplog.text


# ---------------------------------------------------------------- snippets and terms


def test_make_snippet_marks_and_windows():
    text = "alpha " * 100 + "the budget line " + "omega " * 100
    start = text.index("budget")
    snippet = make_snippet(text, [(start, start + 6)])
    assert "[[budget]]" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 2 * SNIPPET_CONTEXT + 40
    assert make_snippet("short text", []) == "short text"
    assert make_snippet("", []) == ""


def test_terms_are_what_the_index_sees(ix):
    terms = ix.terms("The Foster Carers")
    assert [t for _, _, t in terms] == ["foster", "carer"]
    assert terms[0][:2] == (4, 10)


def test_report_to_index_uses_given_path_and_hash(index_dir):
    r = make_report("a", [PURPOSE])
    with open_index(index_dir, create=True) as ix:
        with ix.batch() as b:
            b.add_report(r, path="/real/a.txt", sha256="abc")
        assert ix.files() == {"/real/a.txt": "abc"}
        assert ix.get_report("a").source == r.source  # the record itself is unchanged
        assert dataclasses.replace(ix.search(q("performance")).hits[0]).path == "/real/a.txt"


def test_recommendation_search_ignores_the_report_subject(ix):
    # Regression: every recommendation of a "Performance Management Report" matched "performance".
    res = ix.search(q('"management report"', target="recommendation"))
    assert [h.snippet for h in res.hits] == ["Receive the second quarter's performance [[management report]]"]
    assert ix.search(q("subject:management", target="recommendation")).total == 2  # the field still works


def test_per_report_cap_holds_with_a_filter(ix):
    # Regression: Whoosh ignores collapse= when filter= is given; the grouped pages returned whole reports.
    flt = QTerm("Children", "committee")
    res = ix.search(SearchRequest(QAll(), flt, limit=100, per_report=1))
    assert sorted(h.report_id for h in res.hits) == ["r2008", "r2016", "r2024"]


# ---------------------------------------------------------------- segments, merging, the words field


def test_commits_without_merge_then_one_merge_keeps_the_large_segment(index_dir):
    """batch(merge=False) writes a segment a commit; merge() joins the small ones and leaves a large one be."""
    body = "The budget for the quarter is forecast to overspend."
    with open_index(index_dir, create=True) as ix:
        with ix.batch(merge=False) as b:
            for k in range(12):
                b.add_report(make_report(f"big{k:02d}", [("1", "Purpose", "purpose", f"{body} {k}")]))
        for k in range(3):
            with ix.batch(merge=False) as b:
                b.add_report(make_report(f"small{k}", [("1", "Purpose", "purpose", f"{body} small {k}")]))
        assert ix.segment_count() == 4
        before = [(h.report_id, h.score, h.snippet) for h in ix.search(q("budget", limit=20)).hits]
        assert ix.merge() == 2  # the twelve-report segment kept, the three small ones merged
        assert ix.segment_count() == 2
        after = [(h.report_id, h.score, h.snippet) for h in ix.search(q("budget", limit=20)).hits]
        assert after == before and len(after) == 15
        # a deletion is purged by the next merge; nothing to merge is a no-op
        ix.remove(["small0"])
        assert ix.merge() == 2 and ix.count("report") == 14
        assert ix.merge() == 2


def test_merge_with_one_segment_is_a_no_op(ix):
    assert ix.segment_count() == 1
    assert ix.merge() == 1


def test_words_field_postings_are_whooshs_frequency_postings():
    """The one-pass word counter writes exactly what Whoosh's Frequency format would."""
    from whoosh import fields as F

    ours = build_schema()["words"]
    whooshs = F.TEXT(analyzer=analyzers()[1], phrase=False)
    for text in (
        "Foster carers: the carers' recruitment, 2.5m and £3.2m",
        "Ünïcode İstanbul ÆSIR ß *wild* a.b.c",
        "",
        "a a a A",
        "recruitment recruitment\nRecruitment",
    ):
        assert sorted(ours.index(text)) == sorted(whooshs.index(text))


def test_searches_see_commits_made_after_the_index_was_opened(index_dir):
    """The searcher kept between calls is reopened when the index changes (here or in another process)."""
    with open_index(index_dir, create=True) as ix, open_index(index_dir) as other:
        ix.add_reports([make_report("one", [("1", "Purpose", "purpose", "budget")])])
        assert other.search(q("budget")).total == 1
        ix.add_reports([make_report("two", [("1", "Purpose", "purpose", "budget")])])
        assert other.search(q("budget")).total == 2
        assert other.get_report("two") is not None


def test_a_rebuild_that_fails_to_read_midway_leaves_an_empty_index(ix, monkeypatch, caplog):
    """Records are rebuilt a batch at a time; if reading stops halfway, the half-built index is not kept."""
    ix.close()
    real = type(WHOOSH_FILES).records

    def failing(self, path, name):
        for k, record in enumerate(real(self, path, name)):
            if k == 2:
                raise ValueError("corrupt record")
            yield record

    monkeypatch.setattr(type(WHOOSH_FILES), "records", failing)
    monkeypatch.setattr(store, "REBUILD_COMMIT_EVERY", 1)
    _bump_schema(monkeypatch, SCHEMA_VERSION + 1)
    with caplog.at_level(logging.WARNING, logger="boardpapers.index"):
        with open_index(ix.path) as new:
            assert new.count("report") == 0
    assert "could not be read" in caplog.text


def test_scores_are_whooshs_own_to_the_bit(index_dir, monkeypatch):
    """Matches scored leaf by leaf (BM25F written out, by length byte) score exactly as Whoosh's searcher does."""
    from whoosh import query as Q

    written_out = []
    bm25_of = scoring._bm25_of
    monkeypatch.setattr(scoring, "_bm25_of", lambda *a: written_out.append(r := bm25_of(*a)) or r)

    words = ["budget", "forecast", "capital", "risk", "register", "programme", "spending", "red"]
    reports = [
        make_report(
            f"r{k:03d}",
            [
                ("1", "Purpose", "purpose", " ".join(words[j % len(words)] for j in range(k % 5, k % 5 + 3 + k % 7))),
                ("2", "Risk", "risk_analysis", "the risk register " * (1 + k % 3)),
            ],
        )
        for k in range(40)
    ]
    with open_index(index_dir, create=True) as ix:
        with ix.batch(merge=False) as b:
            for r in reports[:20]:
                b.add_report(r)
        with ix.batch(merge=False) as b:  # two segments
            for r in reports[20:]:
                b.add_report(r)
        s = ix._searcher()
        # Whoosh's own queries: a two-clause Or is a binary union even in a small segment.
        term = Q.Term
        queries = [
            term("content", "budget"),
            Q.Or([term("content", "budget"), term("title", "risk", boost=2.5)]),
            Q.And([term("content", "budget"), term("content", "forecast")]),
            Q.AndNot(term("content", "budget"), term("content", "red")),
            Q.Or([term("content", "regist"), term("subject", "perform")]),
        ]
        for query in queries:
            query = Q.Require(query, term("doc_kind", "section"))
            ours = {m.docnum: m.score for m in scoring.matches(s, query)}
            theirs = {hit.docnum: hit.score for hit in s.search(query, limit=None)}
            assert ours and ours == theirs, query
    assert any(r is not None for r in written_out)  # the written-out formula scored them


# ---------------------------------------------------------------- segments written in other processes


def staged_of(ix, reports, path_of=lambda r: f"/papers/{r.id}.txt"):
    """Reports written as one segment in the index's staging area (in this process: the task is a plain callable)."""
    staging = ix.segment_staging()
    task = staging.task([(r, path_of(r), r.source.sha256) for r in reports])
    return staging, task()


def hits(ix, text: str) -> list[tuple]:
    return [(h.report_id, h.section_index, h.score, h.snippet) for h in ix.search(q(text, limit=50)).hits]


def test_a_staged_segment_holds_what_add_report_writes_and_replaces_committed_reports(ix, tmp_path):
    """Adopting a segment = add_report of each of its reports: old documents with its ids go, deletions are kept."""
    new2016 = make_report(
        "r2016",
        [("1", "PURPOSE", "purpose", "Museums and libraries are reviewed.")],
        date="2016-12-01",
        council="Central Bedfordshire Council",
    )
    pack = make_report("pack", [PURPOSE], parts=[make_report("pack#p1", [SPECIALIST], parent_id="pack")])
    staging, staged = staged_of(ix, [new2016, pack])
    assert staged.report_ids == ("r2016", "pack", "pack#p1")
    assert ix.count("report") == 3  # nothing committed yet
    with ix.batch(merge=False) as b:
        assert b.add_segment(staged) == 3
    staging.discard(staged)
    assert not os.listdir(staging.root)
    # the same reports written the usual way, in another index
    with open_index(tmp_path / "usual", create=True) as usual:
        usual.add_reports([r for r in ix.iter_reports() if r.id in ("r2008", "r2024")])
        for r in (new2016, pack):
            source = dataclasses.replace(r.source, path=f"/papers/{r.id}.txt")
            usual.add_reports([dataclasses.replace(r, source=source)])
        assert sorted(ix.report_ids()) == sorted(usual.report_ids()) == ["pack", "pack#p1", "r2008", "r2016", "r2024"]
        for kind in DOC_KINDS:
            assert ix.count(kind) == usual.count(kind)
        for text in ("carers", "museums", '"foster carers"', "performance", "recruit*", "committee:children"):
            assert [h[:2] + h[3:] for h in hits(ix, text)] == [h[:2] + h[3:] for h in hits(usual, text)], text
        assert json.dumps(ix.get_report("r2016").to_dict()) == json.dumps(usual.get_report("r2016").to_dict())
    assert hits(ix, "carers") == [h for h in hits(ix, "carers") if h[0] != "r2016"]  # the old r2016 is deleted
    assert ix.files()["/papers/r2016.txt"] == new2016.source.sha256
    ix.merge()
    assert ix.count("report") == 5 and ix.segment_count() <= 2
    staging.close()
    assert not staging.root.exists()


def test_a_staged_segment_joins_a_merging_commit_too(ix):
    staging, staged = staged_of(ix, [make_report("extra", [("1", "Purpose", "purpose", "Parks and open spaces.")])])
    with ix.batch() as b:  # merge=True: Whoosh's small-segment policy, then the adopted segment
        b.remove_report("r2024")
        b.add_segment(staged)
    assert sorted(ix.report_ids()) == ["extra", "r2008", "r2016"]
    assert [h.report_id for h in ix.search(q("parks")).hits] == ["extra"]
    staging.close()


def test_a_cancelled_adoption_changes_nothing_and_the_next_commit_removes_its_files(ix):
    staging, staged = staged_of(ix, [make_report("r2008", [("1", "Purpose", "purpose", "Replaced words.")])])
    before = hits(ix, "performance")
    with pytest.raises(RuntimeError):
        with ix.batch(merge=False) as b:
            b.add_segment(staged)
            raise RuntimeError("the commit did not happen")
    segment_files = [f for f in os.listdir(ix.path) if f.startswith(staged.segment.segment_id())]
    assert segment_files and set(segment_files) <= set(unlisted_files(ix))  # moved in, listed by no table of contents
    assert sorted(ix.report_ids()) == ["r2008", "r2016", "r2024"] and ix.search(q("replaced")).total == 0
    assert hits(ix, "performance") == before
    ix.add_reports([make_report("later", [PURPOSE])])
    assert not [f for f in os.listdir(ix.path) if f.startswith(staged.segment.segment_id())]
    assert sorted(ix.report_ids()) == ["later", "r2008", "r2016", "r2024"]
    assert unlisted_files(ix) == []
    staging.close()


def test_a_staged_segment_without_its_files_is_refused_and_nothing_changes(ix):
    staging, staged = staged_of(ix, [make_report("gone", [PURPOSE])])
    staging.discard(staged)
    with pytest.raises(FileNotFoundError):
        with ix.batch(merge=False) as b:
            b.add_segment(staged)
    assert sorted(ix.report_ids()) == ["r2008", "r2016", "r2024"]
    staging.close()


def test_segment_staging_empties_what_an_earlier_run_left(ix):
    """A run killed while its workers wrote leaves their directories: the next run's staging starts empty."""
    staging, staged = staged_of(ix, [make_report("left-behind", [PURPOSE])])
    (staging.root / "junk.txt").write_text("half-written")
    again = ix.segment_staging()
    assert again.root == staging.root and os.listdir(again.root) == []
    with ix.batch(merge=False) as b:  # a commit in the index directory: unaffected, and the leftover stays out
        b.remove_report("r2024")
    assert sorted(ix.report_ids()) == ["r2008", "r2016"]
    again.close()


def test_write_segment_fails_whole_on_a_report_it_cannot_store(ix):
    bad = make_report("bad", [("1", "Purpose", 5, "a section kind that is not text")])
    staging = ix.segment_staging()
    good = make_report("good", [PURPOSE])
    task = staging.task([(good, "/papers/good.txt", "0" * 64), (bad, "/papers/bad.txt", "1" * 64)])
    with pytest.raises(ValueError, match="not unicode"):
        task()
    assert sorted(ix.report_ids()) == ["r2008", "r2016", "r2024"]
    staging.close()


# ---------------------------------------------------------------- the merge, written faster


MERGE_WORDS = (
    "budget",
    "forecast",
    "capital",
    "risk",
    "register",
    "programme",
    "spending",
    "libraries",
    "carers",
    "foster",
    "museums",
    "performance",
    "quarter",
    "overspend",
    "savings",
    "transport",
    "schools",
)


def segmented(index_dir, n: int = 70, every: int = 12, replaced=(1, 2, 3, 15, 40)):
    """An index of ``n`` generated reports in segments of ``every`` (plus a pack with parts, undated and
    subject-less reports), some reports replaced afterwards: segments with deleted documents."""
    import random

    rng = random.Random(6)

    def report(k: int, extra: str = ""):
        sections = [
            (
                str(s + 1),
                f"{rng.choice(MERGE_WORDS).title()} {s}",
                "recommendations" if s == 1 else "purpose",
                " ".join(rng.choice(MERGE_WORDS) for _ in range(rng.randint(3, 60))) + f" uniq{k} {extra}",
            )
            for s in range(1 + k % 4)
        ]
        return make_report(
            f"r{k:03d}",
            sections,
            date=None if k % 9 == 0 else f"20{10 + k % 14}-0{1 + k % 9}-15",
            subject="" if k % 7 == 0 else "Budget monitoring",
            recommendations=[f"note {k}"] * (k % 3),
            parts=[make_report(f"r{k:03d}#p1", [SPECIALIST], parent_id=f"r{k:03d}")] if k % 10 == 3 else (),
        )

    ix = open_index(index_dir, create=True)
    for start in range(0, n, every):
        with ix.batch(merge=False) as b:
            for k in range(start, min(n, start + every)):
                b.add_report(report(k))
    if replaced:
        with ix.batch(merge=False) as b:  # replaced: their old documents are deleted in the first segments
            for k in replaced:
                b.add_report(report(k, extra="zebra"))
    return ix


def index_state(ix) -> dict:
    """Everything a merge writes, by document number: stored fields, lengths, columns, postings; and search pages."""
    import hashlib

    r = ix._ix.reader()
    names = ix._ix.schema.names()
    docs = range(r.doc_count_all())
    postings = {}
    for fieldname, text in r.all_terms():
        m = r.postings(fieldname, text)
        found = []
        while m.is_active():
            found.append((m.id(), m.weight(), m.value()))
            m.next()
        postings[fieldname, text] = (
            r.doc_frequency(fieldname, text),
            r.frequency(fieldname, text),
            r.min_field_length(fieldname) if fieldname in ("content", "words") else None,
            found,
        )
    segments = ix._ix._segments()
    files = {}
    for seg in segments:
        for name in os.listdir(ix.path):
            if name.startswith(seg.segment_id()):
                files[name.split(seg.segment_id(), 1)[1]] = hashlib.sha256((ix.path / name).read_bytes()).hexdigest()
    return {
        "segments": [(seg.doc_count_all(), seg.deleted_count(), dict(seg._fieldlengths)) for seg in segments],
        "stored": [r.stored_fields(d) for d in docs],
        "lengths": [[r.doc_field_length(d, f) for f in names] for d in docs],
        "columns": {f: list(r.column_reader(f, translate=False)) for f in ("report_id", "meeting_date")},
        "postings": postings,
        "searches": {
            text: hits(ix, text)
            for text in (
                "budget",
                '"foster carers"',
                "capital OR risk OR schools",
                "librar*",
                "zebra",
                "uniq40",
                "overspnd~",
            )
        },
        "files": files,
    }


def test_the_fast_merge_writes_what_whooshs_merge_writes(tmp_path, monkeypatch):
    """Merging segments a column at a time, postings straight from their blocks: Whoosh's own merge, to the byte.

    Only the stored-fields column differs in bytes (Whoosh re-pickles each record with its fields in the order of a
    Python set); its records are equal.
    """
    import shutil

    ix = segmented(tmp_path / "built")
    assert ix.segment_count() == 7 and sum(seg.deleted_count() for seg in ix._ix._segments()) > 0
    ix.close()
    shutil.copytree(tmp_path / "built", tmp_path / "whoosh")
    shutil.copytree(tmp_path / "built", tmp_path / "fast")
    fast = []
    real_of = merge_mod._SegmentMerge.of
    monkeypatch.setattr(merge_mod._SegmentMerge, "of", classmethod(lambda cls, w, r: None))
    with open_index(tmp_path / "whoosh") as ix:
        assert ix.merge() == 1
        theirs = index_state(ix)
    monkeypatch.setattr(merge_mod._SegmentMerge, "of", classmethod(lambda cls, w, r: fast.append(1) or real_of(w, r)))
    with open_index(tmp_path / "fast") as ix:
        assert ix.merge() == 1
        ours = index_state(ix)
    assert fast
    blocks = [len(p[3]) for p in ours["postings"].values()]
    assert max(blocks) > 128 and "zebra" in str(ours["searches"]["zebra"])  # several blocks a term; replaced reports
    stored = "._stored.col"
    assert ours["files"].pop(stored) != theirs["files"].pop(stored)
    assert len(ours["files"]) > 10
    for key in theirs:
        assert ours[key] == theirs[key], key


def test_the_fast_merge_leaves_to_whoosh_what_it_does_not_know(ix, monkeypatch):
    """A writer already holding documents (Whoosh's merge of small segments at a commit) merges Whoosh's way."""
    from whoosh.reading import SegmentReader

    ix.add_reports([make_report("more", [PURPOSE])])
    assert ix.segment_count() == 2
    segments = ix._ix._segments()
    writer = ix._writer(1.0)
    try:
        readers = [SegmentReader(writer.storage, writer.schema, seg) for seg in segments]
        assert merge_mod._SegmentMerge.of(writer, readers) is not None
        writer.add_document(key="x", doc_kind="report")
        assert merge_mod._SegmentMerge.of(writer, readers) is None
        merge_mod.add_readers(writer, readers)  # Whoosh's add_reader, readers closed
        assert all(reader.is_closed for reader in readers)
    finally:
        writer.cancel()
    assert ix.count("report") == 4


class SyncRun:
    """``MergeHelpers.run`` running each part here, at once; by part number: ``fail`` (its future raises),
    ``none`` (not run: None), ``lose`` (run, then its files deleted)."""

    def __init__(self, fail=None, none=(), lose=()):
        self.fail, self.none, self.lose, self.calls = fail or (), none, lose, 0

    def __call__(self, task):
        import shutil
        from concurrent.futures import Future

        k, self.calls = self.calls, self.calls + 1
        if k in self.none:
            return None
        future = Future()
        if k in self.fail:
            future.set_exception(OSError("the part could not be written"))
            return future
        future.set_result(task())
        if k in self.lose:  # its files gone before they are appended
            shutil.rmtree(task.directory)
        return future


def merged_both_ways(tmp_path, monkeypatch, run, parts=3):
    """The segmented index merged alone and with helpers (``run``): the two indexes' states, and the parts appended."""
    import shutil

    monkeypatch.setattr(merge_mod, "MIN_PARALLEL_MERGE_BYTES", 0)
    segmented(tmp_path / "built").close()
    shutil.copytree(tmp_path / "built", tmp_path / "alone")
    shutil.copytree(tmp_path / "built", tmp_path / "helped")
    with open_index(tmp_path / "alone") as ix:
        assert ix.merge() == 1
        alone = index_state(ix)
    appended = []
    real = merge_mod._SegmentMerge._append_part
    monkeypatch.setattr(
        merge_mod._SegmentMerge, "_append_part", lambda self, *a: appended.append(real(self, *a)) or appended[-1]
    )
    with open_index(tmp_path / "helped") as ix:
        staging = ix.segment_staging()
        assert ix.merge(helpers=MergeHelpers(run, parts, staging)) == 1
        assert os.listdir(staging.root) == []  # the parts' directories are removed
        staging.close()
        helped = index_state(ix)
    return alone, helped, appended


def test_a_merge_with_helpers_writes_the_same_segment_to_the_byte(tmp_path, monkeypatch):
    """Postings written in parts by other processes (real ones here), appended: the very same files, the same index."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        alone, helped, appended = merged_both_ways(tmp_path, monkeypatch, pool.submit)
    assert appended == [True, True, True]
    assert len(helped["files"]) > 10 and helped["files"] == alone["files"]  # the stored column too: copied as written
    assert helped == alone


def test_a_part_that_fails_is_written_by_the_merging_process(tmp_path, monkeypatch):
    """A part that raised, was not run, or whose files are gone: written here, in its place; the same segment."""
    alone, helped, appended = merged_both_ways(tmp_path, monkeypatch, SyncRun(fail=[0], none=[2], lose=[1]), parts=4)
    assert appended == [False, True]  # part 1's files were gone; part 3 appended; parts 0 and 2 never came
    assert helped == alone


def test_postings_in_parts_split_by_a_segments_terms(tmp_path):
    ix = segmented(tmp_path / "index", n=30, every=30, replaced=())
    terms = ix._ix.reader()._terms
    bounds = merge_mod._split_terms(terms, 3)
    everything = list(terms.terms())
    assert len(bounds) == 2 and bounds == sorted(bounds) and all(b in everything for b in bounds)
    assert merge_mod._split_terms(terms, 1) == []
    for term in (bounds[0], ("content", b"zzzzzz"), ("aaa", b""), ("zzz", b"")):
        key = merge_mod._source_key(terms, *term)
        first = next(iter(terms._tindex.keys_from(key)), None) if key is not None else None
        assert (None if first is None else terms._keydecoder(first)) == min(
            (t for t in everything if t >= term), default=None
        )
    ix.close()
