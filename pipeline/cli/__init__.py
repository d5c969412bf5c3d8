"""The ``boardpapers`` command line: a thin click layer over the library.

Each command parses its options, calls one library function and renders the
result. Data goes to stdout (a readable table, ``--json`` JSON Lines or
``--csv``); progress and logs go to stderr. Exit codes: 0 ok, 1 failure,
2 usage (including a malformed query).

Heavy engines (spaCy, Whoosh, pdfplumber) are imported inside the commands so
that ``boardpapers --help`` stays instant.
"""

from __future__ import annotations

from pipeline.cli import archive, export, fetch, papers, search  # noqa: F401 (each registers its commands)
from pipeline.cli._common import cli


def main() -> None:
    cli(prog_name="boardpapers")


__all__ = ["cli", "main"]
