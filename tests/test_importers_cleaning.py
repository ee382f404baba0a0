"""One test (or a few) per cleaning rule, with simplified and traditional inputs; each rule
must log what it changed as (rule, before, after)."""
import pytest

from importers.cleaning import clean
from importers.cleaning.debris import handle_encoding_debris
from importers.cleaning.junk import drop_junk_lines
from importers.cleaning.metadata_lines import take_metadata_lines
from importers.cleaning.punctuation import fix_punctuation, normalise_punctuation
from importers.cleaning.ruby import drop_pinyin_ruby
from importers.cleaning.runin import split_run_in_headings
from importers.cleaning.titles import drop_repeated_titles, join_split_title
from importers.cleaning.whitespace import normalise_whitespace
from importers.cleaning.wrap import join_hard_wraps
from importers.document import Cleaning, Line

BODY = "现将我镇2023年法治政府建设工作情况报告如下：全镇上下认真贯彻落实上级部署，取得了明显成效。"
BODY_T = "現將我鎮2023年法治政府建設工作情況報告如下：全鎮上下認真貫徹落實上級部署，取得了明顯成效。"


def run(rule, texts):
    c = Cleaning()
    out = rule([Line(t) for t in texts], c)
    return [x.text for x in out], c


# whitespace -----------------------------------------------------------------------------------
@pytest.mark.parametrize("before, after", [
    ("　　法 治政府建设", "法治政府建设"),
    ("2020 年 共 22 名", "2020年共22名"),
    ("一、 赵集镇", "一、赵集镇"),
    ("一、 趙集鎮", "一、趙集鎮"),
    ("工作, 建立", "工作,建立"),
    ("使用 PDF 文件 and Word", "使用 PDF 文件 and Word"),
])
def test_whitespace(before, after):
    out, c = run(normalise_whitespace, [before])
    assert out == [after]
    assert [e.rule for e in c.log] == (["whitespace"] if before.strip("　") != after else [])


def test_whitespace_drops_blank_and_invisible():
    out, _ = run(normalise_whitespace, ["\u200b", "\xa0 ", "法\u200b治"])
    assert out == ["法治"]


# metadata lines -------------------------------------------------------------------------------
def test_metadata_lines_become_metadata():
    out, c = run(take_metadata_lines, ["索引号：0001  发布机构：覃斗镇人民政府", "成文日期：2020-04-13", BODY])
    assert out == [BODY]
    assert c.meta == {"索引号": "0001", "发布机构": "覃斗镇人民政府", "成文日期": "2020-04-13"}
    assert [e.rule for e in c.log] == ["metadata_line", "metadata_line"]


# junk lines -----------------------------------------------------------------------------------
@pytest.mark.parametrize("junk", [
    "英国威廉希尔公司", "澳门葡京娱乐城", "图片", "【图片】", "扫一扫在手机打开当前页", "【字体：大 中 小】",
    "分享到：", "【打印本页】【关闭窗口】", "浏览次数：1234", "您当前的位置：首页 > 政务公开", "首页 > 政务公开 > 法治",
    "上一篇：关于开展普法的通知", "版权所有：某县人民政府", "http://www.example.gov.cn/a.html",
    "掃一掃在手機打開當前頁", "某某科技有限公司", "下载 打印 全屏 收藏 【字号： 加大 还原 减小 】", "【打印】【关闭】【纠错】",
])
def test_junk_lines_dropped(junk):
    out, c = run(drop_junk_lines, [junk, "三湖镇2024年度法治政府建设年度报告", BODY])
    assert out == ["三湖镇2024年度法治政府建设年度报告", BODY]
    assert [(e.rule, e.before, e.after) for e in c.log] == [("junk_line", junk, "")]


@pytest.mark.parametrize("keep", [
    "一、关闭窗口式执法问题整改情况，共整改问题12个，涉及打印本页等环节的规范。",  # long body text
    "（三）深化普法宣传", "覃斗镇人民政府", "湛江市供电有限公司",
])
def test_report_lines_kept(keep):
    # A company name is junk only before the report starts; here it follows the body.
    out, c = run(drop_junk_lines, [BODY, keep])
    assert out == [BODY, keep] and c.log == []


# pinyin ruby ----------------------------------------------------------------------------------
@pytest.mark.parametrize("before, after", [
    ("黔江區馬喇鎮人民政府關(guān)于", "黔江區馬喇鎮人民政府關于"),
    ("社會(huì )主義", "社會主義"),
    ("新時(shí)代", "新時代"),
    ("关(guān)于", "关于"),
])
def test_pinyin_ruby_removed(before, after):
    out, c = run(drop_pinyin_ruby, [before])
    assert out == [after] and [e.rule for e in c.log] == ["pinyin_ruby"]


@pytest.mark.parametrize("text", ["（一）加強組織領導", "《法治政府建设实施纲要(2021—2025年)》", "村(社区)", "系统(app)"])
def test_real_parentheses_kept(text):
    out, c = run(drop_pinyin_ruby, ["新時(shí)代", text])
    assert out[1] == text


