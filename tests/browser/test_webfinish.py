"""The finished web app in a real Chromium, at 1280 px and at a phone's 390 px: charts that span
the years in scope with labels that never collide, a towns grid that keeps its names, a review
queue that clears in bulk, citations and basket exports to the standard, an upload of a known
file, old paragraph ids that land on their words, pinyin order, a paged tracker and a phone
layout that puts the first result on the first screen.

The archive: 雷州市 and 遂溪县 (湛江市) with reports 2019–2025 and 衡阳县 with reports from 1992
to 2026 (tests/helpers.span_files), the five samples, and two reports for the review queue.
Screenshots go to tests/screenshots/ (the chosen ones are committed under docs/screenshots/)."""
from __future__ import annotations

import csv
import io
from collections import Counter
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import expect

from archive.pinyin import pinyin_key
from archive.rules import YEAR_MAX, YEAR_MIN
from tests.browser.conftest import SAMPLES, SCREENSHOTS, fill_archive, logged_in
from tests.helpers import SPAN_PHRASE, build_breadcrumb_archive, span_files

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NO_TOWN = ("2024年，我镇在县委、县政府的坚强领导下，深入推进法治政府建设，现将有关情况报告如下。\n"
           "一、主要工作及成效\n（一）强化组织领导。成立法治政府建设领导小组。\n"
           "二、存在的问题\n执法队伍专业化水平有待提升。\n")
# the year read from one mention in the body: low confidence (年份把握不大), and 三湖镇 has namesakes
DOUBTFUL_YEAR = ("三湖镇法治政府建设工作情况报告\n\n一、主要工作及成效\n"
                 "（一）强化组织领导。成立领导小组，延续2022年启动的规范化建设。\n"
                 "（二）推进普法宣传。开展法律明白人培训。\n\n二、存在的问题\n执法队伍专业化水平有待提升。\n")


@pytest.fixture(scope="module")
def span_site(tmp_path_factory, start_site):
    folder = tmp_path_factory.mktemp("span-site")
    (folder / "no-town.txt").write_text(NO_TOWN, "utf-8")
    (folder / "doubtful.txt").write_text(DOUBTFUL_YEAR, "utf-8")
    fill_archive(folder / "data", span_files(folder / "src") + sorted(SAMPLES.iterdir())
                 + [folder / "no-town.txt", folder / "doubtful.txt"])
    return start_site(folder / "data")


def phone(page):
    page.set_viewport_size(PHONE)
    return page


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def boxes_apart(locator) -> None:
    """The visible elements' boxes, left to right, never overlap and stay inside the viewport."""
    boxes = [b for b in (e.bounding_box() for e in locator.all()) if b and b["width"]]
    assert boxes
    for a, b in zip(boxes, boxes[1:]):
        assert a["x"] + a["width"] <= b["x"] + 0.5, (a, b)
    assert boxes[0]["x"] >= 0


# ---- charts -----------------------------------------------------------------------------------

