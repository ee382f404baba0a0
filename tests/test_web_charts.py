"""The share charts fit what they show: the x axis spans the years in scope (a county's own
years, not the archive's), year labels are thinned so they never overlap and never leave the
chart, the year table follows the axis, and the downloaded PNG is a 1600 × 900 slide."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest

from helpers import SPAN_PHRASE, build_archive, make_app, span_files
from webapp.render import LABEL_W, Series, axis_years, label_step, share_chart

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("span")
    build_archive(folder / "data", span_files(folder / "src"))
    return make_app(folder / "data").test_client()


def ticks(svg: str) -> list[tuple[float, str]]:
    """(x, text) of the year labels of the first chart in `svg`."""
    root = ET.fromstring(svg[svg.index("<svg"):svg.index("</svg>") + 6])
    return [(float(t.get("x")), t.text) for t in root.iter(f"{SVG}text") if t.get("class") == "year"]


def chart_of(html: str, testid: str = "trend-chart") -> str:
    return html[html.index(f'data-testid="{testid}"') - 30:]


def test_a_county_with_2019_to_2025_reports_gets_exactly_those_years(client):
    html = client.get("/trend?" + urlencode({"q": SPAN_PHRASE, "county": "雷州市"})).get_data(as_text=True)
    for testid in ("trend-chart", "trend-chart-narrow"):
        assert [text for _, text in ticks(chart_of(html, testid))] == [str(y) for y in range(2019, 2026)]
    table = html.split('data-testid="year-table"')[1].split("</table>")[0]
    assert re.findall(r'<tr data-year="(\d+)">', table) == [str(y) for y in range(2019, 2026)]
    search = client.get("/?" + urlencode({"q": SPAN_PHRASE, "county": "雷州市"})).get_data(as_text=True)
    assert [text for _, text in ticks(chart_of(search))] == [str(y) for y in range(2019, 2026)]
    svg = client.get("/trend.svg?" + urlencode({"q": SPAN_PHRASE, "county": "雷州市"})).get_data(as_text=True)
    inner = svg[svg.index("<svg", 10):]
    years = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == "year"]
    assert years == [str(y) for y in range(2019, 2026)] and "<svg" in inner


@pytest.mark.parametrize("width", [880, 400, 800])
def test_labels_of_a_long_axis_are_thinned_never_overlap_and_are_never_cut(width):
    years = list(range(1952, 2027))
    svg = str(share_chart(years, [Series("x", {y: (1, 2) for y in years})], width=width))
    shown = ticks(svg)
    step = label_step((width - LABEL_W - 4) / len(years))
    assert step in (2, 5, 10) and [int(t) for _, t in shown] == [y for y in years if y % step == 0]
    xs = [x for x, _ in shown]
    assert all(b - a >= LABEL_W for a, b in zip(xs, xs[1:]))             # never overlap
    assert xs[0] - LABEL_W / 2 >= 0 and xs[-1] + LABEL_W / 2 <= width     # never cut


def test_axis_years_are_the_filter_range_else_the_years_with_reports():
    assert axis_years([2019, 2021, 2025]) == list(range(2019, 2026))
    assert axis_years([2019, 2025], 2021, None) == list(range(2021, 2026))
    assert axis_years([2019, 2025], None, 2020) == [2019, 2020]
    assert axis_years([2019, 2025], 2015, 2016) == [2015, 2016]
    assert axis_years([2019, 2025], 1990, 2100) == list(range(2019, 2026))   # too wide: cut
    assert axis_years([]) == [] and axis_years([2020], 2022, 2021) == []


def test_the_png_is_a_1600_by_900_slide_with_title_scope_legend_and_source(client):
    from PIL import Image

    query = urlencode([("q", SPAN_PHRASE), ("q", "普法"), ("county", "雷州市")])
    svg = client.get("/trend.svg?" + query).get_data(as_text=True)
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == ("1600", "900")
    texts = {t.get("class"): t.text for t in root.iter(f"{SVG}text") if t.get("class")}
    assert texts["slide-title"] == f"“{SPAN_PHRASE}”、“普法”在各年度报告中的占比"
    assert "县（区）：雷州市" in texts["slide-scope"] and "2019–2025年" in texts["slide-scope"]
    assert texts["slide-source"].startswith("来源：法治报告检索（http://localhost）")
    legend = [g.find(f"{SVG}text").text for g in root.iter(f"{SVG}g") if g.get("class") == "slide-legend"]
    assert legend == [SPAN_PHRASE, "普法"]
    png = client.get("/trend.png?" + query)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert Image.open(io.BytesIO(png.data)).size == (1600, 900)
