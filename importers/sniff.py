"""Which reader a file needs, decided from its bytes; the extension only has to agree."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from archive.errors import ImportFailed

MAX_FILE_BYTES = 40 * 1024 * 1024   # any input; Word/PDF files may carry images
MAX_TEXT_BYTES = 20 * 1024 * 1024   # a text-format file (txt, md, html)
# Text extracted from any format. A long report has ~50,000 characters; reading, cleaning,
# storing and indexing 300,000 keeps an `archive import` under 300 MB (measured: 295,000 in one
# paragraph, the costliest shape for the index → see tests/test_importers_bombs.py).
MAX_TEXT_CHARS = 300_000
# A .docx is a zip: what it unpacks to is capped from its directory before anything is read, so a
# small file cannot expand to gigabytes (zipfile never yields more than an entry's declared
# size: a lying entry fails its CRC). Parsed XML costs ~15× its size in memory, hence its own cap;
# an import stays under 300 MB for any file up to MAX_FILE_BYTES (bench: tests/test_importers_bombs.py).
MAX_ZIP_ENTRIES = 1000              # real documents: 10–300
MAX_ZIP_DIRECTORY_BYTES = 1 << 20   # the zip's central directory, read whole by zipfile
MAX_UNPACKED_BYTES = 100 * 1024 * 1024   # all parts together, images included
MAX_MARKUP_BYTES = 8 * 1024 * 1024       # the .xml/.rels parts python-docx parses into trees

TEXT_EXTS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
             ".htm": "html", ".html": "html", ".shtml": "html", ".xhtml": "html"}
BINARY_EXTS = {".docx": "docx", ".pdf": "pdf", ".doc": "doc", ".wps": "doc"}
# Scans and photographed pages, read by OCR (importers/ocr.py).
IMAGE_EXTS = {".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image"}
SUPPORTED = "txt、md、html、docx、pdf、doc 及扫描图片 png、jpg、tif"

_HTML_RE = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|div|p|table)\b", re.I)
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")   # PNG, JPEG, TIFF
_OTHER_IMAGE_MAGIC = (b"GIF8", b"BM")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def detect_format(data: bytes, filename: str) -> str:
    """Return txt | md | html | docx | pdf | doc | image, or raise ImportFailed saying why not."""
    ext = PurePath(filename).suffix.lower()
    if ext and ext not in TEXT_EXTS and ext not in BINARY_EXTS and ext not in IMAGE_EXTS:
        raise ImportFailed(f"不支持的文件类型 {ext}：请提供 {SUPPORTED} 格式的报告")
    if not data.strip():
        raise ImportFailed("文件是空的：请检查是否选错了文件")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailed(f"文件太大（{len(data) // 2**20} MB，上限 {MAX_FILE_BYTES // 2**20} MB）："
                           "请确认这是一份报告，或拆分后再导入")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data, ext)
    if data.startswith(_OLE_MAGIC):
        return "doc"
    if data.startswith(b"{\\rtf"):
        raise ImportFailed("这是 RTF 文件，暂不支持：请用 Word 或 WPS 打开后另存为 .docx 再导入")
    if data.startswith(_IMAGE_MAGIC):
        return "image"
    if data.startswith(_OTHER_IMAGE_MAGIC):
        raise ImportFailed("这是 GIF/BMP 图片：请另存为 PNG 或 JPEG 后再导入（扫描件会自动识别文字）")
    if ext in IMAGE_EXTS:
        raise ImportFailed(f"文件扩展名是 {ext}，但内容不是图片：文件可能已损坏或改过扩展名")
    claimed = BINARY_EXTS.get(ext)
    if _HTML_RE.search(data[:4096]) and not (ext in (".txt", ".text", ".md", ".markdown")):
        return "html"   # web pages saved as .doc are common; the bytes decide
    if claimed:
        names = {"docx": "Word（.docx）文档", "pdf": "PDF 文件", "doc": "Word（.doc）文档"}
        raise ImportFailed(f"文件扩展名是 {ext}，但内容不是{names[claimed]}：文件可能已损坏或改过扩展名")
    if len(data) > MAX_TEXT_BYTES:
        raise ImportFailed(f"文本文件太大（{len(data) // 2**20} MB，上限 {MAX_TEXT_BYTES // 2**20} MB）："
                           "请确认这是一份报告")
    return TEXT_EXTS.get(ext, "txt")


def _zip_format(data: bytes, ext: str) -> str:
    _check_zip_directory(data)
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFailed("Word 文档已损坏或不完整（无法解压）：请重新保存或重新下载后再导入") from None
    _check_unpacked_size(infos)
    names = {info.filename for info in infos}
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith(("xl/", "ppt/")) for n in names):
        raise ImportFailed("这是 Excel 或 PowerPoint 文件，不是报告：请提供 Word/PDF/文本格式")
    raise ImportFailed(f"文件扩展名是 {ext or '（无）'}，但内容是压缩包而不是 Word 文档：请解压后导入其中的报告")


def _refuse_zip(problem: str):
    raise ImportFailed(f"{problem}，不像一份报告（可能是恶意构造的压缩文件）："
                       "请用 Word/WPS 打开确认后另存为 .docx 或 .txt 再导入")


def _check_zip_directory(data: bytes) -> None:
    """Entry count and directory size from the zip's end record, before zipfile builds an
    object per entry (a 40 MB file can list 400,000 of them)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return  # no end record: zipfile reports the damage
    entries = int.from_bytes(data[end + 10:end + 12], "little")
    directory = int.from_bytes(data[end + 12:end + 16], "little")
    zip64 = data.rfind(b"PK\x06\x06", max(0, end - 76), end)
    if zip64 >= 0 and len(data) >= zip64 + 48:
        entries = max(entries, int.from_bytes(data[zip64 + 32:zip64 + 40], "little"))
        directory = max(directory, int.from_bytes(data[zip64 + 40:zip64 + 48], "little"))
    if entries > MAX_ZIP_ENTRIES or directory > MAX_ZIP_DIRECTORY_BYTES:
        _refuse_zip(f"Word 文档包含的部件过多（{entries} 个，上限 {MAX_ZIP_ENTRIES} 个）")


def _check_unpacked_size(infos: list[zipfile.ZipInfo]) -> None:
    """Declared sizes, summed: what python-docx would hold in memory."""
    markup = sum(i.file_size for i in infos if i.filename.lower().endswith((".xml", ".rels")))
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_ZIP_ENTRIES:
        _refuse_zip(f"Word 文档包含的部件过多（{len(infos)} 个，上限 {MAX_ZIP_ENTRIES} 个）")
    if markup > MAX_MARKUP_BYTES:
        _refuse_zip(f"Word 文档解压后的文字部分过大（{markup / 2**20:.0f} MB，"
                    f"上限 {MAX_MARKUP_BYTES // 2**20} MB）")
    if total > MAX_UNPACKED_BYTES:
        _refuse_zip(f"Word 文档解压后过大（{total / 2**20:.0f} MB，上限 {MAX_UNPACKED_BYTES // 2**20} MB）")
