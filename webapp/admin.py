"""Blueprint `admin`: administrators correct a report's metadata in the browser.

    /report/<id>/edit     the edit form (GET) and its save (POST); login and CSRF as /upload
    /review               reports whose town or year is missing or doubtful, fixable in place
                          (?reason= filters by reason; ?page=)
    /review/settle        POST: one action (action=genre_doubt|place_ambiguous|confirm) on the
                          selected reports (ids=…): mark the doubt checked, or 确认无误
    /review/reimport      POST: read one report (report_id) or all again with today's importer
    /places/suggest       ?level=county&q=潼南 → JSON suggestions for the forms' autocomplete

Every save goes through `archive.audit.correct`: overrides that survive re-import, an audit
line (shown on the report page by `audit_trail`), and a new id when the town or year calls for
one. Old ids keep working: `follow_renames` answers any page of a renamed report with a
permanent redirect (301) to the same page under its current id.
"""
from __future__ import annotations

import datetime as dt

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request, session,
                   url_for)

import workflows
from archive import audit, integrity, renames
from workflows.reimport import reimport
from archive.errors import ArchiveError, InvalidField, ReportNotFound
from archive.fields import REVIEWED
from archive.rules import GENRE_LABELS, LEVEL_LABELS
from archive.model import CHECKED_FLAGS, PLACE_FIELDS
from webapp import placenames
from webapp.auth import admin_required, is_admin, uploads_enabled
from webapp.params import int_arg, same_site_path
from archive.flags import REVIEW_LABELS, flag_label
from webapp.reports import META_FIELDS, load_report
from webapp.services import get_archive, get_index

bp = Blueprint("admin", __name__)

FIELDS = (("title", "标题"),) + META_FIELDS          # every field `archive set` can correct
LABELS = dict(FIELDS)
REVIEW_FIELDS = ("town", "county", "year")
OPENING_CHARS = 150                                   # of the first paragraph, on /review
REVIEW_PAGE = 30                                      # reports on one page of /review
REIMPORT_LINES = 20                                   # changed reports named after a reimport
PLACE_LEVELS = tuple(placenames.LEVEL_LABELS)       # the form's order: province down to town
BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
_REDIRECT_ARGS = {"compare.": ("a", "b")}            # pages naming reports in their query


def editor() -> str:
    """Who the audit trail records: the site has one administrator password, so the editor's
    own name (optional, typed in the form and remembered for the session) and their address."""
    name = session.get("editor", "")
    return f"管理员 {name}" if name else "管理员"


def _form_value(report, name: str) -> str:
    value = report.meta(name)
    return "" if value is None else str(value)


def _changed_fields() -> dict[str, str]:
    """The fields the form changed: each is sent with the value it had when the form was
    shown (`orig-<field>`), so fields left alone never overwrite another editor's change."""
    out = {}
    for name in LABELS:
        if name not in request.form:
            continue
        value = (request.form.get(f"choose-{name}") or request.form.get(name, "")).strip()
        if value != request.form.get(f"orig-{name}", "").strip():
            out[name] = value
    return out


def _edit_page(report, values: dict, problems: dict | None = None, error: str | None = None,
               status: int = 200):
    return render_template(
        "admin/edit.html", report=report, fields=FIELDS, values=values, problems=problems or {},
        error=error, place_levels=PLACE_LEVELS, level_labels=placenames.LEVEL_LABELS,
        genre_labels=GENRE_LABELS, level_names=LEVEL_LABELS,
        known={level: placenames.known_names(level) for level in PLACE_LEVELS},
        editor_name=session.get("editor", ""), next=same_site_path(request.values.get("next")),
        originals={name: request.form.get(f"orig-{name}", _form_value(report, name))
                   for name in LABELS} if request.method == "POST" else
                  {name: _form_value(report, name) for name in LABELS}), status


