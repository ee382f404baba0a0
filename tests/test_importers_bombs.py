"""Hostile files: archives and streams that expand to hundreds of MB, pages with absurd
character counts, HTML nested 100,000 deep, and file names that are not UTF-8.

Each bomb is built here, then imported by `archive import` in a child process that reports its
own peak memory (VmHWM): the import must refuse it in one line and stay under 300 MB.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from importers import read_report
from importers.readers import pdflimits
from importers.readers.html import MAX_DEPTH
from importers.sniff import MAX_MARKUP_BYTES, MAX_TEXT_CHARS, MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES
from workflows import open_archive

ROOT = Path(__file__).resolve().parent.parent
PEAK_LIMIT_MB = 300
REPORT = ("赵集镇2024年法治政府建设工作情况报告\n一、主要工作\n今年以来，我镇坚持依法行政，"
          "推进法治政府建设，严格规范公正文明执法，全面落实行政执法三项制度。\n赵集镇人民政府\n"
          "2024年12月1日\n")

# The child's own peak: VmHWM belongs to its address space. (ru_maxrss does not: Linux carries
# the parent's peak across fork + exec, so a big pytest process would count.)
CHILD = """
import json, re, sys
from cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
print(json.dumps({"code": code, "peak_mb": peak_kb / 1024}), file=sys.stderr)
"""


def import_in_child(data_dir: Path, path: Path | bytes) -> tuple[dict, dict]:
    """`archive import --json PATH` in a fresh interpreter: (its JSON, {code, peak_mb})."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "--data", str(data_dir), "import", "--json", path],
        cwd=ROOT, capture_output=True, timeout=300)
    stats = json.loads(done.stderr.decode("utf-8").strip().splitlines()[-1])
    return json.loads(done.stdout.decode("utf-8")), stats   # strict UTF-8: must not fail


