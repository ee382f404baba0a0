"""Filters that never lie, the 公文 Word export and compare within reach, in a real Chromium.
Expected values come from the imported reports (brute-force scans), never from the index."""
from __future__ import annotations

import io
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from archive.folding import fold
from index.documents import indexed_paragraphs

pytestmark = pytest.mark.browser

TERM = "普法"


def stored_hits(archive, term, keep=lambda r: True) -> set[tuple[str, str]]:
    """Every stored line holding `term`: paragraphs, headings and the title (issue 14)."""
    needle = fold(term)
    return {(r.id, p.id) for r in archive.reports() if keep(r) for p in indexed_paragraphs(r)
            if needle in fold(p.text)}


def all_hits(page) -> set[tuple[str, str]]:
    """Every hit on every page of the current result list (following 下一页)."""
    found = set()
    while True:
        for group in page.get_by_test_id("report-group").all():
            rid = group.get_attribute("data-report-id")
            found |= {(rid, pid) for pid in group.get_by_test_id("hit").evaluate_all(
                "hs => hs.map(h => h.dataset.paragraphId)")}
        following = page.locator("a[rel=next]")
        if not following.count():
            return found
        following.first.click()
        page.wait_for_load_state()


@pytest.mark.parametrize("field, keep", [
    ("year_from", lambda year, pivot: year >= pivot), ("year_to", lambda year, pivot: year <= pivot)])
def test_one_sided_year_range(page, site, shot, field, keep):
    archive = site.archive()
    years = sorted({s.year for s in archive.summaries() if s.year})
    pivot = years[1] if field == "year_from" else years[-2]
    expected = stored_hits(archive, TERM, lambda r: r.year is not None and keep(r.year, pivot))
    page.goto("/?" + urlencode({"q": f'"{TERM}"'}))
    page.get_by_test_id(f"filter-{field}").fill(str(pivot))
    page.get_by_test_id("search-submit").click()
    page.wait_for_url(f"**{field}={pivot}*")
    shot(page, f"20-one-sided-{field}")
    assert all_hits(page) == expected
    assert len({rid.rsplit("-", 1)[-1] for rid, _ in expected}) > 1


def test_filter_fields_follow_the_url_on_back_and_forward(page, site, shot):
    page.goto("/?" + urlencode({"q": "法治"}))
    page.get_by_test_id("filter-section").select_option("problems")   # submits at once
    page.wait_for_url("**section=problems*")
    page.get_by_test_id("filter-year_from").fill("2021")
    page.get_by_test_id("search-submit").click()
    page.wait_for_url("**year_from=2021*")

    def state():
        return {name: page.get_by_test_id(f"filter-{name}").input_value()
                for name in ("section", "year_from", "year_to", "town")}

    for direction, url_has, expected in [
            ("back", "section=problems", {"section": "problems", "year_from": "", "year_to": "", "town": ""}),
            ("back", None, {"section": "", "year_from": "", "year_to": "", "town": ""}),
            ("forward", "section=problems", {"section": "problems", "year_from": "", "year_to": "", "town": ""}),
            ("forward", "year_from=2021", {"section": "problems", "year_from": "2021", "year_to": "", "town": ""})]:
        getattr(page, f"go_{direction}")()
        page.wait_for_load_state()
        query = parse_qs(urlsplit(page.url).query)
        if url_has:
            assert url_has in page.url
        assert state() == expected
        assert state()["section"] == query.get("section", [""])[0]
        assert page.get_by_test_id("search-input").input_value() == query["q"][0]
    page.go_back()
    page.wait_for_load_state()
    expect(page.get_by_test_id("filter-section")).to_have_value("problems")
    shot(page, "21-back-forward")
    # What the results say agrees with the boxes: every hit is from the 存在问题 part.
    sections = page.locator(".section-path").all_text_contents()
    assert sections and all(s.startswith("存在问题") for s in sections)


def test_trend_spans_the_filtered_years(page, site, shot):
    archive = site.archive()
    years = sorted({s.year for s in archive.summaries() if s.year})
    page.goto("/?" + urlencode({"q": f'"{TERM}"', "year_from": years[-2]}))
    chart = page.get_by_test_id("trend-chart")
    expect(chart).to_be_visible()
    shot(page, "22-trend-filtered")
    bars = chart.locator("a.trend-bar")
    span = list(range(years[-2], years[-1] + 1))     # from the filter to the last year held
    assert [int(y) for y in bars.evaluate_all("bs => bs.map(b => b.dataset.year)")] == span
    assert chart.locator("text.year").all_text_contents() == [str(y) for y in span]
    years = span
    matched = {int(rid.rsplit("-", 1)[-1]) for rid, _ in stored_hits(archive, TERM)}
    drawn = chart.locator("a.trend-bar").evaluate_all(
        "bs => bs.filter(b => b.querySelector('rect').getAttribute('height') > 0).map(b => +b.dataset.year)")
    assert set(drawn) == matched & set(years)      # no year drawn as 0% that has hits


