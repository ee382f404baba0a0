"""Word .docx: paragraphs and tables in document order; heading styles become hints."""
from __future__ import annotations

import io
import re

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph

from archive.errors import ImportFailed
from importers.document import Line, RawDocument

_HEADING_STYLE_RE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
CELL_SEP = " | "  # survives the whitespace rule, which removes spaces between Chinese characters


def read_docx(data: bytes) -> RawDocument:
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_body_lines(document))
    except Exception as exc:  # python-docx, zipfile and lxml raise many types on damaged files
        raise ImportFailed("Word 文档已损坏或不完整：请用 Word/WPS 打开后重新保存为 .docx 再导入") from exc
    return RawDocument(lines, "docx")


def _body_lines(document):
    body = document.element.body
    styles = _paragraph_styles(document)
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = DocxParagraph(child, document)
            hint = _hint(styles.get(child.style, styles[None]))
            for text in para.text.split("\n"):
                yield Line(text, hint)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = _unique_cells(row)
                text = CELL_SEP.join(c for c in cells if c)
                if text:
                    yield Line(text)


def _unique_cells(row) -> list[str]:
    """Cell texts of a row; merged cells appear once, not once per grid column."""
    out: list[str] = []
    seen = set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        out.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
    return out


def _paragraph_styles(document) -> dict:
    """Paragraph style id → name, None → the default style's name. python-docx's
    `Paragraph.style` scans every style for the default on each call (3 ms a paragraph)."""
    names: dict = {None: ""}
    try:
        default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        names[None] = (default.name or "") if default is not None else ""
        for style in document.styles:
            if style.type == WD_STYLE_TYPE.PARAGRAPH:
                names[style.style_id] = style.name or ""
    except (KeyError, AttributeError, ValueError):  # a damaged styles part: no hints
        pass
    return names


def _hint(style_name: str) -> str | None:
    name = style_name.strip()
    if name.lower() in ("title", "标题"):
        return "title"
    m = _HEADING_STYLE_RE.match(name)
    return f"h{m.group(1)}" if m else None
