"""Blueprint `compare`: two reports side by side, `/compare?a=<id>&b=<id>[&mode=plans2work]`.

Rows come from `analysis.alignment` (part by part, then section by section, paired by meaning),
one grid row per pair, rendered as a CSS
grid so the columns stay aligned while scrolling without any JavaScript. Sentences the two
reports share are highlighted in both columns. A missing or unknown id shows a page to choose
the reports instead of an error: two pickers that filter by town, county and year as you type
(`fa`, `fb`; a GET form, so without JavaScript the 筛选 button does the same).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from flask import Blueprint, jsonify, render_template, request, url_for

from analysis.pinyin import matches, pinyin_key
from analysis.alignment import align_reports, indexed_words, shared_sentences
from analysis.comparison import MODES
from analysis.reuse import WIDTH, pair_reuse
from archive.errors import ArchiveError
from archive.folding import fold
from archive.model import Report
from webapp.reports import display_text, town_neighbours
from webapp.services import get_archive, get_index

bp = Blueprint("compare", __name__)

MODE_LABELS = {"parts": "按部分对照", "plans2work": "去年计划 → 今年成效"}
MAX_PICKS = 12
PICKER_SHOWN = 30  # reports a picker lists for one filter text


def _get(report_id: str) -> Optional[Report]:
    if not report_id:
        return None
    try:
        return get_archive().get(report_id)
    except ArchiveError:
        return None


def compare_link(a: str, b: str, mode: str = "parts", **extra) -> str:
    args = {"a": a, "b": b, **extra}
    if mode != "parts":
        args["mode"] = mode
    return url_for("compare.index", **args)


def quick_picks(report: Report) -> list[dict]:
    """Comparisons worth one click from `report`: the same town's other years, the same year's
    other towns of the same county, and last year's plans beside this year's work."""
    picks: list[dict] = []
    town, county, year = report.place.town, report.place.county, report.year
    summaries = get_archive().summaries()
    if town:
        for s in sorted((s for s in summaries if s.place.town == town and s.id != report.id),
                        key=lambda s: (s.year or 0, s.id)):
            older, newer = (s.id, report.id) if (s.year or 0) < (year or 0) else (report.id, s.id)
            picks.append({"kind": "town", "label": f"{town} {f'{s.year}年' if s.year else '年份不详'}",
                          "href": compare_link(older, newer)})
    if county and year:
        for s in sorted((s for s in summaries if s.place.county == county and s.year == year
                         and s.place.town != town), key=lambda s: (s.place.town or "", s.id)):
            picks.append({"kind": "county", "label": f"{s.place.town or '未知乡镇'} {year}年",
                          "href": compare_link(report.id, s.id)})
    previous, following = town_neighbours(report.id, town, year)
    if previous:
        picks.append({"kind": "plans2work", "label": f"{previous.year}年计划 → {year}年成效",
                      "href": compare_link(previous.id, report.id, "plans2work")})
    if following:
        picks.append({"kind": "plans2work", "label": f"{year}年计划 → {following.year}年成效",
                      "href": compare_link(report.id, following.id, "plans2work")})
    by_kind: dict[str, list[dict]] = {}
    for pick in picks:
        by_kind.setdefault(pick["kind"], []).append(pick)
    return [p for kind in ("plans2work", "town", "county") for p in by_kind.get(kind, [])[:MAX_PICKS]]


def report_label(s) -> str:
    """How a report reads in the picker: 镇 · 2024年 (or 年份不详) · title."""
    year = f"{s.year}年" if s.year else "年份不详"
    label = f"{s.place.town or '未知乡镇'} {year}"
    return label + (f" · {s.title[:30]}{'…' if len(s.title) > 30 else ''}" if s.title else "")


def _haystack(s) -> str:
    """What a picker filter matches: town, county, city, year and title, folded (script,
    width, punctuation), so 赵集 2024 and 趙集 both find 赵集镇 2024."""
    return _folded((s.place.town, s.place.county, s.place.city,
                    f"{s.year}年" if s.year else "年份不详", s.title, s.id))


@lru_cache(maxsize=20_000)
def _folded(values: tuple) -> str:
    """Cached: folding (OpenCC) thousands of titles on every picker page would cost ~0.1 s."""
    return fold(" ".join(str(v) for v in values if v))


def _matches(s, needles: list[str], words: list[str]) -> bool:
    """Every typed word is in the report's folded town/county/year/title, or (ASCII) in the
    pinyin of its town or county (zjz, zhaoji → 赵集镇)."""
    hay = _haystack(s)
    return all(n in hay or (w.isascii() and any(matches(name, w) for name in (s.place.town, s.place.county) if name))
               for n, w in zip(needles, words))


def _ordered(summaries) -> list:
    """Reports in pinyin order of county, then town, newest year first."""
    return sorted(summaries, key=lambda s: (s.place.county is None, pinyin_key(s.place.county),
                                            s.place.town is None, pinyin_key(s.place.town),
                                            -(s.year or 0), s.id))


def picker_matches(summaries, text: str) -> tuple[list[dict], int]:
    """The reports matching every word of `text`, in pinyin order: (the first PICKER_SHOWN as
    {id, label, county}, how many match). No text, no list: the picker asks to type."""
    words = [w for w in (text or "").split() if fold(w) or w.isascii()]
    if not words:
        return [], 0
    needles = [fold(w) for w in words]
    found = [s for s in _ordered(summaries) if _matches(s, needles, [w.lower() for w in words])]
    return [_option(s) for s in found[:PICKER_SHOWN]], len(found)


def _option(s) -> dict:
    return {"id": s.id, "label": report_label(s), "county": s.place.county or "未注明县区"}


@bp.route("/compare/suggest")
def suggest():
    """The picker's type-ahead: {items: [{id, label, county}], count, total}."""
    summaries = get_archive().summaries()
    items, count = picker_matches(summaries, request.args.get("q", "").strip()[:80])
    return jsonify({"items": items, "count": count, "total": len(summaries)})


