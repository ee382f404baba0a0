"""Targets (PASS/MISS) and the Markdown rendering of a results dict (the shape `run.py` writes
to bench/results.json)."""
from __future__ import annotations

from typing import Any, Optional

QUERY_P95_MS = 100
SYNTH_P95_MS = 200
RSS_MB = 400
SCAN_RATIO, SCAN_FLOOR_MS = 2.0, 20.0   # every query ≤ 2× the scan, or ≤ 20 ms
FTS5_RATIO = 10.0                        # a rare phrase ≤ 10× FTS5 trigram


def _max_p95(size: dict) -> Optional[float]:
    p95s = [q["ours"]["p95_ms"] for q in size.get("queries", []) if q.get("ours")]
    return max(p95s) if p95s else None


def _max_page_p95(size: dict) -> Optional[float]:
    pages = [p["p95_ms"] for p in (size.get("pages") or {}).values() if "p95_ms" in p]
    return max(pages) if pages else None


def _worst_scan_ratio(size: dict) -> Optional[float]:
    """max over phrase queries of ours p95 / max(2 × scan p95, 20 ms): ≤ 1 passes."""
    ratios = [q["ours"]["p95_ms"] / max(SCAN_RATIO * q["scan"]["p95_ms"], SCAN_FLOOR_MS)
              for q in size.get("queries", []) if q.get("ours") and q.get("scan")]
    return round(max(ratios), 2) if ratios else None


def targets(results: dict) -> list[dict[str, Any]]:
    """Every target the brief sets, checked against the figures measured; a figure that
    could not be measured is listed as `n/a` rather than passed."""
    sizes = {s["name"]: s for s in results["sizes"]}
    real = [s for s in results["sizes"] if not s.get("synthetic")]
    synth = [s for s in results["sizes"] if s.get("synthetic")]
    largest_real = real[-1] if real else {}
    out: list[dict[str, Any]] = []

    def add(name: str, value: Optional[float], limit: float, unit: str, higher: bool = False):
        status = "n/a" if value is None else (
            "PASS" if (value >= limit if higher else value <= limit) else "MISS")
        out.append({"target": name, "value": value, "limit": limit, "unit": unit,
                    "status": status})

    laws = sizes.get("laws")
    add("laws corpus import+index throughput", laws.get("mb_per_s") if laws else None,
        1.0, "MB/s", higher=True)
    for s in real:
        add(f"every query p95 ({s['name']})", _max_p95(s), QUERY_P95_MS, "ms")
    for s in synth:
        add(f"every query p95 ({s['name']})", _max_p95(s), SYNTH_P95_MS, "ms")
    add("new report findable", largest_real.get("freshness_s"), 2.0, "s")
    add(f"server start → first search answered ({largest_real.get('name', '')}, load "
        f"{largest_real.get('startup_load', 0):.1f})", largest_real.get("startup_first_search_s"), 1.5, "s")
    add("server start → first search answered, CPU seconds (user+sys, whatever the load)",
        largest_real.get("startup_first_search_cpu_s"), 1.5, "s")
    add("first bare-word search once the server listens",
        largest_real.get("startup_first_word_search_ms"), 300, "ms")
    biggest = max(results["sizes"], key=lambda s: s["paragraphs"], default={})
    add(f"search process peak RSS ({biggest.get('name', 'largest index')})",
        biggest.get("rss_mb"), RSS_MB, "MB")
    for s in results["sizes"]:
        if s["name"] == "samples":
            continue
        worst = _worst_scan_ratio(s)
        if worst is not None:
            add(f"every phrase ≤ {SCAN_RATIO:g}× scan or ≤ {SCAN_FLOOR_MS:g} ms ({s['name']}; "
                f"worst ours/allowed)", worst, 1.0, "×")
        rare = next((q for q in s.get("queries", []) if q["label"] == "rare"), None)
        if rare and rare.get("ours") and rare.get("fts5"):
            add(f"rare phrase vs FTS5 trigram ({s['name']})",
                round(rare["ours"]["p50_ms"] / max(rare["fts5"]["p50_ms"], 0.01), 1), FTS5_RATIO, "×")
    add("every page p95", _max_page_p95(largest_real), 150, "ms")
    add(f"reuse (查重) of one report, slowest of a sample ({largest_real.get('name', 'largest')})",
        (largest_real.get("reuse") or {}).get("report_max_s"), 2.0, "s")
    for s in results["sizes"]:
        recalls = [p["ours_recall"] for p in s.get("phrases", {}).values()
                   if p.get("ours_recall") is not None]
        add(f"phrase recall vs scan ({s['name']})", min(recalls) if recalls else None,
            1.0, "", higher=True)
    return out


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(ours: Optional[float], other: Optional[float]) -> str:
    if ours is None or not other:
        return "—"
    return f"{ours / other:.2f}×"


