"""The search page `/` and its exports `/export.csv`, `/export.md`.

The URL holds the whole state (a GET form), so the back button, bookmarks and shared links work.
"""
from __future__ import annotations

import functools

import csv
import io
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from analysis.summaries import UNKNOWN_PLACE, archive_overview, place_options, rows
from archive.errors import QueryError
from archive.rules import (GENRE_LABELS, KIND_LABELS, LEVEL_LABELS, PART_LABELS, PARTS, YEAR_MAX,
                           YEAR_MIN, genre_code, level_code, part_code)
from index.highlight import highlight as match_spans
from analysis import empty
from index.query import QUOTES, parse, terms
from webapp import markdown, wordexport
from webapp.citation import citation_for_hit, permalink, script_note, split_permalink
from webapp.params import int_arg, year_arg
from webapp.render import axis_years, csv_safe
from webapp.reports import base_url
from webapp.services import get_archive, get_index

bp = Blueprint("search", __name__)

PER_PAGE = 20
MAX_PAGE = 10_000
EXPORT_LIMIT = 2000      # hits in one export file
SHOWN_PER_REPORT = 2     # hits shown per report before the rest collapse
SORTS = {"relevance": "相关度", "year": "年份", "town": "乡镇"}
SUGGESTIONS = 3          # nearby phrases offered when a phrase finds nothing


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
    genre: str = ""         # a genre code; "all" says every genre (the trend's default is one genre)
    level: str = ""         # a level code

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
            genre="all" if (args.get("genre") or "").strip() == "all" else genre_code(args.get("genre")) or "",
            level=level_code(args.get("level")) or "",
        )

    @property
    def genre_filter(self) -> str | None:
        """The `genre` argument of `SearchIndex.search` (None: every genre)."""
        return None if self.genre in ("", "all") else self.genre

    @property
    def year(self):
        """The `year` argument of `SearchIndex.search`: one year, a (from, to) pair, or None.
        A one-sided range is open: 起始年份 alone means that year and later, 截止年份 alone
        that year and earlier."""
        if not (self.year_from or self.year_to):
            return None
        first, last = self.year_from or YEAR_MIN, self.year_to or YEAR_MAX
        return first if first == last else (first, last)

    def in_years(self, year: int) -> bool:
        return (self.year_from or YEAR_MIN) <= year <= (self.year_to or YEAR_MAX)

    @property
    def year_label(self) -> str:
        """The year filter as staff read it: 2024 年, 2021–2024 年, 2024 年起, 2021 年及以前."""
        first, last = self.year_from, self.year_to
        if first and last:
            return f"{first} 年" if first == last else f"{first}–{last} 年"
        return f"{first} 年起" if first else (f"{last} 年及以前" if last else "")

    def filters(self) -> list[tuple[str, str, dict]]:
        """The active filters: (name, value as shown, the changes that remove it)."""
        out = []
        if self.town:
            out.append(("乡镇", self.town, {"town": ""}))
        if self.county:
            out.append(("县（区）", self.county, {"county": ""}))
        if self.year_from or self.year_to:
            out.append(("年份", self.year_label, {"year_from": None, "year_to": None}))
        if self.section:
            out.append(("部分", PART_LABELS[self.section], {"section": ""}))
        if self.genre_filter:
            out.append(("体裁", GENRE_LABELS[self.genre], {"genre": "all"}))
        if self.level:
            out.append(("层级", LEVEL_LABELS[self.level], {"level": ""}))
        return out

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.town or self.county or self.year_from or self.year_to
                    or self.section or self.genre_filter or self.level)

    def query_string(self, **changes) -> str:
        """The URL query for this state with `changes` applied; a filter change returns to page 1.
        Remembered (a results page builds ~90 links, most of them the same for every page)."""
        return _query_string(self, tuple(sorted(changes.items())))

    def url(self, path: str = "/", **changes) -> str:
        query = self.query_string(**changes)
        return f"{request.script_root}{path}" + (f"?{query}" if query else "")


@functools.lru_cache(maxsize=4096)
def _query_string(params: Params, changes: tuple) -> str:
    changes = dict(changes)
    if changes and "page" not in changes:
        changes["page"] = 1
    state = replace(params, **changes)
    pairs = [(f.name, getattr(state, f.name)) for f in fields(state)]
    return urlencode([(k, v) for k, v in pairs
                      if v not in ("", None) and not (k == "sort" and v == "relevance")
                      and not (k == "page" and v == 1)])


