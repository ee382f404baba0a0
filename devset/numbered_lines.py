"""How many numbered lines of real texts are headings and how many are list items of content
(issue 14, item 2), before and after `importers.sections.content_items`.

Before: every numbered line whose number runs in sequence was a heading. After: what the
importer stores now. Run from the repository root:

    .venv/bin/python devset/numbered_lines.py [--laws N]

Sources (each skipped when absent): the samples (`samples/`), the real report pages of this
development set (`devset/texts/`, and `/work/devtexts/find/*.txt`), the laws corpus and the
state-council work reports (`../shared/corpora/`). Prints one row per source and the lines that
changed kind in the report pages, for reading.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from importers import read_report  # noqa: E402
from importers.markers import match_marker  # noqa: E402

CORPORA = ROOT / "../shared/corpora"


def numbered(report):
    """(numbered paragraphs that are headings, that are content items, their texts)."""
    heads, items = 0, []
    for p in report.paragraphs:
        if p.part == "closing" or match_marker(p.text) is None or p.id.split(".")[-1].isdigit():
            continue  # not a numbered line the sectioner accepted (text paragraphs end in .N)
        if p.kind == "heading":
            heads += 1
        else:
            items.append(p.text)
    return heads, items


def texts(source: str, laws: int):
    if source == "samples":
        for path in sorted((ROOT / "samples").glob("*.txt")):
            yield path.name, path.read_bytes(), path.name
    elif source == "pages":
        folders = [ROOT / "devset" / "texts", Path("/work/devset-texts"), Path("/work/devtexts/find")]
        seen = set()
        for folder in folders:
            for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
                if path.resolve() not in seen:
                    seen.add(path.resolve())
                    yield str(path), path.read_bytes(), path.name
    else:
        name = {"laws": "laws.jsonl.gz", "state-council": "state-council-work-reports-1954-2013.jsonl.gz"}[source]
        path = CORPORA / name
        if not path.exists():
            return
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f):
                if source == "laws" and n >= laws:
                    break
                d = json.loads(line)
                yield d.get("title", str(n)), d["text"].encode("utf-8"), "doc.md" if source == "laws" else "doc.txt"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--laws", type=int, default=1500)
    ap.add_argument("--show", action="store_true", help="print the report pages' content items")
    args = ap.parse_args()
    print(f"{'source':14} {'texts':>6} {'numbered':>9} {'headings':>9} {'items':>7} {'changed':>8}")
    for source in ("samples", "pages", "laws", "state-council"):
        docs = total = heads = changed = 0
        shown = []
        for name, data, filename in texts(source, args.laws):
            try:
                report = read_report(data, filename)
            except Exception:  # noqa: BLE001 — a text the importer refuses counts nothing
                continue
            h, items = numbered(report)
            docs += 1
            total += h + len(items)
            heads += h
            changed += len(items)  # before: every numbered line was a heading
            shown += [(name, t) for t in items]
        print(f"{source:14} {docs:>6} {total:>9} {heads:>9} {total - heads:>7} {changed:>8}")
        if args.show and source in ("samples", "pages"):
            for name, text in shown:
                print(f"    {Path(name).name}: {text[:70]}")


if __name__ == "__main__":
    main()
