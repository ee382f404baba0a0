"""/compare: the aligned grid, shared sentences, quick picks, plans → work, and the chooser."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from helpers import SHARED


@pytest.fixture
def handmade(handmade_app):
    return handmade_app.test_client()


def compare(client, query):
    response = client.get("/compare?" + query)
    return response, response.get_data(as_text=True)


A, B, M = quote("赵集镇-2023"), quote("赵集镇-2024"), quote("马喇镇-2023")


def cells(html, side):
    return re.findall(rf'<div class="cmp-cell cmp-{side}( is-empty)?" data-testid="cell-{side}"', html)


def test_two_columns_aligned_part_by_part_and_heading_by_heading(handmade):
    response, html = compare(handmade, f"a={A}&b={B}")
    assert response.status_code == 200
    parts = re.findall(r'data-part-a="(\w+)" data-part-b="(\w+)"', html)
    assert parts == [(p, p) for p in ("intro", "work", "problems", "plans", "closing")]
    left, right = cells(html, "a"), cells(html, "b")
    assert len(left) == len(right)                     # one grid row per aligned pair
    # 2023's "（二）规范行政执法行为" and 2024's "（二）深化法治宣传教育" share no heading words,
    # but their text is the same 普法 paragraph: paired by content, no half-empty row
    assert left.count(" is-empty") == 0 and right.count(" is-empty") == 0
    row = html.index("加强组织领导，抓好制度建设")
    assert html.index("加强组织领导，抓好制度建设", row + 1) < html.index("规范行政执法行为")
    pair = html[html.index("规范行政执法行为"):]
    pair = pair[:pair.index('data-testid="cell-a"')]
    assert 'data-basis="content"' in pair and "深化法治宣传教育" in pair


def test_shared_sentences_highlighted_in_both_columns_with_shares(handmade):
    _, html = compare(handmade, f"a={A}&b={B}")
    assert html.count(f"<mark>{SHARED}</mark>") == 2
    assert "<mark>全年召开专题会议" not in html         # differs by a number: not the same sentence
    assert "<mark>（一）加强组织领导" not in html       # headings are aligned, not counted
    share_a = float(re.search(r'data-testid="share-a" data-share="([\d.]+)"', html).group(1))
    share_b = float(re.search(r'data-testid="share-b" data-share="([\d.]+)"', html).group(1))
    assert 0 < share_a < 1 and 0 < share_b < 1
    assert re.search(r"A 的 <strong>\d+%</strong> 与 B 相同", html)


def test_plans_of_one_year_beside_work_of_the_next(handmade):
    _, html = compare(handmade, f"a={A}&b={B}&mode=plans2work")
    assert re.findall(r'data-part-a="(\w+)" data-part-b="(\w+)"', html) == [("plans", "work")]
    # "（一）深化法治宣传教育" planned in 2023 is a work heading in 2024: same row
    rows = html.split('data-testid="cell-a"')[1:]
    paired = [r for r in rows if r.count("深化法治宣传教育") == 2]
    assert len(paired) == 1


def test_quick_picks_same_town_same_county_and_plans(handmade):
    _, html = compare(handmade, f"a={A}&b={M}")
    picks = html.split('data-testid="quick-picks"')[1].split("</details>")[0]
    assert 'data-kind="town"' in picks and 'data-kind="county"' in picks
    assert f"a={A}&amp;b={B}&amp;mode=plans2work" in picks
    assert f"a={A}&amp;b={M}" in picks                     # same year, same county, other town


def test_traditional_report_compared_in_either_script(handmade):
    _, html = compare(handmade, f"a={M}&b={A}")
    assert "馬喇鎮堅持" in html
    _, html = compare(handmade, f"a={M}&b={A}&script=simplified")
    assert "马喇镇坚持" in html and "馬喇鎮堅持" not in html


def test_hostile_text_is_escaped(handmade):
    _, html = compare(handmade, f"a={M}&b={A}")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("query", ["", f"a={A}", f"a={A}&b=不存在-1999", "a=../../etc/passwd&b=x",
                                   f"a={A}&mode=plans2work"])
def test_missing_or_unknown_ids_show_the_chooser(handmade, query):
    response, html = compare(handmade, query)
    assert response.status_code == 200
    assert 'data-testid="compare-choose"' in html
    assert 'data-testid="filter-a"' in html and 'data-testid="filter-b"' in html
    if "不存在" in query:
        assert "找不到编号为“不存在-1999”的报告" in html
    if query.startswith(f"a={A}"):
        assert listed(html, "a") == [("赵集镇-2023", " checked")]
        assert 'data-testid="quick-picks"' in html


def test_unknown_mode_falls_back_to_parts(handmade):
    response, html = compare(handmade, f"a={A}&b={B}&mode=bogus")
    assert response.status_code == 200
    assert len(re.findall(r'data-testid="compare-part"', html)) == 5


def test_compare_two_samples(client, sample_app):
    from webapp.services import get_archive
    with sample_app.app_context():
        ids = [s.id for s in get_archive().summaries()]
    response, html = compare(client, f"a={quote(ids[0])}&b={quote(ids[1])}")
    assert response.status_code == 200
    assert len(cells(html, "a")) == len(cells(html, "b")) > 3
    assert 'data-testid="share-a"' in html


def test_chooser_names_the_county_or_says_it_is_unknown(client):
    """Three samples state no county: the chooser says 未注明县区 instead of failing."""
    page = client.get("/compare?fa=" + quote("镇")).get_data(as_text=True)
    assert '<span class="muted">未注明县区</span>' in page and '<span class="muted">衡阳县</span>' in page
    assert len(listed(page, "a")) == 5


# -- within reach: menu, links, picker ---------------------------------------------------------

@pytest.mark.parametrize("path", ["/", f"/report/{B}", "/towns", "/basket"])
def test_compare_is_in_the_menu_of_every_page(handmade, path):
    html = handmade.get(path).get_data(as_text=True)
    assert re.search(r'<a href="/compare" data-testid="nav-compare"[^>]*>对照阅读</a>', html)


def test_report_page_and_result_groups_link_to_compare_with_the_report_chosen(handmade):
    html = handmade.get(f"/report/{B}").get_data(as_text=True)
    assert f'href="/compare?a={B}" data-testid="compare-any"' in html
    html = handmade.get("/?q=普法").get_data(as_text=True)
    groups = re.findall(r'data-report-id="([^"]+)"', html)
    links = re.findall(r'href="/compare\?a=([^"]+)" data-testid="compare-link"', html)
    assert groups and [quote(g) for g in groups] == links


def listed(html, side):
    """The reports a picker lists: [(id, checked)]."""
    block = html.split(f'data-testid="choose-{side}"')[1].split("</div>")[0]
    return re.findall(r'<input type="radio" name="%s" value="([^"]+)" required( checked)?>' % side, block)


def test_picker_filters_by_town_county_and_year_without_js(handmade):
    html = handmade.get("/compare?" + "fa=" + quote("赵集 2024") + "&fb=" + quote("泗县 2023")).get_data(as_text=True)
    assert listed(html, "a") == [("赵集镇-2024", "")]
    assert sorted(v for v, _ in listed(html, "b")) == ["赵集镇-2023", "马喇镇-2023"]
    assert "匹配 1 份（共 3 份）" in html and "匹配 2 份（共 3 份）" in html
    assert "年份不详年" not in html


def test_picker_lists_nothing_until_something_is_typed(handmade):
    html = handmade.get("/compare").get_data(as_text=True)
    assert listed(html, "a") == [] and listed(html, "b") == [] and "共 3 份：输入乡镇" in html
    assert "<optgroup" not in html and html.count("<option") == 2      # only the mode select


def test_picker_matches_traditional_input_and_pinyin_and_keeps_the_chosen_report(handmade):
    html = handmade.get(f"/compare?a={M}&fa=" + quote("趙集") + "&fb=" + quote("趙集")).get_data(as_text=True)
    assert {v for v, _ in listed(html, "b")} == {"赵集镇-2023", "赵集镇-2024"}
    assert listed(html, "a")[0] == ("马喇镇-2023", " checked")          # the chosen report stays, first
    assert {v for v, _ in listed(html, "a")} == {"赵集镇-2023", "赵集镇-2024", "马喇镇-2023"}
    pinyin = handmade.get("/compare/suggest?q=zjz").get_json()
    assert [i["id"] for i in pinyin["items"]] == ["赵集镇-2024", "赵集镇-2023"] and pinyin["total"] == 3


def test_suggest_answers_in_pinyin_order_and_at_most_a_screenful(handmade, monkeypatch):
    from webapp import compare
    found = handmade.get("/compare/suggest?q=" + quote("镇")).get_json()
    towns = [i["label"].split()[0] for i in found["items"]]
    counties = [i["county"] for i in found["items"]]
    from archive.pinyin import pinyin_key
    assert counties == sorted(counties, key=lambda c: (c == "未注明县区", pinyin_key(c)))
    assert found["count"] == 3 and len(towns) == 3
    monkeypatch.setattr(compare, "PICKER_SHOWN", 1)
    found = handmade.get("/compare/suggest?q=" + quote("镇")).get_json()
    assert found["count"] == 3 and len(found["items"]) == 1
    assert handmade.get("/compare/suggest").get_json()["items"] == []


def test_filter_button_keeps_the_chooser_even_with_two_reports(handmade):
    html = handmade.get(f"/compare?a={A}&b={B}&filter=1&fb=" + quote("马喇")).get_data(as_text=True)
    assert 'data-testid="compare-choose"' in html and 'data-testid="compare-grid"' not in html


def test_report_label_says_when_the_year_is_unknown():
    from types import SimpleNamespace as NS
    from webapp.compare import report_label
    place = NS(town="赵集镇")
    assert report_label(NS(place=place, year=None, title="")) == "赵集镇 年份不详"
    assert report_label(NS(place=place, year=2024, title="标题")) == "赵集镇 2024年 · 标题"
