"""The search page `/`, its state in the URL, and the CSV / Markdown exports."""
from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

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
    ({"year_to": "2022"}, 2022),
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
        rows = trend_rows(trend, Params.from_args({"q": "普法"}))
    assert [(r["year"], r["matched"], r["total"]) for r in rows] == [(2022, 0, 5), (2023, 3, 10)]
    query = parse_qs(urlsplit(rows[1]["href"]).query)
    assert query == {"q": ["普法"], "year_from": ["2023"], "year_to": ["2023"]}
