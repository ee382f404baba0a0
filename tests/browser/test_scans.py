"""A report read from a scan, in a real Chromium: the weak words marked, the page image shown
from the stored original. The screenshot (tests/screenshots/scan-reading.png) is for looking at."""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from helpers import mark_weak

pytestmark = pytest.mark.browser


def test_scanned_report_shows_weak_words_and_its_page(tmp_path, scanned_data_dir, start_site,
                                                      make_page, shot):
    data_dir = shutil.copytree(scanned_data_dir, tmp_path / "data")
    rid, _ = mark_weak(data_dir, "“枫桥式”")
    site = start_site(data_dir)
    page = make_page(site.url)
    page.goto(site.report_url(rid))
    weak = page.locator(".ocr-weak")
    expect(weak).to_have_count(1)
    expect(weak).to_have_text("“枫桥式”")
    expect(page.get_by_test_id("flags")).to_contain_text("扫描件识别")
    first = page.get_by_test_id("scan-page").first
    first.locator("summary").click()
    image = first.locator("img")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 1000",
                           arg=image.element_handle())
    shot(page, "scan-reading")
