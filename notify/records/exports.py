"""The records as the plan's forms: one layout (title, label/value rows, signature line) written
as XLSX (openpyxl) or PDF (reportlab, with the CJK font embedded so any reader shows the text).

The CJK font is the first TrueType file found of PDF_FONT (a setting) and the usual places of
Debian's fonts-wqy-zenhei / fonts-wqy-microhei (which `make run` installs when it can); reportlab
takes one face of the collection (subfontIndex) and embeds the glyphs used. On a machine with none
of them the PDFs still come out, in the standard Adobe-GB1 font STSong-Light that every PDF reader
with Chinese support supplies itself (not embedded), and a warning says which font to install.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from notify.spreadsheet_cells import safe_row

log = logging.getLogger(__name__)

FONT_CANDIDATES = [
    os.environ.get("PDF_FONT", ""),
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
]
_FONT_NAME = "CJK"
# Built into reportlab and into every reader with Chinese support: the PDF names it, embeds nothing.
_FALLBACK_CID_FONT = "STSong-Light"


@dataclass
class FormDoc:
    title: str
    rows: list[tuple[str, str]]
    heading: str = ""  # the line under the title (e.g. the issuing office)
    footer: list[str] = field(default_factory=list)
    body: str = ""  # free text after the rows (the written report's text)
    filename: str = "record"


def xlsx(doc: FormDoc) -> bytes:
    # Every cell through safe_row: the records quote text typed by the office and by responders.
    wb = Workbook()
    ws = wb.active
    ws.title = doc.title[:28] or "record"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 70
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append(safe_row([doc.title]))
    ws.merge_cells("A1:B1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    if doc.heading:
        ws.append(safe_row([doc.heading]))
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=2)
    for label, value in doc.rows:
        ws.append(safe_row([label, value]))
        for cell in ws[ws.max_row]:
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if doc.body:
        for line in doc.body.split("\n"):
            ws.append(safe_row([line]))
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=2)
            ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True)
    for line in doc.footer:
        ws.append(safe_row([line]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _font() -> str:
    # reportlab (about 0.1 s to import) loads when a PDF is asked for, not in every app process.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    path = next((p for p in FONT_CANDIDATES if p and Path(p).is_file()), None)
    if path is not None:
        if _FONT_NAME not in registered:
            pdfmetrics.registerFont(TTFont(_FONT_NAME, path, subfontIndex=0))
        return _FONT_NAME
    if _FALLBACK_CID_FONT not in registered:
        log.warning(
            "No CJK TrueType font found (PDF_FONT, fonts-wqy-zenhei): PDFs use %s, which readers "
            "supply themselves. Install it with: apt-get install fonts-wqy-zenhei",
            _FALLBACK_CID_FONT,
        )
        pdfmetrics.registerFont(UnicodeCIDFont(_FALLBACK_CID_FONT))
    return _FALLBACK_CID_FONT


def pdf(doc: FormDoc) -> bytes:
    # reportlab (about 0.1 s to import) loads when a PDF is asked for, not in every app process.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, wordWrap="CJK")
    normal = ParagraphStyle("normal", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    label = ParagraphStyle("label", parent=normal, alignment=1)

    def para(text: str, style=normal) -> Paragraph:
        return Paragraph(escape(text or "").replace("\n", "<br/>"), style)

    story = [para(doc.title, title), Spacer(1, 4 * mm)]
    if doc.heading:
        story += [para(doc.heading), Spacer(1, 2 * mm)]
    if doc.rows:
        table = Table(
            [[para(lbl, label), para(value)] for lbl, value in doc.rows], colWidths=[40 * mm, 130 * mm]
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        story.append(table)
    if doc.body:
        story += [Spacer(1, 3 * mm)] + [para(line or " ") for line in doc.body.split("\n")]
    if doc.footer:
        story += [Spacer(1, 6 * mm)] + [para(line) for line in doc.footer]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=doc.title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    ).build(story)
    return out.getvalue()
