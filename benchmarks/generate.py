"""A synthetic archive of council board papers, of any size, for benchmarks and tests.

    python benchmarks/generate.py OUTDIR --papers 1000 [--pdf-share 0.3] [--seed 1]

Papers follow the header forms of the sample councils:

* ``halton``  -- "REPORT TO: / DATE: / REPORTING OFFICER: / SUBJECT: / WARDS:",
  numbered "1.0 PURPOSE OF THE REPORT" sections, a run-in "RECOMMENDATION: That ...";
* ``kent``    -- "From: / To: / Subject: / Classification:", a "Recommendation(s):"
  box with a) b) items, numbered "1. Introduction" sections;
* ``bristol`` -- "COMMITTEE: / DATE: / TITLE: / Ward(s): / Officer presenting the report:";
* ``weca``    -- a two-column "REPORT TO / DATE / REPORT TITLE / RESPONSIBLE OFFICER /
  Key Decision" table with wrapped label cells and 1) 2) recommendations.

Each paper is written as plain text (``.txt``) or as a real PDF (``.pdf``, the
standard Helvetica fonts, written by the small PDF writer below: no dependency).
Files go to ``OUTDIR/<council>/<year>/<id>.<ext>``; ``OUTDIR/labels.jsonl`` holds
what was generated in the labels format of ``../shared/labels`` (one object per
paper, ``file`` relative to OUTDIR), so ``boardpapers eval OUTDIR/labels.jsonl
OUTDIR`` scores the parser on the synthetic archive.

Everything is a pure function of ``--seed`` and the paper's index: the same
arguments give byte-identical files, and paper *i* is the same whatever ``--papers``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

# ---------------------------------------------------------------- knobs

#: The header forms generated, in the order papers cycle through them.
TEMPLATES: tuple[str, ...] = ("halton", "kent", "bristol", "weca")
#: Share of papers written as PDF when not given.
DEFAULT_PDF_SHARE = 0.3
#: Name of the labels file written at the top of the archive.
LABELS_FILE = "labels.jsonl"
#: Years meetings are drawn from.
FIRST_YEAR, LAST_YEAR = 2009, 2026
#: Page size (A4, points) and margins.
PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0
TOP_MARGIN, BOTTOM_MARGIN = 60.0, 70.0
#: Line spacing as a multiple of the font size; extra space after a paragraph.
LEADING = 1.25
PARAGRAPH_SPACE = 0.9
#: Paragraphs in a paper's main section (background, evidence, supporting information).
MIN_MAIN_PARAGRAPHS, MAX_MAIN_PARAGRAPHS = 3, 14
#: Share of papers whose main section is LONG_PAPER_FACTOR times longer.
LONG_PAPER_SHARE, LONG_PAPER_FACTOR = 0.1, 5
#: Share of papers ending with a budget table appendix.
TABLE_SHARE = 0.35
#: x of the table columns after the first (points from the left margin).
TABLE_COLUMNS: tuple[float, ...] = (230.0, 315.0, 400.0)
#: Superscript ordinals: size as a share of the text's, raised by this share of it.
SUPERSCRIPT_SIZE, SUPERSCRIPT_RISE = 0.6, 0.35

#: Lines must not start with something a parser would take for a list marker.
ITEM_START = re.compile(
    r"""
    ^(?:\(?\d{1,2}[.)]         # 1. 1) (1)
      | \(?[a-z][.)]           # a) (a) a.
      | \(?[ivx]{1,4}\)        # iv) (iv)
      | [-•–]                  # a dash or bullet
    )(?:\s|$)
    """,
    re.VERBOSE | re.IGNORECASE,
)

# ---------------------------------------------------------------- vocabulary

FIRST_NAMES: tuple[str, ...] = (
    "Adam",
    "Alison",
    "Amanda",
    "Andrew",
    "Angela",
    "Ben",
    "Catherine",
    "Chris",
    "Claire",
    "David",
    "Deborah",
    "Emma",
    "Fiona",
    "Gareth",
    "Gemma",
    "Graham",
    "Hannah",
    "Helen",
    "Ian",
    "James",
    "Jane",
    "Joanne",
    "John",
    "Julie",
    "Karen",
    "Kate",
    "Lisa",
    "Mark",
    "Martin",
    "Michelle",
    "Neil",
    "Nicola",
    "Paul",
    "Peter",
    "Rachel",
    "Richard",
    "Sarah",
    "Simon",
    "Stephen",
    "Susan",
)
SURNAMES: tuple[str, ...] = (
    "Ahmed",
    "Atkinson",
    "Bailey",
    "Barker",
    "Bennett",
    "Butler",
    "Chapman",
    "Clarke",
    "Collins",
    "Crowther",
    "Davies",
    "Dixon",
    "Edwards",
    "Ellis",
    "Fletcher",
    "Foster",
    "Gibson",
    "Graham",
    "Hall",
    "Harris",
    "Holmes",
    "Hughes",
    "Jackson",
    "Kaur",
    "Kennedy",
    "Lawrence",
    "Marshall",
    "Mason",
    "Mitchell",
    "Murphy",
    "Nolan",
    "Oakford",
    "Owen",
    "Palmer",
    "Parry",
    "Patel",
    "Pearson",
    "Reynolds",
    "Richards",
    "Robinson",
    "Shaw",
    "Simpson",
    "Taylor",
    "Turner",
    "Walsh",
    "Watson",
    "Webb",
    "Wilkinson",
    "Wright",
    "Young",
)

#: Councils per template: (name, place, wards).
COUNCILS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "halton": (
        ("Halton Borough Council", "Halton", ("Appleton", "Ditton", "Hale", "Kingsway", "Riverside", "Windmill Hill")),
        (
            "Warrington Borough Council",
            "Warrington",
            ("Bewsey and Whitecross", "Fairfield and Howley", "Latchford East"),
        ),
        ("Stockport Metropolitan Borough Council", "Stockport", ("Bramhall North", "Cheadle Hulme South", "Edgeley")),
    ),
    "kent": (
        (
            "Kent County Council",
            "Kent",
            ("Ashford Central", "Canterbury City North", "Dover Town", "Maidstone Central"),
        ),
        ("Surrey County Council", "Surrey", ("Guildford East", "Woking North", "Epsom West")),
        ("Essex County Council", "Essex", ("Chelmsford Central", "Colchester Abbey", "Harlow North")),
    ),
    "bristol": (
        (
            "Bristol City Council",
            "Bristol",
            ("Ashley", "Bedminster", "Clifton", "Easton", "Lawrence Hill", "Southville"),
        ),
        ("Leeds City Council", "Leeds", ("Armley", "Headingley and Hyde Park", "Hunslet and Riverside")),
        ("Nottingham City Council", "Nottingham", ("Arboretum", "Radford", "Sherwood", "St Ann's")),
    ),
    "weca": (
        ("West of England Mayoral Combined Authority", "West of England", ()),
        ("Greater Manchester Combined Authority", "Greater Manchester", ()),
        ("West Midlands Combined Authority", "West Midlands", ()),
    ),
}

#: Committees per template.
COMMITTEES: dict[str, tuple[str, ...]] = {
    "halton": (
        "Children & Young People Policy and Performance Board",
        "Health Policy and Performance Board",
        "Environment and Urban Renewal Policy and Performance Board",
        "Corporate Policy and Performance Board",
        "Safer Policy and Performance Board",
        "Executive Board",
    ),
    "kent": (
        "Cabinet",
        "County Council",
        "Governance and Audit Committee",
        "Scrutiny Committee",
        "Children's, Young People and Education Cabinet Committee",
        "Growth, Economic Development and Communities Cabinet Committee",
    ),
    "bristol": (
        "Transport and Connectivity Committee",
        "Housing and Homelessness Committee",
        "Economy and Skills Committee",
        "Environment and Sustainability Committee",
        "Strategy and Resources Committee",
    ),
    "weca": (
        "{AUTHORITY} COMMITTEE",
        "JOINT COMMITTEE",
        "OVERVIEW AND SCRUTINY COMMITTEE",
        "AUDIT AND RISK COMMITTEE",
    ),
}

DIRECTORATES: tuple[str, ...] = (
    "Children & Young People",
    "Adult Social Care",
    "Communities",
    "Environment and Economy",
    "Enterprise, Community and Resources",
    "Corporate Services",
)
OFFICER_POSTS: tuple[str, ...] = (
    "Director of Finance",
    "Director of Public Health",
    "Head of Highways",
    "Head of City Transport",
    "Head of Housing Delivery",
    "Director of Adult Social Services",
    "Director of Children's Services",
    "Head of Waste and Environmental Services",
    "Head of Libraries and Culture",
    "Director of Place",
    "Head of Strategic Planning",
    "Director of Infrastructure",
)
CORPORATE_DIRECTORS: tuple[str, ...] = (
    "Corporate Director Finance",
    "Corporate Director of Growth, Environment and Transport",
    "Corporate Director Adult Social Care and Health",
    "Corporate Director Children, Young People and Education",
    "Interim Corporate Director Finance",
    "Director of Strategy, Policy, Relationships and Corporate Assurance",
)
PORTFOLIOS: tuple[str, ...] = (
    "Finance, Corporate and Traded Services",
    "Highways and Transport",
    "Adult Social Care and Public Health",
    "Education and Skills",
    "Environment",
    "Community and Regulatory Services",
    "Integrated Children's Services",
)
SERVICES: tuple[str, ...] = (
    "Adult Social Care",
    "Children's Services",
    "Highways Maintenance",
    "Waste and Recycling",
    "Libraries",
    "Public Health",
    "Housing Delivery",
    "Planning and Building Control",
    "Leisure Services",
    "Home to School Transport",
    "Special Educational Needs",
    "Parks and Open Spaces",
    "Regeneration",
    "Trading Standards",
    "Revenues and Benefits",
    "Foster Care",
    "Bus Services",
    "Flood Risk Management",
)
PROJECTS: tuple[str, ...] = (
    "Workplace Parking Levy",
    "Resident Parking Scheme Expansion",
    "Mass Transit Outline Business Case",
    "Town Centre Regeneration Programme",
    "Active Travel Fund",
    "Bus Service Improvement Plan",
    "School Place Planning",
    "Local Transport Plan",
    "Climate Emergency Action Plan",
    "Foster Carer Recruitment and Retention Strategy",
    "Minerals and Waste Local Plan",
    "Library Service Review",
)
MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ORDINAL_WORDS: tuple[str, ...] = ("first", "second", "third", "fourth")

# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class Block:
    """One rendering-independent piece of a paper.

    kinds: ``title`` (a line at the top), ``field`` (a header row: ``label`` and
    value ``lines``), ``heading`` (``label`` is its number), ``para`` (``label``
    a paragraph number), ``runin`` (a bold ``label`` heading with its text run on),
    ``item`` (a list item; ``label`` its marker), ``leadin``, ``table`` (``rows``).
    """

    kind: str
    text: str = ""
    label: str = ""
    lines: tuple[str, ...] = ()
    size: float = 0.0  # titles only
    rows: tuple[tuple[str, ...], ...] = ()  # tables only


@dataclass
class Paper:
    """What was generated: the header values (the labels) and the blocks to render."""

    index: int
    id: str
    template: str
    fmt: str  # "txt" | "pdf"
    council: str
    committee: str
    meeting_date: dt.date
    subject: str
    reporting_officer: str
    cabinet_member: str | None = None
    wards: str | None = None
    key_decision: bool | None = None
    period: tuple[str, int] | None = None  # ("2024/25", 3)
    recommendations: list[str] = field(default_factory=list)
    leadin: str | None = None
    section_titles: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def relpath(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.council.lower()).strip("-")
        return f"{slug}/{self.meeting_date.year}/{self.id}.{self.fmt}"

    def label(self) -> dict[str, Any]:
        """The labels line for this paper (the fields of ../shared/labels/README.md)."""
        out: dict[str, Any] = {
            "file": self.relpath,
            "template": self.template,
            "council": self.council,
            "doc_type": "report",
            "committee": self.committee,
            "meeting_date": self.meeting_date.isoformat(),
            "subject": self.subject,
            "reporting_officer": self.reporting_officer,
            "cabinet_member": self.cabinet_member,
            "wards": self.wards,
            "key_decision": self.key_decision,
        }
        if self.period:
            out["period"] = {"fiscal_year": self.period[0], "quarter": self.period[1]}
        out["recommendations"] = list(self.recommendations)
        out["recommendation_leadin"] = self.leadin
        out["section_titles"] = list(self.section_titles)
        return out


# ---------------------------------------------------------------- helpers


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _money(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"£{rng.randint(2, 950) / 10:.1f}m"
    return f"£{rng.randint(12, 990) * 1000:,}"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}<sup>{suffix}</sup>"


def _fiscal_year(d: dt.date) -> tuple[int, int]:
    """(fiscal year start, quarter) of a date: UK financial year, Q1 = April to June."""
    start = d.year if d.month >= 4 else d.year - 1
    return start, (d.month - 4) % 12 // 3 + 1


def _fy(start: int, sep: str = "/") -> str:
    return f"{start}{sep}{(start + 1) % 100:02d}"


def _meeting_date(rng: random.Random) -> dt.date:
    d = dt.date(rng.randint(FIRST_YEAR, LAST_YEAR), rng.randint(1, 12), rng.randint(1, 28))
    while d.weekday() > 3:  # committees meet Monday to Thursday
        d += dt.timedelta(days=1)
    return d


def strip_markup(text: str) -> str:
    return re.sub(r"</?sup>", "", text)


# ---------------------------------------------------------------- prose


def _sentences(rng: random.Random, place: str, fy: str) -> list[str]:
    """One sentence of each form, in random order (a paragraph takes the first few)."""
    service = rng.choice(SERVICES)
    forms = [
        f"The {service} budget for {fy} is forecast to {rng.choice(('overspend', 'underspend'))} by {_money(rng)}.",
        f"Demand for {rng.choice(SERVICES).lower()} has risen by {rng.randint(2, 19)}% since last year.",
        f"The service has delivered savings of {_money(rng)} against a target of {_money(rng)}.",
        f"Officers will report progress to the {rng.choice(('Board', 'Committee', 'Cabinet'))} at its next meeting.",
        f"A public consultation ran for {rng.randint(4, 12)} weeks and received {rng.randint(40, 2400)} responses.",
        f"The programme in {place} remains on track to complete by March {rng.randint(2010, 2030)}.",
        f"Capital spending of {_money(rng)} is planned over the next {rng.randint(2, 5)} years.",
        f"Performance against the {rng.randint(8, 40)} indicators is summarised in Appendix {rng.choice('ABC')}.",
        f"The risk register has been updated and {rng.randint(2, 9)} risks are rated red.",
        f"Partners across {place} have agreed a shared approach to {rng.choice(SERVICES).lower()}.",
        f"Staffing vacancies in {rng.choice(SERVICES).lower()} stand at {rng.randint(3, 21)}% of posts.",
        f"The contract is worth {_money(rng)} a year and runs for {rng.randint(3, 10)} years.",
        f"In the {rng.choice(ORDINAL_WORDS)} quarter the service saw {rng.randint(120, 4800)} referrals.",
        f"The forecast includes one-off funding of {_money(rng)} from government grants.",
    ]
    rng.shuffle(forms)
    return forms


def _sentence(rng: random.Random, place: str, fy: str) -> str:
    return _sentences(rng, place, fy)[0]


def _paragraph(rng: random.Random, place: str, fy: str, n: int | None = None) -> str:
    return " ".join(_sentences(rng, place, fy)[: n or rng.randint(2, 4)])


def _table(rng: random.Random) -> list[tuple[str, ...]]:
    """A budget monitoring table: a heading row, then one row per service."""
    rows: list[tuple[str, ...]] = [("Service", "Budget £000s", "Forecast £000s", "Variance £000s")]
    for service in rng.sample(SERVICES, rng.randint(4, 9)):
        budget = rng.randint(800, 90000)
        forecast = budget + rng.randint(-budget // 8, budget // 6)
        variance = forecast - budget
        rows.append((service, f"{budget:,}", f"{forecast:,}", f"({-variance:,})" if variance < 0 else f"{variance:,}"))
    return rows


IMPLICATIONS: tuple[tuple[str, str], ...] = (
    ("FINANCIAL IMPLICATIONS", "The costs of {money} will be met from existing budgets."),
    ("POLICY IMPLICATIONS", "The proposals are consistent with the Council's corporate plan."),
    ("LEGAL IMPLICATIONS", "There are no legal implications arising directly from this report."),
    ("RISK ANALYSIS", "The main risks and their mitigation are set out in the risk register."),
    ("EQUALITY AND DIVERSITY ISSUES", "An equality impact assessment has been completed."),
    ("CLIMATE CHANGE IMPLICATIONS", "The proposals support the Council's net zero target."),
)


def _recommendations(rng: random.Random, template: str, place: str, fy: str, n: int) -> list[str]:
    service = rng.choice(SERVICES).lower()
    pool = [
        f"note the {rng.choice(('revenue', 'capital'))} position for {fy} and the actions being taken",
        f"approve the revised {service} strategy set out in Appendix {rng.choice('AB')}",
        f"agree a budget of {_money(rng)} for the {rng.choice(PROJECTS)}",
        f"delegate authority to the {rng.choice(OFFICER_POSTS)} to award the contract",
        f"endorse the approach to consultation with residents in {place}",
        f"note the progress made in delivering {service} savings",
        f"agree that a further report be brought back in {rng.choice(MONTHS)}",
        f"scrutinise progress against the priorities for {service}",
    ]
    picks = rng.sample(pool, n)
    if template == "kent":
        return [p.split(" ", 1)[0].upper() + " " + p.split(" ", 1)[1] for p in picks]
    if template == "weca":
        return [_third_person(p) for p in picks]
    return [p[0].upper() + p[1:] for p in picks]


def _third_person(phrase: str) -> str:
    verb, rest = phrase.split(" ", 1)
    return f"{verb.capitalize()}s {rest}"


# ---------------------------------------------------------------- templates


def _header_common(rng: random.Random, template: str) -> dict[str, Any]:
    council, place, wards = rng.choice(COUNCILS[template])
    date = _meeting_date(rng)
    fy_start, quarter = _fiscal_year(date)
    quarterly = rng.random() < 0.35
    out: dict[str, Any] = {"council": council, "place": place, "ward_names": wards, "date": date}
    if quarterly:
        # A performance report on the quarter before the meeting's.
        q_start, q = (fy_start, quarter - 1) if quarter > 1 else (fy_start - 1, 4)
        out["period"] = (_fy(q_start), q)
    else:
        out["period"] = None
    out["fy"] = _fy(fy_start, "-")
    return out


def _subject(rng: random.Random, common: dict[str, Any], template: str) -> str:
    period = common["period"]
    if period:
        fy, q = period
        fy_dash = fy.replace("/", "-")
        return rng.choice(
            (
                f"Q{q} {fy_dash} Performance Update",
                f"Quarter {q} Performance Monitoring Report {fy_dash}",
                f"{rng.choice(SERVICES)} Performance Report – Quarter {q} {fy_dash}",
            )
        )
    return rng.choice(
        (
            f"{rng.choice(PROJECTS)} Update",
            f"{rng.choice(SERVICES)} Review",
            f"Revenue and Capital Budget Monitoring Report – {rng.choice(MONTHS)} {common['fy']}",
            f"Treasury Management Mid-Year Review {common['fy']}",
            f"{rng.choice(SERVICES)} Commissioning Strategy {common['fy']}",
            f"Fees and Charges {common['fy']}",
        )
    )


def _sections(
    rng: random.Random, template: str, common: dict[str, Any], recs: list[str], leadin: str | None
) -> tuple[list[Block], list[str]]:
    """The body: numbered sections with paragraphs, the recommendations and implications."""
    place, fy = common["place"], common["fy"]
    blocks: list[Block] = []
    titles: list[str] = []
    implications = rng.sample(IMPLICATIONS, rng.randint(2, 4))
    # Paragraphs in the main section: most papers run to 2-4 pages, a few to 10 or more.
    main_length = rng.randint(MIN_MAIN_PARAGRAPHS, MAX_MAIN_PARAGRAPHS)
    if rng.random() < LONG_PAPER_SHARE:
        main_length *= LONG_PAPER_FACTOR
    marker = {"halton": "({n})", "kent": "{a})", "bristol": "{n}.", "weca": "{n})"}[template]

    def markers() -> Iterator[str]:
        for i in range(len(recs)):
            yield marker.format(n=i + 1, a="abcdefghij"[i])

    def rec_blocks() -> list[Block]:
        out = [Block("leadin", leadin)] if leadin else []
        return out + [Block("item", r, label=m) for m, r in zip(markers(), recs)]

    if template == "halton":
        n = 1
        blocks.append(Block("heading", "PURPOSE OF THE REPORT", label=f"{n}.0"))
        titles.append("PURPOSE OF THE REPORT")
        blocks.append(Block("para", _paragraph(rng, place, fy), label=f"{n}.1"))
        n += 1
        if len(recs) == 1:
            blocks.append(Block("heading", f"RECOMMENDATION: {recs[0]}", label=f"{n}.0"))
        else:
            blocks.append(Block("heading", "RECOMMENDATION", label=f"{n}.0"))
            blocks.extend(rec_blocks())
        titles.append("RECOMMENDATION")
        n += 1
        for title in ("SUPPORTING INFORMATION", *(t for t, _ in implications)):
            blocks.append(Block("heading", title, label=f"{n}.0"))
            titles.append(title)
            for k in range(1, (main_length if title == "SUPPORTING INFORMATION" else rng.randint(2, 3)) + 1):
                blocks.append(Block("para", _implication_or_prose(rng, title, place, fy), label=f"{n}.{k}"))
            n += 1
        title = "LIST OF BACKGROUND PAPERS UNDER SECTION 100D OF THE LOCAL GOVERNMENT ACT 1972"
        blocks.append(Block("heading", title, label=f"{n}.0"))
        titles.append(title)
        blocks.append(Block("para", "None under the meaning of the Act.", label=f"{n}.1"))
    elif template == "kent":
        blocks.append(Block("heading", "Summary:"))
        titles.append("Summary")
        blocks.append(Block("para", _paragraph(rng, place, fy)))
        blocks.append(Block("heading", "Recommendation(s):"))
        titles.append("Recommendation(s)")
        blocks.extend(rec_blocks())
        sections = ["Introduction", "Background", *(t.title() for t, _ in implications), "Conclusions"]
        for n, title in enumerate(sections, start=1):
            blocks.append(Block("heading", title, label=f"{n}."))
            titles.append(title)
            for k in range(1, (main_length if title == "Background" else rng.randint(2, 3)) + 1):
                blocks.append(Block("para", _implication_or_prose(rng, title, place, fy), label=f"{n}.{k}"))
        blocks.append(Block("heading", "Background Documents", label=f"{len(sections) + 1}."))
        titles.append("Background Documents")
        blocks.append(Block("para", "None."))
    elif template == "bristol":
        blocks.append(Block("runin", _paragraph(rng, place, fy, 1), label="Purpose of Report:"))
        titles.append("Purpose of Report")
        blocks.append(Block("heading", "Evidence Base:"))
        titles.append("Evidence Base")
        for k in range(1, main_length + 1):
            blocks.append(Block("para", _paragraph(rng, place, fy), label=f"{k}."))
        blocks.append(Block("heading", "Officer Recommendations:"))
        titles.append("Officer Recommendations")
        blocks.extend(rec_blocks())
        for title, _ in implications:
            blocks.append(Block("heading", title.title()))
            titles.append(title.title())
            blocks.append(Block("para", _implication_or_prose(rng, title, place, fy)))
    else:  # weca
        blocks.append(Block("heading", "Purpose of Report"))
        titles.append("Purpose of Report")
        blocks.append(Block("para", _paragraph(rng, place, fy, 2)))
        blocks.append(Block("heading", "Recommendation"))
        titles.append("Recommendation")
        blocks.extend(rec_blocks())
        blocks.append(Block("heading", "Reasons for recommendation"))
        titles.append("Reasons for recommendation")
        blocks.append(Block("para", _paragraph(rng, place, fy, 2)))
        blocks.append(Block("heading", "Background"))
        titles.append("Background")
        for k in range(1, main_length + 1):
            blocks.append(Block("para", _paragraph(rng, place, fy), label=f"{k}."))
        for title, _ in implications:
            blocks.append(Block("heading", title.title()))
            titles.append(title.title())
            blocks.append(Block("para", _implication_or_prose(rng, title, place, fy)))
    if rng.random() < TABLE_SHARE:
        # An appendix after the report: not one of the report's own section titles.
        blocks.append(Block("heading", "Appendix A – Budget Monitoring by Service"))
        blocks.append(Block("table", rows=tuple(_table(rng))))
    return blocks, titles


def _implication_or_prose(rng: random.Random, title: str, place: str, fy: str) -> str:
    for name, text in IMPLICATIONS:
        if name.lower() == title.lower():
            return text.format(money=_money(rng)) + " " + _sentence(rng, place, fy)
    return _paragraph(rng, place, fy)


def make_paper(index: int, *, seed: int = 1, template: str | None = None, fmt: str = "txt") -> Paper:
    """Paper ``index`` of the archive of ``seed`` (``template`` defaults to the index's turn)."""
    rng = random.Random(f"boardpapers-synthetic:{seed}:{index}")
    template = template or TEMPLATES[index % len(TEMPLATES)]
    common = _header_common(rng, template)
    council, place, date = common["council"], common["place"], common["date"]
    subject = _subject(rng, common, template)
    n_recs = rng.choice((1, 2, 2, 3, 3, 4))
    fy = common["fy"]
    head: list[Block] = []
    cabinet_member = wards = key_decision = None

    if template == "halton":
        committee = rng.choice(COMMITTEES[template])
        officer = f"Strategic Director, {rng.choice(DIRECTORATES)}"
        wards = rng.choice(("Boroughwide", "Boroughwide", ", ".join(rng.sample(common["ward_names"], 2))))
        recs = _recommendations(rng, template, place, fy, n_recs)
        if n_recs == 1:
            recs = [f"That the Board {recs[0][0].lower()}{recs[0][1:]}."]
            leadin = None
        else:
            leadin = "That the Board:"
        date_text = f"{_ordinal(date.day)} {MONTHS[date.month - 1]} {date.year}"
        head = [
            Block("title", council, size=14.0),
            Block("field", label="REPORT TO:", lines=(committee,)),
            Block("field", label="DATE:", lines=(date_text,)),
            Block("field", label="REPORTING OFFICER:", lines=(officer,)),
            Block("field", label="SUBJECT:", lines=(subject,)),
            Block("field", label="WARDS:", lines=(wards,)),
        ]
    elif template == "kent":
        committee = rng.choice(COMMITTEES[template])
        member = f"Cabinet Member for {rng.choice(PORTFOLIOS)}, {_name(rng)}"
        officer = f"{rng.choice(CORPORATE_DIRECTORS)}, {_name(rng)}"
        cabinet_member = member
        recs = _recommendations(rng, template, place, fy, n_recs)
        leadin = f"The {committee} is asked to:"
        date_text = f"{date.day} {MONTHS[date.month - 1]} {date.year}"
        head = [
            Block("field", label="From:", lines=(member, officer)),
            Block("field", label="To:", lines=(f"{committee}, {date_text}",)),
            Block("field", label="Subject:", lines=(subject,)),
            Block("field", label="Classification:", lines=("Unrestricted",)),
        ]
        if rng.random() < 0.5:
            wards = rng.choice(("All", rng.choice(common["ward_names"])))
            head.append(Block("field", label="Electoral Division:", lines=(wards,)))
    elif template == "bristol":
        committee = rng.choice(COMMITTEES[template])
        presenter, post = _name(rng), rng.choice(OFFICER_POSTS)
        lead, lead_post = _name(rng), "Executive Director for Growth & Regeneration"
        officer = f"{presenter}, {post}; {lead}, {lead_post}"
        cabinet_member = f"Cllr {_name(rng)}"
        key_decision = rng.random() < 0.4
        wards = rng.choice(("Citywide", "All", "; ".join(rng.sample(common["ward_names"], 2))))
        recs = _recommendations(rng, template, place, fy, n_recs)
        leadin = "That the Committee:" if n_recs > 1 else None
        if n_recs == 1:
            recs = [f"That the Committee {recs[0][0].lower()}{recs[0][1:]}."]
        date_text = f"{date.day} {MONTHS[date.month - 1]} {date.year}"
        head = [
            Block("title", "Committee Report", size=16.0),
            Block(
                "field",
                label="KEY DECISION OR FOR INFORMATION:",
                lines=("Key decision over £500k" if key_decision else "For Information",),
            ),
            Block("field", label="COMMITTEE:", lines=(committee,)),
            Block("field", label="DATE:", lines=(date_text,)),
            Block("field", label="TITLE:", lines=(subject,)),
            Block("field", label="Ward(s):", lines=(wards,)),
            Block("field", label="Officer presenting the report:", lines=(f"{presenter} Job title: {post}",)),
            Block("field", label="Committee Chair:", lines=(cabinet_member,)),
            Block("field", label="Executive Director lead:", lines=(f"{lead}: {lead_post}",)),
        ]
    else:  # weca
        authority = council.upper().replace(" MAYORAL", "")
        committee = rng.choice(COMMITTEES[template]).replace("{AUTHORITY}", authority)
        officer = f"{rng.choice(OFFICER_POSTS)}".upper()
        subject = subject.upper()
        key_decision = rng.random() < 0.3
        recs = _recommendations(rng, template, place, fy, n_recs)
        leadin = f"The {committee.title().replace(' Of ', ' of ').replace(' And ', ' and ')}:"
        date_text = f"{date.day} {MONTHS[date.month - 1].upper()} {date.year}"
        head = [
            Block("title", council, size=11.0),
            Block("field", label="REPORT TO:", lines=(committee,)),
            Block("field", label="DATE:", lines=(date_text,)),
            Block("field", label="REPORT TITLE:", lines=(subject,)),
            Block("field", label="RESPONSIBLE OFFICER:", lines=(officer,)),
            Block("field", label="Key Decision", lines=("Yes" if key_decision else "No",)),
        ]

    body, titles = _sections(rng, template, common, recs, leadin)
    # The authority is named in the text, as papers do ("... Kent County Council's budget").
    body.insert(
        1 if body and body[0].kind == "heading" else 0,
        Block("para", f"This report is presented on behalf of {council}."),
    )
    paper_id = f"{re.sub(r'[^a-z]+', '', place.lower())[:10]}_{date:%Y%m%d}_{index:06d}"
    return Paper(
        index=index,
        id=paper_id,
        template=template,
        fmt=fmt,
        council=council,
        committee=committee,
        meeting_date=date,
        subject=subject,
        reporting_officer=officer,
        cabinet_member=cabinet_member,
        wards=wards,
        key_decision=key_decision,
        period=common["period"],
        recommendations=recs,
        leadin=leadin,
        section_titles=titles,
        blocks=head + body,
    )


# ---------------------------------------------------------------- text rendering


def render_text(paper: Paper) -> str:
    """The paper as a text file: headings marked ``##`` as a Word-to-markdown export
    leaves them (the halton form also has its labels in ``**bold**``)."""
    md = paper.template == "halton"
    out: list[str] = []
    for b in paper.blocks:
        if b.kind == "title":
            out.append(b.text)
        elif b.kind == "field":
            value = b.lines[0]
            if not md:
                value = strip_markup(value)
            label = b.label if b.label.endswith(":") else b.label + ":"
            label = f"**{label}**" if md else label
            out.append(f"{label} {value}")
            indent = " " * (len(b.label) + 1)
            out.extend(indent + more for more in b.lines[1:])
        elif b.kind == "heading":
            title = f"{b.label} {b.text}".strip()
            out.append(f"## **{title}**" if md else f"## {title}")
        elif b.kind == "para":
            out.append(f"{b.label} {b.text}".strip())
        elif b.kind == "leadin":
            out.append(b.text)
        elif b.kind == "runin":
            out.append(f"**{b.label}** {b.text}")
        elif b.kind == "item":
            out.append(f"{b.label} {b.text}")
        elif b.kind == "table":
            out.extend(" | ".join(row) for row in b.rows)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- a tiny PDF writer

#: Advance widths (1/1000 em) of Helvetica and Helvetica-Bold, ASCII 32-126 (from the AFM files).
_ASCII = [chr(c) for c in range(32, 127)]
_HELVETICA = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 "
    "667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 "
    "222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
)
_HELVETICA_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 "
    "667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 611 278 278 556 "
    "278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584"
)
WIDTHS: dict[bool, dict[str, int]] = {
    False: {**dict(zip(_ASCII, map(int, _HELVETICA.split()))), "£": 556, "–": 556, "’": 222, "•": 350},
    True: {**dict(zip(_ASCII, map(int, _HELVETICA_BOLD.split()))), "£": 556, "–": 556, "’": 278, "•": 350},
}
#: Font resource names: regular and bold.
FONTS: dict[bool, str] = {False: "F1", True: "F2"}


