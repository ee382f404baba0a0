"""Blueprint `reports`: the reading page, the untouched original, citations, similar paragraphs.

    /report/<id>                        read (?q= highlights, ?script=original|simplified)
    /report/<id>/original[?sha=…]       download the original bytes (earlier versions by sha)
    /report/<id>/page/<n>               page n of a scanned original as a JPEG (OCR'd reports)
    /report/<id>/cite/<pid>             the paragraph and its citation as plain text
    /report/<id>/similar/<pid>          similar paragraphs in other reports (?fragment=1: HTML
                                        fragment for the reading page's lazy <details>)
"""
from __future__ import annotations

import functools
import mimetypes
import re
from typing import Optional

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file

from analysis.reuse import cached_reuse
from archive.errors import ArchiveError, ReportNotFound
from archive.model import PLACE_FIELDS, Report
from archive.rules import GENRE_LABELS, LEVEL_LABELS
from importers.ocr import MAX_PAGES
from webapp.citation import citation, location, quotation
from webapp.services import get_archive, get_index

bp = Blueprint("reports", __name__)

SIMILAR_LIMIT = 5
MIN_SIMILARITY = 0.15  # bigram Jaccard; below this a "similar" paragraph only shares stock phrases
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
PAGE_CACHE = 32           # drawn page images kept (~150 KB each)

# Where a metadata value came from (archive.model.SOURCES), as staff read it.
SOURCE_LABELS = {
    "title": "取自标题", "body": "取自正文", "signature": "取自落款", "metadata": "取自网页信息栏",
    "filename": "取自文件名", "override": "人工更正", "derived": "系统推断",
    "gazetteer": "据全国行政区划推断",
}
# Import warnings explained in full on the reading page.
FLAG_EXPLANATIONS = {
    "encoding_debris": "原文含有乱码字符（如“?”），系原文件编码损坏所致，未作臆补，引用前请核对原件。",
    "title_derived": "原文没有标题，页面显示的标题由系统根据乡镇和年份生成。",
    "town_missing": "未能从原文识别出乡镇名称，可由管理员更正。",
    "year_missing": "未能从原文识别出报告年份，可由管理员更正。",
    "place_ambiguous": "全国有多个同名乡镇，原文未写明所属县区，县区留空待管理员指定。",
    "genre_doubt": "系统对这份文件的体裁（法治政府建设报告、政府工作报告、述法报告等）把握不大，已照常收录，待管理员核对。",
    "level_doubt": "系统对报告单位的层级（乡镇、县区、地市、省、全国）把握不大，待管理员核对。",
    "place_checked": "全国有多个同名乡镇；管理员已核对这份报告的地点。",
    "genre_checked": "管理员已核对这份文件的体裁，不再列入待核对。",
    "level_checked": "管理员已核对报告单位的层级，不再列入待核对。",
    "ocr": "正文由扫描件经文字识别（OCR）得来，可能有错字；识别把握较低的字句以虚线标出，"
           "每段旁可打开对应的原件页面核对。",
}
# The report-info panel, in reading order; fields the report does not state are listed on one line.
META_FIELDS = (("town", "乡镇"), ("county", "县（区）"), ("city", "市"), ("province", "省"),
               ("level", "层级"), ("genre", "体裁"), ("year", "报告年份"), ("issued", "成文日期"), ("addressee", "主送机关"),
               ("issuer", "发文机关"), ("doc_number", "文号"))
