"""Pure helpers that turn library values into safe HTML and URLs for the templates.

Every piece of report or query text goes through `markupsafe.escape` here or through Jinja's
autoescaping; nothing from a report is ever marked safe unescaped.
"""
from __future__ import annotations

import functools

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence
from urllib.parse import quote, urlencode

from flask import Flask, request
from markupsafe import Markup, escape

from analysis.summaries import UNKNOWN_PLACE
from archive.flags import FLAG_LABELS
from archive.rules import GENRE_LABELS, KIND_LABELS, LEVEL_LABELS, PART_LABELS, YEAR_MAX, YEAR_MIN
from index.documents import TITLE_ID


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


def csv_safe(text: str) -> str:
    """A CSV cell from report text: cells starting with = + - @ would run as formulas in Excel,
    so they are prefixed with '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


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


MAX_AXIS_YEARS = 40      # a wider filter range is cut to the years with reports in scope
LABEL_W = 30             # a year label's width (4 digits at the page's 12 px), in chart units
LABEL_STEPS = (1, 2, 5, 10, 20, 25, 50)


def axis_years(with_reports: Iterable[int], year_from: Optional[int] = None,
               year_to: Optional[int] = None) -> list[int]:
    """The years a chart's x axis spans, every year between (a linear axis, empty years as empty
    slots): the filter's range; else, or at an open end, the first or last year with reports in
    scope. A filter range wider than MAX_AXIS_YEARS is cut to the years with reports."""
    have = sorted(set(with_reports))
    lo = year_from or (have[0] if have else None)
    hi = year_to or (have[-1] if have else None)
    if lo is None or hi is None or lo > hi:
        return []
    if hi - lo >= MAX_AXIS_YEARS and have:
        lo, hi = max(lo, have[0]), min(hi, have[-1])
    return list(range(lo, hi + 1)) if lo <= hi else []


def label_step(slot: float) -> int:
    """Label every year, every 2nd, 5th… (the years divisible by it): the first step at which
    labels LABEL_W wide never touch."""
    return next((step for step in LABEL_STEPS if slot * step >= LABEL_W + 6), LABEL_STEPS[-1])


def share_chart(years: Sequence[int], series: Sequence[Series], *,
                hrefs: Optional[Mapping[int, str]] = None, title: str = "各年度命中报告占比",
                width: int = 880, height: int = 200, legend: bool = True,
                scale: Optional[bool] = None, testid: str = "trend-chart") -> Markup:
    """A server-drawn SVG bar chart of each series' share of each year's reports, bars of one
    year side by side; works without JS and stands alone as an .svg file (inline colours).

    `years`: the axis (`axis_years`), in order; a year without reports is an empty slot.
    Year labels are thinned to every 2nd, 5th… year as the width needs, and kept inside the
    chart (margins of half a label), so they never overlap or get cut.
    `hrefs`: year → link for that year's bars (e.g. the search limited to it).
    One series labels each bar with its share (and `matched/total` when there is room);
    several get a percent scale (`scale`: also for one) and, with `legend`, a legend. Pages draw a wide and a narrow
    one (`testid` tells them apart; CSS shows the one that suits the screen), so the labels
    stay readable on a phone.
    """
    if not years or not series:
        return Markup("")
    many = len(series) > 1
    scale = many if scale is None else scale
    top, bottom = (36 if many and legend else 20), 40
    left, right = (44 if scale else LABEL_W / 2 + 2), LABEL_W / 2 + 2
    plot_h = height - top - bottom
    slot = (width - left - right) / len(years)
    step = label_step(slot)
    group_w = max(2.0, min(48.0 * len(series), slot * 0.7))
    bar_w = group_w / len(series)
    base = top + plot_h
    parts = [Markup(
        '<svg class="trend-chart" data-testid="%s" role="img" viewBox="0 0 %d %d" '
        'width="100%%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        'font-family="sans-serif" font-size="11" data-label-step="%d"><title>%s</title>'
    ) % (testid, width, height, step, title)]
    parts.append(Markup('<line class="axis" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#d0d7de"/>')
                 % (left, base, width - right, base))
    if scale:  # a percent scale in the left margin
        for pct in (25, 50, 75, 100):
            y = base - plot_h * pct / 100
            parts.append(Markup('<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" '
                                'stroke="#eef1f4"/><text class="scale" x="%.1f" y="%.1f" '
                                'text-anchor="end" fill="#8c959f">%d%%</text>')
                         % (left, y, width - right, y, left - 4, y + 4, pct))
    if many and legend:
        x = left
        for k, s in enumerate(series):
            colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
            parts.append(Markup('<g class="legend series-%d"><rect x="%.1f" y="6" width="12" '
                                'height="12" fill="%s"/><text x="%.1f" y="16">%s</text></g>')
                         % (k, x, colour, x + 16, s.label))
            x += 28 + 13 * len(s.label)
    shares_fit, counts_fit = not many and slot >= 30, not many and slot >= 40
    for i, year in enumerate(years):
        cx = left + i * slot + slot / 2
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
            if shares_fit and total:
                bars.append(Markup('<text class="share" x="%.1f" y="%.1f" text-anchor="middle">'
                                   '%s%%</text>') % (cx, base - bar_h - 4, round(share * 100)))
            lines.append(f"{s.label + ' ' if many else ''}{matched}/{total} 份, "
                         f"{round(share * 100)}%" if total else f"{s.label + ' ' if many else ''}没有报告")
        parts.append(Markup('<a class="trend-bar" href="%s" data-year="%s"><title>%s</title>')
                     % ((hrefs or {}).get(year, "#"), year, f"{year}: " + "；".join(lines)))
        parts.extend(bars)
        if year % step == 0:
            parts.append(Markup('<text class="year" x="%.1f" y="%d" text-anchor="middle">%s</text>')
                         % (cx, base + 16, year))
        if counts_fit:
            matched, total = series[0].points.get(year, (0, 0))
            parts.append(Markup('<text class="count" x="%.1f" y="%d" text-anchor="middle" '
                                'fill="#57606a">%s/%s</text>') % (cx, base + 32, matched, total))
        parts.append(Markup("</a>"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


NARROW = (400, 170)      # the phone's chart (CSS .chart-narrow), in chart units


def both_widths(draw) -> Markup:
    """`draw(width, height, testid)` twice: the wide chart and the narrow one for phones."""
    wide = draw(880, 200, "trend-chart")
    if not wide:
        return wide
    return (Markup('<div class="chart-wide">%s</div><div class="chart-narrow">%s</div>')
            % (wide, draw(*NARROW, "trend-chart-narrow")))


def trend_chart(rows: Sequence[dict]) -> Markup:
    """The search page's chart: `rows` are dicts with `year`, `matched`, `total` and `href`,
    one per year of the axis (`axis_years`). Drawn once per distinct chart (the pages of one
    search, and everyone asking it, share it): a sixth of a search page's time under load."""
    if not rows:
        return Markup("")
    return _trend_chart(tuple((row["year"], int(row.get("matched") or 0), int(row.get("total") or 0),
                               row["href"]) for row in rows))


