"""Measure the importer against the labelled development set of real reports.

    .venv/bin/python devset/measure.py [--texts DIR] [--json] [--verbose]

Each labelled text (devset/labels.jsonl; the texts themselves are third-party and live outside git,
in devset/texts/ or /work/devset-texts/) is imported with `importers.read_report` and compared with
its labels, field by field. Prints correct / labelled and the percentage per field; --verbose lists
every miss with expected vs got; --json prints the same as one JSON object. Exits 0 when the texts
folder is absent (nothing to measure), so it is safe to run anywhere.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.errors import ImportFailed  # noqa: E402
from archive.script import to_simplified  # noqa: E402
from importers import read_report  # noqa: E402

LABELS = ROOT / "devset" / "labels.jsonl"
TEXT_DIRS = (ROOT / "devset" / "texts", Path("/work/devset-texts"))
PLACES = ("town", "county", "city", "province")
ORDER = ("town", "town (other genres)", "no spurious town", "county", "city", "province", "year", "title",
         "untitled marked derived", "title free of furniture", "furniture removed", "starts at report",
         "town report not flagged", "other genre flagged", "level", "level (province reports)")
SHORT = 6   # a furniture line shorter than this (normalised) counts only in a short paragraph
SHORT_PARAGRAPH = 30


def norm(text) -> str:
    """Compare text the way a reader would: simplified script, NFKC widths, no whitespace."""
    if text is None:
        return ""
    return "".join(to_simplified(unicodedata.normalize("NFKC", str(text))).split())


def survives(line: str, texts: list[str]) -> bool:
    """Does a furniture line survive in any of `texts` (already normalised)?

    A long line counts wherever it appears (also glued into a neighbour); a short widget word such
    as 打印 only when it is (nearly) a paragraph of its own, so prose that uses the word is no hit.
    """
    f = norm(line)
    if not f:
        return False
    if len(f) >= SHORT:
        return any(f in t for t in texts)
    return any(t == f or (f in t and len(t) < SHORT_PARAGRAPH) for t in texts)


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def find_texts(given: str | None) -> Path | None:
    candidates = [Path(given)] if given else list(TEXT_DIRS)
    return next((d for d in candidates if d.is_dir() and any(d.glob("*.txt"))), None)


def score(label: dict, report) -> dict[str, tuple]:
    """field → (ok, expected, got) for every field this label measures; `report` None = import failed."""
    out: dict[str, tuple] = {}
    place = report.place if report else None
    got = {k: getattr(place, k, None) for k in PLACES} if place else dict.fromkeys(PLACES)
    town_report = label["genre"] == "town_report"
    for k in PLACES:
        if label.get(k):
            name = "town (other genres)" if k == "town" and not town_report else k
            out[name] = (norm(got[k]) == norm(label[k]), label[k], got[k])
    if not label.get("town") and got["town"]:
        out["no spurious town"] = (False, None, got["town"])
    elif not label.get("town"):
        out["no spurious town"] = (True, None, None)
    if label.get("year") is not None:
        year = report.year if report else None
        out["year"] = (year == label["year"], label["year"], year)

    title = report.title if report else None
    derived = bool(report and report.title_derived)
    if label.get("title"):
        wanted = {norm(t) for t in [label["title"], *label.get("title_alt", [])]}
        out["title"] = (norm(title) in wanted and not derived, label["title"], title)
    elif report:
        out["untitled marked derived"] = (derived or not title, None, title)
    furniture = label.get("furniture", [])
    out["title free of furniture"] = (not [f for f in furniture if survives(f, [norm(title)])], None, title)

    paragraphs = [norm(p.text_original) for p in report.paragraphs] if report else []
    if furniture:
        left = [f for f in furniture if survives(f, paragraphs + [norm(title)])]
        out["furniture removed"] = (not left, [], left)
    first = norm(label["first_content"])[:10]
    starts = [norm(title)] + paragraphs[:1]
    out["starts at report"] = (bool(report) and any(s.startswith(first) for s in starts), label["first_content"],
                               paragraphs[0][:30] if paragraphs else None)

    flagged = bool(report and "genre_doubt" in report.flags)
    if town_report:
        out["town report not flagged"] = (not flagged, False, flagged)
    else:
        out["other genre flagged"] = (flagged, True, flagged)
    level = getattr(report, "level", None) if report else None
    if label["genre"] == "province_report":
        out["level (province reports)"] = (level == "province", "province", level)
    if label.get("level"):
        out["level"] = (level == label["level"], label["level"], level)
    return out


def measure(labels: list[dict], texts: Path) -> dict:
    results, missing, failed, label_problems = [], [], [], []
    for label in labels:
        path = texts / label["file"]
        if not path.exists():
            missing.append(label["file"])
            continue
        raw = path.read_bytes()
        text = raw.decode("utf-8", "replace")
        label_problems += [f"{label['file']}: furniture not in text: {f}" for f in label.get("furniture", [])
                           if f not in text]
        try:
            report = read_report(raw, label["file"])
        except ImportFailed as exc:
            report = None
            failed.append(f"{label['file']}: {exc}")
        results.append((label, score(label, report), report))
    fields: dict[str, dict] = {name: {"correct": 0, "total": 0, "misses": []} for name in ORDER}
    for label, scored, _ in results:
        for name, (ok, expected, got) in scored.items():
            f = fields[name]
            f["total"] += 1
            f["correct"] += bool(ok)
            if not ok:
                f["misses"].append({"file": label["file"], "expected": expected, "got": got})
    surviving = sum(len(m["got"]) for m in fields.get("furniture removed", {}).get("misses", []))
    labelled = sum(len(label.get("furniture", [])) for label, _, _ in results)
    return {"texts": str(texts), "docs": len(results), "missing": missing, "import_failed": failed,
            "label_problems": label_problems, "furniture_lines": {"labelled": labelled, "surviving": surviving},
            "fields": {k: v for k, v in fields.items() if v["total"]}}


def print_summary(summary: dict, verbose: bool) -> None:
    print(f"{summary['docs']} documents from {summary['texts']}")
    for name, f in summary["fields"].items():
        pct = 100.0 * f["correct"] / f["total"] if f["total"] else 0.0
        print(f"  {name:<26} {f['correct']:>4} / {f['total']:<4} {pct:5.1f}%")
    fl = summary["furniture_lines"]
    print(f"  furniture lines surviving  {fl['surviving']} of {fl['labelled']} labelled")
    for key in ("missing", "import_failed", "label_problems"):
        if summary[key]:
            print(f"  {key}: {len(summary[key])}" + "".join(f"\n    {x}" for x in summary[key]))
    if verbose:
        for name, f in summary["fields"].items():
            for m in f["misses"]:
                print(f"  ✗ {name:<24} {m['file']}  expected {m['expected']!r}  got {m['got']!r}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Measure the importer against devset/labels.jsonl")
    ap.add_argument("--texts", help="folder with the labelled .txt files (default devset/texts/, then /work/devset-texts/)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every miss with expected vs got")
    args = ap.parse_args(argv)
    texts = find_texts(args.texts)
    if texts is None:
        where = args.texts or "devset/texts/ or /work/devset-texts/"
        print(f"devset: no texts folder with .txt files found ({where}): nothing measured")
        return 0
    summary = measure(load_labels(), texts)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print_summary(summary, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
