"""PDF attachments are parsed, not searched: escaped names and object streams do not hide a
script, and what cannot be parsed is refused (issue 13, item 13)."""

from __future__ import annotations

import io
import zlib

import pytest
from flask_babel import force_locale
from reportlab.pdfgen import canvas

from notify.daily_reports import attachments
from notify.daily_reports.attachments import AttachmentRejected

OPEN_SCRIPT = b"<</S/JavaScript/JS(app.alert(1))>>"


def classic_pdf(*bodies: bytes, trailer: bytes = b"") -> bytes:
    """Objects 1… with a cross-reference table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R%s>>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, trailer, xref)
    return bytes(out)


def object_stream_pdf(hidden: bytes) -> bytes:
    """A PDF 1.5 file whose object 2 sits compressed in an object stream, listed by an xref
    stream: the catalog opens it."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def put(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    put(1, b"<</Type/Catalog/Pages 3 0 R/OpenAction 2 0 R>>")
    put(3, b"<</Type/Pages/Kids[]/Count 0>>")
    header = b"2 0 "
    packed = zlib.compress(header + hidden)
    put(
        4,
        b"<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %d>>stream\n%s\nendstream"
        % (len(header), len(packed), packed),
    )
    offsets[5] = len(out)
    rows = bytes([0, 0, 0, 0, 0, 0xFF, 0xFF])
    for number in range(1, 6):
        if number == 2:
            rows += bytes([2]) + (4).to_bytes(4, "big") + (0).to_bytes(2, "big")
        else:
            rows += bytes([1]) + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big")
    out += b"5 0 obj\n<</Type/XRef/Size 6/W[1 4 2]/Root 1 0 R/Length %d>>stream\n" % len(rows)
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[5]
    return bytes(out)


def refusal(data: bytes) -> str:
    with pytest.raises(AttachmentRejected) as refused:
        attachments.check("r.pdf", data)
    with force_locale("en"):
        return str(refused.value.message)


def printed_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Daily report: 12 sites inspected")
    page.save()
    return buffer.getvalue()


def test_a_printed_pdf_is_kept_as_it_is():
    data = printed_pdf()
    checked = attachments.check("台账.pdf", data)
    assert (checked.content_type, checked.data) == ("application/pdf", data)
    assert attachments.check("plain.pdf", classic_pdf(b"<</Type/Catalog>>")).extension == "pdf"


@pytest.mark.parametrize(
    "data",
    [
        # /J#61vaScript is /JavaScript, /J#53 is /JS: no byte search for the words sees them.
        classic_pdf(b"<</Type/Catalog/OpenAction 2 0 R>>", b"<</S/J#61vaScript/J#53(app.alert(1))>>"),
        # The script compressed inside an object stream.
        object_stream_pdf(OPEN_SCRIPT),
        object_stream_pdf(b"<</S/Launch/F(calc.exe)>>"),
        # Actions on events, an embedded file, an XFA form, rich media; names escaped too.
        classic_pdf(b"<</Type/Catalog/#41A<</O 2 0 R>>>>", b"<</S/GoTo/D[0/Fit]>>"),
        classic_pdf(b"<</Type/Catalog/Names<</Embedded#46iles 2 0 R>>>>", b"<</Names[]>>"),
        classic_pdf(b"<</Type/Catalog/AcroForm<</Fields[]/X#46A 2 0 R>>>>", b"<</Length 0>>"),
        classic_pdf(b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0/R#69chMedia 1>>"),
    ],
)
def test_active_content_is_found_however_it_is_written(app, data):
    with app.test_request_context():
        assert "scripts, actions or embedded files" in refusal(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",  # no xref to read
        classic_pdf(
            b"<</Type/Catalog>>", b"<</Filter/Standard/V 1/R 2/O(x)/U(y)/P -4>>", trailer=b"/Encrypt 2 0 R"
        ),
        classic_pdf(b"<</Type/Catalog/Deep " + b"[" * 5000 + b"]" * 5000 + b">>"),
    ],
    ids=["unparseable", "encrypted", "nested-too-deep"],
)
def test_what_cannot_be_checked_is_refused(app, data):
    with app.test_request_context():
        assert "cannot be checked" in refusal(data)
