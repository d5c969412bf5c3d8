"""Tests for pipeline.enrich.entities: rule-based entities over a blank spaCy pipeline."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.enrich.entities import CHUNK_CHARS, MODEL_ENV_VAR, _chunks, extract_entities, get_nlp
from pipeline.model import Entity, Section

SEEDS = Path(__file__).resolve().parents[2] / "corpus" / "seeds"


def section(text: str, title: str = "all") -> Section:
    return Section(number=None, title=title, kind="other", level=1, page=1, text=text)


def ents_of(text: str, **kwargs: object) -> list[tuple[str, str, str | None]]:
    return [(e.label, e.text, e.value) for e in extract_entities([section(text)], **kwargs)]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def seed_002() -> tuple[Entity, ...]:
    return extract_entities([section((SEEDS / "002_03db5c2531a68c69.txt").read_text(encoding="utf-8"))])


@pytest.fixture(scope="module")
def seed_004() -> tuple[Entity, ...]:
    text = (SEEDS / "004_bf7852ceeef6a9de.txt").read_text(encoding="utf-8")
    return extract_entities([section(text)], people=["Karen Oellermann"])


@pytest.mark.parametrize(
    ("label", "text", "value"),
    [
        ("MONEY", "£2.5m", "2500000"),
        ("MONEY", "£100,000", "100000"),
        ("PERCENT", "18.3%", "18.3"),
        ("PERCENT", "15.9%", "15.9"),
        ("ORG", "DCSF", None),
        ("ORG", "HSCB", None),
        ("ORG", "Kingsway Health Building", None),
        ("ORG", "Building Schools for the Future Programme", None),
        ("ORG", "Every Child Matters", None),
        ("ORG", "Trust Executive Board", None),
        ("DATE", "3 <sup>rd</sup> November 2008", "2008-11-03"),
        ("QUARTER", "Q2", "Q2"),
    ],
)
def test_seed_002_entities(seed_002: tuple[Entity, ...], label: str, text: str, value: str | None) -> None:
    assert (label, text, value) in [(e.label, e.text, e.value) for e in seed_002]


@pytest.mark.parametrize(
    ("label", "text", "value"),
    [
        ("PERSON", "Karen Oellermann", "Karen Oellermann"),
        ("ORG", "Central Bedfordshire Council", None),
        ("ORG", "Children's Trust Board", None),
        ("ORG", "Central Bedfordshire Safeguarding Children Board", None),
        ("ORG", "Partnership Vision for Education Board", None),
        ("ORG", "Acting Early Group", None),
        ("DATE", "3 March 2015", "2015-03-03"),
        ("DATE", "June 2016", "2016-06-01"),
        ("QUARTER", "Quarter Two 2016/17", "2016/17-Q2"),
        ("QUARTER", "Quarter 2 2016/17", "2016/17-Q2"),
    ],
)
def test_seed_004_entities(seed_004: tuple[Entity, ...], label: str, text: str, value: str | None) -> None:
    assert (label, text, value) in [(e.label, e.text, e.value) for e in seed_004]


def test_seed_004_no_person_without_people() -> None:
    text = (SEEDS / "004_bf7852ceeef6a9de.txt").read_text(encoding="utf-8")
    assert all(e.label != "PERSON" for e in extract_entities([section(text)]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("an overspend of £23.3m now", [("£23.3m", "23300000")]),
        ("costs of £868,500 in year", [("£868,500", "868500")]),
        ("a £200k grant", [("£200k", "200000")]),
        ("the £1.2bn programme", [("£1.2bn", "1200000000")]),
        ("around £5 million a year", [("£5 million", "5000000")]),
        ("underspend of -£111.6m and", [("-£111.6m", "-111600000")]),
        ("overspend of +£23.3m (excluding)", [("+£23.3m", "23300000")]),
        ("a fee of £3,000.50 each", [("£3,000.50", "3000.5")]),
        ("between £5m-£10m a year", [("£5m", "5000000"), ("£10m", "10000000")]),
        ("by £3.5m.", [("£3.5m", "3500000")]),
        ("£5 more people", [("£5", "5")]),
    ],
)
def test_money(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(t, v) for label, t, v in ents_of(text) if label == "MONEY"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("an 18.3% increase", [("18.3%", "18.3")]),
        ("rose 15.9 per cent in", [("15.9 per cent", "15.9")]),
        ("2 percent of", [("2 percent", "2")]),
        ("version 1.6.3% odd", []),
        ("5 A*-C grades", []),
    ],
)
def test_percent(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(t, v) for label, t, v in ents_of(text) if label == "PERCENT"] == expected


@pytest.mark.parametrize(
    ("text", "orgs"),
    [
        ("Report to Kent County Council on Monday.", ["Kent County Council"]),
        ("Halton Borough Council and Bristol City Council agreed.", ["Halton Borough Council", "Bristol City Council"]),
        ("The Board agreed. The Council noted it.", []),
        ("Quarter 2 Performance for Children's Services.", ["Children's Services"]),
        (
            "Acting Early Group and Central Bedfordshire Safeguarding Children Board",
            ["Acting Early Group", "Central Bedfordshire Safeguarding Children Board"],
        ),
        ("the Building Schools for the Future bid", ["Building Schools for the Future"]),
        ("guidance from the Department for Education today", ["Department for Education"]),
        ("Ofsted and the NHS and the ICB and SEND", ["Ofsted", "NHS", "ICB", "SEND"]),
        ("we send it to nhs staff", []),  # acronyms are case-sensitive
        ("6.0 IMPLICATIONS FOR THE COUNCIL'S PRIORITIES", []),
        (
            "REPORT TO: CHILDREN & YOUNG PEOPLE POLICY AND PERFORMANCE BOARD",
            ["CHILDREN & YOUNG PEOPLE POLICY AND PERFORMANCE BOARD"],
        ),
        ("at the December Transport Committee", ["Transport Committee"]),
    ],
)
def test_org_rules(text: str, orgs: list[str]) -> None:
    assert [t for label, t, _ in ents_of(text) if label == "ORG"] == orgs


def test_people_phrases_case_insensitive() -> None:
    text = "Contact: KAREN OELLERMANN. Karen Oellermann wrote; Karen alone is not enough."
    found = [(t, v) for label, t, v in ents_of(text, people=["Karen Oellermann", "  "]) if label == "PERSON"]
    assert found == [("KAREN OELLERMANN", "Karen Oellermann"), ("Karen Oellermann", "Karen Oellermann")]


def test_quarter_values_and_header() -> None:
    header = "SUBJECT: Q2 2009-10 Performance Update\nDATE: 2nd November 2009"
    sections = [section("No quarter here."), section("Quarter 3 results; £1m.")]
    ents = extract_entities(sections, header=header)
    assert [(e.section, e.label, e.text, e.value) for e in ents] == [
        (None, "QUARTER", "Q2 2009-10", "2009/10-Q2"),
        (None, "DATE", "2nd November 2009", "2009-11-02"),
        (1, "QUARTER", "Quarter 3", "Q3"),
        (1, "MONEY", "£1m", "1000000"),
    ]


def test_offsets_and_no_overlaps(seed_002: tuple[Entity, ...]) -> None:
    text = (SEEDS / "002_03db5c2531a68c69.txt").read_text(encoding="utf-8")
    assert seed_002
    previous_end = 0
    for e in seed_002:
        assert text[e.start : e.end] == e.text
        assert e.start >= previous_end  # sorted, non-overlapping
        previous_end = e.end


def test_longest_span_wins() -> None:
    # "Q2 2009-10" (QUARTER) and "£2.5m" must not be broken up by shorter matches
    ents = ents_of("In Q2 2009-10 the Halton Borough Council spent £2.5m.")
    assert ents == [
        ("QUARTER", "Q2 2009-10", "2009/10-Q2"),
        ("ORG", "Halton Borough Council", None),
        ("MONEY", "£2.5m", "2500000"),
    ]


def test_long_text_is_chunked_with_exact_offsets() -> None:
    filler = "Nothing to see in this paragraph at all.\n\n" * (3 * CHUNK_CHARS // 40)
    text = filler + "Kent County Council spent £5m on 3 March 2015.\n\n" + filler + "DCSF"
    ents = extract_entities([section("x"), section(text)])
    assert [(e.section, e.label, e.text) for e in ents] == [
        (1, "ORG", "Kent County Council"),
        (1, "MONEY", "£5m"),
        (1, "DATE", "3 March 2015"),
        (1, "ORG", "DCSF"),
    ]
    for e in ents:
        assert text[e.start : e.end] == e.text


@given(st.text(alphabet=st.sampled_from("ab \n\t.£5"), max_size=400), st.integers(min_value=8, max_value=60))
@settings(max_examples=200, deadline=None)
def test_chunks_cover_text(text: str, limit: int) -> None:
    pieces = list(_chunks(text, limit))
    assert "".join(chunk for _, chunk in pieces) == text
    offset = 0
    for start, chunk in pieces:
        assert start == offset and 0 < len(chunk) <= limit
        offset += len(chunk)


def test_get_nlp_is_cached_and_has_ruler() -> None:
    nlp = get_nlp()
    assert nlp is get_nlp()
    assert "boardpapers_ruler" in nlp.pipe_names


def test_missing_model_falls_back_to_blank(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="pipeline.enrich.entities"):
        nlp = get_nlp("no_such_model_xyz")
    assert nlp.pipe_names == ["boardpapers_ruler"]
    assert any("no_such_model_xyz" in r.getMessage() for r in caplog.records)
    assert ents_of("Kent County Council", model="no_such_model_xyz") == [("ORG", "Kent County Council", None)]


def test_model_from_environment(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(MODEL_ENV_VAR, "env_model_that_is_missing")
    with caplog.at_level(logging.WARNING, logger="pipeline.enrich.entities"):
        nlp = get_nlp()
    assert nlp is get_nlp("env_model_that_is_missing")
    assert any("env_model_that_is_missing" in r.getMessage() for r in caplog.records)


def test_import_is_cheap() -> None:
    code = "import sys, pipeline.enrich.entities; print('spacy' in sys.modules, 'dateparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


@pytest.mark.slow
def test_throughput_blank_pipeline() -> None:
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    sections = [section(text) for _ in range(40)]
    extract_entities(sections[:1])  # warm up: load the pipeline and caches
    words = len(text.split()) * len(sections)
    started = time.perf_counter()
    extract_entities(sections)
    rate = words / (time.perf_counter() - started)
    assert rate > 40_000, f"{rate:.0f} words/s"


# ---------------------------------------------------------------- only lines that can match go to spaCy

_WORDS = [
    "Halton",
    "Borough",
    "Council",
    "council",
    "COUNCIL",
    "NHS",
    "Ofsted",
    "and",
    "&",
    "for",
    "of",
    "the",
    "Department",
    "Education",
    "Sure",
    "Start",
    "sure",
    "start",
    "Sam",
    "Wilcock",
    "wilcock",
    "Board",
    "Policy",
    "Performance",
    "Young",
    "People's",
    "Trust",
    "Children",
    "report",
    "The",
    "£2.5m",
    "12 March 2025",
    "Q3",
    "Every",
    "Child",
    "Matters",
    "(",
    ")",
    ".",
    ",",
    "-",
]
_SEPARATORS = [" ", " ", " ", "\n", "\n\n", "  ", "", " \n"]


@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPARATORS)), max_size=40))
@settings(max_examples=150, deadline=None)
def test_line_filter_finds_what_the_whole_text_gives(parts: list[tuple[str, str]]) -> None:
    # The blank pipeline reads only lines holding a trigger or a wanted phrase;
    # reading every line must give the same entities.
    import pipeline.enrich.entities as entities

    text = "".join(w + sep for w, sep in parts)
    sections = [Section(number=None, title="T", kind="other", level=1, page=1, text=text)]
    people = ["Sam Wilcock"]
    filtered = extract_entities(sections, header=text[:50], people=people)
    original = entities._pieces
    try:
        entities._pieces = lambda t, phrases: [(0, t)] if t else []  # type: ignore[assignment]
        whole = extract_entities(sections, header=text[:50], people=people)
    finally:
        entities._pieces = original  # type: ignore[assignment]
    assert filtered == whole


def test_pieces_are_whole_lines_with_their_offsets() -> None:
    from pipeline.enrich.entities import _pieces

    text = "plain words here\nHalton Borough Council met\nnothing\nthe sure start centre\n"
    pieces = _pieces(text, ["sure start"])
    assert pieces == [(17, "Halton Borough Council met"), (52, "the sure start centre")]
    assert all(text[o : o + len(p)] == p for o, p in pieces)
    # Consecutive lines with triggers are one piece.
    assert _pieces("NHS\nOfsted\nnone", []) == [(0, "NHS\nOfsted")]
