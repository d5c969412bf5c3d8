"""Typed, frozen records passed between the pipeline's stages (one module per stage).

Every stage boundary uses these types; dicts appear only at the edges
(``to_dict`` for JSON/CSV output and the index's stored fields).

    file --read_lines--> Document(lines)
         --parse_sections--> Layout(header fields, sections)
         --parse_file--> Report (record, with entities, dates, period, warnings)
"""

from __future__ import annotations

from pipeline.model.vocab import SECTION_KINDS, DOC_TYPES, HEADER_FIELDS
from pipeline.model.document import Span, Line, Source, Document, Provenance
from pipeline.model.report import Section, Recommendation, Period, Entity, ReportWarning, HeaderFields, Layout, Report, report_to_dict, report_from_dict, QuarterMention
from pipeline.model.query import QTerm, QPhrase, QPrefix, QFuzzy, QDateRange, QAnd, QOr, QNot, QAll, QueryNode, SearchRequest, positive_leaves
from pipeline.model.results import Hit, SearchResult, ReportHits, SearchPage, TraceEntry, Lineage, TraceResult, StatCount, IndexStats
from pipeline.model.ingest import IngestOutcome, IngestSummary, LedgerEntry, ReindexSummary
from pipeline.model.vocab import DECISION_OUTCOMES, LINK_OUTCOMES
from pipeline.model.report import Decision, decision_from_dict
from pipeline.model.results import DecisionLink

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
