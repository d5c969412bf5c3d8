"""Typed, frozen records passed between the pipeline's stages (one module per stage).

Every stage boundary uses these types; dicts appear only at the edges
(``to_dict`` for JSON/CSV output and the index's stored fields).

    file --read_lines--> Document(lines)
         --parse_sections--> Layout(header fields, sections)
         --parse_file--> Report (record, with entities, dates, period, warnings)
"""

from __future__ import annotations

from pipeline.model.document import Document, Line, Provenance, Source, Span
from pipeline.model.ingest import IngestOutcome, IngestSummary, LedgerEntry, ReindexSummary
from pipeline.model.query import (
    QAll,
    QAnd,
    QDateRange,
    QFuzzy,
    QNot,
    QOr,
    QPhrase,
    QPrefix,
    QTerm,
    QueryNode,
    SearchRequest,
    positive_leaves,
)
from pipeline.model.report import (
    Decision,
    Entity,
    HeaderFields,
    Layout,
    Period,
    QuarterMention,
    Recommendation,
    Report,
    ReportWarning,
    Section,
    decision_from_dict,
    report_from_dict,
    report_to_dict,
)
from pipeline.model.results import (
    DecisionLink,
    Hit,
    IndexStats,
    Lineage,
    ReportHits,
    SearchPage,
    SearchResult,
    StatCount,
    TraceEntry,
    TraceResult,
)
from pipeline.model.vocab import DECISION_OUTCOMES, DOC_TYPES, HEADER_FIELDS, LINK_OUTCOMES, SECTION_KINDS

__all__ = [
    "positive_leaves",
    "DOC_TYPES",
    "DECISION_OUTCOMES",
    "Decision",
    "decision_from_dict",
    "DecisionLink",
    "Document",
    "Entity",
    "HEADER_FIELDS",
    "HeaderFields",
    "LINK_OUTCOMES",
    "Hit",
    "IndexStats",
    "IngestOutcome",
    "IngestSummary",
    "Layout",
    "LedgerEntry",
    "ReindexSummary",
    "Line",
    "Lineage",
    "Period",
    "Provenance",
    "QAll",
    "QAnd",
    "QDateRange",
    "QFuzzy",
    "QNot",
    "QOr",
    "QPhrase",
    "QPrefix",
    "QTerm",
    "QuarterMention",
    "QueryNode",
    "Recommendation",
    "Report",
    "ReportHits",
    "ReportWarning",
    "SECTION_KINDS",
    "SearchPage",
    "SearchRequest",
    "SearchResult",
    "Section",
    "Source",
    "Span",
    "StatCount",
    "TraceEntry",
    "TraceResult",
    "report_from_dict",
    "report_to_dict",
]
