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


def hierarchy(data: Iterable[dict]) -> list[dict]:
    """province → city → county → town, each node {name, level, count, years, children};
    a level the report does not give is grouped under 未注明. Towns carry their report list."""
    root: dict = {"children": {}}
    for r in data:
        node = root
        for level in LEVELS:
            name = r[level] or UNKNOWN
            node = node["children"].setdefault(
                name, {"name": name, "level": level, "count": 0, "years": set(), "children": {},
                       "reports": []})
            node["count"] += 1
            if r["year"]:
                node["years"].add(r["year"])
        node["reports"].append({"id": r["id"], "year": r["year"], "title": r["title"]})
    return _freeze(root["children"])


def _freeze(children: dict) -> list[dict]:
    """Sets → sorted lists, dicts → name-sorted lists, 未注明 last: JSON-ready and stable."""
    out = []
    for name in sorted(children, key=lambda n: (n == UNKNOWN, n)):
        node = children[name]
        item = {"name": name, "level": node["level"], "count": node["count"],
                "years": sorted(node["years"])}
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
