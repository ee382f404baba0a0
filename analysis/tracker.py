"""问题整改追踪, the supervision a county justice bureau does over its towns' reports: each
town's reports in year order, paired with the next one, and each pair's review
(`analysis.rectification`: problems raised again or answered, plans carried out).

Each (report, next report) pair is computed when first needed and kept for the catalogue's
generation (`summaries.catalogue`), so an import or an edit recomputes only what is asked again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from analysis import verdicts
from analysis.rectification import PairReview, review_pair
from analysis.summaries import catalogue, rows
from archive.errors import ArchiveError
from archive.rules import DEFAULT_GENRE


@dataclass(frozen=True)
class Pair:
    earlier: dict          # summaries.rows() entries: id, title, year, county, town…
    later: dict

    @property
    def gap(self) -> int:
        return self.later["year"] - self.earlier["year"]


def town_series(archive, county: Optional[str] = None,
                genre: str = DEFAULT_GENRE) -> dict[tuple[str, str], list[dict]]:
    """(county, town) → the town's reports with a year, one per year (the first id when a town
    filed two the same year), oldest first; towns of `county` only when given. Only reports of
    `genre` (a code; "" = any): a town's 政府工作报告 is no step in its rule-of-law series."""
    def build():
        towns: dict = {}
        for r in sorted(rows(archive), key=lambda r: (r["year"] or 0, r["id"])):
            if r["town"] and r["year"] and (not genre or r["genre"] == genre):
                series = towns.setdefault((r["county"] or "", r["town"]), [])
                if not series or series[-1]["year"] != r["year"]:
                    series.append(r)
        return towns
    towns = catalogue(archive).derived(("tracker-towns", genre), build)
    return towns if county is None else {k: v for k, v in towns.items() if k[0] == county}


def pairs(series: list[dict]) -> list[Pair]:
    return [Pair(a, b) for a, b in zip(series, series[1:])]


def body(archive, report_id: str) -> list[tuple[str, str, str]]:
    """A report's body paragraphs as (id, part, text)."""
    return [(p.id, p.part, p.text) for p in archive.get(report_id).paragraphs if p.kind == "text"]


def review(archive, pair: Pair, held=None) -> Optional[PairReview]:
    """The pair's review, computed once per catalogue generation (None: a report went away),
    with the reviewers' verdicts (`analysis.verdicts`, read as they are now).
    `held`: the caller's `summaries.catalogue` (looked up when not given)."""
    def build():
        try:
            earlier, later = body(archive, pair.earlier["id"]), body(archive, pair.later["id"])
        except ArchiveError:
            return None
        return review_pair(earlier, later)
    held = held or catalogue(archive)
    computed = held.derived(("tracker", pair.earlier["id"], pair.later["id"]), build)
    return verdicts.applied(archive, pair.earlier["id"], pair.later["id"], computed)


def review_reports(archive, earlier_id: str, later_id: str) -> PairReview:
    """Any two reports: the problems and plans of `earlier_id` against `later_id` (not kept:
    `archive track A B` asks once), with the reviewers' verdicts."""
    return verdicts.applied(archive, earlier_id, later_id,
                            review_pair(body(archive, earlier_id), body(archive, later_id)))


def town_reviews(archive, town: str, county: Optional[str] = None,
                 genre: str = DEFAULT_GENRE) -> list[dict]:
    """Each (county, town) named `town` (in `county` when given): its reports' pairs (of one
    genre, `town_series`), each with its review (None: a report went away)."""
    held = catalogue(archive)
    out = []
    for (c, t), series in sorted(town_series(archive, county, genre).items()):
        if t == town:
            out.append({"county": c, "town": t, "series": series,
                        "pairs": [(p, review(archive, p, held)) for p in pairs(series)]})
    return out


def towns_dict(found: list[dict]) -> list[dict]:
    """`town_reviews` as JSON: each town's report ids and each pair's review."""
    return [{"county": s["county"], "town": s["town"], "reports": [r["id"] for r in s["series"]],
             "pairs": [{"earlier": p.earlier["id"], "later": p.later["id"],
                        **(r.to_dict() if r else {"missing": True})} for p, r in s["pairs"]]}
            for s in found]


def county_summary(archive, county: Optional[str] = None) -> list[dict]:
    """Each town of `county` (None: every town) with its pairs' counts, in (county, town) order."""
    held = catalogue(archive)
    out = []
    for (c, t), series in sorted(town_series(archive, county).items()):
        cells = []
        for p in pairs(series):
            r = review(archive, p, held)
            if r is not None:
                cells.append({"earlier": p.earlier["id"], "later": p.later["id"],
                              "year": p.later["year"], **r.to_dict()["counts"]})
        out.append({"county": c, "town": t, "reports": len(series), "pairs": cells})
    return out
