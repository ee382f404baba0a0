"""What a justice-bureau clerk does, in a real Chromium: search, read, cite, compare, browse,
switch script, upload, and all of it again with JavaScript off. Expected values come from the
imported reports themselves (brute-force scans of their folded text), never from guesses."""
from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from archive.folding import fold

pytestmark = pytest.mark.browser

TERM = "法律明白人"
SAMPLES_WITH_TERM = {"三湖镇-2024", "赵集镇-2024", "马喇镇-2023"}  # read off the sample files


def matching(archive, term: str) -> dict[str, list[str]]:
    """{report id: ids of its paragraphs whose folded text contains `term`}."""
    needle = fold(term)
    found = {r.id: [p.id for p in r.paragraphs if needle in fold(p.text)] for r in archive.reports()}
    return {rid: pids for rid, pids in found.items() if pids}


def search(page, query: str) -> None:
    page.goto("/?" + urlencode({"q": query}))
    expect(page.get_by_test_id("results")).to_be_visible()


def open_first_hit(page) -> tuple[str, str]:
    """From a result page, follow the first hit's 阅读原文 link; returns (report id, paragraph id)."""
    group = page.get_by_test_id("report-group").first
    hit = group.get_by_test_id("hit").first
    report_id, pid = group.get_attribute("data-report-id"), hit.get_attribute("data-paragraph-id")
    hit.get_by_role("link", name="阅读原文").click()
    page.wait_for_url("**/report/**")
    page.wait_for_load_state()
    return report_id, pid


def test_search_marks_the_phrase_in_every_matching_report(page, site, shot):
    archive = site.archive()
    expected = matching(archive, TERM)
    assert SAMPLES_WITH_TERM <= set(expected)

    page.goto("/")
    shot(page, "00-home")
    page.get_by_test_id("search-input").fill(TERM)
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("results")).to_be_visible()
    shot(page, "01-search")

    groups = page.get_by_test_id("report-group")
    assert set(groups.evaluate_all("gs => gs.map(g => g.dataset.reportId)")) == set(expected)
    hits = page.get_by_test_id("hit")
    shown = hits.evaluate_all("hs => hs.map(h => h.dataset.paragraphId)")
    assert sorted(shown) == sorted(p for pids in expected.values() for p in pids)
    marks_per_hit = hits.evaluate_all(
        "hs => hs.map(h => [...h.querySelectorAll('mark')].map(m => m.textContent))")
    assert all(marks and set(marks) == {TERM} for marks in marks_per_hit), marks_per_hit

    n_paragraphs = sum(len(p) for p in expected.values())
    expect(page.get_by_test_id("result-count")).to_have_text(
        f"{n_paragraphs} 段 / {len(expected)} 份报告")

    # The trend chart: one bar per year holding reports, labelled matched / all reports that year.
    # The axis runs from the first year with reports to the last, gaps empty (0/0).
    years = Counter(s.year for s in archive.summaries() if s.year)
    matched = Counter(s.year for s in archive.summaries() if s.id in expected)
    chart = page.get_by_test_id("trend-chart")
    expect(chart).to_be_visible()
    bars = chart.locator("a.trend-bar").evaluate_all(
        "bs => bs.map(b => [b.dataset.year, b.querySelector('text.count').textContent])")
    assert dict(bars) == {str(y): f"{matched[y]}/{years[y]}" for y in range(min(years), max(years) + 1)}

    # The chart spans the results column; the filter selects keep to a sensible width even when
    # a place name is long; each hit's two actions stand apart.
    column = page.get_by_test_id("results").bounding_box()
    assert abs(chart.bounding_box()["width"] - column["width"]) <= 2
    town_select = page.get_by_test_id("filter-town")
    town_select.evaluate("s => s.add(new Option('某某县某某镇人民政府所辖某某街道办事处（原某某乡）', 'x'))")
    assert town_select.bounding_box()["width"] <= 200
    hit = page.get_by_test_id("hit").first
    link = hit.get_by_role("link", name="阅读原文").bounding_box()
    add = hit.get_by_test_id("basket-add").bounding_box()
    assert add["x"] - (link["x"] + link["width"]) >= 12 and abs(add["y"] - link["y"]) <= 4


