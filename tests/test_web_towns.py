"""Browse by place: the hierarchy, the town × year grid and the town pages."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlencode

from webapp import towns as towns_module
from webapp.services import get_archive
from analysis.summaries import UNKNOWN_PLACE, browse_tree, catalogue, coverage, hierarchy, year_span
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
    assert [n["name"] for n in tree] == ["广东省", UNKNOWN_PLACE]
    guangdong = tree[0]
    assert guangdong["count"] == 3 and guangdong["years"] == [2019, 2020, 2021]
    county = guangdong["children"][0]["children"][0]
    assert county["name"] == "雷州市" and county["level"] == "county"
    towns = {t["name"]: t for t in county["children"]}
    assert towns["覃斗镇"]["count"] == 2
    assert [r["id"] for r in towns["覃斗镇"]["reports"]] == ["覃斗镇-2019", "覃斗镇-2021"]
    unknown_town = tree[1]["children"][0]["children"][0]["children"][0]
    assert unknown_town["name"] == UNKNOWN_PLACE and unknown_town["reports"][0]["year"] == 2024


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
    assert [d for d, _ in labels(hierarchy(data)) if _ == UNKNOWN_PLACE].count(0) == 1
    assert max(d for d, _ in labels(hierarchy(data))) == 3


def test_coverage_shows_missing_years():
    grid = coverage(DATA)
    assert grid["years"] == [2019, 2020, 2021, 2022, 2023, 2024]
    by_town = {r["town"]: r for r in grid["towns"]}
    assert by_town["覃斗镇"]["missing"] == [2020, 2022, 2023, 2024]
    assert by_town["覃斗镇"]["cells"][2021][0]["id"] == "覃斗镇-2021"
    assert grid["towns"][-1]["town"] == UNKNOWN_PLACE


def test_year_span_joins_runs_of_consecutive_years():
    assert year_span([2024, 2019, 2020, 2021]) == "2019–2021、2024"
    assert year_span([2020, 2022]) == "2020、2022" and year_span([]) == ""


def test_browse_tree_links_each_area_to_its_grid_and_splits_towns_from_areas():
    data = DATA + [row("赵集镇-2024", "赵集镇", 2024, county=None, city=None, province=None)]
    guangdong, only_town, nothing = browse_tree(hierarchy(data, collapse_unknown=True))
    county = guangdong["areas"][0]["areas"][0]
    assert parse_qs(county["area"]) == {"province": ["广东省"], "city": ["湛江市"], "county": ["雷州市"]}
    assert [t["name"] for t in county["towns"]] == ["东里镇", "覃斗镇"] and county["areas"] == []
    assert county["n_towns"] == guangdong["n_towns"] == 2 and county["span"] == "2019–2021"
    # An unknown run stands for every level it covers; the top-level unknown town for all three.
    assert only_town["label"] == "上级未注明"
    assert parse_qs(only_town["area"]) == {level: [UNKNOWN_PLACE] for level in ("province", "city", "county")}
    assert nothing["level"] == "town" and parse_qs(nothing["area"]) == parse_qs(only_town["area"])


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
    # 赵集镇 names no county, city or province and has namesakes in three counties: one 上级未注明
    # group, not 未注明 three times over.
    assert re.search(r'<summary class="unknown-place">上级未注明\s*<span class="muted">1 份 · 1 个乡镇 · '
                     r'2024</span>.*?</summary><ul class="towns">.*?赵集镇', page, re.S)
    groups = re.findall(r'<summary class="unknown-place">([^<]*?)\s*<span', page)
    assert "上级未注明" in groups and UNKNOWN_PLACE not in groups     # each group says what is missing
    # A small archive: the whole tree open, its grid on the page, no county picker needed.
    assert "<details>" not in page and 'data-testid="county-picker"' not in page
    county_grid = "/towns?" + urlencode({"province": "湖南省", "city": "衡阳市", "county": "衡阳县"})
    assert f'href="{county_grid.replace("&", "&amp;")}"' in page


def grid_rows(page: str) -> list[str]:
    return re.findall(r'<tr data-town="([^"]*)">', page)


def test_county_grid_shows_only_that_county(client):
    r = client.get("/towns?county=" + quote("衡阳县"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-testid="area-name">衡阳县<' in page
    assert grid_rows(page) == ["三湖镇"]
    assert 'class="has" data-year="2024"' in page and "/report/" + quote("三湖镇-2024", safe="") in page
    assert 'data-testid="county-picker"' in page and '<option value="衡阳县" selected>' in page


def test_grid_of_an_area_with_unknown_levels(client):
    # 重庆市's districts have no city level: 圣灯山镇 (2021) and 马喇镇 (2023)
    unknown = {"province": "重庆市", "city": UNKNOWN_PLACE}
    page = client.get("/towns?" + urlencode(unknown)).get_data(as_text=True)
    assert sorted(grid_rows(page)) == ["圣灯山镇", "马喇镇"]
    # Years run from the area's first report to its last, the gap marked missing.
    assert re.findall(r"<th>(\d{4})</th>", page) == ["2021", "2022", "2023"]
    assert page.count('class="missing"') == 4


def test_unknown_area_is_a_friendly_404(client):
    r = client.get("/towns?county=" + quote("不存在县"))
    assert r.status_code == 404 and "不存在县" in r.get_data(as_text=True)


def test_large_archive_keeps_the_grid_per_county(client, monkeypatch):
    monkeypatch.setattr(towns_module, "GRID_INLINE_TOWNS", 4)      # the samples hold 5 towns
    page = client.get("/towns").get_data(as_text=True)
    assert 'data-testid="coverage-grid"' not in page and 'data-testid="county-picker"' in page
    assert "<details open>" not in page and page.count("<details>") > 0
    assert f'href="/town/{quote("赵集镇")}"' in page                 # towns still listed


def import_sample(archive, index):
    from helpers import SAMPLES
    result = archive.import_file(sorted(SAMPLES.iterdir())[index])
    assert result.status == "imported", result.error
    return result.report_id


def test_derived_views_are_kept_until_the_catalogue_changes(tmp_path):
    from helpers import make_app
    app = make_app(tmp_path / "data")
    client = app.test_client()
    with app.app_context():
        archive = get_archive()
        import_sample(archive, 0)
        first = catalogue(archive)
        assert catalogue(archive) is first                      # nothing changed: nothing rebuilt
        before = client.get("/towns").get_data(as_text=True)
        assert len(grid_rows(before)) == 1

        added = import_sample(archive, 1)                        # an import is seen at once
        assert catalogue(archive) is not first
        town = archive.get(added).place.town
        page = client.get("/towns").get_data(as_text=True)
        assert f'href="/town/{quote(town)}"' in page and len(grid_rows(page)) == 2

        archive.set_fields(added, {"town": "新改镇"})              # so is a staff correction
        page = client.get("/towns").get_data(as_text=True)
        assert f'href="/town/{quote("新改镇")}"' in page and f'href="/town/{quote(town)}"' not in page


def test_town_page_lists_reports_by_year(client):
    r = client.get("/town/" + quote("赵集镇"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-testid="town-name"' in page
    assert 'data-report-id="赵集镇-2024"' in page
    assert "town=%E8%B5%B5%E9%9B%86%E9%95%87" in page     # search within this town


def test_town_page_links_consecutive_years_to_compare(tmp_path):
    from helpers import SAMPLES, build_archive, make_app
    source = sorted(SAMPLES.iterdir())[0].read_text("utf-8")
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


# --- places with no city or no county level (the gazetteer says so) -------------------------

def test_levels_a_place_does_not_have_are_no_step_of_the_tree():
    data = [row("静海区-2023", None, 2023, county="静海区", city=None, province="天津市"),
            row("大邱庄镇-2023", "大邱庄镇", 2023, county="静海区", city=None, province="天津市"),
            row("张沟镇-2022", "张沟镇", 2022, county="仙桃市", city=None, province="湖北省"),
            row("虎门镇-2022", "虎门镇", 2022, county=None, city="东莞市", province="广东省"),
            # 朝阳区 is a district of 北京 and of 长春: with no province the city may be missing
            row("x镇-2021", "x镇", 2021, county="朝阳区", city=None, province=None),
            # a county that has a city above it, the city not given: still 市未注明
            row("三湖镇-2024", "三湖镇", 2024, county="衡阳县", city=None, province="湖南省")]
    assert list(labels(hierarchy(data, collapse_unknown=True))) == [
        (0, "广东省"), (1, "东莞市"), (2, "虎门镇"),
        (0, "湖北省"), (1, "仙桃市"), (2, "张沟镇"),
        (0, "湖南省"), (1, "市未注明"), (2, "衡阳县"), (3, "三湖镇"),
        (0, "天津市"), (1, "静海区"), (2, "大邱庄镇"), (2, "乡镇未注明"),
        (0, "省、市未注明"), (1, "朝阳区"), (2, "x镇")]
    tianjin = browse_tree(hierarchy(data, collapse_unknown=True))[3]
    jinghai = tianjin["areas"][0]
    # its grid is the district's: the city it has none of matches 未注明
    assert parse_qs(jinghai["area"]) == {"province": ["天津市"], "city": [UNKNOWN_PLACE], "county": ["静海区"]}
    assert tianjin["n_towns"] == 1 and [t["name"] for t in jinghai["towns"]] == ["大邱庄镇", UNKNOWN_PLACE]
    dongguan = browse_tree(hierarchy(data, collapse_unknown=True))[0]["areas"][0]
    assert [t["name"] for t in dongguan["towns"]] == ["虎门镇"]


def test_towns_page_shows_municipal_districts_under_their_province(client):
    page = client.get("/towns").get_data(as_text=True)
    chongqing = page[page.index("重庆市"):]
    assert "市未注明" not in page
    assert chongqing.index("巴南区") < chongqing.index("圣灯山镇")
    assert chongqing.index("黔江区") < chongqing.index("马喇镇")
    area = "/towns?" + urlencode({"province": "重庆市", "city": UNKNOWN_PLACE, "county": "巴南区"})
    assert f'href="{area.replace("&", "&amp;")}"' in page
    grid = client.get(area).get_data(as_text=True)
    assert grid_rows(grid) == ["圣灯山镇"]
    assert "重庆市</a> › 巴南区" in grid and ">未注明<" not in grid     # the breadcrumb too


# ---- the grid as staff read it: recent years, sticky names, pickers with names -------------

def span_client(tmp_path):
    from helpers import build_archive, make_app, span_files
    build_archive(tmp_path / "data", span_files(tmp_path / "src"))
    return make_app(tmp_path / "data").test_client()


def test_grid_shows_the_recent_ten_years_with_a_link_to_all(tmp_path):
    client = span_client(tmp_path)
    page = client.get("/towns").get_data(as_text=True)
    assert re.findall(r"<th>(\d{4})</th>", page) == [str(y) for y in range(2017, 2027)]
    assert 'data-testid="coverage-all-years"' in page and "共 35 年（1992–2026）" in page
    every = client.get("/towns?years=all").get_data(as_text=True)
    assert re.findall(r"<th>(\d{4})</th>", every) == [str(y) for y in range(1992, 2027)]
    assert 'data-testid="coverage-recent-years"' in every
    area = client.get("/towns?" + urlencode({"province": "广东省", "city": "湛江市"})).get_data(as_text=True)
    assert re.findall(r"<th>(\d{4})</th>", area) == [str(y) for y in range(2019, 2026)]
    assert 'data-testid="coverage-years"' not in area                   # 7 years: nothing cut
    assert '<td class="county">雷州市</td><th class="town">' in area    # the sticky columns


def test_area_picker_names_counties_with_counts_and_namesakes_only_when_real(tmp_path):
    client = span_client(tmp_path)
    area = client.get("/towns?" + urlencode({"province": "广东省", "city": "湛江市"})).get_data(as_text=True)
    picker = area.split('data-testid="county-picker"')[1].split("</form>")[0]
    assert re.findall(r'<option value="([^"]+)" >([^<]+)</option>', picker) == [
        ("衡阳县", "衡阳县（9 份）"), ("雷州市", "雷州市（38 份）"), ("遂溪县", "遂溪县（15 份）")]   # pinyin order
    assert "同名地区" not in area


def test_a_county_name_in_two_cities_is_a_namesake():
    from types import SimpleNamespace as NS
    from analysis.summaries import Catalogue
    from archive.model import Place
    reports = [NS(id=f"r{n}", title="", year=2024, genre=None, level="town",
                  place=Place(province="河北省", city=city, county="新华区", town=town))
               for n, (city, town) in enumerate([("石家庄市", "甲镇"), ("沧州市", "乙镇"), ("沧州市", "丙镇")])]
    cat = Catalogue(reports)
    assert cat.area({"county": "新华区"})["places"] == ["河北省 · 沧州市 · 新华区", "河北省 · 石家庄市 · 新华区"]
    assert cat.area({"province": "河北省", "city": "沧州市"})["places"] == ["河北省 · 沧州市"]
