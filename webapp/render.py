"""Pure helpers that turn library values into safe HTML and URLs for the templates.

Every piece of report or query text goes through `markupsafe.escape` here or through Jinja's
autoescaping; nothing from a report is ever marked safe unescaped.
"""
from __future__ import annotations

import functools

from dataclasses import dataclass
from typing import Container, Iterable, Mapping, Optional, Sequence
from urllib.parse import quote, urlencode

from flask import Flask, request
from markupsafe import Markup, escape

from analysis.summaries import UNKNOWN_PLACE
from archive.rules import GENRE_LABELS, KIND_LABELS, LEVEL_LABELS, PART_LABELS, YEAR_MAX, YEAR_MIN
from index.documents import TITLE_ID



# Import warnings (Report.flags) as staff read them.
FLAG_LABELS = {
    "encoding_debris": "含乱码字符",
    "title_derived": "标题为推断",
    "town_missing": "未识别乡镇",
    "year_missing": "未识别年份",
    "place_ambiguous": "乡镇有同名",
    "genre_doubt": "体裁存疑",
    "level_doubt": "层级存疑",
    "place_checked": "地点已核对",
    "genre_checked": "体裁已核对",
    "level_checked": "层级已核对",
    "ocr": "扫描件识别",
}


def highlight(text: str, spans: Iterable[Sequence[int]] | None,
              weak: Iterable[Sequence[int]] | None = None) -> Markup:
    """`text` escaped, with each (start, end) character span wrapped in <mark>, and each `weak`
    span (read from a scan with low confidence) in <span class="ocr-weak">.

    Spans may overlap, be unsorted or reach past the text; they are clamped and merged so the
    output is always well-formed.
    """
    text = text or ""
    marks, low = _merged(text, spans), _merged(text, weak)
    cuts = sorted({0, len(text), *(x for span in marks + low for x in span)})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        piece = escape(text[start:end])
        if any(a <= start and end <= b for a, b in marks):
            piece = Markup("<mark>%s</mark>") % piece
        if any(a <= start and end <= b for a, b in low):
            piece = Markup('<span class="ocr-weak" title="识别把握较低，请对照原件">%s</span>') % piece
        out.append(piece)
    return Markup("").join(out)


def _merged(text: str, spans) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e, *_ in spans or ()):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def paragraph_anchor(paragraph_id: str) -> str:
    """The HTML id of a paragraph on the reading page (ids keep their Chinese and 、（）.)."""
    return f"p-{paragraph_id}"


def _root() -> str:
    try:
        return request.script_root
    except RuntimeError:  # outside a request (unit tests, exports built offline)
        return ""


def report_url(report_id: str, q: str | None = None, paragraph_id: str | None = None) -> str:
    """`/report/<id>[?q=…][#p-<pid>]`, every user-derived part url-encoded."""
    url = f"{_root()}/report/{quote(report_id, safe='')}"
    if q:
        url += "?" + urlencode({"q": q})
    if paragraph_id:
        url += "#" + quote(paragraph_anchor(paragraph_id), safe="")
    return url


def town_url(town: str) -> str:
    return f"{_root()}/town/{quote(town, safe='')}"


def compare_url(a: str, b: str) -> str:
    return f"{_root()}/compare?" + urlencode({"a": a, "b": b})


def part_label(part: str | None) -> str:
    return PART_LABELS.get(part or "", part or "")


def genre_label(genre: str | None) -> str:
    return GENRE_LABELS.get(genre or "", genre or "")


def level_label(level: str | None) -> str:
    return LEVEL_LABELS.get(level or "", level or "")


@dataclass(frozen=True)
class Series:
    """One line of a share chart: `points` maps a year to (matching reports, reports that year)."""
    label: str
    points: Mapping[int, tuple[int, int]]


# Series colours, inline so a downloaded SVG looks the same outside the page's CSS.
SERIES_COLOURS = ("#9a1b1b", "#0b57a4", "#1a7d3a", "#b36b00", "#6a3d9a", "#4d4d4d")


