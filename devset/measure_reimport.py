"""Measure `archive reimport` on an archive built by an older importer: what changed, whether any
citation broke, and the labelled fields right before and after.

    # the archive as an older importer built it (its own code), e.g. the commit before issue 7:
    git worktree add /tmp/old 9010f4b
    PYTHONPATH=/tmp/old .venv/bin/python -m archive --data /tmp/old-data import /work/devset-texts/*.txt
    .venv/bin/python devset/measure_reimport.py /tmp/old-data [--json]

The data folder given is copied (it is left as it is), then reimported with today's code. A
citation is a (report id, paragraph id) of the old archive; it broke when the report no longer
resolves, or when its paragraph's text is still in the new reading but not under that id, or
when the id now names other words.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import workflows  # noqa: E402
from archive.folding import fold  # noqa: E402
from archive.renames import resolve  # noqa: E402
from workflows.reimport import reimport  # noqa: E402

LABELS = ROOT / "devset" / "labels.jsonl"
FIELDS = ("town", "county", "year", "title")


def _labels() -> dict[str, dict]:
    if not LABELS.exists():
        return {}
    rows = (json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip())
    return {row["file"]: row for row in rows}


def _right(report, label: dict, name: str) -> bool:
    return fold(str(report.meta(name) or "")) == fold(str(label.get(name) or ""))


def measure(data_dir: Path, rename: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(shutil.copytree(data_dir, Path(tmp) / "data"))
        archive = workflows.open_archive(data)
        before = {r.id: r for r in archive.reports()}
        done = reimport(archive, workflows.open_index(archive), rename=rename)
        after = {rid: archive.get(resolve(archive, rid)) for rid in before}
    changed = {name: sum(before[rid].meta(name) != after[rid].meta(name) for rid in before)
               for name in FIELDS}
    cited = broken = kept_texts = 0
    for rid, old in before.items():
        new = after[rid]
        texts = {p.text_original for p in new.paragraphs}
        for p in old.paragraphs:
            cited += 1
            now = new.paragraph(p.id)
            if p.text_original in texts:
                kept_texts += 1
                broken += now is None or now.text_original != p.text_original
            elif now is not None and fold(now.text_original) != fold(p.text_original):
                broken += 1  # an old id given to other words
    labels = _labels()
    labelled = [(rid, labels[r.source.path]) for rid, r in before.items() if r.source.path in labels]
    accuracy = {name: {"before": sum(_right(before[rid], label, name) for rid, label in labelled),
                       "after": sum(_right(after[rid], label, name) for rid, label in labelled),
                       "of": len(labelled)} for name in ("town", "county", "year")}
    statuses = ("changed", "unchanged", "failed")
    return {"reports": len(before), "reimported": {s: done.count(s) for s in statuses},
            "changed": changed, "paragraph_ids": {"cited": cited, "text_unchanged": kept_texts,
                                                  "broken": broken},
            "retired": sum(len(o.retired) for o in done.outcomes),
            "new": sum(len(o.new) for o in done.outcomes),
            "index_error": done.index.error, "accuracy": accuracy}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="data folder built by the older importer")
    parser.add_argument("--rename", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.data, args.rename)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"reports {result['reports']}: {result['reimported']}")
    print("changed: " + ", ".join(f"{k} {v}" for k, v in result["changed"].items()))
    ids = result["paragraph_ids"]
    print(f"paragraph ids: {ids['cited']} cited, {ids['text_unchanged']} with unchanged text, "
          f"{ids['broken']} broken; {result['retired']} retired, {result['new']} new (text changed)")
    for name, a in result["accuracy"].items():
        print(f"{name}: {a['before']}/{a['of']} → {a['after']}/{a['of']}")
    return 1 if ids["broken"] or result["index_error"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
