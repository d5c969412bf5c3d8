"""The eval tables (issue 13): per field and per council, wrong values apart from missing ones."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.enrich.report import parse_file
from pipeline.evaluate import MISSING, RIGHT, WRONG, EvalResult, compare, evaluate, load_labels

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "data" / "seeds.jsonl"
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def seeds() -> EvalResult:
    return evaluate(SEEDS, CORPUS)


def _seed_paper() -> tuple[dict, Path]:
    label = load_labels(SEEDS)[0]
    return label, next((CORPUS / "seeds").glob(label["id"] + ".txt"))


def test_each_field_counts_right_wrong_and_missing_to_its_total(seeds: EvalResult) -> None:
    for row in seeds.rows():
        assert row["right"] + row["wrong"] + row["missing"] == row["total"], row
    wards = next(r for r in seeds.rows() if r["field"] == "wards")
    assert (wards["right"], wards["wrong"], wards["missing"]) == (9, 0, 1)  # the PDF copy of 001 has no wards row


def test_the_council_table_has_each_labelled_council_and_adds_up_to_the_total(seeds: EvalResult) -> None:
    councils = {r["council"]: r for r in seeds.council_rows()}
    assert {k: r["papers"] for k, r in councils.items()} == {
        "Central Bedfordshire Council": 2,
        "Halton Borough Council": 8,
    }
    overall = seeds.overall_row()
    assert sum(r["total"] for r in councils.values()) == overall["total"]
    assert sum(r["right"] for r in councils.values()) == overall["right"]
    assert overall["papers"] == 10 and overall["wrong_rate"] == 0.0


def test_a_different_value_is_wrong_and_no_value_is_missing() -> None:
    label, path = _seed_paper()
    report = parse_file(path, entities=False)
    result = EvalResult()
    compare(dataclasses.replace(report, council="Nottingham City Council"), label, result, name="wrong")
    compare(dataclasses.replace(report, council=None), label, result, name="missing")
    compare(report, label, result, name="right")
    council = result.tallies["council"]
    assert (council.right, council.wrong, council.missing, council.total) == (1, 1, 1, 3)
    assert [(m["paper"], m["kind"]) for m in result.misses if m["field"] == "council"] == [
        ("wrong", WRONG),
        ("missing", MISSING),
    ]
    assert result.wrong_rate == pytest.approx(100.0 * result.total.wrong / result.total.total)
    assert RIGHT not in {m["kind"] for m in result.misses}


def test_a_value_where_the_label_has_none_is_wrong() -> None:
    label, path = _seed_paper()
    report = parse_file(path, entities=False)
    result = EvalResult()
    compare(dataclasses.replace(report, reference="Item 7"), {**label, "reference": None}, result, name="extra")
    assert (result.tallies["reference"].wrong, result.tallies["reference"].missing) == (1, 0)


def test_eval_json_prints_the_field_council_and_overall_tables() -> None:
    run = CliRunner().invoke(cli, ["eval", str(SEEDS), str(CORPUS), "--json", "--no-misses"])
    assert run.exit_code == 0, run.output
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    tables = {r["table"] for r in rows}
    assert tables == {"fields", "councils", "overall"}
    overall = next(r for r in rows if r["table"] == "overall")
    assert {"wrong", "missing", "wrong_rate", "accuracy", "papers"} <= overall.keys()
    assert {r["council"] for r in rows if r["table"] == "councils"} == {
        "Central Bedfordshire Council",
        "Halton Borough Council",
    }
    assert "miss " not in run.stderr


def test_eval_text_lists_misses_with_their_kind_and_min_still_fails_below_the_floor() -> None:
    run = CliRunner().invoke(cli, ["eval", str(SEEDS), str(CORPUS), "--min", "99.9"])
    assert run.exit_code == 1
    assert "wrong-rate" in run.stdout and "Halton Borough Council" in run.stdout
    assert "miss 001_301a5d08a7e7c56a.pdf wards (missing)" in run.stderr
    assert CliRunner().invoke(cli, ["eval", str(SEEDS), str(CORPUS), "--min", "99", "--no-misses"]).exit_code == 0
