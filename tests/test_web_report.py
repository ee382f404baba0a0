"""The reading page, original downloads, plain-text citations and similar paragraphs.

Besides the shared `client` over the five samples, these tests use the small archive of hand-made
reports (`handmade_app`, see tests/helpers.py), so that the cases that matter — script toggle,
hostile text, earlier versions, neighbouring years — are certain to be present.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from archive.store import Archive
from helpers import SHARED, make_app

@pytest.fixture
def handmade(handmade_app):
    return handmade_app.test_client()


def url(rid, tail=""):
    return f"/report/{quote(rid)}{tail}"


def page(client, path):
    response = client.get(path)
    return response, response.get_data(as_text=True)


# -- the reading page ------------------------------------------------------------------------

def test_metadata_panel_outline_and_anchors(handmade):
    response, html = page(handmade, url("赵集镇-2024"))
    assert response.status_code == 200
    for value in ("赵集镇2024年法治政府建设工作情况报告", "泗县", "宿州市", "2025-01-15",
                  "赵政〔2025〕3号", "泗县人民政府", "赵集镇人民政府"):
        assert value in html
    assert 'title="取自标题，可信度 95%"' in html
    assert 'data-testid="outline"' in html and 'href="#p-%E4%B8%80.%EF%BC%88%E4%B8%80%EF%BC%89"' in html
    ids = re.findall(r'id="p-([^"]+)"', html)
    assert ids == ["标题", "导语.1", "一", "一.（一）", "一.（一）.1", "一.（二）", "一.（二）.1", "二", "二.1",
                   "三", "三.（一）", "三.（一）.1", "落款.1"]
    assert "系统生成标题" not in html


def test_derived_title_flags_and_traditional_default(handmade):
    _, html = page(handmade, url("马喇镇-2023"))
    assert 'data-testid="title-derived"' in html
    assert "原文含有乱码字符" in html and 'data-flag="encoding_debris"' in html
    assert "馬喇鎮堅持" in html and "马喇镇坚持" not in html      # original script by default
    _, html = page(handmade, url("马喇镇-2023", "?script=simplified"))
    assert "马喇镇坚持" in html and "馬喇鎮堅持" not in html
    assert "script=simplified" in page(handmade, url("马喇镇-2023"))[1]  # the toggle link
    assert 'data-testid="script-toggle"' not in page(handmade, url("赵集镇-2024"))[1]


def test_hostile_report_text_renders_as_text(handmade):
    for path in (url("马喇镇-2023"), url("马喇镇-2023", "?q=普法"), url("马喇镇-2023", "/similar/一.1"),
                 url("马喇镇-2023", "/similar/一.1?fragment=1")):
        html = page(handmade, path)[1]
        assert "<script>alert" not in html and "<img src=x" not in html
        assert 'href="javascript:' not in html
    html = page(handmade, url("马喇镇-2023"))[1]
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    cite = handmade.get(url("马喇镇-2023", "/cite/一.1"))     # plain text, never sniffed as HTML
    assert cite.mimetype == "text/plain" and cite.headers["X-Content-Type-Options"] == "nosniff"


def test_query_highlights_exact_characters_in_this_report(handmade):
    _, html = page(handmade, url("赵集镇-2024", "?q=普法"))
    assert "<mark>普法</mark>" in html
    marked = re.findall(r'<div class="para hit" id="p-([^"]+)"', html)
    assert marked == ["一.（二）.1", "二.1"]
    _, html = page(handmade, url("马喇镇-2023", "?q=普法"))
    assert "<mark>普法</mark>" in html                            # found in the traditional original
    _, html = page(handmade, url("马喇镇-2023", "?q=普法&script=simplified"))
    assert "开展<mark>普法</mark>宣传" in html


def test_query_with_a_syntax_error_still_shows_the_report(handmade):
    response, html = page(handmade, url("赵集镇-2024", '?q="普法'))
    assert response.status_code == 200
    assert "检索式有误" in html and "<mark>" not in html
    main = page(handmade, url("赵集镇-2024", "?q=%3Cscript%3E"))[1].split("<main")[1].split("</main>")[0]
    assert "<script" not in main and "&lt;script&gt;" in main


def test_previous_next_year_and_compare_links(handmade):
    _, html = page(handmade, url("赵集镇-2024"))
    assert 'data-testid="prev-year"' in html and 'data-testid="next-year"' not in html
    assert "/compare?a=" + quote("赵集镇-2023") + "&amp;b=" + quote("赵集镇-2024") in html
    _, html = page(handmade, url("赵集镇-2023"))
    assert 'data-testid="next-year"' in html and 'data-testid="prev-year"' not in html
    assert "其他年份的报告" in page(handmade, url("马喇镇-2023"))[1]


def test_paragraph_tools_work_without_js(handmade):
    _, html = page(handmade, url("赵集镇-2024"))
    pid = "一.（一）.1"
    assert f'href="/report/{quote("赵集镇-2024")}/cite/{quote(pid)}"' in html
    assert 'action="/basket/add"' in html and f'name="paragraph_id" value="{pid}"' in html
    assert 'name="csrf_token"' in html
    assert f'/report/{quote("赵集镇-2024")}/similar/{quote(pid)}"' in html     # no-JS link
    assert "data-copy=\"" + SHARED in html                           # JS copy: text + citation
    assert "一、（一）第1段" in html


@pytest.mark.parametrize("path", [
    "/report/不存在-2020", "/report/..%2F..%2Fetc%2Fpasswd", "/report/../../etc/passwd",
    "/report/%2E%2E", "/report/赵集镇-2024/cite/九.9", "/report/不存在-2020/original",
    "/report/赵集镇-2024/similar/九.9",
])
def test_unknown_or_malicious_ids_get_a_friendly_404(handmade, path):
    response, html = page(handmade, path)
    assert response.status_code == 404
    assert "Traceback" not in html and "root:" not in html
    assert 'data-testid="error-page"' in html


# -- originals --------------------------------------------------------------------------------

def test_original_download_is_the_untouched_bytes(handmade):
    response = handmade.get(url("赵集镇-2024", "/original"))
    assert response.status_code == 200
    assert response.data == "原件 zhaoji-2024.txt".encode("utf-8")
    assert response.mimetype == "text/plain"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "zhaoji-2024.txt" in disposition


def test_earlier_versions_are_listed_and_downloadable(handmade):
    _, html = page(handmade, url("赵集镇-2023"))
    assert 'data-testid="history"' in html
    sha = re.search(r'original\?sha=([0-9a-f]{64})', html).group(1)
    old = handmade.get(url("赵集镇-2023", f"/original?sha={sha}"))
    assert old.status_code == 200 and old.data == "原件 zhaoji-2023-v1.txt".encode("utf-8")
    assert "zhaoji-2023-v1.txt" in old.headers["Content-Disposition"]
    assert handmade.get(url("赵集镇-2023", "/original")).data == "原件 zhaoji-2023.txt".encode()
    for bad in ("0" * 64, "../../etc/passwd", sha[:10]):
        assert handmade.get(url("赵集镇-2023", f"/original?sha={quote(bad)}")).status_code == 404
    # another report's original is not reachable through this id
    other = re.search(r'original\?sha=([0-9a-f]{64})', page(handmade, url("马喇镇-2023"))[1])
    assert other is None


# -- citations and similar paragraphs -----------------------------------------------------------

def test_cite_returns_plain_text_with_citation_and_permalink(handmade):
    response = handmade.get(url("赵集镇-2024", "/cite/" + quote("一.（一）.1")))
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert text.startswith(SHARED)
    assert re.search(r"——赵集镇人民政府\. 赵集镇2024年法治政府建设工作情况报告\[R/OL\]\. 2025: 一、（一）第1段"
                     r"\(2025-\d\d-\d\d\)\[\d{4}-\d\d-\d\d\]\. http://localhost/report/赵集镇-2024#p-一\.（一）\.1", text)
    traditional = handmade.get(url("马喇镇-2023", "/cite/导语.1")).get_data(as_text=True)
    assert traditional.startswith("2023年，馬喇鎮") and "[标题为系统生成][R/OL]. 2023: 导语第1段" in traditional


def test_similar_paragraphs_fragment_and_page(handmade):
    response, html = page(handmade, url("赵集镇-2024", "/similar/" + quote("一.（一）.1") + "?fragment=1"))
    assert response.status_code == 200
    assert "<html" not in html                                      # a fragment for the <details>
    hits = re.findall(r'data-testid="similar-hit"', html)
    assert hits and "赵集镇 2023年" in html
    scores = [int(x) for x in re.findall(r'title="与本段的相似度">(\d+)%<', html)]
    assert len(scores) == len(hits) and scores[0] > 80 and min(scores) >= 15  # no stock-phrase noise
    assert "一、2024年工作情况" not in html                          # text paragraphs, not headings
    assert quote("赵集镇-2023") in html and quote("赵集镇-2024") not in html  # other reports only
    _, full = page(handmade, url("赵集镇-2024", "/similar/" + quote("一.（一）.1")))
    assert "<html" in full and "相似段落" in full


# -- the real samples ---------------------------------------------------------------------------

def test_every_sample_report_renders_with_anchors(client, sample_app):
    from webapp.services import get_archive
    with sample_app.app_context():
        summaries = get_archive().summaries()
    assert len(summaries) == 5
    for s in summaries:
        response, html = page(client, url(s.id, "?q=法治"))
        assert response.status_code == 200, s.id
        assert html.count('data-testid="paragraph"') >= 5
        assert "<mark>法治</mark>" in html or "<mark>法治" in html


def test_metadata_panel_lists_unknown_fields_on_one_line(handmade):
    html = page(handmade, url("马喇镇-2023"))[1]
    panel = html[html.index('data-testid="meta-panel"'):html.index('data-testid="year-nav"')]
    assert re.findall(r'data-field="(\w+)"', panel) == ["town", "county", "level", "genre", "year"]
    assert ">乡镇" in panel and "法治政府建设报告" in panel     # genre and level by their Chinese names
    unknown = re.search(r'data-testid="meta-unknown"[^>]*>([^<]*)<', panel).group(1)
    assert unknown == "市、省、成文日期、主送机关、发文机关、文号"
    assert panel.count("未注明") == 1
    complete = page(handmade, url("赵集镇-2024"))[1]
    assert 'data-testid="meta-unknown"' not in complete     # every field stated: no such line


def test_every_metadata_source_has_a_chinese_label():
    from archive.model import SOURCES
    from webapp.reports import SOURCE_LABELS
    assert set(SOURCE_LABELS) >= set(SOURCES)


def test_citations_use_the_configured_public_address(handmade_app):
    """ARCHIVE_PUBLIC_URL (config PUBLIC_URL) replaces whatever host the browser used."""
    handmade_app.config["PUBLIC_URL"] = "http://fazhi.sfj.gov:8080"
    try:
        text = handmade_app.test_client().get(url("赵集镇-2024", "/cite/" + quote("一.（一）.1")),
                                              base_url="http://127.0.0.1:5000").get_data(as_text=True)
    finally:
        handmade_app.config["PUBLIC_URL"] = None
    assert "http://fazhi.sfj.gov:8080/report/赵集镇-2024#p-一.（一）.1" in text and "127.0.0.1" not in text


@pytest.mark.parametrize("value, expected", [
    ("", None), ("  ", None), ("http://fazhi.sfj.gov:8080/", "http://fazhi.sfj.gov:8080"),
    ("https://10.1.2.3/fazhi", "https://10.1.2.3/fazhi")])
def test_public_url_setting_is_read_and_normalised(value, expected):
    from webapp import public_url
    assert public_url(value) == expected


@pytest.mark.parametrize("value", ["fazhi.sfj.gov", "ftp://x", "http://", "http://h/?a=1"])
def test_a_malformed_public_url_stops_the_server_with_one_line(value):
    from webapp import public_url
    with pytest.raises(ValueError, match="ARCHIVE_PUBLIC_URL"):
        public_url(value)


def test_a_retired_paragraph_id_lands_on_the_paragraph_now_holding_its_words(tmp_path):
    from helpers import build_breadcrumb_archive
    data, rid, retired = build_breadcrumb_archive(tmp_path)
    report = Archive(data).get(rid)
    assert retired in report.retired_ids and retired in report.moved_ids
    now = report.moved_ids[retired]
    assert report.paragraph(now).text.startswith("2024年，赵集镇在县委")
    client = make_app(data).test_client()
    html = client.get(url(rid)).get_data(as_text=True)
    anchor = re.search(r'<span class="moved-anchor" id="p-([^"]+)" data-moved-to="([^"]+)"', html)
    assert anchor.groups() == (retired, now)
    assert html.index(anchor.group(0)) < html.index(f'id="p-{now}"')
    cited = client.get(url(rid, "/cite/" + quote(retired))).get_data(as_text=True)
    assert cited.startswith("2024年，赵集镇在县委") and f"#p-{now}" in cited
