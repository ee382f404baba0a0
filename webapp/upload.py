"""Upload reports through the browser (administrator only).

A file whose bytes are already in the archive (same SHA-256) is said so at once, with a link
to its report, and asks nothing about it (unless today's importer reads a town, county or year
the stored report lacks: then it is reviewed and confirmed as usual, and updates the report).

upload files → preview (detected metadata, outline, import flags; nothing stored yet) → correct
town / county / year → confirm → `workflows.import_upload` (archive, then the index follows):
searchable at once.

Scans (image files, PDFs without a text layer) are read by OCR, seconds a page: their previews
are made in a background thread that writes its progress (第 N/M 页) to progress.json, which the
review page shows, refreshing itself, until batch.json is written. The review then shows the
recognised text in full, weak lines marked, for staff to check before confirming; confirming
reuses the recognised pages (importers.ocr keeps them).

The uploaded bytes wait in DATA_DIR/uploads/<batch>/<n>.bin, where <batch> is a random token and
<n> a counter: no user-supplied name ever becomes part of a path.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import threading
import time
from pathlib import Path, PurePath

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

import workflows
from archive import audit
from archive.errors import ArchiveError
from archive.rules import GENRE_LABELS, LEVEL_LABELS, YEAR_MAX, YEAR_MIN, parse_year
from importers import ocr, read_report
from webapp import placenames
from webapp.admin import ambiguous_candidates, editor
from webapp.auth import admin_required, uploads_enabled
from webapp.services import get_archive, get_index

bp = Blueprint("upload", __name__)

MAX_FILES = 50
BATCH_TTL = 24 * 3600  # unconfirmed uploads older than this are removed
_BATCH_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
EDITABLE = ("town", "county", "year")
PREVIEW_PARAGRAPHS = 5   # text paragraphs shown on the review page
PREVIEW_CHARS = 160      # of each
SCAN_PARAGRAPHS = 400    # recognised paragraphs shown in full for review


def _uploads_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "uploads"


def _batch_dir(batch: str) -> Path:
    if not _BATCH_RE.match(batch or ""):
        abort(404)
    path = _uploads_dir() / batch
    if not (path / "batch.json").is_file() and not (path / "progress.json").is_file():
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
    texts = [p.text_original or p.text for p in report.paragraphs if p.kind == "text"]
    text_preview = [t if len(t) <= PREVIEW_CHARS else t[:PREVIEW_CHARS] + "…"
                    for t in texts[:PREVIEW_PARAGRAPHS]]
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
        "genre": GENRE_LABELS.get(report.genre or "", ""),
        "level": LEVEL_LABELS.get(report.level or "", ""),
        "script": report.script,
        "format": report.source.format,
        "encoding": report.source.encoding,
        "flags": list(report.flags),
        "candidates": ambiguous_candidates(report),
        "paragraphs": len(report.paragraphs),
        "outline": headings,
        "preview": text_preview,
        "scan": _recognised(report),
    }


def _recognised(report) -> dict | None:
    """A scan's recognised text for review: every paragraph with its page and weak spans."""
    if report.ocr_confidence is None:
        return None
    return {"confidence": report.ocr_confidence,
            "paragraphs": [{"page": p.page, "text": p.text_original, "weak": p.weak,
                            "heading": p.kind == "heading"}
                           for p in report.paragraphs[:SCAN_PARAGRAPHS]]}


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
    archive = get_archive()
    received = [(_clean_filename(storage.filename), storage.read()) for storage in files]
    known = [_known(archive, data, name) for name, data in received]
    if all(known):  # nothing to ask: say so at once
        return render_template("upload/done.html", results=[_known_row(item) for item in known],
                               stored=False)
    batch = secrets.token_urlsafe(24)
    folder = _uploads_dir() / batch
    folder.mkdir(parents=True)
    names, pages = [], 0
    for n, (name, data) in enumerate(received):
        names.append(name)
        (folder / f"{n}.bin").write_bytes(data)
        pages += 0 if known[n] else _scanned_pages(data, name)
    if pages:   # OCR takes seconds a page: preview in the background, the review page waits
        _write_progress(folder, 0, pages)
        threading.Thread(target=_previews, args=(folder, names, pages, known), daemon=True,
                         name=f"upload-ocr-{batch[:8]}").start()
    else:
        _previews(folder, names, 0, known)
    return redirect(url_for("upload.review", batch=batch))


