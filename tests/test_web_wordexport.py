"""The 公文-ready Word export (basket and search results), inspected with python-docx, and the
script each quotation is in (basket, CSV)."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from helpers import SHARED, basket_add as add, basket_contents as contents

MALA_SIMPLIFIED = "认真落实党政同责"
MALA_TRADITIONAL = "認真落實黨政同責"


@pytest.fixture
def client(handmade_app):
    """A fresh browser: its own cookie jar, hence its own empty basket."""
    return handmade_app.test_client()


def exported(client, url="/basket/export.docx"):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    response = client.get(url)
    after = datetime.now(timezone.utc) + timedelta(seconds=1)
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    return Document(io.BytesIO(response.data)), (before, after)


def east_asia(element) -> str | None:
    fonts = element.find(".//" + qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_basket_docx_is_a4_with_gbt9704_margins_fonts_and_fixed_lines(client):
    add(client, "赵集镇-2024", "一.（一）.1")
    doc, _ = exported(client)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    normal = doc.styles["Normal"]
    assert east_asia(normal.element) == "仿宋_GB2312" and normal.font.size == Pt(16)
    fmt = normal.paragraph_format
    assert fmt.line_spacing_rule == 4 and 28 <= fmt.line_spacing.pt <= 29     # EXACTLY
    title = doc.paragraphs[0]
    assert title.text == "引用汇编" and title.runs[0].font.size == Pt(22)
    assert east_asia(title.runs[0]._r) == "方正小标宋简体"
    # The fallbacks offices without the GB2312 fonts get, declared in the font table.
    table = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    from lxml import etree
    alt = {f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
           for f in etree.fromstring(table.blob) if f.find(qn("w:altName")) is not None}
    assert alt["仿宋_GB2312"] == "仿宋" and alt["方正小标宋简体"] in ("黑体", "宋体")


def test_each_quotation_is_followed_by_its_citation_and_listed_under_references(client):
    add(client, "赵集镇-2024", "一.（一）.1")
    add(client, "马喇镇-2023", "一.1")
    doc, _ = exported(client)
    texts = [p.text for p in doc.paragraphs]
    assert texts[1].startswith(SHARED)
    assert texts[2].startswith("——[1] 赵集镇人民政府. 赵集镇2024年法治政府建设工作情况报告[R/OL].")
    refs = texts[texts.index("参考文献") + 1:]
    assert [r[:4] for r in refs] == ["[1] ", "[2] "]
    assert refs[0].startswith("[1] 赵集镇人民政府.") and refs[1].startswith("[2] 马喇镇人民政府.")


def test_permalinks_are_real_hyperlinks(client):
    add(client, "赵集镇-2024", "一.（一）.1")
    doc, _ = exported(client)
    links = doc.element.body.findall(".//" + qn("w:hyperlink"))
    assert len(links) == 2                        # after the quotation and in 参考文献
    rels = doc.part.rels
    targets = {rels[link.get(qn("r:id"))].target_ref for link in links}
    assert targets == {"http://localhost/report/赵集镇-2024#p-一.（一）.1"}
    assert all(rels[link.get(qn("r:id"))].is_external for link in links)
    shown = ["".join(t.text for t in link.iter(qn("w:t"))) for link in links]
    assert shown == [next(iter(targets))] * 2                  # the link reads as itself


def test_document_properties_name_the_product_and_the_export_time(client):
    add(client, "赵集镇-2024", "一.（一）.1")
    doc, (before, after) = exported(client)
    props = doc.core_properties
    assert props.author == props.last_modified_by == "法治报告检索"
    assert props.title == "引用汇编"
    assert before <= props.created <= after and before <= props.modified <= after
    app_xml = next(p for p in doc.part.package.iter_parts() if p.partname == "/docProps/app.xml")
    assert "python-docx" not in app_xml.blob.decode() and "法治报告检索" in app_xml.blob.decode()


@pytest.mark.parametrize("script, text, note", [
    ("original", MALA_TRADITIONAL, "繁体原文"),
    ("simplified", MALA_SIMPLIFIED, "原文为繁体，已转换为简体"),
])
def test_basket_quotes_the_script_the_paragraph_was_read_in(client, script, text, note):
    add(client, "马喇镇-2023", "一.1", script=script)
    assert contents(client) == [["马喇镇-2023", "一.1", script]]
    html = client.get("/basket").get_data(as_text=True)
    assert text in html and f'data-testid="basket-script-note">{note}<' in html
    doc, _ = exported(client)
    assert doc.paragraphs[1].text.startswith(text)
    assert doc.paragraphs[2].text.endswith(f"（{note}）")
    markdown = client.get("/basket/export.md").get_data(as_text=True)
    assert text in markdown and f"（{note}）" in markdown


def test_adding_again_in_the_other_script_switches_it(client):
    add(client, "马喇镇-2023", "一.1", script="original")
    add(client, "马喇镇-2023", "一.1", script="simplified")
    assert contents(client) == [["马喇镇-2023", "一.1", "simplified"]]


def test_reading_page_in_simplified_adds_in_simplified(client):
    html = client.get("/report/马喇镇-2023?script=simplified").get_data(as_text=True)
    assert '<input type="hidden" name="script" value="simplified">' in html
    html = client.get("/report/马喇镇-2023").get_data(as_text=True)
    assert '<input type="hidden" name="script" value="original">' in html


@pytest.mark.parametrize("script, text, label", [
    (None, MALA_TRADITIONAL, "繁体原文"), ("simplified", MALA_SIMPLIFIED, "原文为繁体，已转换为简体"),
])
def test_csv_says_which_script_it_uses(client, script, text, label):
    query = {"q": "党政同责", **({"script": script} if script else {})}
    body = client.get("/export.csv?" + urlencode(query)).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    mala = [r for r in rows if r["乡镇"] == "马喇镇"]
    assert mala and all(r["段落"].startswith(text) and r["字体"] == label for r in mala)
    assert all(r["字体"] == "简体" for r in rows if r["乡镇"] == "赵集镇")


def test_search_results_export_as_word(client):
    total = client.get("/api/search?" + urlencode({"q": '"普法"', "limit": 1})).get_json()["total_paragraphs"]
    doc, _ = exported(client, "/export.docx?" + urlencode({"q": '"普法"'}))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "检索结果摘编" and f"共 {total} 段" in texts[1]
    assert sum(t.startswith("——[") for t in texts) == total
    assert len(texts[texts.index("参考文献") + 1:]) == total
    assert round(doc.sections[0].page_width.mm) == 210


def test_a_quotation_keeps_with_its_citation_across_pages(client):
    add(client, "赵集镇-2024", "一.（一）.1")
    doc, _ = exported(client)
    body, source = doc.paragraphs[1], doc.paragraphs[2]
    assert body.paragraph_format.keep_with_next and not source.paragraph_format.keep_with_next


def test_characters_xml_cannot_hold_do_not_break_the_export(client):
    from webapp.wordexport import Quotation, build
    data = build("标题\x00", [Quotation("正文\x07含控制符\ud800", "引用\x1b", "http://x/\x01", "注\x0c")],
                 datetime(2026, 1, 1, tzinfo=timezone.utc), intro="检索：\x00")
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert texts[0] == "标题\ufffd" and texts[2] == "正文\ufffd含控制符\ufffd"
    response = client.get("/export.docx?" + urlencode({"q": "普法\x00\x1b"}))
    assert response.status_code in (200, 400)
