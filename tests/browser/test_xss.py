"""Hostile text stays text: a report whose title, headings, body, place names and file name carry
script payloads, and hostile queries, on every page family, in a real Chromium.

The browser context bypasses the app's Content-Security-Policy, so escaping alone must hold: the
CSP is a second wall, and this test checks the first one.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
MD_LINK = "[link](javascript:window.__xss=1)"
ANCHOR = '<a href="javascript:window.__xss=1">点此查看</a>'
SVG = '"><svg onload=window.__xss=1>'
TITLE = '"><svg/onload=window.__xss=1>红旗镇2024年法治政府建设工作情况报告'
HOSTILE_TEXT = f"""{TITLE}
2024年，红旗镇{SCRIPT}坚持以习近平法治思想为指导，{IMG}扎实推进法治政府建设，现将有关情况报告如下。
一、{SCRIPT}主要工作及成效
（一）强化组织领导{IMG}
镇党委政府高度重视法治建设，详见{MD_LINK}，{ANCHOR}成立工作领导小组。
（二）推进依法行政{SVG}
严格落实重大行政决策程序，{SVG}全年开展合法性审查十二件。
二、存在的问题
一是法治宣传形式单一；二是执法人员专业能力有待提升。
三、下一步工作打算
加强法治宣传教育，提升执法人员能力，推进法治政府建设再上新台阶。
红旗镇人民政府
2025年1月10日
"""
FILENAME = '"><img src=x onerror=window.__xss=1>.txt'
TOWN = "<img src=x onerror=window.__xss=1>镇"
COUNTY = '"><svg/onload=window.__xss=1>县'
QUERY = f'"{SVG}{SCRIPT}'  # unbalanced quote: also an error message that repeats the query
# Elements or attributes that only exist if hostile text became markup.
INJECTED = ('script:not([src]), svg[onload], img[onerror], [onload], [onerror], '
            'a[href^="javascript:" i]')
BODY_PAYLOADS = [SCRIPT, IMG, MD_LINK, ANCHOR, SVG]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, start_site):
    """A site with the hostile report twice: once with hostile town and county names (typed ones
    are refused now, so they come as a report file written by hand, or stored before the refusal),
    once as the report of another town (绿水镇), so that comparing and "similar paragraphs" put
    hostile text next to hostile text."""
    import os

    import workflows
    from archive.store import to_markdown

    data_dir = tmp_path_factory.mktemp("hostile-site") / "data"
    archive = workflows.open_archive(data_dir)
    placed = archive.import_bytes(HOSTILE_TEXT.encode(), FILENAME)
    twin = archive.import_bytes(HOSTILE_TEXT.replace("红旗镇", "绿水镇").encode(), FILENAME)
    assert (placed.status, twin.status) == ("imported", "imported"), (placed.error, twin.error)
    report = archive.get(placed.report_id)
    report.place.town, report.place.county = TOWN, COUNTY
    path = archive.report_path(placed.report_id)
    path.with_suffix(".hand").write_text(to_markdown(report), encoding="utf-8")
    os.replace(path.with_suffix(".hand"), path)               # an editor that saves by renaming
    assert archive.get(placed.report_id).place.town == TOWN
    workflows.rebuild_index(archive, workflows.open_index(archive))
    return start_site(data_dir), placed.report_id, twin.report_id


def assert_inert(page, visible=()) -> None:
    """Nothing ran, nothing was injected, and each of `visible` reads as plain text on the page."""
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.dialogs == []
    assert page.locator(INJECTED).evaluate_all("es => es.map(e => e.outerHTML)") == []
    text = page.locator("body").inner_text()
    assert [p for p in visible if p not in text] == []


def report_path(report_id: str, **query) -> str:
    return f"/report/{quote(report_id, safe='')}" + ("?" + urlencode(query) if query else "")


PAGES = {  # name: (path given the two report ids, texts that must be visible)
    "home": (lambda a, b: "/", [TITLE]),
    "search": (lambda a, b: "/?" + urlencode({"q": "合法性审查"}), [SVG, TOWN, COUNTY, TITLE]),
    "search-query": (lambda a, b: "/?" + urlencode({"q": QUERY}), []),
    "reading": (lambda a, b: report_path(a),
                [TITLE, TOWN, COUNTY, FILENAME.removesuffix(".txt"), *BODY_PAYLOADS]),
    "reading-query": (lambda a, b: report_path(a, q=QUERY), [TITLE, *BODY_PAYLOADS]),
    "compare": (lambda a, b: "/compare?" + urlencode({"a": a, "b": b}), [TITLE, *BODY_PAYLOADS]),
    "compare-unknown": (lambda a, b: "/compare?" + urlencode({"a": QUERY, "b": b}), [QUERY]),
    "towns": (lambda a, b: "/towns", [TOWN, COUNTY]),
    "town": (lambda a, b: "/town/" + quote(TOWN, safe=""), [TOWN, COUNTY, TITLE]),
    "missing-report": (lambda a, b: report_path(IMG), []),
}


@pytest.mark.parametrize("name", PAGES)
def test_hostile_text_renders_as_text(name, hostile, make_page, shot):
    site, a, b = hostile
    path, visible = PAGES[name]
    page = make_page(site.url, bypass_csp=True)
    page.goto(path(a, b))
    shot(page, f"20-xss-{name}")
    assert_inert(page, visible)
    if name.startswith("search"):
        expect(page.get_by_test_id("search-input")).to_have_value(
            "合法性审查" if name == "search" else QUERY)


def test_hostile_paragraphs_in_similar_panel_and_basket(hostile, make_page, shot):
    site, a, b = hostile
    page = make_page(site.url, bypass_csp=True)
    page.goto(report_path(a))
    hostile_pids = page.get_by_test_id("paragraph").filter(has_text="xss").evaluate_all(
        "ps => ps.map(p => p.dataset.pid)")
    assert len(hostile_pids) == 3
    for pid in hostile_pids:
        paragraph = page.locator(f'[data-pid="{pid}"]')
        add = paragraph.get_by_test_id("basket-add")
        add.click()
        expect(add).to_have_text("已加入引用篮")
        similar = paragraph.get_by_test_id("similar")  # fetched and inserted as HTML by reader.js
        similar.locator("summary").click()
        expect(similar.locator(".similar-body")).not_to_contain_text("正在查找")
    shot(page, "21-xss-similar")
    assert_inert(page, BODY_PAYLOADS)
    similar_text = "".join(page.locator(".similar-body").all_inner_texts())
    assert SCRIPT in similar_text and ANCHOR in similar_text  # the twin's paragraphs, as text

    page.goto("/basket")
    expect(page.get_by_test_id("basket-item")).to_have_count(3)
    shot(page, "22-xss-basket")
    assert_inert(page, BODY_PAYLOADS)


def test_hostile_upload_preview_and_result(hostile, make_page, shot):
    site, a, b = hostile
    page = make_page(site.url, bypass_csp=True)
    page.goto("/login?next=/upload")
    page.get_by_test_id("login-password").fill(site.admin_password)
    page.get_by_role("button", name="登录").click()
    page.get_by_test_id("upload-files").set_input_files(
        {"name": FILENAME, "mimeType": "text/plain", "buffer": (HOSTILE_TEXT + "\n再次上传。\n").encode()})
    page.get_by_role("button", name="上传并预览").click()
    page.locator("details summary", has_text="提纲").click()
    shot(page, "23-xss-upload-review")
    assert_inert(page, [FILENAME, TITLE, SCRIPT, IMG, SVG])

    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("import-results")).to_be_visible()
    shot(page, "24-xss-upload-done")
    assert_inert(page, [FILENAME, TITLE])
