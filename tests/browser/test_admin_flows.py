"""What an administrator does in a real Chromium: correct a report's metadata (and find the old
address still working), pick a county from the autocomplete, fix the review list in place,
upload with no file or only bad files; and what every user does: filter /towns as they type,
come back from a report to the same place in the result list.

These tests change their archive (renames!), so they run on their own site, not the shared one."""
from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SAMPLES, fill_archive, logged_in, zhaoji_previous_year

pytestmark = pytest.mark.browser

NO_TOWN = """2024年，我镇在县委、县政府的坚强领导下，深入推进法治政府建设，现将有关情况报告如下。
一、主要工作及成效
（一）强化组织领导。成立法治政府建设领导小组，定期研究部署法治建设重点任务。
（二）推进普法宣传。开展法律明白人培训十二场，覆盖全部行政村。
二、存在的问题
执法队伍专业化水平有待提升。
三、下一步工作打算
持续加强法治队伍建设。
"""


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory, start_site):
    folder = tmp_path_factory.mktemp("admin-site")
    no_town = folder / "无镇名报告.txt"
    no_town.write_text(NO_TOWN, "utf-8")
    fill_archive(folder / "data", sorted(SAMPLES.iterdir()) + [zhaoji_previous_year(folder), no_town])
    return start_site(folder / "data")


@pytest.fixture
def admin(make_page, admin_site):
    """A logged-in administrator's page."""
    return logged_in(make_page, admin_site)


def test_edit_metadata_then_the_old_address_redirects(admin, admin_site, shot):
    archive = admin_site.archive()
    report = archive.get("三湖镇-2024")
    pid = next(p.id for p in report.paragraphs if p.kind == "text" and p.part == "problems")
    admin.goto(admin_site.report_url("三湖镇-2024"))
    admin.get_by_test_id("edit-report").click()
    expect(admin.get_by_test_id("edit-year")).to_have_value("2024")
    shot(admin, "admin-01-edit-form")
    admin.get_by_test_id("edit-year").fill("2023")
    admin.get_by_test_id("edit-doc_number").fill("衡三政〔2024〕8号")
    admin.get_by_test_id("edit-editor").fill("王五")
    admin.get_by_test_id("edit-save").click()

    admin.wait_for_url("**/report/" + quote("三湖镇-2023"))
    expect(admin.locator(".flash").first).to_contain_text("报告年份：2024 → 2023")
    expect(admin.locator(".flash").nth(1)).to_contain_text("旧链接")
    expect(admin.locator('[data-field="doc_number"]')).to_contain_text("衡三政〔2024〕8号")
    trail = admin.get_by_test_id("audit-trail")
    trail.locator("summary").click()
    expect(trail.get_by_test_id("audit-entry")).to_have_count(2)
    expect(trail).to_contain_text("管理员 王五")
    expect(trail).to_contain_text("编号 三湖镇-2024 → 三湖镇-2023")
    shot(admin, "admin-02-edited-report")

    # A citation pasted earlier: the old id with a paragraph anchor, opened by anyone.
    response = admin.request.get(admin_site.report_url("三湖镇-2024"), max_redirects=0)
    assert response.status == 301
    admin.goto(admin_site.report_url("三湖镇-2024", pid))
    assert admin.url == admin_site.report_url("三湖镇-2023", pid)
    target = admin.locator(f'[data-pid="{pid}"]')
    expect(target).to_be_in_viewport()
    shot(admin, "admin-03-old-link-redirected", full_page=False)
    api = admin.request.get(f"{admin_site.url}/api/report/{quote('三湖镇-2024')}")
    assert api.ok and api.json()["id"] == "三湖镇-2023"


