"""Blueprint `trends`: several phrases' use over the years in one chart, `/trend?q=…&q=…`.

The numbers are `analysis.trends` (each phrase's share of each year's reports, and a per-town
table); this module reads the form, draws the chart and serves the downloads: SVG and PNG of
the chart, .xlsx and CSV of the numbers. Filters as on the search page (town, county, years,
part); a plain GET form, so it works without JavaScript.
"""
from __future__ import annotations

import csv
import functools
import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup, escape

from analysis.summaries import place_options
from analysis.trends import (MATCHES, MAX_PHRASES, Scope, Trend, TownRow, build_trend, cached, towns_table,
                             year_table, years_text)
from archive.rules import DEFAULT_GENRE, PART_LABELS
from webapp.render import SERIES_COLOURS, Series, axis_years, both_widths, share_chart
from webapp.reports import base_url
from webapp.search import Params, kind_options
from webapp.services import get_archive, get_index
from webapp.wordexport import xml_safe

bp = Blueprint("trends", __name__)

TOWNS_PER_PAGE = 30
CHART_HEIGHT = 240       # the page's chart (a legend above the bars)
NO_YEARS = "档案中没有注明年份的报告，无法按年度比较。"
QUOTES = '"“”「」'


def scope_of(params: Params) -> Scope:
    """What `analysis.trends` counts, from the page's filters."""
    return Scope(town=params.town, county=params.county, section=params.section,
                 year_from=params.year_from, year_to=params.year_to,
                 genre=DEFAULT_GENRE if not params.genre else params.genre_filter or "",  # all: "all"
                 level=params.level, match=match_arg())


def match_arg() -> str:
    """How phrases are counted (`analysis.trends.MATCHES`): exact phrases unless `match=words`."""
    return "words" if request.args.get("match") == "words" else "phrase"


def _file_key(kind: str, phrases: list[str], params: Params) -> tuple:
    """What a cached file depends on besides the snapshot."""
    return (kind, tuple(phrases), scope_of(params))


def read_phrases(args) -> tuple[list[str], bool]:
    """The phrase boxes (`q`, repeated) as typed, blanks and repeats dropped, characters XML
    cannot hold (they would break the SVG, PNG and xlsx) as U+FFFD; the first MAX_PHRASES,
    and whether more were given."""
    phrases = list(dict.fromkeys(xml_safe(q.strip()[:200]) for q in args.getlist("q") if q.strip()))
    return phrases[:MAX_PHRASES], len(phrases) > MAX_PHRASES


def with_links(row: TownRow, params: Params) -> TownRow:
    """A town row of the page with each cell's search link — the phrase as it was counted
    (exact, unless words were asked for) — (a row without a town links to its county's
    search: the search cannot ask for "no town")."""
    county, town = row.place
    counted = scope_of(params)
    return replace(row, cells=[
        {**cell, "href": params.url("/", q=counted.query(cell["phrase"]), town=town, county=county)
         if cell["reports"] else None} for cell in row.cells])


# --- URLs -----------------------------------------------------------------------------------

def trend_url(phrases: list[str], params: Params, path: str = "/trend", **changes) -> str:
    """This page (or a download) for these phrases and filters, with `changes` to the filters."""
    filters = params.query_string(**changes)
    match = urlencode([("match", "words")]) if match_arg() == "words" else ""
    query = "&".join(part for part in (urlencode([("q", p) for p in phrases]), match, filters) if part)
    return f"{request.script_root}{path}" + (f"?{query}" if query else "")


def trend_params(args, strict: bool = False) -> Params:
    """The search page's filters (town, county, years, part; `page` pages the town table);
    `strict`: a malformed number is a 400 (downloads), else dropped with a notice (the page)."""
    params = replace(Params.from_args(args, strict=strict), q="", sort="relevance")
    # the trend counts the archive's own reports unless another genre (or every one) is chosen
    return params if params.genre else replace(params, genre=DEFAULT_GENRE)


