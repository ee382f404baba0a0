"""`make bench`: build the archive at several corpus sizes and measure it against three
baselines on the same paragraphs. Writes bench/results.json and bench/results.md.
See bench/README.md for what is measured and how.

    .venv/bin/python bench/run.py                   # the full run (~10 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick           # samples, 300 laws, 2,000 synthetic
    .venv/bin/python bench/run.py --sizes samples,laws300 --repeat 5
"""
from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import platform
import shutil
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project and bench importable
    sys.path.insert(0, str(ROOT))

from bench import corpus, queries, startup  # noqa: E402
from bench.baselines import BruteForce, Fts5Trigram, JiebaWhoosh, trigram_available  # noqa: E402
from bench.measure import dir_size, latency, peak_rss, timed  # noqa: E402
from bench.report import targets, to_markdown  # noqa: E402
from bench.reuse import measure_reuse  # noqa: E402

BENCH = ROOT / "bench"
DEFAULT_SIZES = "samples,laws300,laws,synth20000"
QUICK_SIZES = "samples,laws300,synth2000"
PROCS = 2


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def mb(n_bytes: float) -> float:
    return round(n_bytes / 1e6, 3)


# ---------------------------------------------------------------- building

_worker_archive = None


def _init_worker(data_dir: str) -> None:
    global _worker_archive
    from archive.store import Archive
    from importers import read_report

    _worker_archive = Archive(data_dir, read_report=read_report)


def _import_one(path: str) -> tuple[str, str]:
    result = _worker_archive.import_file(path)
    return result.status, result.error or ""


