"""Everything from a report or a query is escaped; ids never reach outside the data folder;
no traceback ever reaches a page."""
from __future__ import annotations

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
    assert svg.count('class="trend-bar"') == 2
    assert "2023: 3/10 份, 30%" in svg
    assert "2024: 0/4 份, 0%" in svg


def test_trend_chart_empty():
    assert str(trend_chart([])) == ""
