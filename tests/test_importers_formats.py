"""The same sample read from every format gives the same metadata, outline and parts.

The files are built here from the samples (python-docx, reportlab with the CID font
STSong-Light, a hand-written government page, the text re-encoded), so nothing binary is
checked in and every format is exercised end to end through `read_report`.
"""
import codecs

import pytest
from opencc import OpenCC

from fixtures.report_files import make_docx, make_html, make_pdf, sample_lines, sample_text
from importers import read_report

META = {"索引号": "11440882MB2C90123X/2020-00012", "发布机构": "衡阳县人民政府",
        "成文日期": "2020-04-13", "文号": "雷东府〔2020〕5号"}
TITLED = {"001": True, "003": False}   # 003 has no title line: its first line is the addressee


def summary(report) -> dict:
    return {
        "meta": {f: report.meta(f) for f in ("title", "town", "county", "city", "year", "issued",
                                             "addressee", "issuer")},
        "title_derived": report.title_derived,
        "paragraphs": [(p.id, p.kind, p.level, p.part) for p in report.paragraphs],
        "outline": [p.text for p in report.paragraphs if p.kind == "heading"],
    }


def build(fmt: str, prefix: str) -> tuple[bytes, str]:
    lines = sample_lines(prefix)
    text = "\r\n".join(lines)
    if fmt == "docx":
        return make_docx(lines), "report.docx"
    if fmt == "pdf":
        return make_pdf(lines), "report.pdf"
    if fmt == "html":
        title = lines[0] if TITLED[prefix] else None
        # Only labels that a text copy could not contain, so both copies carry the same facts.
        meta = {k: META[k] for k in ("索引号", "文号")}
        return make_html(lines[1:] if title else lines, meta, title=title), "report.html"
    if fmt == "utf-16-nobom":
        return text.encode("utf-16-le"), "report.txt"
    if fmt in ("utf-16-le", "utf-16-be"):
        bom = codecs.BOM_UTF16_LE if fmt.endswith("le") else codecs.BOM_UTF16_BE
        return bom + text.encode(fmt), "report.txt"
    if fmt == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8"), "report.md"
    return text.encode(fmt), "report.txt"


FORMATS = ("docx", "pdf", "html", "gbk", "utf-16-le", "utf-16-be", "utf-16-nobom", "utf-8-bom")


@pytest.fixture(scope="module")
def plain():
    return {p: summary(read_report(sample_text(p).encode("utf-8"), "report.txt")) for p in TITLED}


@pytest.mark.parametrize("prefix", sorted(TITLED))
@pytest.mark.parametrize("fmt", FORMATS)
def test_format_gives_same_report_as_text(fmt, prefix, plain):
    data, name = build(fmt, prefix)
    report = read_report(data, name)
    got = summary(report)
    if fmt == "html" and plain[prefix]["meta"]["issued"] is None:
        # The page's "发布时间：2020-04-20" line is the only date a report without signature has.
        assert got["meta"]["issued"] == "2020-04-20" and report.provenance["issued"].source == "metadata"
        got["meta"]["issued"] = None
    assert got == plain[prefix]
    expected_format = {"docx": "docx", "pdf": "pdf", "html": "html", "utf-8-bom": "md"}.get(fmt, "txt")
    assert report.source.format == expected_format
    if expected_format in ("txt", "md"):
        assert report.source.encoding.replace("-bom", "").replace("-sig", "") in (fmt.replace("-nobom", "-le").replace("-bom", ""), "utf-16", "gbk", "gb18030")
    else:
        assert report.source.encoding in (None, "utf-8")


def test_encoding_is_recorded():
    text = sample_text("002")
    assert read_report(text.encode("gbk"), "a.txt").source.encoding == "gb18030"
    assert read_report(text.encode("utf-8"), "a.txt").source.encoding == "utf-8"
    assert read_report(codecs.BOM_UTF8 + text.encode("utf-8"), "a.txt").source.encoding == "utf-8-bom"
    assert read_report(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "a.txt").source.encoding == "utf-16"


def test_big5_traditional_copy():
    simplified = read_report(sample_text("000").encode("utf-8"), "a.txt")
    traditional = OpenCC("s2tw").convert(sample_text("000"))
    report = read_report(traditional.encode("big5"), "a.txt")
    assert report.source.encoding == "big5"
    assert report.script == "traditional"
    assert report.place.town == "赵集镇" and report.year == 2024
    assert [(p.id, p.part) for p in report.paragraphs] == [(p.id, p.part) for p in simplified.paragraphs]
    assert "趙集鎮" in report.paragraphs[0].text_original