def test_trend_of_a_county_spans_its_own_years_with_readable_labels(make_page, span_site, shot):
    page = make_page(span_site.url)
    page.goto("/trend?" + urlencode({"q": SPAN_PHRASE, "county": "雷州市"}))
    chart = page.get_by_test_id("trend-chart")
    expect(chart.locator("text.year")).to_have_text([str(y) for y in range(2019, 2026)])
    boxes_apart(chart.locator("text.year"))
    rows = page.get_by_test_id("year-table").locator("tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.first).to_have_attribute("data-year", "2019")
    shot(page, "web-trend-1280")
    # the phone draws its own narrow chart: the same years, labels still apart
    phone(page)
    narrow = page.get_by_test_id("trend-chart-narrow")
    expect(narrow).to_be_visible()
    expect(chart).to_be_hidden()
    expect(narrow.locator("text.year")).to_have_text([str(y) for y in range(2019, 2026)])
    boxes_apart(narrow.locator("text.year"))
    no_sideways_scroll(page)
    shot(page, "web-trend-390", full_page=False)


def test_a_long_axis_thins_its_labels_and_the_png_is_a_slide(make_page, span_site, shot):
    from PIL import Image

    page = make_page(span_site.url)
    page.goto("/trend?" + urlencode([("q", SPAN_PHRASE), ("q", "普法")]))
    labels = page.get_by_test_id("trend-chart").locator("text.year")
    shown = [int(t) for t in labels.all_text_contents()]
    assert shown[0] >= 1992 and shown[-1] <= 2026 and len(shown) < 35       # thinned
    step = shown[1] - shown[0]
    assert step in (2, 5) and all(b - a == step for a, b in zip(shown, shown[1:]))
    boxes_apart(labels)
    shot(page, "web-trend-long-axis")
    with page.expect_download() as download:
        page.get_by_test_id("download-png").click()
    SCREENSHOTS.mkdir(exist_ok=True)
    download.value.save_as(SCREENSHOTS / "web-trend-slide.png")
    assert Image.open(SCREENSHOTS / "web-trend-slide.png").size == (1600, 900)


def test_search_chart_follows_the_same_rules(make_page, span_site, shot):
    page = make_page(span_site.url)
    page.goto("/?" + urlencode({"q": SPAN_PHRASE, "county": "雷州市", "year_from": 2021}))
    expect(page.get_by_test_id("trend-chart").locator("text.year")).to_have_text(
        [str(y) for y in range(2021, 2026)])
    shot(page, "web-search-1280", full_page=False)


# ---- towns grid -------------------------------------------------------------------------------

def test_towns_grid_recent_years_sticky_names_and_a_picker_of_names(make_page, span_site, shot):
    page = make_page(span_site.url)
    page.goto("/towns")
    grid = page.get_by_test_id("coverage-grid")
    years = grid.locator("thead th:not(.county):not(.town)")
    expect(years).to_have_count(10)
    expect(years.first).to_have_text("2017")
    shot(page, "web-towns-1280")
    grid.get_by_test_id("coverage-all-years").click()
    expect(page.get_by_test_id("coverage-grid").locator("thead th:not(.county):not(.town)")).to_have_count(35)
    # scrolled sideways, the town names stay where they were; scrolled down, the header row too
    box = page.get_by_test_id("coverage-scroll")
    town = box.locator('tr[data-town="西渡镇"] th.town')
    before = town.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    assert abs(town.bounding_box()["x"] - before) < 1
    assert town.bounding_box()["x"] >= box.bounding_box()["x"]
    phone(page)
    header = box.locator("thead th.town")
    top = header.bounding_box()["y"]
    box.evaluate("b => { b.style.maxHeight = '200px'; b.scrollTop = b.scrollHeight; }")
    assert abs(header.bounding_box()["y"] - top) < 1
    no_sideways_scroll(page)
    page.goto("/towns?" + urlencode({"province": "广东省", "city": "湛江市"}))
    page.get_by_test_id("coverage-scroll").evaluate("b => { b.scrollLeft = 120; }")   # names stay
    page.get_by_test_id("coverage-grid").scroll_into_view_if_needed()
    shot(page, "web-towns-390", full_page=False)
    # an area page: its counties by name (with counts), no namesakes invented
    page.goto("/towns?" + urlencode({"province": "广东省", "city": "湛江市"}))
    counts = Counter(s.place.county for s in span_site.archive().summaries() if s.place.county)
    options = page.get_by_test_id("county-picker").locator("option")
    expect(options).to_have_text(["请选择县（区）"] + [f"{c}（{n} 份）" for c, n in sorted(
        counts.items(), key=lambda kv: pinyin_key(kv[0]))])
    expect(page.locator("main, body").first).not_to_contain_text("同名地区")
    page.get_by_test_id("county-picker").locator("select").select_option("雷州市")
    page.get_by_test_id("county-picker").get_by_role("button").click()
    expect(page.get_by_test_id("area-name")).to_have_text("雷州市")


# ---- review queue -----------------------------------------------------------------------------

def test_review_filters_by_reason_settles_in_bulk_and_confirms(make_page, span_site, shot):
    admin = logged_in(make_page, span_site)
    admin.goto("/review")
    shot(admin, "web-review-1280")
    admin.get_by_test_id("reason-year_doubtful").click()
    items = admin.get_by_test_id("review-item")
    expect(items).to_have_count(1)
    doubtful = items.first.get_attribute("data-report-id")
    items.first.get_by_test_id("confirm-one").click()
    expect(admin.locator(".flash").first).to_contain_text("“确认无误”：已处理 1 份报告")
    assert admin_item_gone(admin, doubtful)
    report = span_site.archive().get(doubtful)
    assert report.year == 2022 and report.provenance["year"].confidence == 1.0
    admin.goto(span_site.report_url(doubtful))
    trail = admin.get_by_test_id("audit-trail")
    trail.locator("summary").click()
    expect(trail).to_contain_text("报告年份“2022”确认无误（未修改）")
    # every namesake on the page at once
    admin.goto("/review?reason=place_ambiguous")
    ambiguous = admin.get_by_test_id("review-item")
    n = ambiguous.count()
    assert n >= 2
    admin.get_by_test_id("select-all").check()
    expect(admin.locator('input[data-testid="pick"]:checked')).to_have_count(n)
    admin.get_by_test_id("bulk-place_ambiguous").click()
    expect(admin.locator(".flash").first).to_contain_text(f"已处理 {n} 份报告")
    expect(admin.get_by_test_id("review-item")).to_have_count(0)
    phone(admin)
    admin.goto("/review")
    no_sideways_scroll(admin)
    shot(admin, "web-review-390", full_page=False)


def admin_item_gone(page, rid: str) -> bool:
    expect(page.locator(f'[data-testid=review-item][data-report-id="{rid}"]')).to_have_count(0)
    return True


# ---- citations, basket, upload ----------------------------------------------------------------

def test_citation_is_gbt_7714_online_and_the_basket_exports_clean(make_page, span_site):
    page = make_page(span_site.url)
    page.goto(span_site.report_url("马喇镇-2023"))
    pid = page.locator('[data-testid="paragraph"]').first.get_attribute("data-pid")
    cited = page.request.get(f"{span_site.url}/report/{quote('马喇镇-2023')}/cite/{quote(pid)}").text()
    assert "[R/OL]. 2023: " in cited and f"{span_site.url}/report/马喇镇-2023#p-{pid}" in cited
    assert "][" not in cited.split("[R/OL]")[0] and cited.count("[20") == 1          # [引用日期]
    page.get_by_test_id("basket-add").first.click()
    expect(page.get_by_test_id("basket-add").first).to_have_text("已加入引用篮")
    page.get_by_test_id("nav-basket").click()
    page.get_by_test_id("export-script").select_option("simplified")
    with page.expect_download() as download:
        page.get_by_test_id("export-md").click()
    markdown = open(download.value.path(), encoding="utf-8").read()
    assert "\\[R" not in markdown and "\\#p-" not in markdown and "[R/OL]" in markdown
    assert "原文为繁体，已转换为简体" in markdown
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][:4] == ["序号", "段落", "引用", "链接"] and len(rows) == 2


