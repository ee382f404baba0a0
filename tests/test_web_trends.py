"""The multi-phrase trend page `/trend` and its downloads, on the samples plus three invented
years of 青石镇. Expected numbers come from a brute-force scan of the imported reports."""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from archive.folding import fold
from index.documents import indexed_paragraphs
from helpers import SAMPLES, build_archive, make_app
from fixtures.tracker_reports import write_reports

PHRASES = ['"法律明白人"', '"法治带头人"', '"法治政府"']
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trend-data")
    build_archive(folder / "data", [SAMPLES, *write_reports(folder / "files")])
    return make_app(folder / "data")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def reports(app):
    with app.app_context():
        from webapp.services import get_archive
        return list(get_archive().reports())


def scan(reports, phrase, keep=lambda r: True):
    """{report id: matching stored lines (title, headings, body)} by substring over the folded
    text: a phrase is counted as an exact phrase."""
    needle = fold(phrase.strip('"'))
    out = {}
    for r in reports:
        n = sum(1 for p in indexed_paragraphs(r) if needle in fold(p.text))
        if n and keep(r):
            out[r.id] = n
    return out


def url(path="/trend", phrases=PHRASES, **filters):
    return path + "?" + urlencode([("q", p) for p in phrases] + list(filters.items()))


def test_year_table_is_each_phrase_share_of_that_years_reports(client, reports):
    from openpyxl import load_workbook

    response = client.get(url("/trend.xlsx"))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["各年度占比", "各乡镇", "说明"]
    rows = list(book["各年度占比"].iter_rows(values_only=True))
    assert rows[0][:4] == ("年份", "报告总数", '"法律明白人" 命中报告（精确短语）', '"法律明白人" 占比')
    years = sorted({r.year for r in reports if r.year})
    assert [row[0] for row in rows[1:]] == list(range(years[0], years[-1] + 1))   # gaps as 0
    for row in rows[1:]:
        total = sum(1 for r in reports if r.year == row[0])
        assert row[1] == total
        for k, phrase in enumerate(PHRASES):
            matched = len(scan(reports, phrase, lambda r: r.year == row[0]))
            assert row[2 + 2 * k] == matched
            assert row[3 + 2 * k] == pytest.approx(matched / total if total else 0, abs=1e-4)
    assert book["各年度占比"]._charts, "the sheet carries an Excel chart of the shares"


def test_towns_sheet_counts_reports_paragraphs_and_years(client, reports):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(url("/trend.xlsx")).data))
    rows = list(book["各乡镇"].iter_rows(values_only=True))
    table = {(row[0], row[1]): row[2:] for row in rows[1:]}
    expected_towns = {(r.place.county or "未注明", r.place.town or "未注明") for r in reports
                      if any(r.id in scan(reports, p) for p in PHRASES)}
    assert set(table) == expected_towns
    for (county, town), cells in table.items():
        for k, phrase in enumerate(PHRASES):
            hits = scan(reports, phrase, lambda r: (r.place.town or "未注明") == town
                        and (r.place.county or "未注明") == county)
            years = sorted({next(r.year for r in reports if r.id == rid) for rid in hits})
            assert cells[3 * k] == len(hits)
            assert cells[3 * k + 1] == sum(hits.values())
            assert (cells[3 * k + 2] or "") == "、".join(map(str, years))


def test_page_shows_chart_tables_and_downloads(client, reports):
    response = client.get(url())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for testid in ("multi-trend", "year-table", "town-table", "download-png", "download-svg",
                   "download-xlsx", "download-csv"):
        assert f'data-testid="{testid}"' in html
    assert html.split('class="chart-narrow"')[0].count('class="legend series-') == len(PHRASES)
    assert 'data-town="青石镇"' in html
    # the town cell links to the search for that phrase and town
    assert "/?q=%22%E6%B3%95%E6%B2%BB%E5%B8%A6%E5%A4%B4%E4%BA%BA%22&amp;town=%E9%9D%92%E7%9F%B3%E9%95%87" in html


def test_year_filter_is_the_charts_and_the_tables_range(client, reports):
    html = client.get(url(year_from="2023", year_to="2023")).get_data(as_text=True)
    assert re.findall(r'data-year="(\d+)"', html.split('class="chart-narrow"')[0]) == ["2023"]
    table = html.split('data-testid="year-table"')[1].split("</table>")[0]
    assert re.findall(r'<tr data-year="(\d+)">', table) == ["2023"]
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(client.get(url("/trend.xlsx", year_from="2023", year_to="2023")).data))
    towns = {row[1]: row for row in book["各乡镇"].iter_rows(min_row=2, values_only=True)}
    assert towns["青石镇"][2:5] == (1, 1, "2023")     # 法律明白人 in 2023 only, one paragraph