def test_pdf_has_text_layer_and_loses_page_furniture():
    from pdfminer.high_level import extract_text

    data = make_pdf(sample_lines("003"), header="覃斗镇法治政府建设报告（内部资料）")
    raw = extract_text(__import__("io").BytesIO(data))
    assert "覃斗镇人民政府" in raw and "- 2 -" in raw and "内部资料" in raw
    report = read_report(data, "r.pdf")
    texts = [p.text for p in report.paragraphs]
    assert not any("内部资料" in t or t.startswith("-") for t in texts)
    assert not any(" " in t for t in texts)  # "法 治政府" → "法治政府"
    assert any("法治政府建设" in t for t in texts)


def test_html_drops_site_furniture_and_reads_metadata_block():
    lines = sample_lines("001")
    report = read_report(make_html(lines[1:], META, title=lines[0]), "page.htm")
    text = "\n".join(p.text for p in report.paragraphs)
    for junk in ("您当前的位置", "浏览次数", "分享到", "打印本页", "关闭窗口", "相关链接", "版权所有",
                 "威廉希尔", "统计代码", "互动交流", "字体", "扫一扫", "图片", "_hmt"):
        assert junk not in text, junk
    assert report.doc_number == "雷东府〔2020〕5号"
    assert report.provenance["doc_number"].source == "metadata"
    assert report.title == "三湖镇2024年度法治政府建设年度报告"


def test_html_metadata_gives_issued_and_issuer_when_no_signature():
    lines = sample_lines("001")
    report = read_report(make_html(lines[1:], META, title=lines[0]), "page.html")
    assert report.issued == "2020-04-13" and report.provenance["issued"].source == "metadata"
    assert report.issuer == "衡阳县人民政府" and report.provenance["issuer"].source == "metadata"
    assert report.place.town == "三湖镇"  # from the title, not from the publishing county


def test_html_declared_gbk_charset():
    lines = sample_lines("002")
    page = make_html(lines[1:], {}, title=lines[0]).decode("utf-8").replace('charset="utf-8"', 'charset="gb2312"')
    report = read_report(page.encode("gb18030"), "page.html")
    assert report.place.town == "圣灯山镇" and report.source.encoding == "gb18030"


def test_docx_tables_are_flattened_and_styled_headings_kept():
    lines = sample_lines("002")
    i = lines.index(next(s for s in lines if s.startswith("三、")))
    lines.insert(i, "执法人员持证情况")
    data = make_docx(lines[:i] + ["执法人员持证情况"] + lines[i + 1:], table_rows=[["单位", "持证人数"], ["镇政府", "22"]])
    report = read_report(data, "r.docx")
    texts = [p.text for p in report.paragraphs]
    assert "单位 | 持证人数" in texts and "镇政府 | 22" in texts


def test_docx_heading_style_without_number_is_a_heading():
    import docx, io

    document = docx.Document()
    for line in sample_lines("000")[:3]:
        document.add_paragraph(line)
    document.add_paragraph("存在的问题", style="Heading 1")
    document.add_paragraph("一是部分镇直部门依然存在执法不规范现象。")
    buf = io.BytesIO()
    document.save(buf)
    report = read_report(buf.getvalue(), "r.docx")
    heading = next(p for p in report.paragraphs if p.text == "存在的问题")
    assert heading.kind == "heading" and heading.level == 1 and heading.part == "problems"
    assert report.paragraphs[-1].part == "problems" and report.paragraphs[-1].heading_path == ["存在的问题"]


def test_markdown_headings_are_read_as_text_with_hints():
    md = "# 三湖镇2024年度法治政府建设年度报告\n\n" + "\n\n".join(sample_lines("001")[3:])
    report = read_report(md.encode("utf-8"), "r.md")
    assert report.title == "三湖镇2024年度法治政府建设年度报告" and report.source.format == "md"


def test_web_page_saved_as_doc_is_read_as_html():
    lines = sample_lines("001")
    report = read_report(make_html(lines[1:], META, title=lines[0]), "report.doc")
    assert report.source.format == "html" and report.place.town == "三湖镇"
