"""Names and defaults every stage shares: environment variables, file extensions, engine names.

One place for each choice, so a reader, an ingest and the CLI cannot disagree
about which files are papers or which engine is the default.
"""

from __future__ import annotations

import os

#: The release, as the package metadata and the User-Agent of the fetcher give it.
VERSION = "0.1.0"

# ---------------------------------------------------------------- environment variables

#: The index folder when ``--index`` is not given.
INDEX_ENV = "BOARDPAPERS_INDEX"
#: The PDF reader when ``--pdf-engine`` is not given.
PDF_ENGINE_ENV = "BOARDPAPERS_PDF_ENGINE"
#: A spaCy statistical model to load instead of the blank English pipeline.
SPACY_MODEL_ENV = "BOARDPAPERS_SPACY_MODEL"

# ---------------------------------------------------------------- papers

#: Plain text papers (Word exports, text dumps).
TEXT_EXTENSIONS: frozenset[str] = frozenset({".txt", ".text"})
#: Markdown papers.
MARKDOWN_EXTENSIONS: frozenset[str] = frozenset({".md", ".markdown"})
#: PDF papers.
PDF_EXTENSIONS: frozenset[str] = frozenset({".pdf"})
#: Every extension a folder walk picks up as a paper.
SUPPORTED_EXTENSIONS: frozenset[str] = TEXT_EXTENSIONS | MARKDOWN_EXTENSIONS | PDF_EXTENSIONS

# ---------------------------------------------------------------- engines

#: PDF readers: pdfplumber (the default) and pypdfium2 (faster, same fields).
PDF_ENGINES: tuple[str, ...] = ("pdfplumber", "pdfium")
#: The PDF reader when neither an option nor the environment names one.
DEFAULT_PDF_ENGINE = "pdfplumber"
#: Index engines; chosen when an index is created and recorded in it.
INDEX_ENGINES: tuple[str, ...] = ("whoosh", "tantivy")
#: The engine of a new index when none is chosen.
DEFAULT_INDEX_ENGINE = "whoosh"
#: The index folder when neither ``--index`` nor the environment names one.
DEFAULT_INDEX_DIR = "index"
#: When scanned PDFs are OCR'd: image-only pages (auto), every PDF (always), never.
OCR_MODES: tuple[str, ...] = ("auto", "always", "never")
#: The OCR mode when none is chosen.
DEFAULT_OCR_MODE = "auto"

# ---------------------------------------------------------------- the query language in brief

#: The query language as ``search --help`` and ``trace --help`` list it (and the web page's help page shows it);
#: ``\b`` keeps click from rewrapping it.
QUERY_HELP = """\b
Query language:
  performance monitoring     every word must match (stemmed: carers = carer)
  "foster carers"            a phrase
  a OR b, a AND b, NOT a, -a, ( )   operators are upper case
  recruit*                   words starting with recruit
  recruitmnet~  recruitmnet~1   words within 2 (or 1) edits
  committee:children         in a field: committee, officer, subject,
  officer:"chief executive"  council, section (kind), doc_type, fy
  section:recommendations    (2017/18), quarter (2017/18-Q2), date
  date:2018   date:[2017-01-01 TO 2018-12-31]   date:[2017 TO *]
"""

# ---------------------------------------------------------------- result sizes

#: Largest ``--limit``: results per page (reports, or sections with ``--flat``; passages of ``similar``).
MAX_LIMIT = 1000
#: Largest ``--page``: an engine collects every result up to the page asked for (tantivy allocates
#: room for page x limit results first and aborts the process when it cannot).
MAX_PAGE = 1000
#: Largest ``--sections``: best sections shown per report (the second query fetches limit x this many).
MAX_SECTIONS = 100


def pdf_engine(name: str | None = None) -> str:
    """The PDF reader to use: ``name``, else ``$BOARDPAPERS_PDF_ENGINE``, else the default.

    Raises ValueError naming the choices when the name is not an engine.
    """
    engine = name or os.environ.get(PDF_ENGINE_ENV) or DEFAULT_PDF_ENGINE
    if engine not in PDF_ENGINES:
        where = "" if name else f" (from {PDF_ENGINE_ENV})"
        raise ValueError(f"unknown PDF engine {engine!r}{where} (choose from {', '.join(PDF_ENGINES)})")
    return engine
