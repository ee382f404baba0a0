"""Reading files into the archive in a pool of processes, one per core: each worker imports a
file (`Archive.import_file`: decode, clean, metadata, sections, write) and runs jieba over the
new report's paragraphs (`index.indexing.analyse`), so the parent, which writes the search
index, gets reports ready to store. A fresh import of 1,500 laws spent 45 % of its time
importing files one by one and 20 % waiting for jieba with nothing else to do.

The workers run at most `ahead` files ahead of what the parent has taken, so memory stays
bounded whatever the folder's size. Workers ignore Ctrl-C (the parent alone stops the pool)
and die with the parent (`index.indexing.die_with_parent`). Each import is atomic on its own
(`archive.store`): a stopped pool leaves every file either imported whole or not at all.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from pathlib import Path
from typing import Iterator, Optional

from archive.model import ImportResult
from archive.store import Archive
from index.analysis import learn_words, segmenter
from index.indexing import analyse, die_with_parent
from index.store import Analysed

POOL_MIN_FILES = 8  # below this, starting processes costs more than it saves

# What a worker imports with: the parent's archive, inherited by fork (its SQLite connections
# are per process: a worker opens its own).
_archive: Optional[Archive] = None

Imported = tuple[ImportResult, Optional[list[Analysed]]]


def import_one(archive: Archive, path: Path) -> Imported:
    """Import one file; a new or updated report comes with its paragraphs analysed."""
    result = archive.import_file(path)
    report = result.report
    if report is None or not report.id:
        return result, None
    learn_words(n for n in (report.place.town, report.place.county, report.place.city))
    return result, analyse(report)


def _start_worker() -> None:
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(path: str) -> Imported:
    assert _archive is not None
    return import_one(_archive, Path(path))


def import_all(archive: Archive, files: list[Path], procs: Optional[int] = None,
               ahead: int = 250) -> Iterator[Imported]:
    """Import `files`, yielding each one's outcome in order; with `procs` processes (default:
    one per core, one for a handful of files). Closing the generator (or an exception in the
    caller, Ctrl-C included) stops the pool at once."""
    procs = procs if procs is not None else (os.cpu_count() or 1)
    if procs <= 1 or len(files) < POOL_MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        for path in files:
            yield import_one(archive, path)
        return
    global _archive
    segmenter()  # jieba's dictionary loaded once, shared with the workers by fork
    _archive = archive
    room = threading.Semaphore(ahead)

    def feed() -> Iterator[str]:  # runs in the pool's task thread: waits for room
        for path in files:
            room.acquire()
            yield str(path)

    pool = multiprocessing.get_context("fork").Pool(procs, initializer=_start_worker)
    try:
        for outcome in pool.imap(_work, feed()):
            room.release()
            yield outcome
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _archive = None
