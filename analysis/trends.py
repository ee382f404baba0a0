"""Phrase trends: several phrases' use over the years and per town, the numbers behind `/trend`
and `archive trend`.

Each phrase's share of each year's reports (the reports the archive, or the chosen town or
county, holds for that year, so a growing archive does not look like a growing phrase), and a
per-town table (towns × phrases: reports, paragraphs, years).

Counts come from the index's public `SearchIndex.search`: the per-year numbers from
`SearchResult.trend`; the per-town rows and their years from the hits themselves
(`per_page=0`), since the facets give paragraphs per town but not years. Both are cached per
index snapshot (a new commit makes a new snapshot, so nothing stale is ever shown).

What is counted is chosen by a `Scope` (place, part, years, how a phrase matches), so a filter
added later is a field there, not a new parameter on every function. A phrase is counted as
typed, an exact phrase (as an n-gram viewer counts: 法治副主任 is not 法治建设…副主任); the
word-level count (its jieba words anywhere in one paragraph) is the explicit `match="words"`,
and every page and file says which one was used (`MATCHES`).
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace
from typing import Optional

from analysis.pinyin import pinyin_key
from analysis.summaries import UNKNOWN_PLACE
from archive.errors import QueryError
from archive.rules import DEFAULT_GENRE, YEAR_MAX, YEAR_MIN
from index.query import phrase_query

MAX_PHRASES = 6          # one colour each on the chart
# How a phrase is counted, and how the page and the files name it.
MATCHES = {"phrase": "精确短语（原文中连续出现）", "words": "分词匹配（各词出现在同一段即可）"}
MATCH_SHORT = {"phrase": "精确短语", "words": "分词"}


@dataclass(frozen=True)
class Scope:
    """Which reports a trend counts: a town, a county, a part (`archive.rules.PARTS` code), a
    year range (either end open), a genre and a level (codes), and how a phrase matches
    (`MATCHES`). Empty strings and None mean no filter; the genre is the archive's own
    (法治政府建设 reports) unless asked otherwise, so the denominators do not count work
    reports, news or plans."""
    town: str = ""
    county: str = ""
    section: str = ""
    year_from: Optional[int] = None
    year_to: Optional[int] = None
    genre: str = DEFAULT_GENRE
    level: str = ""
    match: str = "phrase"

    def query(self, phrase: str) -> str:
        """The search query that counts `phrase` this way."""
        return phrase if self.match == "words" else phrase_query(phrase)

    @property
    def filtered_years(self) -> bool:
        return bool(self.year_from or self.year_to)

    def in_years(self, year: int) -> bool:
        return (self.year_from or YEAR_MIN) <= year <= (self.year_to or YEAR_MAX)

    def without_years(self) -> "Scope":
        """The counting scope: the year range is applied when showing, not when counting."""
        return replace(self, year_from=None, year_to=None)


@dataclass(frozen=True)
class PhraseCounts:
    """One phrase within the place and part filters (the year filter is applied by the page)."""
    phrase: str
    error: Optional[str] = None
    by_year: dict = field(default_factory=dict)    # year → matching reports (every year)
    # (county, town) → {year or None: {report id: paragraphs}}
    towns: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TownRow:
    county: str
    town: str
    cells: list            # per valid phrase: {"phrase", "reports", "paragraphs", "years"}
    total: int             # reports matching any phrase
    place: tuple = ("", "")  # (county, town) as stored ("" where the report names none)


@dataclass
class Trend:
    """What the page, the chart and the downloads show."""
    phrases: list[PhraseCounts]
    years: list[int]
    totals: dict[int, int]           # year → reports in the place filter
    marked: Optional[set]            # years inside the year filter (None: no year filter)
    towns: list[TownRow]
    match: str = "phrase"            # how the phrases were counted (`MATCHES`)

    @property
    def match_label(self) -> str:
        return MATCHES[self.match]

    @property
    def valid(self) -> list[PhraseCounts]:
        return [p for p in self.phrases if p.error is None]

    def share(self, phrase: PhraseCounts, year: int) -> float:
        total = self.totals.get(year, 0)
        return phrase.by_year.get(year, 0) / total if total else 0.0


# --- computing ------------------------------------------------------------------------------

_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
CACHED = 256             # results kept per snapshot; beyond, the cache starts again


def cached(index, key, build):
    """`build()` once per snapshot of `index` (a commit makes a new one and drops these)."""
    held = _cache.setdefault(index.snapshot(), {})
    if key not in held:
        if len(held) >= CACHED:
            held.clear()
        held[key] = build()
    return held[key]


def phrase_counts(index, phrase: str, scope: Scope) -> PhraseCounts:
    """One phrase's matching reports per year (`SearchResult.trend`, every year) and per town
    and year (from every hit: the facets count paragraphs per town but not years)."""
    counting = scope.without_years()

    def build() -> PhraseCounts:
        try:
            result = index.search(
                counting.query(phrase), town=counting.town or None, county=counting.county or None,
                section=counting.section or None, sort="year", per_page=0,
                genre=counting.genre or None, level=counting.level or None)
        except QueryError as exc:
            return PhraseCounts(phrase, error=str(exc))
        towns: dict = {}
        for hit in result.hits:
            year_reports = towns.setdefault((hit.county or "", hit.town or ""), {})
            reports = year_reports.setdefault(hit.year, {})
            reports[hit.report_id] = reports.get(hit.report_id, 0) + 1
        return PhraseCounts(phrase, by_year={int(y): t["matching"] for y, t in result.trend.items()},
                            towns=towns)
    return cached(index, ("phrase", phrase, counting), build)


def year_totals(index, scope: Scope) -> dict[int, int]:
    """Reports per year in scope (place, genre, level): the whole archive's count, or the
    reports a browse with those filters finds (the denominator of every share)."""
    def build() -> dict[int, int]:
        if not (scope.town or scope.county or scope.genre or scope.level):
            return {int(y): n for y, n in index.years().items()}
        result = index.search("", town=scope.town or None, county=scope.county or None, per_page=1,
                              genre=scope.genre or None, level=scope.level or None)
        return {int(y): t["matching"] for y, t in result.trend.items()}
    return cached(index, ("totals", scope.town, scope.county, scope.genre, scope.level), build)


def build_trend(index, phrases: list[str], scope: Scope) -> Trend:
    """The numbers of a trend, kept per index snapshot."""
    def build() -> Trend:
        counted = [phrase_counts(index, p, scope) for p in phrases]
        totals = year_totals(index, scope)
        # every year the archive holds stays on the axis (a town's other years: empty)
        years = sorted(set(index.years()) | set(totals) | {y for p in counted for y in p.by_year})
        marked = {y for y in years if scope.in_years(y)} if scope.filtered_years else None
        return Trend(counted, years, totals, marked, town_rows(counted, scope), scope.match)
    return cached(index, ("trend", tuple(phrases), scope), build)


def town_rows(counted: list[PhraseCounts], scope: Scope) -> list[TownRow]:
    """Towns × phrases within the year filter, most matching reports first; hits of reports
    that name no town are a 未注明 row (per county), so every row adds up to the hits."""
    filtered = scope.filtered_years
    keys = sorted({k for p in counted if p.error is None for k in p.towns})
    rows = []
    for county, town in keys:
        cells, reports = [], set()
        for p in counted:
            if p.error is not None:
                continue
            years = {y: r for y, r in p.towns.get((county, town), {}).items()
                     if (y is not None and scope.in_years(y)) or (y is None and not filtered)}
            ids = {rid for r in years.values() for rid in r}
            reports |= ids
            cells.append({
                "phrase": p.phrase, "reports": len(ids),
                "paragraphs": sum(n for r in years.values() for n in r.values()),
                "years": sorted((y for y in years if y is not None)) + ([None] if None in years else [])})
        if reports:
            rows.append(TownRow(county or UNKNOWN_PLACE, town or UNKNOWN_PLACE, cells, len(reports),
                                (county, town)))
    rows.sort(key=lambda r: (-r.total, r.county == UNKNOWN_PLACE, pinyin_key(r.county),
                             r.town == UNKNOWN_PLACE, pinyin_key(r.town)))
    return rows


# --- tables (downloads, CLI, API) -----------------------------------------------------------

def year_table(trend: Trend) -> list[list]:
    """年份, 报告总数, then per phrase 命中报告 and 占比 (a fraction; 0 when no reports); the
    headers say how the phrases were counted (`MATCH_SHORT`)."""
    header = ["年份", "报告总数"]
    how = MATCH_SHORT[trend.match]
    for p in trend.valid:
        header += [f"{p.phrase} 命中报告（{how}）", f"{p.phrase} 占比"]
    rows = [header]
    for y in trend.years:
        row = [y, trend.totals.get(y, 0)]
        for p in trend.valid:
            row += [p.by_year.get(y, 0), round(trend.share(p, y), 4)]
        rows.append(row)
    return rows


def towns_table(trend: Trend) -> list[list]:
    header = ["县（区）", "乡镇"]
    for p in trend.valid:
        header += [f"{p.phrase} 报告数", f"{p.phrase} 段落数", f"{p.phrase} 年份"]
    rows = [header]
    for row in trend.towns:
        line = [row.county, row.town]
        for cell in row.cells:
            line += [cell["reports"], cell["paragraphs"], years_text(cell["years"])]
        rows.append(line)
    return rows


def trend_dict(trend: Trend, scope: Scope) -> dict:
    """JSON-ready (`archive trend --json`, `/api/trend`): per phrase its count per year (and
    share), the year totals, the towns table, and the scope."""
    return {
        "scope": {k: v for k, v in vars(scope).items() if v not in ("", None)},
        "years": trend.years, "totals": {str(y): n for y, n in trend.totals.items()},
        "marked": sorted(trend.marked) if trend.marked is not None else None,
        "phrases": [{"phrase": p.phrase, "error": p.error,
                     "by_year": {str(y): {"reports": p.by_year.get(y, 0),
                                          "share": round(trend.share(p, y), 4)} for y in trend.years}
                     if p.error is None else {}} for p in trend.phrases],
        "towns": [{"county": r.county, "town": r.town, "total": r.total,
                   "cells": [{k: c[k] for k in ("phrase", "reports", "paragraphs", "years")}
                             for c in r.cells]} for r in trend.towns],
    }


def years_text(years: list) -> str:
    return "、".join("年份未注明" if y is None else str(y) for y in years)