def assert_refused(tmp_path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    out, stats = import_in_child(tmp_path / "data", path)
    (result,) = out["results"]
    assert result["status"] == "failed" and stats["code"] == 1
    assert reason in result["error"] and "\n" not in result["error"]
    assert "Error" not in result["error"] and "Traceback" not in result["error"]
    assert stats["peak_mb"] < PEAK_LIMIT_MB, stats


# ---- .docx (zip) ---------------------------------------------------------------------------

def _docx_parts() -> dict[str, bytes]:
    import docx
    buf = io.BytesIO()
    doc = docx.Document()
    for line in REPORT.splitlines():
        doc.add_paragraph(line)
    doc.save(buf)
    with zipfile.ZipFile(buf) as z:
        return {name: z.read(name) for name in z.namelist()}


def _zip(parts: dict[str, bytes], big: tuple[str, int] | None = None, extra: int = 0) -> bytes:
    """The parts zipped; `big` = (name, size) streams that many spaces into one part,
    `extra` adds that many tiny parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, blob in parts.items():
            if big and name == big[0]:
                with z.open(name, "w", force_zip64=True) as f:
                    f.write(blob[:-len(b"</w:body></w:document>")] if name.endswith(".xml") else blob)
                    chunk = b" " * (1 << 20)
                    for _ in range(big[1] >> 20):
                        f.write(chunk)
                    if name.endswith(".xml"):
                        f.write(b"</w:body></w:document>")
            else:
                z.writestr(name, blob)
        for n in range(extra):
            z.writestr(f"customXml/item{n}.bin", b"")
    return out.getvalue()


def test_good_docx_still_imports():
    report = read_report(_zip(_docx_parts()), "赵集镇.docx")
    assert report.place.town == "赵集镇" and report.year == 2024


def test_docx_whose_text_expands_to_400_mb(tmp_path):
    data = _zip(_docx_parts(), big=("word/document.xml", 400 << 20))
    assert len(data) < 1 << 20
    assert_refused(tmp_path, "bomb.docx", data, "Word 文档解压后的文字部分过大（401 MB，上限 8 MB）")


def test_docx_with_a_400_mb_image(tmp_path):
    parts = dict(_docx_parts(), **{"word/media/image1.png": b"\x89PNG"})
    data = _zip(parts, big=("word/media/image1.png", 400 << 20))
    assert_refused(tmp_path, "image-bomb.docx", data,
                   f"Word 文档解压后过大（401 MB，上限 {MAX_UNPACKED_BYTES >> 20} MB）")


def test_docx_with_too_many_parts(tmp_path):
    data = _zip(_docx_parts(), extra=MAX_ZIP_ENTRIES + 10)
    assert_refused(tmp_path, "many.docx", data, "Word 文档包含的部件过多")


def test_docx_at_the_markup_cap_stays_within_memory(tmp_path):
    """The largest .docx text part allowed, dense with tiny paragraphs (the costliest shape for
    lxml): refused for its amount of text, after reading it in under 300 MB."""
    parts = _docx_parts()
    body = parts["word/document.xml"]
    para = "<w:p><w:r><w:t>依法行政工作推进有力</w:t></w:r></w:p>".encode()
    others = sum(len(b) for n, b in parts.items() if n.endswith((".xml", ".rels")))
    cut = body.index(b"</w:body>")
    parts["word/document.xml"] = (body[:cut] + para * ((MAX_MARKUP_BYTES - others) // len(para))
                                  + body[cut:])
    assert_refused(tmp_path, "dense.docx", _zip(parts), "文件中的文字太多")


def test_text_at_the_character_cap_imports_within_memory(tmp_path):
    """MAX_TEXT_CHARS of text in one paragraph (the costliest shape for the index) is read,
    stored and indexed by `archive import` in under 300 MB; one more character is refused."""
    phrase = "依法行政工作推进有力规范执法严格落实责任"
    head = "赵集镇2024年法治政府建设工作情况报告\n"
    body = (phrase * (MAX_TEXT_CHARS // len(phrase)))[:MAX_TEXT_CHARS - len(head.strip())]
    path = tmp_path / "long.txt"
    path.write_text(head + body, encoding="utf-8")
    out, stats = import_in_child(tmp_path / "data", path)
    assert out["results"][0]["status"] == "imported", out
    assert stats["peak_mb"] < PEAK_LIMIT_MB, stats
    with pytest.raises(Exception, match="文件中的文字太多"):
        read_report((head + body + "法").encode(), "long.txt")


# ---- PDF -----------------------------------------------------------------------------------

def _pdf(content: bytes, filters: str = "/FlateDecode") -> bytes:
    """A one-page PDF (Helvetica) whose content stream is `content`, stored as given with
    `filters` declared; correct xref table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter [%s] >>\nstream\n" % (len(content), filters.encode())
        + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _deflate_spaces(size: int) -> bytes:
    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    return b"".join(z.compress(chunk) for _ in range(size >> 20)) + z.flush()


def test_pdf_stream_expanding_to_400_mb(tmp_path):
    data = _pdf(_deflate_spaces(400 << 20))
    assert len(data) < 1 << 20
    assert_refused(tmp_path, "bomb.pdf", data, "PDF 中有数据流解压后过大（超过 8 MB）")


def test_pdf_stream_deflated_twice(tmp_path):
    data = _pdf(zlib.compress(_deflate_spaces(400 << 20), 9), "/FlateDecode /FlateDecode")
    assert len(data) < 64 * 1024
    assert_refused(tmp_path, "double.pdf", data, "PDF 中有数据流解压后过大")


def test_pdf_runlength_stream(tmp_path):
    data = _pdf(bytes([129, 32]) * (1 << 20) + b"\x80", "/RunLengthDecode")   # 2 MB → 128 MB
    assert_refused(tmp_path, "rl.pdf", data, "PDF 中有数据流解压后过大")


def test_pdf_page_with_a_million_characters(tmp_path):
    content = b"BT /F1 1 Tf 10 10 Td (" + b"A" * 1_000_000 + b") Tj ET"
    data = _pdf(zlib.compress(content))
    assert_refused(tmp_path, "chars.pdf", data, f"PDF 中有一页的字符多得异常（超过 {pdflimits.MAX_PAGE_CHARS} 个）")


def test_pdf_with_too_many_objects(tmp_path):
    data = _pdf(zlib.compress(b"BT ET")) + b"1 0 obj null endobj\n" * (pdflimits.MAX_OBJECTS + 1)
    assert_refused(tmp_path, "objects.pdf", data, "PDF 中对象过多")


def test_pdf_object_with_a_huge_array(tmp_path):
    """4 MB of numbers in one object would cost pdfminer ~300 MB to parse."""
    data = _pdf(zlib.compress(b"BT ET")).replace(
        b"/Resources <<", b"/Annots [" + b"1.5 " * (1 << 20) + b"] /Resources <<")
    assert_refused(tmp_path, "array.pdf", data, "PDF 中有对象过大（超过 1 MB）")


def test_largest_object_skips_stream_data():
    data = _pdf(b"obj " * 300_000 + b"x" * 100, filters="")
    assert pdflimits.largest_object(data) < 200
    assert pdflimits.largest_object(b"1 0 obj [" + b"0 " * 5000 + b"] endobj") == 10_004


def test_object_stream_is_capped_lower():
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import LIT

    stream = PDFStream({"Type": LIT("ObjStm"), "Filter": LIT("FlateDecode")},
                       zlib.compress(b" " * (pdflimits.MAX_OBJECT_STREAM_BYTES + 1)))
    with pytest.raises(Exception, match="超过 2 MB"):
        stream.get_data()
    content = PDFStream({"Filter": LIT("FlateDecode")},
                        zlib.compress(b" " * (pdflimits.MAX_OBJECT_STREAM_BYTES + 1)))
    assert len(content.get_data()) == pdflimits.MAX_OBJECT_STREAM_BYTES + 1


def test_inflate_is_exact_below_the_cap_and_lenient_on_damage():
    text = "法治政府建设".encode() * 5000
    packed = zlib.compress(text)
    assert pdflimits.inflate(packed) == text
    assert text.startswith(pdflimits.inflate(packed[:len(packed) // 2]))   # truncated: a prefix
    assert pdflimits.runlength_decode(bytes([2]) + b"abc" + bytes([254, 120, 128, 9])) == b"abcxxx"


def test_real_pdf_still_imports():
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(REPORT.splitlines()):
        c.drawString(60, 780 - 20 * i, line)
    c.save()
    report = read_report(buf.getvalue(), "赵集镇.pdf")
    assert report.place.town == "赵集镇" and "依法行政" in "".join(p.text for p in report.paragraphs)


# ---- HTML nesting --------------------------------------------------------------------------

def _nested(depth: int, tag: str = "div") -> bytes:
    body = "".join(f"<p>{line}</p>" for line in REPORT.splitlines())
    return (f"<html><head><meta charset='utf-8'></head><body>{f'<{tag}>' * depth}{body}"
            f"{f'</{tag}>' * depth}</body></html>").encode()


def test_html_nested_100000_levels(tmp_path):
    assert_refused(tmp_path, "deep.html", _nested(100_000),
                   f"网页嵌套层级过深（超过 {MAX_DEPTH} 层），无法读取")


@pytest.mark.parametrize("depth, tag", [(260, "div"), (300, "span"), (300, "ul><li"), (100_000, "b")])
def test_html_nested_past_the_parser_limit(depth, tag):
    """Every shape of deep nesting gets the nesting reason, not "no Chinese text": libxml2
    would stop reading at 256 levels and lose the report."""
    with pytest.raises(Exception, match="网页嵌套层级过深"):
        read_report(_nested(depth, tag), "deep.html")


def test_html_of_millions_of_tiny_tags_is_refused_at_once(tmp_path):
    """An 18 MB page of one-character tags took 45 s to read: refused before parsing."""
    cell = "<span>法</span><b>治</b><i>政</i><span>府</span>"
    page = ("<html><head><meta charset='utf-8'></head><body><div class='content'>"
            + "".join(f"<p>{cell * 5}第{i}段。</p>" for i in range(65_000)) + "</div></body></html>")
    assert len(page.encode()) > 18_000_000
    assert_refused(tmp_path, "tags.html", page.encode(), "网页标签过多（超过 20 万个）")


@pytest.mark.parametrize("html", [
    _nested(MAX_DEPTH - 5),
    # a long report page of many small tags, below the cap
    ("<html><body>" + "".join(f"<p><span>第{i}段</span><b>法治</b></p>" for i in range(20_000))
     + "".join(f"<p>{line}" for line in REPORT.splitlines()) + "</body></html>").encode(),
    # thousands of unclosed <p>, <li>, <br>, <img>: the parser closes or never opens them
    ("<html><body>" + "<p>段落<br><img src=x>" * 3000 + "<ul>" + "<li>条目" * 3000 + "</ul>"
     + "".join(f"<p>{line}" for line in REPORT.splitlines()) + "</body></html>").encode(),
])
def test_html_that_is_merely_long_still_imports(html):
    assert read_report(html, "page.html").place.town == "赵集镇"


# ---- file names ----------------------------------------------------------------------------

GBK_NAME = "赵集镇2024年法治报告.txt".encode("gbk")


def test_gbk_named_file_imports_via_the_cli(tmp_path):
    folder = tmp_path / "unzipped"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/" + GBK_NAME, "wb") as fh:
        fh.write(REPORT.encode("utf-8"))
    with open(os.fsencode(folder) + b"/\xff\xfe-\x80.txt", "wb") as fh:   # neither UTF-8 nor GBK
        fh.write(REPORT.replace("赵集镇", "覃斗镇").encode("utf-8"))
    out, stats = import_in_child(tmp_path / "data", folder)      # stdout decoded as strict UTF-8
    paths = sorted(r["path"] for r in out["results"])
    assert [r["status"] for r in out["results"]] == ["imported", "imported"], out
    assert paths == sorted([f"{folder}/赵集镇2024年法治报告.txt", f"{folder}/\ufffd\ufffd-\ufffd.txt"])
    plain = subprocess.run([sys.executable, "-m", "archive", "--data", str(tmp_path / "data"), "list"],
                           cwd=ROOT, capture_output=True)
    assert "赵集镇" in plain.stdout.decode("utf-8") and plain.returncode == 0


@pytest.mark.parametrize("as_bytes", [True, False])
def test_gbk_named_file_imports_via_the_library(tmp_path, as_bytes):
    path = os.fsencode(tmp_path) + b"/" + GBK_NAME
    with open(path, "wb") as fh:
        fh.write(REPORT.encode("gb18030"))
    archive = open_archive(tmp_path / "data")
    result = archive.import_file(path if as_bytes else os.fsdecode(path))
    assert result.status == "imported", result.error
    assert result.path == f"{tmp_path}/赵集镇2024年法治报告.txt"
    stored = archive.get(result.report_id)
    assert stored.source.path == "赵集镇2024年法治报告.txt"
    assert "赵集镇2024年法治报告.txt" in archive.markdown(result.report_id)


def test_display_name():
    from archive.names import display_name
    assert display_name("报告.txt") == "报告.txt"
    assert display_name(os.fsdecode("报告.txt".encode("gbk"))) == "报告.txt"
    assert display_name(b"caf\xe9.txt") == "caf\ufffd.txt"     # Latin-1: not Chinese
    assert display_name("\ud800x.txt") == "\ufffdx.txt"         # a lone surrogate
