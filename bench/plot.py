"""The growth plot: query time (uncached p50) against archive size, log–log, for our index,
the brute-force scan and FTS5 trigram, from a results.json `bench/run.py` wrote. Plain SVG
(no plotting library), committed as bench/growth.svg.

    .venv/bin/python bench/plot.py [bench/results.json] [bench/growth.svg]
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from xml.sax.saxutils import escape

BENCH = Path(__file__).resolve().parent
W, H, LEFT, RIGHT, TOP, BOTTOM = 760, 440, 70, 250, 40, 50
SERIES = [  # (query label, system, colour, dash)
    ("rare", "ours", "#c0392b", ""), ("rare", "fts5", "#c0392b", "6 4"), ("rare", "scan", "#c0392b", "2 3"),
    # no FTS5 line for the frequent phrase: 应当 has 2 characters, which a trigram index cannot answer
    ("frequent", "ours", "#2c6fbb", ""), ("frequent", "scan", "#2c6fbb", "2 3"),
    ("bare2", "ours", "#2e8b57", ""),
]
NAMES = {"ours": "ours", "fts5": "FTS5 trigram", "scan": "scan"}
LABELS = {"rare": "rare phrase", "frequent": "frequent phrase", "bare2": "bare words 监督 管理"}


def points(results: dict, label: str, system: str) -> list[tuple[float, float]]:
    out = []
    for size in results["sizes"]:
        if not size.get("reports") or size["name"] == "samples":
            continue
        for q in size.get("queries", []):
            if q["label"] == label and (q.get(system) or {}).get("p50_ms") is not None:
                out.append((size["reports"], max(q[system]["p50_ms"], 0.01)))
    return sorted(out)


def svg(results: dict) -> str:
    series = [(label, system, colour, dash, points(results, label, system))
              for label, system, colour, dash in SERIES]
    series = [s for s in series if len(s[4]) >= 2]
    xs = [x for *_, pts in series for x, _ in pts] or [1, 10]
    ys = [y for *_, pts in series for _, y in pts] or [1, 10]
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)

    def px(x):
        return LEFT + (math.log10(x) - x0) / (x1 - x0) * (W - LEFT - RIGHT)

    def py(y):
        return H - BOTTOM - (math.log10(y) - y0) / (y1 - y0) * (H - TOP - BOTTOM)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" '
           f'font-size="12"><rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{LEFT}" y="22" font-size="14">Query time (uncached p50) vs archive size, log–log</text>']
    for e in range(x0, x1 + 1):
        out.append(f'<line x1="{px(10 ** e):.1f}" y1="{TOP}" x2="{px(10 ** e):.1f}" y2="{H - BOTTOM}" stroke="#ddd"/>'
                   f'<text x="{px(10 ** e):.1f}" y="{H - BOTTOM + 16}" text-anchor="middle">{10 ** e:,}</text>')
    for e in range(y0, y1 + 1):
        value = f"{10.0 ** e:g} ms"
        out.append(f'<line x1="{LEFT}" y1="{py(10 ** e):.1f}" x2="{W - RIGHT}" y2="{py(10 ** e):.1f}" stroke="#ddd"/>'
                   f'<text x="{LEFT - 6}" y="{py(10 ** e) + 4:.1f}" text-anchor="end">{value}</text>')
    out.append(f'<text x="{(LEFT + W - RIGHT) / 2}" y="{H - 12}" text-anchor="middle">reports in the archive</text>')
    for k, (label, system, colour, dash, pts) in enumerate(series):
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
                   f'stroke-dasharray="{dash}"/>')
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>' for x, y in pts]
        ly = TOP + 10 + 18 * k
        out.append(f'<line x1="{W - RIGHT + 12}" y1="{ly}" x2="{W - RIGHT + 40}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="2" stroke-dasharray="{dash}"/><text x="{W - RIGHT + 46}" y="{ly + 4}">'
                   f'{escape(LABELS[label])}: {NAMES[system]}</text>')
    load = results.get("meta", {}).get("load_average_at_start")
    if load:
        out.append(f'<text x="{W - RIGHT + 12}" y="{H - BOTTOM}" fill="#555">load average at start '
                   f'{load[0]:.1f}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else BENCH / "results.json"
    target = Path(argv[1]) if len(argv) > 1 else BENCH / "growth.svg"
    target.write_text(svg(json.loads(source.read_text(encoding="utf-8"))), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
