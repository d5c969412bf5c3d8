"""Measure the parser against labelled papers (``boardpapers eval``).

The comparison follows ``labels/README.md``: text is compared after folding
case, white space, quotes and dashes, and "&" with "and"; recommendations are
compared one by one, in order; section titles score F1 per paper.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

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


def fold(value: Any) -> Any:
    """Fold text for comparison; other values pass through."""
    if not isinstance(value, str):
        return value
    t = unicodedata.normalize("NFKC", value).translate(_QUOTES)
    t = t.replace("&", " and ")
    t = re.sub(r"\s+", " ", t).strip().lower()
    return t


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool, n: int = 1) -> None:
        self.total += n
        self.right += n if ok else 0

    @property
    def pct(self) -> float:
        return 100.0 * self.right / self.total if self.total else 100.0


@dataclass
class EvalResult:
    tallies: dict[str, Tally] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)
    papers: int = 0
    failed: list[str] = field(default_factory=list)

    def tally(self, name: str) -> Tally:
        return self.tallies.setdefault(name, Tally())

    @property
    def overall(self) -> float:
        right = sum(t.right for t in self.tallies.values())
        total = sum(t.total for t in self.tallies.values())
        return 100.0 * right / total if total else 100.0

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"field": k, "right": t.right, "total": t.total, "accuracy": round(t.pct, 1)}
            for k, t in sorted(self.tallies.items())
        ]


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


def compare(report: Report, label: Mapping[str, Any], result: EvalResult, *, name: str) -> None:
    """Score one parsed report against its label, adding to ``result``."""

    def miss(what: str, got: Any, expected: Any) -> None:
        result.misses.append({"paper": name, "field": what, "got": got, "expected": expected})

    for f in EVAL_FIELDS:
        if f not in label:
            continue
        got, exp = _value(report, f), label[f]
        if f == "doc_type" and isinstance(exp, str):
            exp = exp.replace("-", "_")
        ok = fold(got) == fold(exp)
        result.tally(f).add(ok)
        if not ok:
            miss(f, got, exp)
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
        result.tally("period").add(ok)
        if not ok:
            miss("period", got, exp)
    if "recommendations" in label and label.get("doc_type", "report") not in ("agenda_pack",):
        exp_recs = label["recommendations"] or []
        got_recs = [r.text for r in report.recommendations]
        n = max(len(exp_recs), len(got_recs))
        for i in range(n):
            g = got_recs[i] if i < len(got_recs) else None
            e = exp_recs[i] if i < len(exp_recs) else None
            ok = fold(g) == fold(e)
            result.tally("recommendations").add(ok)
            if not ok:
                miss(f"recommendations[{i + 1}]", g, e)
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
        ok = f1 >= SECTION_F1_PASS
        result.tally("sections").add(ok)
        if not ok:
            miss("sections", f"F1={f1:.2f}: {got_titles}", titles)
    if "sections" in label and label["sections"] and isinstance(label["sections"][0], dict):
        exp_kinds = [(fold(s["title"]), s["kind"]) for s in label["sections"]]
        got_kinds = {(fold(s.title), s.kind) for s in report.sections}
        for pair in exp_kinds:
            ok = pair in got_kinds
            result.tally("section_kinds").add(ok)
            if not ok:
                miss("section_kind", None, pair)
    if "reports_in_pack" in label:
        exp_parts = label["reports_in_pack"] or []
        parts = list(report.parts)
        for i, ep in enumerate(exp_parts):
            gp = parts[i] if i < len(parts) else None
            ok = gp is not None and fold(gp.subject) == fold(ep.get("subject"))
            result.tally("pack_reports").add(ok)
            if not ok:
                miss(f"reports_in_pack[{i + 1}]", gp.subject if gp else None, ep.get("subject"))


def evaluate(
    labels_path: str | Path,
    docdir: str | Path,
    *,
    parse: Callable[[Path], Report] | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalResult:
    """Parse every labelled document under ``docdir`` and score it."""
    from pipeline.errors import BoardpapersError
    from pipeline.enrich.report import parse_file

    from pipeline.enrich.siblings import fill_from_siblings

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
    for (label, p, _), report in zip(parsed, filled):
        result.papers += 1
        compare(report, label, result, name=p.name)
    return result
