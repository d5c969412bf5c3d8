"""What became of each recommendation: the decision of the meeting its report went to.

    from pipeline.search.decisions import outcomes, link_reports
    links = outcomes("index", report)              # one DecisionLink per recommendation of the report
    links = link_reports(reports, records)         # the same from records in hand (no index)

A report's recommendations are looked for in the decisions
(:class:`pipeline.model.Decision`) of minutes, decision notices and the
minutes inside agenda packs:

1. **The meeting**: decisions of the same body (:func:`same_body`: the
   committee's words, "&" = "and", one word more or less: "Transport and
   Connectivity Committee" = "Transport & Connectivity Policy Committee"; the
   councils, when both are known, equal) at the report's meeting date, or at
   that body's next meetings up to :data:`NEXT_MEETING_DAYS` later (a report
   deferred, or minuted late) — the first meeting with a minute item for it.
2. **The item**: the minute items whose title reads like the report's subject,
   or whose decisions read like its recommendations
   (:data:`ITEM_MIN_SIMILARITY`); a decision notice's and the minutes' items
   of the same meeting are read together.
3. **The decision**: for each recommendation the item's decision worded most
   like it (:func:`alignment`), else a vote naming it ("Recommendations 4c and
   5 were not approved"), else a blanket one ("the recommendations in the
   report be approved"). Its outcome: *agreed as recommended* (the same
   wording, tense and lead-in aside), *agreed with amendment* (other wording,
   or an amendment carried first: the words changed are given), *deferred*,
   *rejected*; *not found* with the reason otherwise.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from pipeline.enrich import committee_key
from pipeline.model import Decision, DecisionLink, Recommendation, Report, Source, TraceEntry, TraceResult

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.index import Index

# ---------------------------------------------------------------- tolerances and vocabulary

#: A report dated before its meeting (its publication date) is decided at its body's next meeting,
#: when that is at most this many days later (about one meeting cycle).
NEXT_MEETING_DAYS = 62
#: An agenda pack holding a meeting's minutes is dated at most this many days after that meeting.
PACK_LAG_DAYS = 240
#: A minute item is the report's when its title, or its decisions, align with the report this well (0-100).
ITEM_MIN_SIMILARITY = 60.0
#: Items within this much of the best one are read too (the minutes and the decision notice of one meeting).
ITEM_TIE_MARGIN = 10.0
#: A decision aligns with a recommendation at least this well to be its decision.
LINK_MIN_SIMILARITY = 55.0
#: A decision aligned at least this well, with no amendment minuted, is agreed as recommended; a vote
#: against a recommendation outweighs a decision aligned less well than this.
AS_RECOMMENDED_SIMILARITY = 90.0
#: Alignment = this weight x token-set ratio + the rest x Dice overlap of the stemmed words.
TOKEN_SET_WEIGHT = 0.5
#: A recommendation's text this many times longer than a decision's has run on (the parser joined the prose
#: after it): its start, as long as the decision, is compared.
RUN_ON_FACTOR = 2.0
#: Two committee names are one body when one has at most this many words the other lacks.
BODY_MAX_EXTRA_WORDS = 1
#: An amendment's description is cut at this many characters.
AMENDMENT_MAX_CHARS = 200
#: Paper types whose records carry decisions.
DECISION_DOC_TYPES: tuple[str, ...] = ("minutes", "decision_notice", "agenda_pack")
#: Most decision-bearing records read for one call.
MAX_DECISION_RECORDS = 1000

#: Words a committee's name shares with every other: not what tells two bodies apart.
BODY_GENERIC_WORDS: frozenset[str] = frozenset({"the", "of", "and", "for", "committee", "meeting"})

#: Words that carry no meaning for alignment.
STOP_WORDS: frozenset[str] = frozenset(
    "a an and as at be by for from in into is it of on or that the this to with which will its their".split()
)

#: Suffixes cut from a word so that tenses align ("approve", "approves", "approved").
SUFFIXES: tuple[str, ...] = ("ing", "ed", "es", "s", "e", "d")

#: The body named before a decision's verb ("That the Committee for Transport and Connectivity ...").
LEADIN = re.compile(
    r"""
    ^\s*(?:that\s+)?(?:it\s+was\s+\w+\s+that\s+)?       # "That", "It was resolved that"
    (?:the\s+)?(?:[\w&,'’\- ]{0,80}?\s)?
    (?:committee|board|cabinet|council|panel|executive|members?|sub-committee)  # the body
    (?:\s+(?:for|of|on)\s+[\w&,'’\- ]{1,60}?)?          # "Committee for Transport and Connectivity"
    \s*[:,]?\s+(?:is\s+)?(?:asked\s+to\s+|requested\s+to\s+)?  # "is asked to"
    (?=(?:notes?|noted|approves?|approved|agrees?|agreed|authori[sz]es?|authori[sz]ed|endorses?|endorsed
        |resolves?|resolved|delegates?|delegated|considers?|considered|receives?|received|supports?|supported
        |accepts?|accepted|requests?|requested|recommends?|recommended)\b)   # its verb
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A decision approving the report's recommendations wholesale.
BLANKET = re.compile(
    r"""
    # "the recommendations ... be approved"
    \brecommendations?\b[^.]{0,60}?\b(?:be|were|are|was|is)\s+(?:\w+\s+)?(?:approved|agreed|adopted|accepted|endorsed)\b
    | \b(?:approved|agreed|adopted|accepted|endorsed)\s+the\s+recommendations?\b   # "approved the recommendations"
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: A recommendation that only notes ("That the Committee notes this update report").
NOTING = re.compile(r"^\s*(?:to\s+)?not(?:e|es|ed)\b", re.IGNORECASE)

_WORD = re.compile(r"[a-z0-9£%]+(?:[./][0-9]+)*")


# ---------------------------------------------------------------- wording


def _stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def words_of(text: str) -> list[str]:
    """A wording's meaningful words, stemmed, without the body that leads in."""
    text = LEADIN.sub("", text or "")
    return [_stem(w) for w in _WORD.findall(text.lower().replace("&", " and ")) if w not in STOP_WORDS]


def alignment(a: str, b: str) -> float:
    """0-100: how alike a recommendation and a decision are worded (tense and lead-in aside)."""
    from rapidfuzz import fuzz

    wa, wb = words_of(a), words_of(b)
    if not wa or not wb:
        return 0.0
    sa, sb = set(wa), set(wb)
    dice = 200.0 * len(sa & sb) / (len(sa) + len(sb))
    return round(TOKEN_SET_WEIGHT * fuzz.token_set_ratio(" ".join(wa), " ".join(wb)) + (1 - TOKEN_SET_WEIGHT) * dice, 1)


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z]+", text)).lower()


def _trivial(removed: str, added: str) -> bool:
    """A change of tense ("Approve" -> "Approved") or an abbreviation spelt out ("ToR" -> "Terms of Reference")."""
    if set(words_of(removed)) == set(words_of(added)):
        return True
    short, long = sorted((removed, added), key=len)
    letters = re.sub(r"[^A-Za-z]", "", short).lower()
    return len(letters) >= 2 and letters in (_initials(long), _initials(" ".join(words_of(long))))


def amendment_changes(recommended: str, decided: str) -> list[str]:
    """The words a decision changed, tense, lead-in and abbreviations aside: ``['adds "over two years"']``."""
    from difflib import SequenceMatcher

    a, b = LEADIN.sub("", recommended).split(), LEADIN.sub("", decided).split()

    def key(word: str) -> str:  # words compared without case or punctuation
        return re.sub(r"[^\w£%]+", "", word.lower())

    parts: list[str] = []
    matcher = SequenceMatcher(None, [key(w) for w in a], [key(w) for w in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = " ".join(a[i1:i2]).strip(" ,;:."), " ".join(b[j1:j2]).strip(" ,;:.")
        if op == "equal" or (removed and added and _trivial(removed, added)):
            continue
        if removed and words_of(removed):
            parts.append(f'removes "{removed}"')
        if added and words_of(added):
            parts.append(f'adds "{added}"')
    return parts


def amendment_of(recommended: str, decided: str) -> str:
    """The words a decision changed: ``adds "over a two year period"; removes "immediately"``."""
    text = "; ".join(amendment_changes(recommended, decided)) or "reworded"
    return text if len(text) <= AMENDMENT_MAX_CHARS else text[: AMENDMENT_MAX_CHARS - 1].rstrip() + "…"


def same_body(a: str | None, b: str | None) -> bool:
    """Do two committee names name one body? (:data:`BODY_MAX_EXTRA_WORDS`)."""
    ka, kb = committee_key(a), committee_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    wa, wb = set(ka.split()) - BODY_GENERIC_WORDS, set(kb.split()) - BODY_GENERIC_WORDS
    small, large = sorted((wa, wb), key=len)
    return bool(small) and small <= large and len(large - small) <= BODY_MAX_EXTRA_WORDS and len(small) >= 1


def recommendation_refs(recommendations: Sequence[Recommendation]) -> dict[int, str]:
    """Each recommendation's number as the minutes cite it: "2c" for "c." under "2."."""
    out: dict[int, str] = {}
    top: str | None = None
    for r in recommendations:
        label = (r.label or "").strip().strip("().").lower()
        m = re.fullmatch(r"(\d{1,2})([a-z]?)", label)
        if m:
            top = m.group(1)
            out[r.number] = label
        elif re.fullmatch(r"[a-z]", label):
            out[r.number] = f"{top or ''}{label}"
        else:
            out[r.number] = str(r.number)
    return out


# ---------------------------------------------------------------- linking


@dataclass(frozen=True, slots=True)
class _Placed:
    """A decision with the record it came from."""

    record: Report
    index: int
    decision: Decision

    @property
    def meeting(self) -> _dt.date | None:
        return self.decision.meeting_date or self.record.meeting_date

    @property
    def committee(self) -> str | None:
        return self.decision.committee or self.record.committee

    @property
    def item_key(self) -> tuple[str, str | None, str | None]:
        return (self.record.id, self.decision.item, self.decision.item_title)


def _placed(records: Iterable[Report]) -> list[_Placed]:
    return [_Placed(r, i, d) for r in records for i, d in enumerate(r.decisions)]


def _link(report: Report, r: Recommendation, rid: str, **fields: object) -> DecisionLink:
    return DecisionLink(recommendation_id=rid, report_id=report.id, number=r.number, **fields)  # type: ignore[arg-type]


def _cite(p: _Placed, similarity: float) -> dict[str, object]:
    d = p.decision
    return dict(
        similarity=similarity,
        decision_report_id=p.record.id,
        decision_index=p.index,
        path=p.record.source.path,
        page=d.page or None,
        line=d.line or None,
        meeting_date=p.meeting,
        committee=p.committee,
        item=d.item,
        decision_text=d.text,
        wording=d.wording,
    )


def _meeting_candidates(report: Report, placed: Sequence[_Placed]) -> list[tuple[_dt.date, list[_Placed]]]:
    """Decisions of the report's body at its meeting, else at the body's next meeting (one meeting)."""
    day = report.meeting_date
    if day is None:
        return []
    last = day + _dt.timedelta(days=NEXT_MEETING_DAYS)
    by_day: dict[_dt.date, list[_Placed]] = {}
    for p in placed:
        if p.meeting is None or not day <= p.meeting <= last:
            continue
        if report.council and p.record.council and report.council != p.record.council:
            continue
        if same_body(report.committee, p.committee):
            by_day.setdefault(p.meeting, []).append(p)
    return sorted(by_day.items())[:1]


def _items_for(report: Report, decisions: Sequence[_Placed]) -> list[_Placed]:
    """The decisions of the meeting's minute items that are the report's (best and near-best)."""
    items: dict[tuple[str, str | None, str | None], list[_Placed]] = {}
    for p in decisions:
        items.setdefault(p.item_key, []).append(p)
    scored: list[tuple[float, list[_Placed]]] = []
    for (_, number, title), ps in items.items():
        if report.reference and number and report.reference.strip() == number:
            scored.append((100.0, ps))  # the agenda item the report was listed under
        elif title and report.subject:
            scored.append((alignment(report.subject, title), ps))  # the item's title reads like the subject
        else:  # an untitled item: its decisions read like the recommendations
            rec_sims = [
                max((alignment(r.text, p.decision.text) for p in ps if not p.decision.refs), default=0.0)
                for r in report.recommendations
            ]
            scored.append((sum(rec_sims) / len(rec_sims) if rec_sims else 0.0, ps))
    if not scored:
        return []
    best = max(s for s, _ in scored)
    if best < ITEM_MIN_SIMILARITY:
        return []
    return [p for s, ps in scored if s >= best - ITEM_TIE_MARGIN for p in ps]


def head_of(recommended: str, decided: str) -> str:
    """The recommendation's wording, cut to the decision's length when it has run on (:data:`RUN_ON_FACTOR`)."""
    if len(recommended) <= RUN_ON_FACTOR * len(decided):
        return recommended
    cut = recommended[: int(len(decided) * 1.2)]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut


def _preference(p: _Placed, similarity: float) -> tuple:
    # Best wording first; then an amendment recorded; then minutes (they say how it was decided).
    return (similarity, p.decision.amended, p.record.doc_type == "minutes", -p.decision.page)


def _decide(report: Report, r: Recommendation, rid: str, ref: str, item: Sequence[_Placed]) -> DecisionLink:
    """One recommendation against the decisions of its minute item(s)."""
    texts = [(alignment(head_of(r.text, p.decision.text), p.decision.text), p) for p in item if not p.decision.refs]
    by_ref = [p for p in item if ref in p.decision.refs]
    best = max(texts, key=lambda sp: _preference(sp[1], sp[0]), default=None)
    vetoed = next((p for p in reversed(by_ref) if p.decision.outcome in ("rejected", "deferred")), None)
    if best is not None and best[0] >= LINK_MIN_SIMILARITY and not (vetoed and best[0] < AS_RECOMMENDED_SIMILARITY):
        sim, p = best
        d = p.decision
        if d.outcome in ("rejected", "deferred"):
            return _link(report, r, rid, outcome=d.outcome, **_cite(p, sim))
        text = head_of(r.text, d.text)
        noting = d.outcome == "noted" and NOTING.match(LEADIN.sub("", text)) is not None
        # As recommended: the same words (tense, lead-in, abbreviations aside), or nearly, with no
        # amendment minuted (a recommendation cut short by the parser still reads nearly alike).
        nearly = sim >= AS_RECOMMENDED_SIMILARITY and not d.amended
        if noting or nearly or not amendment_changes(text, d.text):
            return _link(report, r, rid, outcome="agreed as recommended", **_cite(p, sim))
        return _link(
            report, r, rid, outcome="agreed with amendment", amendment=amendment_of(text, d.text), **_cite(p, sim)
        )
    if by_ref:
        p = vetoed or by_ref[-1]
        d = p.decision
        if d.outcome in ("rejected", "deferred"):
            return _link(report, r, rid, outcome=d.outcome, **_cite(p, 0.0))
        if d.outcome == "noted" and not NOTING.match(LEADIN.sub("", r.text)):
            return _link(report, r, rid, outcome="agreed with amendment", amendment="noted only", **_cite(p, 0.0))
        if d.amended:
            return _link(
                report, r, rid, outcome="agreed with amendment", amendment="as amended at the meeting", **_cite(p, 0.0)
            )
        return _link(report, r, rid, outcome="agreed as recommended", **_cite(p, 0.0))
    whole = next(
        (
            p
            for p in item
            if p.decision.outcome in ("deferred", "rejected") and not p.decision.refs and p.decision.number is None
        ),
        None,
    )
    if whole is not None:  # "that consideration of the report be deferred": every recommendation of the item
        return _link(report, r, rid, outcome=whole.decision.outcome, **_cite(whole, 0.0))
    blanket = next((p for p in item if BLANKET.search(p.decision.text) and p.decision.outcome == "agreed"), None)
    if blanket is not None:
        return _link(report, r, rid, outcome="agreed as recommended", **_cite(blanket, 0.0))
    where = next(iter(item)).decision
    return _link(
        report,
        r,
        rid,
        outcome="not found",
        reason=f"no decision of minute item {where.item or '?'} ({where.item_title or 'untitled'}) matches it",
    )


def link_report(report: Report, placed: Sequence[_Placed]) -> tuple[DecisionLink, ...]:
    """One link per recommendation of ``report`` against the decisions given."""
    from pipeline.search import recommendation_id

    if not report.recommendations:
        return ()
    refs = recommendation_refs(report.recommendations)
    ids = {r.number: recommendation_id(report.id, r.number) for r in report.recommendations}
    meetings = _meeting_candidates(report, placed)
    for _, decisions in meetings:
        item = _items_for(report, decisions)
        if item:
            return tuple(_decide(report, r, ids[r.number], refs[r.number], item) for r in report.recommendations)
    reason = not_found_reason(report.committee, report.meeting_date, [d for d, _ in meetings])
    return tuple(_link(report, r, ids[r.number], outcome="not found", reason=reason) for r in report.recommendations)


def not_found_reason(committee: str | None, day: _dt.date | None, meetings: Sequence[_dt.date] = ()) -> str:
    """Why a report's recommendations have no decision."""
    if day is None:
        return "the report has no meeting date"
    if not committee:
        return "the report names no committee"
    if meetings:
        return f"the minutes of {', '.join(d.isoformat() for d in meetings)} have no item for this report"
    return f"no minutes of {committee} from {day.isoformat()} to {NEXT_MEETING_DAYS} days later in the archive"


def link_reports(reports: Iterable[Report], records: Iterable[Report]) -> dict[str, DecisionLink]:
    """Every recommendation of ``reports`` linked to the decisions in ``records``, by recommendation id."""
    placed = _placed(records)
    out: dict[str, DecisionLink] = {}
    for report in reports:
        for link in link_report(report, placed):
            out[link.recommendation_id] = link
    return out


# ---------------------------------------------------------------- from the index


def decision_records(ix: "Index", day_from: _dt.date | None = None, day_to: _dt.date | None = None) -> list[Report]:
    """The stored records that carry decisions (minutes, decision notices, agenda packs), dated in the range."""
    from pipeline.model import QAll, QDateRange, QOr, QTerm, SearchRequest
    from pipeline.search.query import conjoin

    types = QOr(tuple(QTerm(t, "doc_type") for t in DECISION_DOC_TYPES))
    dates = QDateRange(day_from, day_to) if day_from or day_to else None
    hits = ix.search(
        SearchRequest(
            QAll(), conjoin(types, dates), limit=MAX_DECISION_RECORDS, per_report=1, snippets=False, counts=False
        )
    ).hits
    out = []
    for rid in dict.fromkeys(h.report_id for h in hits):
        record = ix.get_report(rid)
        if record is not None and record.decisions:
            out.append(record)
    return out


def _window(reports: Sequence[Report]) -> tuple[_dt.date | None, _dt.date | None]:
    days = [r.meeting_date for r in reports if r.meeting_date]
    if not days:
        return None, None
    return min(days), max(days) + _dt.timedelta(days=NEXT_MEETING_DAYS + PACK_LAG_DAYS)


def link_in_index(ix: "Index", reports: Sequence[Report]) -> dict[str, DecisionLink]:
    """The links of ``reports``' recommendations to the decisions the index holds."""
    wanted = [r for r in reports if r.recommendations and r.meeting_date]
    if not wanted:
        return link_reports(reports, ())
    return link_reports(reports, decision_records(ix, *_window(wanted)))


def outcomes(index_dir: "str | os.PathLike[str] | Index", report: Report) -> tuple[DecisionLink, ...]:
    """What became of each recommendation of ``report`` (and of its parts), in order."""
    from pipeline.search import _opened

    reports = [report, *report.parts]
    with _opened(index_dir) as ix:
        links = link_in_index(ix, reports)
    return tuple(links[k] for k in links)


def entry_outcomes(
    ix: "Index", entries: Sequence[TraceEntry], get_report: Callable[[str], Report | None]
) -> dict[str, DecisionLink]:
    """The outcome of each traced recommendation, by recommendation id.

    Only reports whose body met (with minutes in the index) on or soon after their date are fetched.
    """
    dated = [e for e in entries if e.meeting_date]
    days = [e.meeting_date for e in dated if e.meeting_date]
    records = (
        decision_records(ix, min(days), max(days) + _dt.timedelta(days=NEXT_MEETING_DAYS + PACK_LAG_DAYS))
        if days
        else []
    )
    placed = _placed(records)
    out: dict[str, DecisionLink] = {}
    by_report: dict[str, list[TraceEntry]] = {}
    for e in entries:
        by_report.setdefault(e.report_id, []).append(e)
    for rid, es in by_report.items():
        first = es[0]
        probe = Report(
            id=rid,
            source=Source(first.path, "", "", 0),
            doc_type="report",
            committee=first.committee,
            meeting_date=first.meeting_date,
        )
        report = get_report(rid) if _meeting_candidates(probe, placed) else None
        links = {link.number: link for link in link_report(report, placed)} if report is not None else {}
        for e in es:
            out[e.recommendation_id] = links.get(e.number) or DecisionLink(
                recommendation_id=e.recommendation_id,
                report_id=rid,
                number=e.number,
                outcome="not found",
                reason=not_found_reason(e.committee, e.meeting_date),
            )
    return out


def trace_decided(index_dir: "str | os.PathLike[str] | Index", query_or_id: str, **options: Any) -> TraceResult:
    """:func:`pipeline.search.trace` (same options) with each entry's outcome (``TraceEntry.outcome``)."""
    from dataclasses import replace

    from pipeline.search import _opened, _Records, trace

    with _opened(index_dir) as ix:
        result = trace(ix, query_or_id, **options)  # an open index is accepted
        entries = [e for lineage in result.lineages for e in lineage.entries]
        if result.seed is not None:
            entries.append(result.seed)
        decided = entry_outcomes(ix, entries, _Records(ix).get)

    def placed(e: TraceEntry) -> TraceEntry:
        return replace(e, outcome=decided.get(e.recommendation_id))

    lineages = tuple(replace(l, entries=tuple(placed(e) for e in l.entries)) for l in result.lineages)
    return replace(result, seed=placed(result.seed) if result.seed else None, lineages=lineages)


@dataclass(frozen=True, slots=True)
class ShownReport:
    """``show``'s answer with what became of the recommendations."""

    report: Report
    outcomes: tuple[DecisionLink, ...]


def show_decided(index_dir: "str | os.PathLike[str] | Index", id_or_prefix: str) -> ShownReport:
    """One report's record (as :func:`pipeline.search.show`) and its recommendations' outcomes."""
    from pipeline.search import _opened, show

    with _opened(index_dir) as ix:
        report = show(ix, id_or_prefix)  # type: ignore[arg-type]  # an open index is accepted
        return ShownReport(report, outcomes(ix, report))


__all__ = [
    "ShownReport",
    "alignment",
    "decision_records",
    "entry_outcomes",
    "link_in_index",
    "link_report",
    "link_reports",
    "outcomes",
    "same_body",
    "show_decided",
    "trace_decided",
]
