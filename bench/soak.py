"""`make soak`: capacity under load. A server (`archive serve`, as staff run it) answers
CLIENTS concurrent clients with no think time for SECONDS while `archive import` adds reports
to the same archive; prints the error count (HTTP 5xx, connection failures) and the latency
percentiles of the search pages, and exits 1 if there was any error or p99 ≥ 1 s.

    .venv/bin/python bench/soak.py                       # 20 clients × 60 s, 300 laws + 200 imported
    .venv/bin/python bench/soak.py --clients 5 --seconds 10 --base 50 --imported 20

The archive is built once in bench/work/soak/ (kept between runs; --fresh rebuilds it) from
the laws corpus, or from the bundled samples when the corpus is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402

QUERIES = ['"的"', '"人民政府"', "section:problems", "违法 -罚款", "监督 管理", '"本行政区"',
           "行政执法", '"国务院有关部门"', "法治 year:2000-2024", '"依照本法规定"', "法律责任",
           '"应当"']


def archive_cmd(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archive", "--data", str(data), *args]


def prepare(work: Path, base: int, imported: int, fresh: bool) -> tuple[Path, Path]:
    """The archive of `base` reports (indexed) and a folder of `imported` more to import."""
    data, incoming = work / "data", work / f"incoming-{imported}"
    marker = work / f"base-{base}.done"
    if fresh or not marker.exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        laws = corpus.load_laws(ROOT / "../shared/corpora/laws.jsonl.gz")
        if laws:
            chosen = corpus.sample_laws(laws, base + imported, seed=11)
            corpus.write_txt_files(chosen[:base], work / "base")
            corpus.write_txt_files(chosen[base:], incoming)
        else:
            (work / "base").mkdir()
            incoming.mkdir()
            samples = sorted((ROOT / "samples").glob("*.txt"))
            for n, path in enumerate(samples * (1 + (base + imported) // len(samples))):
                target = work / "base" if n < base else incoming
                if n < base + imported:
                    text = path.read_text(encoding="utf-8").replace("2024", str(1980 + n % 40))
                    (target / f"{n:05d}-{path.name}").write_text(text, encoding="utf-8")
        # exit 1 = some files failed (a few laws are not reports): the rest is imported
        subprocess.run(archive_cmd(data, "import", str(work / "base")),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        marker.touch()
    return data, incoming


def restore(data: Path, work: Path) -> None:
    """Back to the base archive (what an earlier soak imported is dropped)."""
    saved = work / "data.base"
    if not saved.exists():
        shutil.copytree(data, saved)
    else:
        shutil.rmtree(data)
        shutil.copytree(saved, data)


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def client(base_url: str, k: int, deadline: float, out: list, errors: list, slow: list,
           t0: float) -> None:
    n = k
    while time.monotonic() < deadline:
        q = QUERIES[n % len(QUERIES)]
        page = 1 + (n // len(QUERIES)) % 3
        url = f"{base_url}/?" + urllib.parse.urlencode({"q": q, "page": page})
        n += 1
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=30) as reply:
                reply.read()
            out.append(time.perf_counter() - started)
            slow.append((out[-1], q, page, round(started - t0, 1)))
        except urllib.error.HTTPError as exc:
            (errors if exc.code >= 500 else out).append(
                f"HTTP {exc.code} {q}" if exc.code >= 500 else time.perf_counter() - started)
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--base", type=int, default=300, help="reports in the archive before")
    ap.add_argument("--imported", type=int, default=200, help="reports imported during the soak")
    ap.add_argument("--port", type=int, default=int(os.environ.get("SOAK_PORT", 5105)))
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "soak")
    ap.add_argument("--fresh", action="store_true")
    args = ap.parse_args(argv)

    data, incoming = prepare(args.work, args.base, args.imported, args.fresh)
    restore(data, args.work)
    base_url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(archive_cmd(data, "serve", "--port", str(args.port)),
                              stdout=subprocess.DEVNULL, stderr=open(args.work / "server.log", "wb"))
    try:
        wait_for(base_url + "/", 60)
        for q in QUERIES:  # warm: a server in use has loaded its index and jieba
            urllib.request.urlopen(f"{base_url}/?" + urllib.parse.urlencode({"q": q}), timeout=60).read()
        load_before = os.getloadavg()
        importer = subprocess.Popen(archive_cmd(data, "import", str(incoming)),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + args.seconds
        times: list[float] = []
        errors: list[str] = []
        slow: list = []
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(base_url, k, deadline, times, errors, slow, t0))
                   for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        import_done = importer.poll() is not None
        import_rc = importer.wait()
        import_err = importer.stderr.read().decode("utf-8", "replace").strip().splitlines()[-3:]
    finally:
        server.terminate()
        server.wait(30)
    result = {
        "clients": args.clients, "seconds": args.seconds, "requests": len(times) + len(errors),
        "errors": len(errors), "error_examples": sorted(set(errors))[:5],
        "p50_ms": round(percentile(times, 50) * 1000, 1),
        "p99_ms": round(percentile(times, 99) * 1000, 1),
        "max_ms": round(max(times, default=0) * 1000, 1),
        "requests_per_s": round(len(times) / args.seconds, 1),
        "slowest": [f"{s * 1000:.0f} ms {q} page {p} at {at} s" for s, q, p, at in sorted(slow)[-5:]],
        "import_exit": import_rc,  # 1: some files were refused (see the messages)
        "import_finished_during_soak": import_done,
        "import_messages": import_err,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"soak: {result['requests']} requests, {result['errors']} errors, "
          f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
          f"(load average {result['load_average_before'][0]} → {result['load_average_after'][0]})")
    return 0 if not errors and result["p99_ms"] < 1000 and import_rc in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
