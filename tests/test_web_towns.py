"""Browse by place: the hierarchy, the town × year grid and the town pages."""
from __future__ import annotations

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
