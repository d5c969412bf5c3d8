"""Small hostile PDFs built byte by byte for the reader tests (no third-party writer)."""

from __future__ import annotations

#: A page's content stream: one line of text in Helvetica.
TEXT_STREAM = b"BT /F1 12 Tf 72 720 Td (Budget monitoring report for the second quarter) Tj ET"
#: A font every PDF reader knows without embedding.
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def page(parent: int = 2, content: int = 4, font: int = 5) -> bytes:
    return (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
        b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (parent, content, font)
    )


def build(objects: list[bytes], *, root: int = 1, xref: bool = True) -> bytes:
    """A PDF of ``objects`` (numbered from 1), with a correct cross-reference table unless not ``xref``."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    else:
        out += b"xref\n0 %d\ngarbage where the offsets should be\n" % (len(objects) + 1)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, start)
    return bytes(out)


def one_page(*, count: int = 1, kids: bytes = b"[3 0 R]") -> bytes:
    """One real page with text; ``count`` and ``kids`` of the page tree as given (a hostile /Count, a cycle)."""
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids %s /Count %d >>" % (kids, count),
            page(),
            stream(TEXT_STREAM),
            FONT,
        ]
    )


def self_cycle() -> bytes:
    """A page tree whose /Pages node lists itself among its kids, beside one real page."""
    return one_page(kids=b"[3 0 R 2 0 R]", count=2)


def huge_count() -> bytes:
    """/Count 10000 for a tree with one real page."""
    return one_page(count=10000)


def broken_xref() -> bytes:
    """A cross-reference table whose entries are garbage (and a startxref that points at it)."""
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page(),
            stream(TEXT_STREAM),
            FONT,
        ],
        xref=False,
    )


def deeply_nested(depth: int = 5000) -> bytes:
    """A page whose resources hold an array nested ``depth`` deep (a parser that recurses overflows)."""
    nested = b"[" * depth + b"1" + b"]" * depth
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> /X " + nested + b" >> >>",
            stream(TEXT_STREAM),
            FONT,
        ]
    )


def bad_dictionary() -> bytes:
    """A page dictionary cut off by a stray '>>' and garbage keys (pdfminer: invalid dictionary construct)."""
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font "
            b"<< /F1 5 0 R /F2 >> >> >>",
            stream(TEXT_STREAM),
            FONT,
        ]
    )


def image_only(*, mediabox: bytes = b"[0 0 612 792]", image: bytes | None = None, filter_: bytes = b"") -> bytes:
    """A scanned-looking page: one image and no text (``image``: the image's stream data, 8x8 grey by default)."""
    data = image if image is not None else bytes(range(0, 256, 4))
    draw = b"q 612 0 0 792 0 0 cm /Im1 Do Q"
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>"
            % mediabox,
            stream(draw),
            stream(
                data,
                b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 " + filter_,
            ),
        ]
    )


def deeply_nested_page_tree(depth: int = 2000) -> bytes:
    """A page tree ``depth`` levels of /Pages deep above its one page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    objects += [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (i + 3) for i in range(depth)]
    n = len(objects)
    objects += [page(parent=n, content=n + 2, font=n + 3), stream(TEXT_STREAM), FONT]
    return build(objects)


def no_pages_broken_xref() -> bytes:
    """A broken cross-reference table, and the page object's header garbled too: no page to be found."""
    return broken_xref().replace(b"3 0 obj", b"3 0 ob]")


def no_trailer() -> bytes:
    """A broken cross-reference table and no trailer: no way to the document catalog."""
    return broken_xref().replace(b"trailer", b"trailor")
