"""JSON API: `/api/search`, `/api/report/<id>`, `/api/towns`. Errors are `{"error": message}`
with status 400 (bad query or parameter) or 404 (unknown id) — see `webapp.errors`."""
from __future__ import annotations

import re

from flask import Blueprint, abort, jsonify, request

from analysis.summaries import archive_overview, hierarchy, rows
from archive.rules import GENRE_LABELS, LEVEL_LABELS, read_years
from webapp.params import int_arg
from webapp.search import MAX_PAGE, SORTS, Params, run_search
from webapp.services import get_archive

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_LIMIT = 200
_OPEN_YEARS = re.compile(r"^(?:([0-9]{4})\s*[-–—~]|[-–—~]\s*([0-9]{4}))$")  # 2024- / -2021


def _year_args() -> dict:
    """`year=2024`, `year=2021-2024`, or open `year=2024-` (and later) / `year=-2021` (and
    earlier) → the search page's year_from / year_to."""
    value = (request.args.get("year") or "").strip()
    if not value:
        return {}
    years = read_years(value)
    if years:
        return {"year_from": str(years[0]), "year_to": str(years[1])}
    open_range = _OPEN_YEARS.match(value)
    if not open_range:
        abort(400, description="参数 year 应为年份（如 2024）或年份范围（如 2021-2024、2024-、-2021）。")
    first, last = open_range.groups()
    return {"year_from": first or "", "year_to": last or ""}


@bp.route("/search")
def search():
    sort = request.args.get("sort") or "relevance"
    if sort not in SORTS:
        abort(400, description="参数 sort 应为 relevance、year 或 town。")
    args = {k: request.args.get(k, "") for k in ("q", "town", "county", "section", "genre", "level")}
    args.update(_year_args(), sort=sort)
    params = Params.from_args(args, strict=True)
    if request.args.get("section") and not params.section:
        abort(400, description="参数 section 应为 intro、work、problems、plans 或 closing。")
    for name, labels in (("genre", GENRE_LABELS), ("level", LEVEL_LABELS)):
        if request.args.get(name) and not getattr(params, name):
            abort(400, description=f"参数 {name} 应为 {'、'.join(labels)} 或其中文名。")
    page = int_arg("page", 1, 1, MAX_PAGE, strict=True)
    limit = int_arg("limit", 20, 1, MAX_LIMIT, strict=True)
    return jsonify(run_search(params, page=page, per_page=limit))


@bp.route("/report/<report_id>")
def report(report_id: str):
    return jsonify(get_archive().get(report_id).to_dict())


@bp.route("/towns")
def towns():
    archive = get_archive()
    data = rows(archive)
    return jsonify({"reports": len(data), "years": archive_overview(archive)["years"],
                    "places": hierarchy(data)})
