"""One page of a stored original (a scanned PDF or an image file) as a JPEG, for the reading
page to show next to the text recognised from it."""
from __future__ import annotations

import io

from archive.errors import ImportFailed
from importers import ocr

WIDTH = 1000          # pixels across; enough to read 三号 print, ~150 KB a page
MAX_PIXELS = 4_000_000


def page_count(data: bytes, fmt: str) -> int:
    if fmt == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            return len(pdf)
        finally:
            pdf.close()
    from PIL import Image

    return getattr(Image.open(io.BytesIO(data)), "n_frames", 1)


def render_page(data: bytes, fmt: str, number: int) -> bytes:
    """Page `number` (1-based) drawn WIDTH pixels wide (less for a very long page) as JPEG.
    Raises ImportFailed for a page the file does not have or cannot draw."""
    if not 1 <= number <= page_count(data, fmt):
        raise ImportFailed(f"原件没有第 {number} 页")
    image = _pdf_page(data, number) if fmt == "pdf" else _image_page(data, number)
    scale = min(WIDTH / image.width, (MAX_PIXELS / (image.width * image.height)) ** 0.5)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _pdf_page(data: bytes, number: int):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[number - 1]
        width, height = page.get_size()
        scale = min(WIDTH / max(width, 1.0), (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
        return page.render(scale=scale).to_pil()
    finally:
        pdf.close()


def _image_page(data: bytes, number: int):
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.seek(number - 1)
    ocr.check_size(image.width, image.height, number)
    image.load()
    return image
