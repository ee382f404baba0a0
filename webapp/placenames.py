"""Place names for the edit forms: suggestions as staff type (pinyin order) and the check that a
typed name is one the archive already spells, so 重庆市潼南区 never becomes a second county
beside 潼南区.

Where names come from is pluggable: `sources()` lists the app's `PlaceSource`s, the archive's
own values first, then the national gazetteer when the importer ships one (`importers.gazetteer`,
see `GazetteerSource`). A source answers `suggest(level, typed, limit)` with `Suggestion`s and
`knows(level, name)`.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Callable, Optional, Protocol

from flask import current_app

from analysis.pinyin import matches, pinyin_sorted
from analysis.summaries import LEVELS, catalogue
from archive import spelling
from archive.fields import markup_in
from archive.spelling import Resolution
from webapp.services import get_archive

LEVEL_LABELS = {"province": "省", "city": "市", "county": "县（区）", "town": "乡镇（街道）"}


@dataclass(frozen=True)
class Suggestion:
    name: str
    level: str
    source: str                      # "archive" | "gazetteer"
    parents: dict = field(default_factory=dict)  # {level: name} above it, when known

    def to_dict(self) -> dict:
        return asdict(self)


class PlaceSource(Protocol):
    name: str

    def suggest(self, level: str, typed: str, limit: int) -> list[Suggestion]: ...

    def knows(self, level: str, name: str) -> bool: ...


class ArchiveSource:
    """The names the archive's reports already use, with the places above each (the most
    frequent, when reports disagree)."""
    name = "archive"

    def _names(self) -> dict[str, list[Suggestion]]:
        cat = catalogue(get_archive())
        return cat.derived(("placenames",), lambda: _archive_names(cat.rows))

    def suggest(self, level: str, typed: str, limit: int) -> list[Suggestion]:
        return [s for s in self._names().get(level, []) if matches(s.name, typed)][:limit]

    def knows(self, level: str, name: str) -> bool:
        return any(s.name == name for s in self._names().get(level, []))

    def names(self, level: str) -> list[str]:
        return [s.name for s in self._names().get(level, [])]


def _archive_names(rows: list[dict]) -> dict[str, list[Suggestion]]:
    parents: dict[str, dict[str, Counter]] = {level: defaultdict(Counter) for level in LEVELS}
    for r in rows:
        for n, level in enumerate(LEVELS):
            if r[level]:
                parents[level][r[level]][tuple(r[up] for up in LEVELS[:n])] += 1
    out = {}
    for n, level in enumerate(LEVELS):
        out[level] = pinyin_sorted(
            (Suggestion(name, level, "archive",
                        {up: v for up, v in zip(LEVELS[:n], ups.most_common(1)[0][0]) if v})
             for name, ups in parents[level].items()), key=lambda s: s.name)
    return out


class GazetteerSource:
    """Adapter for the importer's national gazetteer (`importers.gazetteer`: China's divisions
    down to 乡镇/街道): a name-prefix lookup, each namesake with the places above it."""
    name = "gazetteer"
    NAMESAKES = 5   # of one name shown (城关镇 exists in hundreds of counties)

    def __init__(self, module):
        self.module = module

    def suggest(self, level: str, typed: str, limit: int) -> list[Suggestion]:
        if not typed:
            return []
        out = []
        # The gazetteer lists by code point; a few more names, put in pinyin order.
        names = pinyin_sorted(self.module.names_with_prefix(typed, limit=limit * 3, level=level))
        for name in names:
            for unit in self.module.named(name, level)[:self.NAMESAKES]:
                above = {k: v for k, v in self.module.place_of(unit.code).items() if k != level}
                out.append(Suggestion(name, level, self.name, above))
        return out[:limit]

    def knows(self, level: str, name: str) -> bool:
        return bool(self.module.named(name, level))


def sources() -> list:
    """The app's place sources (built once per app): the archive's names, then the gazetteer's
    when the importers ship one. Tests and deployments may set `app.extensions["place_sources"]`."""
    held = current_app.extensions.get("place_sources")
    if held is None:
        held = [ArchiveSource()]
        try:
            from importers import gazetteer
        except ImportError:
            gazetteer = None
        if all(hasattr(gazetteer, f) for f in ("names_with_prefix", "named", "place_of")):
            held.append(GazetteerSource(gazetteer))
        current_app.extensions["place_sources"] = held
    return held


def suggest(level: str, typed: str, limit: int = 15) -> list[Suggestion]:
    """Names for an autocomplete: the archive's in pinyin order, then the other sources' names
    not already offered for the same place."""
    out: list[Suggestion] = []
    for source in sources():
        for s in source.suggest(level, typed, limit):
            if len(out) < limit and not any(_same_place(s, held) for held in out):
                out.append(s)
    return out


def _same_place(a: Suggestion, b: Suggestion) -> bool:
    return a.name == b.name and all(b.parents.get(k, v) == v for k, v in a.parents.items())


def known_names(level: str) -> list[str]:
    """The archive's names of this level, pinyin order (the forms' lists without JavaScript)."""
    return sources()[0].names(level)


def resolve(level: str, typed: str) -> Resolution:
    """`archive.spelling.resolve` against the archive's names, then the other sources'."""
    return spelling.resolve(level, typed, sources()[0].names(level),
                            lambda lvl, name: any(s.knows(lvl, name) for s in sources()[1:]))


def check(changed: dict[str, str], confirmed: Callable[[str], Optional[str]]) -> tuple[dict, list[str]]:
    """Check the place names among `changed` ({field: typed}) before they are stored: a longer
    or differently written spelling of a known name becomes that name (in `changed`, with a note
    for the user); a new name stays only if `confirmed(field)` returns it (the form's confirm box).
    Returns ({field: {"typed", "candidates"}} for names still to confirm, notes)."""
    problems, notes = {}, []
    for level in LEVEL_LABELS:
        if not changed.get(level) or markup_in(changed[level]):
            continue  # nothing typed, or refused by validate_fields: never offered to confirm
        found = resolve(level, changed[level])
        if found.status == "normalised":
            notes.append(f"“{found.typed}”已按档案中的写法记为“{found.value}”")
            changed[level] = found.value
        elif found.status == "new" and confirmed(level) != found.typed:
            problems[level] = {"typed": found.typed, "candidates": found.candidates}
    return problems, notes
