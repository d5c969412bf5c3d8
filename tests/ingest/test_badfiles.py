"""bad files mixed into a folder of good papers, each built from scratch.

Every bad file gets a one-line reason in the ingest summary and in
``boardpapers status`` while every good paper is indexed. The PDFs are real:
written by hand (:func:`make_text_pdf`, with the standard RC4 security
handler for the encrypted ones), rendered to images with pypdfium2 (the
scan), or cut short (the truncated one).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Iterator, Sequence

import pytest
from click.testing import CliRunner
from conftest import CORPUS, ROOT

from pipeline.cli import cli
from pipeline.index import open_index
from pipeline.ingest import ingest
from pipeline.ingest.ledger import archive_status
from pipeline.model import SearchRequest
from pipeline.read import ocr as ocr_mod
from pipeline.search.query import parse_query

SEED_TXT = CORPUS / "seeds" / "002_03db5c2531a68c69.txt"
SAMPLE_PDF = CORPUS / "pdf" / "000_6c94f2351dffe329.pdf"
#: Rendering resolution of the scanned page.
SCAN_DPI = 200
#: Characters per line of a generated PDF page (Helvetica 11pt on A4).
PAGE_LINE_CHARS = 90
#: Lines per page of the 1,000-page paper.
LONG_PAPER_LINES = 25
#: Peak memory (MB) the 1,000-page ingest must stay under: a page-at-a-time bound, not a tight one.
LONG_PAPER_MAX_RSS_MB = 1500


# ---------------------------------------------------------------- building PDFs by hand

#: The padding string of the PDF standard security handler (ISO 32000-1, 7.6.3.3).
_PASSWORD_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _padded(password: str) -> bytes:
    return (password.encode("latin-1") + _PASSWORD_PAD)[:32]


def _pdf_string(text: str) -> bytes:
    out = bytearray(b"(")
    for b in text.encode("cp1252", "replace"):
        if b in b"()\\":
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out + b")")


def make_text_pdf(
    pages: Sequence[Sequence[str]], *, user_password: str | None = None, owner_password: str = "owner"
) -> bytes:
    """A real PDF: one Helvetica line per string (a string starting ``# `` is a bold heading), A4 pages.

    With ``user_password`` (``""`` for none: an owner-password-only file) the
    content is encrypted with the standard security handler, revision 2 (RC4).
    """
    n = len(pages)
    objs: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(n)), n),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    bold_font = 4 + 2 * n  # after the page and content objects
    fonts = b"/F1 3 0 R /F2 %d 0 R" % bold_font
    file_id = hashlib.md5(repr(pages).encode()).digest()
    key = None
    if user_password is not None:
        permissions = -4
        owner_entry = _rc4(hashlib.md5(_padded(owner_password)).digest()[:5], _padded(user_password))
        key = hashlib.md5(_padded(user_password) + owner_entry + struct.pack("<i", permissions) + file_id).digest()[:5]
        user_entry = _rc4(key, _PASSWORD_PAD)
    for i, lines in enumerate(pages):
        body = bytearray(b"BT 14 TL 60 790 Td\n")
        for line in lines:
            font, line = (b"/F2", line[2:]) if line.startswith("# ") else (b"/F1", line)
            body += font + b" 11 Tf " + _pdf_string(line) + b" Tj T*\n"
        body = bytes(body + b"ET")
        stream_no = 5 + 2 * i
        if key is not None:
            obj_key = hashlib.md5(key + struct.pack("<i", stream_no)[:3] + b"\x00\x00").digest()[:10]
            body = _rc4(obj_key, body)
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << %s >> >> /Contents %d 0 R >>" % (fonts, stream_no)
        )
        objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body))
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    extra = b""
    if key is not None:
        objs.append(
            b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
            % (owner_entry.hex().encode(), user_entry.hex().encode(), permissions)
        )
        extra = b" /Encrypt %d 0 R" % len(objs)
    ident = file_id.hex().encode()
    trailer = b"/Size %d /Root 1 0 R /ID [<%s> <%s>]%s" % (len(objs) + 1, ident, ident, extra)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (k, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def paper_lines(path: Path = SEED_TXT, *, tag: str = "") -> list[str]:
    """A sample paper's lines as set on a page: markdown removed, ``#`` headings kept as ``# `` (bold),
    long paragraphs wrapped; ``tag`` adds a distinguishing line."""
    import re
    import textwrap

    lines: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        text = re.sub(r"</?sup>|\*\*", "", raw).replace("\t", "    ").strip()
        if not text:
            continue
        if text.startswith("#"):
            lines.append("# " + text.lstrip("# "))
        else:
            lines.extend(textwrap.wrap(text, PAGE_LINE_CHARS))
    return lines[:3] + ([tag] if tag else []) + lines[3:]


def paper_pdf(tag: str = "", **kw) -> bytes:
    """A sample paper as a two-page PDF (``tag`` makes its content unique)."""
    lines = paper_lines(tag=tag)
    half = len(lines) // 2
    return make_text_pdf([lines[:half], lines[half:]], **kw)


def image_only_pdf(src: Path = SAMPLE_PDF, dest: Path | None = None, *, dpi: int = SCAN_DPI) -> bytes:
    """Page 1 of a sample paper rendered to a greyscale image and saved as an image-only PDF (a scan)."""
    import io

    import pypdfium2

    doc = pypdfium2.PdfDocument(str(src))
    try:
        image = doc[0].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        doc.close()
    buf = io.BytesIO()
    image.save(buf, format="PDF", resolution=float(dpi))
    return buf.getvalue()


# ---------------------------------------------------------------- unreadable files, even for root


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


_CAP_VERSION_3 = 0x20080522
#: CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: what lets root read a chmod 000 file.
_DAC_CAPS = (1 << 1) | (1 << 2)


@contextlib.contextmanager
def permissions_enforced() -> Iterator[None]:
    """File permissions apply to this thread, even as root.

    Root reads a ``chmod 000`` file through CAP_DAC_OVERRIDE; this drops that
    capability (and CAP_DAC_READ_SEARCH) from the thread's effective set and
    raises it back afterwards. Not root: nothing to do.
    """
    if os.geteuid() != 0:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        pytest.skip(f"cannot read this process's capabilities (errno {ctypes.get_errno()})")
    saved = data[0].effective
    data[0].effective &= ~_DAC_CAPS
    if libc.capset(ctypes.byref(header), data) != 0:
        pytest.skip(f"cannot drop CAP_DAC_OVERRIDE to make a file unreadable as root (errno {ctypes.get_errno()})")
    try:
        yield
    finally:
        data[0].effective = saved
        libc.capset(ctypes.byref(header), data)


# ---------------------------------------------------------------- the folder


#: File name -> (status, words its reason must hold); folders are written as "name/".
EXPECTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "empty.pdf": ("failed", ("empty file",)),
    "truncated.pdf": ("failed", ("truncated PDF", "%%EOF")),
    "garbage.pdf": ("failed", ("not a PDF",)),
    "password.pdf": ("failed", ("encrypted PDF", "password is needed")),
    "owner-password-only.pdf": ("indexed", ()),
    "scan.pdf": ("failed", ("no text layer", "needs OCR", "--ocr never")),
    "windows-1252.txt": ("indexed", ("Windows-1252",)),
    "pdf-named.txt": ("indexed", ("PDF content under a .txt name",)),
    "word-document.pdf": ("failed", ("ZIP archive", "Word .docx", "not a PDF")),
    "text-named.pdf": ("failed", ("not a PDF", "%PDF-")),
    "unreadable.pdf": ("failed", ("permission denied",)),
    "pipe.pdf": ("failed", ("named pipe (FIFO)", "not a regular file")),
    "self-link.pdf": ("failed", ("symlink loop",)),
    "loop": ("failed", ("symlink loop", "leads back to")),
    "same-paper-again.pdf": ("duplicate", ("same content as", "good/pdf/000_6c94f2351dffe329.pdf")),
}


def build_bad_folder(root: Path) -> Path:
    """The sample corpus (10 good papers, under good/) with every kind of bad file beside it."""
    folder = root / "papers"
    shutil.copytree(CORPUS, folder / "good")
    rng = random.Random(5)
    sample = SAMPLE_PDF.read_bytes()
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "truncated.pdf").write_bytes(sample[: len(sample) // 2])
    (folder / "garbage.pdf").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (folder / "password.pdf").write_bytes(paper_pdf("encrypted copy", user_password="s3cret"))
    (folder / "owner-password-only.pdf").write_bytes(paper_pdf("owner-only copy", user_password=""))
    (folder / "scan.pdf").write_bytes(image_only_pdf())
    text = SEED_TXT.read_text(encoding="utf-8") + "\nThe budget is £12,500 for the Council’s café – “agreed”.\n"
    (folder / "windows-1252.txt").write_bytes(text.encode("cp1252"))
    (folder / "pdf-named.txt").write_bytes(paper_pdf("PDF under a .txt name"))
    with zipfile.ZipFile(folder / "word-document.pdf", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    (folder / "text-named.pdf").write_text("Minutes of the meeting\n\nThe board agreed the budget.\n")
    unreadable = folder / "unreadable.pdf"
    unreadable.write_bytes(paper_pdf("unreadable copy"))
    unreadable.chmod(0)
    os.mkfifo(folder / "pipe.pdf")
    (folder / "self-link.pdf").symlink_to("self-link.pdf")
    (folder / "loop").symlink_to(".")
    (folder / "zz-copies").mkdir()  # walked after good/: the corpus copy is the one indexed
    (folder / "zz-copies" / "same-paper-again.pdf").write_bytes(sample)
    return folder


def run_ingest(*args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    with permissions_enforced():
        result = runner.invoke(cli, ["ingest", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def by_name(rows: Sequence[dict]) -> dict[str, dict]:
    return {Path(r["path"]).name: r for r in rows}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("badfiles")
    folder = build_bad_folder(root)
    index_dir = root / "index"
    code, out, err = run_ingest(str(folder), "--index", str(index_dir), "--json", "--ocr", "never")
    return folder, index_dir, code, [json.loads(l) for l in out.splitlines()], err


def test_bad_folder_every_bad_file_has_its_reason_and_every_good_paper_is_indexed(bad_run):
    folder, index_dir, code, rows, err = bad_run
    assert code == 1  # some files failed, the rest indexed
    got = by_name(rows)
    for name, (status, words) in EXPECTED.items():
        row = got[name]
        assert row["status"] == status, (name, row)
        for w in words:
            assert w in (row["reason"] or ""), (name, w, row["reason"])
        if status == "failed":
            assert name in row["reason"] and "\n" not in row["reason"]
    good = [r for r in rows if "/good/" in r["path"]]
    assert len(good) == 10 and all(r["status"] == "indexed" for r in good), good
    assert len(rows) == 10 + len(EXPECTED)
    # the stderr summary: the counts, then one line per failure, duplicate and note
    counts = {s: sum(r["status"] == s for r in rows) for s in ("indexed", "duplicate", "failed")}
    assert f"{len(rows)} files: {counts['indexed']} indexed, 0 unchanged, 0 replaced, 1 duplicate" in err
    listed = [l for l in err.splitlines() if l.lstrip().startswith(("failed:", "duplicate:", "note:"))]
    for name, (status, words) in EXPECTED.items():
        if status != "indexed" or words:  # failures, the duplicate and the notes each get a line
            assert any(name in l and all(w in l for w in words) for l in listed), name


def test_bad_folder_index_holds_the_good_papers_once(bad_run):
    folder, index_dir, _, rows, _ = bad_run
    indexed = [r for r in rows if r["status"] == "indexed"]
    with open_index(index_dir) as ix:
        ids = ix.report_ids()
        assert sorted(set(ids)) == sorted(ids)
        assert {r["report_id"] for r in indexed} <= set(ids)
        held = ix.files()
        assert str((folder / "zz-copies" / "same-paper-again.pdf").resolve()) not in held
        hits = ix.search(SearchRequest(parse_query("café"), limit=5)).hits
        assert [Path(h.path).name for h in hits][:1] == ["windows-1252.txt"]  # decoded, not mojibake


def test_bad_folder_status_lists_every_file_and_the_failures(bad_run):
    folder, index_dir, _, rows, _ = bad_run
    runner = CliRunner()
    res = runner.invoke(cli, ["status", "--index", str(index_dir), "--json"])
    assert res.exit_code == 0, res.output
    status = by_name([json.loads(l) for l in res.stdout.splitlines()])
    for name, (expected, words) in EXPECTED.items():
        assert status[name]["status"] == expected, name
        assert all(w in (status[name]["reason"] or "") for w in words), name
        assert status[name]["time"]
    assert "failed" in res.stderr and "files:" in res.stderr
    failed = runner.invoke(cli, ["status", "--index", str(index_dir), "--failed"])
    lines = failed.stdout.splitlines()
    assert len(lines) == sum(s == "failed" for s, _ in EXPECTED.values())
    assert all(l.startswith("failed") for l in lines)
    assert any("unreadable.pdf" in l and "permission denied" in l for l in lines)
    as_csv = runner.invoke(cli, ["status", "--index", str(index_dir), "--failed", "--csv"])
    assert as_csv.stdout.splitlines()[0] == "path,status,reason,report_id,sections,sha256,time"


def test_retry_failed_indexes_what_was_fixed(tmp_path):
    folder = build_bad_folder(tmp_path)
    index_dir = tmp_path / "index"
    run_ingest(str(folder), "--index", str(index_dir), "--ocr", "never")
    (folder / "unreadable.pdf").chmod(0o644)
    (folder / "empty.pdf").write_bytes(paper_pdf("no longer empty"))
    code, out, err = run_ingest("--retry-failed", "--index", str(index_dir), "--ocr", "never", "--json")
    rows = by_name([json.loads(l) for l in out.splitlines()])
    assert rows["unreadable.pdf"]["status"] == "indexed" and rows["empty.pdf"]["status"] == "indexed"
    assert "good" not in out  # only the failures were tried
    assert rows["password.pdf"]["status"] == "failed" and code == 1
    status = {Path(e.path).name: e.status for e in archive_status(index_dir)}
    assert status["unreadable.pdf"] == status["empty.pdf"] == "indexed"
    assert status["password.pdf"] == "failed"


# ---------------------------------------------------------------- encryption, strict, exit codes


def test_hand_built_encryption_is_real(tmp_path):
    """The RC4 files really are encrypted: without the password the text can't be seen."""
    from pipeline.read import read_lines

    (tmp_path / "owner.pdf").write_bytes(paper_pdf("x", user_password=""))
    (tmp_path / "plain.pdf").write_bytes(paper_pdf("x"))
    assert b"PURPOSE" not in (tmp_path / "owner.pdf").read_bytes()
    assert b"/Encrypt" in (tmp_path / "owner.pdf").read_bytes()
    plain = [l.text for l in read_lines(tmp_path / "plain.pdf").lines]
    assert [l.text for l in read_lines(tmp_path / "owner.pdf").lines] == plain


def test_aes_encrypted_pdfs(tmp_path):
    pypdf = pytest.importorskip("pypdf", reason="pypdf (dev extra) writes AES-256 encrypted PDFs")
    for name, user in (("aes-locked.pdf", "s3cret"), ("aes-owner-only.pdf", "")):
        writer = pypdf.PdfWriter(clone_from=str(SAMPLE_PDF))
        writer.encrypt(user_password=user, owner_password="owner", algorithm="AES-256")
        writer.write(str(tmp_path / name))
    summary = ingest([tmp_path], tmp_path / "index", ocr="never")
    got = {Path(o.path).name: o for o in summary.outcomes}
    assert got["aes-locked.pdf"].status == "failed" and "password is needed" in got["aes-locked.pdf"].reason
    assert got["aes-owner-only.pdf"].status == "indexed" and got["aes-owner-only.pdf"].sections > 5


def test_strict_stops_at_the_first_failure_keeping_what_came_before(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(paper_pdf("a"))
    (folder / "b.pdf").write_bytes(b"")
    (folder / "c.pdf").write_bytes(paper_pdf("c"))
    code, out, err = run_ingest(str(folder), "--index", str(tmp_path / "index"), "--strict", "--json")
    assert code == 1
    assert [(Path(json.loads(l)["path"]).name, json.loads(l)["status"]) for l in out.splitlines()] == [
        ("a.pdf", "indexed"),
        ("b.pdf", "failed"),
    ]
    assert "--strict" in err
    with open_index(tmp_path / "index") as ix:
        assert [Path(p).name for p in ix.files()] == ["a.pdf"]


def test_exit_codes(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.pdf").write_bytes(paper_pdf("a"))
    (good / "copy.pdf").write_bytes(paper_pdf("a"))  # a duplicate is not a failure
    index_dir = str(tmp_path / "index")
    assert run_ingest(str(good), "--index", index_dir)[0] == 0
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n")
    assert run_ingest(str(good), str(tmp_path / "bad.pdf"), "--index", index_dir)[0] == 1
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", "--index", index_dir]).exit_code == 2  # nothing named
    assert runner.invoke(cli, ["ingest", str(good), "--ocr", "sometimes"]).exit_code == 2
    assert runner.invoke(cli, ["ingest", str(good), "--lock-timeout", "-1"]).exit_code == 2
    assert runner.invoke(cli, ["status", "--index", str(tmp_path / "nothing")]).exit_code == 1


# ---------------------------------------------------------------- scans and OCR


def test_scan_without_ocr_tools_is_reported_with_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr_mod.shutil, "which", lambda name: None)
    (tmp_path / "scan.pdf").write_bytes(image_only_pdf())
    summary = ingest([tmp_path / "scan.pdf"], tmp_path / "index")
    [outcome] = summary.outcomes
    assert outcome.status == "failed"
    assert "needs OCR" in outcome.reason and "tesseract is not installed" in outcome.reason
    assert "pip install ocrmypdf" in outcome.reason and "apt-get install tesseract-ocr" in outcome.reason


def test_ocr_always_without_tools_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr_mod.shutil, "which", lambda name: None)
    res = CliRunner().invoke(cli, ["ingest", str(tmp_path), "--ocr", "always", "--index", str(tmp_path / "ix")])
    assert res.exit_code == 2 and "tesseract" in res.stderr


@pytest.mark.slow
@pytest.mark.skipif(
    ocr_mod.unavailable_reason() is not None,
    reason=f"OCR round trip needs ocrmypdf and tesseract: {ocr_mod.unavailable_reason()}",
)
def test_ocr_round_trip_indexes_a_scanned_paper(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(image_only_pdf())
    summary = ingest([tmp_path / "scan.pdf"], tmp_path / "index")  # --ocr auto, the default
    [outcome] = summary.outcomes
    assert outcome.status == "indexed", outcome.reason
    assert outcome.reason == "text from OCR (a scanned PDF)"
    with open_index(tmp_path / "index") as ix:
        report = ix.get_report(outcome.report_id)
        assert report.source.path == str(tmp_path / "scan.pdf")
        assert report.source.sha256 == outcome.sha256  # the original file, not the OCR copy
        hits = ix.search(SearchRequest(parse_query("performance"), limit=5)).hits
        assert hits and hits[0].report_id == outcome.report_id
    assert "performance" in " ".join(s.text.lower() for s in report.sections)


# ---------------------------------------------------------------- a 1,000-page paper


@pytest.mark.slow
def test_thousand_page_pdf_is_indexed_with_bounded_memory(tmp_path):
    lines = paper_lines()
    text = [lines[i % len(lines)] for i in range(1000 * LONG_PAPER_LINES)]
    pages = [text[p * LONG_PAPER_LINES : (p + 1) * LONG_PAPER_LINES] for p in range(1000)]
    (tmp_path / "long.pdf").write_bytes(make_text_pdf(pages))
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "ingest",
        str(tmp_path / "long.pdf"),
        "--index",
        str(tmp_path / "ix"),
        "--json",
    ]
    with open(tmp_path / "out", "w") as out_f, open(tmp_path / "err", "w") as err_f:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out_f, stderr=err_f)
        _, wait_status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    out, err = (tmp_path / "out").read_text(), (tmp_path / "err").read_text()
    peak_mb = usage.ru_maxrss // 1024
    print(f"\n1,000-page PDF ({(tmp_path / 'long.pdf').stat().st_size // 1024} KB): peak RSS {peak_mb} MB")
    assert proc.returncode == 0, err
    [row] = [json.loads(l) for l in out.splitlines()]
    assert row["status"] == "indexed" and row["sections"] > 100
    with open_index(tmp_path / "ix") as ix:
        report = ix.get_report(row["report_id"])
    assert report.source.pages == 1000
    assert max(s.page for s in report.sections) > 990
    assert peak_mb < LONG_PAPER_MAX_RSS_MB
