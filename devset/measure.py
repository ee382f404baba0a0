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
import re
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
         "town report not flagged", "other genre flagged", "level", "province (province reports)",
         "level (province reports)")
# Issue 7's targets on reports the project has never seen (percent correct).
TARGETS = {"town": 95, "county": 90, "year": 95, "title free of furniture": 100, "furniture removed": 100,
           "province (province reports)": 100}
# Mirror sites gloss characters with pinyin, 鎮(zhèn): never content, dropped before comparing.
PINYIN_GLOSS = re.compile(r"(?<=[\u3400-\u9fff])\([a-z\u00e0-\u01dc]{1,7}\)")


def norm(text) -> str:
    """Compare text the way a reader would: simplified script, NFKC widths, no glosses, no whitespace."""
    if text is None:
        return ""
    text = PINYIN_GLOSS.sub("", unicodedata.normalize("NFKC", str(text)))
    return "".join(to_simplified(text).split())


def letters(text) -> str:
    """`norm` without punctuation: where the report starts, 县委依法治县办: and 县委依法治县办 are the same."""
    return re.sub(r"[\W_]", "", norm(text))


def occurrences(line: str, texts: list[str]) -> int:
    f = norm(line)
    return sum(t.count(f) for t in texts) if f else 0


def surviving(furniture: list[str], output: list[str], content: list[str]) -> list[str]:
    """The furniture lines that occur more often in `output` than in the report's own `content`.

    Counting (rather than looking for the line anywhere) keeps a furniture line that is also part of
    the report - a site header 蒙城县许疃镇 inside the title 中共蒙城县许疃镇委员会… - from counting as
    left over, while a widget word glued to a neighbouring line still counts. `output` and `content`
    are normalised texts.
    """
    output, left = list(output), []
    for f in sorted(furniture, key=lambda x: -len(norm(x))):  # longest first: a surviving breadcrumb
        if occurrences(f, output) > occurrences(f, content):  # must not make 蒙城县许疃镇 inside it count too
            left.append(f)
            output = [t.replace(norm(f), "") for t in output]
    return [f for f in furniture if f in left]


def content_lines(text: str, furniture: list[str]) -> list[str]:
    """The text's lines without the labelled furniture, normalised.

    Furniture is labelled as whole lines, except on pages without line breaks, where a watermark is
    labelled as the exact substring: those are cut out of the lines that carry them.
    """
    lines = [norm(x) for x in text.splitlines()]
    whole = {norm(f) for f in furniture} & set(lines)
    inside = [norm(f) for f in furniture if norm(f) not in whole and norm(f)]
    out = []
    for line in lines:
        if line and line not in whole:
            for f in inside:
                line = line.replace(f, "")
            out.append(line)
    return out


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def find_texts(given: str | None) -> Path | None:
    candidates = [Path(given)] if given else list(TEXT_DIRS)
    return next((d for d in candidates if d.is_dir() and any(d.glob("*.txt"))), None)


def score(label: dict, report, text: str) -> dict[str, tuple]:
    """field → (ok, expected, got) for every field this label measures; `report` None = import failed.

    `text` is the labelled text itself: furniture is judged against the report's own content.
    """
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
    titles = [label["title"], *label.get("title_alt", [])] if label.get("title") else []
    if titles:
        out["title"] = (norm(title) in {norm(t) for t in titles} and not derived, label["title"], title)
    elif report:
        out["untitled marked derived"] = (derived or not title, None, title)
    furniture = label.get("furniture", [])
    # a furniture line may be part of the right title (蒙城县许疃镇 in 中共蒙城县许疃镇委员会…): only excess counts
    in_title = [f for f in furniture
                if occurrences(f, [norm(title)]) > max((occurrences(f, [norm(t)]) for t in titles), default=0)]
    out["title free of furniture"] = (not in_title, [], in_title)

    paragraphs = [norm(p.text_original) for p in report.paragraphs] if report else []
    if furniture:
        left = surviving(furniture, paragraphs, content_lines(text, furniture))
        out["furniture removed"] = (not left, [], left)
    first = letters(label["first_content"])[:8]
    starts = [letters(x) for x in (title, getattr(report, "addressee", None), getattr(report, "doc_number", None))]
    out["starts at report"] = (bool(report) and any(s.startswith(first) for s in starts + [letters(x) for x in paragraphs[:1]] if s),
                               label["first_content"], paragraphs[0][:30] if paragraphs else None)

    flagged = bool(report and "genre_doubt" in report.flags)
    if town_report:
        out["town report not flagged"] = (not flagged, False, flagged)
    else:
        out["other genre flagged"] = (flagged, True, flagged)
    level = getattr(report, "level", None) if report else None
    if label["genre"] == "province_report":
        out["province (province reports)"] = (norm(got["province"]) == norm(label["province"]),
                                              label["province"], got["province"])
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
        results.append((label, score(label, report, text), report))
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
        target = TARGETS.get(name)
        mark = f"   target {target}% {'met' if pct >= target else 'not met'}" if target else ""
        print(f"  {name:<28} {f['correct']:>4} / {f['total']:<4} {pct:5.1f}%{mark}")
    fl = summary["furniture_lines"]
    print(f"  furniture lines surviving    {fl['surviving']} of {fl['labelled']} labelled")
    for key in ("missing", "import_failed", "label_problems"):
        if summary[key]:
            print(f"  {key}: {len(summary[key])}" + "".join(f"\n    {x}" for x in summary[key]))
    if verbose:
        for name, f in summary["fields"].items():
            for m in f["misses"]:
                print(f"  ✗ {name:<26} {m['file']}  expected {m['expected']!r}  got {m['got']!r}")


def show(labels: list[dict], texts: Path) -> None:
    """Label next to what the importer made of the text, for looking at single documents."""
    for label in labels:
        print(f"== {label['file']}  {label['genre']}  {label['url']}")
        print(f"   label: {label['title']!r} | {label['town']} {label['county']} {label['city']} "
              f"{label['province']} | {label['year']}")
        try:
            r = read_report((texts / label["file"]).read_bytes(), label["file"])
        except (ImportFailed, OSError) as exc:
            print(f"   import failed: {exc}")
            continue
        print(f"   got:   {r.title!r}{' (derived)' if r.title_derived else ''} | {r.place.town} {r.place.county} "
              f"{r.place.city} {r.place.province} | {r.year} | flags {r.flags}")
        for p in r.paragraphs[:8]:
            print(f"     {p.part:<8} {p.kind:<7} {p.text[:60]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Measure the importer against devset/labels.jsonl")
    ap.add_argument("--texts", help="folder with the labelled .txt files (default devset/texts/, then /work/devset-texts/)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every miss with expected vs got")
    ap.add_argument("--only", help="comma-separated file names or numbers to measure (016,033 or 016.txt)")
    ap.add_argument("--show", action="store_true", help="print label and import result side by side")
    args = ap.parse_args(argv)
    texts = find_texts(args.texts)
    if texts is None:
        where = args.texts or "devset/texts/ or /work/devset-texts/"
        print(f"devset: no texts folder with .txt files found ({where}): nothing measured")
        return 0
    labels = load_labels()
    if args.only:
        names = (x.strip().removesuffix(".txt") for x in args.only.split(",") if x.strip())
        wanted = {x.zfill(3) if x.isdigit() else x for x in names}
        labels = [x for x in labels if x["file"].removesuffix(".txt") in wanted]
    if args.show:
        show(labels, texts)
        return 0
    summary = measure(labels, texts)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print_summary(summary, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
