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
  characters, report ordinal, part code, whether it is a heading, whether it is a report's
  title (`index.documents`);
- `.reports.json` the report ids the ordinals name;
- `.wpids.npy`, `.woffs.npy`, `.vocab.json` the jieba words' doc sets (the `tokens` column the
  Whoosh word index is built from): word k's paragraphs are `wpids[woffs[k]:woffs[k + 1]]`,
  so a bare word's doc set is a slice, not Whoosh posting blocks unpickled one by one
  (Whoosh still ranks word matches: BM25F).
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
import threading
from array import array
from contextlib import contextmanager
from itertools import count, repeat
from pathlib import Path
from typing import Iterator, Optional

import numpy as np
from pydivsufsort import divsufsort

from archive.rules import PARTS
from index.store import EXACT_ROWS

FOLDER = "exact"
STATE_FILE = "state.json"
SEPARATOR = "\n"
ENCODING = "utf-16-be"
PART_CODES = {p: i for i, p in enumerate(PARTS)}  # code len(PARTS): no / unknown part
FOUND_ENTRIES, FOUND_SLOTS = 1024, 4_000_000  # phrases remembered per base, slots they hold
EXTENSIONS = ("text", "sa.npy", "docs.npy", "wpids.npy", "woffs.npy", "reports.json", "vocab.json")
DOC_FIELDS = [("pid", "<i8"), ("start", "<i8"), ("length", "<i4"), ("report", "<i4"), ("part", "i1"),
              ("heading", "?"), ("title", "?")]


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
        # the columns every lookup searches, contiguous (a field of the mapped records is strided)
        self.starts = np.ascontiguousarray(self.docs["start"])
        self.pids = np.ascontiguousarray(self.docs["pid"])
        # the heading and title paragraphs' pids (None: a base written before the field existed)
        self.kinds = {kind: self.pids[np.asarray(self.docs[kind])]
                      for kind in ("heading", "title") if kind in (self.docs.dtype.names or ())}
        self.report_ids: list[str] = json.loads(Path(f"{stem}.reports.json").read_text(encoding="utf-8"))
        self.word_pids = np.load(f"{stem}.wpids.npy", mmap_mode="r")
        self.word_offsets = np.load(f"{stem}.woffs.npy", mmap_mode="r")
        self._vocab_file = Path(f"{stem}.vocab.json")
        self._vocab: Optional[dict[str, int]] = None
        self.last_pid = int(self.pids[-1]) if len(self.pids) else 0
        self.chars = size // 2
        self._found: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # phrase → occurrences
        self._found_slots = 0
        self._found_lock = threading.Lock()

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
        """(doc slots holding `phrase`, occurrences in each), slots ascending. Remembered for
        the base's lifetime (it never changes): every later generation of the index, while
        an import commits batch after batch, reuses it and only scans its own delta."""
        found = self._found.get(phrase)
        if found is None:
            found = self._occurrences(phrase)
            with self._found_lock:
                self._found_slots += len(found[0])
                if len(self._found) >= FOUND_ENTRIES or self._found_slots > FOUND_SLOTS:
                    self._found, self._found_slots = {}, len(found[0])
                self._found[phrase] = found
        return found

    def forget(self) -> None:
        """Drop the remembered occurrences (the bench measures what a new phrase costs)."""
        with self._found_lock:
            self._found, self._found_slots = {}, 0

    def _occurrences(self, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        where = self.find(phrase)
        if not len(where):
            return where, where
        where.sort()  # sorted needles: searchsorted walks the starts once, slots come sorted
        slots = np.searchsorted(self.starts, where, side="right") - 1
        if len(slots) * 4 > len(self.starts):  # many: count every slot at once
            counts = np.bincount(slots, minlength=len(self.starts))
            found = np.flatnonzero(counts)
            return found, counts[found]
        first = np.flatnonzero(np.concatenate(([True], slots[1:] != slots[:-1])))
        return slots[first], np.diff(np.append(first, len(slots)))

    def fill_ins(self, left: str, right: str, width: int, cap: int) -> set[str]:
        """Every `width`-character string X (within one paragraph) such that left + X + right
        occurs: the occurrences of the longer side, found in the suffix array, are read on —
        array operations over the mapped text, no Python per occurrence — (none when that
        side is empty or occurs more than `cap` times)."""
        on_left = len(left) >= len(right)
        anchor, other = (left, right) if on_left else (right, left)
        where = self.find(anchor) if anchor else ()
        if not len(where) or len(where) > cap:
            return set()
        units = np.frombuffer(self.text, dtype=">u2")
        start = where + len(left) if on_left else where - width   # X starts here (characters)
        other_start = start + width if on_left else start - len(other)
        ok = (np.minimum(start, other_start) >= 0) & (np.maximum(start + width, other_start + len(other)) <= len(units))
        start, other_start = start[ok], other_start[ok]
        for k, ch in enumerate(other):  # the other side, character by character
            keep = units[other_start + k] == ord(ch)
            start, other_start = start[keep], other_start[keep]
        filled = np.stack([units[start + k] for k in range(width)], axis=1) if len(start) else np.empty((0, width))
        filled = np.unique(filled, axis=0)
        return {x for x in ("".join(map(chr, row)) for row in filled.tolist()) if SEPARATOR not in x}

    def word_docs(self, word: str) -> np.ndarray:
        """The pids of the base's paragraphs indexed under the jieba word `word`, ascending."""
        if self._vocab is None:  # read on the first word query (a thread may race: same result)
            words = json.loads(self._vocab_file.read_text(encoding="utf-8"))
            self._vocab = {w: i for i, w in enumerate(words)}
        i = self._vocab.get(word)
        if i is None:
            return np.empty(0, dtype=np.int64)
        return np.asarray(self.word_pids[self.word_offsets[i]:self.word_offsets[i + 1]])

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
    """The newest base of `epoch`, or None (none built yet, or of an older epoch). A builder
    may replace the base between reading its name and opening its files: read it again."""
    for _ in range(3):
        name = current(index_dir)
        if name is None or int(name.split("-")[0]) != epoch:
            return None
        try:
            return ExactBase(folder_of(index_dir), name)
        except (OSError, ValueError):
            continue
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
            _write(folder, name, con.execute(EXACT_ROWS, (0,)))
        finally:
            con.execute("COMMIT")
        old = current(index_dir)
        tmp = folder / f"{STATE_FILE}.tmp"
        tmp.write_text(json.dumps({"name": name}), encoding="utf-8")
        os.replace(tmp, folder / STATE_FILE)
        if old and old != name:  # open maps of the old files stay valid (POSIX)
            for path in folder.glob(f"{old}.*"):
                path.unlink(missing_ok=True)
        return name


def _write(folder: Path, name: str, rows: Iterator[tuple]) -> None:
    """Stream the rows (pid order) into the base's files, written under temporary names."""
    reports: dict[str, int] = {}
    vocab: dict[str, int] = {}
    pids, lengths, ordinals, parts = array("q"), array("i"), array("i"), array("b")
    data = bytearray()  # the text, encoded as it streams in (no list of strings, no join)
    headings, titles = array("b"), array("b")
    word_ids, word_pids = array("i"), array("i")
    for pid, rid, part, kind, folded, tokens in rows:
        pids.append(pid)
        headings.append(kind == "heading")
        titles.append(kind == "title")
        lengths.append(len(folded))
        ordinals.append(reports.setdefault(rid, len(reports)))
        parts.append(PART_CODES.get(part, len(PARTS)))
        data += encode(SEPARATOR + folded)
        words = set(tokens.split())
        new = words.difference(vocab)  # set operations and maps: no Python bytecode per word
        if new:
            vocab.update(zip(new, count(len(vocab))))
        word_ids.extend(map(vocab.__getitem__, words))
        word_pids.extend(repeat(pid, len(words)))
    docs = np.zeros(len(pids), dtype=DOC_FIELDS)
    docs["pid"], docs["length"], docs["report"], docs["part"] = pids, lengths, ordinals, parts
    docs["heading"], docs["title"] = headings, titles
    data = bytes(data)
    # in code units (a character outside the BMP is two): where each separator is
    docs["start"] = np.flatnonzero(np.frombuffer(data, dtype=">u2") == ord(SEPARATOR))
    tmp = folder / f".{name}.{os.getpid()}"
    Path(f"{tmp}.text").write_bytes(data)
    _save(f"{tmp}.sa.npy", _suffix_array(data))
    del data
    _save(f"{tmp}.docs.npy", docs)
    # word postings: the pids of each word (ascending), one slice per word
    word_ids = np.frombuffer(word_ids, dtype=np.int32)
    order = np.argsort(word_ids, kind="stable")
    _save(f"{tmp}.wpids.npy", np.frombuffer(word_pids, dtype=np.int32)[order])
    _save(f"{tmp}.woffs.npy", np.concatenate(
        ([0], np.cumsum(np.bincount(word_ids, minlength=len(vocab))))).astype(np.int64))
    Path(f"{tmp}.reports.json").write_text(json.dumps(list(reports), ensure_ascii=False), encoding="utf-8")
    Path(f"{tmp}.vocab.json").write_text(json.dumps(list(vocab), ensure_ascii=False), encoding="utf-8")
    for ext in EXTENSIONS:  # state.json names them last
        os.replace(f"{tmp}.{ext}", folder / f"{name}.{ext}")


def _save(path: str, values: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, values)


def _suffix_array(data: bytes) -> np.ndarray:
    """Sorted character offsets of the suffixes that start a character other than the
    separator: libdivsufsort over the bytes, keeping even byte offsets (the low byte of
    each entry is read through a strided view: no full-size temporary)."""
    if not data:
        return np.empty(0, dtype=np.uint32)
    units = np.frombuffer(data, dtype=">u2")
    sa = divsufsort(data)  # bytes: passed to C without a copy
    low = sa.view(np.uint8)[::sa.itemsize]  # little-endian: the low byte comes first
    sa = sa[(low & 1) == 0]
    sa >>= 1
    sa = sa[units[sa] != ord(SEPARATOR)]
    return sa.view(np.uint32) if sa.dtype == np.int32 else sa  # offsets ≥ 0: no copy
