"""Archive-wide views built from the store's cached summaries (never by reading every report):
the overview on the empty search page, the filter options, the place hierarchy and the
town × year coverage grid used by /towns and /api/towns."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from webapp.render import UNKNOWN_PLACE as UNKNOWN
LEVELS = ("province", "city", "county", "town")
LATEST = 12


def rows(archive) -> list[dict]:
    """One plain dict per report (id, title, year and the place levels), from `Archive.summaries()`."""
    return [{"id": s.id, "title": s.title, "year": s.year, "province": s.place.province,
             "city": s.place.city, "county": s.place.county, "town": s.place.town}
            for s in archive.summaries()]


def place_options(archive) -> dict:
    """The town and county choices of the search filters (only places the archive holds)."""
    data = rows(archive)
    return {
        "towns": sorted({r["town"] for r in data if r["town"]}),
        "counties": sorted({r["county"] for r in data if r["county"]}),
    }


def archive_overview(archive, index) -> dict:
    data = rows(archive)
    latest = sorted(data, key=lambda r: (-(r["year"] or 0), r["town"] or "", r["id"]))[:LATEST]
    return {
        "reports": len(data),
        "towns": len({(r["county"], r["town"]) for r in data if r["town"]}),
        "counties": len({r["county"] for r in data if r["county"]}),
        "years": dict(sorted(index.years().items())),
        "latest": latest,
    }


LEVEL_LABELS = {"province": "省", "city": "市", "county": "县（区）", "town": "乡镇"}


def hierarchy(data: Iterable[dict], collapse_unknown: bool = False) -> list[dict]:
    """province → city → county → town, each node {name, label, level, count, years, children};
    a level the report does not give is grouped under 未注明. Towns carry their report list.

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
    """The report's place as tree steps (level, name, label)."""
    steps, missing = [], []
    for level in LEVELS:
        if r[level] or not collapse_unknown:
            if missing:
                steps.append(_unknown_step(missing, town_known=True))
                missing = []
            steps.append((level, r[level] or UNKNOWN, r[level] or UNKNOWN))
        else:
            missing.append(level)
    if missing:
        steps.append(_unknown_step(missing, town_known=False))
    return steps


def _unknown_step(missing: list[str], town_known: bool) -> tuple[str, str, str]:
    if town_known and missing[0] == LEVELS[0] and len(missing) == len(LEVELS) - 1:
        label = "上级" + UNKNOWN                     # only the town is known
    elif len(missing) == len(LEVELS):
        label = "地区" + UNKNOWN
    else:
        label = "、".join(LEVEL_LABELS[level] for level in missing) + UNKNOWN
    return missing[-1], UNKNOWN, label


def _freeze(children: dict) -> list[dict]:
    """Sets → sorted lists, dicts → sorted lists (known names first, then the unknown groups,
    shortest run of missing levels first): JSON-ready and stable."""
    out = []
    for key in sorted(children, key=lambda k: (children[k]["name"] == UNKNOWN,
                                               LEVELS.index(children[k]["level"]), k)):
        node = children[key]
        item = {"name": node["name"], "label": node["label"], "level": node["level"],
                "count": node["count"], "years": sorted(node["years"])}
        if node["level"] == "town":
            item["reports"] = sorted(node["reports"], key=lambda r: (r["year"] or 0, r["id"]))
        else:
            item["children"] = _freeze(node["children"])
        out.append(item)
    return out


def coverage(data: Iterable[dict]) -> dict:
    """The town × year grid: `years` (every year from the first to the last held, so gaps show)
    and one row per town with the reports of each year."""
    cells: dict[tuple, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    held: set[int] = set()
    for r in data:
        key = (r["county"] or UNKNOWN, r["town"] or UNKNOWN)
        year = r["year"] or 0
        cells[key][year].append({"id": r["id"], "title": r["title"]})
        if r["year"]:
            held.add(r["year"])
    years = list(range(min(held), max(held) + 1)) if held else []
    towns = [{"county": county, "town": town, "cells": dict(by_year),
              "missing": [y for y in years if y not in by_year]}
             for (county, town), by_year in sorted(cells.items(),
                                                   key=lambda kv: (kv[0][0] == UNKNOWN, kv[0]))]
    return {"years": years, "towns": towns}