def test_compare_from_the_menu_with_the_typing_filter(page, site, shot):
    page.goto("/")
    page.get_by_test_id("nav-compare").click()
    page.wait_for_url("**/compare")
    expect(page.get_by_test_id("compare-choose")).to_be_visible()
    expect(page.get_by_test_id("count-a")).to_contain_text("输入乡镇")
    assert page.get_by_test_id("choose-a").locator("input").count() == 0   # no list of every report
    page.get_by_test_id("filter-a").press_sequentially("赵集 2023")
    options = page.get_by_test_id("choose-a").locator("input[type=radio]")
    expect(options).to_have_count(1)
    expect(page.get_by_test_id("count-a")).to_contain_text("匹配 1 份")
    options.first.check()
    page.get_by_test_id("filter-b").press_sequentially("zjz")               # pinyin initials
    expect(page.get_by_test_id("choose-b").locator("input[type=radio]")).to_have_count(2)
    page.get_by_test_id("filter-b").fill("")
    page.get_by_test_id("filter-b").press_sequentially("2024 赵集")
    expect(page.get_by_test_id("choose-b").locator("input[type=radio]")).to_have_count(1)
    page.get_by_test_id("choose-b").locator('input[value="赵集镇-2024"]').check()
    shot(page, "23-compare-picker")
    page.get_by_test_id("compare-go").click()
    page.wait_for_url("**/compare?**")
    assert parse_qs(urlsplit(page.url).query) == {"a": ["赵集镇-2023"], "b": ["赵集镇-2024"], "mode": ["parts"]}
    expect(page.get_by_test_id("compare-grid")).to_be_visible()


def test_compare_pairs_sections_side_by_side_and_keeps_gaps_in_place(page, site, shot):
    page.goto("/compare?" + urlencode({"a": "赵集镇-2023", "b": "赵集镇-2024"}))
    cells_a, cells_b = page.get_by_test_id("cell-a"), page.get_by_test_id("cell-b")
    heads_a = cells_a.evaluate_all("cs => cs.map(c => c.dataset.heading)")
    heads_b = cells_b.evaluate_all("cs => cs.map(c => c.dataset.heading)")
    # The 2023 text was written from 2024's with sections dropped: every A section pairs
    # with the section of the same heading id, and B's extra sections sit between them.
    pairs = [(x, y) for x, y in zip(heads_a, heads_b) if x and y]
    assert pairs and all(x == y for x, y in pairs)
    extra = [i for i, (x, y) in enumerate(zip(heads_a, heads_b)) if y and not x]
    assert extra and any(heads_a[i + 1:] and any(heads_a[i + 1:]) for i in extra)   # not all at the end
    order_b = [h for h in heads_b if h]
    assert order_b == [p.id for p in site.archive().get("赵集镇-2024").paragraphs
                       if p.kind == "heading" and p.id in order_b]            # B keeps its order
    page.mouse.wheel(0, 1400)
    shot(page, "24-compare-paired", full_page=False)
    tops = cells_a.evaluate_all("cs => cs.map(c => Math.round(c.getBoundingClientRect().top))")
    assert tops == cells_b.evaluate_all("cs => cs.map(c => Math.round(c.getBoundingClientRect().top))")
    # Two towns' reports: sections pair on what they say, headings or not.
    page.goto("/compare?" + urlencode({"a": "三湖镇-2024", "b": "赵集镇-2024"}))
    shot(page, "24b-compare-two-towns")
    paired = page.locator("[data-testid=cell-b][data-basis=heading], [data-testid=cell-b][data-basis=content]")
    assert paired.count() >= 3


def test_result_group_and_report_page_open_the_picker_with_the_report_chosen(page, site):
    page.goto("/?" + urlencode({"q": TERM}))
    group = page.get_by_test_id("report-group").first
    rid = group.get_attribute("data-report-id")
    group.get_by_test_id("compare-link").click()
    expect(page.get_by_test_id("choose-a").locator("input:checked")).to_have_value(rid)
    page.goto(site.report_url(rid))
    page.get_by_test_id("compare-any").click()
    expect(page.get_by_test_id("choose-a").locator("input:checked")).to_have_value(rid)


def test_basket_word_export_in_the_browser(page, site, shot):
    from docx import Document
    page.goto(site.report_url("马喇镇-2023") + "?script=simplified")
    add = page.get_by_test_id("basket-add").first
    add.click()
    expect(add).to_have_text("已加入引用篮")
    page.get_by_test_id("nav-basket").click()
    expect(page.get_by_test_id("basket-script-note")).to_have_text("原文为繁体，已转换为简体")
    shot(page, "25-basket-script")
    with page.expect_download() as download:
        page.get_by_test_id("export-docx").click()
    doc = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    normal = doc.styles["Normal"].element.find(".//{*}rFonts")
    assert normal.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"
    assert doc.styles["Normal"].font.size.pt == 16
    report = site.archive().get("马喇镇-2023")
    first = next(p for p in report.paragraphs if p.kind == "text")
    assert doc.paragraphs[1].text == first.text                      # simplified, as read
    assert doc.core_properties.author == "法治报告检索"


def test_empty_result_names_the_filter_and_leads_to_the_hits(page, site, shot):
    archive = site.archive()
    term = "法律明白人"
    having = {rid for rid, _ in stored_hits(archive, term)}
    town = sorted(s.place.town for s in archive.summaries()
                  if s.place.town and s.id not in having and not any(
                      h.startswith(s.place.town) for h in having))[0]
    page.goto("/?" + urlencode({"q": f'"{term}"', "town": town}))
    why = page.get_by_test_id("why-empty")
    expect(why).to_contain_text(f"乡镇={town} 使结果为 0")
    expect(why).to_contain_text(f"去掉此条件有 {len(stored_hits(archive, term))} 条")
    shot(page, "26-why-empty")
    why.get_by_role("link").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("filter-town")).to_have_value("")
    assert all_hits(page) == stored_hits(archive, term)
