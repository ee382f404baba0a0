"""Page furniture removed by the report's structure, metadata tables in every web shape, titles.

Every input here is a short synthetic copy of a government web page written for these tests; each
reproduces one shape found on real pages (widget clusters, breadcrumbs with a stray digit, metadata
tables, repeated and split titles, issuing bodies above the title, tail furniture), in plain text
and where it matters in HTML.
"""
import html

import pytest

from importers import read_report
from importers.cleaning import clean
from importers.document import Line
from importers.metablock import is_label_line, parse_labels

TITLE = "某某镇2023年法治政府建设工作情况报告"
INTRO = "2023年，某某镇坚持以习近平法治思想为指导，认真落实上级部署，现将有关情况报告如下："
BODY = ["一、主要工作和成效",
        "（一）加强组织领导",
        "镇党委、政府高度重视法治政府建设，成立了工作领导小组，全年召开专题会议4次，研究解决重点问题。",
        "二、存在的问题",
        "一是干部运用法治思维的能力有待提高。二是普法宣传的针对性不够强。",
        "三、下一步工作打算",
        "一是加强学习培训。二是规范行政执法。"]
SIGNATURE = ["某某镇人民政府", "2024年1月15日"]
FURNITURE_RULES = {"furniture_before_report", "furniture_after_report", "furniture_in_report", "junk_line"}


def txt(lines) -> object:
    return read_report("\n".join(lines).encode("utf-8"), "page.txt")


def page(head, tail=(), title=TITLE, signature=SIGNATURE):
    return [*head, title, INTRO, *BODY, *signature, *tail]


def texts(report) -> list[str]:
    return [p.text for p in report.paragraphs]


def dropped(report) -> set[str]:
    return {e.before for e in report.log if e.after == "" and e.rule in FURNITURE_RULES}


def squeeze(text: str) -> str:
    return "".join(text.split())


def assert_clean(report, furniture):
    """No furniture line is left in a paragraph or the title (a short one counts as a paragraph of
    its own: 法治政府 may well be said in the text), and each was logged."""
    for line in map(squeeze, furniture):
        if len(line) >= 6:
            assert not any(line in squeeze(t) for t in texts(report)), line
            assert line not in report.title
        else:
            assert line not in map(squeeze, texts(report)), line
    logged = {squeeze(e.before) for e in report.log
              if e.after == "" and (e.rule in FURNITURE_RULES or e.rule == "metadata_line")}
    assert set(map(squeeze, furniture)) <= logged


# widgets, headers, breadcrumbs --------------------------------------------------------------------
WIDGETS = ["下载", "打印", "全屏", "收藏", "【字号：", "加大", "还原", "减小", "】"]


def test_widget_cluster_between_title_and_body():
    r = txt([TITLE, "来源：某某镇人民政府 发布时间：2024-01-20 09:30", *WIDGETS, INTRO, *BODY, *SIGNATURE])
    assert r.title == TITLE and not r.title_derived
    assert_clean(r, WIDGETS)
    assert texts(r)[0] == INTRO and r.issuer == "某某镇人民政府" and r.issued == "2024-01-15"


def test_widget_cluster_inside_the_body_one_word_per_line():
    lines = page([])
    at = lines.index(BODY[3])
    lines[at:at] = ["分享到", "微信", "微博", "大", "中", "小"]
    r = txt(lines)
    assert_clean(r, ["分享到", "微信", "微博"])
    assert not any(t in ("大", "中", "小") for t in texts(r))
    assert BODY[3] in texts(r)


@pytest.mark.parametrize("head", [
    ["1", "首页 > 政务公开 > 法治政府建设 > 乡镇街道"],
    ["3首页>政务公开>法治政府建设报告>乡镇街道"],
    ["您现在所在的位置 :", "首页 >> 某某县人民政府门户网站 >> 专题专栏 >> 2025年"],
    ["某某县人民政府 2019年12月3日 星期二", "无障碍 简体| 繁体"],
    ["今天是：2019年10月31日 星期三 农历十月初七", "工作报告", "您所在的位置：政务公开 > 工作报告"],
    ["- 设为首页", "- 加入收藏", "- 无障碍阅读", "- 长者版"],
    ["环球国际"],
    ["某某县人民政府"],
])
def test_header_before_the_title_is_dropped_and_title_is_clean(head):
    r = txt(page(head))
    assert r.title == TITLE
    assert_clean(r, [h for h in head if h not in ("1",)])
    assert texts(r)[0] == INTRO
    assert r.meta("title") == TITLE