MIME_BY_FORMAT = {
    "txt": "text/plain", "md": "text/markdown", "html": "text/html", "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def shown_meta(report: Report, name: str) -> Optional[str]:
    """A metadata value as the reading page shows it: genre and level by their Chinese names; the
    year with the other year when a report reviews one year and was delivered in the next."""
    value = report.meta(name)
    if name == "genre" and value:
        return GENRE_LABELS.get(value, value)
    if name == "level" and value:
        return LEVEL_LABELS.get(value, value)
    if name == "year" and value and report.years.get("covered") not in (None, value):
        return f"{value}（所述年度 {report.years['covered']}）"
    if name == "year" and value and report.years.get("issued") not in (None, value):
        return f"{value}（{report.years['issued']} 年发布）"
    return value


def base_url() -> str:
    """The site's address for permalinks in citations: the office's address for the site
    (config PUBLIC_URL, from ARCHIVE_PUBLIC_URL), else the address the user reached it by."""
    public = current_app.config.get("PUBLIC_URL")
    return public.rstrip("/") if public else request.host_url.rstrip("/") + request.script_root


def use_original_script(report: Report) -> bool:
    """`?script=simplified` shows a traditional report in simplified characters; default as written."""
    return not (report.script == "traditional" and request.args.get("script") == "simplified")


def display_text(paragraph, original: bool) -> str:
    return (paragraph.text_original if original else paragraph.text) or paragraph.text or ""


bp.add_app_template_global(base_url)
bp.add_app_template_global(location, "cite_location")
bp.add_app_template_global(quotation)


def load_report(report_id: str) -> Report:
    """The report or a friendly 404 (invalid ids and `..` never reach the file system)."""
    try:
        return get_archive().get(report_id)
    except ReportNotFound:
        abort(404, description=f"找不到编号为“{report_id}”的报告，请从检索或乡镇浏览页重新打开。")


def town_neighbours(report_id: str, town: Optional[str], year: Optional[int]) -> tuple:
    """The same town's reports (`archive.store.Summary`) of the nearest earlier and later year,
    from the store's cached summaries."""
    if not town or not year:
        return None, None
    same = [s for s in get_archive().summaries()
            if s.place.town == town and s.year and s.id != report_id]
    earlier = [s for s in same if s.year < year]
    later = [s for s in same if s.year > year]
    return (max(earlier, key=lambda s: (s.year, s.id)) if earlier else None,
            min(later, key=lambda s: (s.year, s.id)) if later else None)


def query_highlights(report: Report, q: str, original: bool) -> tuple[dict, Optional[str]]:
    """{paragraph id: spans} of the search `q` within this report (the index's own exact
    highlight offsets), and the query's error message if it could not be parsed (the page
    still renders, without highlights)."""
    if not q:
        return {}, None
    try:  # town + year narrow the search to (nearly) this report; per_page=0: all its hits
        result = get_index().search(q, town=report.place.town, year=report.year, sort="year",
                                    per_page=0)
    except ArchiveError as exc:
        return {}, str(exc)
    return {h.paragraph_id: h.highlights_original if original else h.highlights
            for h in result.hits if h.report_id == report.id}, None


@bp.route("/report/<report_id>")
def read(report_id: str):
    report = load_report(report_id)
    original = use_original_script(report)
    q = request.args.get("q", "").strip()
    spans, query_error = query_highlights(report, q, original)
    previous, following = town_neighbours(report.id, report.place.town, report.year)
    # a county's, city's, province's or the State Council's report has no place below its level
    below = {"national": PLACE_FIELDS, "province": ("town", "county", "city"), "city": ("town", "county"),
             "county": ("town",)}.get(report.level or "", ())
    meta = [(name, label, shown_meta(report, name)) for name, label in META_FIELDS
            if name not in below or report.meta(name)]
    return render_template(
        "report/read.html", report=report, original=original, q=q, spans=spans,
        query_error=query_error, previous=previous, following=following,
        meta_known=[m for m in meta if m[2]], meta_unknown=[label for _, label, value in meta if not value],
        headings=[p for p in report.paragraphs if p.kind == "heading"],
        source_labels=SOURCE_LABELS, flag_explanations=FLAG_EXPLANATIONS,
        display_text=display_text, whole_citation=citation(report, None, base_url()),
        moved_here=moved_here(report), reuse=cached_reuse(get_index(), report.id))


def moved_here(report: Report) -> dict[str, list[str]]:
    """{paragraph id: the retired ids whose words it now holds}: the reading page puts an anchor
    with each old id before that paragraph, so an old citation (…#p-<old id>) opens there."""
    out: dict[str, list[str]] = {}
    for old, now in report.moved_ids.items():
        out.setdefault(now, []).append(old)
    return out


def current_paragraph(report: Report, paragraph_id: str):
    """The paragraph `paragraph_id` names, or the one now holding a retired id's words."""
    return report.paragraph(paragraph_id) or report.paragraph(report.moved_ids.get(paragraph_id, ""))


@bp.route("/report/<report_id>/original")
def original(report_id: str):
    """The untouched original bytes as an attachment; `?sha=` picks an earlier version."""
    report = load_report(report_id)
    current = {"sha256": report.source.sha256, "format": report.source.format,
               "path": report.source.path}
    versions = {v.get("sha256"): v for v in (*report.history, current)}
    sha = request.args.get("sha") or report.source.sha256
    if not _SHA_RE.match(sha or "") or sha not in versions:
        abort(404, description="找不到这份报告的该版本原件。")
    try:
        path = get_archive().original_path(report.id, sha)
    except ArchiveError:
        abort(404, description="原件文件缺失，请联系管理员运行“archive check”检查档案。")
    fmt = versions[sha].get("format") or path.suffix.lstrip(".")
    name = versions[sha].get("path") or f"{report.id}-{sha[:8]}.{fmt or 'bin'}"
    mimetype = MIME_BY_FORMAT.get(fmt) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)