def test_hit_opens_the_reading_page_at_its_highlighted_paragraph(page, site, shot):
    search(page, TERM)
    report_id, pid = open_first_hit(page)
    shot(page, "02-reading-hit", full_page=False)

    assert page.evaluate("decodeURIComponent(location.hash)") == f"#p-{pid}"
    target = page.locator(":target")
    expect(target).to_have_attribute("data-pid", pid)
    expect(target.locator("mark").first).to_have_text(TERM)
    assert TERM in site.archive().get(report_id).paragraph(pid).text
    # Scrolled into view and visibly set apart from an ordinary paragraph.
    assert target.evaluate("e => { const r = e.getBoundingClientRect();"
                           " return r.top >= 0 && r.top < innerHeight; }")
    background = "e => getComputedStyle(e).backgroundColor"
    other = page.locator(".para:not(:target)").first
    assert target.evaluate(background) != other.evaluate(background)


def test_copy_citation_and_collect_in_basket(page, site, shot):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    search(page, TERM)
    report_id, pid = open_first_hit(page)
    paragraph = site.archive().get(report_id).paragraph(pid)
    target = page.locator(":target")

    copy = target.get_by_test_id("copy-citation")
    copy.click()
    expect(copy).to_have_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert paragraph.text_original in copied
    assert "[R/OL]" in copied
    assert f"{site.url}/report/{report_id}#p-{pid}" in copied

    add = target.get_by_test_id("basket-add")
    add.click()
    expect(add).to_have_text("已加入引用篮")
    expect(page.locator("[data-basket-count]")).to_have_text("1")
    shot(page, "03-reading-cited")

    other = page.locator(".para:not(:target)").get_by_test_id("basket-add").first
    other.click()
    expect(other).to_have_text("已加入引用篮")

    page.get_by_test_id("nav-basket").click()
    items = page.get_by_test_id("basket-item")
    expect(items).to_have_count(2)
    item = items.first
    expect(item).to_have_attribute("data-report-id", report_id)
    expect(item).to_have_attribute("data-pid", pid)
    expect(item.locator(".basket-text")).to_contain_text(paragraph.text_original)
    shot(page, "04-basket")

    # Clear, move and remove read as links on one line, not as solid buttons; a move that
    # cannot happen looks disabled; 复制引用 is a small outlined button, not the browser default.
    style = "(e, p) => getComputedStyle(e)[p]"
    for testid in ("basket-clear", "basket-up", "basket-down", "basket-remove"):
        button = page.get_by_test_id(testid).first
        assert button.evaluate(style, "backgroundColor") == "rgba(0, 0, 0, 0)", testid
        assert button.bounding_box()["height"] < 30, testid
    tops = {round(item.get_by_test_id(t).bounding_box()["y"]) for t in ("basket-up", "basket-down", "basket-remove")}
    assert max(tops) - min(tops) <= 2
    up, down = item.get_by_test_id("basket-up"), item.get_by_test_id("basket-down")
    expect(up).to_be_disabled()
    assert up.evaluate(style, "color") != down.evaluate(style, "color")
    copy = item.get_by_role("button", name="复制引用")
    assert copy.evaluate(style, "backgroundColor") == "rgb(255, 255, 255)"
    assert copy.evaluate(style, "borderTopStyle") == "solid"
    down.click()
    expect(items.nth(1)).to_have_attribute("data-pid", pid)


