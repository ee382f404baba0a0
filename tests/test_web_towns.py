"""Browse by place: the hierarchy, the town × year grid and the town pages."""
from __future__ import annotations

import re
from urllib.parse import quote

from webapp.summaries import UNKNOWN, coverage, hierarchy
from webapp.towns import consecutive_pairs


def row(id, town, year, county="雷州市", city="湛江市", province="广东省", title=None):
    return {"id": id, "title": title or f"{town}{year}年报告", "year": year, "town": town,
            "county": county, "city": city, "province": province}


DATA = [
    row("覃斗镇-2019", "覃斗镇", 2019),
    row("覃斗镇-2021", "覃斗镇", 2021),
    row("东里镇-2020", "东里镇", 2020),
    row("未知镇-2024-abcd1234", None, 2024, county=None, city=None, province=None),
]


def test_hierarchy_counts_and_unknown_levels_grouped_last():
    tree = hierarchy(DATA)
    assert [n["name"] for n in tree] == ["广东省", UNKNOWN]
    guangdong = tree[0]
    assert guangdong["count"] == 3 and guangdong["years"] == [2019, 2020, 2021]
    county = guangdong["children"][0]["children"][0]
    assert county["name"] == "雷州市" and county["level"] == "county"
    towns = {t["name"]: t for t in county["children"]}
    assert towns["覃斗镇"]["count"] == 2
    assert [r["id"] for r in towns["覃斗镇"]["reports"]] == ["覃斗镇-2019", "覃斗镇-2021"]
    unknown_town = tree[1]["children"][0]["children"][0]["children"][0]
    assert unknown_town["name"] == UNKNOWN and unknown_town["reports"][0]["year"] == 2024


def labels(nodes, depth=0):
    """The tree as (depth, label) in display order."""
    for node in nodes:
        yield depth, node["label"]
        yield from labels(node.get("children", []), depth + 1)


def test_collapsed_hierarchy_merges_each_run_of_unknown_levels():
    data = DATA + [row("赵集镇-2024", "赵集镇", 2024, county=None, city=None, province=None),
                   row("三湖镇-2024", "三湖镇", 2024, county="衡阳县", city=None, province=None),
                   row("k镇-2020", "k镇", 2020, county=None, city=None)]
    assert list(labels(hierarchy(data, collapse_unknown=True))) == [
        (0, "广东省"), (1, "湛江市"), (2, "雷州市"), (3, "东里镇"), (3, "覃斗镇"),
        (1, "市、县（区）未注明"), (2, "k镇"),
        (0, "省、市未注明"), (1, "衡阳县"), (2, "三湖镇"),
        (0, "上级未注明"), (1, "赵集镇"),
        (0, "地区未注明")]
    # The JSON of /api/towns keeps one node per level.
    assert [d for d, _ in labels(hierarchy(data)) if _ == UNKNOWN].count(0) == 1
    assert max(d for d, _ in labels(hierarchy(data))) == 3


def test_coverage_shows_missing_years():
    grid = coverage(DATA)
    assert grid["years"] == [2019, 2020, 2021, 2022, 2023, 2024]
    by_town = {r["town"]: r for r in grid["towns"]}
    assert by_town["覃斗镇"]["missing"] == [2020, 2022, 2023, 2024]
    assert by_town["覃斗镇"]["cells"][2021][0]["id"] == "覃斗镇-2021"
    assert grid["towns"][-1]["town"] == UNKNOWN


def test_consecutive_pairs_only_one_year_apart():
    reports = [row("a-2019", "a", 2019), row("a-2020", "a", 2020), row("a-2022", "a", 2022),
               row("a-2023", "a", 2023), row("a-x", "a", None)]
    assert [(a["id"], b["id"]) for a, b in consecutive_pairs(reports)] == [
        ("a-2019", "a-2020"), ("a-2022", "a-2023")]


# --- the pages over the five samples ---------------------------------------------------------

def test_towns_page_tree_and_grid(client):
    r = client.get("/towns")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'data-testid="place-tree"' in page and 'data-testid="coverage-grid"' in page
    assert f'href="/town/{quote("赵集镇")}"' in page
    assert 'class="has" data-year="2024"' in page and 'class="missing"' in page
    assert "/report/" + quote("赵集镇-2024", safe="") in page
    # 赵集镇 names no county, city or province: one 上级未注明 group, not 未注明 three times over.
    assert re.search(r'<summary class="unknown-place">上级未注明 <span class="muted">\d+ 份</span>'
                     r'</summary>\s*<ul>.*?赵集镇', page, re.S)
    groups = re.findall(r'<summary class="unknown-place">([^<]*?) <span', page)
    assert "上级未注明" in groups and UNKNOWN not in groups     # each group says what is missing


def test_town_page_lists_reports_by_year(client):
    r = client.get("/town/" + quote("赵集镇"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-testid="town-name"' in page
    assert 'data-report-id="赵集镇-2024"' in page
    assert "town=%E8%B5%B5%E9%9B%86%E9%95%87" in page     # search within this town


def test_town_page_links_consecutive_years_to_compare(tmp_path):
    from conftest import build_archive, make_app
    source = sorted(__import__("conftest").SAMPLES.iterdir())[0].read_text("utf-8")
    files = []
    for year in (2022, 2023):
        path = tmp_path / f"zhaoji-{year}.txt"
        path.write_text(source.replace("2024", str(year)), encoding="utf-8")
        files.append(path)
    data = tmp_path / "data"
    build_archive(data, files)
    page = make_app(data).test_client().get("/town/" + quote("赵集镇")).get_data(as_text=True)
    assert 'data-testid="compare-link"' in page
    assert "/compare?a=%E8%B5%B5%E9%9B%86%E9%95%87-2022&amp;b=%E8%B5%B5%E9%9B%86%E9%95%87-2023" in page


def test_unknown_town_is_a_friendly_404(client):
    r = client.get("/town/" + quote("不存在镇"))
    assert r.status_code == 404 and "不存在镇" in r.get_data(as_text=True)
