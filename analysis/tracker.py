"""Blueprint `tracker`: 问题整改追踪, `/tracker[?county=…|town=…]`, a supervision view for a
county justice bureau reviewing its towns' reports.

- For a town: each report's 存在问题, item by item, beside the same town's next report: raised
  again (重复出现), answered by a plan or work item (有回应), or not (未见回应), with the
  matched paragraph and its similarity; and whether the report's 下一步计划 items show up in
  the next report's 工作成效 (计划落实).
- For a county, or the whole archive: towns × years, each cell the next report's count of
  repeated problems (and plans carried out), linking to the town's pair. Paginated by town.

The matching is `webapp.rectification` (pure). Each (report, next report) pair is computed
when a page first needs it and kept for the catalogue's generation (`summaries.catalogue`),
so an import or an edit recomputes only what is asked again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from archive.errors import ArchiveError
from webapp.compare import indexed_words
from webapp.params import int_arg
from webapp.pinyin import pinyin_key
from webapp.rectification import PairReview, review_pair
from webapp.render import UNKNOWN_PLACE
from webapp.services import get_archive
from webapp.summaries import catalogue, place_options, rows

bp = Blueprint("tracker", __name__)

TOWNS_PER_PAGE = 15
STATUS_LABELS = {"repeated": "重复出现", "answered": "有回应", "open": "未见回应"}


@dataclass(frozen=True)
class Pair:
    earlier: dict          # summaries.rows() entries: id, title, year, county, town…
    later: dict

    @property
    def gap(self) -> int:
        return self.later["year"] - self.earlier["year"]


def town_series(county: Optional[str] = None) -> dict[tuple[str, str], list[dict]]:
    """(county, town) → the town's reports with a year, one per year (the first id when a town
    filed two the same year), oldest first; towns of `county` only when given."""
    archive = get_archive()

    def build():
        towns: dict = {}
        for r in sorted(rows(archive), key=lambda r: (r["year"] or 0, r["id"])):
            if r["town"] and r["year"]:
                series = towns.setdefault((r["county"] or "", r["town"]), [])
                if not series or series[-1]["year"] != r["year"]:
                    series.append(r)
        return towns
    towns = catalogue(archive).derived("tracker-towns", build)
    return towns if county is None else {k: v for k, v in towns.items() if k[0] == county}


def pairs(series: list[dict]) -> list[Pair]:
    return [Pair(a, b) for a, b in zip(series, series[1:])]


def _body(report_id: str) -> tuple[list[tuple[str, str, str]], dict]:
    """A report's body paragraphs (id, part, text) and their words as the index holds them
    ({} while the index's copy differs: `rectification` then segments the text itself)."""
    report = get_archive().get(report_id)
    known = {pid: w for (_, pid), w in indexed_words("", report).items()}
    return [(p.id, p.part, p.text) for p in report.paragraphs if p.kind == "text"], known


def review(pair: Pair, held=None) -> Optional[PairReview]:
    """The pair's review, computed once per catalogue generation (None: a report went away).
    `held`: the request's `summaries.catalogue` (looked up when not given)."""
    def build():
        try:
            (earlier, known), (later, known_later) = _body(pair.earlier["id"]), _body(pair.later["id"])
        except ArchiveError:
            return None
        return review_pair(earlier, later, known, known_later)
    held = held or catalogue(get_archive())
    return held.derived(("tracker", pair.earlier["id"], pair.later["id"]), build)




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
    found = {k: v for k, v in town_series(county or None).items() if k[1] == town}
    if not found:
        context["message"] = (f"档案中没有“{town}”{'（' + county + '）' if county else ''}"
                              "注明年份的报告：请从下拉列表选择乡镇。")
        return render_template("tracker/index.html", **context), 404
    sections = []
    held = catalogue(get_archive())
    for (c, t), series in sorted(found.items(), key=lambda kv: pinyin_key(kv[0][0])):
        sections.append({"county": c or UNKNOWN_PLACE, "town": t, "series": series,
                         "pairs": [(p, review(p, held)) for p in pairs(series)]})
    context.update(sections=sections)
    return render_template("tracker/town.html", **context)


def _table_page(county: str, context: dict):
    towns = town_series(county or None)
    tracked = sorted(((k, v) for k, v in towns.items() if len(v) > 1),   # pinyin, unknown last
                     key=lambda kv: (not kv[0][0], pinyin_key(kv[0][0]), pinyin_key(kv[0][1])))
    pages = max(1, -(-len(tracked) // TOWNS_PER_PAGE))
    page = min(int_arg("page", 1, 1, 10_000, label="页码"), pages)
    shown = tracked[(page - 1) * TOWNS_PER_PAGE:page * TOWNS_PER_PAGE]
    table = []
    years: set = set()
    held = catalogue(get_archive())
    for (c, t), series in shown:
        cells = {}
        for p in pairs(series):
            r = review(p, held)
            if r is not None:
                cells[p.later["year"]] = {"pair": p, "review": r}
                years.add(p.later["year"])
        table.append({"county": c or UNKNOWN_PLACE, "county_value": c, "town": t,
                      "reports": len(series), "cells": cells,
                      "repeated": sum(x["review"].count("repeated") for x in cells.values())})
    context.update(table=table, years=sorted(years), page=page, pages=pages,
                   tracked=len(tracked), single=sum(1 for v in towns.values() if len(v) == 1),
                   page_url=lambda n: _table_url(county, n))
    return render_template("tracker/index.html", **context)


def _table_url(county: str, page: int) -> str:
    args = [(k, v) for k, v in (("county", county), ("page", page)) if v and v != 1]
    return request.script_root + "/tracker" + (f"?{urlencode(args)}" if args else "")