def _choose(a_id: str, b_id: str, a: Optional[Report], b: Optional[Report], mode: str):
    summaries = get_archive().summaries()
    texts = {side: request.args.get(f"f{side}", "").strip()[:80] for side in "ab"}
    pickers = {}
    for side, report in (("a", a), ("b", b)):
        items, count = picker_matches(summaries, texts[side])
        chosen = [_option(report)] if report is not None else []
        pickers[side] = {"text": texts[side], "count": count, "chosen": report.id if report else "",
                         "items": chosen + [i for i in items if not chosen or i["id"] != chosen[0]["id"]]}
    unknown = [i for i, r in ((a_id, a), (b_id, b)) if i and r is None]
    known = a or b
    return render_template("compare/choose.html", pickers=pickers, total=len(summaries),
                           shown_max=PICKER_SHOWN, a_id=a_id, b_id=b_id, unknown=unknown, mode=mode,
                           mode_labels=MODE_LABELS, picks=quick_picks(known) if known else [],
                           known=known)


@bp.route("/compare")
def index():
    a_id, b_id = request.args.get("a", "").strip(), request.args.get("b", "").strip()
    mode = request.args.get("mode", "parts")
    mode = mode if mode in MODES else "parts"
    a, b = _get(a_id), _get(b_id)
    if a is None or b is None or request.args.get("filter"):
        return _choose(a_id, b_id, a, b, mode)
    original = request.args.get("script") != "simplified"
    index = get_index()
    parts = align_reports(a.paragraphs, b.paragraphs, MODES[mode],
                          words={**indexed_words(index, "a", a), **indexed_words(index, "b", b)})

    def shown(side: str) -> list[tuple[str, str]]:
        """The body text on one side (headings are aligned, not counted as shared text)."""
        return [(p.id, display_text(p, original)) for part in parts for row in part.rows
                if getattr(row, side) for p in getattr(row, side).paragraphs]

    shared = shared_sentences(shown("a"), shown("b"))
    scripts = {a.script, b.script}
    return render_template(
        "compare/view.html", a=a, b=b, parts=parts, shared=shared, mode=mode,
        mode_labels=MODE_LABELS, original=original, has_traditional="traditional" in scripts,
        display_text=display_text, picks=quick_picks(a), compare_link=compare_link,
        reuse=pair_reuse(get_archive(), index, a.id, b.id), reuse_width=WIDTH)
