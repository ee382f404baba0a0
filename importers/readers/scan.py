"""Scans: image files, and the pages of a PDF that carry an image instead of text (or whose text
layer is garbage), recognised by `importers.ocr` into printed lines placed on the page in
points, so the PDF reader's paragraph joining and page-furniture rules apply to them unchanged.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from archive.errors import ImportFailed
from archive.model import LogEntry
from importers.chars import CJK
from importers.document import RawDocument

A4_WIDTH_PT = 595.0            # an image file's page is taken as A4 wide
_PRIVATE_OR_BROKEN = re.compile("[\ue000-\uf8ff\ufffd\u0080-\u009f\u00c0-\u00ff]")
_C = f"[{CJK}]"
# A space beside Chinese text (or before %): Chinese is written without; Latin words keep theirs.
_SPACE_IN_CHINESE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f%]|%)")
_STOP_RE = re.compile(rf"(?<=[{CJK}”）%])[.．](?=$|[{CJK}“（])")   # 。 read as . in Chinese
_QUESTION_RE = re.compile(rf"(?<={_C})\?")
_DECIMAL_RE = re.compile(r"(?<=\d)\s*[。．]\s*(?=\d)")                   # 6.4 read as 6。4


@dataclass
class ScanLine:
    """One recognised printed line, in points from the page's top left."""
    text: str
    x0: float
    x1: float
    height: float
    page: int
    confidence: float


@dataclass
class Recognised:
    """Recognised lines of some pages, and what to log (pages that failed)."""
    lines: list[ScanLine]
    log: list[LogEntry]


def tidy(text: str) -> str:
    """OCR's punctuation noise in Chinese text: 。 read as '.', ？ as '?', a decimal point as 。,
    spaces inside a sentence. (, : ; ( ) are made full-width by the cleaning rule `punctuation`.)"""
    text = _SPACE_IN_CHINESE.sub("", text.strip())
    text = _STOP_RE.sub("。", _DECIMAL_RE.sub(".", text))
    return _QUESTION_RE.sub("？", text)


def garbled(text: str) -> bool:
    """A text layer that is not text: private-use glyph codes, replacement characters, or GBK
    bytes shown as Latin-1 (mojibake), for a large share of its characters."""
    chars = "".join(text.split())
    bad = len(_PRIVATE_OR_BROKEN.findall(chars))
    return bad >= 10 and bad > 0.2 * len(chars)


def _scan_lines(page, points_per_pixel: float) -> list[ScanLine]:
    out = []
    for ln in page.lines:
        text = tidy(ln.text)
        if text:
            x0, y0, x1, y1 = (v * points_per_pixel for v in ln.box)
            # a detected box is ~1.3× the glyphs' height
            out.append(ScanLine(text, x0, x1, (y1 - y0) / 1.3, page.number, ln.confidence))
    return out


def _failed(pages) -> list[LogEntry]:
    return [LogEntry("ocr", f"第 {p.number} 页", p.error) for p in pages if p.error]


def read_image(data: bytes) -> RawDocument:
    """An image file (PNG, JPEG, TIFF of one or many pages): recognised, then joined into
    paragraphs as a PDF's lines are."""
    from importers import ocr
    from importers.readers.pdf import drop_page_furniture, lines_to_paragraphs

    images = ocr.open_image(data)
    pages = ocr.recognise_pages(images, list(range(1, len(images) + 1)))
    lines = [ln for p in pages for ln in _scan_lines(p, A4_WIDTH_PT / p.width)]
    log = _failed(pages)
    if not lines:
        why = "；".join(e.after for e in log)
        raise ImportFailed("图片中没有识别出文字" + (f"（{why}）" if why else "")
                           + "：请提供清晰的扫描件，或 Word/文本版本")
    lines = drop_page_furniture(lines, len(pages))
    return RawDocument(lines_to_paragraphs(lines), "image",
                       scanned=[(ln.text, ln.page, ln.confidence) for ln in lines], log=log)


def pages_to_recognise(data: bytes, texts: dict[int, str]) -> tuple[list[int], list[LogEntry]]:
    """Which PDF pages need OCR: those with an image and (almost) no text, and those whose text
    layer is garbage (logged). `texts` is each page's text layer, by page number."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from importers.chars import cjk_count

    wanted, log = [], []
    pdf = pdfium.PdfDocument(data)
    try:
        for number in range(1, len(pdf) + 1):
            text = texts.get(number, "")
            if garbled(text):
                wanted.append(number)
                log.append(LogEntry("ocr", f"第 {number} 页文字层是乱码（{text[:20]}…）", "改为按图像识别"))
            elif cjk_count(text) < 10 and any(
                    True for _ in pdf[number - 1].get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,),
                                                              max_depth=2)):
                wanted.append(number)
    finally:
        pdf.close()
    return wanted, log


def read_pdf_pages(data: bytes, numbers: list[int]) -> Recognised:
    """The given PDF pages drawn at ocr.RENDER_DPI (less for an oversized page) and recognised."""
    from importers import ocr

    if len(numbers) > ocr.MAX_PAGES:
        raise ImportFailed(f"PDF 有 {len(numbers)} 页扫描页，超过上限 {ocr.MAX_PAGES} 页：请拆分后再导入")
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(data)
    scales: dict[int, float] = {}

    def images():
        for n in numbers:
            page = pdf[n - 1]
            for image in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
                ocr.check_size(*image.get_px_size(), n)   # pdfium would decode it whole
            width, height = page.get_size()
            scale = min(ocr.RENDER_DPI / 72, (ocr.MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
            scales[n] = scale
            yield page.render(scale=scale, grayscale=False).to_pil().convert("RGB")

    try:
        pages = ocr.recognise_pages(images(), numbers)
    finally:
        pdf.close()
    lines = [ln for p in pages for ln in _scan_lines(p, 1 / scales[p.number])]
    return Recognised(lines, _failed(pages))


def scanned_pages(data: bytes, filename: str) -> int:
    """How many pages of a file OCR will read (0 for a file with a text layer, or one that
    will not import), told beforehand to show progress. A quick look with pdfium: no pdfminer."""
    from importers import ocr
    from importers.chars import cjk_count
    from importers.sniff import detect_format

    try:
        fmt = detect_format(data, filename)
        if fmt == "image":
            from PIL import Image

            return min(getattr(Image.open(io.BytesIO(data)), "n_frames", 1), ocr.MAX_PAGES)
        if fmt != "pdf":
            return 0
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        pdf = pdfium.PdfDocument(data)
        try:
            return min(ocr.MAX_PAGES, sum(
                1 for page in pdf
                if cjk_count(page.get_textpage().get_text_range()) < 10
                and any(True for _ in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=2))))
        finally:
            pdf.close()
    except Exception:  # the reader will say what is wrong with the file
        return 0