def _known(archive, data: bytes, filename: str) -> dict | None:
    """The item of a file already in the archive, byte for byte: a line naming its report,
    asking nothing — unless today's importer reads a town, county or year the stored report
    lacks (see `_settle`): then None, and it is previewed and confirmed as usual."""
    rid = archive.with_original(hashlib.sha256(data).hexdigest())
    if rid is None:
        return None
    try:
        stored = archive.get(rid)
    except ArchiveError:
        return None
    lacking = [field for field in EDITABLE if not stored.meta(field)]
    if lacking and any(preview(data, filename).get(field) for field in lacking):
        return None
    return {"filename": filename, "error": None, "known": rid, "title": stored.title}


def _known_row(item: dict) -> dict:
    return {"filename": item["filename"], "report_id": item["known"], "title": item.get("title"),
            "status": "unchanged", "error": None}


def _write_progress(folder: Path, done: int, total: int) -> None:
    tmp = folder / "progress.json.tmp"
    tmp.write_text(json.dumps({"done": done, "total": total}), "utf-8")
    tmp.replace(folder / "progress.json")


def _scanned_pages(data: bytes, name: str) -> int:
    """`importers.readers.scan.scanned_pages`, imported on the first upload: the readers are
    kept off the server's start (issue 14)."""
    from importers.readers.scan import scanned_pages
    return scanned_pages(data, name)


def _previews(folder: Path, names: list[str], pages: int, known: list) -> None:
    """Every file's preview (a known file's line, `_known`) into batch.json; OCR progress,
    counted over the whole batch, into progress.json as each page is done."""
    finished = 0

    def tell(done: int, total: int) -> None:
        _write_progress(folder, min(finished + done, pages), pages)

    items = []
    with ocr.on_page(tell):
        for n, name in enumerate(names):
            if known[n]:
                items.append(known[n])
                continue
            data = (folder / f"{n}.bin").read_bytes()
            try:
                items.append(preview(data, name))
            except Exception:  # never leave the review page waiting for a batch.json
                items.append({"filename": name, "error": "读取时出现意外错误：请把该文件交给管理员检查"})
            finished += _scanned_pages(data, name) if pages else 0
    tmp = folder / "batch.json.tmp"
    tmp.write_text(json.dumps({"items": items}, ensure_ascii=False), "utf-8")
    tmp.replace(folder / "batch.json")


def _load(folder: Path) -> list[dict]:
    return json.loads((folder / "batch.json").read_text("utf-8"))["items"]


@bp.route("/upload/<batch>", methods=["GET"])
@admin_required
def review(batch: str):
    folder = _batch_dir(batch)
    if not (folder / "batch.json").is_file():
        progress = json.loads((folder / "progress.json").read_text("utf-8"))
        return render_template("upload/progress.html", batch=batch, **progress)
    return _review_page(batch, _load(folder))


def _review_page(batch: str, items: list[dict], errors: dict | None = None,
                 problems: dict | None = None, error: str | None = None, status: int = 200):
    return render_template(
        "upload/review.html", batch=batch, items=items, errors=errors or {},
        problems=problems or {}, error=error,
        importable=any(not item["error"] and not item.get("known") for item in items),
        known={level: placenames.known_names(level) for level in ("town", "county")}), status


def _overrides(item: dict, n: int) -> tuple[dict, str | None, dict]:
    """The corrected fields for item `n` (only those staff changed), a one-line problem, and
    the place names still to confirm (see `placenames.check`)."""
    out: dict = {}
    for field in EDITABLE:
        value = (request.form.get(f"choose-{field}-{n}") or request.form.get(f"{field}-{n}", "")).strip()
        detected = item.get(field)
        if value == ("" if detected is None else str(detected)):
            continue
        if not value:
            continue  # clearing a detected value is not a correction the importer can use
        if field == "year":
            year = parse_year(value)
            if year is None:
                return {}, f"年份“{value}”无效：请填写 {YEAR_MIN}–{YEAR_MAX} 之间的四位数年份，如 2024。", {}
            out[field] = year
        else:
            out[field] = value[:40]
    picked = {level: value for level, value in _candidate(item, n).items()
              if value and value != item.get(level)}
    out = {**picked, **out}  # a name typed in a field wins over the namesake picked
    problems, _ = placenames.check(out, lambda level: request.form.get(f"confirm-{level}-{n}"))
    return out, None, problems