def text_width(text: str, size: float, bold: bool = False) -> float:
    table = WIDTHS[bold]
    return sum(table.get(ch, 556) for ch in text) * size / 1000.0


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


@dataclass(frozen=True)
class Run:
    """A piece of text placed on a page: x and baseline (top-down), font, size, rise."""

    x: float
    baseline: float
    text: str
    bold: bool
    size: float
    rise: float = 0.0


def write_pdf(pages: Sequence[Sequence[Run]], *, title: str = "") -> bytes:
    """A PDF of text runs in Helvetica / Helvetica-Bold (WinAnsiEncoding), one stream per page."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    pages_id = add(b"")
    f1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    f2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids: list[int] = []
    for runs in pages:
        ops = []
        for r in runs:
            y = PAGE_HEIGHT - r.baseline
            # The rise (Ts) is text state that outlives BT/ET: set it on every run.
            ops.append(
                f"BT /{FONTS[r.bold]} {r.size:g} Tf {r.rise:g} Ts {r.x:.2f} {y:.2f} Td ".encode()
                + _pdf_string(r.text)
                + b" Tj ET"
            )
        stream = zlib.compress(b"\n".join(ops), 6)
        content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g] /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> "
                b"/Contents %d 0 R >>" % (pages_id, PAGE_WIDTH, PAGE_HEIGHT, f1, f2, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = add(b"<< /Producer (boardpapers synthetic archive) /Title " + _pdf_string(title) + b" >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info,
        xref,
    )
    return bytes(out)


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points; no line starts with something list-like."""
    lines: list[list[str]] = [[]]
    for word in text.split():
        trial = " ".join(lines[-1] + [word])
        if lines[-1] and text_width(trial, size, bold) > width:
            lines.append([word])
        else:
            lines[-1].append(word)
    # Pull a word down when a line would start like a list item ("3) ...", "a) ...").
    for i in range(1, len(lines)):
        while ITEM_START.match(" ".join(lines[i])) and len(lines[i - 1]) > 1:
            lines[i].insert(0, lines[i - 1].pop())
    return [" ".join(words) for words in lines if words]


