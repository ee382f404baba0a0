"""Blueprint `tracker`: 问题整改追踪, `/tracker[?county=…|town=…]`, a supervision view for a
county justice bureau reviewing its towns' reports.

- For a town (PAIRS_PER_PAGE pairs at a time): each report's 存在问题, item by item, beside the same town's next report: raised
  again (重复出现), answered by a plan or work item (有回应), or not (未见回应), with the
  matched paragraph and its similarity; and whether the report's 下一步计划 items show up in
  the next report's 工作成效 (计划落实).
- For a county, or the whole archive: towns × years, each cell the next report's count of
  repeated problems (and plans carried out), linking to the town's pair. Paginated by town.

The pairs and their reviews are `analysis.tracker`; this module only renders them.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for

from analysis.pinyin import pinyin_key
from analysis.summaries import UNKNOWN_PLACE, catalogue, place_options
from analysis import verdicts
from analysis.tracker import pairs, review, review_reports, town_reviews, town_series
from archive.errors import ArchiveError
from archive.rules import DEFAULT_GENRE, GENRE_LABELS, genre_code
from webapp.auth import admin_required, is_admin
from webapp.params import int_arg
from webapp.services import get_archive

bp = Blueprint("tracker", __name__)

TOWNS_PER_PAGE = 15
PAIRS_PER_PAGE = 5       # a town's pairs of consecutive reports on one page
STATUS_LABELS = {"repeated": "重复出现", "answered": "有回应", "review": "待人工判断", "open": "未见回应"}
PLAN_LABELS = {"done": "已落实", "review": "待人工判断", "open": "未见落实"}


@bp.route("/tracker")
def index():
    archive = get_archive()
    town = (request.args.get("town") or "").strip()[:80]
    county = (request.args.get("county") or "").strip()[:80]
    options = {name: [(v, v) for v in values] for name, values in place_options(archive).items()}
    # a town's series is of one genre: its 法治政府建设 reports unless another is chosen
    raw = (request.args.get("genre") or "").strip()
    genre = "" if raw == "all" else genre_code(raw) or DEFAULT_GENRE
    options["genres"] = [("all", "全部体裁"), *GENRE_LABELS.items()]
    context = {"town": town, "county": county, "options": options, "labels": STATUS_LABELS,
               "plan_labels": PLAN_LABELS, "genre": genre or "all"}
    if town:
        return _town_page(town, county, context)
    return _table_page(county, context)


def _town_page(town: str, county: str, context: dict):
    """One town's pairs of consecutive reports, year by year, PAIRS_PER_PAGE at a time
    (`pair=<later report id>` opens the page holding that pair); namesake towns in other
    counties each have a section."""
    found = town_reviews(get_archive(), town, county or None, _genre(context))
    if not found:
        context["message"] = (f"档案中没有“{town}”{'（' + county + '）' if county else ''}"
                              "注明年份的报告：请从下拉列表选择乡镇。")
        return render_template("tracker/index.html", **context), 404
    archive = get_archive()
    places = sorted(found, key=lambda s: pinyin_key(s["county"]))
    every = [(n, p, r) for n, s in enumerate(places) for p, r in s["pairs"]]
    pages = max(1, -(-len(every) // PAIRS_PER_PAGE))
    wanted = request.args.get("pair", "")     # a report page's link: the page holding that pair
    at = next((n for n, (_, p, _) in enumerate(every) if p.later["id"] == wanted), 0)
    page = min(int_arg("page", at // PAIRS_PER_PAGE + 1, 1, 10_000, label="页码"), pages)
    shown = every[(page - 1) * PAIRS_PER_PAGE:page * PAIRS_PER_PAGE]
    sections = []
    for n, s in enumerate(places):
        mine = [(p, r) for k, p, r in shown if k == n]
        if mine or (page == 1 and not s["pairs"]):
            sections.append({**s, "pairs": mine, "county": s["county"] or UNKNOWN_PLACE,
                             "county_value": s["county"],
                             "history": {p.later["id"]: verdicts.history(archive, p.earlier["id"], p.later["id"])
                                         for p, _ in mine}})
    context.update(sections=sections, can_judge=is_admin(), page=page, pages=pages,
                   n_pairs=len(every), page_url=lambda n: _url(n, town=town, county=county))
    return render_template("tracker/town.html", **context)


def _genre(context: dict) -> str:
    return "" if context["genre"] == "all" else context["genre"]


def _table_page(county: str, context: dict):
    towns = town_series(get_archive(), county or None, _genre(context))
    tracked = sorted(((k, v) for k, v in towns.items() if len(v) > 1),   # pinyin, unknown last
                     key=lambda kv: (not kv[0][0], pinyin_key(kv[0][0]), pinyin_key(kv[0][1])))
    pages = max(1, -(-len(tracked) // TOWNS_PER_PAGE))
    page = min(int_arg("page", 1, 1, 10_000, label="页码"), pages)
    shown = tracked[(page - 1) * TOWNS_PER_PAGE:page * TOWNS_PER_PAGE]
    table = []
    years: set = set()
    archive = get_archive()
    held = catalogue(archive)
    for (c, t), series in shown:
        cells = {}
        for p in pairs(series):
            r = review(archive, p, held)
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


@bp.route("/tracker/verdict", methods=["POST"])
@admin_required
def set_verdict():
    """A reviewer's verdict on one item of a pair (`analysis.verdicts`), then back to the pair."""
    form = request.form
    earlier, later, kind = form.get("earlier", ""), form.get("later", ""), form.get("kind", "")
    paragraph_id, n = form.get("paragraph_id", ""), int_arg("n", 0, 0, 10_000, source=form, strict=True)
    try:
        found = review_reports(get_archive(), earlier, later)
    except ArchiveError:
        abort(404, description="报告已不在档案中，请刷新页面。")
    rows = ([f.problem for f in found.problems] if kind == "problem" else
            [f.plan for f in found.plans] if kind == "plan" else [])
    item = next((i for i in rows if (i.paragraph_id, i.n) == (paragraph_id, n)), None)
    if item is None:
        abort(400, description="找不到这一条问题或计划：报告可能已经修改，请刷新页面。")
    try:
        verdicts.record(get_archive(), earlier, later, kind, paragraph_id, n, item.text,
                        form.get("verdict", ""), who=form.get("editor", "").strip(),
                        address=request.remote_addr or "", note=form.get("note", ""))
    except ArchiveError as exc:
        abort(400, description=str(exc))
    town, county = form.get("town", ""), form.get("county", "")
    return redirect(url_for("tracker.index", town=town or None, county=county or None, pair=later)
                    + f"#pair-{later}", code=303)