def test_header_kept_as_site_metadata_evidence():
    lines, c = clean([Line(t) for t in page(["某某县人民政府门户网站", "首页 > 乡镇动态"])])
    assert "某某县人民政府门户网站" in c.meta["页眉"]
    assert lines[0].text == TITLE


def test_header_without_title_starts_at_first_sentence():
    head = ["您现在所在的位置 :", "首页 > 某某县人民政府门户网站 > 专题专栏"]
    r = txt([*head, INTRO, *BODY])
    assert_clean(r, head)
    assert r.title_derived and "title_derived" in r.flags
    assert texts(r)[0] == INTRO


# tail furniture ---------------------------------------------------------------------------------
TAIL = ["上一篇：某某镇开展普法宣传活动", "下一篇：某某镇召开安全生产会议", "相关报道：",
        "某某镇召开法治政府建设推进会", "某某县2023年法治政府建设年度报告", "【打印】 【关闭】",
        "扫一扫在手机打开当前页", "主办单位：某某县人民政府办公室 网站标识码：1234567890 某ICP备12345678号",
        "联系我们 | 网站地图", "相关词条", "法治政府", "依法行政",
        "本页面内容遵循知识共享署名—相同方式共享许可协议，转载请注明出处。"]


def test_tail_furniture_dropped_signature_kept():
    r = txt(page([], TAIL))
    assert_clean(r, TAIL)
    assert [p.text for p in r.paragraphs if p.part == "closing"] == SIGNATURE
    assert r.issuer == "某某镇人民政府" and r.issued == "2024-01-15"


def test_tail_without_signature_ends_at_last_paragraph():
    r = txt(page([], ["责任编辑：张三", "2024-01-20", "打印本页", "关闭窗口"], signature=()))
    assert texts(r)[-1] == BODY[-1]


def test_photo_caption_inside_the_body_dropped():
    lines = page([])
    lines.insert(lines.index(BODY[3]), "图为某某镇开展法治宣传进村活动（王五 摄）")
    r = txt(lines)
    assert not any("摄" in t for t in texts(r))


def test_unnumbered_heading_and_short_lines_inside_the_report_kept():
    lines = page([])
    lines.insert(lines.index(BODY[3]), "典型案例")
    lines.insert(lines.index(BODY[3]), "某村调解员张某化解土地纠纷，当事双方握手言和，达成调解协议。")
    r = txt(lines)
    assert "典型案例" in texts(r)
    assert "某村调解员张某化解土地纠纷，当事双方握手言和，达成调解协议。" in texts(r)


# Word and PDF reports are not damaged ---------------------------------------------------------
def test_word_report_head_and_attachment_kept():
    lines = ["某某镇人民政府文件", "某政发〔2024〕3号", TITLE, "县委、县政府：", INTRO, *BODY, *SIGNATURE,
             "附件：1.法治宣传活动统计表", "序号 | 活动 | 次数", "1 | 法治讲座 | 4", "2 | 送法下乡 | 12",
             "抄送：县司法局。"]
    r = read_report("\n".join(lines).encode("utf-8"), "report.txt")
    kept = texts(r)
    assert r.doc_number == "某政发〔2024〕3号" and r.addressee == "县委、县政府"
    assert {"某某镇人民政府文件", "序号 | 活动 | 次数", "1 | 法治讲座 | 4", "抄送：县司法局。"} <= set(kept)
    assert not dropped(r)


def test_letterhead_is_no_title():
    r = txt(["某某镇人民政府文件", "某政发〔2024〕3号", "县委、县政府：", INTRO, *BODY])
    assert r.title_derived and "某某镇人民政府文件" in texts(r)