def run_search(params: Params, page: int | None = None, per_page: int = PER_PAGE) -> dict:
    """The search as the web app runs it: every stored line, headings and titles included (each
    such hit once, marked 小标题 / 标题; body hits show their headings, highlighted, above them)."""
    index = get_index()
    result = index.search(params.q, **search_filters(params), sort=params.sort,
                          page=page or params.page, per_page=per_page).to_dict()
    if not result["total_paragraphs"] and params.q:  # the API's and the page's "did you mean"
        result["suggestions"] = [s.to_dict() for s in index.suggest(params.q, SUGGESTIONS)]
    return result


def search_filters(params: Params) -> dict:
    """The keyword filters of `SearchIndex.search` the page's state asks for."""
    return {"town": params.town or None, "county": params.county or None, "year": params.year,
            "section": params.section or None, "genre": params.genre_filter, "level": params.level or None}


def count(params: Params) -> int:
    return run_search(params, page=1, per_page=1)["total_paragraphs"]


def why_empty(params: Params) -> dict:
    """For a search that found nothing: the scopes that hold no report (`analysis.empty`), the
    phrases near a mistyped one, each filter whose removal alone finds something, with that
    count and link; else the count with every filter removed (0: the words themselves); and
    whether quotes were typed (only then is removing them advice)."""
    index = get_index()
    reasons = empty.reasons(index, params.q, search_filters(params))
    suggestions = [{"phrase": s.phrase, "paragraphs": s.paragraphs, "href": params.url(q=s.query)}
                   for s in index.suggest(params.q, SUGGESTIONS)] if params.q else []
    culprits = []
    for name, value, changes in params.filters():
        reduced = replace(params, **changes, page=1)
        n = 0 if reduced.is_empty else count(reduced)
        if n:
            culprits.append({"name": name, "value": value, "count": n,
                             "href": params.url(**changes)})
    bare = {k: v for *_, changes in params.filters() for k, v in changes.items()}
    unfiltered = None
    if not culprits and bare and params.q:
        unfiltered = {"count": count(replace(params, **bare, page=1)), "href": params.url(**bare)}
    return {"culprits": culprits, "unfiltered": unfiltered, "reasons": reasons,
            "suggestions": suggestions, "quoted": any(q in params.q for q in QUOTES)}


def heading_marks(hits: list[dict], q: str) -> None:
    """Give each hit `heading_marks`: the query's matches in each heading of its path."""
    try:
        found = list(terms(parse(q))) if q else []
    except QueryError:
        found = []
    for hit in hits:
        hit["heading_marks"] = [match_spans(h, found) if found else []
                                for h in hit.get("heading_path") or []]


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


def trend_rows(trend: dict, params: Params, held: set[int]) -> list[dict]:
    """One row per year of the chart's axis (`webapp.render.axis_years`: the year filter's
    range, else the first to the last of `held`, the years with reports in the place filter
    (`years_held`)), each the matching reports
    out of that year's reports (`SearchResult.trend`) with the link to the same search
    limited to that year."""
    counts = {int(year): t for year, t in trend.items()}
    years = axis_years(held, params.year_from, params.year_to)
    return [{"year": year, "matched": counts.get(year, {}).get("matching", 0),
             "total": counts.get(year, {}).get("reports", 0),
             "href": params.url(year_from=year, year_to=year)} for year in years]


def years_held(params: Params) -> set[int]:
    """The years with reports of the town or county filter (the catalogue's, cached)."""
    return {r["year"] for r in rows(get_archive()) if r["year"]
            and (not params.town or r["town"] == params.town)
            and (not params.county or r["county"] == params.county)}


def town_rows(result: dict) -> list[tuple[str, int]]:
    """The per-town table: paragraph hits per town, most first, and those of reports that name
    no town as 未注明 (the index's facets leave them out), so the rows add up to the total."""
    towns = list(result["facets"].get("town", {}).items())
    unknown = result["total_paragraphs"] - sum(n for _, n in towns)
    if unknown > 0:
        towns.append((UNKNOWN_PLACE, unknown))
        towns.sort(key=lambda row: -row[1])
    return towns


