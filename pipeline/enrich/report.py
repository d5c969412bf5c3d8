"""The full record of a paper: its layout enriched with council, period, entities and every warning."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from pipeline.config import DEFAULT_OCR_MODE
from pipeline.enrich.siblings import fill_from_siblings
from pipeline.errors import BoardpapersError, ReadError
from pipeline.model import (
    Document,
    Layout,
    Provenance,
    Report,
)
from pipeline.parse import parse_sections
from pipeline.parse.council import detect_council
from pipeline.parse.gazetteer import canonical_council, first_mention
from pipeline.read import read_lines
from pipeline.read.ocr import read_document
from pipeline.read.walk import scan_paths

if TYPE_CHECKING:
    from pipeline.enrich.periods import PeriodFinding


def report_id(path: Path, sha256: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-") or "paper"
    return f"{stem}-{sha256[:8]}"


#: Without section text, a report's period is looked for in its first this many lines.
PERIOD_FALLBACK_LINES = 400


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def period_provenance(found: "PeriodFinding", layout: Layout, body: str) -> Provenance | None:
    """Where the period was read: the line holding the chosen quarter mention.

    A mention in the subject cites the subject's line; one in the body cites the
    first line, from the section holding the mention on, that has its words (the
    mention may wrap: then its first line), else that section's heading.
    """
    m = found.mention
    if m is None:
        return None
    if found.source == "subject":
        return layout.provenance.get("subject")
    lines = layout.document.lines
    first_line = 0
    section = None
    offset = 0
    texts = [s.text for s in layout.sections]
    if any(texts):
        for s in layout.sections:
            if offset + len(s.text) >= m.start:
                section = s
                break
            offset += len(s.text) + 1
        first_line = section.line if section is not None else 0
    wanted = _squash(m.text)
    head = wanted.split(" ")[0]
    candidates = [l for l in lines if l.line_no >= first_line]
    for needle in (wanted, head):
        for l in candidates:
            if needle in _squash(l.text):
                return Provenance(l.page, l.line_no)
    if section is not None:
        return Provenance(section.page, section.line)
    return None


def parse_document(doc: Document, *, model: str | None = None, entities: bool = True) -> Report:
    """The full record for one read document: structure, council, period, entities."""
    layout = parse_sections(doc)
    return report_from_layout(layout, model=model, entities=entities)


def report_from_layout(
    layout: Layout,
    *,
    model: str | None = None,
    entities: bool = True,
    report_id_: str | None = None,
    parent_id: str | None = None,
) -> Report:
    from pipeline.enrich.periods import find_period

    doc = layout.document
    path = Path(doc.source.path)
    rid = report_id_ or report_id(path, doc.source.sha256)
    parts = tuple(
        report_from_layout(part, model=model, entities=entities, report_id_=f"{rid}-p{n}", parent_id=rid)
        for n, part in enumerate(layout.parts, start=1)
    )
    h = layout.header
    meeting = h.meeting_date
    year = meeting.year if isinstance(meeting, _dt.date) else None
    # A council the header gives counts only when it is an authority of the gazetteer.
    council = canonical_council(h.council, year=year) if h.council else None
    council = council or detect_council(
        ((l.page, l.text) for l in doc.lines),
        header=[h.committee or "", h.subject or ""],
        year=year,
    )
    provenance = dict(h.provenance)
    if council and "council" not in provenance:
        # Cite the first line that names the council (or its place).
        where = first_mention(((l.page, l.line_no, l.text) for l in doc.lines), council, year=year)
        if where is not None:
            page, line = where[0], where[1]
            provenance["council"] = Provenance(page, line, printed_page=layout.printed_pages.get(page))
    warnings = list(layout.warnings)
    period = None
    if layout.doc_type == "report":
        texts = [s.text for s in layout.sections]
        body = "\n".join(texts) if any(texts) else " ".join(l.text for l in doc.lines[:PERIOD_FALLBACK_LINES])
        found = find_period(h.subject, body, h.meeting_date)
        period = found.period
        warnings.extend(found.warnings)
        cited = period_provenance(found, layout, body) if period is not None else None
        if cited is not None:
            provenance["period"] = dataclasses.replace(cited, printed_page=layout.printed_pages.get(cited.page))
    ents: tuple = ()
    if entities:
        from pipeline.enrich.entities import extract_entities

        people = [h.contact.split(",")[0]] if h.contact else []
        header_text = "\n".join(f"{k}: {v}" for k, v in h.values().items() if isinstance(v, str))
        ents = extract_entities(layout.sections, header=header_text, people=people, model=model)
    return Report(
        id=rid,
        source=doc.source,
        doc_type=layout.doc_type,
        council=council,
        committee=h.committee,
        meeting_date=h.meeting_date,
        reporting_officer=h.reporting_officer,
        portfolio=h.portfolio,
        cabinet_member=h.cabinet_member,
        contact=h.contact,
        subject=h.subject,
        wards=h.wards,
        key_decision=h.key_decision,
        reference=h.reference,
        period=period,
        recommendations=layout.recommendations,
        recommendation_leadin=layout.recommendation_leadin,
        sections=layout.sections,
        entities=ents,
        warnings=tuple(warnings),
        provenance=provenance,
        parts=parts,
        parent_id=parent_id,
        decisions=layout.decisions,
    )


def parse_file(
    path: str | os.PathLike[str],
    *,
    pdf_engine: str | None = None,
    model: str | None = None,
    entities: bool = True,
    ocr: str = "never",
) -> Report:
    """Read and parse one paper into its record. Raises ReadError for bad input.

    ``ocr`` (``auto`` | ``always`` | ``never``) says when a scanned PDF is OCR'd.
    """
    if ocr == "never":
        doc = read_lines(path, pdf_engine=pdf_engine)
    else:
        doc, _ = read_document(Path(path), ocr=ocr, pdf_engine=pdf_engine)
    return parse_document(doc, model=model, entities=entities)


def parse_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    pdf_engine: str | None = None,
    model: str | None = None,
    ocr: str = DEFAULT_OCR_MODE,
) -> list[tuple[Path, Report | BoardpapersError]]:
    """Parse every paper named (folders expanded), returning errors instead of raising.

    Results keep the order of the arguments (one per file, an error in place of
    a file that cannot be read); councils missing from one paper are filled from
    papers to the same committee in the batch. Scanned PDFs are OCR'd per ``ocr``
    (``auto`` by default, as ``ingest`` does).
    """
    results: list[tuple[Path, Report | BoardpapersError]] = []
    for found in scan_paths(paths):
        p = found.path
        if found.problem is not None:
            if found.status == "failed":  # a folder that cannot be listed, a symlink loop
                results.append((p, ReadError(str(p), found.problem.removeprefix(f"{p}: "))))
            continue
        try:
            results.append((p, parse_file(p, pdf_engine=pdf_engine, model=model, ocr=ocr)))
        except BoardpapersError as exc:
            results.append((p, exc))
        except Exception as exc:  # a parser bug must not stop a batch
            results.append((p, ReadError(str(p), f"could not be parsed ({type(exc).__name__}: {exc})")))
    reports = fill_from_siblings([r for _, r in results if isinstance(r, Report)])
    it = iter(reports)
    return [(p, next(it) if isinstance(r, Report) else r) for p, r in results]
