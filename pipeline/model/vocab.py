"""Vocabularies shared by every stage: section kinds, document types, header fields."""

from __future__ import annotations

#: Section kinds (see ../shared/labels/README.md).
SECTION_KINDS: tuple[str, ...] = (
    "purpose",
    "recommendations",
    "summary",
    "supporting_information",
    "policy_implications",
    "financial_implications",
    "legal_implications",
    "other_implications",
    "priority_implications",
    "risk_analysis",
    "equality_diversity",
    "climate_implications",
    "background_papers",
    "contact",
    "conclusion",
    "appendix",
    "other",
)


#: Document types a file may be classified as.
DOC_TYPES: tuple[str, ...] = (
    "report",
    "minutes",
    "decision_notice",
    "forward_plan",
    "appendix",
    "agenda_pack",
)


#: Header fields a report may carry, in output order.
HEADER_FIELDS: tuple[str, ...] = (
    "council",
    "committee",
    "meeting_date",
    "reporting_officer",
    "portfolio",
    "cabinet_member",
    "contact",
    "subject",
    "wards",
    "key_decision",
    "reference",
)


#: What a meeting did with an item, as its minutes record it (``Decision.outcome``).
DECISION_OUTCOMES: tuple[str, ...] = ("agreed", "noted", "deferred", "rejected")


#: What became of a report's recommendation at its meeting (``DecisionLink.outcome``).
LINK_OUTCOMES: tuple[str, ...] = (
    "agreed as recommended",
    "agreed with amendment",
    "deferred",
    "rejected",
    "not found",
)
