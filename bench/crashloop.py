"""Crash loop: SIGKILL `archive import` (or `archive reindex`) at random moments and check that the
search index then agrees with the archive — after nothing but the next write (`archive import` of
the same folder), which is the repair the README promises.

    .venv/bin/python bench/crashloop.py [--rounds 15] [--reports 20] [--seed N] [--reindex]

Each round writes a new version of every synthetic report into the source folder (so the killed
import was replacing reports the index already held), starts the import, kills it at a random
moment within `--window` seconds after it began writing, then runs `archive check` (it may
report differences: that is its job; the killed writer's leftover temporary files are listed
too and not counted here) and one more import, and compares: the index must hold exactly the
archive's current versions, paragraph for paragraph. Prints one line per round and the totals; exit 1 when any round disagreed.

The test suite (tests/test_crash_import.py) runs a few rounds of the same code.
"""
from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOWNS = ("赵集镇", "覃斗镇", "城关镇", "马良镇", "石牌镇")


def archive_command(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archive", "--data", str(data), *args]


def write_sources(folder: Path, count: int, version: int) -> None:
    """`count` small reports (town × year), each body naming `version`, so a stale index shows."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        town, year = TOWNS[n % len(TOWNS)], 2015 + n // len(TOWNS)
        body = "\n".join(
            f"{town}第{k}项工作第{version}版：坚持依法行政，推进行政执法规范化，编号{n}-{k}-{version}。"
            for k in range(1, 4 + (n + version) % 3))
        (folder / f"{n:02d}.txt").write_text(
            f"{town}{year}年法治政府建设工作情况报告\n一、工作情况\n{body}\n二、存在的问题\n"
            f"{town}法治宣传力度仍需加强（第{version}版）。\n", encoding="utf-8")


def run(data: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(archive_command(data, *args), cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def kill_during(data: Path, delay: float, *args: str, limit: float = 120) -> bool:
    """Start `archive ARGS`; once it has begun writing (an import: the reports folder changed; a
    reindex: the index folder did), SIGKILL it after `delay` more seconds. Returns whether it
    was still running."""
    watched = data / ("reports" if args[0] == "import" else "index")

    def state():
        return [f.stat().st_mtime_ns for f in sorted(watched.glob("*"))] if watched.exists() else []
    before = state()
    proc = subprocess.Popen(archive_command(data, *args), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + limit
    try:
        while proc.poll() is None and state() == before and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.wait(delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def disagreements(data: Path) -> list[str]:
    """Where the index differs from the archive: ids missing or extra, and ids whose indexed
    paragraphs (and title) are not the stored report's (an honest oracle: the texts, not the
    versions)."""
    import workflows
    from index.documents import indexed_paragraphs

    archive = workflows.open_archive(data)
    expected = {r.id: [p.text for p in indexed_paragraphs(r)] for r in archive.reports()}
    con = sqlite3.connect(archive.index_dir / "index.sqlite")
    try:
        held: dict[str, list[str]] = {}
        for rid, text in con.execute("SELECT report_id, text FROM paragraphs ORDER BY report_id, ord"):
            held.setdefault(rid, []).append(text)
    finally:
        con.close()
    problems = [f"missing {rid}" for rid in sorted(set(expected) - set(held))]
    problems += [f"extra {rid}" for rid in sorted(set(held) - set(expected))]
    problems += [f"stale {rid}" for rid in sorted(set(expected) & set(held))
                 if expected[rid] != held[rid]]
    return problems


def crash_round(data: Path, src: Path, version: int, delay: float, count: int,
                command: tuple[str, ...] = ("import",)) -> dict:
    """One round: new versions, the command killed after `delay`, check, the next import, compare."""
    write_sources(src, count, version)
    args = (*command, str(src)) if command == ("import",) else command
    killed = kill_during(data, delay, *args)
    before = disagreements(data)
    check = run(data, "check")
    repaired = run(data, "import", str(src))
    after = disagreements(data)
    check_after = run(data, "check")
    return {"delay": delay, "killed": killed, "before": len(before),
            "check_exit": check.returncode, "check_lines": check.stdout.count("检索索引"),
            "repair_exit": repaired.returncode, "after": after,
            "check_after_lines": check_after.stdout.count("检索索引")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--window", type=float, default=1.0,
                        help="kill within this many seconds after it began writing")
    parser.add_argument("--reindex", action="store_true", help="kill `archive reindex` instead")
    parser.add_argument("--work", type=Path, default=None, help="folder to work in (default: temp)")
    args = parser.parse_args(argv)
    import tempfile

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    rng = random.Random(seed)
    work = args.work or Path(tempfile.mkdtemp(prefix="crashloop-"))
    data, src = work / "data", work / "src"
    write_sources(src, args.reports, 0)
    started = time.monotonic()
    first = run(data, "import", str(src))
    full = time.monotonic() - started
    print(f"seed {seed}; {args.reports} reports; a whole import takes {full:.2f} s (exit {first.returncode})")
    command = ("reindex", "--procs", "2") if args.reindex else ("import",)
    bad = killed = 0
    for n in range(1, args.rounds + 1):
        r = crash_round(data, src, n, rng.uniform(0, args.window), args.reports, command)
        killed += r["killed"]
        bad += bool(r["after"]) or r["check_after_lines"] != 0
        print(f"round {n:2d}: killed after {r['delay']:.2f} s ({'yes' if r['killed'] else 'finished first'}); "
              f"differences before repair {r['before']} (check exit {r['check_exit']}, "
              f"{r['check_lines']} index lines); after the next import {len(r['after'])} "
              f"(check: {r['check_after_lines']} index lines) {' '.join(r['after'][:5])}")
    print(f"{args.rounds} rounds, {killed} killed mid-run, {bad} left archive and index disagreeing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
