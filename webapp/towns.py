"""Browse by place: `/towns` (hierarchy and town × year coverage) and `/town/<name>`."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from webapp.services import get_archive
from webapp.summaries import coverage, hierarchy, rows

bp = Blueprint("towns", __name__)


@bp.route("/towns")
def index():
    data = rows(get_archive())
    return render_template("towns/index.html", tree=hierarchy(data, collapse_unknown=True), grid=coverage(data),
                           total=len(data))


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
