"""Blueprint `basket`: the citation basket, kept in the (signed) session cookie.

The basket is a list of [report id, paragraph id, script]: the script is the one the page
showed when the paragraph was added ("original": as written; "simplified": a 繁体 report read
in 简体), so the export quotes what the user saw and says when a text was converted. Every
change is a POST form that works without JavaScript (redirects back to `next`);
`static/reader.js` submits the same forms with fetch and asks for JSON instead. Exports: .docx
in 公文 format (`webapp.wordexport`), Markdown and CSV; `?script=simplified|original` quotes
every item in 简体 or as written (default: each as it was added). An entry naming a report by
an id it had before a correction renamed it follows the rename (`archive.renames`).

    GET  /basket                 the page          GET /basket.json    {count, items}
    POST /basket/add             report_id, paragraph_id[, script][, next]
    POST /basket/remove          index             POST /basket/move   index, direction=up|down
    POST /basket/clear           GET /basket/export.docx, .md, .csv  [?script=]
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Optional

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request,
                   send_file, session, url_for)

from archive import renames
from archive.errors import ArchiveError
from archive.model import Paragraph, Report
from archive.numbers import parse_int
from webapp import markdown, wordexport
from webapp.citation import citation, permalink, script_note, split_permalink
from webapp.params import same_site_path
from webapp.render import csv_safe
from webapp.reports import base_url, current_paragraph
from webapp.services import get_archive

bp = Blueprint("basket", __name__)

SESSION_KEY = "basket"
MAX_ITEMS = 40  # the session cookie must stay under the browsers' 4 KB limit
SCRIPTS = ("original", "simplified")


@dataclass
class Item:
    index: int
    report_id: str
    paragraph_id: str
    report: Optional[Report]
    paragraph: Optional[Paragraph]
    script: str = "original"

    @property
    def text(self) -> str:
        p = self.paragraph
        if not p:
            return ""
        return (p.text_original or p.text) if self.script == "original" else p.text

    @property
    def note(self) -> str:
        """What the reader must know about the script: 繁体原文, or converted from 繁体."""
        traditional = self.report is not None and self.report.script == "traditional"
        return script_note(traditional, self.script == "original")

    @property
    def source(self) -> str:
        return citation(self.report, self.paragraph, base_url()) if self.paragraph else ""


def entries() -> list[list[str]]:
    """The basket as stored, dropping anything malformed a tampered or old cookie might hold;
    entries from before the script was remembered are as written ("original")."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, list):
        return []
    out = []
    for e in raw:
        if isinstance(e, (list, tuple)) and (len(e) == 2 or len(e) == 3 and e[2] in SCRIPTS):
            out.append([str(e[0]), str(e[1]), e[2] if len(e) == 3 else "original"])
    return out[:MAX_ITEMS]


def _save(items: list[list[str]]) -> None:
    session[SESSION_KEY] = items


def resolve(items: list[list[str]]) -> list[Item]:
    """Each entry with its report (under its current id: a renamed report's old id follows the
    rename) and paragraph (None when since removed or renumbered)."""
    archive, cache, out = get_archive(), {}, []
    for i, (rid, pid, script) in enumerate(items):
        if rid not in cache:
            try:
                cache[rid] = archive.get(renames.resolve(archive, rid))
            except ArchiveError:
                cache[rid] = None
        report = cache[rid]
        paragraph = current_paragraph(report, pid) if report else None
        out.append(Item(i, report.id if report else rid, paragraph.id if paragraph else pid, report,
                        paragraph, script))
    return out


EXPORT_SCRIPTS = {"": "按加入时的字体", "simplified": "全部简体", "original": "全部原文（繁体照录）"}


def export_items() -> list[Item]:
    """The usable items of the basket in the export's script (`?script=`): all 简体, all as
    written, or (absent) each as it was added."""
    script = request.args.get("script", "")
    items = _usable(resolve(entries()))
    return [replace(item, script=script) for item in items] if script in SCRIPTS else items


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _back():
    """Redirect to the same-site path in `next` (never to another host), else the basket."""
    return redirect(same_site_path(request.form.get("next")) or url_for("basket.index"))


def _done(message: str, ok: bool = True, status: int = 200):
    if _wants_json():
        return jsonify({"ok": ok, "message": message, "count": len(entries())}), status
    flash(message, "info" if ok else "error")
    return _back()