def test_uploading_a_file_already_in_the_archive_says_so_at_once(make_page, span_site):
    admin = logged_in(make_page, span_site)
    sample = sorted(SAMPLES.iterdir())[0]
    admin.get_by_test_id("upload-files").set_input_files(sample)
    admin.get_by_role("button", name="上传并预览").click()
    row = admin.get_by_test_id("import-results").locator("tbody tr")
    expect(row).to_have_attribute("data-status", "unchanged")
    expect(row).to_contain_text("内容完全相同")
    expect(admin.get_by_test_id("confirm-import")).to_have_count(0)
    row.get_by_role("link").click()
    expect(admin.locator("h1")).to_contain_text("赵集镇")


def test_edit_form_year_bounds_come_from_the_rules(make_page, span_site):
    admin = logged_in(make_page, span_site)
    admin.goto(f"/report/{quote('马喇镇-2023')}/edit")
    year = admin.get_by_test_id("edit-year")
    assert (year.get_attribute("min"), year.get_attribute("max")) == (str(YEAR_MIN), str(YEAR_MAX))


def test_an_old_paragraph_id_opens_at_the_paragraph_holding_its_words(make_page, start_site, tmp_path_factory, shot):
    data, rid, retired = build_breadcrumb_archive(tmp_path_factory.mktemp("retired"))
    site = start_site(data)
    page = make_page(site.url)
    page.goto(site.report_url(rid, retired))
    now = site.archive().get(rid).moved_ids[retired]
    target = page.locator(f'[data-pid="{now}"]')
    expect(target).to_be_in_viewport()
    expect(target).to_contain_text("2024年，赵集镇在县委")
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 247, 209)"
    shot(page, "web-retired-id", full_page=False)


