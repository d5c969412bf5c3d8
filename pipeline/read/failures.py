"""A PDF library's failure as one plain sentence, with the library's own message as its detail.

pdfminer, PDFium and ocrmypdf fail in their own words: an exception type and
message (``PSSyntaxError: Invalid dictionary construct: [...]``), or a
traceback on stderr. :func:`plain_reason` says what that means for the file;
:func:`traceback_tail` keeps the last line of a traceback (the error itself).
"""

from __future__ import annotations

import re

#: A library's message -> what it means for the file, first match wins.
LIBRARY_FAILURES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.VERBOSE | re.IGNORECASE), sentence)
    for pattern, sentence in (
        (
            r"""RecursionError | maximum\ recursion\ depth   # objects nested or chained thousands deep""",
            "its objects nest or refer to each other too deeply to read",
        ),
        (
            r"""No\ /Root\ object | trailer | xref        # no catalog: the cross-reference table and trailer""",
            "its cross-reference table and trailer are broken, and no document catalog was found",
        ),
        (
            r"""Invalid\ dictionary\ construct | PSSyntaxError | PDFSyntaxError | PSEOF   # pdfminer's parser""",
            "the syntax of its objects is broken",
        ),
        (
            r"""UnidentifiedImageError | cannot\ identify\ image | JPX | JPEG\ ?2000 | openjpeg   # image decoders""",
            "an image in it cannot be decoded (damaged, or a JPEG 2000 image the decoder cannot read)",
        ),
        (
            r"""ZeroDivisionError                          # a size of 0 divided by: a page or image 0 wide""",
            "a page or an image in it has no size (zero width or height)",
        ),
        (
            r"""MemoryError | out\ of\ memory               # too big to hold""",
            "reading it needs more memory than this machine has",
        ),
    )
)
#: When no pattern matches.
UNKNOWN_FAILURE = "the PDF library stopped with an error"
#: Longest detail kept from a library's message.
MAX_DETAIL_CHARS = 200

_TRACEBACK_LAST = re.compile(
    r"""
    ^(?P<error>(?:[A-Za-z_][\w.]*)?(?:Error|Exception|Exit|Warning)\b.*)$   # "ZeroDivisionError: division by zero"
    """,
    re.VERBOSE | re.MULTILINE,
)

_ADDRESS = re.compile(
    r"""
    \s*<[^<>]*\ at\ 0x[0-9a-f]+>   # "<_io.BytesIO object at 0x7f...>": a memory address, different every run
    """,
    re.VERBOSE,
)


def detail(message: str) -> str:
    """A library's message on one line, without memory addresses, at most :data:`MAX_DETAIL_CHARS`."""
    text = " ".join(_ADDRESS.sub("", message).split())
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"


def exception_detail(exc: BaseException) -> str:
    """``Type: message`` of an exception (its type alone when it has no message)."""
    return detail(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def traceback_tail(stderr: str) -> str:
    """The error a Python traceback on stderr ends with (``PIL.UnidentifiedImageError: ...``); else its last line."""
    if "Traceback" in stderr:
        found = _TRACEBACK_LAST.findall(stderr)
        if found:
            return detail(found[-1])
    lines = [line for line in stderr.splitlines() if line.strip()]
    return detail(lines[-1]) if lines else ""


def plain_reason(message: str) -> str:
    """What a library's failure message means for the file, as a plain phrase."""
    for pattern, sentence in LIBRARY_FAILURES:
        if pattern.search(message):
            return sentence
    return UNKNOWN_FAILURE
