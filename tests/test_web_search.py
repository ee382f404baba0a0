"""The search page `/`, its state in the URL, and the CSV / Markdown exports."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from archive.rules import YEAR_MAX, YEAR_MIN
from webapp.search import Params, group_by_report, trend_rows


# --- the URL state (pure) ---------------------------------------------------------------------

def test_params_parse_and_drop_bad_values():
    p = Params.from_args({"q": "  法律明白人 ", "year_from": "2024", "year_to": "2021",
                          "section": "存在问题", "sort": "bogus", "page": "-3"})
    assert p.q == "法律明白人"
    assert (p.year_from, p.year_to) == (2021, 2024)   # swapped into order
    assert p.section == "problems"                    # Chinese label accepted
    assert p.sort == "relevance" and p.page == 1
    assert Params.from_args({"year_from": "abc", "section": "x"}).year is None
    assert Params.from_args({"year_from": "abc", "section": "x"}).section == ""


@pytest.mark.parametrize("args, year", [
    ({"year_from": "2023", "year_to": "2023"}, 2023),
    ({"year_from": "2021", "year_to": "2024"}, (2021, 2024)),
    ({"year_to": "2022"}, (YEAR_MIN, 2022)),     # one-sided: 2022 and earlier
    ({"year_from": "2024"}, (2024, YEAR_MAX)),   # one-sided: 2024 and later
    ({}, None),
])
def test_params_year_argument(args, year):
    assert Params.from_args(args).year == year


def test_query_string_keeps_state_and_resets_page_on_change():
    p = Params.from_args({"q": "普法", "town": "覃斗镇", "page": "3", "sort": "year"})
    assert parse_qs(p.query_string()) == {"q": ["普法"], "town": ["覃斗镇"], "sort": ["year"],
                                          "page": ["3"]}
    changed = parse_qs(p.query_string(town=""))
    assert changed == {"q": ["普法"], "sort": ["year"]}        # filter cleared, back to page 1
    assert parse_qs(p.query_string(page=4))["page"] == ["4"]


def test_group_by_report_keeps_order_and_collapses_the_rest():
    hits = [{"report_id": r, "paragraph_id": str(n), "title": r + "标题", "town": "镇",
             "county": None, "year": 2024} for n, r in enumerate("ABAAB")]
    groups = group_by_report(hits)
    assert [g["report_id"] for g in groups] == ["A", "B"]
    a = groups[0]
    assert [h["paragraph_id"] for h in a["shown"]] == ["0", "2"]
    assert [h["paragraph_id"] for h in a["more"]] == ["3"]
    assert a["title"] == "A标题"


def test_trend_rows_in_year_order_with_links():
    with Flask(__name__).test_request_context("/"):
        trend = {"2023": {"reports": 10, "matching": 3, "share": 0.3},
                 "2022": {"reports": 5, "matching": 0, "share": 0.0}}
        rows = trend_rows(trend, Params.from_args({"q": "普法"}), {2021, 2023})
    assert [(r["year"], r["matched"], r["total"]) for r in rows] == [(2021, 0, 0), (2022, 0, 5), (2023, 3, 10)]
    query = parse_qs(urlsplit(rows[2]["href"]).query)
    assert query == {"q": ["普法"], "year_from": ["2023"], "year_to": ["2023"]}


# --- the page over the five samples -----------------------------------------------------------

def test_empty_query_shows_the_archive_overview(client):
    r = client.get("/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'data-testid="overview"' in page and 'data-testid="latest-reports"' in page
    assert "赵集镇" in page                      # a town in the filter and in the latest list
    assert 'data-testid="hit"' not in page


def test_hits_are_highlighted_grouped_and_linked(client):
    page = client.get("/?q=法律明白人").get_data(as_text=True)
    assert "<mark>法律明白人</mark>" in page
    assert 'data-testid="report-group"' in page
    assert "?q=%E6%B3%95%E5%BE%8B%E6%98%8E%E7%99%BD%E4%BA%BA#p-" in page   # link to the paragraph
    assert "段 / " in page and "份报告" in page
    assert 'data-testid="match-mode"' in page and "精确匹配" in page
    assert 'data-testid="trend-chart"' in page and "份, " in page
    assert page.count('data-testid="basket-add"') == page.count('data-testid="hit"')


def test_quoted_phrase_ignores_punctuation_and_script(client):
    page = client.get('/?q="谁执法谁普法"').get_data(as_text=True)
    marks = re.findall(r"<mark>(.*?)</mark>", page)
    assert marks and all(re.sub(r"\W", "", m) == "谁执法谁普法" for m in marks)


def test_malformed_query_shows_the_parser_message_not_an_error_page(client):
    r = client.get('/?q="法治')
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert 'data-testid="query-error"' in page and 'data-testid="search-input"' in page
    assert 'data-testid="error-page"' not in page and "Traceback" not in page


def test_filters_and_facets_narrow_the_search(client):
    everything = client.get("/api/search?q=法治&limit=200").get_json()
    town = next(iter(everything["facets"]["town"]))
    page = client.get("/", query_string={"q": "法治", "town": town}).get_data(as_text=True)
    expected = everything["facets"]["town"][town]
    assert f"<strong>{expected}</strong> 段" in page
    assert f'<option value="{town}" selected>' in page
    # The facet link for the current town clears it again.
    assert 'aria-current="true"' in page


def test_year_filter_and_trend_links(client):
    page = client.get("/?q=法治&year_from=2024&year_to=2024").get_data(as_text=True)
    assert 'data-testid="hit"' in page
    assert "2021" not in "".join(l for l in page.splitlines() if 'class="report-meta"' in l)
    assert "year_from=2024&amp;year_to=2024" in client.get("/?q=法治").get_data(as_text=True)


def test_paging(client):
    total = client.get("/api/search?q=法治&limit=1").get_json()["total_paragraphs"]
    assert total > 20
    page2 = client.get("/?q=法治&page=2").get_data(as_text=True)
    assert 'data-testid="pager"' in page2 and 'rel="prev"' in page2


def test_csv_export_has_bom_header_and_every_hit(client):
    total = client.get("/api/search?q=普法&limit=1").get_json()["total_paragraphs"]
    r = client.get("/export.csv?q=普法")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    body = r.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][0] == "报告" and len(rows) == total + 1
    assert all("普法" in row[7] for row in rows[1:])
    assert all("[R/OL]" in row[8] and "/report/" in row[9] for row in rows[1:])


def test_markdown_export_cites_each_hit(client):
    total = client.get("/api/search?q=普法&limit=1").get_json()["total_paragraphs"]
    body = client.get("/export.md?q=普法").get_data(as_text=True)
    assert body.startswith("# 检索结果：普法")
    assert body.count("[R/OL]") == total and body.count("/report/") == total


def test_export_of_a_bad_query_is_a_friendly_400(client):
    r = client.get('/export.csv?q="x')
    assert r.status_code == 400 and "Traceback" not in r.get_data(as_text=True)


def test_exports_cite_the_stored_report_exactly(client, sample_app):
    """覃斗镇-2019 is signed 覃斗镇人民政府 on 2020-04-13 and has no title of its own: the export
    must say so, as the reading page's citation does, not fall back to the covered year."""
    from webapp.citation import citation
    from webapp.services import get_archive

    expected = "覃斗镇人民政府. 覃斗镇2019年法治政府建设工作情况报告[标题为系统生成][R/OL]. 2020"
    query = {"q": "法治", "town": "覃斗镇"}
    rows = list(csv.reader(io.StringIO(
        client.get("/export.csv", query_string=query).get_data(as_text=True)[1:])))[1:]
    assert rows
    with sample_app.app_context():
        report = get_archive().get("覃斗镇-2019")
        for row in rows:
            assert row[8] == citation(report, report.paragraph(row[6]), "http://localhost")
            assert row[8].startswith(expected)
    markdown = client.get("/export.md", query_string=query).get_data(as_text=True)
    assert markdown.count("——" + expected) == len(rows)