def test_autocomplete_picks_a_known_county_in_pinyin_order(admin, admin_site, shot):
    counties = sorted({s.place.county for s in admin_site.archive().summaries() if s.place.county})
    assert "黔江区" in counties
    admin.goto(admin_site.report_url("圣灯山镇-2021") + "/edit")
    county = admin.get_by_test_id("edit-county")
    county.fill("")
    suggestions = admin.get_by_test_id("suggestions-county")
    expect(suggestions.locator("li")).to_have_count(len(counties))
    shown = suggestions.locator("li").evaluate_all("ls => ls.map(l => l.dataset.value)")
    from analysis.pinyin import pinyin_key
    assert shown == sorted(counties, key=pinyin_key)           # 衡阳县 雷州市 黔江区 …
    county.press_sequentially("qj")
    expect(suggestions.locator("li")).to_have_count(1)
    expect(suggestions.locator("li")).to_contain_text("黔江区")
    shot(admin, "admin-04-autocomplete", full_page=False)
    suggestions.locator("li").first.click()
    expect(county).to_have_value("黔江区")
    expect(suggestions).to_be_hidden()
    admin.get_by_test_id("edit-save").click()
    admin.wait_for_url("**/report/**")
    assert admin_site.archive().get("圣灯山镇-2021").place.county == "黔江区"
    assert {s.place.county for s in admin_site.archive().summaries()} - {None} <= set(counties)

    # A name the archive does not know must be confirmed; the near known name is offered.
    admin.goto(admin_site.report_url("覃斗镇-2019") + "/edit")
    admin.get_by_test_id("edit-county").fill("雷州")
    admin.get_by_test_id("edit-save").click()
    problem = admin.get_by_test_id("problem-county")
    expect(problem).to_contain_text("不是档案中已有的")
    shot(admin, "admin-05-new-place-name")
    problem.get_by_test_id("choose-county").check()
    expect(admin.get_by_test_id("edit-county")).to_have_value("雷州市")


def test_review_page_fixes_a_report_in_place(admin, admin_site, shot):
    admin.goto("/")
    admin.get_by_test_id("nav-review").click()
    item = admin.get_by_test_id("review-item").filter(has_text="缺少镇名")
    expect(item).to_have_count(1)
    old_id = item.get_attribute("data-report-id")
    assert old_id.startswith("未知镇-2024-")
    shot(admin, "admin-06-review")
    town = item.get_by_test_id("review-town")
    town.press_sequentially("三湖")
    item.get_by_test_id("suggestions-town").locator("li", has_text="衡阳县").first.click()
    expect(town).to_have_value("三湖镇")
    expect(item.get_by_test_id("review-county")).to_have_value("衡阳县")   # filled from 三湖镇's
    above = admin.get_by_test_id("review-item").evaluate_all(
        f"items => (items[items.findIndex(i => i.dataset.reportId === {old_id!r}) - 1] || {{}}).id || ''")
    item.get_by_test_id("review-save").click()
    admin.wait_for_url("**/review" + (f"#{above}" if above else ""))           # back where it was
    expect(admin.locator(f'[data-report-id="{old_id}"]')).to_have_count(0)
    expect(admin.locator(".flash").first).to_contain_text("乡镇：（空） → 三湖镇")
    shot(admin, "admin-07-review-fixed")
    fixed = admin_site.archive().get("三湖镇-2024-2")
    assert (fixed.place.town, fixed.place.county) == ("三湖镇", "衡阳县")
    assert fixed.title == "三湖镇2024年法治政府建设工作情况报告"

    # 赵集镇 has namesakes in three counties: one click picks the gazetteer's candidate.
    ambiguous = admin.locator('[data-testid=review-item][data-report-id="赵集镇-2024"]')
    choice = admin_site.archive().get("赵集镇-2024").place_candidates[1]
    ambiguous.get_by_test_id("choose-candidate").filter(has_text=choice["county"]).click()
    admin.wait_for_url("**/review**")
    expect(ambiguous).to_have_count(0)
    picked = admin_site.archive().get("赵集镇-2024").place
    assert (picked.province, picked.city, picked.county) == (
        choice["province"], choice["city"], choice["county"])


def test_upload_with_no_file_or_no_importable_file(admin, admin_site, shot, tmp_path):
    admin.goto("/upload")
    admin.get_by_role("button", name="上传并预览").click()
    expect(admin.get_by_test_id("upload-error")).to_have_text("请选择至少一个报告文件。")
    shot(admin, "admin-08-upload-no-file")

    bad = tmp_path / "坏文件.exe"
    bad.write_bytes(b"MZ\x00\x01 not a report")
    admin.get_by_test_id("upload-files").set_input_files(bad)
    admin.get_by_role("button", name="上传并预览").click()
    expect(admin.get_by_test_id("nothing-importable")).to_be_visible()
    expect(admin.get_by_test_id("confirm-import")).to_have_count(0)
    expect(admin.get_by_test_id("item-error")).to_be_visible()
    shot(admin, "admin-09-upload-all-failed")

    good = tmp_path / "石门镇2024.txt"
    good.write_text("石门镇2024年法治政府建设工作情况报告\n" + NO_TOWN.replace("我镇", "石门镇"), "utf-8")
    admin.goto("/upload")
    admin.get_by_test_id("upload-files").set_input_files(good)
    admin.get_by_role("button", name="上传并预览").click()
    expect(admin.get_by_test_id("text-preview")).to_contain_text("2024年，石门镇在县委")
    shot(admin, "admin-10-upload-preview")
    admin.get_by_test_id("confirm-import").click()
    expect(admin.get_by_test_id("import-outcome")).to_contain_text("已可检索")
    admin.goto("/")
    first = admin.get_by_test_id("latest-reports").locator("li").first
    expect(first.locator("a")).to_have_text("石门镇 · 2024年")
    shot(admin, "admin-11-home-latest")


