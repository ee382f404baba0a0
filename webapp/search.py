"""The search page `/` and its exports `/export.csv`, `/export.md`.

The URL holds the whole state (a GET form), so the back button, bookmarks and shared links work.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from archive.errors import QueryError
from archive.rules import PART_LABELS, PARTS, part_code
from webapp.params import int_arg, year_arg
from webapp.services import get_archive, get_index
from webapp.summaries import archive_overview, place_options

bp = Blueprint("search", __name__)

PER_PAGE = 20
MAX_PAGE = 10_000
EXPORT_LIMIT = 2000      # hits in one export file
SHOWN_PER_REPORT = 2     # hits shown per report before the rest collapse
SORTS = {"relevance": "相关度", "year": "年份", "town": "乡镇"}


@dataclass(frozen=True)
class Params:
    """The search state as it appears in the URL; unknown or malformed values are dropped."""
    q: str = ""
    town: str = ""
    county: str = ""
    year_from: int | None = None
    year_to: int | None = None
    section: str = ""
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_args(cls, args, strict: bool = False) -> "Params":
        """Malformed numbers: a notice on the page, or a 400 if `strict` (see `webapp.params`)."""
        section = (args.get("section") or "").strip()
        section = part_code(section) or section
        sort = (args.get("sort") or "").strip()
        y1 = year_arg("year_from", label="起始年份", strict=strict, source=args)
        y2 = year_arg("year_to", label="截止年份", strict=strict, source=args)
        if y1 and y2 and y1 > y2:
            y1, y2 = y2, y1
        return cls(
            q=(args.get("q") or "").strip()[:500],
            town=(args.get("town") or "").strip()[:80],
            county=(args.get("county") or "").strip()[:80],
            year_from=y1, year_to=y2,
            section=section if section in PARTS else "",
            sort=sort if sort in SORTS else "relevance",
            page=int_arg("page", 1, 1, MAX_PAGE, label="页码", strict=strict, source=args),
        )

    @property
    def year(self):
        """The `year` argument of `SearchIndex.search`: one year, a (from, to) pair, or None."""
        if self.year_from and self.year_to:
            return self.year_from if self.year_from == self.year_to else (self.year_from, self.year_to)
        return self.year_from or self.year_to or None

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.town or self.county or self.year_from or self.year_to
                    or self.section)

    def query_string(self, **changes) -> str:
        """The URL query for this state with `changes` applied; a filter change returns to page 1."""
        if changes and "page" not in changes:
            changes["page"] = 1
        state = replace(self, **changes)
        pairs = [(f.name, getattr(state, f.name)) for f in fields(state)]
        return urlencode([(k, v) for k, v in pairs
                          if v not in ("", None) and not (k == "sort" and v == "relevance")
                          and not (k == "page" and v == 1)])

    def url(self, path: str = "/", **changes) -> str:
        query = self.query_string(**changes)
        return f"{request.script_root}{path}" + (f"?{query}" if query else "")


def run_search(params: Params, page: int | None = None, per_page: int = PER_PAGE) -> dict:
    result = get_index().search(
        params.q, town=params.town or None, county=params.county or None, year=params.year,
        section=params.section or None, sort=params.sort, page=page or params.page,
        per_page=per_page)
    return result.to_dict()


def group_by_report(hits: list[dict]) -> list[dict]:
    """Hits grouped by report, in the order each report first appears."""
    groups: dict[str, dict] = {}
    for hit in hits:
        group = groups.setdefault(hit["report_id"], {"report_id": hit["report_id"], "hits": []})
        group["hits"].append(hit)
    for group in groups.values():
        first = group["hits"][0]
        group.update(title=first.get("title"), town=first.get("town"),
                     county=first.get("county"), year=first.get("year"))
        group["shown"] = group["hits"][:SHOWN_PER_REPORT]
        group["more"] = group["hits"][SHOWN_PER_REPORT:]
    return list(groups.values())


def trend_rows(trend: dict, params: Params) -> list[dict]:
    """One row per year the archive holds (`SearchResult.trend`: matching reports out of that
    year's reports), with the link to the same search limited to that year."""
    return [{"year": int(year), "matched": t["matching"], "total": t["reports"],
             "href": params.url(year_from=int(year), year_to=int(year))}
            for year, t in sorted(trend.items(), key=lambda kv: int(kv[0]))]


@bp.route("/")
def index():
    params = Params.from_args(request.args)
    archive = get_archive()
    options = {name: [(v, v) for v in values] for name, values in place_options(archive).items()}
    context = {"params": params, "sorts": SORTS, "options": options,
               "part_labels": PART_LABELS, "result": None, "query_error": None,
               "page_url": lambda n: params.url(page=n)}
    if params.is_empty:
        context["overview"] = archive_overview(archive)
        return render_template("search/index.html", **context)
    try:
        result = run_search(params)
    except QueryError as exc:
        context.update(query_error=str(exc), overview=archive_overview(archive))
        return render_template("search/index.html", **context), 400
    facets = result["facets"]
    context.update(
        result=result,
        groups=group_by_report(result["hits"]),
        pages=max(1, -(-result["total_paragraphs"] // PER_PAGE)),
        trend=trend_rows(result["trend"], params),
        town_facet=list(facets.get("town", {}).items()),
        county_facet=list(facets.get("county", {}).items()),
        section_facet=[(p, facets["section"][p]) for p in PARTS if p in facets.get("section", {})],
    )
    return render_template("search/index.html", **context)


def _export_hits(params: Params) -> list[dict]:
    """The hits of the search in the page's order, up to EXPORT_LIMIT."""
    return run_search(params, page=1, per_page=EXPORT_LIMIT)["hits"]


def _base_url() -> str:
    return request.host_url.rstrip("/") + request.script_root


CSV_COLUMNS = ("报告", "乡镇", "县", "年份", "部分", "段落位置", "段落编号", "段落", "引用", "链接")


@bp.route("/export.csv")
def export_csv():
    from webapp.citation import citation_for_hit, permalink
    params = Params.from_args(request.args, strict=True)
    hits = _export_hits(params)
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel then reads UTF-8
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    base = _base_url()
    for hit in hits:
        writer.writerow([
            hit.get("title") or "", hit.get("town") or "", hit.get("county") or "",
            hit.get("year") or "", PART_LABELS.get(hit["section"], ""),
            " > ".join(hit.get("heading_path") or []), hit.get("paragraph_id") or "",
            _csv_safe(hit.get("text") or ""), citation_for_hit(hit, base),
            permalink(base, hit["report_id"], hit.get("paragraph_id")),
        ])
    return _download(out.getvalue(), "text/csv", "csv")


def _csv_safe(text: str) -> str:
    """Cells starting with = + - @ would run as formulas in Excel: prefix them with '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@bp.route("/export.md")
def export_md():
    from webapp.citation import citation_for_hit
    params = Params.from_args(request.args, strict=True)
    hits = _export_hits(params)
    base = _base_url()
    lines = [f"# 检索结果：{params.q or '（全部）'}", "", f"共 {len(hits)} 段。", ""]
    for n, hit in enumerate(hits, 1):
        quoted = (hit.get("text") or "").replace("\n", " ")
        cite = _md_escape(citation_for_hit(hit, base), CITE_MARKUP).replace("](", "]\\(")
        lines += [f"{n}. > {_md_escape(quoted)}", "", f"   ——{cite}", ""]
    return _download("\n".join(lines), "text/markdown", "md")


TEXT_MARKUP = "\\`*_[]<>#|!"
# A citation ends in a permalink (keep its _ and #) and contains "[R]"; "](" is broken up so a
# title cannot become a link. Quoted text has every bracket escaped, so no link definitions exist.
CITE_MARKUP = "\\`*<>|"


def _md_escape(text: str, markup: str = TEXT_MARKUP) -> str:
    """Report text is data, not Markdown: escape what would become markup or raw HTML."""
    for ch in markup:
        text = text.replace(ch, "\\" + ch)
    return text


def _download(body: str, mimetype: str, ext: str) -> Response:
    response = Response(body, mimetype=f"{mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=search.{ext}; filename*=UTF-8''%E6%A3%80%E7%B4%A2%E7%BB%93%E6%9E%9C.{ext}")
    return response
