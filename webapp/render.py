"""Pure helpers that turn library values into safe HTML and URLs for the templates.

Every piece of report or query text goes through `markupsafe.escape` here or through Jinja's
autoescaping; nothing from a report is ever marked safe unescaped.
"""
from __future__ import annotations

from typing import Iterable, Sequence
from urllib.parse import quote, urlencode

from flask import Flask, request
from markupsafe import Markup, escape

from archive.rules import PART_LABELS

UNKNOWN_PLACE = "未注明"  # how unknown place levels are shown (see webapp.summaries)


# Import warnings (Report.flags) as staff read them.
FLAG_LABELS = {
    "encoding_debris": "含乱码字符",
    "title_derived": "标题为推断",
    "town_missing": "未识别乡镇",
    "year_missing": "未识别年份",
    "place_ambiguous": "乡镇有同名",
    "genre_doubt": "体裁存疑",
    "place_checked": "地点已核对",
    "genre_checked": "非乡镇报告（已核对）",
}


def highlight(text: str, spans: Iterable[Sequence[int]] | None) -> Markup:
    """`text` escaped, with each (start, end) character span wrapped in <mark>.

    Spans may overlap, be unsorted or reach past the text; they are clamped and merged so the
    output is always well-formed.
    """
    text = text or ""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e, *_ in spans or ()):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>%s</mark>") % text[start:end])
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


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


def trend_chart(rows: Sequence[dict], width: int = 880, height: int = 200) -> Markup:
    """A server-drawn SVG bar chart of the share of each year's reports that match.

    It scales to the width of its column through its viewBox; the default size is about the
    search page's results column on a desktop screen, so its text shows near its nominal size.

    `rows`: dicts with `year`, `matched` (reports of that year that match), `total` (reports of
    that year in the archive) and `href` (the search filtered to that year). Works without JS;
    each bar is a link and carries a <title> tooltip.
    """
    if not rows:
        return Markup("")
    top, bottom = 20, 40
    plot_h = height - top - bottom
    slot = width / len(rows)
    bar_w = max(6.0, min(48.0, slot * 0.6))
    parts = [Markup(
        '<svg class="trend-chart" data-testid="trend-chart" role="img" viewBox="0 0 %d %d" '
        'width="100%%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title>各年度命中报告占比</title>'
        '<line class="axis" x1="0" y1="%d" x2="%d" y2="%d"/>'
    ) % (width, height, top + plot_h, width, top + plot_h)]
    for i, row in enumerate(rows):
        total, matched = int(row.get("total") or 0), int(row.get("matched") or 0)
        share = matched / total if total else 0.0
        bar_h = max(1.0 if matched else 0.0, plot_h * share)
        x = i * slot + (slot - bar_w) / 2
        cx = i * slot + slot / 2
        label = f"{row['year']}: {matched}/{total} 份, {round(share * 100)}%"
        parts.append(Markup(
            '<a class="trend-bar" href="%s" data-year="%s"><title>%s</title>'
            '<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>'
            '<text class="share" x="%.1f" y="%.1f" text-anchor="middle">%s%%</text>'
            '<text class="year" x="%.1f" y="%d" text-anchor="middle">%s</text>'
            '<text class="count" x="%.1f" y="%d" text-anchor="middle">%s/%s</text></a>'
        ) % (row["href"], row["year"], label,
             x, top + plot_h - bar_h, bar_w, bar_h,
             cx, top + plot_h - bar_h - 4, round(share * 100),
             cx, top + plot_h + 16, row["year"],
             cx, top + plot_h + 32, matched, total))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


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
        town_url=town_url, compare_url=compare_url, part_label=part_label,
        trend_chart=trend_chart, coverage_table=coverage_table, PART_LABELS=PART_LABELS, FLAG_LABELS=FLAG_LABELS,
    )
