"""JSON API of the analysis pages, the same JSON as the CLI's `--json`:
`/api/track?a=<id>&b=<id>` (any two reports) or `?town=…[&county=…]` or `?county=…`,
`/api/compare?a=<id>&b=<id>[&mode=plans2work]`, `/api/trend?q=…&q=…[&town&county&year&section]`
and `/api/reuse/<id>[?any_year=1]`. Errors: `{"error": message}` (see `webapp.errors`)."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from analysis.comparison import MODES, compare_reports
from analysis.reuse import report_reuse
from analysis.tracker import county_summary, review_reports, town_reviews, towns_dict
from analysis.trends import MAX_PHRASES, build_trend, trend_dict
from webapp.services import get_archive, get_index
from webapp.trends import read_phrases, scope_of, trend_params

bp = Blueprint("analysis_api", __name__, url_prefix="/api")


def _text(name: str) -> str:
    return (request.args.get(name) or "").strip()[:80]


@bp.route("/track")
def track():
    a, b, town, county = _text("a"), _text("b"), _text("town"), _text("county")
    archive = get_archive()
    if a or b:
        if not (a and b):
            abort(400, description="请同时给出参数 a（前一份报告）和 b（后一份报告）。")
        return jsonify({"earlier": a, "later": b, **review_reports(archive, a, b).to_dict()})
    if town:
        found = town_reviews(archive, town, county or None)
        if not found:
            abort(404, description=f"档案中没有“{town}”注明年份的报告。")
        return jsonify(towns_dict(found))
    return jsonify(county_summary(archive, county or None))


@bp.route("/compare")
def compare():
    a, b = _text("a"), _text("b")
    mode = request.args.get("mode") or "parts"
    if not (a and b):
        abort(400, description="请同时给出参数 a 和 b（两份报告的编号）。")
    if mode not in MODES:
        abort(400, description="参数 mode 应为 parts 或 plans2work。")
    return jsonify(compare_reports(get_archive(), get_index(), a, b, mode))


@bp.route("/trend")
def trend():
    phrases, too_many = read_phrases(request.args)
    if not phrases or too_many:
        abort(400, description=f"请给出 1–{MAX_PHRASES} 个词语（参数 q，可重复）。")
    scope = scope_of(trend_params(request.args, strict=True))
    found = build_trend(get_index(), phrases, scope)
    if not found.valid:
        abort(400, description="；".join(p.error for p in found.phrases if p.error))
    return jsonify(trend_dict(found, scope))


@bp.route("/reuse/<report_id>")
def reuse(report_id: str):
    any_year = request.args.get("any_year") in ("1", "true", "yes")
    return jsonify(report_reuse(get_archive(), get_index(), report_id, earlier_only=not any_year).to_dict())
