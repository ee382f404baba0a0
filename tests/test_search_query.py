"""The query language: what parses to what, and malformed input → one-line QueryError, fast."""
import time

import pytest

from archive.errors import QueryError
from index.query import And, Not, Or, Scope, Term, parse, parse_year


def test_quoted_phrases_in_every_quote_style():
    for q in ['"谁执法谁普法"', "“谁执法,谁普法”", "「谁执法、谁普法」", "『谁执法谁普法』"]:
        assert parse(q) == Term(q[1:-1], "谁执法谁普法", "phrase")


def test_unquoted_chinese_is_auto_and_other_text_is_words():
    assert parse("法律明白人").kind == "auto"
    assert parse("誰執法").folded == "谁执法"
    assert parse("2024").kind == "words"


def test_boolean_operators_and_precedence():
    q = parse("(普法 OR 宣传) 村 -调解")
    assert isinstance(q, And)
    assert isinstance(q.children[0], Or)
    assert q.children[1] == Term("村", "村", "auto")
    assert q.children[2] == Not(Term("调解", "调解", "auto"))
    assert parse("普法 或 调解") == parse("普法 OR 调解")
    assert parse("普法 与 调解") == parse("普法 AND 调解") == parse("普法 调解")
    assert parse("普法 非 调解") == parse("普法 NOT 调解") == parse("普法 -调解")


def test_chinese_operators_outside_operand_positions_are_text():
    assert parse("或") == Term("或", "或", "auto")
    assert parse("非") == Term("非", "非", "auto")
    assert parse("普法 或") == And((Term("普法", "普法", "auto"), Term("或", "或", "auto")))
    assert parse("非 调解") == Not(Term("调解", "调解", "auto"))


def test_field_scopes_with_aliases_and_full_width_colon():
    assert parse("town:赵集镇") == parse("镇：赵集镇") == Scope("town", "赵集镇")
    assert parse("county:衡阳县") == parse("县:衡阳县")
    assert parse("year:2024") == Scope("year", (2024, 2024))
    assert parse("年:2021-2024") == parse("year:2021–2024") == Scope("year", (2021, 2024))
    assert parse("section:problems") == parse("部分:问题") == Scope("section", "problems")
    assert parse("部分:计划") == Scope("section", "plans")
    assert parse("heading:普法") == parse("标题:普法") == Scope("heading", "普法")
    assert parse('town:"赵集镇"') == Scope("town", "赵集镇")


def test_colon_after_long_chinese_text_is_just_text():
    assert parse("现将有关情况报告如下:一是").kind == "auto"


def test_hyphen_inside_a_word_is_not_a_negation():
    assert parse("2021-2025年") == Term("2021-2025年", "20212025年", "auto")


@pytest.mark.parametrize("query, fragment", [
    ('"法律明白人', "引号不成对"),
    ("“法律明白人", "引号不成对"),
    ("法律」", "引号不成对"),
    ("(普法 OR 调解", "括号不成对"),
    ("普法)", "括号不成对"),
    ("()", "括号里没有内容"),
    ("year:abc", "年份"),
    ("year:1800", "年份"),
    ("foo:bar", "不认识字段"),
    ("作者:张三", "不认识字段"),
    ("section:xyz", "部分"),
    ("town:", "后面缺少内容"),
    ("*", "通配符"),
    ("法*", "通配符"),
    ("普法 OR", "缺少检索词"),
    ("AND 普法", "缺少检索词"),
    ("NOT", "缺少检索词"),
    ("", "为空"),
    ("  ，。！ ", "为空"),
    ('""', "为空"),
    ("法" * 5000, "太长"),
    ("(" * 200 + "法" + ")" * 199, "括号不成对"),
    ("(" * 200 + "法" + ")" * 200, "嵌套太深"),
])
def test_malformed_queries_raise_a_one_line_message_quickly(query, fragment):
    started = time.monotonic()
    with pytest.raises(QueryError) as info:
        parse(query)
    assert time.monotonic() - started < 1.0
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and len(message) < 200


def test_year_filters_accept_ints_tuples_and_text():
    assert parse_year(2024) == (2024, 2024)
    assert parse_year((2024, 2021)) == (2021, 2024)
    assert parse_year("2021~2024") == (2021, 2024)
    with pytest.raises(QueryError):
        parse_year("next year")