def _index_arg(items: list) -> int:
    i = parse_int(request.form.get("index", ""), 0, len(items) - 1)
    if i is None:
        abort(400, description="引用篮中没有这一项，请刷新页面后重试。")
    return i


@bp.route("/basket")
def index():
    return render_template("basket/index.html", items=resolve(entries()), max_items=MAX_ITEMS,
                           export_scripts=EXPORT_SCRIPTS)


@bp.route("/basket.json")
def as_json():
    items = entries()
    return jsonify({"count": len(items), "items": items})


@bp.route("/basket/add", methods=["POST"])
def add():
    rid = request.form.get("report_id", "").strip()
    pid = request.form.get("paragraph_id", "").strip()
    try:
        report = get_archive().get(rid)
    except ArchiveError:
        report = None
    if report is None or report.paragraph(pid) is None:
        return _done("找不到要加入的段落，它可能已被删除或重新编号。", ok=False, status=404)
    script = request.form.get("script", "original")
    script = script if script in SCRIPTS else "original"
    items = entries()
    for item in items:
        if item[:2] == [rid, pid]:
            changed, item[2] = item[2] != script, script
            _save(items)
            return _done("该段落已在引用篮中" + ("，已改为按当前字体引用。" if changed else "。"))
    if len(items) >= MAX_ITEMS:
        return _done(f"引用篮最多存放 {MAX_ITEMS} 段，请先导出或移除部分段落。", ok=False, status=400)
    _save(items + [[rid, pid, script]])
    return _done("已加入引用篮。")


@bp.route("/basket/remove", methods=["POST"])
def remove():
    items = entries()
    del items[_index_arg(items)]
    _save(items)
    return _done("已从引用篮移除。")


@bp.route("/basket/move", methods=["POST"])
def move():
    items = entries()
    i = _index_arg(items)
    j = i - 1 if request.form.get("direction") == "up" else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        _save(items)
    return _done("已调整顺序。")


@bp.route("/basket/clear", methods=["POST"])
def clear():
    _save([])
    return _done("引用篮已清空。")


def _usable(items: list[Item]) -> list[Item]:
    usable = [item for item in items if item.paragraph]
    if not usable:
        abort(400, description="引用篮是空的，请先在阅读页点击“加入引用篮”。")
    return usable


def to_markdown(items: list[Item]) -> str:
    out = ["# 引用汇编", ""]
    for item in items:
        note = f"（{item.note}）" if item.note else ""
        out += [f"> {markdown.quoted_text(item.text)}", "", f"来源：{markdown.cited(item.source)}{note}", ""]
    return "\n".join(out)


CSV_COLUMNS = ("序号", "段落", "引用", "链接", "报告", "乡镇", "县", "年份", "段落编号", "字体")


def to_csv(items: list[Item]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel then reads UTF-8
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for n, item in enumerate(items, 1):
        r = item.report
        writer.writerow([n, csv_safe(item.text), csv_safe(split_permalink(item.source)[0]),
                         permalink(base_url(), item.report_id, item.paragraph_id),
                         csv_safe(r.title or ""), r.place.town or "", r.place.county or "", r.year or "",
                         item.paragraph_id, item.note or "简体"])
    return out.getvalue()


def to_docx(items: list[Item], exported_at: datetime) -> bytes:
    quotations = [wordexport.Quotation(item.text, *split_permalink(item.source), item.note)
                  for item in items]
    return wordexport.build("引用汇编", quotations, exported_at)


@bp.route("/basket/export.md")
def export_md():
    text = to_markdown(export_items())
    return send_file(io.BytesIO(text.encode("utf-8")), mimetype="text/markdown; charset=utf-8",
                     as_attachment=True, download_name="引用汇编.md")


@bp.route("/basket/export.docx")
def export_docx():
    data = to_docx(export_items(), datetime.now(timezone.utc))
    return send_file(io.BytesIO(data), mimetype=wordexport.MIME, as_attachment=True,
                     download_name="引用汇编.docx")


@bp.route("/basket/export.csv")
def export_csv():
    text = to_csv(export_items())
    return send_file(io.BytesIO(text.encode("utf-8")), mimetype="text/csv; charset=utf-8",
                     as_attachment=True, download_name="引用汇编.csv")
