"""问题整改追踪, the supervision a county justice bureau does over its towns' reports: each
town's reports in year order, paired with the next one, and each pair's review
(`analysis.rectification`: problems raised again or answered, plans carried out).

Each (report, next report) pair is computed when first needed and kept for the catalogue's
generation (`summaries.catalogue`), so an import or an edit recomputes only what is asked again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from analysis.alignment import indexed_words
from analysis.rectification import PairReview, review_pair
from analysis.summaries import catalogue, rows
from archive.errors import ArchiveError


@dataclass(frozen=True)
class Pair:
    earlier: dict          # summaries.rows() entries: id, title, year, county, town…
    later: dict

    @property
    def gap(self) -> int:
        return self.later["year"] - self.earlier["year"]


def town_series(archive, county: Optional[str] = None) -> dict[tuple[str, str], list[dict]]:
    """(county, town) → the town's reports with a year, one per year (the first id when a town
    filed two the same year), oldest first; towns of `county` only when given."""
    def build():
        towns: dict = {}
        for r in sorted(rows(archive), key=lambda r: (r["year"] or 0, r["id"])):
            if r["town"] and r["year"]:
                series = towns.setdefault((r["county"] or "", r["town"]), [])
                if not series or series[-1]["year"] != r["year"]:
                    series.append(r)
        return towns
    towns = catalogue(archive).derived("tracker-towns", build)
    return towns if county is None else {k: v for k, v in towns.items() if k[0] == county}


def pairs(series: list[dict]) -> list[Pair]:
    return [Pair(a, b) for a, b in zip(series, series[1:])]


def body(archive, index, report_id: str) -> tuple[list[tuple[str, str, str]], dict]:
    """A report's body paragraphs (id, part, text) and their words as the index holds them
    ({} while the index's copy differs: `rectification` then segments the text itself)."""
    report = archive.get(report_id)
    known = {pid: w for (_, pid), w in indexed_words(index, "", report).items()}
    return [(p.id, p.part, p.text) for p in report.paragraphs if p.kind == "text"], known


def review(archive, index, pair: Pair, held=None) -> Optional[PairReview]:
    """The pair's review, computed once per catalogue generation (None: a report went away).
    `held`: the caller's `summaries.catalogue` (looked up when not given)."""
    def build():
        try:
            (earlier, known), (later, known_later) = (body(archive, index, pair.earlier["id"]),
                                                      body(archive, index, pair.later["id"]))
        except ArchiveError:
            return None
        return review_pair(earlier, later, known, known_later)
    held = held or catalogue(archive)
    return held.derived(("tracker", pair.earlier["id"], pair.later["id"]), build)