# ---- order, tracker, phone ------------------------------------------------------------------

def test_results_sorted_by_town_are_in_pinyin_order(make_page, span_site):
    page = make_page(span_site.url)
    page.goto("/?" + urlencode({"q": "镇党委定期研究法治建设工作", "sort": "town", "year_from": 2024,
                                "year_to": 2024}))
    towns = page.get_by_test_id("report-group").evaluate_all("gs => gs.map(g => g.dataset.reportId)")
    names = [rid.split("-")[0] for rid in towns]
    known = list(dict.fromkeys(n for n in names if not n.startswith("未知")))
    assert known == sorted(known, key=pinyin_key)
    assert len(known) >= 8 and known != sorted(known)            # 北和镇 … 企水镇, not 企水镇 … 黄略镇


def test_tracker_town_view_is_paged(make_page, span_site, shot):
    page = make_page(span_site.url)
    page.goto("/tracker?" + urlencode({"town": "西渡镇"}))
    pairs = page.get_by_test_id("tracker-pair")
    expect(pairs).to_have_count(5)
    expect(page.get_by_test_id("tracker-pages")).to_contain_text("共 8 组")
    expect(pairs.first).to_have_attribute("id", "pair-西渡镇-1996")
    page.get_by_test_id("pager").get_by_role("link", name="下一页").click()
    expect(page.get_by_test_id("tracker-pair")).to_have_count(3)
    expect(page.get_by_test_id("tracker-pair").last).to_have_attribute("id", "pair-西渡镇-2026")
    page.goto("/report/" + quote("西渡镇-2026"))                          # its 整改追踪 link: page 2
    page.get_by_test_id("tracker-link").click()
    expect(page.locator('[id="pair-西渡镇-2026"]')).to_be_in_viewport()


def test_phone_search_shows_the_first_result_on_the_first_screen(make_page, span_site, shot):
    for js in (True, False):
        page = phone(make_page(span_site.url, java_script_enabled=js))
        page.goto("/?" + urlencode({"q": SPAN_PHRASE}))
        expect(page.get_by_test_id("filters")).to_be_hidden()
        first = page.get_by_test_id("report-group").first.locator("h2, h3").first
        assert first.bounding_box()["y"] + 20 < PHONE["height"]
        page.get_by_test_id("filters-toggle").click()                      # the button opens them
        expect(page.get_by_test_id("filter-town")).to_be_visible()
        expect(page.get_by_test_id("facets")).to_be_visible()
        no_sideways_scroll(page)
        if js:
            page.get_by_test_id("filters-toggle").click()
            shot(page, "web-search-390", full_page=False)


@pytest.mark.parametrize("path", [
    "/", "/?q=" + quote(SPAN_PHRASE), "/towns", "/towns?county=" + quote("雷州市"), "/town/" + quote("西渡镇"),
    "/trend?q=" + quote(SPAN_PHRASE), "/tracker", "/tracker?town=" + quote("西渡镇"), "/compare",
    "/compare?" + urlencode({"a": "赵集镇-2024", "b": "赵集镇-2023"}), "/basket",
    "/report/" + quote("马喇镇-2023"), "/login"])
def test_every_page_fits_a_phone(make_page, span_site, path):
    page = phone(make_page(span_site.url))
    page.goto(path)
    no_sideways_scroll(page)


@pytest.mark.parametrize("path", ["/review", "/upload", f"/report/{quote('马喇镇-2023')}/edit"])
def test_every_admin_page_fits_a_phone(make_page, span_site, path):
    page = phone(logged_in(make_page, span_site))
    page.goto(path)
    no_sideways_scroll(page)