def test_toneless_pinyin_only_in_ruby_documents():
    assert run(drop_pinyin_ruby, ["的(de)"])[0] == ["的(de)"]
    assert run(drop_pinyin_ruby, ["時(shí)間", "好的(de)"])[0] == ["時間", "好的"]


# encoding debris ------------------------------------------------------------------------------
def test_inner_question_mark_kept_and_flagged():
    text = "围绕4?15”国家安全日、“12?4”宪法宣传周等节点"
    out, c = run(handle_encoding_debris, [text])
    assert out == [text]
    assert c.flags == ["encoding_debris"] and c.log[0].rule == "encoding_debris"


@pytest.mark.parametrize("before, after", [
    ("??? 二是进一步丰富创新法治宣传教育的方式方法", "二是进一步丰富创新法治宣传教育的方式方法"),
    ("??? 二是進一步豐富創新法治宣傳教育的方式方法", "二是進一步豐富創新法治宣傳教育的方式方法"),
    ("不断提升群众法律意识。???", "不断提升群众法律意识。"),
])
def test_edge_debris_removed(before, after):
    out, c = run(handle_encoding_debris, [before])
    assert out == [after] and c.flags == ["encoding_debris"]


def test_lone_question_mark_lines_removed():
    out, c = run(handle_encoding_debris, ["?", "？", BODY])
    assert out == [BODY] and len(c.log) == 2


def test_latin_question_mark_untouched():
    out, c = run(handle_encoding_debris, ["详见 http://a.gov.cn/x?id=3 页面"])
    assert c.flags == [] and c.log == []


# punctuation ----------------------------------------------------------------------------------
@pytest.mark.parametrize("before, after", [
    ("2024年,赵集镇坚持", "2024年，赵集镇坚持"),
    ("2023年,馬喇鎮堅持", "2023年，馬喇鎮堅持"),
    ("总结如下:", "总结如下："),
    ("原则;矛盾", "原则；矛盾"),
    ("(一)加强组织领导", "（一）加强组织领导"),
    ("《纲要(2021—2025年)》", "《纲要（2021—2025年）》"),
    ("(2021—2025年)", "（2021—2025年）"),
    ("村(社区)负责人", "村（社区）负责人"),
    ("发放宣传资料1.2万份,覆盖8.3万亩", "发放宣传资料1.2万份，覆盖8.3万亩"),
    ("共1,000人,占100%", "共1,000人，占100%"),
    ("时间10:30,地点", "时间10:30，地点"),
    ("使用 Word, PDF (scanned) 格式", "使用 Word, PDF (scanned) 格式"),
    ("2020-04-13", "2020-04-13"),
])
def test_punctuation(before, after):
    assert fix_punctuation(before) == after
    _, c = run(normalise_punctuation, [before])
    assert len(c.log) == (before != after)


# split and repeated titles --------------------------------------------------------------------
def test_split_title_joined_and_repeat_dropped_traditional():
    lines = ["黔江區馬喇鎮人民政府關于馬喇鎮2023年度法治政府建設工作情況的報告",
             "黔江區馬喇鎮人民政府", "關于馬喇鎮2023年法治政府建設工作", "情況的報告", BODY_T]
    out, c = run(join_split_title, lines)
    assert out[1] == "黔江區馬喇鎮人民政府關于馬喇鎮2023年法治政府建設工作情況的報告"
    out, c2 = run(drop_repeated_titles, out)
    assert out == [lines[0], BODY_T]
    assert [e.rule for e in c.log + c2.log] == ["split_title", "repeated_title"]


def test_split_title_simplified_two_lines():
    out, c = run(join_split_title, ["XX镇人民政府关于2022年度", "法治政府建设工作情况的报告", "县委、县政府：", BODY])
    assert out[0] == "XX镇人民政府关于2022年度法治政府建设工作情况的报告" and out[1] == "县委、县政府："


def test_addressee_and_doc_number_not_glued_to_title():
    lines = ["雷东府〔2025〕26号", "圣灯山镇2021年法治政府建设工作情况报告", "区委、区政府：", BODY]
    assert run(join_split_title, lines)[0] == lines


# hard wraps -----------------------------------------------------------------------------------
def test_hard_wrap_inside_word_joined_traditional():
    out, c = run(join_hard_wraps, ["（二）重學習強本領，持續提升依法決策能力，通", "過黨委會、黨委理論學習中心組學習。"])
    assert out == ["（二）重學習強本領，持續提升依法決策能力，通過黨委會、黨委理論學習中心組學習。"]
    assert c.log[0].rule == "hard_wrap"


def test_hard_wrap_after_comma_joined():
    out, _ = run(join_hard_wraps, ["全镇上下紧紧围绕法治政府建设工作目标，", "不断提高认识。"])
    assert out == ["全镇上下紧紧围绕法治政府建设工作目标，不断提高认识。"]


def test_headings_and_sentences_not_joined():
    lines = ["（一）加强组织领导，抓好制度建设", "赵集镇政府始终把依法行政作为政府运作的根本准则。",
             "二、存在的问题", "覃斗镇人民政府", "2020年4月13日"]
    out, c = run(join_hard_wraps, lines)
    assert out == lines and c.log == []