def _candidate(item: dict, n: int) -> dict:
    """The gazetteer namesake staff picked for an ambiguous place (radio `candidate-n`), or {}."""
    picked, candidates = request.form.get(f"candidate-{n}", ""), item.get("candidates") or []
    return candidates[int(picked)] if picked.isdigit() and int(picked) < len(candidates) else {}


@bp.route("/upload/<batch>", methods=["POST"])
@admin_required
def confirm(batch: str):
    if not uploads_enabled():
        abort(403, description="本站为只读模式，不能上传。")
    folder = _batch_dir(batch)
    if not (folder / "batch.json").is_file():
        return redirect(url_for("upload.review", batch=batch))   # still recognising
    items = _load(folder)
    chosen = [n for n, item in enumerate(items)
              if not item["error"] and not item.get("known") and request.form.get(f"import-{n}")]
    if not chosen:
        error = ("这批文件都无法导入（原因见各文件下方），请处理后重新上传。"
                 if not any(not item["error"] and not item.get("known") for item in items)
                 else "没有勾选要导入的文件：请勾选“导入此文件”，或放弃这批上传。")
        return _review_page(batch, items, error=error, status=400)
    plans, errors, problems = {}, {}, {}
    for n in chosen:
        overrides, problem, unknown = _overrides(items[n], n)
        if problem:
            errors[n] = problem
        if unknown:
            problems[n] = unknown
        plans[n] = overrides
    if errors or problems:
        return _review_page(batch, items, errors=errors, problems=problems, status=400)

    archive, index = get_archive(), get_index()
    results = []
    for n, item in enumerate(items):
        row = {"filename": item["filename"], "report_id": None, "title": item.get("title")}
        if item.get("known"):
            row = _known_row(item)
        elif item["error"]:
            row.update(status="failed", error=item["error"])
        elif n not in plans:
            row.update(status="skipped", error=None)
        else:
            row.update(_import(archive, index, folder / f"{n}.bin", item, plans[n]))
        results.append(row)
    shutil.rmtree(folder, ignore_errors=True)
    return render_template("upload/done.html", results=results,
                           stored=any(r["status"] in ("imported", "updated") for r in results))


def _import(archive, index, path: Path, item: dict, overrides: dict) -> dict:
    filename = item["filename"]
    try:
        done = workflows.import_upload(archive, index, path.read_bytes(), filename, overrides)
        (result,) = done.results
        if result.status == "failed":
            return {"status": "failed", "error": result.error}
        rid, status = _settle(archive, result, item, overrides)
        if rid != result.report_id or status != result.status:
            done.index = workflows.sync_index(archive, index)
        report = archive.get(rid)
    except (ArchiveError, OSError) as exc:
        return {"status": "failed", "error": str(exc)}
    row = {"status": status, "report_id": rid, "error": None, "title": report.title}
    if done.index.error:  # stored, but not searchable yet
        row.update(unindexed=True,
                   error=f"检索索引未更新（{done.index.error}），请管理员运行 archive reindex --changed")
    current_app.logger.info("upload %s → %s %s", filename, status, rid)
    return row


def _settle(archive, result, item: dict, overrides: dict) -> tuple[str, str]:
    """After an upload is stored: staff corrections go into the audit trail; the town, county
    and year the importer reads now where the stored report has none (an original uploaded
    again after the importer improved) become audited corrections; and the report moves to
    the id its town and year call for (the old id redirects). Returns (id, status)."""
    rid, status, who, address = result.report_id, result.status, editor(), request.remote_addr
    if overrides:
        audit.record(archive, rid, who, address, via="upload",
                     changes={field: [item.get(field), value] for field, value in overrides.items()})
    stored = archive.get(rid)
    better = {field: item[field] for field in ("town", "county", "year")
              if field not in overrides and item.get(field) and not stored.meta(field)}
    if better:
        audit.correct(archive, rid, better, who, address, via="upload")
        status = "updated"
    return audit.rename(archive, rid, who, address, via="upload"), status
