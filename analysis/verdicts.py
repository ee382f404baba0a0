"""Verdicts set by hand on the tracker: a reviewer reads a problem or plan item beside the next
report and says what happened, whatever the score said. Kept with their audit trail in one
append-only file, `data/verdicts.jsonl`, one line per verdict given:

    {"at": "2025-03-01T08:00:00+00:00", "who": "张三", "address": "10.0.0.7",
     "earlier": "青石镇-2022", "later": "青石镇-2023", "kind": "problem", "paragraph_id": "二.1",
     "n": 2, "item": "<hash of the item's folded text>", "verdict": "repeated", "note": "…"}

The latest line for an item wins; an item whose text changed since (a re-import) no longer
matches its hash, so an old verdict never lands on other words.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Optional

from analysis.rectification import PairReview
from archive.errors import ArchiveError
from archive.folding import fold

FILE = "verdicts.jsonl"
PROBLEM_VERDICTS = ("repeated", "answered", "review", "open")
PLAN_VERDICTS = ("done", "review", "open")
NOTE_MAX = 200
_cache: dict[Path, tuple[tuple, dict]] = {}
_lock = threading.Lock()


def item_hash(text: str) -> str:
    return hashlib.sha1(fold(text).encode("utf-8")).hexdigest()[:16]


def _path(archive) -> Path:
    return Path(archive.data_dir) / FILE


def record(archive, earlier: str, later: str, kind: str, paragraph_id: str, n: int, text: str,
           verdict: str, who: str = "", address: str = "", note: str = "") -> dict:
    """Append one verdict (ArchiveError with a Chinese message when it is not a valid one)."""
    allowed = PROBLEM_VERDICTS if kind == "problem" else PLAN_VERDICTS if kind == "plan" else ()
    if verdict not in allowed:
        raise ArchiveError(f"无效的判断：{verdict}")
    entry = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
             "who": who[:40], "address": address[:60], "earlier": earlier, "later": later,
             "kind": kind, "paragraph_id": paragraph_id, "n": int(n), "item": item_hash(text),
             "verdict": verdict, "note": note.strip()[:NOTE_MAX]}
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    fd = os.open(_path(archive), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))   # one write: lines of two writers never interleave
    finally:
        os.close(fd)
    return entry


def entries(archive) -> list[dict]:
    """Every verdict given, oldest first (damaged lines skipped); re-read only when the file
    changed."""
    path = _path(archive)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return []
    key = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        held = _cache.get(path)
        if held and held[0] == key:
            return held[1]["entries"]
    found = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and {"earlier", "later", "kind", "paragraph_id", "n", "item",
                                        "verdict"} <= entry.keys():
            found.append(entry)
    with _lock:
        _cache[path] = (key, {"entries": found})
    return found


def for_pair(archive, earlier: str, later: str) -> dict[tuple, dict]:
    """(kind, paragraph id, n, item hash) → the latest verdict on that item of the pair."""
    return {(e["kind"], e["paragraph_id"], e["n"], e["item"]): e
            for e in entries(archive) if e["earlier"] == earlier and e["later"] == later}


def history(archive, earlier: str, later: str) -> list[dict]:
    """The pair's verdicts as given, newest first (the audit trail)."""
    return [e for e in reversed(entries(archive)) if e["earlier"] == earlier and e["later"] == later]


def applied(archive, earlier: str, later: str, review: Optional[PairReview]) -> Optional[PairReview]:
    """`review` with the reviewers' verdicts on its items (a copy: the computed review is shared)."""
    if review is None:
        return None
    given = for_pair(archive, earlier, later)
    if not given:
        return review

    def verdict(kind, item) -> Optional[str]:
        entry = given.get((kind, item.paragraph_id, item.n, item_hash(item.text)))
        return entry["verdict"] if entry else None

    return PairReview([replace(f, manual=verdict("problem", f.problem)) for f in review.problems],
                      [replace(f, manual=verdict("plan", f.plan)) for f in review.plans])