@bp.route("/report/<report_id>/edit", methods=["GET"])
@admin_required
def edit(report_id: str):
    _writable()
    report = load_report(report_id)
    return _edit_page(report, {name: _form_value(report, name) for name in LABELS})


@bp.route("/report/<report_id>/edit", methods=["POST"])
@admin_required
def save(report_id: str):
    _writable()
    archive = get_archive()
    try:
        report = archive.get(renames.resolve(archive, report_id))
    except ReportNotFound:
        abort(404, description=f"找不到编号为“{report_id}”的报告，它可能已被删除。")
    name = request.form.get("editor", "").strip()[:40]
    if name:
        session["editor"] = name
    changed = _changed_fields()
    problems, notes = placenames.check(changed, lambda level: request.form.get(f"confirm-{level}"))
    values = {field: changed.get(field, request.form.get(field, _form_value(report, field))).strip()
              for field in LABELS}
    if problems:
        return _edit_page(report, values, problems=problems, status=400)
    try:
        done = audit.correct(archive, report.id, changed, editor(), request.remote_addr)
    except InvalidField as exc:
        return _edit_page(report, values, error=str(exc), status=400)
    if not done.changes:
        flash("没有修改任何信息。", "info")
    else:
        synced = workflows.sync_index(archive, get_index())
        if synced.error:
            flash(f"已保存，但检索索引暂未更新（{synced.error}）；稍后重试或运行 archive reindex --changed。",
                  "error")
        said = "；".join(f"{LABELS[k]}：{_shown(a)} → {_shown(b)}" for k, (a, b) in done.changes.items())
        flash("已保存。" + said + ("。" + "；".join(notes) if notes else ""), "info")
        if done.renamed:
            flash(f"报告编号已由 {done.old_id} 改为 {done.report.id}；旧链接和已引用的地址会自动跳转到新地址。",
                  "info")
    target = same_site_path(request.form.get("next"))
    return redirect(target or url_for("reports.read", report_id=done.report.id))


def _shown(value) -> str:
    if value in (None, ""):
        return "（空）"
    if isinstance(value, str):
        return GENRE_LABELS.get(value) or LEVEL_LABELS.get(value) or value
    return str(value)


def _flags_shown(flags) -> str:
    return "、".join(flag_label(f) for f in flags) if isinstance(flags, list) and flags else "（无）"


def _writable() -> None:
    if not uploads_enabled():
        abort(403, description="本站为只读模式，不能修改报告信息。")


def _review_url(page: int, reason: str, anchor: str = "") -> str:
    """The review list's page (and reason filter); `anchor` the item to come back to."""
    url = url_for("admin.review", page=page if page > 1 else None, reason=reason or None)
    return url + (f"#item-{anchor}" if anchor else "")