# --- the chart and its files ----------------------------------------------------------------

def _series(trend: Trend) -> list[Series]:
    return [Series(p.phrase, {y: (p.by_year.get(y, 0), trend.totals.get(y, 0)) for y in trend.years})
            for p in trend.valid]


def chart(trend: Trend, phrases: list[str], params: Params) -> Markup:
    """The page's chart, wide and narrow (phones)."""
    series = _series(trend)
    hrefs = {y: trend_url(phrases, params, year_from=y, year_to=y) for y in trend.years}
    return both_widths(lambda width, height, testid: share_chart(
        trend.years, series, hrefs=hrefs, title="各词语在各年度报告中的占比", width=width,
        height=height + CHART_HEIGHT - 200, testid=testid))


def scope_label(params: Params) -> str:
    parts = [f"{name}：{value}" for name, value, _ in params.filters()]
    return "；".join(parts) if parts else "全部报告"


SLIDE_W, SLIDE_H = 1600, 900     # the downloaded chart: a 16:9 slide
SLIDE_MARGIN = 48
SLIDE_CHART = (800, 340)          # the chart's own units, scaled up to the slide's width


def _fitted(text: str, size: int, width: float) -> int:
    """A font size at which `text` (CJK characters ≈ 1 em, others ≈ 0.55 em) fits `width`."""
    ems = sum(1.0 if ord(c) > 0x2e80 else 0.55 for c in text) or 1.0
    return max(12, min(size, int(width / ems)))


def standalone_svg(trend: Trend, phrases: list[str], params: Params,
                   generated: Optional[datetime] = None) -> str:
    """The chart as a 1600 × 900 slide (.svg; the PNG is this drawn by CairoSVG): a title
    naming the phrases, a line with the scope (place, part, genre: every filter) and the years,
    a legend, the chart, and a source line — white background, so it reads on its own."""
    usable = SLIDE_W - 2 * SLIDE_MARGIN
    names = "、".join(f"“{p.phrase.strip(QUOTES)}”" for p in trend.valid)
    heading = xml_safe(f"{names}在各年度报告中的占比")
    span = f"{trend.years[0]}–{trend.years[-1]}年" if trend.years else ""
    scope = xml_safe(f"范围：{scope_label(params)}" + (f"　年份：{span}" if span else "")
                     + f"　计数：{trend.match_label}")
    when = (generated or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    source = xml_safe(f"来源：法治报告检索（{base_url()}），{when} 生成。"
                      "占比 = 含该词语的报告数 ÷ 范围内当年报告总数。")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{SLIDE_W}" height="{SLIDE_H}" '
           f'viewBox="0 0 {SLIDE_W} {SLIDE_H}" font-family="sans-serif">'
           f'<rect width="100%" height="100%" fill="#ffffff"/>',
           f'<text class="slide-title" x="{SLIDE_MARGIN}" y="84" font-size="{_fitted(heading, 44, usable)}" '
           f'font-weight="bold" fill="#1f2328">{escape(heading)}</text>',
           f'<text class="slide-scope" x="{SLIDE_MARGIN}" y="132" font-size="{_fitted(scope, 26, usable)}" '
           f'fill="#57606a">{escape(scope)}</text>']
    x = SLIDE_MARGIN
    for k, p in enumerate(trend.valid):
        label = xml_safe(p.phrase)
        out.append(f'<g class="slide-legend"><rect x="{x}" y="162" width="24" height="24" '
                   f'fill="{SERIES_COLOURS[k % len(SERIES_COLOURS)]}"/><text x="{x + 32}" y="182" '
                   f'font-size="24" fill="#1f2328">{escape(label)}</text></g>')
        x += 32 + 26 * len(label) + 40
    chart_w, chart_h = SLIDE_CHART
    shown_h = usable * chart_h / chart_w
    inner = str(share_chart(trend.years, _series(trend), title="", width=chart_w, height=chart_h,
                            legend=False, scale=True))
    out.append(f'<svg x="{SLIDE_MARGIN}" y="210" width="{usable}" height="{shown_h:.0f}" '
               f'viewBox="0 0 {chart_w} {chart_h}" font-size="12">{_inner_svg(inner)}</svg>')
    out.append(f'<text class="slide-source" x="{SLIDE_MARGIN}" y="{SLIDE_H - 36}" '
               f'font-size="{_fitted(source, 20, usable)}" fill="#57606a">{escape(source)}</text></svg>')
    return "".join(out)


