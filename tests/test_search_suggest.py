"""Helpful empty results (issue 14): phrases near a mistyped one, found through the exact
layer (base and delta), checked against a brute-force scan; the scopes that empty a search
named; the quotes advice only when quotes were typed — in the index, the page and the CLI."""
from __future__ import annotations

import json
from dataclasses import replace

from analysis.empty import reasons
from archive.folding import fold
from cli.main import main
from helpers import brute_force, crafted_report, sample_reports, stored_lines


def occurs(reports, phrase) -> int:
    return len(brute_force(reports, phrase))


def test_a_one_character_typo_suggests_the_phrase_that_occurs(fresh_index):
    reports = sample_reports() + [crafted_report()]
    assert occurs(reports, "法律明百人") == 0 and occurs(reports, "法律明白人") > 0
    found = fresh_index.suggest("法律明百人")
    assert found[0].phrase == "法律明白人" and found[0].paragraphs == occurs(reports, "法律明白人")
    assert all(s.paragraphs == occurs(reports, s.phrase) > 0 for s in found)
    # quoted, beside another word: the link replaces only the mistyped phrase
    quoted = fresh_index.suggest('"谁执法谁普发" 调解')
    assert quoted[0].phrase == "谁执法谁普法" and quoted[0].query == '"谁执法谁普法" 调解'
    # a phrase written after the exact base (the delta) is found too
    target = reports[0]
    fresh_index.update(replace(target, paragraphs=target.paragraphs + [
        replace(target.paragraphs[-1], id="落款.99", text="诉源治理工作站", text_original="诉源治理工作站")]))
    assert fresh_index.snapshot().delta_chars
    assert [s.phrase for s in fresh_index.suggest("诉源治里工作站")] == ["诉源治理工作站"]


def test_every_suggestion_is_one_or_two_characters_away_and_occurs(sample_index):
    reports = sample_reports() + [crafted_report()]
    texts = [fold(t) for r in reports for _, t in stored_lines(r)]
    for typed in ("法治政俯建设", "依法行证", "人民调觧"):
        for s in sample_index.suggest(typed, limit=10):
            assert s.paragraphs == sum(s.phrase in t for t in texts) > 0
            assert s.phrase not in fold(typed) and abs(len(s.phrase) - len(fold(typed))) <= 2


def test_an_empty_scope_is_named_not_the_words(sample_index):
    assert reasons(sample_index, "year:2030 法律明白人", {}) == ["档案中没有 2030 年的报告"]
    assert reasons(sample_index, "法律明白人", {"town": "没有这个镇"}) == ["档案中没有乡镇“没有这个镇”的报告"]
    assert reasons(sample_index, "法律明白人", {"town": "赵集镇", "year": 2019}) == [
        "乡镇“赵集镇”没有 2019 年的报告"]
    assert reasons(sample_index, "部分:问题 法治", {"town": "赵集镇", "year": 2019}) == [
        "档案中没有同时符合“存在问题”部分、乡镇“赵集镇”、2019 年的报告"]
    assert reasons(sample_index, "法律明百人", {}) == []  # the words, not a scope


def test_the_page_offers_the_phrase_and_names_the_scope(client):
    html = client.get("/?q=法律明百人").get_data(as_text=True)
    assert 'data-testid="did-you-mean"' in html and ">法律明白人</a>" in html
    assert "去掉引号" not in html
    html = client.get("/?q=year:2030+法律明白人").get_data(as_text=True)
    assert "档案中没有 2030 年的报告" in html and 'data-testid="did-you-mean"' not in html
    html = client.get('/?q="没有这句话的任何痕迹"').get_data(as_text=True)
    assert "去掉引号" in html                    # quotes typed: removing them is advice
    html = client.get("/?q=没有这句话的任何痕迹").get_data(as_text=True)
    assert "去掉引号" not in html
    api = client.get("/api/search?q=法律明百人").get_json()
    assert api["total_paragraphs"] == 0 and api["suggestions"][0]["phrase"] == "法律明白人"


def test_the_cli_says_the_same(sample_data_dir, capsys):
    capsys.readouterr()
    assert main(["--data", str(sample_data_dir), "search", "法律明百人"]) == 0
    assert "您要找的是不是：法律明白人（" in capsys.readouterr().out
    assert main(["--data", str(sample_data_dir), "search", "year:2030 法律明白人"]) == 0
    assert "档案中没有 2030 年的报告" in capsys.readouterr().out
    assert main(["--data", str(sample_data_dir), "search", "法律明百人", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["suggestions"][0]["phrase"] == "法律明白人"
