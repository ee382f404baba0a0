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
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.errors import ImportFailed  # noqa: E402
from archive.script import to_simplified  # noqa: E402
from importers import read_report  # noqa: E402

LABELS = ROOT / "devset" / "labels.jsonl"
TEXT_DIRS = (ROOT / "devset" / "texts", Path("/work/devset-texts"))
# Issue 15's mixed archive: more genres and levels (labels-genre.jsonl, texts outside git) and the
# State Council's work reports 1954–2013 (a shared corpus, read as an office would file them:
# the title on the first line, then the text as the corpus has it, licence footer included).
GENRE_LABELS = ROOT / "devset" / "labels-genre.jsonl"
GENRE_TEXT_DIRS = (ROOT / "devset" / "texts-genre", Path("/work/devtexts/genre/texts"))
STATE_COUNCIL = ROOT.parent / "shared" / "corpora" / "state-council-work-reports-1954-2013.jsonl.gz"
# labels.jsonl predates genre codes: its genre (and genre_note for "other") in archive.rules.GENRES.
OLD_GENRES = {"town_report": "rule_of_law", "county_report": "rule_of_law", "city_report": "rule_of_law",
              "province_report": "rule_of_law"}
NOTE_GENRES = {"解读": "other", "政府工作报告": "work_report", "新闻": "news", "方案": "plan", "述法": "shufa",
               "工作总结": "other"}