@dataclass(frozen=True)
class Style:
    """Where a template puts things (points)."""

    left: float
    body_size: float
    heading_size: float
    label_x: float
    value_x: float | None  # None: the value follows its label on the same line
    label_width: float = 0.0  # > 0: label cells wrap within this width
    values_bold: bool = False
    hanging: float = 28.0  # indent of a numbered paragraph's text
    furniture: str = ""  # a running line at the foot of every page


STYLES: dict[str, Style] = {
    "halton": Style(left=62.5, body_size=11.0, heading_size=11.0, label_x=62.5, value_x=306.0),
    "kent": Style(left=50.0, body_size=12.0, heading_size=12.0, label_x=50.0, value_x=158.0),
    "bristol": Style(left=43.0, body_size=12.0, heading_size=12.0, label_x=43.0, value_x=None, furniture="OFFICIAL"),
    "weca": Style(
        left=77.0, body_size=12.0, heading_size=12.0, label_x=77.0, value_x=200.0, label_width=105.0, values_bold=True
    ),
}


class _Layout:
    """Places blocks top to bottom on A4 pages."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.pages: list[list[Run]] = [[]]
        self.y = TOP_MARGIN
        self.right = PAGE_WIDTH - style.left

    def need(self, height: float) -> None:
        if self.y + height > PAGE_HEIGHT - BOTTOM_MARGIN:
            self.pages.append([])
            self.y = TOP_MARGIN

    def line(self, x: float, text: str, size: float, bold: bool = False) -> None:
        """Write one line at x on the next baseline."""
        self.need(size * LEADING)
        self.y += size * LEADING
        self.put(x, text, size, bold)

    def put(self, x: float, text: str, size: float, bold: bool) -> float:
        """Write rich text (``<sup>`` ordinals) at x on the current baseline; returns the end x."""
        for piece in re.split(r"(<sup>.*?</sup>)", text):
            if not piece:
                continue
            if piece.startswith("<sup>"):
                small = round(size * SUPERSCRIPT_SIZE, 1)
                word = strip_markup(piece)
                self.pages[-1].append(Run(x, self.y, word, bold, small, round(size * SUPERSCRIPT_RISE, 1)))
                x += text_width(word, small, bold)
            else:
                self.pages[-1].append(Run(x, self.y, piece, bold, size))
                x += text_width(piece, size, bold)
        return x

    def space(self, share: float = PARAGRAPH_SPACE) -> None:
        self.y += share * self.style.body_size

    def wrapped(self, x: float, text: str, size: float, bold: bool = False, first_x: float | None = None) -> None:
        lines = wrap(text, self.right - x, size, bold)
        for i, t in enumerate(lines):
            self.line(first_x if (i == 0 and first_x is not None) else x, t, size, bold)

    def finish(self, style: Style) -> list[list[Run]]:
        n = len(self.pages)
        for i, runs in enumerate(self.pages, start=1):
            foot = f"Page {i} of {n}"
            runs.append(Run((PAGE_WIDTH - text_width(foot, 9.0)) / 2, PAGE_HEIGHT - 36.0, foot, False, 9.0))
            if style.furniture:
                runs.append(Run(20.0, PAGE_HEIGHT - 24.0, style.furniture, False, 10.0))
        return self.pages


def render_pdf(paper: Paper) -> bytes:
    style = STYLES[paper.template]
    lay = _Layout(style)
    size = style.body_size
    for b in paper.blocks:
        if b.kind == "title":
            lay.line(style.left, b.text, b.size or size, bold=paper.template == "halton")
            lay.space(1.2)
        elif b.kind in ("field", "runin"):
            _field(lay, style, b if b.kind == "field" else Block("field", label=b.label, lines=(b.text,)))
            lay.space(1.0)
        elif b.kind == "heading":
            title = f"{b.label} {b.text}".strip()
            lay.need(3 * size * LEADING)  # keep a heading with its first lines
            if b.label and style.hanging and not b.text.startswith("RECOMMENDATION:"):
                lay.line(style.left, b.label, style.heading_size, bold=True)
                lay.y -= style.heading_size * LEADING
                lay.wrapped(style.left + style.hanging, b.text, style.heading_size, bold=True)
            else:
                lay.wrapped(style.left, title, style.heading_size, bold=True)
            lay.space()
        elif b.kind == "para":
            if b.label:
                lay.need(size * LEADING)
                lay.line(style.left, b.label, size)
                lay.y -= size * LEADING
                lay.wrapped(style.left + style.hanging, b.text, size)
            else:
                lay.wrapped(style.left, b.text, size)
            lay.space()
        elif b.kind == "leadin":
            lay.wrapped(style.left, b.text, size)
            lay.space()
        elif b.kind == "table":
            for r, row in enumerate(b.rows):
                lay.need(size * LEADING)
                lay.y += size * LEADING
                for x, cell in zip((0.0, *TABLE_COLUMNS), row):
                    lay.put(style.left + x, cell, size - 2, r == 0)
            lay.space()
        elif b.kind == "item":
            indent = style.left + 18.0
            lay.need(size * LEADING)
            lay.line(indent, b.label, size)
            lay.y -= size * LEADING
            lay.wrapped(indent + 24.0, b.text, size)
            lay.space()
    return write_pdf(lay.finish(style), title=strip_markup(paper.subject))


def _field(lay: _Layout, style: Style, b: Block) -> None:
    """A header row: a bold label and its value, in two columns or run on."""
    size = style.body_size
    if style.value_x is None:
        # "COMMITTEE: Transport ..." -- the value follows the label.
        lay.need(size * LEADING)
        lay.y += size * LEADING
        x = lay.put(style.label_x, b.label, size, True)
        start = x + text_width(" ", size)
        value = b.lines[0]
        if "Job title:" in value:  # "Adam Crowther Job title: Head of ..." -- a sub-label in bold
            name, post = value.split(" Job title: ", 1)
            x = lay.put(start, name, size, False) + text_width("  ", size)
            x = lay.put(x, "Job title:", size, True) + text_width(" ", size)
            lay.put(x, post, size, False)
            return
        lines = wrap(value, lay.right - start, size)
        lay.put(start, lines[0], size, False)
        for more in lines[1:]:
            lay.line(style.label_x, more, size)
        return
    label_lines = wrap(b.label, style.label_width, size, True) if style.label_width else [b.label]
    value_lines: list[str] = []
    for v in b.lines:
        value_lines.extend(wrap(v, lay.right - style.value_x, size, style.values_bold) if "<sup>" not in v else [v])
    lay.need(max(len(label_lines), len(value_lines)) * size * LEADING)
    top = lay.y
    for t in label_lines:
        lay.line(style.label_x, t, size, True)
    bottom = lay.y
    lay.y = top
    for t in value_lines:
        lay.y += size * LEADING
        lay.put(style.value_x, t, size, style.values_bold)
    lay.y = max(lay.y, bottom)


# ---------------------------------------------------------------- the archive


def _is_pdf(index: int, pdf_share: float, seed: int) -> bool:
    """Whether paper ``index`` is a PDF: drawn apart from its template and content."""
    return random.Random(f"boardpapers-synthetic-format:{seed}:{index}").random() < pdf_share


def iter_papers(n: int, *, pdf_share: float = DEFAULT_PDF_SHARE, seed: int = 1) -> Iterator[Paper]:
    for i in range(n):
        yield make_paper(i, seed=seed, fmt="pdf" if _is_pdf(i, pdf_share, seed) else "txt")


def write_paper(paper: Paper, outdir: Path) -> Path:
    path = outdir / paper.relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    if paper.fmt == "pdf":
        path.write_bytes(render_pdf(paper))
    else:
        path.write_text(render_text(paper), encoding="utf-8")
    return path


def generate_archive(outdir: str | Path, n: int, *, pdf_share: float = DEFAULT_PDF_SHARE, seed: int = 1) -> list[Path]:
    """Write ``n`` papers (and ``labels.jsonl``) under ``outdir``; returns the papers' paths in order."""
    if not 0.0 <= pdf_share <= 1.0:
        raise ValueError("pdf_share must be between 0 and 1")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    with open(out / LABELS_FILE, "w", encoding="utf-8") as labels:
        for paper in iter_papers(n, pdf_share=pdf_share, seed=seed):
            paths.append(write_paper(paper, out))
            labels.write(json.dumps(paper.label(), ensure_ascii=False) + "\n")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("outdir", type=Path, help="folder to write the archive to (created)")
    ap.add_argument("--papers", type=int, default=1000, help="number of papers (default 1000)")
    ap.add_argument("--pdf-share", type=float, default=DEFAULT_PDF_SHARE, help="share written as PDF (default 0.3)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    if args.papers < 0:
        ap.error("--papers must be 0 or more")
    if not 0.0 <= args.pdf_share <= 1.0:
        ap.error("--pdf-share must be between 0 and 1")
    paths = generate_archive(args.outdir, args.papers, pdf_share=args.pdf_share, seed=args.seed)
    pdfs = sum(p.suffix == ".pdf" for p in paths)
    size = sum(p.stat().st_size for p in paths)
    print(
        f"wrote {len(paths)} papers ({pdfs} PDF, {len(paths) - pdfs} text, {size / 1e6:.1f} MB) "
        f"and {LABELS_FILE} to {args.outdir}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
