"""Turning paragraphs into what the index stores: folded text, folded heading path and the
space-separated jieba words. jieba is the cost (~1 MB/s per core), so a rebuild spreads it over
a pool of processes; the parent writes SQLite and hands the words on to Whoosh."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from typing import Callable, Iterable, Iterator, Optional

from archive.model import Report
from index.analysis import index_tokens, segmenter
from index.documents import indexed_paragraphs
from archive.folding import fold
from index.store import Analysed

PARALLEL_MIN_PARAGRAPHS = 5000  # below this, starting processes costs more than it saves


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> None:
    """Pool initializer: a worker gets SIGKILL when the process that forked it dies (a killed
    `archive reindex` leaves no jieba workers behind). Linux only; elsewhere the pool's own
    shutdown is all there is."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def analyse_texts(paragraphs: list[tuple[str, str]]) -> list[Analysed]:
    """(text, heading path joined) of each paragraph → (folded, heading folded, words)."""
    return [(fold(text), fold(heading), " ".join(index_tokens(text)))
            for text, heading in paragraphs]


def _texts(report: Report) -> list[tuple[str, str]]:
    return [(p.text, "".join(p.heading_path)) for p in indexed_paragraphs(report)]


def analyse(report: Report) -> list[Analysed]:
    return analyse_texts(_texts(report))


def default_procs(reports: list[Report]) -> int:
    """One process per core when there is enough text, else one."""
    paragraphs = sum(len(r.paragraphs) for r in reports)
    return (os.cpu_count() or 1) if paragraphs >= PARALLEL_MIN_PARAGRAPHS else 1


def analyse_all(reports: list[Report], procs: Optional[int] = None,
                known: Optional[Callable[[Report], Optional[list[Analysed]]]] = None
                ) -> Iterator[tuple[Report, list[Analysed]]]:
    """Each report with its analysed paragraphs, in order. `procs` processes (default:
    `default_procs`); jieba must already know the archive's place names, since the workers
    are forked with the parent's dictionary. `known(report)`: its paragraphs analysed
    already (by an import worker), or None."""
    if known is not None:
        done = [known(r) for r in reports]
        if any(a is not None for a in done):
            todo = [r for r, a in zip(reports, done) if a is None]
            fresh = iter(analyse_all(todo, procs))
            for report, analysed in zip(reports, done):
                yield (report, analysed) if analysed is not None else next(fresh)
            return
    if procs is None:
        procs = default_procs(reports)
    if procs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for report in reports:
            yield report, analyse(report)
        return
    segmenter()  # load the dictionary once, before forking
    with multiprocessing.get_context("fork").Pool(procs, initializer=die_with_parent) as pool:
        texts: Iterable = (_texts(r) for r in reports)
        for report, analysed in zip(reports, pool.imap(analyse_texts, texts, chunksize=4)):
            yield report, analysed
