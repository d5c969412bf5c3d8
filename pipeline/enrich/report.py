"""The full record of a paper: its layout enriched with council, period, entities and every warning."""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path
from typing import Iterable

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
from pipeline.read.walk import iter_paper_paths


def report_id(path: Path, sha256: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-") or "paper"
    return f"{stem}-{sha256[:8]}"


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
    from pipeline.enrich.periods import detect_period

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
            provenance["council"] = Provenance(*where)
    warnings = list(layout.warnings)
    period = None
    if layout.doc_type == "report":
        body = "\n".join(s.text for s in layout.sections) or " ".join(l.text for l in doc.lines[:400])
        period, period_warnings = detect_period(h.subject, body, h.meeting_date)
        warnings.extend(period_warnings)
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
    path: str | os.PathLike[str], *, pdf_engine: str | None = None, model: str | None = None, entities: bool = True
) -> Report:
    """Read and parse one paper into its record. Raises ReadError for bad input."""
    doc = read_lines(path, pdf_engine=pdf_engine)
    return parse_document(doc, model=model, entities=entities)


def parse_paths(
    paths: Iterable[str | os.PathLike[str]], *, pdf_engine: str | None = None, model: str | None = None
) -> list[tuple[Path, Report | BoardpapersError]]:
    """Parse every paper named (folders expanded), returning errors instead of raising.

    Results keep the order of the arguments; councils missing from one paper
    are filled from papers to the same committee in the batch.
    """
    results: list[tuple[Path, Report | BoardpapersError]] = []
    for p in iter_paper_paths(paths):
        try:
            results.append((p, parse_file(p, pdf_engine=pdf_engine, model=model)))
        except BoardpapersError as exc:
            results.append((p, exc))
        except Exception as exc:  # a parser bug must not stop a batch
            results.append((p, ReadError(str(p), f"could not be parsed ({type(exc).__name__}: {exc})")))
    reports = fill_from_siblings([r for _, r in results if isinstance(r, Report)])
    it = iter(reports)
    return [(p, next(it) if isinstance(r, Report) else r) for p, r in results]
