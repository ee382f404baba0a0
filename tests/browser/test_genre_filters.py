"""Issue 15 in a real Chromium: a mixed archive (town reports, a county's report, a province's
政府工作报告, a news item) filtered by genre and level on the search, trend and towns pages; the
trend's denominators count only 法治政府建设 reports unless another genre is chosen (2024: two
town samples and the county's report, not the news item)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SAMPLES, fill_archive

pytestmark = pytest.mark.browser

BODY = "一、主要举措和成效\n（一）培育法律明白人。各村培育法律明白人，开展普法宣传。\n二、下一步工作\n继续推进依法行政。\n"
MIXED = {
    "2025年广东省政府工作报告.txt": (
        "2025年广东省政府工作报告\n——2025年1月15日在广东省第十四届人民代表大会第三次会议上\n各位代表：\n"
        "现在，我代表省人民政府向大会报告工作。\n一、2024年工作回顾\n过去一年，全省培育法律明白人十万名。\n"
        "二、2025年工作安排\n推进法治广东建设。\n"),
    "静海区2024年法治政府建设情况报告.txt": (
        "静海区2024年法治政府建设情况报告\n2024年，静海区坚持依法行政，全面推进法治政府建设。\n" + BODY
        + "天津市静海区人民政府\n2025年3月1日\n"),
    "新闻.txt": ("本报讯（记者 张三）近日，赵集镇开展法律明白人培训，推进法治政府建设。\n"
                 "培训邀请律师授课，法律明白人六十余人参加。\n"),
}


@pytest.fixture(scope="module")
def mixed_site(tmp_path_factory, start_site):
    folder = tmp_path_factory.mktemp("genre-site")
    files = []
    for name, text in MIXED.items():
        path = Path(folder / name)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    fill_archive(folder / "data", sorted(SAMPLES.iterdir()) + files)
    return start_site(folder / "data")


def test_search_filters_and_facets_by_genre_and_level(make_page, mixed_site, shot):
    page = make_page(mixed_site.url)
    page.goto("/?" + urlencode({"q": '"法律明白人"'}))
    facets = page.get_by_test_id("facets")
    expect(facets.locator('ul[data-facet="genre"]')).to_contain_text("政府工作报告")
    expect(facets.locator('ul[data-facet="level"]')).to_contain_text("省")
    page.get_by_test_id("filter-genre").select_option("work_report")
    page.get_by_test_id("filter-level").select_option("province")
    page.get_by_role("button", name="检索").first.click()
    page.wait_for_url("**genre=work_report**")
    results = page.get_by_test_id("results")
    expect(results).to_contain_text("2025年广东省政府工作报告")
    expect(results).not_to_contain_text("赵集镇")
    shot(page, "70-search-genre-level")


def test_trend_counts_rule_of_law_reports_by_default(make_page, mixed_site, shot):
    page = make_page(mixed_site.url)
    page.goto("/trend?" + urlencode({"q": '"法律明白人"'}))
    expect(page.get_by_test_id("filter-genre")).to_have_value("rule_of_law")   # the choice is visible
    rows = page.get_by_test_id("year-table").locator("tbody tr")
    # 2025 holds only the province's work report: out of scope, so the years in scope (the
    # chart's axis and the table) end at 2024
    expect(rows.filter(has=page.locator("th", has_text="2025"))).to_have_count(0)
    expect(rows.filter(has=page.locator("th", has_text="2024")).locator("td").first).to_have_text("3")
    shot(page, "71-trend-default-genre")
    page.get_by_test_id("filter-genre").select_option("all")
    page.get_by_test_id("trend-submit").click()
    page.wait_for_url("**genre=all**")
    every = page.get_by_test_id("year-table").locator("tbody tr").filter(
        has=page.locator("th", has_text="2025"))
    expect(every).to_have_count(1)
    expect(every.locator("td").first).to_have_text("1")       # the work report is counted now
    shot(page, "72-trend-every-genre")


def test_towns_tree_shows_own_reports_and_filters_by_level(make_page, mixed_site, shot):
    page = make_page(mixed_site.url)
    page.goto("/towns")
    tree = page.get_by_test_id("place-tree")
    county = tree.locator('li[data-level="county"][data-name="静海区"]')
    expect(county.get_by_test_id("own-reports")).to_contain_text("静海区2024年法治政府建设情况报告")
    expect(tree.locator('li[data-level="province"][data-name="广东省"]').get_by_test_id("own-reports")
           ).to_contain_text("2025年广东省政府工作报告")
    page.get_by_test_id("towns-level").select_option("province")
    page.get_by_test_id("towns-kind").get_by_role("button", name="筛选").click()
    page.wait_for_url("**level=province**")
    expect(tree.locator('li[data-name="广东省"]')).to_have_count(1)
    expect(tree.locator('li[data-level="town"]')).to_have_count(0)
    shot(page, "73-towns-level-province")


def test_report_page_shows_genre_level_and_evidence(make_page, mixed_site, shot):
    page = make_page(mixed_site.url)
    page.goto(f"/report/{quote('广东省-2025')}")
    panel = page.get_by_test_id("meta-panel")
    expect(panel.locator('dd[data-field="genre"]')).to_contain_text("政府工作报告")
    expect(panel.locator('dd[data-field="level"]')).to_contain_text("省")
    expect(panel.locator('dd[data-field="year"]')).to_contain_text("2025（所述年度 2024）")
    expect(panel.get_by_test_id("evidence-genre")).to_contain_text("标题含“政府工作报告”")
    expect(panel.locator('dd[data-field="issuer"]')).to_contain_text("广东省人民政府")
    shot(page, "74-report-genre-level")
