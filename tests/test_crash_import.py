"""Crash safety of the index: `archive import` and `archive reindex` SIGKILLed at random moments
(subprocesses, ~20 small reports written here), then the index must hold exactly the archive's
current reports — paragraph for paragraph — after nothing but the next write. A killed reindex
leaves no jieba workers behind. The long variant: bench/crashloop.py (`make crashloop`)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time

import psutil
import pytest

from archive import integrity
import workflows
from bench.crashloop import ROOT, archive_command, disagreements, kill_during, write_sources

REPORTS = 20


@pytest.fixture
def imported(tmp_path):
    data, src = tmp_path / "data", tmp_path / "src"
    write_sources(src, REPORTS, 0)
    archive = workflows.open_archive(data)
    done = workflows.import_files(archive, workflows.open_index(archive), [src])
    assert done.count("imported") == REPORTS and done.index.error is None
    return data, src


def heal_by_next_write(data, src):
    """The next write of anything: here the same import again, as a user would retry it."""
    archive = workflows.open_archive(data)
    done = workflows.import_files(archive, workflows.open_index(archive), [src])
    assert done.index.error is None
    return disagreements(data)


@pytest.mark.parametrize("seed", [11, 12])
def test_an_import_killed_at_a_random_moment_is_healed_by_the_next_write(imported, seed):
    data, src = imported
    rng = random.Random(seed)
    write_sources(src, REPORTS, 1)  # every report gets a new version the index must follow
    kill_during(data, rng.uniform(0, 0.8), "import", str(src))
    assert heal_by_next_write(data, src) == []
    archive = workflows.open_archive(data)
    assert not workflows.index_drift(archive, workflows.open_index(archive))
    assert len(archive.ids()) == REPORTS
    assert not [p for p in integrity.check(archive) if "临时文件" in p]  # the next import swept them


def test_temp_files_of_a_killed_writer_are_reported_then_swept_and_a_live_writers_kept(imported):
    data, src = imported
    dead = _pid_of_finished_process()
    archive = workflows.open_archive(data)
    left = [archive.tmp_dir / f".x-2024.md.{dead}.1.tmp",
            archive.reports_dir / f".x-2024.md.{dead}.2.tmp",
            next(archive.originals_dir.glob("*")) / f".staged.{dead}.3.tmp"]
    live = archive.tmp_dir / f".y-2024.md.{os.getpid()}.4.tmp"
    for path in left + [live]:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half")
    listed = [p for p in integrity.check(archive) if "临时文件" in p]
    assert len(listed) == 4 and all("archive import" in p for p in listed)
    workflows.import_files(archive, workflows.open_index(archive), [src])
    assert not any(p.exists() for p in left) and live.exists()


def _pid_of_finished_process() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_killed_reindex_leaves_no_workers_and_the_index_whole(imported):
    data, src = imported
    proc = subprocess.Popen(archive_command(data, "reindex", "--procs", "2"), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    workers: list[psutil.Process] = []
    deadline = time.monotonic() + 120
    while proc.poll() is None and not workers and time.monotonic() < deadline:
        try:
            workers = parent.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.002)
    assert workers, "the reindex never started its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    for p in alive:  # leave the machine clean even when the test fails
        p.kill()
    assert alive == []
    assert disagreements(data) == []  # the rebuild is one transaction: the old index is whole
    write_sources(src, REPORTS, 2)
    assert heal_by_next_write(data, src) == []


BUSY_WORKER = """
import multiprocessing, os, signal, sys, time
from index.indexing import die_with_parent
pool = multiprocessing.get_context("fork").Pool(1, initializer=die_with_parent)
pool.apply_async(time.sleep, (120,))
time.sleep(0.5)
print(multiprocessing.active_children()[0].pid, flush=True)
sys.stdin.readline()
"""


def test_a_worker_busy_on_a_long_task_dies_with_its_parent():
    """The reindex above may finish its small tasks before the kill; here the worker is in the
    middle of a two-minute task when its parent is SIGKILLed."""
    import sys
    proc = subprocess.Popen([sys.executable, "-c", BUSY_WORKER], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    worker = psutil.Process(int(proc.stdout.readline()))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs([worker], timeout=10)
    for p in alive:
        p.kill()
    assert alive == []