def _inner_svg(svg: str) -> str:
    """The chart's content without its own <svg> element (placed in the file's frame); a
    line saying why when there is no chart (no report gives its year)."""
    if not svg:
        return f'<text x="0" y="40" font-size="13">{NO_YEARS}</text>'
    return svg[svg.index(">") + 1:svg.rindex("</svg>")]


@functools.lru_cache(maxsize=1)
def cjk_font() -> Optional[str]:
    """A font family with Chinese glyphs, as fontconfig picks it (`fc-match`): cairo draws
    text with the first family named only, and the usual sans-serif has no Chinese."""
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{family[0]}", "sans-serif:lang=zh-cn"],
                             capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


def svg_to_png(svg: str) -> bytes:
    """Rasterise with CairoSVG (libcairo2). Raises RuntimeError with a Chinese message when the
    library is missing."""
    try:
        import cairosvg
    except (ImportError, OSError):
        raise RuntimeError("服务器缺少绘图库 libcairo2，无法生成 PNG：请下载 SVG，或请管理员安装 "
                           "libcairo2（apt-get install libcairo2）") from None
    font = cjk_font()
    if font:
        svg = re.sub(r'font-family="[^"]*"', f'font-family="{escape(font)}"', svg)
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), background_color="white")


def xlsx_bytes(trend: Trend, params: Params, generated: datetime) -> bytes:
    """A workbook: 各年度占比 (with an Excel bar chart of the shares), 各乡镇, 说明."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook()
    years = wb.active
    years.title = "各年度占比"
    for row in year_table(trend):
        years.append([_cell(v) for v in row])
    for col in range(4, 3 + 2 * len(trend.valid), 2):
        for (cell,) in years.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = "0.0%"
    if trend.valid and trend.years:
        bars = BarChart()
        bars.title, bars.y_axis.title, bars.y_axis.number_format = "各年度占比", "占比", "0%"
        for k in range(len(trend.valid)):
            col = 4 + 2 * k
            bars.add_data(Reference(years, min_col=col, min_row=1, max_row=len(trend.years) + 1),
                          titles_from_data=True)
        bars.set_categories(Reference(years, min_col=1, min_row=2, max_row=len(trend.years) + 1))
        bars.width, bars.height = 24, 10
        years.add_chart(bars, f"A{len(trend.years) + 4}")
    towns = wb.create_sheet("各乡镇")
    for row in towns_table(trend):
        towns.append([_cell(v) for v in row])
    about = wb.create_sheet("说明")
    for row in (("词语", "、".join(p.phrase for p in trend.phrases)), ("范围", scope_label(params)),
                ("计数方式", trend.match_label),
                ("占比", "含该词语的报告数 ÷ 范围内当年报告总数"),
                ("生成时间", generated.strftime("%Y-%m-%d %H:%M UTC")), ("来源", "法治报告检索")):
        about.append([_cell(v) for v in row])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    wb.properties.creator = "法治报告检索"
    wb.properties.created = wb.properties.modified = generated.replace(tzinfo=None)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value):
    """Text cells that Excel would run as a formula get a leading '; characters a workbook
    cannot hold become U+FFFD."""
    if not isinstance(value, str):
        return value
    value = xml_safe(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def csv_text(rows: list[list]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 with a BOM
    csv.writer(out).writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def _download(body, mimetype: str, name: str, ext: str) -> Response:
    response = Response(body, mimetype=mimetype + ("; charset=utf-8" if isinstance(body, str) else ""))
    quoted = "".join(f"%{b:02X}" for b in name.encode("utf-8"))
    response.headers["Content-Disposition"] = (
        f"attachment; filename=trend.{ext}; filename*=UTF-8''{quoted}.{ext}")
    return response


# --- pages ----------------------------------------------------------------------------------

def _request_trend(strict: bool = False):
    phrases, too_many = read_phrases(request.args)
    params = trend_params(request.args, strict)
    trend = build_trend(get_index(), phrases, scope_of(params)) if phrases else None
    return phrases, too_many, params, trend and in_scope(trend, params)


def in_scope(trend: Trend, params: Params) -> Trend:
    """The trend over the years in scope (`axis_years`: the year filter's range, else the first
    to the last year with reports in the place filter): the chart, the year table and the
    downloads all show those years, and only those."""
    years = axis_years([y for y, n in trend.totals.items() if n], params.year_from, params.year_to)
    return replace(trend, years=years, marked=None)


@bp.route("/trend")
def index():
    phrases, too_many, params, trend = _request_trend()
    options = {name: [(v, v) for v in values] for name, values in place_options(get_archive()).items()}
    options.update(kind_options("all"))
    boxes = phrases + [""] * (MAX_PHRASES - len(phrases))
    context = {"phrases": phrases, "boxes": boxes, "too_many": too_many, "params": params,
               "options": options, "part_labels": PART_LABELS, "trend": trend,
               "max_phrases": MAX_PHRASES, "years_text": years_text, "no_years": NO_YEARS,
               "matches": MATCHES, "match": match_arg(),
               "url": lambda path="/trend", **changes: trend_url(phrases, params, path, **changes)}
    if trend is not None:
        pages = max(1, -(-len(trend.towns) // TOWNS_PER_PAGE))
        page = min(params.page, pages)
        context.update(
            chart=chart(trend, phrases, params), pages=pages, page=page,
            town_page=[with_links(row, params)
                       for row in trend.towns[(page - 1) * TOWNS_PER_PAGE:page * TOWNS_PER_PAGE]],
            page_url=lambda n: trend_url(phrases, params, page=n), scope=scope_label(params))
    status = 400 if trend is not None and not trend.valid else 200
    return render_template("trends/index.html", **context), status


def _download_trend():
    phrases, _, params, trend = _request_trend(strict=True)
    if trend is None or not trend.valid:
        abort(400, description="请至少输入一个有效的词语，再下载趋势图或数据。")
    return phrases, params, trend


@bp.route("/trend.svg")
def download_svg():
    phrases, params, trend = _download_trend()
    return _download(standalone_svg(trend, phrases, params), "image/svg+xml", "词语趋势", "svg")


@bp.route("/trend.png")
def download_png():
    """Rasterising costs ~0.2 s: kept per index snapshot like the counts it draws."""
    phrases, params, trend = _download_trend()
    try:
        png = cached(get_index(), _file_key("png", phrases, params),
                      lambda: svg_to_png(standalone_svg(trend, phrases, params)))
    except RuntimeError as exc:
        abort(503, description=str(exc))
    return _download(png, "image/png", "词语趋势", "png")


@bp.route("/trend.xlsx")
def download_xlsx():
    phrases, params, trend = _download_trend()
    body = cached(get_index(), _file_key("xlsx", phrases, params),
                   lambda: xlsx_bytes(trend, params, datetime.now(timezone.utc)))
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "词语趋势", "xlsx")


@bp.route("/trend.csv")
def download_csv():
    phrases, params, trend = _download_trend()
    table = towns_table(trend) if request.args.get("table") == "towns" else year_table(trend)
    name = "词语趋势_各乡镇" if request.args.get("table") == "towns" else "词语趋势_各年度"
    return _download(csv_text(table), "text/csv", name, "csv")
