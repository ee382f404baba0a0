"""Bad input never gives a traceback: every case is an ImportFailed with a one-line Chinese message."""
import io
import time
import zipfile

import pytest

from archive.errors import ImportFailed
from fixtures.report_files import make_docx, make_pdf, sample_lines, sample_text
from importers import read_path, read_report
from importers.readers import doc as doc_reader
from importers.sniff import MAX_TEXT_BYTES


def failure(data: bytes, name: str) -> str:
    with pytest.raises(ImportFailed) as exc:
        read_report(data, name)
    message = str(exc.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)  # user-facing messages are Chinese
    return message


def test_empty_file():
    assert "空" in failure(b"", "a.txt")
    assert "空" in failure(b"  \r\n\t ", "a.txt")


def test_binary_file_named_txt():
    data = bytes(range(256)) * 40
    assert "编码" in failure(data, "a.txt") or "二进制" in failure(data, "a.txt")


def test_undetectable_encoding():
    # High bytes that decode as GB18030 or Big5 only into rare, meaningless characters.
    data = b"".join(bytes((0x81 + (i * 37) % 0x7e, 0x40 + (i * 53) % 0x3f)) for i in range(3000))
    assert "编码" in failure(data, "a.txt")


def test_no_chinese_text():
    assert "中文" in failure(b"Annual report on the rule of law.\n" * 50, "a.txt")


def test_only_web_junk_is_no_report():
    assert failure("扫一扫在手机打开当前页\n【打印本页】【关闭窗口】\n分享到：微信 微博 QQ空间\n".encode() * 3, "a.txt")


def test_fifty_megabytes_fails_fast(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes("法治政府建设工作情况报告。".encode("utf-8") * (50 * 2**20 // 39))
    start = time.perf_counter()
    with pytest.raises(ImportFailed) as exc:
        read_path(big)
    assert time.perf_counter() - start < 2
    assert "太大" in str(exc.value)
    assert "太大" in failure(b"a" * (MAX_TEXT_BYTES + 1), "a.txt")


def test_truncated_docx():
    data = make_docx(sample_lines("000"))
    assert "Word" in failure(data[: len(data) // 2], "a.docx")


def test_docx_zip_without_document():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "压缩包" in failure(buf.getvalue(), "a.docx")


def test_docx_with_broken_xml():
    good = zipfile.ZipFile(io.BytesIO(make_docx(sample_lines("000"))))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for item in good.namelist():
            z.writestr(item, b"<w:document><broken" if item == "word/document.xml" else good.read(item))
    assert "Word" in failure(buf.getvalue(), "a.docx")


def test_truncated_pdf():
    data = make_pdf(sample_lines("000"))
    assert "PDF" in failure(data[: len(data) // 3], "a.pdf")


def test_pdf_without_text_layer():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 300, 400, fill=1)  # a "scanned page": graphics, no text
    c.showPage()
    c.save()
    message = failure(buf.getvalue(), "scan.pdf")
    assert "文字层" in message and "OCR" in message


@pytest.mark.parametrize("name, what", [("a.docx", "Word"), ("a.pdf", "PDF"), ("a.doc", "Word")])
def test_text_with_binary_extension(name, what):
    message = failure(sample_text("000").encode("utf-8"), name)
    assert "扩展名" in message and what in message


def test_unsupported_extension():
    assert "不支持" in failure(sample_text("000").encode("utf-8"), "a.xlsx")


def test_image_file():
    assert "图片" in failure(b"\x89PNG\r\n\x1a\n" + bytes(2000), "scan.txt")


def test_doc_without_libreoffice(monkeypatch):
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000)
    message = failure(data, "old.doc")
    assert "LibreOffice" in message and ".docx" in message and "另存为" in message


def test_missing_file(tmp_path):
    with pytest.raises(ImportFailed) as exc:
        read_path(tmp_path / "none.txt")
    assert "none.txt" in str(exc.value)
