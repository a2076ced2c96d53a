"""The records as the plan's forms: one layout (title, label/value rows, signature line) written
as XLSX (openpyxl) or PDF (reportlab, with the CJK font embedded so any reader shows the text).

PDF_FONT (default Debian's fonts-wqy-zenhei) is a TrueType collection; reportlab takes one of
its faces (subfontIndex) and embeds the glyphs used.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field

PDF_FONT = os.environ.get("PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
_FONT_NAME = "CJK"


@dataclass
class FormDoc:
    title: str
    rows: list[tuple[str, str]]
    heading: str = ""  # the line under the title (e.g. the issuing office)
    footer: list[str] = field(default_factory=list)
    body: str = ""  # free text after the rows (the written report's text)
    filename: str = "record"


def xlsx(doc: FormDoc) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = doc.title[:28] or "record"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 70
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([doc.title])
    ws.merge_cells("A1:B1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    if doc.heading:
        ws.append([doc.heading])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=2)
    for label, value in doc.rows:
        ws.append([label, value])
        for cell in ws[ws.max_row]:
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if doc.body:
        for line in doc.body.split("\n"):
            ws.append([line])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=2)
            ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True)
    for line in doc.footer:
        ws.append([line])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_FONT_NAME, PDF_FONT, subfontIndex=0))
    return _FONT_NAME


def pdf(doc: FormDoc) -> bytes:
    from xml.sax.saxutils import escape

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
