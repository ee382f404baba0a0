"""Blueprint `basket`: the citation basket, kept in the (signed) session cookie.

The basket is a list of [report id, paragraph id]. Every change is a POST form that works
without JavaScript (redirects back to `next`); `static/reader.js` submits the same forms with
fetch and asks for JSON instead. Exports: .docx (each paragraph followed by its source line)
and Markdown.

    GET  /basket                 the page          GET /basket.json    {count, items}
    POST /basket/add             report_id, paragraph_id[, next]
    POST /basket/remove          index             POST /basket/move   index, direction=up|down
    POST /basket/clear           GET /basket/export.docx, /basket/export.md
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request,
                   send_file, session, url_for)

from archive.errors import ArchiveError
from archive.model import Paragraph, Report
from archive.numbers import parse_int
from webapp.citation import citation
from webapp.reports import base_url
from webapp.services import get_archive

bp = Blueprint("basket", __name__)

SESSION_KEY = "basket"
MAX_ITEMS = 40  # the session cookie must stay under the browsers' 4 KB limit
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Item:
    index: int
    report_id: str
    paragraph_id: str
    report: Optional[Report]
    paragraph: Optional[Paragraph]

    @property
    def text(self) -> str:
        p = self.paragraph
        return (p.text_original or p.text) if p else ""

    @property
    def source(self) -> str:
        return citation(self.report, self.paragraph, base_url()) if self.paragraph else ""


def entries() -> list[list[str]]:
    """The basket as stored, dropping anything malformed a tampered or old cookie might hold."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, list):
        return []
    return [[str(e[0]), str(e[1])] for e in raw
            if isinstance(e, (list, tuple)) and len(e) == 2][:MAX_ITEMS]


def _save(items: list[list[str]]) -> None:
    session[SESSION_KEY] = items


def resolve(items: list[list[str]]) -> list[Item]:
    """Each entry with its report and paragraph (None when since removed or renumbered)."""
    archive, cache, out = get_archive(), {}, []
    for i, (rid, pid) in enumerate(items):
        if rid not in cache:
            try:
                cache[rid] = archive.get(rid)
            except ArchiveError:
                cache[rid] = None
        report = cache[rid]
        out.append(Item(i, rid, pid, report, report.paragraph(pid) if report else None))
    return out


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _back():
    """Redirect to the same-site path in `next` (never to another host), else the basket."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if not (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not parts.scheme and not parts.netloc):
        target = url_for("basket.index")
    return redirect(target)


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
    return render_template("basket/index.html", items=resolve(entries()), max_items=MAX_ITEMS)


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
    items = entries()
    if [rid, pid] in items:
        return _done("该段落已在引用篮中。")
    if len(items) >= MAX_ITEMS:
        return _done(f"引用篮最多存放 {MAX_ITEMS} 段，请先导出或移除部分段落。", ok=False, status=400)
    _save(items + [[rid, pid]])
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


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")


def md_escape(text: str) -> str:
    """Report text as literal Markdown: no markup, links or raw HTML can come from a report."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(items: list[Item]) -> str:
    out = ["# 引用汇编", ""]
    for item in items:
        out += [f"> {md_escape(item.text)}", "", f"来源：{md_escape(item.source)}", ""]
    return "\n".join(out)


def to_docx(items: list[Item]) -> bytes:
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document()
    doc.add_heading("引用汇编", level=1)
    for item in items:
        doc.add_paragraph(item.text)
        source = doc.add_paragraph().add_run("来源：" + item.source)
        source.font.size = Pt(9)
        source.font.color.rgb = RGBColor(0x59, 0x63, 0x6E)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@bp.route("/basket/export.md")
def export_md():
    text = to_markdown(_usable(resolve(entries())))
    return send_file(io.BytesIO(text.encode("utf-8")), mimetype="text/markdown; charset=utf-8",
                     as_attachment=True, download_name="引用汇编.md")


@bp.route("/basket/export.docx")
def export_docx():
    data = to_docx(_usable(resolve(entries())))
    return send_file(io.BytesIO(data), mimetype=DOCX_MIME, as_attachment=True,
                     download_name="引用汇编.docx")
