"""OCR accuracy and speed: State Council report pages (public domain, ../shared/corpora) rendered
to A4 at 200 dpi and degraded (bench/scans.py), read by our pipeline (RapidOCR after seal and
bleed-through removal, two one-thread workers) and, for comparison, by the same engine on the raw
image and by Tesseract 5 + chi_sim (when Debian's `tesseract` is installed). Character error
rate per condition, seconds per page. Writes bench/ocr.md; `make bench` calls `run`.

    .venv/bin/python bench/ocr.py [--pages 4] [--dpi 200]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scans  # noqa: E402
from importers import ocr  # noqa: E402
from importers.cleaning.punctuation import fix_punctuation  # noqa: E402
from importers.readers.scan import tidy  # noqa: E402

REPORTS = ROOT.parent / "shared" / "corpora" / "state-council-work-reports-1954-2013.jsonl.gz"
YEARS = (2010, 1984, 2003)     # reports whose opening pages are measured
TARGETS = {"clean": 0.01, "degraded": 0.03, "s_per_page": 5.0}


def pages_of_reports(n_pages: int, dpi: int) -> list[scans.Page]:
    """The first pages of a few reports, as printed (title, body)."""
    rows = [json.loads(line) for line in gzip.open(REPORTS, "rt", encoding="utf-8")]
    out: list[scans.Page] = []
    for year in YEARS:
        row = next(r for r in rows if r["year"] == year)
        paras = [p.strip().replace("\u3000", "") for p in row["text"].split("\n") if p.strip()][1:14]
        out += scans.render(paras, dpi=dpi, title=row["title"])[:2]
        if len(out) >= n_pages:
            break
    return out[:n_pages]


# Full-width digits, letters, % and . (some reports print ５２６ or ６．４％) as ASCII on both
# sides: the engine reads them as ASCII and search folds them alike.
_HALF = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                 *range(0xFF41, 0xFF5B), 0xFF05, 0xFF0E]}


def _normal(text: str) -> str:
    return fix_punctuation(tidy(text.translate(_HALF)))


def ours(images) -> tuple[list[str], float, float]:
    """Our pipeline, pages in parallel on the workers: texts, wall seconds per page, and the
    engine's CPU seconds per page (what the page costs whatever else the machine runs)."""
    start = time.perf_counter()
    with ocr.on_page(lambda done, total: None):
        pages = ocr.recognise_pages(images, list(range(1, len(images) + 1)))
    seconds = (time.perf_counter() - start) / len(images)
    for p in pages:
        if p.error:
            print(f"ocr: {p.error}", flush=True)
    return (["".join(_normal(ln.text) for ln in p.lines) for p in pages], seconds,
            sum(p.cpu_seconds for p in pages) / len(pages))


def raw_engine(images) -> tuple[list[str], float, float]:
    """The same engine on the unprepared image, in this process, one page at a time."""
    import numpy as np

    texts, start, cpu = [], time.perf_counter(), time.process_time()
    for image in images:
        found = ocr.run_engine(np.asarray(image.convert("RGB")))
        texts.append("".join(_normal(t) for _, t, _ in found))
    return (texts, (time.perf_counter() - start) / len(images),
            (time.process_time() - cpu) / len(images))


def tesseract(images) -> tuple[list[str], float, float] | None:
    if not shutil.which("tesseract"):
        return None
    texts, start = [], time.perf_counter()
    cpu = _children_cpu()
    with tempfile.TemporaryDirectory() as tmp:
        for n, image in enumerate(images):
            path = Path(tmp) / f"{n}.png"
            image.save(path)
            out = subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim", "--psm", "6"],
                                 capture_output=True, text=True, timeout=300)
            texts.append("".join(_normal(line) for line in out.stdout.splitlines()))
    return (texts, (time.perf_counter() - start) / len(images),
            (_children_cpu() - cpu) / len(images))


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _print(message: str) -> None:
    print(message, flush=True)


def measure(n_pages: int = 4, dpi: int = 200, log=_print) -> dict:
    if not REPORTS.exists():
        return {"skipped": f"corpus not found at {REPORTS}"}
    pages = pages_of_reports(n_pages, dpi)
    truths = [p.text.translate(_HALF) for p in pages]
    with ocr.on_page(lambda done, total: None):   # both workers started, models loaded
        ocr.recognise_pages([pages[0].image.crop((0, 0, 300, 300)),
                             pages[0].image.crop((300, 300, 600, 600))], [1, 2])
    rows = []
    for condition in scans.CONDITIONS:
        images = [scans.degrade(p.image, condition, back=pages[(i + 1) % len(pages)].image,
                                dpi=dpi, seed=i, anchor=p.anchor) for i, p in enumerate(pages)]
        engines = {"RapidOCR (ours: seal/bleed removal, 2 workers)": ours(images)}
        if condition in ("seal", "bleed", "scan"):
            engines["RapidOCR on the raw image, 1 page at a time"] = raw_engine(images[:1])
        found = tesseract(images[:1])
        if found:
            engines["Tesseract 5 chi_sim (--psm 6), 1 page at a time"] = found
        for engine, (texts, seconds, *cpu) in engines.items():
            cer = sum(scans.cer(t, s) * len(t) for t, s in zip(truths, texts)) / sum(
                len(t) for t in truths[:len(texts)])
            rows.append({"condition": condition, "engine": engine, "pages": len(texts),
                         "cer": round(cer, 4), "s_per_page": round(seconds, 2),
                         "cpu_s_per_page": round(cpu[0], 2) if cpu else None})
            log(f"ocr {condition:6} {engine[:30]:30} CER {cer:.2%}  {seconds:.1f} s/page "
                f"(load {os.getloadavg()[0]:.1f})")
    return {"dpi": dpi, "pages": n_pages, "workers": ocr.WORKERS, "rows": rows,
            "load_average": [round(x, 1) for x in os.getloadavg()], "targets": TARGETS}


def to_markdown(result: dict) -> str:
    if "skipped" in result:
        return f"# OCR\n\nSkipped: {result['skipped']}\n"
    lines = ["# OCR: character error rate and seconds per A4 page", "",
             f"{result['pages']} pages of State Council reports at {result['dpi']} dpi, "
             f"{result['workers']} workers; load average at the end {result['load_average']} "
             "(the machine is shared: seconds are inflated by other work). Targets: CER ≤ 1% "
             "clean, ≤ 3% degraded, ≤ 5 s a page. `scan` = seal + bleed-through + skew + blur "
             "+ JPEG at once.", "",
             "Engine CPU s/page is what a page costs whatever else runs (Tesseract: its process, "
             "which may use both cores); with our two workers on two idle cores a page takes "
             "about half of it.", "",
             "| condition | engine | pages | CER | s/page (wall) | engine CPU s/page |",
             "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        lines.append(f"| {r['condition']} | {r['engine']} | {r['pages']} | {r['cer']:.2%} | "
                     f"{r['s_per_page']} | {r.get('cpu_s_per_page') or '—'} |")
    return "\n".join(lines) + "\n"


def run(out: Path = ROOT / "bench", quick: bool = False, log=_print) -> dict:
    """`make bench`'s OCR part: measure, write ocr.md beside results.md, return the figures."""
    result = measure(2 if quick else 4, log=log)
    (out / "ocr.md").write_text(to_markdown(result), encoding="utf-8")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args()
    result = measure(args.pages, args.dpi)
    (ROOT / "bench" / "ocr.md").write_text(to_markdown(result), encoding="utf-8")
    print(to_markdown(result))
