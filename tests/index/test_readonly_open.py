"""Read commands never write; no command touches another program's index in the --index folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, make_report

from pipeline.cli import cli
from pipeline.index import ENGINES, open_index

PURPOSE = ("1.0", "PURPOSE", "purpose", "To agree the budget for the year.")
READ_COMMANDS = (
    ("search", "budget"),
    ("show", "r1"),
    ("trace", "budget"),
    ("similar", "agree the budget"),
    ("stats",),
    ("status",),
    ("export", "--what", "reports"),
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by its content's hash."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def foreign_whoosh(tmp_path) -> Path:
    """Another program's Whoosh index (the default index name, MAIN; no meta.json)."""
    from whoosh import fields, index

    folder = tmp_path / "theirs"
    folder.mkdir()
    ix = index.create_in(str(folder), fields.Schema(title=fields.TEXT(stored=True)))
    with ix.writer() as w:
        w.add_document(title="their budget")
    return folder


@pytest.fixture
def foreign_tantivy(tmp_path) -> Path:
    """Another program's tantivy index: tantivy's own meta.json at the top of the folder."""
    import tantivy

    folder = tmp_path / "theirs"
    folder.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True)
    ix = tantivy.Index(builder.build(), path=str(folder))
    w = ix.writer()
    w.add_document(tantivy.Document(title="their budget"))
    w.commit()
    w.wait_merging_threads()
    assert "schema_version" not in json.loads((folder / "meta.json").read_text())
    return folder


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("kind", ["foreign_whoosh", "foreign_tantivy"])
def test_a_read_command_on_another_programs_index_fails_and_changes_nothing(request, kind, command):
    folder = request.getfixturevalue(kind)
    before = snapshot(folder)
    res = run(*command, "--index", str(folder))
    assert res.exit_code == 1, res.output
    errors = [line for line in res.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and str(folder) in errors[0] and "not a boardpapers index" in errors[0], res.output
    assert snapshot(folder) == before


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["foreign_whoosh", "foreign_tantivy"])
def test_ingest_refuses_a_folder_holding_another_programs_index(request, kind, engine):
    folder = request.getfixturevalue(kind)
    before = snapshot(folder)
    res = run("ingest", str(CORPUS / "seeds"), "--index", str(folder), "--engine", engine, "--workers", "1")
    assert res.exit_code == 1 and "not a boardpapers index" in res.output, res.output
    assert snapshot(folder) == before  # meta.json and every index file as they were


@pytest.mark.parametrize("engine", ENGINES)
def test_a_read_command_does_not_rebuild_an_index_of_another_schema_version(tmp_path, engine):
    folder = tmp_path / "index"
    with open_index(folder, create=True, engine=engine) as ix:
        ix.add_reports([make_report("r1", [PURPOSE])])
    meta = json.loads((folder / "meta.json").read_text())
    meta["schema_version"] = 1  # written by an older boardpapers
    (folder / "meta.json").write_text(json.dumps(meta))
    before = snapshot(folder)
    for command in READ_COMMANDS:
        res = run(*command, "--index", str(folder))
        assert res.exit_code == 1 and "schema version 1" in res.output and "ingest" in res.output, (command, res.output)
        assert snapshot(folder) == before, command
    # ingest (a writer) rebuilds it from its records, as before
    assert run("ingest", "--retry-failed", "--index", str(folder)).exit_code == 0
    assert run("search", "budget", "--index", str(folder)).exit_code == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_a_rebuild_leaves_another_programs_whoosh_index_in_the_same_folder_alone(foreign_whoosh, engine):
    folder = foreign_whoosh
    theirs = snapshot(folder)
    with _ours_beside(folder, engine) as ix:
        ix.add_reports([make_report("r1", [PURPOSE])])
    meta = json.loads((folder / "meta.json").read_text())
    meta["schema_version"] = 1  # ours, from an older boardpapers: the next writer rebuilds it
    (folder / "meta.json").write_text(json.dumps(meta))
    with open_index(folder, create=True) as ix:  # what ingest does
        assert ix.report_ids() == ("r1",)
    now = snapshot(folder)
    assert {name: now.get(name) for name in theirs} == theirs  # their index, file for file


def _ours_beside(folder: Path, engine: str):
    """Our index made in a folder that already holds theirs (as an older boardpapers would have)."""
    from pipeline.index.whoosh.schema import SCHEMA_VERSION

    meta = {"schema_version": SCHEMA_VERSION, "engine": engine}
    (folder / "meta.json").write_text(json.dumps(meta))
    return open_index(folder, create=True, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_status_of_an_index_to_rebuild_is_an_error_not_every_file_missing(tmp_path, engine):
    folder = tmp_path / "index"
    assert (
        run("ingest", str(CORPUS / "seeds"), "--index", str(folder), "--engine", engine, "--workers", "1").exit_code
        == 0
    )
    meta = json.loads((folder / "meta.json").read_text())
    meta["schema_version"] = 1
    (folder / "meta.json").write_text(json.dumps(meta))
    res = run("status", "--index", str(folder))
    assert res.exit_code == 1 and "schema version 1" in res.output and "missing" not in res.output, res.output
