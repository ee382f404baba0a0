"""Everything from a report or a query is escaped; ids never reach outside the data folder;
no traceback ever reaches a page."""
from __future__ import annotations

import re

import pytest

from webapp.render import highlight, report_url, trend_chart


def test_highlight_escapes_every_segment():
    text = '<script>alert(1)</script> 法治 <img src=x onerror=alert(2)>'
    out = str(highlight(text, [(26, 28)]))
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&lt;img src=x onerror=alert(2)&gt;" in out
    assert "<mark>法治</mark>" in out


def test_highlight_escapes_inside_a_mark():
    assert str(highlight("a<b>c", [(1, 4)])) == "a<mark>&lt;b&gt;</mark>c"


@pytest.mark.parametrize("spans, expected", [
    ([], "法治政府建设"),
    ([(0, 2), (1, 4)], "<mark>法治政府</mark>建设"),          # overlapping → merged
    ([(4, 6), (0, 2)], "<mark>法治</mark>政府<mark>建设</mark>"),  # unsorted
    ([(2, 2), (5, 3)], "法治政府建设"),                       # empty / reversed ignored
    ([(4, 99)], "法治政府<mark>建设</mark>"),                 # clamped to the text
    ([(-3, 1)], "<mark>法</mark>治政府建设"),
    ([(0, 2), (2, 4)], "<mark>法治政府</mark>"+"建设"),       # adjacent → one mark
])
def test_highlight_spans(spans, expected):
    assert str(highlight("法治政府建设", spans)) == expected


def test_report_url_encodes_ids_and_query():
    url = report_url("赵集镇-2024", q='"法治" & <x>', paragraph_id="一.（六）.2")
    assert url.startswith("/report/%E8%B5%B5")
    assert url.split("?")[1].split("#")[0] == "q=%22%E6%B3%95%E6%B2%BB%22+%26+%3Cx%3E"
    assert url.split("#")[1] == "p-%E4%B8%80.%EF%BC%88%E5%85%AD%EF%BC%89.2"
    assert report_url("../../etc/passwd") == "/report/..%2F..%2Fetc%2Fpasswd"


def test_trend_chart_escapes_links_and_links_each_year():
    svg = str(trend_chart([
        {"year": 2023, "matched": 3, "total": 10, "href": '/?q="><script>x</script>&year_from=2023'},
        {"year": 2024, "matched": 0, "total": 4, "href": "/?year_from=2024"},
    ]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('class="trend-bar"') == 2 * 2           # the wide chart and the phone's
    assert "2023: 3/10 份, 30%" in svg
    assert "2024: 0/4 份, 0%" in svg


def test_trend_chart_empty():
    assert str(trend_chart([])) == ""


# --- pages over a report that tries to inject markup -----------------------------------------

EVIL = """恶意镇2022年法治政府建设工作情况报告
一、法治政府建设工作情况
2022年，我镇开展普法宣传<script>alert("x")</script>，<img src=x onerror=alert(1)>，[点我](javascript:alert(1))，**加粗**<b>标签</b>。
二、存在的问题
普法宣传形式单一。
恶意镇人民政府
2022年12月1日
"""


@pytest.fixture(scope="module")
def evil_client(tmp_path_factory):
    from helpers import build_archive, make_app

    data_dir = tmp_path_factory.mktemp("evil")
    source = data_dir.parent / "evil.txt"
    source.write_text(EVIL, encoding="utf-8")
    build_archive(data_dir, [source])
    return make_app(data_dir).test_client()


def evil_pages(client):
    from webapp.services import get_archive
    with client.application.app_context():
        (report_id,) = get_archive().ids()
    return {path: client.get(path) for path in [
        "/?q=普法", '/?q=<script>alert(1)</script>', "/?q=普法&town=<b>x</b>", "/towns",
        "/town/恶意镇",
        "/nope/<script>", "/town/<script>alert(1)<%2Fscript>",
    ]}


def test_report_text_and_queries_render_as_text(evil_client):
    pages = evil_pages(evil_client)
    search = pages["/?q=普法"].get_data(as_text=True)
    assert "<mark>普法</mark>" in search                     # the paragraph is found and shown
    for path, response in pages.items():
        body = response.get_data(as_text=True)
        assert response.status_code < 500, path
        assert "<script>alert" not in body, path
        assert "<img src=x" not in body and "<b>标签" not in body and "<b>x</b>" not in body, path
        assert 'href="javascript:' not in body, path
        assert "Traceback" not in body, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages['/?q=<script>alert(1)</script>'].get_data(as_text=True)


def test_markdown_export_escapes_markup(evil_client):
    body = evil_client.get("/export.md?q=普法").get_data(as_text=True)
    assert "\\<script\\>" in body and "\\*\\*加粗\\*\\*" in body and "\\[点我\\]" in body
    assert "[R/OL]" in body


def test_api_serves_report_text_as_json_only(evil_client):
    from webapp.services import get_archive
    with evil_client.application.app_context():
        (report_id,) = get_archive().ids()
    r = evil_client.get(f"/api/report/{report_id}")
    assert r.mimetype == "application/json" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert any("<script>" in p["text"] for p in r.get_json()["paragraphs"])   # data, unchanged


def test_pages_forbid_inline_scripts(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


# --- paths never leave the data folder; errors never show a traceback -----------------------

@pytest.mark.parametrize("path", [
    "/report/../../etc/passwd", "/report/..%2F..%2Fetc%2Fpasswd", "/town/..%2F..%2Fetc",
    "/static/../../../etc/passwd", "/upload/..%2F..%2Fetc%2Fpasswd",
])
def test_traversal_is_a_friendly_404(client, path):
    r = client.get(path)
    body = r.get_data(as_text=True)
    assert r.status_code in (302, 404)
    assert "root:" not in body and "Traceback" not in body


def test_unknown_page_is_a_chinese_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)


def test_unexpected_errors_are_logged_and_shown_as_a_friendly_500(tmp_path, caplog):
    from helpers import make_app
    app = make_app(tmp_path)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    r = app.test_client().get("/boom")
    body = r.get_data(as_text=True)
    assert r.status_code == 500 and "服务器出错" in body
    assert "secret internals" not in body and "Traceback" not in body
    assert any("secret internals" in (rec.exc_text or str(rec.exc_info)) for rec in caplog.records)


def test_pages_carry_no_external_resources(client):
    body = client.get("/?q=普法").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', body)
