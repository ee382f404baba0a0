"""Readers turn the bytes of one format into `RawDocument` lines; `read_raw` picks the reader."""
from __future__ import annotations

from importers.document import RawDocument
from importers.readers.doc import read_doc
from importers.readers.docx import read_docx
from importers.readers.html import read_html
from importers.readers.pdf import read_pdf
from importers.readers.scan import read_image
from importers.readers.text import read_text
from importers.sniff import detect_format


def read_raw(data: bytes, filename: str) -> RawDocument:
    fmt = detect_format(data, filename)
    if fmt == "html":
        return read_html(data)
    if fmt == "docx":
        return read_docx(data)
    if fmt == "pdf":
        return read_pdf(data)
    if fmt == "doc":
        return read_doc(data)
    if fmt == "image":
        return read_image(data)
    return read_text(data, fmt)
