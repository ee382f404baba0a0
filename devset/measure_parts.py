"""Measure `importers.parts` (problems and plans found where no heading names them): per part,
how many paragraphs each report set has with and without it, and which paragraphs change.

    .venv/bin/python devset/measure_parts.py [--show N] [--json]

Sets: the State Council reports 1997–2013 (../shared/corpora, when present), the bundled
samples, and the real town reports of /work/devset-texts (when present; third-party, never in
git). Without `refine` = the parts `importers.sections` gave before.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.errors import ImportFailed  # noqa: E402
from importers import read_report  # noqa: E402

STATE_COUNCIL = ROOT.parent / "shared" / "corpora" / "state-council-work-reports-1954-2013.jsonl.gz"
TOWN_TEXTS = Path("/work/devset-texts")


def texts() -> dict[str, list[tuple[str, bytes]]]:
    sets: dict[str, list[tuple[str, bytes]]] = {}
    if STATE_COUNCIL.is_file():
        with gzip.open(STATE_COUNCIL, "rt", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        sets["state-council 1997–2013"] = [(f"{r['title']}.txt", r["text"].encode("utf-8"))
                                           for r in rows if r["year"] >= 1997]
    sets["samples"] = [(p.name, p.read_bytes()) for p in sorted((ROOT / "samples").glob("*.txt"))]
    if TOWN_TEXTS.is_dir():
        sets["town reports (devset)"] = [(p.name, p.read_bytes()) for p in sorted(TOWN_TEXTS.iterdir())
                                         if p.is_file()]
    return sets


def parts_of(name: str, data: bytes, refined: bool) -> list[tuple[str, str, str]]:
    try:
        if refined:
            report = read_report(data, name)
        else:
            with mock.patch("importers.sections.refine_parts", lambda paragraphs: paragraphs):
                report = read_report(data, name)
    except ImportFailed:
        return []
    return [(p.id, p.part, p.text) for p in report.paragraphs if p.kind == "text"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", type=int, default=0, help="print N changed paragraphs per set")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = {}
    for label, files in texts().items():
        before, after, moves, shown = Counter(), Counter(), Counter(), []
        for name, data in files:
            old, new = parts_of(name, data, False), parts_of(name, data, True)
            for (pid, a, text), (_, b, _) in zip(old, new):
                before[a] += 1
                after[b] += 1
                if a != b:
                    moves[f"{a}→{b}"] += 1
                    shown.append(f"  [{a}→{b}] {name[:24]} §{pid}: {text[:70]}")
        result[label] = {"reports": len(files), "before": dict(before), "after": dict(after),
                         "changed": dict(moves)}
        if not args.json:
            print(f"{label}: {len(files)} reports, body paragraphs per part before → after:")
            for part in ("intro", "work", "problems", "plans", "closing"):
                print(f"  {part:9} {before[part]:5} → {after[part]:5}")
            print("  changed: " + (", ".join(f"{k} {v}" for k, v in moves.most_common()) or "none"))
            print("\n".join(shown[:args.show]))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
