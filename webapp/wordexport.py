"""Quotations as a Word document a justice bureau can put into an official document (公文).

GB/T 9704 page: A4, margins 上 37 mm, 下 35 mm, 左 28 mm, 右 26 mm; body 仿宋_GB2312 三号 (16 pt),
title 方正小标宋简体 二号 (22 pt), fixed 28.9 pt lines (22 lines a page), page numbers
"— 1 —" in 四号 宋体 at the foot. Offices that lack the GB2312 fonts get 仿宋 / 黑体 / 宋体: the
font table names them as each font's alternative (w:altName), which Word and LibreOffice
substitute. Each quotation is followed by its citation; the citations are gathered again
as a numbered 参考文献 list at the end; permalinks are real hyperlinks. The file's
properties name the product and the export time.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

PRODUCT = "法治报告检索"
MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

BODY_FONT, BODY_FALLBACK = "仿宋_GB2312", "仿宋"
TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "黑体"
HEADING_FONT = "黑体"            # 公文 first-level headings
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)              # 三号
TITLE_SIZE = Pt(22)             # 二号
NOTE_SIZE = Pt(14)              # 四号: citations, notes, page numbers
LINE = Twips(578)               # 28.9 pt exactly: 22 lines on the 223 mm text block
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
LINK_COLOUR = RGBColor(0x0B, 0x57, 0xA4)

# name → (alternative, w:panose1, charset, family): the font table entries for the fallbacks.
FONT_TABLE = {
    BODY_FONT: (BODY_FALLBACK, "02010609030101010101", "86", "modern"),
    BODY_FALLBACK: (PAGE_NUMBER_FONT, "02010609060101010101", "86", "modern"),
    TITLE_FONT: (TITLE_FALLBACK, "02000000000000000000", "86", "script"),
    HEADING_FONT: (PAGE_NUMBER_FONT, "02010609060101010101", "86", "modern"),
    PAGE_NUMBER_FONT: (None, "02010600030101010101", "86", "auto"),
}


@dataclass
class Quotation:
    """One quoted paragraph: its words, its citation without the link, the permalink, and a
    note for the reader (e.g. that the text was converted from 繁体)."""
    text: str
    citation: str
    url: str
    note: str = ""


def build(title: str, quotations: Sequence[Quotation], exported_at: datetime,
          intro: str = "") -> bytes:
    """The .docx bytes. `exported_at` (aware or naive UTC) becomes the created/modified time."""
    doc = Document()
    _page(doc)
    _styles(doc)
    _font_table(doc)
    _properties(doc, title, exported_at)
    _title(doc, title)
    if intro:
        _note(doc.add_paragraph(), intro, align=WD_ALIGN_PARAGRAPH.CENTER)
    for n, q in enumerate(quotations, 1):
        body = doc.add_paragraph(q.text)
        body.paragraph_format.first_line_indent = Pt(32)   # two characters
        body.paragraph_format.keep_with_next = True         # never part from its citation
        source = doc.add_paragraph()
        source.paragraph_format.left_indent = Pt(32)
        _note(source, f"——[{n}] {q.citation} ")
        _hyperlink(source, q.url)
        if q.note:
            _note(source, f"（{q.note}）")
    if quotations:
        heading = doc.add_paragraph()
        heading.paragraph_format.space_before = Pt(14)
        heading.paragraph_format.keep_with_next = True
        _run(heading, "参考文献", HEADING_FONT, BODY_SIZE)
        for n, q in enumerate(quotations, 1):
            item = doc.add_paragraph()
            item.paragraph_format.left_indent = Pt(28)
            item.paragraph_format.first_line_indent = Pt(-28)     # hanging [n]
            _note(item, f"[{n}] {q.citation} ")
            _hyperlink(item, q.url)
    _page_numbers(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _page(doc) -> None:
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
        section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
        section.header_distance, section.footer_distance = Mm(15), Mm(20)


def set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Latin and East Asian font of a run or style (python-docx sets only the Latin one)."""
    rpr_owner.font.name = latin
    fonts = rpr_owner.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    set_fonts(normal, BODY_FONT)
    normal.font.size = BODY_SIZE
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = False
    lang = normal.element.get_or_add_rPr().find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        normal.element.get_or_add_rPr().append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    hyperlink = doc.styles.add_style("Hyperlink", 2)  # WD_STYLE_TYPE.CHARACTER
    hyperlink.font.color.rgb = LINK_COLOUR
    hyperlink.font.underline = True


def _font_table(doc) -> None:
    """Declare the 公文 fonts with their alternatives in word/fontTable.xml."""
    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    from lxml import etree
    root = etree.fromstring(part.blob)
    for name, (alt, panose, charset, family) in FONT_TABLE.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if alt:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:panose1")).set(qn("w:val"), panose)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), charset)
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), family)
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _properties(doc, title: str, when: datetime) -> None:
    props = doc.core_properties
    props.title = title
    props.subject = title
    props.author = props.last_modified_by = PRODUCT
    props.comments = f"由{PRODUCT}导出"
    props.keywords = "法治政府建设;引用"
    props.category = ""
    props.created = props.modified = when.replace(tzinfo=None, microsecond=0)
    props.last_printed = when.replace(tzinfo=None, microsecond=0)
    props.revision = 1
    app = next(p for p in doc.part.package.iter_parts() if p.partname == "/docProps/app.xml")
    from lxml import etree
    root = etree.fromstring(app.blob)
    for el in root:
        if etree.QName(el).localname in ("Application", "Company", "AppVersion", "Template"):
            el.text = {"Application": PRODUCT, "Template": ""}.get(etree.QName(el).localname, "")
    app._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _run(paragraph, text: str, east_asia: str, size, bold: bool = False):
    run = paragraph.add_run(text)
    set_fonts(run, east_asia)
    run.font.size = size
    run.font.bold = bold
    return run


def _title(doc, title: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(28.9)
    p.paragraph_format.line_spacing = Pt(36)   # 二号 needs more than the body's fixed line
    _run(p, title, TITLE_FONT, TITLE_SIZE)


def _note(paragraph, text: str, align=None):
    if align is not None:
        paragraph.alignment = align
    return _run(paragraph, text, BODY_FONT, NOTE_SIZE)


def _hyperlink(paragraph, url: str) -> None:
    """A clickable `url` (a w:hyperlink with an external relationship), shown as itself."""
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(int(NOTE_SIZE.pt * 2)))
    rpr.extend([style, fonts, size])
    text = OxmlElement("w:t")
    text.text = url
    text.set(qn("xml:space"), "preserve")
    run.extend([rpr, text])
    link.append(run)
    paragraph._p.append(link)


def _page_numbers(doc) -> None:
    """"— 1 —" centred at the foot of every page (a PAGE field)."""
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", PAGE_NUMBER_FONT, NOTE_SIZE)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = footer.add_run("1")
    set_fonts(run, PAGE_NUMBER_FONT)
    run.font.size = NOTE_SIZE
    footer._p.remove(run._r)
    field.append(run._r)
    footer._p.append(field)
    _run(footer, " —", PAGE_NUMBER_FONT, NOTE_SIZE)
