"""Counting a doc set: facets (year, town, county, genre, level, section) and the per-year trend,
with `numpy.bincount` over the paragraph → report → value maps of a snapshot (no Python per hit).

A trend's share divides the matching reports of a year by the reports of that year in the
same scope — the place, year and report filters of the query (`in_scope`) — so a county's
share is out of that county's reports, never the whole archive's."""
from __future__ import annotations

from typing import Optional

import numpy as np

from archive.rules import PARTS
from index.snapshot import Snapshot


def count(snap: Snapshot, docs: np.ndarray,
          in_scope: Optional[np.ndarray] = None) -> tuple[dict, dict, int]:
    """(facets, trend, matching reports) of the paragraphs `docs`; the trend's denominators are
    the reports `in_scope` (a boolean per report ordinal; None: every report)."""
    reports = snap.reports
    per_report = np.bincount(snap.pid_report[docs], minlength=len(reports.ids) + 1)[:len(reports.ids)]
    matching = per_report > 0
    facets = {}
    for name in ("year", "town", "county", "genre", "level"):
        codes, values = reports.codes(name)
        counts = np.bincount(codes[:len(reports.ids)], weights=per_report, minlength=len(values))
        facets[name] = _ranked(values, counts)
    parts = np.bincount(snap.pid_part[docs], minlength=len(PARTS) + 1)
    facets["section"] = _ranked(list(PARTS) + [None], parts)
    codes, values = reports.codes("year")
    year_codes = codes[:len(reports.ids)]
    per_year = np.bincount(year_codes[matching], minlength=len(values))
    scoped = reports.live[:len(reports.ids)] if in_scope is None else in_scope[:len(reports.ids)] & reports.live[:len(reports.ids)]
    totals = np.bincount(year_codes[scoped], minlength=len(values))
    trend = {}
    for code in sorted(np.flatnonzero(totals), key=lambda c: values[c] or 0):
        year, total, m = values[code], int(totals[code]), int(per_year[code])
        if year is not None:
            trend[year] = {"reports": total, "matching": m, "share": round(m / total, 4)}
    return facets, trend, int(matching.sum())


def _ranked(values: list, counts: np.ndarray) -> dict:
    """{value: count}, most frequent first; empty values (unknown town, no year) left out."""
    found = [(values[i], int(counts[i])) for i in np.flatnonzero(counts)
             if values[i] not in (None, "")]
    return dict(sorted(found, key=lambda kv: (-kv[1], str(kv[0]))))
