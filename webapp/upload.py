"""Upload reports through the browser (administrator only).

upload files → preview (detected metadata, outline, import flags; nothing stored yet) → correct
town / county / year → confirm → `workflows.import_upload` (archive, then the index follows):
searchable at once.

The uploaded bytes wait in DATA_DIR/uploads/<batch>/<n>.bin, where <batch> is a random token and
<n> a counter: no user-supplied name ever becomes part of a path.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path, PurePath

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

import workflows
from archive.errors import ArchiveError
from archive.rules import YEAR_MAX, YEAR_MIN, parse_year
from importers import read_report
from webapp.auth import admin_required, uploads_enabled
from webapp.services import get_archive, get_index

bp = Blueprint("upload", __name__)

MAX_FILES = 50
BATCH_TTL = 24 * 3600  # unconfirmed uploads older than this are removed
_BATCH_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
EDITABLE = ("town", "county", "year")


def _uploads_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "uploads"


def _batch_dir(batch: str) -> Path:
    if not _BATCH_RE.match(batch or ""):
        abort(404)
    path = _uploads_dir() / batch
    if not (path / "batch.json").is_file():
        abort(404, description="这批上传已过期或已导入，请重新上传。")
    return path


def _clean_filename(name: str | None) -> str:
    """The file's own name only (browsers may send a path); used for format detection and the
    report's `source.path`, never for a path on this machine."""
    base = PurePath((name or "").replace("\\", "/")).name.strip()
    return base[:200] or "未命名"


def _expire_old_batches() -> None:
    root = _uploads_dir()
    if not root.is_dir():
        return
    cutoff = time.time() - BATCH_TTL
    for child in root.iterdir():
        if child.is_dir() and _BATCH_RE.match(child.name) and child.stat().st_mtime < cutoff:
            shutil.rmtree(child, ignore_errors=True)


def preview(data: bytes, filename: str) -> dict:
    """What staff check before confirming: detected metadata, outline and flags (or the error)."""
    try:
        report = read_report(data, filename)
    except ArchiveError as exc:
        return {"filename": filename, "error": str(exc)}
    headings = [{"id": p.id, "level": p.level, "text": p.text_original or p.text}
                for p in report.paragraphs if p.kind == "heading"]
    return {
        "filename": filename,
        "error": None,
        "title": report.title,
        "title_derived": report.title_derived,
        "town": report.place.town,
        "county": report.place.county,
        "city": report.place.city,
        "province": report.place.province,
        "year": report.year,
        "issuer": report.issuer,
        "script": report.script,
        "format": report.source.format,
        "encoding": report.source.encoding,
        "flags": list(report.flags),
        "paragraphs": len(report.paragraphs),
        "outline": headings,
    }


@bp.route("/upload", methods=["GET"])
@admin_required
def index():
    return render_template("upload/index.html", enabled=uploads_enabled(), max_files=MAX_FILES)


@bp.route("/upload", methods=["POST"])
@admin_required
def receive():
    if not uploads_enabled():
        abort(403, description="本站为只读模式，不能上传。")
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        return render_template("upload/index.html", enabled=True, max_files=MAX_FILES,
                               error="请选择至少一个报告文件。"), 400
    if len(files) > MAX_FILES:
        return render_template("upload/index.html", enabled=True, max_files=MAX_FILES,
                               error=f"一次最多上传 {MAX_FILES} 个文件，请分批上传。"), 400
    _expire_old_batches()
    batch = secrets.token_urlsafe(24)
    folder = _uploads_dir() / batch
    folder.mkdir(parents=True)
    items = []
    for n, storage in enumerate(files):
        data = storage.read()
        name = _clean_filename(storage.filename)
        (folder / f"{n}.bin").write_bytes(data)
        items.append(preview(data, name))
    (folder / "batch.json").write_text(json.dumps({"items": items}, ensure_ascii=False), "utf-8")
    return redirect(url_for("upload.review", batch=batch))


def _load(folder: Path) -> list[dict]:
    return json.loads((folder / "batch.json").read_text("utf-8"))["items"]


@bp.route("/upload/<batch>", methods=["GET"])
@admin_required
def review(batch: str):
    items = _load(_batch_dir(batch))
    return render_template("upload/review.html", batch=batch, items=items, errors={})


def _overrides(item: dict, n: int) -> tuple[dict, str | None]:
    """The corrected fields for item `n` (only those staff changed), or a one-line problem."""
    out: dict = {}
    for field in EDITABLE:
        value = request.form.get(f"{field}-{n}", "").strip()
        detected = item.get(field)
        if value == ("" if detected is None else str(detected)):
            continue
        if not value:
            continue  # clearing a detected value is not a correction the importer can use
        if field == "year":
            year = parse_year(value)
            if year is None:
                return {}, f"年份“{value}”无效：请填写 {YEAR_MIN}–{YEAR_MAX} 之间的四位数年份，如 2024。"
            out[field] = year
        else:
            out[field] = value[:40]
    return out, None


@bp.route("/upload/<batch>", methods=["POST"])
@admin_required
def confirm(batch: str):
    if not uploads_enabled():
        abort(403, description="本站为只读模式，不能上传。")
    folder = _batch_dir(batch)
    items = _load(folder)
    chosen = [n for n, item in enumerate(items)
              if not item["error"] and request.form.get(f"import-{n}")]
    plans, errors = {}, {}
    for n in chosen:
        overrides, problem = _overrides(items[n], n)
        if problem:
            errors[n] = problem
        plans[n] = overrides
    if errors:
        return render_template("upload/review.html", batch=batch, items=items, errors=errors), 400

    archive, index = get_archive(), get_index()
    results = []
    for n, item in enumerate(items):
        row = {"filename": item["filename"], "report_id": None, "title": item.get("title")}
        if item["error"]:
            row.update(status="failed", error=item["error"])
        elif n not in plans:
            row.update(status="skipped", error=None)
        else:
            row.update(_import(archive, index, folder / f"{n}.bin", item["filename"], plans[n]))
        results.append(row)
    shutil.rmtree(folder, ignore_errors=True)
    return render_template("upload/done.html", results=results)


def _import(archive, index, path: Path, filename: str, overrides: dict) -> dict:
    try:
        done = workflows.import_upload(archive, index, path.read_bytes(), filename, overrides)
    except (ArchiveError, OSError) as exc:
        return {"status": "failed", "error": str(exc)}
    (result,) = done.results
    if done.index.error:
        current_app.logger.warning("upload %s: index not updated: %s", filename, done.index.error)
    current_app.logger.info("upload %s → %s %s", filename, result.status, result.report_id)
    row = {"status": result.status, "report_id": result.report_id, "error": result.error}
    if result.report is not None:
        row["title"] = result.report.title
    return row