def test_fixed_width_wrapping_joined():
    text = "赵集镇政府始终把依法行政作为政府运作的根本准则镇政府把依法行政工作与经济工作同安排共部署并由主要领导率先垂范积极履行推进法治政府建设第一责任人职责对法治政府建设重要工作亲自部署重大问题亲自过问重点环节亲自协调。"
    lines = [text[i:i + 20] for i in range(0, len(text), 20)]
    out, _ = run(join_hard_wraps, lines)
    assert out == [text]


# run-in headings ------------------------------------------------------------------------------
@pytest.mark.parametrize("line, heading, rest", [
    ("（一）强化组织领导，筑牢法治建设根基一是健全工作机制。成立领导小组。",
     "（一）强化组织领导，筑牢法治建设根基", "一是健全工作机制。成立领导小组。"),
    ("（一）存在问题。一是全镇依法行政工作存在不平衡。", "（一）存在问题", "一是全镇依法行政工作存在不平衡。"),
    ("（一）存在問題。一是全鎮依法行政工作存在不平衡。", "（一）存在問題", "一是全鎮依法行政工作存在不平衡。"),
    ("1.积极推动政府职能转变。正确处理好政府与市场的关系。", "1.积极推动政府职能转变", "正确处理好政府与市场的关系。"),
    ("（二）规范执法履职，提升依法行政效能是强化执法规范。二是优化营商法治环境。",
     "（二）规范执法履职，提升依法行政效能", "是强化执法规范。二是优化营商法治环境。"),
    ("（二）重學習強本領，持續提升依法決策能力，通過黨委會、黨委理論學習中心組學習、主題教育“讀書班”和自學的方式，對法規進行了學習。",
     "（二）重學習強本領，持續提升依法決策能力", "通過黨委會、黨委理論學習中心組學習、主題教育“讀書班”和自學的方式，對法規進行了學習。"),
])
def test_run_in_heading_split(line, heading, rest):
    out, c = run(split_run_in_headings, [line])
    assert out == [heading, rest]
    assert (c.log[0].rule, c.log[0].before, c.log[0].after) == ("run_in_heading", line, f"{heading}\n{rest}")


@pytest.mark.parametrize("line", [
    "一、赵集镇法治政府建设工作情况",
    "五、强化廉政建设，推进依法行政。",
    "4、理顺行政执法办公室和行政执法大队职责职能，使之在法治政府建设中发挥应有的作用。",
    "2024年，赵集镇结合“八五”普法，一是加强教育培训。",
    "1.2万份宣传资料已发放。",
])
def test_not_run_in(line):
    out, c = run(split_run_in_headings, [line])
    assert out == [line] and c.log == []


# the pipeline ---------------------------------------------------------------------------------
def test_every_change_is_logged():
    lines = [Line(t) for t in ["英国威廉希尔公司", "图片", "三湖镇2024年度法治政府建设年度报告", "?",
                               "2024年,三湖镇 坚持依法行政。", "扫一扫在手机打开当前页"]]
    out, c = clean(lines)
    assert [x.text for x in out] == ["三湖镇2024年度法治政府建设年度报告", "2024年，三湖镇坚持依法行政。"]
    assert [e.rule for e in c.log] == ["whitespace", "junk_line", "junk_line", "junk_line",
                                       "encoding_debris", "punctuation"]


def test_spam_keywords_injected_inside_a_sentence_removed():
    text = "市政府、bei365官网_365bet体育在线平台_beat365最新版政府荣获全省法治政府建设示范市称号。"
    out, c = run(drop_junk_lines, [BODY, text])
    assert out == [BODY, "市政府、政府荣获全省法治政府建设示范市称号。"]
    assert [(e.rule, e.before) for e in c.log] == [("junk_line", text)]
    kept = "按照“放管服”改革要求，开通政务服务APP和网上办事大厅，群众办事更加便捷。"
    assert run(drop_junk_lines, [BODY, kept])[0] == [BODY, kept]


def test_a_wikisource_licence_notice_is_furniture():
    """Issue 15: the State Council's reports copied from Wikisource end with the licence notice,
    its linked words on lines of their own, and the template's leftovers."""
    from importers.cleaning.licence import drop_licence_footer
    body = ["各位代表：", "让我们万众一心，为实现中华民族的伟大复兴而奋斗！"]
    notice = ["本作品是中华人民共和国的", "法律", "、", "法规", "，国家机关的决议、决定、命令和其他文件。根据《",
              "中华人民共和国著作权法", "》第五条第一项，本作品不适用于该法，属于", "公有领域", "。",
              "注：中文维基文库社群认为，中华人民共和国公务演讲，", "不总是", "具有立法、行政、司法性质的文件。",
              "Public domain", "Public domain", "false", "false"]
    c = Cleaning()
    out = drop_licence_footer([Line(t) for t in body + notice], c)
    assert [x.text for x in out] == body
    assert len(c.log) == len(notice) and {e.rule for e in c.log} == {"licence_footer"}
    kept = [Line(t) for t in body + ["本作品由镇司法所起草。"]]   # no licence words: the report's own
    assert drop_licence_footer(kept, Cleaning()) == kept