def to_markdown(results: dict) -> str:
    """The results as Markdown tables: one block per corpus size, then the targets."""
    meta = results["meta"]
    lines = ["# `make bench` results", "",
             f"Run {meta['date']} on {meta['cpus']} CPUs, Python {meta['python']}"
             f"{' (--quick)' if meta.get('quick') else ''}, {meta.get('total_s')} s in all. "
             f"Load average (1/5/15 min) at start {meta.get('load_average_at_start')}, "
             f"at end {meta.get('load_average_at_end')}: the machine is shared, so "
             f"other work running at the same time inflates the figures.", ""]
    lines += [f"- {note}" for note in meta.get("notes", [])] + [""]
    lines += ["## Build", "",
              "| corpus | reports | paragraphs | text MB | built by | import s | index s | "
              "MB/s | index MB | FTS5 build s / MB | jieba build s / MB | files imported |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in results["sizes"]:
        b = s.get("baselines", {})
        fts, jb = b.get("fts5") or {}, b.get("jieba") or {}
        lines.append(
            f"| {s['name']} | {s['reports']} | {s['paragraphs']} | {_fmt(s['text_mb'], 2)} | "
            f"{s['built_by']} | {_fmt(s.get('import_s'))} | {_fmt(s.get('index_s'))} | "
            f"{_fmt(s.get('mb_per_s'), 3)} | {_fmt(s.get('index_mb'))} | "
            f"{_fmt(fts.get('build_s'))} / {_fmt(fts.get('size_mb'))} | "
            f"{_fmt(jb.get('build_s'))} / {_fmt(jb.get('size_mb'))} | "
            + (", ".join(f"{k} {v}" for k, v in s["statuses"].items()) if s.get("statuses")
               else "—") + " |")
    for s in results["sizes"]:
        lines += ["", f"## {s['name']}: phrase recall (paragraphs found / scan oracle)", "",
                  "| phrase | share of paragraphs | oracle | ours | FTS5 trigram | jieba Whoosh |",
                  "|---|---|---|---|---|---|"]
        for label, p in s.get("phrases", {}).items():
            lines.append(
                f"| {label} 「{p['phrase']}」 | {p['share']:.1%} | {p['oracle']} | "
                + " | ".join(f"{_fmt(p.get(k))} ({_fmt(p.get(k + '_recall'), 3)})"
                             for k in ("ours", "fts5", "jieba")) + " |")
        lines += ["", f"## {s['name']}: query latency, page 1 of 20 with facets, trend and "
                      f"highlights (ms; uncached = index caches dropped before each run; "
                      f"ratios are ours uncached ÷ baseline p50)", "",
                  f"First search of a newly opened index (loads it): {_fmt(s.get('open_ms'))} ms", "",
                  "| query | hits | first run | uncached p50 | p95 | max | cached p50 | "
                  "scan p50 | FTS5 p50 | jieba p50 |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for q in s.get("queries", []):
            o, c = q.get("ours") or {}, q.get("cached") or {}
            base = []
            for k in ("scan", "fts5", "jieba"):
                b = q.get(k)
                base.append("—" if not b else
                            f"{_fmt(b['p50_ms'], 2)} ({_ratio(o.get('p50_ms'), b['p50_ms'])})")
            lines.append(
                f"| {q['label']}: `{q['shown']}` | {_fmt(q.get('hits'))} | "
                f"{_fmt(c.get('cold_ms'))} | {_fmt(o.get('p50_ms'))} | {_fmt(o.get('p95_ms'))} | "
                f"{_fmt(o.get('max_ms'))} | {_fmt(c.get('p50_ms'))} | " + " | ".join(base) + " |"
                + (f" error: {q['error']}" if q.get("error") else ""))
        if s.get("freshness_s") is not None:
            lines += ["", f"New report import → findable in another SearchIndex: "
                          f"{s['freshness_s']:.2f} s ({s.get('freshness_detail', '')})"]
        if s.get("rss_mb") is not None or s.get("rss_error"):
            lines += ["", f"Peak RSS of a search process holding this index and running the mix: "
                          f"{_fmt(s.get('rss_mb'))} MB {s.get('rss_error', '')}"]
        if s.get("pages"):
            lines += ["", "| page | status | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
            for url, p in s["pages"].items():
                lines.append(f"| `{url}` | {p.get('status', '—')} | {_fmt(p.get('p50_ms'))} | "
                             f"{_fmt(p.get('p95_ms'))} | {_fmt(p.get('max_ms'))} |")
    lines += ["", "## Targets", "", "| target | value | limit | status |", "|---|---|---|---|"]
    for t in results["targets"]:
        lines.append(f"| {t['target']} | {_fmt(t['value'], 3)} {t['unit']} | "
                     f"{t['limit']} {t['unit']} | {t['status']} |")
    return "\n".join(lines) + "\n"
