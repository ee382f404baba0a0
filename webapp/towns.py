"""Browse by place: `/towns` (the place tree; the town × year coverage grid of the whole archive
when it is small, else of one area: `/towns?county=衡阳县`, or `province`/`city`/`county`
together as the tree links them), `/towns?q=赵集` (towns and counties whose name or pinyin
matches: the search box, which also filters the tree as you type when JavaScript runs) and
`/town/<name>`. Names are listed in pinyin order."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup

from analysis.pinyin import matches, pinyin_sorted, search_forms
from analysis.summaries import AREA_LEVELS, LEVELS, UNKNOWN_PLACE, catalogue, rows
from archive.rules import GENRE_LABELS, LEVEL_LABELS, genre_code, level_code
from webapp.services import get_archive

bp = Blueprint("towns", __name__)

GRID_INLINE_TOWNS = 60   # up to this many grid rows the whole archive's grid sits under the tree
RECENT_YEARS = 10        # columns of a coverage grid by default (`?years=all`: every year)
MAX_MATCHES = 200        # places listed for one search-box query


@bp.route("/towns")
def index():
    where = {level: value for level in AREA_LEVELS if (value := request.args.get(level, "").strip())}
    if where:
        return area(where)
    q = request.args.get("q", "").strip()[:40]
    cat = catalogue(get_archive())
    if q:
        found = find_places(cat, q)
        return render_template("towns/index.html", q=q, found=found[:MAX_MATCHES],
                               more=max(0, len(found) - MAX_MATCHES), tree=None, total=len(cat.rows),
                               grid=None, counties=county_options(cat.counties), selected=None)
    small = cat.n_towns <= GRID_INLINE_TOWNS
    genre, level = genre_code(request.args.get("genre")) or "", level_code(request.args.get("level")) or ""
    shown = cat.tree_of(genre, level)
    # The tree is the same HTML for every request until the catalogue changes: rendering it
    # was most of this page's time (~100 ms at 3,000 reports).
    tree = (cat.derived(("tree.html", request.script_root, small, genre, level), lambda: Markup(render_template(
        "towns/_tree.html", tree=shown, open_all=small,
        towns_url=url_for("towns.index"), UNKNOWN=UNKNOWN_PLACE, search_forms=search_forms)))
        if shown else None)
    return render_template("towns/index.html", q="", tree=tree, total=len(cat.rows),
                           grid=cat.area({})["grid"] if small and cat.rows and not (genre or level) else None,
                           counties=county_options(cat.counties), selected=None, genre=genre, level=level,
                           genre_labels=GENRE_LABELS, level_labels=LEVEL_LABELS)


def find_places(cat, q: str) -> list[dict]:
    """Counties and towns whose name or pinyin (full or initials) contains `q`, counties first,
    each in pinyin order: {level, name, above (the places over it), reports, href}."""
    def build():
        places: dict[tuple, dict] = {}
        for r in cat.rows:
            for level in ("county", "town"):
                name = r[level]
                if not name:
                    continue
                above = " · ".join(r[up] for up in LEVELS[:LEVELS.index(level)] if r[up])
                place = places.setdefault((level, name), {"level": level, "name": name,
                                                          "above": set(), "reports": 0})
                place["reports"] += 1
                if above:
                    place["above"].add(above)
        return pinyin_sorted(({**p, "above": "；".join(sorted(p["above"]))} for p in places.values()),
                             key=lambda p: p["name"])
    every = cat.derived(("towns-search",), build)
    hits = [{**p, "href": url_for("towns.index", county=p["name"]) if p["level"] == "county"
             else url_for("towns.town", name=p["name"])}
            for p in every if matches(p["name"], q)]
    return sorted(hits, key=lambda p: p["level"] != "county")


def area(where: dict[str, str]):
    cat = catalogue(get_archive())
    found = cat.area(where)
    if found is None:
        named = " · ".join(where.values())[:60]
        abort(404, description=f"档案中没有“{named}”的报告。请从地区列表中选择。")
    steps, so_far = [], {}
    for level, name in where.items():
        so_far[level] = name
        if name == UNKNOWN_PLACE and level in found["absent"]:
            continue  # a level this area has none of (天津市 › 静海区)
        steps.append({"name": name, "href": url_for("towns.index") + "?" + urlencode(so_far)})
    return render_template("towns/area.html", area=found, steps=steps, places=found["places"],
                           counties=county_options(cat.counties), selected=where.get("county"))


@bp.app_template_global()
def year_window(grid: dict) -> dict:
    """Which of a coverage grid's years to show: the RECENT_YEARS most recent unless the page
    asks for all (`years=all`), with the links that switch between the two."""
    every = grid["years"]
    wanted_all = request.args.get("years") == "all"
    args = {k: v for k, v in request.args.items() if k != "years"}
    cut = len(every) > RECENT_YEARS and not wanted_all
    return {"years": every[-RECENT_YEARS:] if cut else every, "cut": cut, "recent": RECENT_YEARS,
            "all_url": url_for(request.endpoint, **request.view_args, **args, years="all"),
            "recent_url": url_for(request.endpoint, **request.view_args, **args)
            if wanted_all and len(every) > RECENT_YEARS else None}


def county_options(counties: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """The county picker's (value, label): each county's name with its number of reports."""
    return [(name, f"{name}（{n} 份）") for name, n in counties]


def consecutive_pairs(reports: list[dict]) -> list[tuple[dict, dict]]:
    """(earlier, later) for each pair of reports one year apart — the natural comparisons."""
    dated = sorted((r for r in reports if r["year"]), key=lambda r: (r["year"], r["id"]))
    return [(a, b) for a, b in zip(dated, dated[1:]) if b["year"] - a["year"] == 1]


@bp.route("/town/<name>")
def town(name: str):
    reports = [r for r in rows(get_archive()) if r["town"] == name]
    if not reports:
        abort(404, description=f"档案中没有“{name[:40]}”的报告。请从乡镇列表中选择。")
    reports.sort(key=lambda r: (r["year"] or 0, r["id"]))
    years = sorted({r["year"] for r in reports if r["year"]})
    missing = [y for y in range(years[0], years[-1] + 1) if y not in years] if years else []
    places = sorted({" · ".join(p for p in (r["province"], r["city"], r["county"]) if p)
                     for r in reports} - {""})
    return render_template("towns/town.html", name=name, reports=reports, places=places,
                           missing=missing, pairs=consecutive_pairs(reports))