@bp.route("/review")
@admin_required
def review():
    """`integrity.review()` as a page, REVIEW_PAGE reports at a time, filtered by reason
    (`?reason=year_doubtful`): each report's problems, an inline form for them and a box to
    select it for the bulk actions (确认不是乡镇报告 / 确认地名 / 确认无误). Every form sends
    `next`: the same page and filter, anchored at the item above, so a save comes back to the
    same place."""
    _writable()
    archive = get_archive()
    kinds = integrity.review_kinds(archive)
    listed = integrity.review_ids(archive)
    counts = {k: sum(k in kinds.get(rid, ()) for rid, _ in listed) for k in REVIEW_LABELS}
    reason = request.args.get("reason", "")
    if reason not in REVIEW_LABELS:
        reason = ""
    shown = [(rid, reasons) for rid, reasons in listed if not reason or reason in kinds.get(rid, ())]
    pages = max(1, -(-len(shown) // REVIEW_PAGE))
    page = min(int_arg("page", 1, 1, 10_000, label="页码"), pages)
    items, above = [], ""
    for rid, reasons in shown[(page - 1) * REVIEW_PAGE:page * REVIEW_PAGE]:
        try:
            report, reasons = integrity.review_item(archive, rid, reasons)
        except ArchiveError:  # removed or broken since the list was read: `archive check` says
            continue
        if not reasons:
            continue
        opening = next((p.text_original or p.text for p in report.paragraphs if p.kind == "text"), "")
        items.append({"report": report, "reasons": reasons, "next": _review_url(page, reason, above),
                      "values": {name: _form_value(report, name) for name in REVIEW_FIELDS},
                      "opening": opening[:OPENING_CHARS] + ("…" if len(opening) > OPENING_CHARS else ""),
                      "candidates": ambiguous_candidates(report),
                      "doubtful": integrity.doubtful_fields(report)})
        above = report.id
    return render_template("admin/review.html", items=items, fields=REVIEW_FIELDS, labels=LABELS,
                           total=len(listed), shown=len(shown), page=page, pages=pages,
                           reason=reason, reasons=REVIEW_LABELS, counts=counts,
                           here=_review_url(page, reason),
                           page_url=lambda n: _review_url(n, reason), dismissable=CHECKED_FLAGS,
                           bulk_actions=BULK_ACTIONS,
                           genre_labels=GENRE_LABELS, level_names=LEVEL_LABELS,
                           known={level: placenames.known_names(level) for level in ("town", "county")})


# The review list's actions on one or several reports: (button, what it clears).
BULK_ACTIONS = {"genre_doubt": "确认不是乡镇报告", "level_doubt": "确认层级", "place_ambiguous": "确认地名",
                "confirm": "确认无误"}


def _settle(archive, report, action: str) -> bool:
    """Apply one review action to `report`; False when it has no such doubt. A noted flag is
    marked checked (`reviewed`, a correction); 确认无误 keeps the doubtful town and year as they
    are, with full confidence (archive.audit.confirm). Both are recorded in the audit trail."""
    if action == "confirm":
        names = integrity.doubtful_fields(report)
        if names:
            audit.confirm(archive, report.id, names, editor(), request.remote_addr)
        return bool(names)
    if action not in report.flags:
        return False
    audit.correct(archive, report.id, {REVIEWED: report.reviewed + [action]}, editor(),
                  request.remote_addr)
    return True


@bp.route("/review/settle", methods=["POST"])
@admin_required
def settle():
    """One review action (`action`: a noted flag — genre_doubt, level_doubt, place_ambiguous —
    marked checked, or confirm) on every selected
    report (`ids`, one or many); the index follows once at the end."""
    _writable()
    archive = get_archive()
    action = request.form.get("action", "")
    if action not in BULK_ACTIONS:
        abort(400, description="未知的核对操作，请刷新页面后重试。")
    ids = list(dict.fromkeys(i.strip() for i in request.form.getlist("ids") if i.strip()))
    back = same_site_path(request.form.get("next")) or url_for("admin.review")
    if not ids:
        flash("请先勾选要处理的报告。", "error")
        return redirect(back)
    done, skipped = [], 0
    for rid in ids[:REVIEW_PAGE * 4]:
        try:
            report = archive.get(renames.resolve(archive, rid))
        except ArchiveError:
            skipped += 1
            continue
        if _settle(archive, report, action):
            done.append(report.id)
        else:
            skipped += 1
    if done:
        synced = workflows.sync_index(archive, get_index())
        if synced.error:
            flash(f"已保存，但检索索引暂未更新（{synced.error}）；稍后重试或运行 archive reindex --changed。",
                  "error")
    what = BULK_ACTIONS[action]
    flash(f"“{what}”：已处理 {len(done)} 份报告，移出待核对" + (
        f"；{skipped} 份没有这项疑问（可能已被处理），未改动。" if skipped else "。"), "info")
    return redirect(back)


@bp.route("/review/reimport", methods=["POST"])
@admin_required
def reimport_reports():
    """`archive reimport` from the review page: one report (`report_id`) or all. Ids, staff
    corrections and the ids of unchanged paragraphs stay (workflows.reimport)."""
    _writable()
    rid = request.form.get("report_id", "").strip()
    done = reimport(get_archive(), get_index(), [rid] if rid else None)
    said = [o.describe() for o in done.outcomes if o.worth_saying]
    flash(done.summary().replace(": ", "：", 1) + ("；其中：" if said else "。"),
          "error" if done.count("failed") else "info")
    for line in said[:REIMPORT_LINES]:
        flash(line, "info")
    if len(said) > REIMPORT_LINES:
        flash(f"……另有 {len(said) - REIMPORT_LINES} 份报告有变化或失败。", "info")
    if done.index.error:
        flash(f"检索索引暂未更新（{done.index.error}）；稍后运行 archive reindex --changed。", "error")
    return redirect(same_site_path(request.form.get("next")) or url_for("admin.review"))


def ambiguous_candidates(report) -> list[dict]:
    """The gazetteer's candidate places of a report flagged `place_ambiguous` (importer branch
    `places`), each {town, county, city, province}; empty when there are none."""
    if "place_ambiguous" not in report.flags:
        return []
    found = getattr(report, "place_candidates", None) or []
    return [{level: c.get(level) for level in PLACE_FIELDS} for c in found if isinstance(c, dict)]


@bp.route("/places/suggest")
def suggest():
    level = request.args.get("level", "")
    if level not in placenames.LEVEL_LABELS:
        abort(400, description="参数 level 应为 town、county、city 或 province。")
    typed = request.args.get("q", "").strip()[:40]
    return jsonify([s.to_dict() for s in placenames.suggest(level, typed)])


@bp.before_app_request
def follow_renames():
    """A renamed report's old address answers 301 to the same page under its current id
    (paragraph anchors survive: browsers keep the #fragment across redirects)."""
    if request.method not in ("GET", "HEAD") or request.endpoint is None:
        return None
    view_args = dict(request.view_args or {})
    args = request.args.to_dict(flat=False)
    moved = False
    rid = view_args.get("report_id")
    if rid:
        new = _current_id(rid)
        if new:
            view_args["report_id"], moved = new, True
    for prefix, names in _REDIRECT_ARGS.items():
        if request.endpoint.startswith(prefix):
            for name in names:
                new = _current_id(request.args.get(name, ""))
                if new:
                    args[name], moved = [new], True
    if moved:
        return redirect(url_for(request.endpoint, **view_args, **args), 301)
    return None


def _current_id(report_id: str) -> str | None:
    if not report_id:
        return None
    try:
        new = renames.resolve(get_archive(), report_id)
    except ArchiveError:  # an invalid id, an unreadable redirects.json: the page itself answers
        return None
    return new if new != report_id else None


@bp.app_template_global()
def audit_trail(report_id: str) -> list[dict]:
    """The report's audit entries for its page, newest first, times in Beijing time; the
    editor's address only for administrators."""
    try:
        entries = audit.entries(get_archive(), report_id)
    except ArchiveError:
        return []
    out = []
    for e in reversed(entries):
        try:
            at = dt.datetime.fromisoformat(e.get("at", "")).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        except (TypeError, ValueError):
            at = ""
        changes = [(LABELS.get(k, k), _shown(v[0]), _shown(v[1])) if k != REVIEWED else
                   ("已核对的疑问", _flags_shown(v[0]), _flags_shown(v[1]))
                   for k, v in (e.get("changes") or {}).items() if isinstance(v, list) and len(v) == 2]
        confirmed = [(LABELS.get(k, k), _shown(v)) for k, v in (e.get("confirmed") or {}).items()]
        out.append({"at": at, "who": e.get("who") or "管理员", "changes": changes, "confirmed": confirmed,
                    "renamed": e.get("renamed"), "via": e.get("via"),
                    "address": e.get("address") if is_admin() else None})
    return out