def test_towns_search_box_filters_as_you_type_and_without_javascript(make_page, admin_site, shot):
    page = make_page(admin_site.url)
    page.goto("/towns")
    box = page.get_by_test_id("towns-search-input")
    tree = page.get_by_test_id("place-tree")
    box.press_sequentially("zjz")
    visible = tree.locator("li[data-level=town][data-name]:visible")
    expect(page.locator("[data-towns-filter-status]")).to_contain_text("显示")
    assert set(visible.evaluate_all("ls => ls.map(l => l.dataset.name)")) == {"赵集镇"}
    shot(page, "admin-12-towns-filter")
    box.fill("")
    box.press("End")
    box.press_sequentially("镇")
    expect(page.locator("[data-towns-filter-status]")).to_contain_text("显示")
    shown = set(visible.evaluate_all("ls => ls.map(l => l.dataset.name)"))
    assert shown == {s.place.town for s in admin_site.archive().summaries()
                     if s.place.town and "镇" in s.place.town}
    box.press("Enter")
    page.wait_for_url("**/towns?q=*")
    expect(page.get_by_test_id("towns-matches")).to_be_visible()

    plain = make_page(admin_site.url, java_script_enabled=False)
    plain.goto("/towns")
    plain.get_by_test_id("towns-search-input").fill("雷州")
    plain.get_by_role("button", name="查找").click()
    matches = plain.get_by_test_id("towns-matches").locator("li")
    expect(matches).to_have_count(1)
    expect(matches).to_have_attribute("data-name", "雷州市")
    shot(plain, "admin-13-towns-search-nojs")


def test_back_from_a_report_restores_the_result_list_position(make_page, admin_site, shot):
    page = make_page(admin_site.url)
    page.goto("/?" + urlencode({"q": "法治"}))
    links = page.get_by_role("link", name="阅读原文")
    target = links.nth(links.count() - 1)
    target.scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    y = settled_scroll(page)           # the wheel scrolls smoothly: wait until it has stopped
    assert y > 400
    target.click()
    page.wait_for_url("**/report/**")
    page.go_back()
    page.wait_for_url("**/?q=*")
    page.wait_for_load_state("load")
    scrolled_to(page, lambda now: abs(now - y) <= 2)
    shot(page, "admin-14-back-to-results", full_page=False)


def scrolled_to(page, ok, seconds: float = 5.0) -> float:
    """Wait until `ok(window.scrollY)`; returns it. Polled from the test (page.evaluate goes
    through the debugging protocol): the site's CSP forbids the string evaluation that
    wait_for_function would do inside the page."""
    import time
    deadline = time.monotonic() + seconds
    while True:
        y = page.evaluate("window.scrollY")
        if ok(y):
            return y
        assert time.monotonic() < deadline, f"scrollY stayed {y}"
        page.wait_for_timeout(50)


def test_edit_without_javascript_normalises_a_longer_spelling(make_page, admin_site, shot):
    """No JavaScript: the form still posts, and 重庆市黔江区 is stored as the archive's 黔江区."""
    page = make_page(admin_site.url, java_script_enabled=False)
    page.goto("/login")
    page.get_by_test_id("login-password").fill(admin_site.admin_password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/upload")
    page.goto(admin_site.report_url("马喇镇-2023") + "/edit")
    page.get_by_test_id("edit-county").fill("重庆市黔江区")
    page.get_by_test_id("edit-addressee").fill("黔江区人民政府")
    page.get_by_test_id("edit-save").click()
    page.wait_for_url("**/report/**")
    expect(page.locator(".flash").first).to_contain_text("主送机关")
    report = admin_site.archive().get("马喇镇-2023")
    assert (report.place.county, report.addressee) == ("黔江区", "黔江区人民政府")
    shot(page, "admin-15-edited-without-js")


def settled_scroll(page) -> float:
    """window.scrollY once it has stopped changing (two readings 150 ms apart agree)."""
    last = None
    for _ in range(40):
        y = page.evaluate("window.scrollY")
        if y == last:
            return y
        last = y
        page.wait_for_timeout(150)
    raise AssertionError(f"the page kept scrolling (scrollY {last})")
