"""Measure the parser against labelled papers (``boardpapers eval``).

The comparison follows ``labels/README.md``: text is compared after folding
case, white space, quotes and dashes, and "&" with "and"; recommendations are
compared one by one, in order, list punctuation at their end aside (the seed
labels drop "; and", the real ones keep it as written); section titles score
F1 per paper.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from pipeline.model import Report

#: Header fields compared when the label has them.
EVAL_FIELDS: tuple[str, ...] = (
    "council",
    "doc_type",
    "committee",
    "meeting_date",
    "subject",
    "reporting_officer",
    "cabinet_member",
    "portfolio",
    "contact",
    "wards",
    "key_decision",
    "reference",
)
#: A paper's section titles count as right at this F1 or above.
SECTION_F1_PASS = 0.9
#: Extensions tried, in order, for a label's ``id`` when it has no ``file``.
LABEL_EXTENSIONS: tuple[str, ...] = (".txt", ".pdf", ".md")

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-", "−": "-"})


#: List punctuation that ends a recommendation as written: "...noted;", "...; and", "...approved.", "..., or".
ITEM_LIST_TAIL = re.compile(
    r"""
    (?:\s*[;,]\s*(?:and|or)\b)?   # "; and", ", or": the list's joining word
    \s*[;,.]?\s*$                 # then ";", "," or "." last
    """,
    re.VERBOSE | re.IGNORECASE,
)


def fold_item(value: Any) -> Any:
    """Fold a recommendation for comparison: :func:`fold`, and its closing list punctuation dropped."""
    t = fold(value)
    if not isinstance(t, str):
        return t
    return ITEM_LIST_TAIL.sub("", t).rstrip()


def fold(value: Any) -> Any:
    """Fold text for comparison; other values pass through."""
    if not isinstance(value, str):
        return value
    t = unicodedata.normalize("NFKC", value).translate(_QUOTES)
    t = t.replace("&", " and ")
    t = re.sub(r"\s+", " ", t).strip().lower()
    return t


#: What a scored value is: the label's, a different value, or none where the label has one.
RIGHT, WRONG, MISSING = "right", "wrong", "missing"
#: The per-council table's key for papers whose label names no council.
NO_COUNCIL = "(no council)"


@dataclass
class Tally:
    right: int = 0
    total: int = 0
    wrong: int = 0
    missing: int = 0

    def add(self, ok: bool, n: int = 1) -> None:
        self.count(RIGHT if ok else WRONG, n)

    def count(self, outcome: str, n: int = 1) -> None:
        """Add ``n`` values that were right, wrong (a value unlike the label's) or missing (none given)."""
        self.total += n
        if outcome == RIGHT:
            self.right += n
        elif outcome == MISSING:
            self.missing += n
        else:
            self.wrong += n

    def merge(self, other: Tally) -> None:
        self.right += other.right
        self.total += other.total
        self.wrong += other.wrong
        self.missing += other.missing

    @property
    def pct(self) -> float:
        return 100.0 * self.right / self.total if self.total else 100.0

    @property
    def wrong_pct(self) -> float:
        """Wrong values per hundred scored."""
        return 100.0 * self.wrong / self.total if self.total else 0.0

    def counts(self) -> dict[str, Any]:
        return {
            "right": self.right,
            "wrong": self.wrong,
            "missing": self.missing,
            "total": self.total,
            "accuracy": round(self.pct, 1),
            "wrong_rate": round(self.wrong_pct, 1),
        }


@dataclass
class CouncilTally:
    """One council's papers and what was scored on them."""

    papers: int = 0
    fields: Tally = field(default_factory=Tally)


@dataclass
class EvalResult:
    tallies: dict[str, Tally] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)
    papers: int = 0
    failed: list[str] = field(default_factory=list)
    councils: dict[str, CouncilTally] = field(default_factory=dict)

    def tally(self, name: str) -> Tally:
        return self.tallies.setdefault(name, Tally())

    def council(self, name: str | None) -> CouncilTally:
        return self.councils.setdefault(name or NO_COUNCIL, CouncilTally())

    @property
    def total(self) -> Tally:
        """All fields of all papers together."""
        out = Tally()
        for t in self.tallies.values():
            out.merge(t)
        return out

    @property
    def overall(self) -> float:
        return self.total.pct

    @property
    def wrong_rate(self) -> float:
        """Wrong values per hundred scored: a wrong value is worse than a missing one."""
        return self.total.wrong_pct

    def rows(self) -> list[dict[str, Any]]:
        """The per-field table: right, wrong, missing, total, accuracy, wrong rate."""
        return [{"table": "fields", "field": k, **t.counts()} for k, t in sorted(self.tallies.items())]

    def council_rows(self) -> list[dict[str, Any]]:
        """The per-council table (councils as labelled): papers, fields scored, right, wrong, missing, accuracy."""
        return [
            {"table": "councils", "council": k, "papers": c.papers, **c.fields.counts()}
            for k, c in sorted(self.councils.items(), key=lambda kv: kv[0].casefold())
        ]

    def overall_row(self) -> dict[str, Any]:
        return {"table": "overall", "field": "overall", "papers": self.papers, **self.total.counts()}


