"""`boardpapers parse`: one JSON line per input in order, and scans OCR'd as ingest does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.read import ocr as ocr_mod

PAPER = """CABINET

Report title: Library Opening Hours

1. PURPOSE OF REPORT

1.1 To agree the opening hours of the town's libraries from April.

2. RECOMMENDATIONS

2.1 That Cabinet approves the new opening hours.
"""

#: Prose with no headings, as a scan of a letter would read after OCR.
SCAN_LINES = (
    "The council received a petition from residents asking for a crossing",
    "near the primary school on Mill Lane. Officers counted the traffic",
    "over two weeks and found that most drivers keep to the speed limit.",
)


def _parse(*args: str) -> tuple[int, list[dict]]:
    res = CliRunner().invoke(cli, ["parse", *args])
    return res.exit_code, [json.loads(line) for line in res.stdout.splitlines()]


def _scan_pdf(path: Path) -> None:
    """An image-only PDF of SCAN_LINES (no text layer: a scan)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1700, 1000), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=36)
    for i, text in enumerate(SCAN_LINES):
        draw.text((150, 200 + i * 60), text, fill=0, font=font)
    image.save(path, format="PDF", resolution=200.0)


def test_parse_json_gives_one_line_per_input_in_order_with_errors_in_place(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(PAPER, encoding="utf-8")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    code, rows = _parse(str(tmp_path / "missing.pdf"), str(good), str(empty), str(good), "--json", "--no-text")
    assert code == 1
    assert [r["source"]["path"] for r in rows] == [str(tmp_path / "missing.pdf"), str(good), str(empty), str(good)]
    assert rows[0] == {"source": {"path": str(tmp_path / "missing.pdf")}, "error": "no such file"}
    assert rows[2]["error"] == "empty file"
    assert "error" not in rows[1] and rows[1]["sections"]


def test_parse_json_exits_zero_when_every_input_reads(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(PAPER, encoding="utf-8")
    code, rows = _parse(str(good), "--json")
    assert code == 0 and len(rows) == 1 and "error" not in rows[0]


def test_parse_with_ocr_never_reports_a_scan_as_needing_ocr(tmp_path):
    _scan_pdf(tmp_path / "scan.pdf")
    code, [row] = _parse(str(tmp_path / "scan.pdf"), "--ocr", "never", "--json")
    assert code == 1 and "needs OCR" in row["error"]


def test_parse_ocr_always_without_tools_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr_mod.shutil, "which", lambda name: None)
    res = CliRunner().invoke(cli, ["parse", str(tmp_path / "x.pdf"), "--ocr", "always"])
    assert res.exit_code == 2 and "tesseract" in res.stderr


@pytest.mark.slow
@pytest.mark.skipif(
    ocr_mod.unavailable_reason() is not None, reason=f"OCR needs ocrmypdf and tesseract: {ocr_mod.unavailable_reason()}"
)
def test_parse_ocrs_a_scan_by_default_and_keeps_its_unheaded_text_as_one_section(tmp_path):
    _scan_pdf(tmp_path / "scan.pdf")
    code, [row] = _parse(str(tmp_path / "scan.pdf"), "--json")
    assert code == 0, row
    assert row["source"]["path"] == str(tmp_path / "scan.pdf")
    [section] = row["sections"]
    assert "primary school" in section["text"] and "speed limit" in section["text"]