@functools.lru_cache(maxsize=512)
def _trend_chart(rows: tuple) -> Markup:
    series = [Series("命中报告", {year: (matched, total) for year, matched, total, _ in rows})]
    hrefs = {year: href for year, _, _, href in rows}
    return both_widths(lambda width, height, testid: share_chart(
        [year for year, *_ in rows], series, hrefs=hrefs, width=width, height=height, testid=testid))


def coverage_table(grid: dict, years: Optional[Sequence[int]] = None) -> Markup:
    """The town × year grid of `summaries.coverage()` as an HTML table, for `years` (default
    all of the grid's). The county and town columns and the header row are sticky (CSS), so a
    row keeps its name however far it scrolls. Built here rather than in Jinja: at a few
    hundred towns × ten years the template loop alone took ~150 ms."""
    years = grid["years"] if years is None else years
    root = escape(_root())
    out = ['<table><thead><tr><th class="county">县（区）</th><th class="town">乡镇</th>']
    out += [f"<th>{y}</th>" for y in years]
    out.append("</tr></thead><tbody>")
    for row in grid["towns"]:
        town = escape(row["town"])
        name = town if row["town"] == UNKNOWN_PLACE else (
            f'<a href="{root}/town/{quote(row["town"], safe="")}">{town}</a>')
        out.append(f'<tr data-town="{town}"><td class="county">{escape(row["county"])}</td>'
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