def test_pdf_report_wrapped_at_a_narrow_width_loses_nothing():
    from fixtures.report_files import make_pdf
    lines = [INTRO, *BODY]
    r = read_report(make_pdf(lines), "r.pdf")
    assert "".join(texts(r)).startswith(INTRO[:20])
    assert not dropped(r)


def test_docx_report_loses_nothing():
    from fixtures.report_files import make_docx
    lines = [TITLE, "县委、县政府：", INTRO, *BODY, *SIGNATURE]
    r = read_report(make_docx(lines, [["序号", "活动"], ["1", "法治讲座"], ["是", "否"], ["甲", "乙"]]), "r.docx")
    assert not dropped(r) and r.title == TITLE
    assert any("法治讲座" in t for t in texts(r))


# metadata tables in every web shape ----------------------------------------------------------------
SHAPES = {
    "pipes": ["索 引 号 | 11500230/2024-00004 | 发布机构: | 某某镇人民政府",
              "成文日期 | 2024-01-15 | 文号 | 某政发〔2024〕3号 |"],
    "brackets": ["- [ 索引号 ] 11500230/2024-00004 [ 发文字号 ] 某政发〔2024〕3号",
                 "- [ 发布机构 ] 某某镇人民政府 [ 有效性 ]", "- [ 成文日期 ] 2024-01-15 [ 发布日期 ] 2024-01-20"],
    "spaced": ["索 引 号: 11500230/2024-00004 发 布 机 构: 某某镇人民政府", "成 文 日 期: 2024-01-15",
               "文     号: 某政发〔2024〕3号"],
    "label then value": ["• 索引号:", "11500230/2024-00004", "• 发布机构:", "某某镇人民政府",
                         "• 成文日期:", "2024-01-15", "• 发文字号:", "某政发〔2024〕3号", "• 主题分类:"],
    "one line": ["索引号：11500230/2024-00004 发布机构：某某镇人民政府 成文日期：2024-01-15 "
                 "文号：某政发〔2024〕3号 主题分类：司法"],
    "cells by spaces": ["索引号 11500230/2024-00004 发布机构 某某镇人民政府",
                        "成文日期 2024-01-15 文号 某政发〔2024〕3号"],
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_metadata_table_read_in_every_shape(shape):
    rows = SHAPES[shape]
    r = txt([*rows, TITLE, INTRO, *BODY])  # no signature: issuer and date come from the table
    assert r.issuer == "某某镇人民政府" and r.provenance["issuer"].source == "metadata"
    assert r.issued == "2024-01-15" and r.doc_number == "某政发〔2024〕3号"
    assert r.title == TITLE
    assert_clean(r, [x for x in rows if len(x) > 3])


def test_metadata_table_traditional_script():
    r = txt(["發布機構：某某鎮人民政府 成文日期：2024-01-15", "【字體：", TITLE, INTRO, *BODY])
    assert r.issuer == "某某镇人民政府" and r.issued == "2024-01-15"
    assert not any("字" in t and len(t) < 6 for t in texts(r))


@pytest.mark.parametrize("row", ["文号：某政发〔〕号 发布机构：某某镇人民政府", "[ 文号 ] 〔 〕号 [ 发布机构 ] 某某镇人民政府",
                                 "文号: 无 发布机构: 某某镇人民政府"])
def test_empty_doc_number_is_not_a_number(row):
    assert "文号" not in parse_labels(row) and parse_labels(row)["发布机构"] == "某某镇人民政府"
    r = txt([row, TITLE, INTRO, *BODY])
    assert r.doc_number is None


@pytest.mark.parametrize("text", [INTRO, "来源：本报讯，近日我镇开展了普法活动。", "时间过得很快，转眼一年。",
                                  "一、主要工作和成效", "区委、区政府："])
def test_report_text_is_not_a_metadata_row(text):
    assert not is_label_line(text)


def test_name_row_gives_the_title_when_the_text_has_none():
    r = txt(["标 题 | 某某市人民政府关于印发《某某市法治政府建设实施方案》的通知 |", "索引号 | 0001 |",
             "各县区人民政府，市政府各部门：", "《某某市法治政府建设实施方案》已经市政府同意，现印发给你们，请认真贯彻落实。"])
    assert r.title == "某某市人民政府关于印发《某某市法治政府建设实施方案》的通知"
    assert not r.title_derived and r.provenance["title"].source == "metadata"


# titles -------------------------------------------------------------------------------------------
def test_repeated_title_page_heading_then_document():
    r = txt([TITLE, "来源：某某镇 发布时间：2024-01-20 09:30", "某某镇人民政府关于2023年度法治政府建设工作情况的报告",
             INTRO, *BODY])
    assert r.title == TITLE
    assert not any("关于2023年度" in t for t in texts(r))
    assert "repeated_title" in {e.rule for e in r.log}


@pytest.mark.parametrize("pieces, title", [
    (["某某镇人民政府关于2023年度", "法治政府建设工作情况的报告"], "某某镇人民政府关于2023年度法治政府建设工作情况的报告"),
    (["关于2024年度某某街道法治政府建设", "情况的报告"], "关于2024年度某某街道法治政府建设情况的报告"),
    (["某某县人民政府", "关于某某县2023年法治政府建设", "工作情况的报告"], "某某县人民政府关于某某县2023年法治政府建设工作情况的报告"),
    (["某某县人民政府", "2024年法治政府建设年度报告"], "某某县人民政府2024年法治政府建设年度报告"),
    (["中共某某县某某镇委员会", "某某县某某镇人民政府", "关于2023年法治政府建设情况的报告"], "关于2023年法治政府建设情况的报告"),
])
def test_split_title_and_issuing_bodies(pieces, title):
    r = txt(["环球国际", *pieces, "县委、县政府：", INTRO, *BODY])
    assert r.title == title and not r.title_derived


def test_site_name_above_a_title_that_names_its_issuer_is_not_joined():
    r = txt(["某某市人民政府", "首页 >> 政府信息公开", "某某乡人民政府关于2022年法治政府建设工作情况报告", INTRO, *BODY])
    assert r.title == "某某乡人民政府关于2022年法治政府建设工作情况报告"


def test_generic_column_heading_loses_to_the_real_title():
    r = txt(["法治政府建设年度报告", "首页 > 法治政府建设年度报告", TITLE, INTRO, *BODY])
    assert r.title == TITLE


def test_title_above_a_subtitle():
    r = txt(["分享到：", "政府工作报告", "——2024年1月10日在某某镇第十八届人民代表大会第三次会议上", "镇长 王 五",
             "各位代表：", "现在，我代表镇人民政府向大会报告工作，请予审议。", *BODY])
    assert r.title == "政府工作报告" and not r.title_derived
    assert texts(r)[:2] == ["——2024年1月10日在某某镇第十八届人民代表大会第三次会议上", "镇长王五"]


def test_stamp_glued_before_title_and_body_on_one_line():
    stamp = "某某文库—全网资源每日更新www.example.com"
    line = f"{stamp}某某省人民政府关于2023年度法治政府建设情况的报告2023年，省政府坚持依法行政，推动法治政府建设取得新成效。"
    r = txt([line, f"一、坚持党的领导{stamp}，压实法治建设责任", "全年召开专题会议4次，研究解决重点问题。"])
    assert r.title == "某某省人民政府关于2023年度法治政府建设情况的报告"
    assert not any("www" in t or "文库" in t for t in texts(r))
    assert texts(r)[0].startswith("2023年，省政府坚持依法行政")


@pytest.mark.parametrize("head", [
    ["首页 > 政务公开 > 某某镇2023年法治政府建设工作情况报告"],
    ["[ 主题分类 ] 公安、安全、司法 [ 体裁分类 ] 工作报告"],
    ["名 称: 某某镇2023年法治政府建设工作情况报告", "文 号: 文件分类: 所属机构:"],
    ["1", "您当前的位置：首页>政务公开>工作报告"],
])
def test_title_never_contains_furniture(head):
    r = txt([*head, TITLE, INTRO, *BODY])
    assert r.title == TITLE


# HTML ---------------------------------------------------------------------------------------------
def test_html_page_furniture_removed_by_structure():
    body = "".join(f"<p>{html.escape(t)}</p>" for t in [INTRO, *BODY, *SIGNATURE])
    doc = f"""<html><head><meta charset="utf-8"><title>{TITLE}-某某县人民政府门户网站</title></head><body>
      <div class="top">某某县人民政府 <span>2019年12月3日 星期二</span></div>
      <div class="crumbs"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/x">乡镇动态</a></div>
      <div class="article"><h1>{TITLE}</h1>
        <div class="info">来源：某某镇人民政府 发布时间：2024-01-20 09:30 浏览次数：12</div>
        <div class="tools"><a>下载</a><a>打印</a><a>全屏</a><a>收藏</a></div>
        {body}
        <div class="links"><p>相关报道：</p><ul><li><a href="/1">某某镇召开法治政府建设推进会</a></li>
        <li><a href="/2">某某县2023年法治政府建设年度报告</a></li></ul></div>
      </div>
      <div class="bottom">主办单位：某某县人民政府办公室 网站标识码：1234567890</div></body></html>"""
    r = read_report(doc.encode("utf-8"), "page.html")
    assert r.title == TITLE and texts(r)[0] == INTRO
    for junk in ("星期二", "首页", "下载", "打印", "收藏", "相关报道", "推进会", "网站标识码", "浏览次数"):
        assert not any(junk in t for t in texts(r)), junk
    assert r.issuer == "某某镇人民政府" and r.issued == "2024-01-15"


def test_html_link_lists_are_navigation_links_in_text_are_not():
    menu = "".join(f'<li><a href="/{i}">{w}</a></li>' for i, w in enumerate(["魅力某某", "政务公开", "办事服务", "互动交流"]))
    linked = "镇司法所依照<a href=\"/law\">《中华人民共和国人民调解法》</a>规范调解程序，全年调解纠纷32件，调解成功率98%。"
    related = '<p><a href="/prev">某某镇召开安全生产工作会议</a></p>'  # a link standing between paragraphs
    body = "".join(f"<p>{t}</p>" for t in [INTRO, *BODY[:3], linked]) + related + "".join(f"<p>{t}</p>" for t in BODY[3:])
    doc = (f'<html><head><meta charset="utf-8"></head><body><div class="content"><ul>{menu}</ul>'
           f'<h2>{TITLE}</h2>{body}</div></body></html>')
    r = read_report(doc.encode("utf-8"), "page.html")
    assert r.title == TITLE
    assert not any(w in t for t in texts(r) for w in ("魅力某某", "办事服务", "安全生产工作会议"))
    assert any("人民调解法" in t for t in texts(r))


def test_issuing_bodies_below_a_page_heading_are_not_paragraphs():
    r = txt([TITLE, "中共某某镇委员会", "某某镇人民政府", "关于某某镇2023年度法治政府建设工作情况的报告", "县委、县政府：",
             INTRO, *BODY])
    assert r.title == TITLE and texts(r)[0] == INTRO


def test_issuing_bodies_above_the_title_are_not_paragraphs():
    r = txt(["中共某某县某某镇委员会", "某某县某某镇人民政府", "关于2023年法治政府建设情况的报告", "县委、县政府：", INTRO, *BODY])
    assert r.title == "关于2023年法治政府建设情况的报告"
    assert texts(r)[0] == INTRO


def test_heading_above_the_first_sentence_names_the_document():
    title = "某某区2015年推进依法行政工作情况及2016年工作打算"
    r = txt(["网站首页", title, "25.02.2016  10:00", INTRO, *BODY])
    assert r.title == title and not r.title_derived
    assert "25.02.2016" not in " ".join(texts(r))


def test_byline_above_the_first_sentence_is_no_title():
    r = txt(["某某客户端记者 张三 通讯员 李四", INTRO, *BODY])
    assert r.title_derived


def test_last_paragraph_cut_mid_sentence_is_kept():
    cut = "一是设立公开栏，公示单位工作人员姓名、职务、"
    r = txt([TITLE, INTRO, *BODY, cut, "扫一扫在手机打开当前页", "网站地图"])
    assert texts(r)[-1] == cut