def test_compare_aligns_two_years_and_marks_shared_sentences(page, site, shot):
    page.goto(site.report_url("赵集镇-2024"))
    page.get_by_test_id("compare-prev").click()
    page.wait_for_url("**/compare?**")
    shot(page, "05-compare")

    expect(page.get_by_test_id("compare-a")).to_contain_text("2023")
    expect(page.get_by_test_id("compare-b")).to_contain_text("2024")
    cells_a, cells_b = page.get_by_test_id("cell-a"), page.get_by_test_id("cell-b")
    assert cells_a.count() == cells_b.count() > 3
    # Each row's two cells start at the same height: the columns are aligned, not just stacked.
    tops_a = cells_a.evaluate_all("cs => cs.map(c => Math.round(c.getBoundingClientRect().top))")
    tops_b = cells_b.evaluate_all("cs => cs.map(c => Math.round(c.getBoundingClientRect().top))")
    assert tops_a == tops_b
    assert {"work", "problems", "plans"} <= set(
        page.get_by_test_id("compare-part").evaluate_all("ps => ps.map(p => p.dataset.partA)"))

    # 2023 was written from 2024's text with the year changed: its sentences are marked as
    # shared on both sides, and each marked one is in B but for the year.
    assert float(page.get_by_test_id("share-a").get_attribute("data-share")) > 0.5
    text_b = fold("".join(cells_b.all_text_contents()))
    marks_a = cells_a.locator("mark").all_text_contents()
    assert marks_a and all(fold(m).replace("2023", "2024") in text_b for m in marks_a)
    assert cells_b.locator("mark").count() > 0
    # The sections 2023 dropped have an empty left cell beside them.
    dropped = cells_b.filter(has_text="抓好政府信息公开")
    row = cells_b.evaluate_all("cs => cs.findIndex(c => c.textContent.includes('抓好政府信息公开'))")
    expect(dropped.first).to_be_visible()
    expect(cells_a.nth(row)).to_have_class("cmp-cell cmp-a is-empty")


def test_compare_chooser_opens_the_chosen_pair(page, site, shot):
    page.goto("/compare?" + urlencode({"a": "赵集镇-2024", "b": "赵集镇-2023"}))
    page.get_by_role("link", name="换一份报告").click()
    expect(page.get_by_test_id("compare-choose")).to_be_visible()
    expect(page.get_by_test_id("choose-a").locator("input:checked")).to_have_value("赵集镇-2024")
    page.get_by_test_id("filter-b").press_sequentially("三湖")
    option = page.get_by_test_id("choose-b").locator('input[value="三湖镇-2024"]')
    expect(option).to_be_visible()
    shot(page, "05-compare-choose")
    option.check()
    page.get_by_role("button", name="开始对照").click()
    expect(page.get_by_test_id("compare-a")).to_contain_text("赵集镇2024")
    expect(page.get_by_test_id("compare-b")).to_contain_text("三湖镇2024")
    assert page.get_by_test_id("cell-a").count() == page.get_by_test_id("cell-b").count() > 0


def test_towns_hierarchy_coverage_grid_and_town_page(page, site, shot):
    summaries = site.archive().summaries()
    page.goto("/")
    page.get_by_test_id("nav-towns").click()
    shot(page, "06-towns")

    tree = page.get_by_test_id("place-tree")
    towns = {s.place.town for s in summaries}
    assert set(tree.locator("[data-level=town] > a").all_text_contents()) == towns
    for county in {s.place.county for s in summaries if s.place.county}:
        expect(tree.locator("summary", has_text=county)).to_have_count(1)

    # One column per year from the first to the last (gaps included), a ✓ link where a town
    # has that year's report and "—" where it has none.
    grid = page.get_by_test_id("coverage-grid")
    years = [s.year for s in summaries]
    columns = list(range(min(years), max(years) + 1))
    assert grid.locator("thead th").all_text_contents()[2:] == [str(y) for y in columns]
    for town in towns:
        held = {s.year: s.id for s in summaries if s.place.town == town}
        row = grid.locator(f'tr[data-town="{town}"]')
        assert row.locator("td.has").evaluate_all("ts => ts.map(t => +t.dataset.year)") == sorted(held)
        assert row.locator("td.missing").count() == len(columns) - len(held)
        links = row.locator("td.has a").evaluate_all("as => as.map(a => a.href)")
        assert links == [site.report_url(held[y]) for y in sorted(held)]

    tree.locator("[data-level=town] > a", has_text="赵集镇").click()
    expect(page.get_by_test_id("town-name")).to_have_text("赵集镇")
    rows = page.get_by_test_id("town-reports").locator("tbody tr")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.reportId)") == ["赵集镇-2023", "赵集镇-2024"]
    expect(page.get_by_test_id("compare-link")).to_have_text("与 2024 年对比")
    shot(page, "07-town")


