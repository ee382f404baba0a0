"""The exact layer's lookup structure: a suffix array over the folded text of every paragraph
of one index generation, on disk and memory-mapped (opening it reads nothing but a header).

A quoted phrase of any length is two binary searches over the suffix array (about 2 × log2 N
comparisons of a few bytes, each reading a page or two of the mapped files): its occurrences
are one contiguous slice of the array, whatever the archive's size. Their paragraphs are found
with one `numpy.searchsorted` over the paragraphs' start offsets, so even a phrase in a third
of all paragraphs costs array operations only, no Python per hit.

Files of one base, `exact/<epoch>-<generation>.*` (the SQLite state it reflects):
- `.text`  the folded paragraphs in paragraph-id order, each preceded by "\\n" (never in folded
  text, so no match spans two paragraphs), UTF-16-BE: every BMP character is 2 bytes, so a
  character offset is half a byte offset, and byte order equals code-unit order;
- `.sa.npy`  the character offsets of every suffix that starts a character other than "\\n",
  sorted (libdivsufsort via `pydivsufsort` over the bytes, odd offsets dropped);
- `.docs.npy` per paragraph: pid, start (code-unit offset of its separator), length in
  characters, report ordinal, part code;
- `.reports.json` the report ids the ordinals name.
`state.json` names the newest complete base; a base is written under temporary names and
renamed into place, so readers never see half a file. Paragraphs written after the base are
the caller's "delta" (`index.snapshot` scans them in memory) until the next base is built.
"""
from __future__ import annotations

import fcntl
import json
import mmap
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import numpy as np
from pydivsufsort import divsufsort

from archive.model import PARTS

FOLDER = "exact"
STATE_FILE = "state.json"
SEPARATOR = "\n"
ENCODING = "utf-16-be"
PART_CODES = {p: i for i, p in enumerate(PARTS)}  # code len(PARTS): no / unknown part
DOC_FIELDS = [("pid", "<i8"), ("start", "<i8"), ("length", "<i4"), ("report", "<i4"), ("part", "i1")]


def encode(text: str) -> bytes:
    return text.encode(ENCODING, "surrogatepass")


