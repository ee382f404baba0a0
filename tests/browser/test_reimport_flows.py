"""An administrator upgrades reports an older importer stored (/review: 用新版导入程序重新读取)
and, uploading a report whose town has namesakes, picks one of the gazetteer's candidates."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import logged_in
from tests.helpers import AMBIGUOUS_2023, build_old_archive

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def old_site(tmp_path_factory, start_site):
    data, a_id, b_id = build_old_archive(tmp_path_factory.mktemp("old-site"))
    return start_site(data), a_id, b_id


@pytest.fixture
def admin(make_page, old_site):
    return logged_in(make_page, old_site[0])


def test_reread_one_report_from_the_review_page_keeps_its_citations(admin, old_site, shot):
    site, a_id, _ = old_site
    old = site.archive().get(a_id)
    cited = next(p for p in old.paragraphs if p.text_original.startswith("镇党委定期"))
    admin.goto("/review")
    item = admin.locator(f'[data-report-id="{a_id}"]')
    expect(item).to_contain_text("缺少镇名")
    shot(admin, "reimport-01-review")
    item.get_by_role("button", name="用新版导入程序重新读取").click()
    expect(admin.locator(".flash").first).to_have_text("重新读取 1 份报告：有变化 1, 未变 0, 失败 0；其中：")
    expect(admin.locator(".flash").nth(1)).to_contain_text(f"{a_id}: 乡镇 未知 → 赵集镇")
    shot(admin, "reimport-02-done")
    admin.goto(site.report_url(a_id, cited.id))
    expect(admin.locator(f'[id="p-{cited.id}"]')).to_contain_text("镇党委定期研究法治建设工作")
    expect(admin.locator("h1")).to_contain_text("赵集镇")


def test_upload_review_offers_the_namesakes_of_an_ambiguous_town(admin, old_site, shot, tmp_path):
    path = tmp_path / "赵集镇2023.txt"
    path.write_text(AMBIGUOUS_2023, "utf-8")
    admin.goto("/upload")
    admin.get_by_test_id("upload-files").set_input_files(path)
    admin.get_by_role("button", name="上传并预览").click()
    candidates = admin.get_by_test_id("upload-candidates")
    expect(candidates).to_contain_text("河南省 · 信阳市 · 淮滨县 · 赵集镇")
    candidates.get_by_label("河南省 · 信阳市 · 淮滨县 · 赵集镇").check()
    shot(admin, "reimport-03-upload-candidates")
    admin.get_by_test_id("confirm-import").click()
    expect(admin.get_by_test_id("import-outcome")).to_contain_text("已可检索")
    report = old_site[0].archive().get("赵集镇-2023")
    assert (report.place.county, report.place.province) == ("淮滨县", "河南省")
