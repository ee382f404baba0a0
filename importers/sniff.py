"""Which reader a file needs, decided from its bytes; the extension only has to agree."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from archive.errors import ImportFailed

MAX_FILE_BYTES = 40 * 1024 * 1024   # any input; Word/PDF files may carry images
MAX_TEXT_BYTES = 20 * 1024 * 1024   # text formats, and the text extracted from any format

TEXT_EXTS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
             ".htm": "html", ".html": "html", ".shtml": "html", ".xhtml": "html"}
BINARY_EXTS = {".docx": "docx", ".pdf": "pdf", ".doc": "doc", ".wps": "doc"}
SUPPORTED = "txt、md、html、docx、pdf、doc"

_HTML_RE = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|div|p|table)\b", re.I)
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def detect_format(data: bytes, filename: str) -> str:
    """Return txt | md | html | docx | pdf | doc, or raise ImportFailed saying why not."""
    ext = PurePath(filename).suffix.lower()
    if ext and ext not in TEXT_EXTS and ext not in BINARY_EXTS:
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
        raise ImportFailed("这是图片文件，没有可读取的文字：请先做 OCR 或提供 Word/文本版本")
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
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFailed("Word 文档已损坏或不完整（无法解压）：请重新保存或重新下载后再导入") from None
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith(("xl/", "ppt/")) for n in names):
        raise ImportFailed("这是 Excel 或 PowerPoint 文件，不是报告：请提供 Word/PDF/文本格式")
    raise ImportFailed(f"文件扩展名是 {ext or '（无）'}，但内容是压缩包而不是 Word 文档：请解压后导入其中的报告")