RANK = {"town": 0, "county": 1, "city": 2, "province": 3, "national": 4}
GENRE_TARGETS = {"genre right": 95, "level right": 95, "year right": 95}
PLACES = ("town", "county", "city", "province")
ORDER = ("town", "town (other genres)", "no spurious town", "county", "city", "province", "year", "title",
         "untitled marked derived", "title free of furniture", "furniture removed", "starts at report",
         "town report not flagged", "genre", "level", "province (province reports)",
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
    genre = getattr(report, "genre", None) if report else None
    out["genre"] = (genre == genre_of(label), genre_of(label), genre)
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


# ---- genre, level, year and place by genre and level (issue 15) --------------------------------

def genre_of(label: dict) -> str:
    if label["genre"] in OLD_GENRES:
        return OLD_GENRES[label["genre"]]
    return NOTE_GENRES.get(label.get("genre_note") or "", label["genre"])


def mixed_documents(texts: Optional[Path], genre_texts: Optional[Path]) -> list[tuple[dict, bytes, str]]:
    """(label, bytes, file name) of every document with genre labels: the dev set, the genre set,
    and the State Council's reports when the corpus is there."""
    docs = []
    sources = ((load_labels(LABELS), texts), (load_labels(GENRE_LABELS) if GENRE_LABELS.exists() else [], genre_texts))
    for labels, folder in sources:
        for label in labels:
            path = folder / label["file"] if folder else None
            if path and path.exists():
                docs.append(({**label, "genre": genre_of(label), "year": label.get("year_known", label["year"])},
                             path.read_bytes(), label["file"]))
    if STATE_COUNCIL.exists():
        with gzip.open(STATE_COUNCIL, "rt", encoding="utf-8") as stream:
            for row in map(json.loads, stream):
                label = {"file": f"{row['title']}.txt", "genre": "work_report", "level": "national",
                         "year": row["year"], "issuer": "国务院", **dict.fromkeys(PLACES)}
                docs.append((label, f"{row['title']}\n\n{row['text']}".encode("utf-8"), label["file"]))
    return docs


def invented(label: dict, report) -> list[str]:
    """Place fields the document does not have: below the reporting level, or at it when the
    label has none (a national report's province, a county report's town)."""
    level = RANK.get(label.get("level"), 0)
    return [f"{k}={getattr(report.place, k)}" for k in PLACES
            if getattr(report.place, k) and (RANK[k] < level or (RANK[k] == level and not label.get(k)))]


def genre_scores(label: dict, report) -> dict[str, tuple]:
    got = {k: getattr(report.place, k) if report else None for k in PLACES}
    wrong = [k for k in PLACES if label.get(k) and norm(got[k]) != norm(label[k])]
    made_up = invented(label, report) if report else []
    out = {"genre right": (report is not None and report.genre == label["genre"], label["genre"],
                           report.genre if report else None),
           "level right": (report is not None and report.level == label["level"], label["level"],
                           report.level if report else None),
           "place right": (not wrong and not made_up, {k: label.get(k) for k in PLACES}, got),
           "places invented": (not made_up, [], made_up)}
    if label.get("year") is not None:
        out["year right"] = (report is not None and report.year == label["year"], label["year"],
                             report.year if report else None)
    if label.get("town") or label.get("level") == "town":
        out["county given wrongly"] = (not (label.get("county") and got["county"] and norm(got["county"]) != norm(label["county"])),
                                       label.get("county"), got["county"])
    return out


GENRE_FIELDS = ("genre right", "level right", "year right", "place right", "places invented", "county given wrongly")


def measure_mixed(docs: list[tuple[dict, bytes, str]], read=None) -> dict:
    """Per genre and per level: documents, then correct / labelled of each field. `places invented`
    counts documents with none invented; `county given wrongly` those without."""
    read = read or read_report
    tables: dict[str, dict[str, dict]] = {"genre": {}, "level": {}, "all": {}}
    misses = []
    for label, raw, name in docs:
        try:
            report = read(raw, name)
        except ImportFailed:
            report = None
        scored = genre_scores(label, report)
        for table, key in (("genre", label["genre"]), ("level", label["level"]), ("all", "all")):
            row = tables[table].setdefault(key, {"n": 0, **{f: [0, 0] for f in GENRE_FIELDS}})
            row["n"] += 1
            for field, (ok, expected, got) in scored.items():
                row[field][0] += bool(ok)
                row[field][1] += 1
        misses += [{"file": name, "field": f, "expected": e, "got": g} for f, (ok, e, g) in scored.items() if not ok]
    return {"tables": tables, "misses": misses}


def print_mixed(summary: dict, verbose: bool) -> None:
    for table in ("genre", "level", "all"):
        print(f"by {table}:" if table != "all" else "all documents:")
        print(f"  {'':<14}{'n':>4}  " + "  ".join(f"{f:>16}" for f in GENRE_FIELDS))
        for key, row in sorted(summary["tables"][table].items(), key=lambda kv: -kv[1]["n"]):
            cells = []
            for f in GENRE_FIELDS:
                ok, total = row[f]
                cells.append(f"{ok:>4}/{total:<4} {100 * ok / total:5.1f}%" if total else f"{'-':>16}")
            print(f"  {key:<14}{row['n']:>4}  " + "  ".join(f"{c:>16}" for c in cells))
    if verbose:
        for m in summary["misses"]:
            print(f"  ✗ {m['field']:<20} {m['file']}  expected {m['expected']!r}  got {m['got']!r}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Measure the importer against devset/labels.jsonl")
    ap.add_argument("--texts", help="folder with the labelled .txt files (default devset/texts/, then /work/devset-texts/)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every miss with expected vs got")
    ap.add_argument("--only", help="comma-separated file names or numbers to measure (016,033 or 016.txt)")
    ap.add_argument("--show", action="store_true", help="print label and import result side by side")
    ap.add_argument("--genres", action="store_true",
                    help="score genre, level, year and place per genre and level on every labelled document "
                         "(dev set, labels-genre.jsonl, the State Council's reports)")
    args = ap.parse_args(argv)
    if args.genres:
        folder = next((d for d in GENRE_TEXT_DIRS if d.is_dir()), None)
        summary = measure_mixed(mixed_documents(find_texts(args.texts), folder))
        print(json.dumps(summary, ensure_ascii=False, indent=1) if args.json else "", end="")
        if not args.json:
            print_mixed(summary, args.verbose)
        return 0
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
