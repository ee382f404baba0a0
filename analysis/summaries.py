"""Archive-wide views built from the store's cached summaries (never by reading every report):
the overview on the empty search page, the filter options, the place hierarchy and the
town × year coverage grid used by /towns and /api/towns.

What is derived from the catalogue is built once per catalogue generation (`catalogue(archive)`):
at 3,000+ reports rebuilding the tree on every request cost more than serving the page."""
from __future__ import annotations

import weakref
from collections import defaultdict
from functools import cached_property, lru_cache
from typing import Callable, Iterable
from urllib.parse import urlencode

from analysis.pinyin import pinyin_key, pinyin_sorted
from importers import gazetteer


UNKNOWN_PLACE = "未注明"    # how a place level a report does not give is shown and grouped
NATIONAL = "全国"          # the tree's top node of the State Council's own reports
LEVELS = ("province", "city", "county", "town")
AREA_LEVELS = LEVELS[:-1]   # what /towns?province=…&city=…&county=… selects a coverage grid by
LATEST = 12


def rows(archive) -> list[dict]:
    """One plain dict per report (id, title, year and the place levels), from `Archive.summaries()`.
    The dicts are shared by every caller of this catalogue state: read them, do not change them."""
    return list(catalogue(archive).rows)


class Catalogue:
    """The views derived from one state of the catalogue, each built on first use and kept until
    the catalogue changes (see `catalogue`)."""

    def __init__(self, summaries):
        # the State Council's reports have no province: in the tree they are 全国's own
        self.rows = [{"id": s.id, "title": s.title, "year": s.year,
                      "province": s.place.province or (NATIONAL if getattr(s, "level", None) == "national" else None),
                      "city": s.place.city, "county": s.place.county, "town": s.place.town,
                      "genre": getattr(s, "genre", None), "level": getattr(s, "level", None)}
                     for s in summaries]
        self._derived: dict = {}

    @cached_property
    def tree(self) -> list[dict]:
        """The /towns tree: `browse_tree` of the collapsed hierarchy."""
        return browse_tree(hierarchy(self.rows, collapse_unknown=True))

    def tree_of(self, genre: str = "", level: str = "") -> list[dict]:
        """The tree of the reports of one genre and/or level (codes; "" = any)."""
        if not (genre or level):
            return self.tree
        return self.derived(("tree", genre, level), lambda: browse_tree(hierarchy(
            [r for r in self.rows if (not genre or r["genre"] == genre) and (not level or r["level"] == level)],
            collapse_unknown=True)))

    @cached_property
    def n_towns(self) -> int:
        """Rows of the whole archive's coverage grid (one per county and town)."""
        return len({(r["county"], r["town"]) for r in self.rows})

    @cached_property
    def counties(self) -> list[tuple[str, int]]:
        """(county, number of reports) for the county picker, known names only."""
        counts: dict[str, int] = defaultdict(int)
        for r in self.rows:
            if r["county"]:
                counts[r["county"]] += 1
        return pinyin_sorted(counts.items(), key=lambda kv: kv[0])

    def area(self, where: dict[str, str]) -> dict | None:
        """The coverage grid of the reports whose place matches `where` ({level: name}, a level
        the report does not give matching `UNKNOWN_PLACE`), or None when no report matches. Only
        areas that exist are kept, so made-up query strings cannot grow the cache."""
        key = ("area",) + tuple(where.get(level) for level in AREA_LEVELS)
        if key not in self._derived:
            chosen = [r for r in self.rows
                      if all((r[level] or UNKNOWN_PLACE) == name for level, name in where.items())]
            if not chosen:
                return None
            self._derived[key] = {"reports": len(chosen), "grid": coverage(chosen),
                                  "towns": len({(r["county"], r["town"]) for r in chosen if r["town"]}),
                                  "places": _places_above(chosen, where),
                                  "absent": frozenset.intersection(*map(_absent, chosen))}
        return self._derived[key]

    def derived(self, key, build: Callable[[], object]):
        """`build()` once per catalogue state — for views the web layer derives (rendered HTML)."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]


_catalogues: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def catalogue(archive) -> Catalogue:
    """The derived views of `archive` at its catalogue's generation: the same object while no
    report is imported, changed or removed, a fresh one from the first request after."""
    generation = archive.generation()
    held = _catalogues.get(archive)
    if held is None or held[0] != generation:
        held = (generation, Catalogue(archive.summaries()))
        _catalogues[archive] = held
    return held[1]


def _places_above(chosen: list[dict], where: dict[str, str]) -> list[str]:
    """The distinct "province · city · county" of an area down to the deepest level `where`
    names, for its heading: more than one is a real namesake (a county name given alone that
    exists in two cities); the counties within one city are not."""
    depth = max((AREA_LEVELS.index(level) for level in where), default=len(AREA_LEVELS) - 1)
    return sorted({" · ".join(r[level] or UNKNOWN_PLACE for level in AREA_LEVELS[:depth + 1]
                              if level not in _absent(r)) for r in chosen})


def place_options(archive) -> dict:
    """The town and county choices of the search filters (only places the archive holds), in
    pinyin order."""
    data = rows(archive)
    return catalogue(archive).derived("options", lambda: {
        "towns": pinyin_sorted({r["town"] for r in data if r["town"]}),
        "counties": pinyin_sorted({r["county"] for r in data if r["county"]}),
    })


def archive_overview(archive) -> dict:
    """The empty search page's numbers, all counted from the one catalogue (so they agree with
    each other while the index catches up)."""
    cat = catalogue(archive)
    return cat.derived("overview", lambda: _overview(rows(archive), archive.latest(LATEST)))


def _overview(data: list[dict], latest: list[str]) -> dict:
    """`latest`: the ids of the reports stored or corrected most recently (an upload shows under
    最新报告 at once, whatever year it covers)."""
    by_id = {r["id"]: r for r in data}
    years: dict[int, int] = defaultdict(int)
    for r in data:
        if r["year"]:
            years[r["year"]] += 1
    return {
        "reports": len(data),
        "towns": len({(r["county"], r["town"]) for r in data if r["town"]}),
        "counties": len({r["county"] for r in data if r["county"]}),
        "years": dict(sorted(years.items())),
        "latest": [by_id[rid] for rid in latest if rid in by_id],
    }


LEVEL_LABELS = {"province": "省", "city": "市", "county": "县（区）", "town": "乡镇"}


def hierarchy(data: Iterable[dict], collapse_unknown: bool = False) -> list[dict]:
    """province → city → county → town, each node {name, label, level, count, years, children};
    a level the report does not give is grouped under 未注明. Towns carry their report list; a
    county's, city's or province's own report (`level`) sits on its own node (its `own` list),
    not under a 乡镇未注明 below it.

    With `collapse_unknown` (the /towns page) a run of unknown levels is one node, so a report
    that names only its town sits at 上级未注明 › 赵集镇 rather than four levels down; the node's
    `level` is the last level of the run and its `label` says which levels are missing."""
    root: dict = {"children": {}}
    for r in data:
        node = root
        for level, name, label in _path(r, collapse_unknown):
            node = node["children"].setdefault(
                label, {"name": name, "label": label, "level": level, "count": 0, "years": set(),
                        "children": {}, "reports": []})
            node["count"] += 1
            if r["year"]:
                node["years"].add(r["year"])
        node["reports"].append({"id": r["id"], "year": r["year"], "title": r["title"]})
    return _freeze(root["children"])


def _path(r: dict, collapse_unknown: bool) -> list[tuple[str, str, str]]:
    """The report's place as tree steps (level, name, label). With `collapse_unknown`, a level
    the place has none of (`absent_levels`) is no step at all: 天津市 › 静海区, not 市未注明."""
    steps, missing = [], []
    absent = _absent(r) if collapse_unknown else ()
    own = r.get("level")
    levels = LEVELS[:LEVELS.index(own) + 1] if own in LEVELS[:-1] else LEVELS[:1] if own == "national" else LEVELS
    for level in levels:
        if level in absent:
            continue
        if r[level] or not collapse_unknown:
            if missing:
                steps.append(_unknown_step(missing, town_known=True))
                missing = []
            steps.append((level, r[level] or UNKNOWN_PLACE, r[level] or UNKNOWN_PLACE))
        else:
            missing.append(level)
    if missing:
        steps.append(_unknown_step(missing, town_known=False))
    return steps


@lru_cache(maxsize=4096)
def absent_levels(province, city, county, town) -> frozenset[str]:
    """The levels a place has none of, by the gazetteer: no city above the districts of 北京/天津/
    上海/重庆 and counties directly under a province (仙桃市); no county above the towns of
    东莞/中山. Only when every namesake that fits the levels known agrees."""
    known = {"province": province, "city": city, "county": county}
    for gap, level, name in (("city", "county", county), ("county", "town", town)):
        if known[gap] or not name:
            continue
        fits = [above for above in map(gazetteer.place_of, (u.code for u in gazetteer.named(name, level)))
                if all(above.get(k) == v for k, v in known.items() if v)]
        if fits and all(gap not in above for above in fits):
            return frozenset({gap})
    return frozenset()


def _absent(r: dict) -> frozenset[str]:
    return absent_levels(r["province"], r["city"], r["county"], r["town"])


def _unknown_step(missing: list[str], town_known: bool) -> tuple[str, str, str]:
    if town_known and missing[0] == LEVELS[0] and len(missing) == len(LEVELS) - 1:
        label = "上级" + UNKNOWN_PLACE                     # only the town is known
    elif len(missing) == len(LEVELS):
        label = "地区" + UNKNOWN_PLACE
    else:
        label = "、".join(LEVEL_LABELS[level] for level in missing) + UNKNOWN_PLACE
    return missing[-1], UNKNOWN_PLACE, label


def _freeze(children: dict) -> list[dict]:
    """Sets → sorted lists, dicts → sorted lists (known names first, then the unknown groups,
    shortest run of missing levels first): JSON-ready and stable."""
    out = []
    for key in sorted(children, key=lambda k: (children[k]["name"] == UNKNOWN_PLACE,
                                               LEVELS.index(children[k]["level"]), pinyin_key(k))):
        node = children[key]
        item = {"name": node["name"], "label": node["label"], "level": node["level"],
                "count": node["count"], "years": sorted(node["years"])}
        if node["level"] == "town":
            item["reports"] = sorted(node["reports"], key=lambda r: (r["year"] or 0, r["id"]))
        else:
            item["children"] = _freeze(node["children"])
            if node["reports"]:   # the area's own reports (a county's, a city's, a province's)
                item["own"] = sorted(node["reports"], key=lambda r: (r["year"] or 0, r["id"]))
        out.append(item)
    return out


def year_span(years: Iterable[int]) -> str:
    """Sorted years as runs: [2019, 2020, 2021, 2024] → "2019–2021、2024"."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1][1:] = [year]
        else:
            runs.append([year])
    return "、".join("–".join(map(str, run)) for run in runs)


