"""Text reuse (查重) speed on a built archive: `analysis.reuse.report_reuse` for a sample of
reports (each on a fresh cache: what the first view of a report costs), and county-wide figures: 100
reports one after another (a county of 20 towns × 5 years, as the county view computes them),
and `county_reuse` over the county with most town reports when the archive names counties."""
from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

SAMPLE = 30
COUNTY = 100


def measure_reuse(data_dir: Path, sample: int = SAMPLE) -> dict:
    import workflows
    from analysis import reuse
    from analysis.summaries import rows

    archive = workflows.open_archive(data_dir)
    index = workflows.open_index(archive)
    ids = sorted(r["id"] for r in rows(archive))
    chosen = random.Random(18).sample(ids, min(sample, len(ids)))
    times, shares = [], []
    for rid in chosen:
        reuse._cache.clear()
        started = time.perf_counter()
        found = reuse.report_reuse(archive, index, rid)
        times.append(time.perf_counter() - started)
        shares.append(found.share)
    times.sort()
    out = {"reports": len(ids), "sampled": len(chosen),
           "report_p50_s": round(times[len(times) // 2], 3),
           "report_p95_s": round(times[min(len(times) - 1, int(0.95 * len(times)))], 3),
           "report_max_s": round(times[-1], 3),
           "mean_share": round(sum(shares) / len(shares), 4) if shares else 0.0}
    # a county's worth of reports (20 towns × 5 years), each computed as the county view does
    batch = random.Random(7).sample(ids, min(COUNTY, len(ids)))
    reuse._cache.clear()
    started = time.perf_counter()
    for rid in batch:
        reuse.report_reuse(archive, index, rid)
    out.update(county_size=len(batch), county_size_s=round(time.perf_counter() - started, 2))
    counties = Counter(r["county"] for r in rows(archive) if r["county"] and r["town"])
    if counties:
        county, n = counties.most_common(1)[0]
        reuse._cache.clear()
        started = time.perf_counter()
        pairs = reuse.county_reuse(archive, index, county)
        out.update(county=county, county_reports=n, county_s=round(time.perf_counter() - started, 2),
                   county_rows=len(pairs))
    return out
