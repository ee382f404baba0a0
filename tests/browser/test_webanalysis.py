"""Multi-phrase trends and the rectification tracker in a real Chromium (no JavaScript needed:
plain GET forms), with screenshots to look at."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SAMPLES, SCREENSHOTS, fill_archive
from fixtures.tracker_reports import write_reports

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tracked_site(tmp_path_factory, start_site):
    folder = tmp_path_factory.mktemp("analysis-site")
    fill_archive(folder / "data", sorted(SAMPLES.iterdir()) + write_reports(folder / "files"))
    return start_site(folder / "data")


def test_trend_with_several_phrases_from_the_search_page(make_page, tracked_site, shot):
    page = make_page(tracked_site.url)
    page.goto("/?" + urlencode({"q": '"法律明白人"'}))
    page.get_by_test_id("trend-compare-link").click()
    page.wait_for_url("**/trend?**")
    expect(page.get_by_test_id("phrase-1")).to_have_value('"法律明白人"')
    page.get_by_test_id("phrase-2").fill('"法治带头人"')
    page.get_by_test_id("phrase-3").fill("法治政府")
    page.get_by_test_id("trend-submit").click()
    page.wait_for_url("**q=%22%E6%B3%95%E6%B2%BB%E5%B8%A6%E5%A4%B4%E4%BA%BA%22*")
    chart = page.get_by_test_id("multi-trend").get_by_test_id("trend-chart")
    expect(chart.locator("g.legend")).to_have_count(3)
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 120
    rows = page.get_by_test_id("year-table").locator("tbody tr")
    expect(rows.filter(has_text="2023")).to_contain_text("2 份，100%")   # 法律明白人: 2 of 2
    expect(page.get_by_test_id("town-table").locator('tr[data-town="青石镇"]')).to_contain_text("2022、2023")
    shot(page, "60-trend-three-phrases")
    with page.expect_download() as download:
        page.get_by_test_id("download-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as download:
        page.get_by_test_id("download-png").click()
    assert download.value.suggested_filename.endswith(".png")
    SCREENSHOTS.mkdir(exist_ok=True)
    download.value.save_as(SCREENSHOTS / "61-trend-download.png")   # the file itself, to look at


def test_trend_year_filter_is_the_axis(make_page, tracked_site, shot):
    page = make_page(tracked_site.url)
    page.goto("/trend?" + urlencode([("q", '"法律明白人"'), ("q", '"法治带头人"'), ("year_from", "2023")]))
    chart = page.get_by_test_id("trend-chart")
    expect(chart.locator("text.year")).to_have_text(["2023", "2024"])   # not 2019–2022
    expect(page.get_by_test_id("year-table").locator("tbody tr")).to_have_count(2)
    shot(page, "62-trend-year-filter")


def test_tracker_county_table_to_town_pairs(make_page, tracked_site, shot):
    page = make_page(tracked_site.url)
    page.goto("/")
    page.get_by_test_id("nav-tracker").click()
    page.get_by_test_id("filter-county").select_option("测试县")
    page.get_by_test_id("tracker-submit").click()
    table = page.get_by_test_id("tracker-table")
    expect(table.locator('td[data-year="2023"]')).to_contain_text("重复 1/3")
    shot(page, "63-tracker-county")
    table.locator('td[data-year="2023"] a').click()
    page.wait_for_url("**#pair-*")
    pair = page.locator('article[id="pair-青石镇-2023"]')
    expect(pair.locator('tr[data-status="repeated"]')).to_contain_text("执法不够规范")
    expect(pair.locator('tr[data-done="true"]')).to_contain_text("已落实")
    shot(page, "64-tracker-town")


def test_trend_form_works_without_javascript(make_page, tracked_site, shot):
    page = make_page(tracked_site.url, java_script_enabled=False)
    page.goto("/trend")
    expect(page.get_by_test_id("trend-empty")).to_be_visible()
    page.get_by_test_id("phrase-1").fill('"法律明白人"')
    page.get_by_test_id("phrase-2").fill('"法治带头人"')
    page.get_by_test_id("filter-county").select_option("测试县")
    page.get_by_test_id("trend-submit").click()
    page.wait_for_url("**county=*")
    expect(page.get_by_test_id("trend-chart").locator("g.legend")).to_have_count(2)
    town_rows = page.get_by_test_id("town-table").locator("tbody tr")
    expect(town_rows).to_have_count(1)
    expect(town_rows.first).to_have_attribute("data-town", "青石镇")
    shot(page, "65-trend-no-js-county")
