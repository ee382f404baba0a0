"""Blueprint `tracker`: 问题整改追踪, `/tracker[?county=…|town=…]`, a supervision view for a
county justice bureau reviewing its towns' reports.

- For a town (newest pairs first, PAIRS_PER_PAGE at a time): each report's 存在问题, item by item, beside the same town's next report: raised
  again (重复出现), answered by a plan or work item (有回应), or not (未见回应), with the
  matched paragraph and its similarity; and whether the report's 下一步计划 items show up in
  the next report's 工作成效 (计划落实).
- For a county, or the whole archive: towns × years, each cell the next report's count of
  repeated problems (and plans carried out), linking to the town's pair. Paginated by town.

The pairs and their reviews are `analysis.tracker`; this module only renders them.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from analysis.pinyin import pinyin_key
from analysis.summaries import UNKNOWN_PLACE, catalogue, place_options
from analysis.tracker import pairs, review, town_series
from webapp.params import int_arg
from webapp.services import get_archive, get_index

bp = Blueprint("tracker", __name__)

TOWNS_PER_PAGE = 15
PAIRS_PER_PAGE = 5       # a town's pairs of consecutive reports on one page, newest first
STATUS_LABELS = {"repeated": "重复出现", "answered": "有回应", "open": "未见回应"}


@bp.route("/tracker")
def index():
    archive = get_archive()
    town = (request.args.get("town") or "").strip()[:80]
    county = (request.args.get("county") or "").strip()[:80]
    options = {name: [(v, v) for v in values] for name, values in place_options(archive).items()}
    context = {"town": town, "county": county, "options": options, "labels": STATUS_LABELS}
    if town:
        return _town_page(town, county, context)
    return _table_page(county, context)


def _town_page(town: str, county: str, context: dict):
    """One town's pairs of consecutive reports, newest first, PAIRS_PER_PAGE at a time (only
    the pairs shown are reviewed; `pair=<later report id>` opens the page holding that pair);
    namesake towns in other counties each have a section."""
    found = {k: v for k, v in town_series(get_archive(), county or None).items() if k[1] == town}
    if not found:
        context["message"] = (f"档案中没有“{town}”{'（' + county + '）' if county else ''}"
                              "注明年份的报告：请从下拉列表选择乡镇。")
        return render_template("tracker/index.html", **context), 404
    places = sorted(found.items(), key=lambda kv: pinyin_key(kv[0][0]))
    every = [(place, p) for place, series in places for p in reversed(pairs(series))]
    pages = max(1, -(-len(every) // PAIRS_PER_PAGE))
    wanted = request.args.get("pair", "")     # a report page's link: the page holding that pair
    at = next((n for n, (_, p) in enumerate(every) if p.later["id"] == wanted), 0)
    page = min(int_arg("page", at // PAIRS_PER_PAGE + 1, 1, 10_000, label="页码"), pages)
    shown = every[(page - 1) * PAIRS_PER_PAGE:page * PAIRS_PER_PAGE]
    archive, index = get_archive(), get_index()
    held = catalogue(archive)
    sections = []
    for (c, t), series in places:
        mine = [(p, review(archive, index, p, held)) for place, p in shown if place == (c, t)]
        if mine or (page == 1 and not pairs(series)):
            sections.append({"county": c or UNKNOWN_PLACE, "town": t, "series": series, "pairs": mine})
    context.update(sections=sections, page=page, pages=pages, n_pairs=len(every),
                   page_url=lambda n: _url(n, town=town, county=county))
    return render_template("tracker/town.html", **context)


def _table_page(county: str, context: dict):
    towns = town_series(get_archive(), county or None)
    tracked = sorted(((k, v) for k, v in towns.items() if len(v) > 1),   # pinyin, unknown last
                     key=lambda kv: (not kv[0][0], pinyin_key(kv[0][0]), pinyin_key(kv[0][1])))
    pages = max(1, -(-len(tracked) // TOWNS_PER_PAGE))
    page = min(int_arg("page", 1, 1, 10_000, label="页码"), pages)
    shown = tracked[(page - 1) * TOWNS_PER_PAGE:page * TOWNS_PER_PAGE]
    table = []
    years: set = set()
    archive, index = get_archive(), get_index()
    held = catalogue(archive)
    for (c, t), series in shown:
        cells = {}
        for p in pairs(series):
            r = review(archive, index, p, held)
            if r is not None:
                cells[p.later["year"]] = {"pair": p, "review": r}
                years.add(p.later["year"])
        table.append({"county": c or UNKNOWN_PLACE, "county_value": c, "town": t,
                      "reports": len(series), "cells": cells,
                      "repeated": sum(x["review"].count("repeated") for x in cells.values())})
    context.update(table=table, years=sorted(years), page=page, pages=pages,
                   tracked=len(tracked), single=sum(1 for v in towns.values() if len(v) == 1),
                   page_url=lambda n: _url(n, county=county))
    return render_template("tracker/index.html", **context)


def _url(page: int, **place: str) -> str:
    args = [(k, v) for k, v in (*place.items(), ("page", page)) if v and v != 1]
    return request.script_root + "/tracker" + (f"?{urlencode(args)}" if args else "")
