"""Counting a doc set: facets (year, town, county, genre, level, section) and the per-year trend, with
`numpy.bincount` over the paragraph → report → value maps of a snapshot (no Python per hit)."""
from __future__ import annotations

import numpy as np

from archive.rules import PARTS
from index.snapshot import Snapshot


def count(snap: Snapshot, docs: np.ndarray) -> tuple[dict, dict, int]:
    """(facets, trend, matching reports) of the paragraphs `docs`."""
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
    per_year = np.bincount(codes[:len(reports.ids)][matching], minlength=len(values))
    trend = {}
    for year, total in sorted(snap.reports_per_year.items()):
        m = int(per_year[values.index(year)])
        trend[year] = {"reports": total, "matching": m, "share": round(m / total, 4)}
    return facets, trend, int(matching.sum())


def _ranked(values: list, counts: np.ndarray) -> dict:
    """{value: count}, most frequent first; empty values (unknown town, no year) left out."""
    found = [(values[i], int(counts[i])) for i in np.flatnonzero(counts)
             if values[i] not in (None, "")]
    return dict(sorted(found, key=lambda kv: (-kv[1], str(kv[0]))))