class ExactBase:
    """One memory-mapped base. `find(phrase)` → the character offsets of every occurrence."""

    def __init__(self, folder: Path, name: str):
        self.name = name
        self.epoch, self.generation = map(int, name.split("-"))
        stem = folder / name
        with open(f"{stem}.text", "rb") as f:
            size = os.fstat(f.fileno()).st_size
            self.text = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self.sa = np.load(f"{stem}.sa.npy", mmap_mode="r")
        self.docs = np.load(f"{stem}.docs.npy", mmap_mode="r")
        self.report_ids: list[str] = json.loads(Path(f"{stem}.reports.json").read_text(encoding="utf-8"))
        self.last_pid = int(self.docs["pid"][-1]) if len(self.docs) else 0
        self.chars = size // 2

    def _bound(self, key: bytes, upper: bool) -> int:
        """First suffix-array index whose suffix (cut to len(key)) is > key (upper) / ≥ key."""
        sa, text, n = self.sa, self.text, len(key)
        lo, hi = 0, len(sa)
        while lo < hi:
            mid = (lo + hi) // 2
            at = 2 * int(sa[mid])
            piece = text[at:at + n]
            if piece < key or (upper and piece == key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def find(self, phrase: str) -> np.ndarray:
        """Character offsets (into `text`) of every occurrence of the folded `phrase`."""
        if not phrase or not len(self.sa):
            return np.empty(0, dtype=np.int64)
        key = encode(phrase)
        lo = self._bound(key, upper=False)
        hi = self._bound(key, upper=True)
        return np.asarray(self.sa[lo:hi], dtype=np.int64)

    def occurrences(self, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        """(doc slots holding `phrase`, occurrences in each), slots ascending."""
        where = self.find(phrase)
        if not len(where):
            return where, where
        slots = np.searchsorted(self.docs["start"], where, side="right") - 1
        if len(slots) * 8 > len(self.docs):  # many hits: count all slots at once
            counts = np.bincount(slots, minlength=len(self.docs))
            found = np.flatnonzero(counts)
            return found, counts[found]
        return np.unique(slots, return_counts=True)

    def close(self) -> None:
        if isinstance(self.text, mmap.mmap):
            self.text.close()


def folder_of(index_dir: Path) -> Path:
    return Path(index_dir) / FOLDER


def current(index_dir: Path) -> Optional[str]:
    """Name of the newest complete base, if any."""
    try:
        state = json.loads((folder_of(index_dir) / STATE_FILE).read_text(encoding="utf-8"))
        return state["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def open_base(index_dir: Path, epoch: int) -> Optional[ExactBase]:
    """The newest base of `epoch`, or None (none built yet, or of an older epoch)."""
    name = current(index_dir)
    if name is None or int(name.split("-")[0]) != epoch:
        return None
    try:
        return ExactBase(folder_of(index_dir), name)
    except (OSError, ValueError):
        return None


@contextmanager
def _build_lock(folder: Path, wait: bool) -> Iterator[bool]:
    """One builder at a time per folder (processes too); yields False when busy and not waiting."""
    with open(folder / ".lock", "a+b") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def build(index_dir: Path, con: sqlite3.Connection, wait: bool = True) -> Optional[str]:
    """Write a base of what `con` sees (read in one transaction) and make it current; returns
    its name, or None when another builder holds the lock and `wait` is False."""
    folder = folder_of(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with _build_lock(folder, wait) as got:
        if not got:
            return None
        con.execute("BEGIN")
        try:
            state = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('epoch', 'generation')"))
            name = f"{state['epoch']}-{state['generation']}"
            if current(index_dir) == name:
                return name
            rows = con.execute("SELECT id, report_id, part, folded FROM paragraphs ORDER BY id").fetchall()
        finally:
            con.execute("COMMIT")
        _write(folder, name, rows)
        old = current(index_dir)
        tmp = folder / f"{STATE_FILE}.tmp"
        tmp.write_text(json.dumps({"name": name}), encoding="utf-8")
        os.replace(tmp, folder / STATE_FILE)
        if old and old != name:  # open maps of the old files stay valid (POSIX)
            for path in folder.glob(f"{old}.*"):
                path.unlink(missing_ok=True)
        return name


def _write(folder: Path, name: str, rows: list[tuple]) -> None:
    reports: dict[str, int] = {}
    docs = np.zeros(len(rows), dtype=DOC_FIELDS)
    docs["pid"] = [r[0] for r in rows]
    docs["length"] = [len(r[3]) for r in rows]
    docs["report"] = [reports.setdefault(r[1], len(reports)) for r in rows]
    docs["part"] = [PART_CODES.get(r[2], len(PARTS)) for r in rows]
    data = encode("".join(SEPARATOR + r[3] for r in rows))
    del rows
    # in code units (a character outside the BMP is two): where each separator is
    docs["start"] = np.flatnonzero(np.frombuffer(data, dtype=">u2") == ord(SEPARATOR))
    sa = _suffix_array(data)
    tmp = folder / f".{name}.{os.getpid()}"
    Path(f"{tmp}.text").write_bytes(data)
    with open(f"{tmp}.sa.npy", "wb") as f:
        np.save(f, sa)
    with open(f"{tmp}.docs.npy", "wb") as f:
        np.save(f, docs)
    Path(f"{tmp}.reports.json").write_text(json.dumps(list(reports), ensure_ascii=False), encoding="utf-8")
    for ext in ("text", "sa.npy", "docs.npy", "reports.json"):  # state.json names them last
        os.replace(f"{tmp}.{ext}", folder / f"{name}.{ext}")


def _suffix_array(data: bytes) -> np.ndarray:
    """Sorted character offsets of the suffixes that start a character other than the
    separator: libdivsufsort over the bytes, keeping even byte offsets."""
    if not data:
        return np.empty(0, dtype=np.uint32)
    units = np.frombuffer(data, dtype=">u2")
    sa = divsufsort(data)  # bytes: passed to C without a copy
    sa = sa[(sa & 1) == 0]
    sa >>= 1
    sa = sa[units[sa] != ord(SEPARATOR)]
    return sa.astype(np.uint32 if len(units) < 2 ** 32 else np.int64)
