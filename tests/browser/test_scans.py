"""A report read from a scan, in a real Chromium: the weak words marked, the page image shown
from the stored original. The screenshot (tests/screenshots/scan-reading.png) is for looking at."""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from helpers import mark_weak
from tests.browser.conftest import logged_in

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


def test_uploaded_scan_is_reviewed_before_it_is_imported(tmp_path, scanned_pdf, start_site,
                                                         make_page, shot):
    site = start_site(tmp_path / "data")
    admin = logged_in(make_page, site)
    scan = tmp_path / "赵集镇扫描件.pdf"
    scan.write_bytes(scanned_pdf)
    admin.get_by_test_id("upload-files").set_input_files(scan)
    admin.get_by_role("button", name="上传并预览").click()
    review = admin.get_by_test_id("scan-review")
    expect(review).to_contain_text("民主法治示范村", timeout=300_000)   # 第 N/M 页 until then
    expect(review).to_contain_text("[第 2 页]")
    shot(admin, "scan-upload-review")
    admin.get_by_test_id("confirm-import").click()
    expect(admin.get_by_test_id("import-outcome")).to_contain_text("已可检索")