@bp.route("/")
def index():
    params = Params.from_args(request.args)
    archive = get_archive()
    options = {name: [(v, v) for v in values] for name, values in place_options(archive).items()}
    context = {"params": params, "sorts": SORTS, "options": {**options, **kind_options("")},
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
    heading_marks(result["hits"], params.q)
    context.update(
        result=result,
        groups=group_by_report(result["hits"]),
        pages=max(1, -(-result["total_paragraphs"] // PER_PAGE)),
        trend=trend_rows(result["trend"], params, years_held(params)),
        empty=why_empty(params) if not result["total_paragraphs"] else None,
        town_rows=town_rows(result),
        town_facet=list(facets.get("town", {}).items()),
        county_facet=list(facets.get("county", {}).items()),
        section_facet=[(p, facets["section"][p]) for p in PARTS if p in facets.get("section", {})],
        genre_facet=list(facets.get("genre", {}).items()),
        level_facet=list(facets.get("level", {}).items()),
    )
    return render_template("search/index.html", **context)


def kind_options(every_genre: str) -> dict:
    """The genre and level choices of a filter form; `every_genre` is the value that means every
    genre on that page ("" on the search page, "all" on the trend page, whose default is one)."""
    return {"genres": [(every_genre, "全部体裁"), *GENRE_LABELS.items()],
            "levels": list(LEVEL_LABELS.items())}


def _export_hits(params: Params) -> list[dict]:
    """The hits of the search in the page's order, up to EXPORT_LIMIT."""
    return run_search(params, page=1, per_page=EXPORT_LIMIT)["hits"]


CSV_COLUMNS = ("报告", "乡镇", "县", "年份", "部分", "段落位置", "段落编号", "段落", "引用", "链接",
               "字体", "类型")


def _as_written() -> bool:
    """Exports quote hits as the page shows them (as written) unless `script=simplified`."""
    return request.args.get("script") != "simplified"


def _quoted(hit: dict, as_written: bool) -> tuple[str, str]:
    """(the hit's text in the export's script, what to say about the script)."""
    traditional = (hit.get("text_original") or hit["text"]) != hit["text"]
    text = (hit.get("text_original") or hit["text"]) if as_written else hit["text"]
    return text, script_note(traditional, as_written) or "简体"


@bp.route("/export.csv")
def export_csv():
    params = Params.from_args(request.args, strict=True)
    hits = _export_hits(params)
    as_written = _as_written()
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel then reads UTF-8
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    base = base_url()
    for hit in hits:
        text, script = _quoted(hit, as_written)
        writer.writerow([
            hit.get("title") or "", hit.get("town") or "", hit.get("county") or "",
            hit.get("year") or "", PART_LABELS.get(hit["section"], ""),
            " > ".join(hit.get("heading_path") or []), hit.get("paragraph_id") or "",
            csv_safe(text), citation_for_hit(hit, base),
            permalink(base, hit["report_id"], hit.get("paragraph_id")), script,
            KIND_LABELS.get(hit.get("kind"), "正文"),
        ])
    return _download(out.getvalue(), "text/csv", "csv")


@bp.route("/export.docx")
def export_docx():
    """The hits as a 公文-format Word document (`webapp.wordexport`), each quoted paragraph
    followed by its citation."""
    params = Params.from_args(request.args, strict=True)
    hits = _export_hits(params)
    as_written, base = _as_written(), base_url()
    quotations = []
    for hit in hits:
        text, script = _quoted(hit, as_written)
        quotations.append(wordexport.Quotation(
            text, *split_permalink(citation_for_hit(hit, base)), "" if script == "简体" else script))
    conditions = "；".join(f"{name}：{value}" for name, value, _ in params.filters())
    intro = f"检索：{params.q or '（全部）'}" + (f"；{conditions}" if conditions else "") + \
        f"。共 {len(hits)} 段。"
    body = wordexport.build("检索结果摘编", quotations, datetime.now(timezone.utc), intro)
    return _download(body, wordexport.MIME, "docx")


@bp.route("/export.md")
def export_md():
    params = Params.from_args(request.args, strict=True)
    hits = _export_hits(params)
    base = base_url()
    lines = [f"# 检索结果：{params.q or '（全部）'}", "", f"共 {len(hits)} 段。", ""]
    for n, hit in enumerate(hits, 1):
        lines += [f"{n}. > {markdown.quoted_text(hit.get('text'))}", "",
                  f"   ——{markdown.cited(citation_for_hit(hit, base))}", ""]
    return _download("\n".join(lines), "text/markdown", "md")


def _download(body: str | bytes, mimetype: str, ext: str) -> Response:
    if isinstance(body, str):
        mimetype += "; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=search.{ext}; filename*=UTF-8''%E6%A3%80%E7%B4%A2%E7%BB%93%E6%9E%9C.{ext}")
    return response
