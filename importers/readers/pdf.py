"""PDF: lines back into paragraphs, page furniture (numbers, running heads) dropped. Pages
without a text layer (scans), or with a garbage one, are recognised by OCR (readers/scan.py)."""
from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from archive.errors import ImportFailed
from importers.chars import cjk_count
from importers.document import Line, RawDocument
from importers.markers import match_marker
from importers.readers.scan import ScanLine, pages_to_recognise, read_pdf_pages

MAX_PAGES = 400
_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-－—–\s]*\d{1,4}[-－—–\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|"
    r"[-－—–]\s*[一二三四五六七八九十]+\s*[-－—–])$")


@dataclass
class _PdfLine:
    text: str
    x0: float
    x1: float
    height: float
    page: int


def read_pdf(data: bytes) -> RawDocument:
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    from importers.readers.pdflimits import limits

    lines: list[_PdfLine] = []
    pages = 0
    try:
        with limits(data):  # stream sizes and object counts capped while pdfminer reads
            for pages, page in enumerate(_layouts(data), 1):
                boxes = [el for el in page if isinstance(el, LTTextContainer)]
                boxes.sort(key=lambda b: (-b.y1, b.x0))
                for box in boxes:
                    for ln in box:
                        if isinstance(ln, LTTextLine) and ln.get_text().strip():
                            lines.append(_PdfLine(ln.get_text().strip(), ln.x0, ln.x1, ln.height, pages))
    except ImportFailed:
        raise
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise ImportFailed("PDF 已加密，无法读取文字：请提供未加密的 PDF 或 Word/文本版本") from None
    except Exception as exc:  # pdfminer raises many types (PSEOF, PDFSyntaxError, KeyError…) on damage
        raise ImportFailed("PDF 文件已损坏或不完整：请重新下载或重新导出 PDF 后再导入") from exc
    if pages == 0:
        raise ImportFailed("PDF 文件已损坏或不完整（没有页面）：请重新导出 PDF 后再导入")
    lines, log = _with_scanned_pages(data, lines)
    if cjk_count("".join(ln.text for ln in lines)) < 20:
        if not any(isinstance(ln, ScanLine) for ln in lines) and not log:
            raise ImportFailed("PDF 没有文字层，也没有可做 OCR 识别的扫描图像：请提供扫描件或 Word/文本版本")
        why = "；".join(e.after for e in log if "跳过" in e.after)
        raise ImportFailed("PDF 没有文字层，扫描图像经 OCR 也没有识别出正文" + (f"（{why}）" if why else "")
                           + "：请提供更清晰的扫描件，或 Word/文本版本")
    lines = drop_page_furniture(lines, pages)
    scanned = [(ln.text, ln.page, ln.confidence) for ln in lines if isinstance(ln, ScanLine)]
    return RawDocument(lines_to_paragraphs(lines), "pdf", scanned=scanned, log=log)


def _with_scanned_pages(data: bytes, lines: list) -> tuple[list, list]:
    """The text-layer lines, with the pages that need OCR replaced by their recognised lines,
    shifted so their left margin is the text pages' (indents then mean the same)."""
    texts: dict[int, str] = {}
    for ln in lines:
        texts[ln.page] = texts.get(ln.page, "") + ln.text
    wanted, log = pages_to_recognise(data, texts)
    if not wanted:
        return lines, log
    got = read_pdf_pages(data, wanted)
    kept = [ln for ln in lines if ln.page not in wanted]
    reference = _left_margin(kept)
    for page in wanted:
        on_page = [ln for ln in got.lines if ln.page == page]
        if on_page:
            reference = reference if reference is not None else _left_margin(on_page)
            shift = reference - _left_margin(on_page)
            for ln in on_page:
                ln.x0 += shift
                ln.x1 += shift
    return sorted(kept + got.lines, key=lambda ln: ln.page), log + got.log


def _left_margin(lines: list) -> float | None:
    return Counter(round(ln.x0) for ln in lines).most_common(1)[0][0] if lines else None


def _layouts(data: bytes):
    """pdfminer's `extract_pages`, keeping only characters, at most MAX_PAGE_CHARS a page."""
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    from importers.readers.pdflimits import TextAggregator

    resources = PDFResourceManager(caching=True)
    device = TextAggregator(resources, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    for page in PDFPage.get_pages(io.BytesIO(data), maxpages=MAX_PAGES):
        interpreter.process_page(page)
        yield device.get_result()


def drop_page_furniture(lines: list[_PdfLine], pages: int) -> list[_PdfLine]:
    """Page numbers, and running headers/footers: a line that repeats on most pages."""
    key = lambda t: re.sub(r"\d+", "#", re.sub(r"\s+", "", t))
    on_pages = Counter()
    for k, page in {(key(ln.text), ln.page) for ln in lines}:
        on_pages[k] += 1
    running = {k for k, n in on_pages.items() if pages >= 3 and n > pages / 2}
    return [ln for ln in lines
            if not _PAGE_NUMBER_RE.match(ln.text.strip()) and key(ln.text) not in running]


def lines_to_paragraphs(lines: list[_PdfLine]) -> list[Line]:
    """Join the printed lines of a paragraph: a new paragraph starts after a short line,
    at an indented line, or at a heading marker."""
    if not lines:
        return []
    left = Counter(round(ln.x0) for ln in lines).most_common(1)[0][0]
    right = max(Counter(round(ln.x1) for ln in lines).most_common(3))[0]
    out: list[str] = []
    prev = None
    for ln in lines:
        char = ln.height or 10
        starts = (prev is None or prev.x1 < right - 1.5 * char or ln.x0 > left + 0.8 * char
                  or match_marker(ln.text) is not None)
        if starts:
            out.append(ln.text)
        else:
            out[-1] = _join(out[-1], ln.text)
        prev = ln
    return [Line(t) for t in out]


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b
