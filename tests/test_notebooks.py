"""the notebooks run top to bottom on the sample corpus, draw their plots, and are committed clean.

Each notebook is executed in a python3 kernel (nbclient, ipykernel); any cell
error fails the test. The PNG figures it displays are saved to a temporary
folder (printed, so they can be looked at: ``pytest -s``).
"""

from __future__ import annotations

import base64
from pathlib import Path

# Not skipped when missing: the notebooks extra is part of the test environment
# (pip install -e '.[dev,data,notebooks]'), and a skipped notebook is an untested one.
import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
#: Seconds a cell may run (the first ingest loads spaCy).
CELL_TIMEOUT = 300
#: Figures each notebook must display.
FIGURES = {"01_tour": 0, "02_recommendations_over_time": 2, "03_reporting_coverage": 1}
#: Text each notebook must print: what it is there to show.
EXPECTED_TEXT = {
    # The citation of the page the phrase "foster carers" is on, in the 4-page PDF.
    "01_tour": [
        "p. 2 [002_03db5c2531a68c69.pdf; report 002_03db5c2531a68c69-",
        "Receive the first quarter's performance management report",
        "p. 1, l. 20 [001_301a5d08a7e7c56a.pdf",
        "10 files: 10 indexed, 0 failed",
    ],
    "02_recommendations_over_time": ["Receive the first quarter's performance management report", "89.2"],
    "03_reporting_coverage": [
        "Children and Young People Policy and Performance Board",
        "(no committee found: Central Bedfordshire Council)",
        "period_conflict",
        "duplicate_section_number",
        "missing_field",
    ],
}


def test_the_three_notebooks_are_there():
    assert [p.stem for p in PATHS] == list(FIGURES)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for i, cell in enumerate(book.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs: clear them before committing"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"
    assert book.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_builds_its_own_index_from_the_corpus(path):
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert "pyproject.toml" in source and "ingest([CORPUS], INDEX)" in source
    assert "tempfile.mkdtemp" in source and "shutil.rmtree(WORKDIR)" in source


def _texts(cell) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif o.output_type in ("execute_result", "display_data"):
            out.append(o.data.get("text/plain", ""))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_runs_and_draws(path, tmp_path_factory):
    import matplotlib.image

    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book, kernel_name="python3", timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    errors = [o for c in book.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    text = "\n".join(t for c in book.cells for t in _texts(c))
    for expected in EXPECTED_TEXT[path.stem]:
        assert expected in text, expected
    assert "Traceback" not in text and "Warning" not in text

    figures = tmp_path_factory.mktemp(f"figures-{path.stem}")
    pngs = []
    for i, cell in enumerate(book.cells):
        for j, o in enumerate(cell.get("outputs", [])):
            if "image/png" in o.get("data", {}):
                png = figures / f"{path.stem}-cell{i}-{j}.png"
                png.write_bytes(base64.b64decode(o.data["image/png"]))
                pngs.append(png)
    print(f"\n{path.name}: {len(pngs)} figures in {figures}")
    assert len(pngs) == FIGURES[path.stem]
    for png in pngs:
        pixels = matplotlib.image.imread(png)
        height, width = pixels.shape[:2]
        assert width >= 600 and height >= 150, (png, pixels.shape)
        assert pixels.std() > 0.05, f"{png} is (nearly) blank"

    # Nothing left behind in the repository (the temporary index is removed by the notebook).
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == before
