"""Headings (levels, sequence check), parts and paragraph ids."""
from archive.model import heading_paths
from importers import read_report
from importers.document import Line
from importers.sections import build, classify

INTRO = "2023年，某某镇坚持依法行政，现将有关情况报告如下："


def paragraphs(texts, closing=0):
    lines = [Line(t, simple=t) for t in texts]
    return build(lines, len(lines) - closing)


def outline(ps):
    return [(p.id, p.kind, p.level, p.part) for p in ps]


def test_levels_and_ids():
    ps = paragraphs([INTRO, "一、工作开展情况", "（一）加强领导", "正文一。", "1.健全机制", "正文二。",
                     "（1）细则", "①要点", "正文三。", "（二）规范执法", "正文四。", "覃斗镇人民政府", "2020年4月13日"],
                    closing=2)
    assert outline(ps) == [
        ("导语.1", "text", 0, "intro"),
        ("一", "heading", 1, "work"),
        ("一.（一）", "heading", 2, "work"),
        ("一.（一）.1", "text", 0, "work"),
        ("一.（一）.1、", "heading", 3, "work"),
        ("一.（一）.1、.1", "text", 0, "work"),
        ("一.（一）.1、.（1）", "heading", 4, "work"),
        ("一.（一）.1、.（1）.①", "heading", 5, "work"),
        ("一.（一）.1、.（1）.①.1", "text", 0, "work"),
        ("一.（二）", "heading", 2, "work"),
        ("一.（二）.1", "text", 0, "work"),
        ("落款.1", "text", 0, "closing"),
        ("落款.2", "text", 0, "closing"),
    ]
    assert [p.heading_path for p in ps] == heading_paths(ps)
    assert ps[8].heading_path == ["一、工作开展情况", "（一）加强领导", "1.健全机制", "（1）细则", "①要点"]


def test_numbers_out_of_sequence_are_text():
    ps = paragraphs([INTRO, "一、工作情况", "1.2万份资料已发放。", "三、这一行编号跳了两级，又很长，不是标题，而是一段正文的开头。",
                     "二、存在问题", "正文。"])
    assert [(p.id, p.kind) for p in ps] == [("导语.1", "text"), ("一", "heading"), ("一.1", "text"),
                                           ("一.2", "text"), ("二", "heading"), ("二.1", "text")]


def test_one_skipped_number_on_a_short_heading_is_accepted():
    ps = paragraphs([INTRO, "一、工作情况", "正文。", "三、下一步打算", "正文。"])
    assert [p.id for p in ps if p.kind == "heading"] == ["一", "三"]


def test_part_headings_shift_levels():
    ps = paragraphs([INTRO, "第一部分 工作情况", "一、加强领导", "正文。", "第二部分 存在的问题", "正文。"])
    assert [(p.id, p.level, p.part) for p in ps if p.kind == "heading"] == [
        ("第一部分", 1, "work"), ("第一部分.一", 2, "work"), ("第二部分", 1, "problems")]


def test_restarted_numbering_gets_unique_ids():
    ps = paragraphs([INTRO, "一、工作情况", "1、甲", "2、乙", "1、丙", "正文。"])
    ids = [p.id for p in ps]
    assert len(ids) == len(set(ids)) and "一.1、~2" in ids


def test_classify_part_words():
    for text in ("二、存在的问题", "二、存在的不足和原因", "三、存在问题及原因", "二、存在的不足"):
        assert classify(text)[0] == "problems", text
    for text in ("三、下一步工作打算", "四、下一步工作计划", "三、下一步打算", "（二）改进措施", "五、2025年工作思路",
                 "四、工作谋划"):
        assert classify(text)[0] == "plans", text
    assert classify("六、存在问题及改进措施") == ("problems", True)
    assert classify("一、2024年度法治政府建设工作开展情况") == (None, False)


def test_problem_words_in_a_work_subheading_do_not_change_its_part():
    ps = paragraphs([INTRO, "一、工作情况", "（一）着力解决存在问题", "正文。", "二、下一步打算", "正文。"])
    assert [p.part for p in ps] == ["intro", "work", "work", "work", "plans", "plans"]


def test_ids_are_stable_when_the_same_file_is_reimported_in_another_format():
    text = "\n".join([INTRO, "一、工作情况", "正文。", "二、存在的问题", "正文。"])
    a = read_report(text.encode("utf-8"), "a.txt")
    b = read_report(text.encode("utf-16"), "b.txt")
    assert [p.id for p in a.paragraphs] == [p.id for p in b.paragraphs]


def test_numbered_sentences_are_list_items_of_content_with_the_ids_numbers_give():
    """Issue 14: a numbered line that states something is content at its level, even when
    nothing follows it; a numbered label with lines under it stays a heading; ids are the
    numbers either way, and text after an item is numbered under it."""
    ps = paragraphs([INTRO, "一、存在的问题", "主要表现在：",
                     "1、依法行政的水平有待进一步提高，普法活动有待进一步深入。",
                     "2、农村的法治氛围不够浓厚", "群众学法的氛围不浓。",
                     "3、短句条目",
                     "二、下一步工作计划", "（一）继续加强领导", "镇党委定期研究法治工作。",
                     "（二）理顺行政执法办公室和行政执法大队职责职能，使之在法治政府建设中发挥应有的作用。",
                     "（三）持续开展普法宣传"])
    assert outline(ps) == [
        ("导语.1", "text", 0, "intro"),
        ("一", "heading", 1, "problems"),
        ("一.1", "text", 0, "problems"),
        ("一.1、", "text", 0, "problems"),      # a sentence, nothing under it
        ("一.2、", "text", 0, "problems"),      # a finding (不够浓厚), though a line follows
        ("一.2、.1", "text", 0, "problems"),
        ("一.3、", "text", 0, "problems"),      # heads nothing: the next line is a sibling's
        ("二", "heading", 1, "plans"),
        ("二.（一）", "heading", 2, "plans"),  # a label over its text
        ("二.（一）.1", "text", 0, "plans"),
        ("二.（二）", "text", 0, "plans"),     # a full sentence
        ("二.（三）", "text", 0, "plans"),     # the last line heads nothing
    ]
    assert ps[5].heading_path == ["一、存在的问题"]  # an item is not a heading of what follows


def test_a_laws_enumerated_cases_are_content_and_its_chapters_headings():
    ps = paragraphs(["第一章 总则", "第一条 为了保守国家秘密，制定本法。", "第二条 有下列行为之一的，依法处理：",
                     "（一）为境外窃取、刺探、收买、非法提供国家秘密的；", "（二）泄露国家秘密的；",
                     "第二章 附则", "第三条 本法自公布之日起施行。"])
    assert [(p.id, p.kind) for p in ps] == [
        ("第一章", "heading"), ("第一章.1", "text"), ("第一章.2", "text"),
        ("第一章.（一）", "text"), ("第一章.（二）", "text"),
        ("第二章", "heading"), ("第二章.1", "text")]


def test_a_shortfall_outside_the_problems_part_is_a_label():
    ps = paragraphs(["一、主要工作", "（一）补齐基层法治薄弱环节", "开展法治示范村创建。"])
    assert [p.kind for p in ps] == ["heading", "heading", "text"]