def test_traditional_report_toggles_between_original_and_simplified(page, site, shot):
    report = site.archive().get("马喇镇-2023")
    assert report.script == "traditional"
    changed = next(p for p in report.paragraphs if p.kind == "text" and p.text != p.text_original)
    shown = page.locator(f'[data-pid="{changed.id}"] .para-text')

    page.goto(site.report_url(report.id))
    expect(shown).to_have_text(changed.text_original)
    shot(page, "08-traditional-original")
    page.get_by_test_id("script-toggle").get_by_role("link", name="简体").click()
    expect(shown).to_have_text(changed.text)
    shot(page, "09-traditional-simplified")
    page.get_by_test_id("script-toggle").get_by_role("link", name="繁体原文").click()
    expect(shown).to_have_text(changed.text_original)


NEW_REPORT = """青石桥镇2024年法治政府建设工作情况报告
2024年，青石桥镇坚持以习近平法治思想为指导，全面推进法治政府建设，现将有关情况报告如下。
一、主要工作及成效
（一）强化组织领导。镇党委政府把法治建设纳入年度重点工作，在各村设立云端调解驿站，全年调处矛盾纠纷四十六件。
（二）推进依法行政。严格落实重大行政决策程序，全年开展合法性审查十二件。
二、存在的问题
一是法治宣传形式较为单一；二是执法人员专业能力有待提升。
三、下一步工作打算
持续推广云端调解驿站经验，加强执法人员培训。
青石桥镇人民政府
2025年1月10日
"""


def test_admin_uploads_a_report_that_search_then_finds(page, site, shot, tmp_path):
    upload = tmp_path / "青石桥镇2024年报告.txt"
    upload.write_text(NEW_REPORT, "utf-8")

    page.goto("/")
    header = page.get_by_test_id("site-header")
    before = header.bounding_box()["height"], page.get_by_test_id("nav-towns").bounding_box()
    page.get_by_test_id("nav-upload").click()
    page.wait_for_url("**/login?**")
    expect(page.get_by_test_id("login-reason")).to_contain_text("管理员")
    shot(page, "10-login")
    page.get_by_test_id("login-password").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()
    page.get_by_test_id("login-password").fill(site.admin_password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/upload")
    shot(page, "11-upload")
    # 退出登录 joins the menu without moving it or growing the header.
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    assert (header.bounding_box()["height"], page.get_by_test_id("nav-towns").bounding_box()) == before

    page.get_by_test_id("upload-files").set_input_files(upload)
    page.get_by_role("button", name="上传并预览").click()
    item = page.get_by_test_id("upload-item")
    expect(item).to_have_attribute("data-filename", upload.name)
    expect(item.get_by_test_id("field-town")).to_have_value("青石桥镇")
    expect(item.get_by_test_id("field-year")).to_have_value("2024")
    shot(page, "12-upload-review")
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("import-results").locator("tr[data-status=imported]")).to_have_count(1)
    shot(page, "13-upload-done")

    search(page, "云端调解驿站")
    groups = page.get_by_test_id("report-group")
    expect(groups).to_have_count(1)
    expect(groups).to_have_attribute("data-report-id", "青石桥镇-2024")
    expect(groups.locator("mark")).to_have_text(["云端调解驿站"] * 2)
    shot(page, "14-search-uploaded")


def test_search_read_cite_and_collect_without_javascript(make_page, site, shot):
    page = make_page(site.url, java_script_enabled=False)
    page.goto("/")
    page.get_by_test_id("search-input").fill(TERM)
    page.get_by_test_id("search-input").press("Enter")
    page.wait_for_url("**/?q=*")
    expect(page.get_by_test_id("hit").first.locator("mark")).to_have_text(TERM)
    shot(page, "15-nojs-search")

    report_id, pid = open_first_hit(page)
    target = page.locator(":target")
    expect(target).to_have_attribute("data-pid", pid)
    expect(target.locator("mark").first).to_have_text(TERM)
    expect(target.get_by_test_id("copy-citation")).to_be_hidden()  # needs JS; the link does not
    shot(page, "16-nojs-reading")

    target.get_by_test_id("basket-add").click()  # a plain form post that redirects back
    page.wait_for_url(f"**/report/**#p-*")
    target.get_by_test_id("cite-link").click()
    citation = page.locator("body").inner_text()
    assert site.archive().get(report_id).paragraph(pid).text_original in citation
    assert "[R/OL]" in citation and f"/report/{report_id}#p-{pid}" in citation

    page.goto("/basket")
    expect(page.get_by_test_id("basket-item")).to_have_attribute("data-pid", pid)
    shot(page, "17-nojs-basket")