def import_files(paths: list[Path], data_dir: Path) -> dict:
    """Import files into a fresh archive with a pool of PROCS processes; time it."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    t0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(PROCS, _init_worker, (str(data_dir),)) as pool:
        outcomes = pool.map(_import_one, [str(p) for p in paths], chunksize=8)
    seconds = time.perf_counter() - t0
    failed = [err for status, err in outcomes if status == "failed"]
    return {"import_s": round(seconds, 2), "statuses": dict(Counter(s for s, _ in outcomes)),
            "failed_examples": sorted(set(failed))[:3]}


def build_index(index_dir: Path, reports: list) -> float:
    """Rebuild our index from the reports (the index itself writes with 2 processes above
    a few thousand paragraphs)."""
    from index import SearchIndex

    index = SearchIndex(index_dir)
    done = [0]

    def progress(*_args) -> None:
        done[0] += 1
        if done[0] % 500 == 0:
            log(f"  indexed {done[0]} reports")

    t0 = time.perf_counter()
    index.rebuild(reports, progress=progress)
    return time.perf_counter() - t0


def build_size(spec: str, laws: list | None, work: Path) -> tuple[dict, list, Path, Path | None]:
    """Build our archive and index for one corpus size.
    Returns (figures, reports, index dir, data dir — None when built from Report objects)."""
    from archive.store import Archive

    folder = work / spec
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out: dict = {"name": spec}
    if spec.startswith("synth"):
        n = int(spec[len("synth"):])
        pool = ([ln for law in laws for ln in corpus.law_lines(law)] if laws else
                [ln.strip() for f in sorted((ROOT / "samples").glob("*.txt"))
                 for ln in f.read_text(encoding="utf-8").splitlines() if len(ln.strip()) > 20])
        log(f"{spec}: generating {n} synthetic reports from {len(pool)} lines")
        reports = list(corpus.synthetic_reports(pool, n))
        text_bytes = sum(len(p.text.encode("utf-8")) for r in reports for p in r.paragraphs)
        out.update(synthetic=True, built_by="Report objects (no importer)", import_s=0.0)
        index_dir, data_dir = folder / "index", None
    else:
        if spec == "samples":
            paths = sorted((ROOT / "samples").glob("*.txt"))
        else:
            n = int(spec[len("laws"):] or len(laws))
            paths, _ = corpus.write_txt_files(corpus.sample_laws(laws, n), folder / "files")
        text_bytes = sum(p.stat().st_size for p in paths)
        data_dir = folder / "data"
        log(f"{spec}: importing {len(paths)} files ({mb(text_bytes)} MB) with {PROCS} processes")
        out.update(import_files(paths, data_dir), built_by="importer + archive")
        archive = Archive(data_dir)
        reports = list(archive.reports())
        index_dir = Path(archive.index_dir)
        log(f"{spec}: {len(reports)} reports in the archive after {out['import_s']} s "
            f"(files: {out['statuses']})")
    log(f"{spec}: indexing {len(reports)} reports")
    index_s = build_index(index_dir, reports)
    out.update(reports=len(reports), paragraphs=sum(len(r.paragraphs) for r in reports),
               text_mb=mb(text_bytes), index_s=round(index_s, 2),
               mb_per_s=round(mb(text_bytes) / (out["import_s"] + index_s), 3),
               index_mb=mb(dir_size(index_dir)))
    log(f"{spec}: indexed in {index_s:.1f} s, {out['mb_per_s']} MB/s overall, "
        f"index {out['index_mb']} MB")
    return out, reports, index_dir, data_dir


# ---------------------------------------------------------------- measuring

def measure_size(spec: str, laws: list | None, work: Path, args) -> dict:
    from index import SearchIndex
    from archive.folding import fold

    out, reports, index_dir, data_dir = build_size(spec, laws, work)
    rows = corpus.paragraph_rows(reports, fold)
    keys = [(r.report_id, r.paragraph_id) for r in rows]
    phrases = corpus.pick_phrases([r.text for r in rows])
    phrases.update({k: fold(v) for k, v in queries.DOMAIN_PHRASES.items()})
    mix = queries.query_mix(phrases, rows)
    log(f"{spec}: phrase mix {phrases}")

    scan = BruteForce(rows)
    systems: dict = {"scan": scan}
    out["baselines"] = {}
    if trigram_available():
        secs, fts = timed(lambda: Fts5Trigram.build(work / spec / "fts5.sqlite", rows))
        systems["fts5"] = fts
        out["baselines"]["fts5"] = {"build_s": round(secs / 1000, 2),
                                    "size_mb": mb(fts.path.stat().st_size)}
        log(f"{spec}: FTS5 trigram built in {secs / 1000:.1f} s")
    if len(rows) <= args.jieba_max_paragraphs:
        secs, jb = timed(lambda: JiebaWhoosh.build(work / spec / "jieba", rows, procs=PROCS))
        systems["jieba"] = jb
        out["baselines"]["jieba"] = {"build_s": round(secs / 1000, 2),
                                     "size_mb": mb(dir_size(work / spec / "jieba"))}
        log(f"{spec}: jieba Whoosh index built in {secs / 1000:.1f} s")

    index = SearchIndex(index_dir)
    out["phrases"] = {}
    for label, phrase in phrases.items():
        oracle = {keys[i] for i in scan.matches(phrase)}
        entry = {"phrase": phrase, "oracle": len(oracle), "share": len(oracle) / max(1, len(rows))}
        entry.update(queries.phrase_recall(index, phrase, oracle))
        for name in ("fts5", "jieba"):
            if name in systems:
                found = {keys[i] for i in systems[name].matches(phrase)}
                entry[name] = len(found)
                entry[name + "_recall"] = len(found & oracle) / len(oracle) if oracle else 1.0
        out["phrases"][label] = entry
    log(f"{spec}: recall " + ", ".join(f"{k} {v['ours_recall']:.3f}"
                                        for k, v in out["phrases"].items()))

    fresh = SearchIndex(index_dir)  # a new instance, as a server starts
    secs, _ = timed(lambda: fresh.search('"开"', per_page=1))
    out["open_ms"] = round(secs, 1)
    log(f"{spec}: first search of a new SearchIndex (loads the index) {secs:.0f} ms")
    out["queries"] = []
    for item in mix:
        entry = {k: item[k] for k in ("label", "kind", "shown")}
        try:
            timing = latency(lambda: queries.search_page(fresh, item), args.repeat)
            entry["hits"] = int(timing.pop("result").get("total") or 0)
            entry["cached"] = timing
            if queries.drop_caches(fresh):
                timing = latency(lambda: queries.drop_caches(fresh) and
                                 queries.search_page(fresh, item), args.repeat)
                timing.pop("result")
            entry["ours"] = timing  # uncached: what a query not asked before costs
        except Exception as exc:  # a query the index rejects is a result, not a crash
            entry["error"] = f"{type(exc).__name__}: {exc}"
        if item["phrase"]:
            for name, system in systems.items():
                timing = latency(lambda: system.top(item["phrase"]), args.repeat)
                timing.pop("result")
                entry[name] = timing
        out["queries"].append(entry)
        log(f"{spec}: {item['shown']}: " + (
            entry.get("error") or f"{entry['hits']} hits, uncached p50 {entry['ours']['p50_ms']} "
                                  f"p95 {entry['ours']['p95_ms']} ms, cached p50 "
                                  f"{entry['cached']['p50_ms']} ms"))
    if "jieba" in systems:
        systems["jieba"].close()
    # Right after the build, while the index code that wrote this index is still what a new
    # process imports (the tree is shared with people editing it).
    try:
        out["rss_mb"], _ = peak_rss(queries.run_mix, str(index_dir), mix, 3)
        log(f"{spec}: peak RSS of a search process running the mix: {out['rss_mb']} MB")
    except RuntimeError as exc:
        out["rss_error"] = str(exc)
    out.update(_mix=mix, _index_dir=index_dir, _data_dir=data_dir)
    return out


def measure_freshness(data_dir: Path, index_dir: Path) -> dict:
    """Import one new report and time until a separate, already-open SearchIndex (a running
    server) finds it by a phrase only it contains."""
    from archive.store import Archive
    from importers import read_report
    from index import SearchIndex

    marker = f"基准测试新报告{int(time.time())}号"
    text = (ROOT / "samples" / "000_c5c95290205ada9f.txt").read_text(encoding="utf-8")
    data = (text.replace("赵集镇", "基准测试镇") + f"\n{marker}已完成。\n").encode("utf-8")
    server = SearchIndex(index_dir)
    server.search('"法治"', per_page=1)
    t0 = time.perf_counter()
    result = Archive(data_dir, read_report=read_report).import_bytes(data, "bench_new_report.txt")
    t_import = time.perf_counter() - t0
    SearchIndex(index_dir).update(result.report)
    t_update = time.perf_counter() - t0 - t_import
    while True:
        if int(server.search(f'"{marker}"', per_page=1).to_dict().get("total") or 0):
            break
        if time.perf_counter() - t0 > 30:
            return {"freshness_s": None, "freshness_detail": "not found within 30 s"}
        time.sleep(0.02)
    total = time.perf_counter() - t0
    return {"freshness_s": round(total, 3),
            "freshness_detail": f"import {t_import:.2f} s, index update {t_update:.2f} s, "
                                f"search {total - t_import - t_update:.2f} s"}


def measure_pages(data_dir: Path, phrases: dict, repeat: int) -> dict:
    """Server times of the main pages through the Flask test client on a built archive."""
    from archive.store import Archive
    from webapp import create_app

    ids = sorted(Archive(data_dir).ids())
    client = create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": "bench",
                         "TESTING": True}).test_client()
    urls = ["/", f"/?q=\"{phrases['frequent']}\"", f"/?q=\"{phrases['medium']}\"",
            f"/report/{ids[0]}", f"/compare?a={ids[0]}&b={ids[1]}", "/towns",
            f"/api/search?q=\"{phrases['medium']}\"",
            f"/trend?q=\"{phrases['frequent']}\"&q=\"{phrases['medium']}\"&q=法治政府建设", "/tracker"]
    out = {}
    for url in urls:
        timing = latency(lambda: client.get(url), repeat)
        timing["status"] = timing.pop("result").status_code
        out[url] = timing
        log(f"page {url}: {timing['status']}, p50 {timing['p50_ms']} ms, p95 {timing['p95_ms']} ms")
    return out


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", help=f"comma-separated corpus sizes: samples, laws<N>, laws (all), "
                                    f"synth<N> (default {DEFAULT_SIZES})")
    p.add_argument("--quick", action="store_true", help=f"small sizes ({QUICK_SIZES}), 5 repeats")
    p.add_argument("--repeat", type=int, help="warm repeats per query (default 20, quick 5)")
    p.add_argument("--laws", type=Path, default=corpus.DEFAULT_LAWS, help="laws.jsonl.gz")
    p.add_argument("--work", type=Path, default=BENCH / "work", help="scratch folder")
    p.add_argument("--out", type=Path, default=BENCH, help="where results.json/.md go")
    p.add_argument("--jieba-max-paragraphs", type=int, default=100_000,
                   help="skip the jieba baseline above this many paragraphs (it is slow to build)")
    args = p.parse_args(argv)
    args.sizes = (args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)).split(",")
    args.repeat = args.repeat or (5 if args.quick else 20)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    import jieba

    jieba.setLogLevel(logging.WARNING)
    started = time.perf_counter()
    notes = []
    laws = corpus.load_laws(args.laws)
    if laws is None:
        notes.append(f"laws corpus not found at {args.laws}: only the samples were measured")
        args.sizes = [s for s in args.sizes if s == "samples" or s.startswith("synth")]
    if any(s.startswith("synth") for s in args.sizes):
        notes.append("synthetic sizes are Report objects built directly and indexed "
                     "(paragraphs recombined from law lines, synthetic towns and years); "
                     "the importer and archive are not timed there")
    if not trigram_available():
        notes.append("this SQLite has no FTS5 trigram tokenizer: FTS5 baseline skipped")
    results = {"meta": {"date": datetime.now().isoformat(timespec="seconds"),
                        "python": platform.python_version(), "cpus": multiprocessing.cpu_count(),
                        "quick": args.quick, "repeat": args.repeat, "notes": notes,
                        "load_average_at_start": os.getloadavg()},
               "sizes": []}
    args.work.mkdir(parents=True, exist_ok=True)
    private: dict[str, dict] = {}  # per size: the mix and folders, not written out
    for spec in args.sizes:
        size = measure_size(spec, laws, args.work, args)
        private[spec] = {k: size.pop(k) for k in ("_mix", "_index_dir", "_data_dir")}
        results["sizes"].append(size)
        save(results, args.out, started)  # a partial run still leaves its figures

    real = [s for s in results["sizes"] if private[s["name"]]["_data_dir"]]
    if real:
        largest, where = real[-1], private[real[-1]["name"]]
        largest.update(measure_freshness(where["_data_dir"], where["_index_dir"]))
        log(f"{largest['name']}: new report findable after {largest['freshness_s']} s")
        largest.update(startup.measure_startup(where["_data_dir"]))
        log(f"{largest['name']}: first search {largest['startup_first_search_s']} s after launch "
            f"({largest['startup_first_search_cpu_s']} s of CPU), "
            f"first bare-word search {largest['startup_first_word_search_ms']} ms once listening")
        largest["reuse"] = measure_reuse(where["_data_dir"])
        log(f"{largest['name']}: reuse of one report p50 {largest['reuse']['report_p50_s']} s, "
            f"max {largest['reuse']['report_max_s']} s; county {largest['reuse'].get('county_s')} s")
        try:
            phrases = {k: v["phrase"] for k, v in largest["phrases"].items()}
            largest["pages"] = measure_pages(where["_data_dir"], phrases, args.repeat)
        except ImportError as exc:
            notes.append(f"web pages not measured: {exc}")
        save(results, args.out, started)
    results["ocr"] = __import__("bench.ocr").ocr.run(args.out, args.quick, log)  # bench/ocr.md
    print(save(results, args.out, started))
    log(f"done in {results['meta']['total_s']} s; wrote {args.out / 'results.json'} and "
        f"{args.out / 'results.md'}")
    return 0


def save(results: dict, out: Path, started: float) -> str:
    """Write results.json and results.md (with the targets as measured so far)."""
    results["meta"]["total_s"] = round(time.perf_counter() - started, 1)
    results["meta"]["load_average_at_end"] = os.getloadavg()
    results["targets"] = targets(results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
    markdown = to_markdown(results)
    (out / "results.md").write_text(markdown, encoding="utf-8")
    return markdown


if __name__ == "__main__":
    sys.exit(main())