def share_chart(years: Sequence[int], series: Sequence[Series], *,
                hrefs: Optional[Mapping[int, str]] = None, marked: Optional[Container[int]] = None,
                title: str = "各年度命中报告占比", width: int = 880, height: int = 200) -> Markup:
    """A server-drawn SVG bar chart of each series' share of each year's reports, bars of one
    year side by side; works without JS and stands alone as an .svg file (inline colours).

    `years`: every year on the axis, in order (years without reports show an empty slot).
    `hrefs`: year → link for that year's bars (e.g. the search limited to it).
    `marked`: years inside the user's filter; the others are drawn pale, so a year filter never
    makes the rest of the archive look like 0%.
    One series labels each bar with its share and `matched/total`; several get a legend.
    """
    if not years or not series:
        return Markup("")
    many = len(series) > 1
    top, bottom = (36 if many else 20), 40
    plot_h = height - top - bottom
    slot = width / len(years)
    group_w = max(6.0, min(48.0 * len(series), slot * 0.7))
    bar_w = group_w / len(series)
    base = top + plot_h
    parts = [Markup(
        '<svg class="trend-chart" data-testid="trend-chart" role="img" viewBox="0 0 %d %d" '
        'width="100%%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        'font-family="sans-serif" font-size="11"><title>%s</title>'
    ) % (width, height, title)]
    for i, year in enumerate(years):
        if marked is not None and year in marked:
            parts.append(Markup('<rect class="marked-band" x="%.1f" y="0" width="%.1f" height="%d" '
                                'fill="#fff4d6"/>') % (i * slot, slot, base))
    parts.append(Markup('<line class="axis" x1="0" y1="%d" x2="%d" y2="%d" stroke="#d0d7de"/>')
                 % (base, width, base))
    if many:  # no per-bar labels: a percent scale instead (webapp.trends)
        for pct in (25, 50, 75, 100):
            y = base - plot_h * pct / 100
            parts.append(Markup('<line class="grid" x1="0" y1="%.1f" x2="%d" y2="%.1f" '
                                'stroke="#eef1f4"/><text class="scale" x="2" y="%.1f" '
                                'fill="#8c959f">%d%%</text>')
                         % (y, width, y, y - 2, pct))
        x = 0.0
        for k, s in enumerate(series):
            colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
            parts.append(Markup('<g class="legend series-%d"><rect x="%.1f" y="6" width="12" '
                                'height="12" fill="%s"/><text x="%.1f" y="16">%s</text></g>')
                         % (k, x, colour, x + 16, s.label))
            x += 28 + 13 * len(s.label)
    for i, year in enumerate(years):
        outside = marked is not None and year not in marked
        cx = i * slot + slot / 2
        bars, lines = [], []
        for k, s in enumerate(series):
            matched, total = s.points.get(year, (0, 0))
            share = matched / total if total else 0.0
            bar_h = max(1.0 if matched else 0.0, plot_h * share)
            x = cx - group_w / 2 + k * bar_w
            colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
            bars.append(Markup('<rect class="series-%d" x="%.1f" y="%.1f" width="%.1f" '
                               'height="%.1f" fill="%s"/>')
                        % (k, x, base - bar_h, bar_w, bar_h, colour))
            if not many:
                bars.append(Markup('<text class="share" x="%.1f" y="%.1f" text-anchor="middle">'
                                   '%s%%</text>') % (cx, base - bar_h - 4, round(share * 100)))
            lines.append(f"{s.label + ' ' if many else ''}{matched}/{total} 份, "
                         f"{round(share * 100)}%")
        label = f"{year}: " + "；".join(lines) + ("（不在筛选范围内）" if outside else "")
        parts.append(Markup('<a class="trend-bar%s" href="%s" data-year="%s"%s><title>%s</title>')
                     % (" outside" if outside else "", (hrefs or {}).get(year, "#"), year,
                        Markup(' opacity="0.45"') if outside else "", label))
        parts.extend(bars)
        parts.append(Markup('<text class="year" x="%.1f" y="%d" text-anchor="middle"%s>%s</text>')
                     % (cx, base + 16, Markup(' font-weight="bold"') if marked is not None
                        and not outside else "", year))
        if not many:
            matched, total = series[0].points.get(year, (0, 0))
            parts.append(Markup('<text class="count" x="%.1f" y="%d" text-anchor="middle">%s/%s'
                                '</text>') % (cx, base + 32, matched, total))
        parts.append(Markup("</a>"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def trend_chart(rows: Sequence[dict], width: int = 880, height: int = 200) -> Markup:
    """The search page's chart: `rows` are dicts with `year`, `matched`, `total`, `href` and
    `marked` (inside the year filter; absent or None when there is no filter). Drawn once per
    distinct chart (the pages of one search, and everyone asking it, share it): a sixth of a
    search page's time under load."""
    if not rows:
        return Markup("")
    return _trend_chart(tuple((row["year"], int(row.get("matched") or 0), int(row.get("total") or 0),
                               row["href"], row.get("marked")) for row in rows), width, height)


@functools.lru_cache(maxsize=512)
def _trend_chart(rows: tuple, width: int, height: int) -> Markup:
    filtered = any(marked is not None for *_, marked in rows)
    return share_chart(
        [year for year, *_ in rows],
        [Series("命中报告", {year: (matched, total) for year, matched, total, _, _ in rows})],
        hrefs={year: href for year, _, _, href, _ in rows},
        marked={year for year, *_, marked in rows if marked} if filtered else None,
        width=width, height=height)


def coverage_table(grid: dict) -> Markup:
    """The town × year grid of `summaries.coverage()` as an HTML table. Built here rather than in
    Jinja: at a few hundred towns × ten years the template loop alone took ~150 ms."""
    years = grid["years"]
    root = escape(_root())
    out = ['<table><thead><tr><th>县（区）</th><th class="town">乡镇</th>']
    out += [f"<th>{y}</th>" for y in years]
    out.append("</tr></thead><tbody>")
    for row in grid["towns"]:
        town = escape(row["town"])
        name = town if row["town"] == UNKNOWN_PLACE else (
            f'<a href="{root}/town/{quote(row["town"], safe="")}">{town}</a>')
        out.append(f'<tr data-town="{town}"><td>{escape(row["county"])}</td>'
                   f'<th class="town">{name}</th>')
        for year in years:
            reports = row["cells"].get(year)
            if not reports:
                out.append(f'<td class="missing" data-year="{year}">—</td>')
                continue
            links = "".join(
                f'<a href="{root}/report/{quote(r["id"], safe="")}" title="{escape(r["title"] or r["id"])}">'
                f'{"✓" if len(reports) == 1 else n}</a>' for n, r in enumerate(reports, 1))
            out.append(f'<td class="has" data-year="{year}">{links}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return Markup("".join(out))


def init_filters(app: Flask) -> None:
    app.jinja_env.globals.update(
        highlight=highlight, paragraph_anchor=paragraph_anchor, report_url=report_url,
        town_url=town_url, compare_url=compare_url, part_label=part_label, genre_label=genre_label,
        level_label=level_label,
        trend_chart=trend_chart, share_chart=share_chart, coverage_table=coverage_table, PART_LABELS=PART_LABELS, FLAG_LABELS=FLAG_LABELS,
        UNKNOWN_PLACE=UNKNOWN_PLACE, YEAR_MIN=YEAR_MIN, YEAR_MAX=YEAR_MAX, TITLE_ID=TITLE_ID,
        KIND_LABELS=KIND_LABELS,
    )
