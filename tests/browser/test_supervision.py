"""查重 (text reuse) and the tracker's honest verdicts in a real Chromium, with screenshots to
look at: a planted copy (赵集镇's report rebuilt as another town's, dates changed) shown with its
source, the county view sorted, and a reviewer's verdict set by hand."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SAMPLES, fill_archive
from fixtures.tracker_reports import write_reports

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reuse_site(tmp_path_factory, start_site):
    folder = tmp_path_factory.mktemp("supervision-site")
    (folder / "planted").mkdir()
    text = (SAMPLES / "000_c5c95290205ada9f.txt").read_text(encoding="utf-8")
    copy = folder / "planted" / "白云镇2025.txt"
    copy.write_text("测试县白云镇2025年法治政府建设工作情况报告\n\n"
                    + text.replace("2024", "2025").replace("赵集镇", "白云镇"), encoding="utf-8")
    fill_archive(folder / "data", sorted(SAMPLES.iterdir()) + write_reports(folder / "files")
                 + write_reports(folder / "more", "马坪镇", (2022, 2023)) + [copy])
    return start_site(folder / "data")


def test_a_planted_copy_shows_its_source(make_page, reuse_site, shot):
    page = make_page(reuse_site.url)
    page.goto(reuse_site.report_url("白云镇-2025"))
    page.get_by_test_id("reuse-link").click()
    page.wait_for_url("**/reuse/**")
    expect(page.get_by_test_id("reuse-share")).to_have_text("96.8%")
    sources = page.get_by_test_id("reuse-sources")
    expect(sources.locator('tr[data-report="赵集镇-2024"]')).to_be_visible()
    passages = page.get_by_test_id("reuse-passage")
    expect(passages.first).to_contain_text("赵集镇 2024")
    assert page.locator("section.reuse-paragraph mark").count() >= 10
    shot(page, "70-reuse-planted-copy")
    page.goto(reuse_site.report_url("白云镇-2025"))
    expect(page.get_by_test_id("reuse-panel")).to_contain_text("96.8%")   # known now: figures shown
    shot(page, "71-report-reuse-panel")


def test_the_county_view_sorts(make_page, reuse_site, shot):
    page = make_page(reuse_site.url)
    page.goto("/reuse")
    page.get_by_test_id("filter-county").select_option("测试县")
    page.get_by_test_id("reuse-submit").click()
    table = page.get_by_test_id("reuse-county")
    expect(table.locator('tr[data-town="白云镇"][data-source="赵集镇"]')).to_be_visible()
    expect(table.locator('tr[data-town="马坪镇"][data-source="青石镇"]')).to_be_visible()
    page.get_by_test_id("sort-share").click()
    page.wait_for_url("**sort=share*")
    expect(table.locator("tbody tr").first).to_have_attribute("data-town", "白云镇")
    shot(page, "72-reuse-county")


def test_compare_shows_the_reuse_figures(make_page, reuse_site, shot):
    page = make_page(reuse_site.url)
    page.goto("/compare?" + urlencode({"a": "赵集镇-2024", "b": "白云镇-2025"}))
    expect(page.get_by_test_id("reuse-b")).to_contain_text("96.8%")
    shot(page, "73-compare-reuse")


def test_a_reviewer_sets_a_verdict(make_page, reuse_site, shot):
    page = make_page(reuse_site.url)
    page.goto("/login")
    page.get_by_test_id("login-password").fill(reuse_site.admin_password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/upload")
    page.goto("/tracker?" + urlencode({"town": "青石镇", "county": "测试县"}))
    pair = page.locator('article[id="pair-青石镇-2023"]')
    open_row = pair.locator('tr[data-status="open"]').first
    open_row.locator("summary").click()
    form = open_row.get_by_test_id("verdict-form")
    form.locator('select[name="verdict"]').select_option("answered")
    form.locator('input[name="editor"]').fill("李四")
    form.locator('input[name="note"]').fill("2023年成效第三段写了合同审查")
    form.get_by_role("button", name="保存").click()
    page.wait_for_url("**#pair-*")
    expect(pair.get_by_test_id("manual")).to_have_count(1)
    pair.get_by_test_id("verdict-history").locator("summary").click()
    expect(pair.get_by_test_id("verdict-history")).to_contain_text("李四")
    shot(page, "74-tracker-verdict")
    page.goto("/tracker?" + urlencode({"county": "测试县"}))
    expect(page.locator('tr[data-town="白云镇"]')).to_have_count(0)       # one year only
    shot(page, "75-tracker-county-honest")
