"""The report the committee signs, as a Word document laid out after Hướng dẫn 36-HD/VPTW: the superior and the
issuing committee with the document number at top left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and date at top
right, the title, the body, then "Nơi nhận" at bottom left and the signature block at bottom right.

A4, margins 2 cm top and bottom, 3 cm left, 1.5 cm right; Times New Roman, 14 pt body, 13 pt header lines,
12 pt "Nơi nhận". Pure: it takes the texts already written (`DocReport`) and returns the .docx bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from handlers.catalog import document as dc

MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
BODY_PT, HEADER_PT, TITLE_PT, RECIPIENTS_PT = 14, 13, 15, 12
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
LEFT, RIGHT, TOP, BOTTOM = Cm(3.0), Cm(1.5), Cm(2.0), Cm(2.0)
COLUMNS = (Cm(7.5), Cm(9.0))  # the two columns of the header and of the closing block (16.5 cm of text width)


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str]
    items: list[str] = field(default_factory=list)  # a list after the paragraphs ("- …")


@dataclass(frozen=True)
class Part:
    heading: str
    sections: list[Section]


@dataclass(frozen=True)
class DocReport:
    superior: str  # the committee above the issuing one ("" for none)
    issuer: str  # "ĐẢNG ỦY XÃ THANH SƠN"
    number: str  # "Số:   -BC/ĐU", the number left for the office
    place_date: str
    title: str
    subtitle: str
    period: str
    opening: str
    parts: list[Part]
    recipients: list[str]
    on_behalf: str  # "T/M ĐẢNG ỦY"
    signer_title: str  # "BÍ THƯ"
    signer_name: str  # "" when not known


def _font(document: DocumentObject) -> None:
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)


def _page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM


def _line(
    where: DocumentObject | _Cell,
    text: str,
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
) -> Paragraph:
    paragraph = where.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.italic, run.font.underline = Pt(size), bold, italic, underline
    return paragraph


def _two_columns(document: DocumentObject) -> tuple[_Cell, _Cell]:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    for cell, width in zip((left, right), COLUMNS, strict=True):
        cell.width = width
        cell.paragraphs[0].text = ""  # the cell's empty first paragraph is removed below
    return left, right


def _drop_first(cell: _Cell) -> None:
    first = cell.paragraphs[0]
    if not first.text and len(cell.paragraphs) > 1:
        first._element.getparent().remove(first._element)


def _header(document: DocumentObject, report: DocReport) -> None:
    left, right = _two_columns(document)
    if report.superior:
        _line(left, report.superior, size=HEADER_PT)
    _line(left, report.issuer, size=HEADER_PT, bold=True)
    _line(left, dc.STAR, size=HEADER_PT)
    _line(left, report.number, size=HEADER_PT)
    _line(right, dc.PARTY, size=15, bold=True, underline=True)
    _line(right, "", size=HEADER_PT)
    _line(right, report.place_date, size=HEADER_PT, italic=True)
    for cell in (left, right):
        _drop_first(cell)


def _title(document: DocumentObject, report: DocReport) -> None:
    document.add_paragraph()
    _line(document, report.title, size=TITLE_PT, bold=True)
    _line(document, report.subtitle, bold=True)
    _line(document, report.period, bold=True)
    _line(document, dc.RULE)
    document.add_paragraph()


def _body_paragraph(document: DocumentObject, text: str, *, bold: bool = False, indent: bool = True) -> None:
    paragraph = _line(document, text, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Cm(1.27) if indent else Cm(0)
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.line_spacing = 1.15


def _body(document: DocumentObject, report: DocReport) -> None:
    _body_paragraph(document, report.opening)
    for part in report.parts:
        _body_paragraph(document, part.heading, bold=True)
        for section in part.sections:
            if section.heading:
                _body_paragraph(document, section.heading, bold=True)
            for text in section.paragraphs:
                _body_paragraph(document, text)
            for item in section.items:
                _body_paragraph(document, f"- {item}")


def _closing(document: DocumentObject, report: DocReport) -> None:
    document.add_paragraph()
    left, right = _two_columns(document)
    _line(left, report.recipients[0], size=RECIPIENTS_PT, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in report.recipients[1:]:
        _line(left, line, size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(right, report.on_behalf, bold=True)
    _line(right, report.signer_title, bold=True)
    for _ in range(4):  # room for the signature and the seal
        _line(right, "")
    _line(right, report.signer_name, bold=True)
    for cell in (left, right):
        _drop_first(cell)


def build_document(report: DocReport) -> bytes:
    document = Document()
    _font(document)
    _page(document)
    _header(document, report)
    _title(document, report)
    _body(document, report)
    _closing(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
