"""Blueprint `reuse`: 查重, `/reuse/<id>` (one report: how much of its body is found in earlier
reports, each shared passage with its sources, boilerplate apart) and `/reuse?county=…` (which
towns of a county reuse whose text, a table sortable by any column). The numbers are
`analysis.reuse`; this module renders them."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from analysis.reuse import WIDTH, county_reuse, report_reuse
from analysis.summaries import UNKNOWN_PLACE, place_options
from webapp.reports import display_text, load_report, use_original_script
from webapp.services import get_archive, get_index

bp = Blueprint("reuse", __name__)

SORTS = {"chars": lambda r: (-r.chars, r.town), "share": lambda r: (-r.share, r.town),
         "town": lambda r: (r.town, -r.chars), "source": lambda r: (r.source_town, -r.chars)}


@bp.route("/reuse/<report_id>")
def report(report_id: str):
    found = load_report(report_id)
    any_year = request.args.get("any_year") == "1"
    reuse = report_reuse(get_archive(), get_index(), found.id, earlier_only=not any_year)
    spans: dict[str, list] = {}
    for p in reuse.passages:
        spans.setdefault(p.paragraph_id, []).extend([] if p.boilerplate else [(p.start, p.end)])
    shown = [p for p in found.paragraphs if p.id in spans]
    return render_template("reuse/report.html", report=found, reuse=reuse, any_year=any_year,
                           width=WIDTH, spans=spans, shown=shown, unknown=UNKNOWN_PLACE,
                           original=use_original_script(found), display_text=display_text)


@bp.route("/reuse")
def county():
    archive = get_archive()
    county = (request.args.get("county") or "").strip()[:80]
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "chars"
    options = [(v, v) for v in place_options(archive)["counties"]]
    table = None
    if county:
        table = sorted(county_reuse(archive, get_index(), county), key=SORTS[sort])
    status = 404 if county and not table and county not in dict(options) else 200
    return render_template("reuse/county.html", county=county, options=options, table=table,
                           sort=sort, width=WIDTH, unknown=UNKNOWN_PLACE), status
