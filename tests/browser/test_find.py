"""Findability in a real Chromium (issue 14): a phrase that exists only in a heading is one hit,
marked 小标题, whose link opens the reading page at that heading; a mistyped phrase offers the
one that occurs. Expected values come from the stored reports, scanned."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from archive.folding import fold

pytestmark = pytest.mark.browser

HEADING_ONLY = "强实体重程序"  # sample 004's （三）强实体重程序，扎实推进依法行政


def lines_with(archive, phrase: str) -> list[tuple[str, str, str]]:
    """(report id, paragraph id, kind) of every stored line holding `phrase` (titles too)."""
    needle = fold(phrase)
    found = []
    for r in archive.reports():
        if r.title and not r.title_derived and needle in fold(r.title):
            found.append((r.id, "标题", "title"))
        found += [(r.id, p.id, p.kind) for p in r.paragraphs if needle in fold(p.text)]
    return found


def test_a_phrase_only_in_a_heading_is_one_heading_hit_that_opens_its_section(page, site, shot):
    [(report_id, pid, kind)] = lines_with(site.archive(), HEADING_ONLY)
    assert kind == "heading"
    page.goto("/?" + urlencode({"q": f'"{HEADING_ONLY}"'}))
    expect(page.get_by_test_id("result-count")).to_contain_text("1 段 / 1 份报告")
    hits = page.get_by_test_id("hit")
    expect(hits).to_have_count(1)
    hit = hits.first
    assert hit.get_attribute("data-paragraph-id") == pid and hit.get_attribute("data-kind") == "heading"
    expect(hit.get_by_test_id("kind-mark")).to_have_text("小标题")
    assert fold(hit.locator("mark").first.inner_text()) == HEADING_ONLY  # shown as written (繁体)
    shot(page, "30-heading-hit")

    hit.get_by_role("link", name="阅读原文").click()
    page.wait_for_url("**/report/**")
    page.wait_for_load_state()
    assert page.evaluate("decodeURIComponent(location.hash)") == f"#p-{pid}"
    target = page.locator(":target")
    expect(target).to_have_attribute("data-testid", "heading")
    assert fold(target.locator("mark").first.inner_text()) == HEADING_ONLY
    assert target.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    shot(page, "31-heading-section", full_page=False)


def test_a_mistyped_phrase_offers_the_one_that_occurs(page, site, shot):
    page.goto("/?" + urlencode({"q": "法律明百人"}))
    expect(page.get_by_test_id("no-results")).to_be_visible()
    offer = page.get_by_test_id("suggestion").first
    expect(offer).to_have_text("法律明白人")
    shot(page, "32-did-you-mean")
    offer.click()
    count = sum(1 for _ in lines_with(site.archive(), "法律明白人"))
    expect(page.get_by_test_id("result-count")).to_contain_text(f"{count} 段")