def browse_tree(tree: list[dict], where: dict[str, str] | None = None, start: int = 0) -> list[dict]:
    """The collapsed `hierarchy` as the /towns page shows it. Each node adds `span` (years held
    as runs), `area` (the query string of its coverage grid: the levels known or missing down
    to it, the town excepted) and, above town level, its children split into `areas` and
    `towns` plus `n_towns` (known towns below)."""
    out = []
    for node in tree:
        end = LEVELS.index(node["level"])
        here = dict(where or {})
        # the levels it skips (absent, or a run of unknown ones) match 未注明
        here.update({level: node["name"] if i == end else UNKNOWN_PLACE
                     for i, level in enumerate(LEVELS[start:end + 1], start) if level != "town"})
        item = {**node, "span": year_span(node["years"]), "area": urlencode(here)}
        if "children" in node:
            children = browse_tree(node["children"], here, end + 1)
            item["areas"] = [c for c in children if c["level"] != "town"]
            item["towns"] = [c for c in children if c["level"] == "town"]
            item["n_towns"] = sum(c.get("n_towns", c["name"] != UNKNOWN_PLACE) for c in children)
            del item["children"]
        out.append(item)
    return out


def coverage(data: Iterable[dict]) -> dict:
    """The town × year grid: `years` (every year from the first to the last held, so gaps show)
    and one row per town with the reports of each year."""
    cells: dict[tuple, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    held: set[int] = set()
    for r in data:
        key = (r["county"] or UNKNOWN_PLACE, r["town"] or UNKNOWN_PLACE)
        year = r["year"] or 0
        cells[key][year].append({"id": r["id"], "title": r["title"]})
        if r["year"]:
            held.add(r["year"])
    years = list(range(min(held), max(held) + 1)) if held else []
    towns = [{"county": county, "town": town, "cells": dict(by_year),
              "missing": [y for y in years if y not in by_year]}
             for (county, town), by_year in sorted(cells.items(), key=lambda kv: (
                 kv[0][0] == UNKNOWN_PLACE, pinyin_key(kv[0][0]), kv[0][1] == UNKNOWN_PLACE, pinyin_key(kv[0][1])))]
    return {"years": years, "towns": towns}
