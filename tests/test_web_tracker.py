"""The 问题整改追踪 pages `/tracker` on the samples plus three invented years of 青石镇."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from helpers import SAMPLES, build_archive, make_app
from fixtures.tracker_reports import write_reports


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tracker-data")
    # 马坪镇 sorts before 青石镇 in pinyin (ma < qing), after it in code points
    build_archive(folder / "data", [SAMPLES, *write_reports(folder / "files"),
                                    *write_reports(folder / "more", "马坪镇", (2022, 2023))])
    return make_app(folder / "data")


@pytest.fixture
def client(app):
    return app.test_client()


def test_town_page_pairs_each_year_with_the_next(client):
    response = client.get("/tracker?" + urlencode({"town": "青石镇"}))
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert re.findall(r'id="pair-([^"]+)"', html) == ["青石镇-2023", "青石镇-2024"]
    first = html[html.index('id="pair-青石镇-2023"'):html.index('id="pair-青石镇-2024"')]
    assert re.findall(r'<tr data-status="(\w+)"', first) == ["repeated", "answered", "open"]
    assert "个别镇直部门执法不够规范" in first                  # the repeated problem's match
    assert re.search(r"相似度 0\.\d\d", first)
    assert re.findall(r'<tr data-done="(\w+)"', first) == ["true", "false"]
    # problem and match link to their paragraphs
    assert "/report/%E9%9D%92%E7%9F%B3%E9%95%87-2022#p-" in first
    assert "/report/%E9%9D%92%E7%9F%B3%E9%95%87-2023#p-" in first


def test_county_table_counts_repeated_problems_and_links_to_the_pair(client):
    html = client.get("/tracker?" + urlencode({"county": "测试县"})).get_data(as_text=True)
    row = html[html.index('<tr data-town="青石镇">'):]
    row = row[:row.index("</tr>")]
    assert re.findall(r'data-year="(\d+)" data-repeated="(\d+)"', row) == [("2023", "1"), ("2024", "0")]
    assert "重复 1/3" in row and "计划 1/2" in row
    assert "#pair-青石镇-2023" in row
    assert 'data-testid="repeated-total">1<' in row


def test_archive_table_lists_only_towns_with_two_years(client):
    html = client.get("/tracker").get_data(as_text=True)
    assert re.findall(r'<tr data-town="([^"]+)">', html) == ["马坪镇", "青石镇"]   # pinyin order
    assert "另有 5 个乡镇只有一年的报告" in html


def test_single_year_town_and_unknown_town(client):
    html = client.get("/tracker?" + urlencode({"town": "赵集镇"})).get_data(as_text=True)
    assert 'data-testid="tracker-single"' in html
    missing = client.get("/tracker?" + urlencode({"town": "<b>无此镇</b>"}))
    assert missing.status_code == 404
    body = missing.get_data(as_text=True)
    assert "&lt;b&gt;无此镇&lt;/b&gt;" in body and "<b>无此镇</b>" not in body


def test_town_page_is_paged_and_a_report_link_opens_the_page_of_its_pair(client, monkeypatch):
    from webapp import tracker
    monkeypatch.setattr(tracker, "PAIRS_PER_PAGE", 1)
    town = {"town": "青石镇"}
    first = client.get("/tracker?" + urlencode(town)).get_data(as_text=True)
    assert re.findall(r'id="pair-([^"]+)"', first) == ["青石镇-2023"] and 'data-testid="pager"' in first
    second = client.get("/tracker?" + urlencode({**town, "page": 2})).get_data(as_text=True)
    assert re.findall(r'id="pair-([^"]+)"', second) == ["青石镇-2024"]
    linked = client.get("/tracker?" + urlencode({**town, "pair": "青石镇-2024"})).get_data(as_text=True)
    assert re.findall(r'id="pair-([^"]+)"', linked) == ["青石镇-2024"]
    assert re.search(r'href="/tracker\?town=%E9%9D%92%E7%9F%B3%E9%95%87"[^>]*>1<', second)


def test_pages_past_the_end_show_the_last(client):
    assert client.get("/tracker?page=99").status_code == 200
    bad = client.get("/tracker?page=abc")
    assert bad.status_code == 200 and "已忽略" in bad.get_data(as_text=True)


def test_report_page_links_to_its_pair(client):
    html = client.get("/report/青石镇-2023").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" data-testid="tracker-link"', html)
    assert link and link.group(1).endswith("pair=%E9%9D%92%E7%9F%B3%E9%95%87-2023#pair-青石镇-2023")
    assert "town=%E9%9D%92%E7%9F%B3%E9%95%87" in link.group(1)
    first = client.get("/report/青石镇-2022").get_data(as_text=True)
    assert "#pair-青石镇-2023" in first                 # the first year points at its follow-up
    assert 'data-testid="tracker-link"' not in client.get("/report/赵集镇-2024").get_data(as_text=True)
