"""Where the windows of a text occur in the index: every run of `width` folded characters of the
text, looked up among the live paragraphs of one snapshot. Text reuse (`analysis.reuse`) is
built on it: a passage two reports share is a run of consecutive windows found at consecutive
places of one paragraph.

The exact base answers through its suffix array (two binary searches per window; nothing is
built). The delta (paragraphs written after the base) is hashed once per snapshot, every
window's 64-bit polynomial hash sorted, and looked up with `numpy.searchsorted`: a delta of
two million characters costs about a third of a second to hash, then nothing per query.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from index.exact import SEPARATOR

BASE = np.uint64(1_000_003)
_delta_hashes: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


@dataclass(frozen=True)
class WindowHits:
    """The windows of one text. `count[i]`: occurrences of window i (the text's characters
    i … i + width − 1) in the snapshot, listed or not; then one row per occurrence listed
    (windows found more than `limit` times in the base are counted only): the window `at`,
    the paragraph `pid`, the `offset` of the occurrence in that paragraph's folded text and the
    paragraph's `report` ordinal (`snapshot.reports.ids`)."""
    width: int
    count: np.ndarray
    at: np.ndarray
    pid: np.ndarray
    offset: np.ndarray
    report: np.ndarray


def window_hits(snapshot, folded: str, width: int, limit: int) -> WindowHits:
    """Every `width`-character window of `folded` (folded text, one paragraph) in `snapshot`."""
    n = len(folded) - width + 1
    if n <= 0:
        empty = np.empty(0, dtype=np.int64)
        return WindowHits(width, empty, empty, empty, empty, empty)
    count = np.zeros(n, dtype=np.int64)
    found = [_base_hits(snapshot, folded, width, limit, count), _delta_hits(snapshot, folded, width, count)]
    at, pid, offset = (np.concatenate([f[k] for f in found]) for k in range(3))
    report = snapshot.pid_report[pid].astype(np.int64) if len(pid) else pid
    live = report >= 0
    return WindowHits(width, count, at[live], pid[live], offset[live], report[live])


def _base_hits(snapshot, folded: str, width: int, limit: int, count: np.ndarray):
    base = snapshot.base
    empty = np.empty(0, dtype=np.int64)
    if base is None or not len(base.sa):
        return empty, empty, empty
    ats, offsets = [], []
    for i in range(len(count)):
        where = base.find(folded[i:i + width])
        count[i] += len(where)
        if 0 < len(where) <= limit:
            ats.append(np.full(len(where), i, dtype=np.int64))
            offsets.append(where)
    if not ats:
        return empty, empty, empty
    at, where = np.concatenate(ats), np.concatenate(offsets)
    slots = np.searchsorted(base.starts, where, side="right") - 1
    return at, base.pids[slots].astype(np.int64), where - base.starts[slots] - 1


def _delta_hits(snapshot, folded: str, width: int, count: np.ndarray):
    empty = np.empty(0, dtype=np.int64)
    table = _delta_table(snapshot, width)
    if table is None:
        return empty, empty, empty
    hashes, positions, starts, docs = table
    query = _hashes(_codes(folded), width)
    lo, hi = np.searchsorted(hashes, query, "left"), np.searchsorted(hashes, query, "right")
    sizes = hi - lo
    count += sizes
    if not sizes.any():
        return empty, empty, empty
    at = np.repeat(np.arange(len(query), dtype=np.int64), sizes)
    picks = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi) if b > a])
    where = positions[picks]
    slots = np.searchsorted(starts, where, side="right") - 1
    return at, docs[slots], where - starts[slots] - 1


def _delta_table(snapshot, width: int):
    """(sorted window hashes, their positions, paragraph starts, paragraph ids) of the delta,
    once per snapshot and width; None when the delta is empty."""
    haystack = snapshot.delta.text
    if not haystack.text:
        return None
    with _lock:
        held = _delta_hashes.setdefault(snapshot, {})
        if width not in held:
            codes = _codes(haystack.text)
            hashes = _hashes(codes, width)
            seps = np.concatenate(([0], np.cumsum(codes == ord(SEPARATOR))))
            clean = np.flatnonzero(seps[width:] - seps[:-width] == 0)
            order = np.argsort(hashes[clean], kind="stable")
            # the arrays are shared with newer snapshots (which append): copy this one's part
            starts = np.array(haystack.starts[:], dtype=np.int64)
            mine = int(np.searchsorted(starts, len(haystack.text)))
            held[width] = (hashes[clean][order], clean[order], starts[:mine],
                           np.array(haystack.docs[:mine], dtype=np.int64))
        return held[width]


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)


def _hashes(codes: np.ndarray, width: int) -> np.ndarray:
    """The polynomial hash (mod 2**64) of every window of `width` codes."""
    n = len(codes) - width + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):
            h = h * BASE + codes[j:j + n]
    return h


def paragraph_rows(snapshot, pids) -> dict[int, tuple[str, str, str]]:
    """pid → (report id, paragraph id, text) of these paragraphs."""
    pids = sorted({int(p) for p in pids})
    if not pids:
        return {}
    rows = snapshot.store.connection().execute(
        f"SELECT id, report_id, paragraph_id, text FROM paragraphs WHERE id IN ({', '.join('?' * len(pids))})",
        pids)
    return {pid: (rid, par, text) for pid, rid, par, text in rows}
