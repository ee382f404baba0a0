"""Where the windows of a text occur in the index: every run of `width` folded characters of the
text, looked up among the live paragraphs of one snapshot. Text reuse (`analysis.reuse`) is
built on it: a passage two reports share is a run of consecutive windows found at consecutive
places of one paragraph.

The exact base answers through its suffix array: two binary searches per window, run for all
the windows of a paragraph at once as numpy arrays (nothing is built). The delta (paragraphs written after the base) is hashed once per snapshot, every
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


def window_hits(snapshot, texts: list[str], width: int, limit: int) -> list[WindowHits]:
    """Every `width`-character window of each folded text (one paragraph each) in `snapshot`,
    the texts looked up together (one pass of array operations for a whole report)."""
    joined = SEPARATOR.join(texts)
    n = len(joined) - width + 1
    empty = np.empty(0, dtype=np.int64)
    if n <= 0:
        return [WindowHits(width, np.zeros(max(0, len(t) - width + 1), dtype=np.int64),
                           empty, empty, empty, empty) for t in texts]
    codes = _codes(joined)
    seps = np.concatenate(([0], np.cumsum(codes == ord(SEPARATOR))))
    valid = np.flatnonzero(seps[width:width + n] - seps[:n] == 0)   # windows inside one text
    count = np.zeros(n, dtype=np.int64)
    found = [_base_hits(snapshot, joined, valid, width, limit, count),
             _delta_hits(snapshot, codes, valid, width, count)]
    at, pid, offset = (np.concatenate([f[k] for f in found]) for k in range(3))
    report = snapshot.pid_report[pid].astype(np.int64) if len(pid) else pid
    live = report >= 0
    at, pid, offset, report = at[live], pid[live], offset[live], report[live]
    out, start = [], 0
    for text in texts:
        windows = max(0, len(text) - width + 1)
        mine = (at >= start) & (at < start + windows)
        out.append(WindowHits(width, count[start:start + windows].copy(), at[mine] - start, pid[mine],
                              offset[mine], report[mine]))
        start += len(text) + 1
    return out


def _base_hits(snapshot, joined: str, valid: np.ndarray, width: int, limit: int, count: np.ndarray):
    base = snapshot.base
    empty = np.empty(0, dtype=np.int64)
    if base is None or not len(base.sa) or not len(valid):
        return empty, empty, empty
    query = np.frombuffer(joined.encode("utf-16-be", "surrogatepass"), dtype=">u2")
    if len(query) != len(joined):   # a character outside the BMP: windows by character, one by one
        found = {int(i): base.find(joined[i:i + width]) for i in valid}
        sizes = np.array([len(found[int(i)]) for i in valid], dtype=np.int64)
    else:
        keys = np.lib.stride_tricks.sliding_window_view(query, width)[valid].astype(np.int32)
        lo, hi = _ranges(base, keys)
        sizes, found = hi - lo, None
    count[valid] += sizes
    listed = np.flatnonzero((sizes > 0) & (sizes <= limit))
    if not len(listed):
        return empty, empty, empty
    at = np.repeat(valid[listed], sizes[listed])
    if found is None:
        starts = np.repeat(lo[listed] - np.concatenate(([0], np.cumsum(sizes[listed])[:-1])), sizes[listed])
        where = np.asarray(base.sa[starts + np.arange(len(at))], dtype=np.int64)
    else:
        where = np.concatenate([found[int(valid[k])] for k in listed]).astype(np.int64)
    slots = np.searchsorted(base.starts, where, side="right") - 1
    return at, base.pids[slots].astype(np.int64), where - base.starts[slots] - 1


def _ranges(base, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The suffix-array range [lo, hi) of every key (a row of code units), all keys at once:
    two binary searches run side by side over numpy arrays (about 2 × log2 N gathers of the
    mapped text, none per key in Python)."""
    units = np.frombuffer(base.text, dtype=">u2")
    sa = base.sa
    n, width = keys.shape
    span = np.arange(width)

    def compare(mid: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """-1, 0 or 1: the suffix at sa[mid] (cut to the key's width) against each key."""
        pos = np.asarray(sa[mid], dtype=np.int64)[:, None] + span
        got = np.where(pos < len(units), units[np.minimum(pos, len(units) - 1)], 0).astype(np.int32)
        diff = got - keys[rows]
        first = np.argmax(diff != 0, axis=1)
        return np.sign(diff[np.arange(len(rows)), first])

    def bound(upper: bool) -> np.ndarray:
        lo, hi = np.zeros(n, dtype=np.int64), np.full(n, len(sa), dtype=np.int64)
        active = np.flatnonzero(lo < hi)
        while len(active):
            mid = (lo[active] + hi[active]) // 2
            c = compare(mid, active)
            right = (c < 0) | ((c == 0) & upper)
            lo[active[right]] = mid[right] + 1
            hi[active[~right]] = mid[~right]
            active = active[lo[active] < hi[active]]
        return lo
    return bound(False), bound(True)


def _delta_hits(snapshot, codes: np.ndarray, valid: np.ndarray, width: int, count: np.ndarray):
    empty = np.empty(0, dtype=np.int64)
    table = _delta_table(snapshot, width)
    if table is None or not len(valid):
        return empty, empty, empty
    hashes, positions, starts, docs = table
    query = _hashes(codes, width)[valid]
    lo, hi = np.searchsorted(hashes, query, "left"), np.searchsorted(hashes, query, "right")
    sizes = hi - lo
    count[valid] += sizes
    if not sizes.any():
        return empty, empty, empty
    at = np.repeat(valid, sizes)
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