@functools.lru_cache(maxsize=PAGE_CACHE)
def _page_jpeg(path: str, sha256: str, fmt: str, number: int) -> bytes:
    """Drawn once per original and page (the sha keeps a replaced original from being served)."""
    from importers.pageimage import render_page

    with open(path, "rb") as f:
        return render_page(f.read(), fmt, number)


@bp.route("/report/<report_id>/page/<int:number>")
def page_image(report_id: str, number: int):
    """The page of the scan a recognised paragraph was read from, drawn on demand."""
    report = load_report(report_id)
    if "ocr" not in report.flags or not 1 <= number <= MAX_PAGES:
        abort(404, description="这份报告没有该页扫描件。")
    try:
        path = get_archive().original_path(report.id)
        jpeg = _page_jpeg(str(path), report.source.sha256, report.source.format, number)
    except ArchiveError:
        abort(404, description=f"无法显示原件第 {number} 页（原件缺失或没有该页）。")
    except Exception:  # a damaged original: a message, not a 500
        abort(404, description=f"无法显示原件第 {number} 页。")
    response = Response(jpeg, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _paragraph(report: Report, paragraph_id: str):
    paragraph = current_paragraph(report, paragraph_id)
    if paragraph is None:
        abort(404, description=f"报告“{report.id}”中没有编号为“{paragraph_id}”的段落。")
    return paragraph


@bp.route("/report/<report_id>/cite/<paragraph_id>")
def cite(report_id: str, paragraph_id: str):
    """Plain text for copying by hand when JavaScript is off."""
    report = load_report(report_id)
    paragraph = _paragraph(report, paragraph_id)
    text = quotation(report, paragraph, base_url(), use_original_script(report))
    response = Response(text + "\n", mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"  # report text is never sniffed as HTML
    return response


@bp.route("/report/<report_id>/similar/<paragraph_id>")
def similar(report_id: str, paragraph_id: str):
    report = load_report(report_id)
    paragraph = _paragraph(report, paragraph_id)
    try:
        hits = [h for h in get_index().similar(report.id, paragraph.id, limit=SIMILAR_LIMIT * 2)
                if h.kind == paragraph.kind and h.score >= MIN_SIMILARITY][:SIMILAR_LIMIT]
        error = None
    except ArchiveError as exc:  # e.g. the index is older than the report: say so, no 404
        hits, error = [], str(exc)
    template = "report/_similar.html" if request.args.get("fragment") else "report/similar.html"
    return render_template(template, report=report, paragraph=paragraph, hits=hits, error=error,
                           original=use_original_script(report), display_text=display_text)