def load_labels(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def label_files(label: Mapping[str, Any], docdir: Path) -> list[Path]:
    """The documents a label describes: its ``file``, else its ``id`` with any known extension."""
    if label.get("file"):
        p = docdir / label["file"]
        return [p]
    found = []
    for ext in LABEL_EXTENSIONS:
        for p in sorted(docdir.rglob(label["id"] + ext)):
            found.append(p)
    return found


def section_f1(got: Sequence[str], expected: Sequence[str]) -> float:
    g = Counter(fold(t).rstrip(" :") for t in got)
    e = Counter(fold(t).rstrip(" :") for t in expected)
    if not g and not e:
        return 1.0
    hit = sum((g & e).values())
    if not hit:
        return 0.0
    p, r = hit / sum(g.values()), hit / sum(e.values())
    return 2 * p * r / (p + r)


def _value(report: Report, name: str) -> Any:
    v = getattr(report, name)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _outcome(ok: bool, got: Any) -> str:
    """Right; else missing when nothing was given, wrong when something else was."""
    if ok:
        return RIGHT
    return MISSING if got is None or got == "" or got == [] else WRONG


def compare(report: Report, label: Mapping[str, Any], result: EvalResult, *, name: str) -> None:
    """Score one parsed report against its label, adding to ``result`` (its field and its council tables)."""
    council = result.council(label.get("council"))
    council.papers += 1

    def score(what: str, tally: str, outcome: str, got: Any, expected: Any) -> None:
        result.tally(tally).count(outcome)
        council.fields.count(outcome)
        if outcome != RIGHT:
            result.misses.append({"paper": name, "field": what, "got": got, "expected": expected, "kind": outcome})

    for f in EVAL_FIELDS:
        if f not in label:
            continue
        got, exp = _value(report, f), label[f]
        if f == "doc_type" and isinstance(exp, str):
            exp = exp.replace("-", "_")
        score(f, f, _outcome(fold(got) == fold(exp), got), got, exp)
    if "period" in label:
        exp = label["period"]
        got = None
        if report.period is not None:
            got = {"fiscal_year": report.period.fiscal_year, "quarter": report.period.quarter}
            for k in ("start", "end"):
                if exp and k in exp:
                    v = getattr(report.period, k)
                    got[k] = v.isoformat() if v else None
        ok = got == (None if exp is None else {k: exp[k] for k in exp})
        score("period", "period", _outcome(ok, got), got, exp)
    if "recommendations" in label and label.get("doc_type", "report") not in ("agenda_pack",):
        exp_recs = label["recommendations"] or []
        got_recs = [r.text for r in report.recommendations]
        n = max(len(exp_recs), len(got_recs))
        for i in range(n):
            g = got_recs[i] if i < len(got_recs) else None
            e = exp_recs[i] if i < len(exp_recs) else None
            score(f"recommendations[{i + 1}]", "recommendations", _outcome(fold_item(g) == fold_item(e), g), g, e)
    titles = None
    if "section_titles" in label:
        titles = label["section_titles"]
    elif "sections" in label:
        titles = [s["title"] for s in label["sections"]]
    if titles is not None and label.get("doc_type", "report") == "report":
        got_titles = [s.title for s in report.sections]
        if label.get("sections_complete") is False:
            # The label lists only the first titles (a cap was reached): compare that prefix.
            got_titles = got_titles[: len(titles)]
        f1 = section_f1(got_titles, titles)
        outcome = _outcome(f1 >= SECTION_F1_PASS, got_titles)
        score("sections", "sections", outcome, f"F1={f1:.2f}: {got_titles}", titles)
    if "sections" in label and label["sections"] and isinstance(label["sections"][0], dict):
        exp_kinds = [(fold(s["title"]), s["kind"]) for s in label["sections"]]
        got_kinds = {(fold(s.title), s.kind) for s in report.sections}
        got_titles_folded = {t for t, _ in got_kinds}
        for pair in exp_kinds:
            # A title found with another kind is wrong; a title not found at all is missing.
            outcome = RIGHT if pair in got_kinds else WRONG if pair[0] in got_titles_folded else MISSING
            score("section_kind", "section_kinds", outcome, None, pair)
    if "reports_in_pack" in label:
        exp_parts = label["reports_in_pack"] or []
        parts = list(report.parts)
        for i, ep in enumerate(exp_parts):
            gp = parts[i] if i < len(parts) else None
            got_subject = gp.subject if gp else None
            ok = gp is not None and fold(gp.subject) == fold(ep.get("subject"))
            score(
                f"reports_in_pack[{i + 1}]", "pack_reports", _outcome(ok, got_subject), got_subject, ep.get("subject")
            )


def evaluate(
    labels_path: str | Path,
    docdir: str | Path,
    *,
    parse: Callable[[Path], Report] | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalResult:
    """Parse every labelled document under ``docdir`` and score it."""
    from pipeline.enrich.report import parse_file
    from pipeline.enrich.siblings import fill_from_siblings
    from pipeline.errors import BoardpapersError

    parse = parse or (lambda p: parse_file(p, entities=False))
    docdir = Path(docdir)
    result = EvalResult()
    parsed: list[tuple[Mapping[str, Any], Path, Report]] = []
    for label in load_labels(labels_path):
        paths = label_files(label, docdir)
        if not paths:
            result.failed.append(f"{label.get('file') or label.get('id')}: not found under {docdir}")
            continue
        for p in paths:
            if progress:
                progress(str(p))
            try:
                parsed.append((label, p, parse(p)))
            except BoardpapersError as exc:
                result.failed.append(str(exc))
    # The batch is an archive: fill what one paper leaves out from its siblings.
    filled = fill_from_siblings([r for _, _, r in parsed])
    for (paper_label, p, _), report in zip(parsed, filled, strict=True):
        result.papers += 1
        compare(report, paper_label, result, name=p.name)
    return result