def test_town_filter_normalises_by_that_towns_reports(client, reports):
    rows = list(csv.reader(io.StringIO(client.get(url("/trend.csv", town="青石镇")).get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["年份", "报告总数"]
    by_year = {int(row[0]): row for row in rows[1:]}
    assert [by_year[y][1] for y in (2022, 2023, 2024)] == ["1", "1", "1"]
    assert by_year[2024][2:4] == ["0", "0.0"] and by_year[2023][2:4] == ["1", "1.0"]
    assert sorted(by_year) == [2022, 2023, 2024]    # that town's years, not the archive's


def test_svg_download_is_well_formed_and_escapes_phrases(client):
    nasty = '<i>法治</i>&x<script>'
    response = client.get(url("/trend.svg", phrases=[nasty, '"法律明白人"']))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)              # well-formed XML
    assert root.tag == SVG + "svg"
    assert not list(root.iter(SVG + "script")) and not list(root.iter("script"))
    texts = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    assert nasty in texts                           # shown as text, not markup
    page = client.get(url(phrases=[nasty, '"法律明白人"'])).get_data(as_text=True)
    assert "<i>法治</i>" not in page and "&x<script>" not in page
    assert "&lt;i&gt;法治&lt;/i&gt;&amp;x&lt;script&gt;" in page


def test_png_download_is_a_png_of_the_chart(client):
    from PIL import Image

    response = client.get(url("/trend.png"))
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG" and image.size[0] >= 1600      # drawn at twice the SVG's width
    colours = {c for _, c in image.convert("RGB").getcolors(1 << 20)}
    assert (0x9a, 0x1b, 0x1b) in colours and (0x0b, 0x57, 0xa4) in colours


def test_csv_towns_table_and_formula_cells(client):
    response = client.get(url("/trend.csv", phrases=["=法治"]) + "&table=towns")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert header[:3] == ["县（区）", "乡镇", "'=法治 报告数"]


def test_bad_phrase_is_named_and_the_others_still_count(client):
    response = client.get(url(phrases=['"法律明白人', '"法治带头人"'], match="words"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="phrase-error"' in html and "法律明白人" in html
    assert 'data-testid="multi-trend"' in html and 'data-testid="trend-chart"' in html
    only_bad = client.get(url(phrases=['"法律明白人'], match="words"))
    assert only_bad.status_code == 400
    assert client.get(url("/trend.xlsx", phrases=['"法律明白人'], match="words")).status_code == 400
    assert client.get("/trend.png").status_code == 400


def test_empty_page_and_at_most_six_phrases(client):
    html = client.get("/trend").get_data(as_text=True)
    assert 'data-testid="trend-empty"' in html and html.count('name="q"') == 6
    many = client.get(url(phrases=[f'"{c}"' for c in "法治政府建设工作"])).get_data(as_text=True)
    assert "只比较前 6 个词语" in many and many.split('class="chart-narrow"')[0].count('class="legend series-') == 6


def test_search_page_links_to_the_comparison(client):
    html = client.get("/?" + urlencode({"q": "法律明白人", "town": "青石镇"})).get_data(as_text=True)
    assert 'data-testid="trend-compare-link"' in html
    assert "/trend?q=%E6%B3%95%E5%BE%8B%E6%98%8E%E7%99%BD%E4%BA%BA&amp;town=%E9%9D%92%E7%9F%B3%E9%95%87" in html
    assert 'data-testid="nav-trend"' in html and 'data-testid="nav-tracker"' in html


def test_archive_without_years_still_downloads(tmp_path):
    path = tmp_path / "files" / "无年份.txt"
    path.parent.mkdir()
    path.write_text("关于法治政府建设工作的报告\n\n青石镇深入推进法治政府建设，培育法律明白人。\n", "utf-8")
    build_archive(tmp_path / "data", [path])
    client = make_app(tmp_path / "data").test_client()
    page = client.get(url(phrases=['"法律明白人"', '"法治"']))
    assert page.status_code == 200 and "无法按年度比较" in page.get_data(as_text=True)
    svg = client.get(url("/trend.svg", phrases=['"法律明白人"', '"法治"']))
    assert svg.status_code == 200
    assert any("无法按年度比较" in (t.text or "") for t in ET.fromstring(svg.data).findall(f".//{SVG}text"))


def test_malformed_numbers_refuse_a_download_and_are_dropped_on_the_page(client):
    response = client.get(url("/trend.csv", year_from="20x4"))
    assert response.status_code == 400 and "起始年份" in response.get_data(as_text=True)
    page = client.get(url(year_from="20x4"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "已忽略" in html


def test_control_characters_in_phrases_and_filters_keep_every_file_whole(client):
    from openpyxl import load_workbook

    phrases, town = ["\x1b[31m法治", '"法律明白人"'], "青石\x07镇"
    svg = client.get(url("/trend.svg", phrases=phrases, county=town))
    assert svg.status_code == 200
    ET.fromstring(svg.data)                                  # still well-formed XML
    assert client.get(url("/trend.png", phrases=phrases, county=town)).status_code == 200
    book = client.get(url("/trend.xlsx", phrases=phrases, county=town))
    assert book.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(book.data))["说明"].iter_rows(values_only=True)
             for c in row]
    assert "\ufffd[31m法治、\"法律明白人\"" in cells


def test_phrases_are_counted_exactly_unless_words_are_asked_for(client, reports):
    """法治 … 副主任 in one paragraph is not 法治副主任 (issue 14); the word-level count is an
    explicit choice, and the page and the files say which count was used."""
    loose = "法治 宣传"  # two words that share paragraphs without standing side by side
    exact_rows = list(csv.reader(io.StringIO(client.get(url("/trend.csv", phrases=[loose])).get_data(as_text=True).lstrip("\ufeff"))))
    words_rows = list(csv.reader(io.StringIO(client.get(url("/trend.csv", phrases=[loose], match="words")).get_data(as_text=True).lstrip("\ufeff"))))
    assert exact_rows[0][2].endswith("（精确短语）") and words_rows[0][2].endswith("（分词）")
    exact = {int(r[0]): int(r[2]) for r in exact_rows[1:]}
    words = {int(r[0]): int(r[2]) for r in words_rows[1:]}
    for year in exact:
        assert exact[year] == len(scan(reports, "法治宣传", lambda r: r.year == year))
    assert sum(words.values()) > sum(exact.values())
    html = client.get(url(phrases=[loose])).get_data(as_text=True)
    assert 'data-testid="match-used">计数方式：精确短语' in html
    html = client.get(url(phrases=[loose], match="words")).get_data(as_text=True)
    assert 'data-testid="match-used">计数方式：分词匹配' in html and 'match=words' in html
