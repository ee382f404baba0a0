"""What one index generation is, for the searchers: the memory-mapped exact base
(`index.exact`), the paragraphs written after it (the delta, folded text in memory, scanned),
per-paragraph arrays (report, part, length) and per-report arrays (year, place codes), all
numpy. A snapshot never changes after it is built, so threads share it freely; everything a
query computes from it is cached in `Snapshot.cache` (thread-safe, bounded), which dies with it.

Doc sets are sorted `numpy` arrays of paragraph ids (the SQLite row ids, never reused within an
epoch; the Whoosh word index numbers paragraphs the same way). Set operations go through a
boolean mask over the id space: O(ids) in C, no Python per doc.

Loading reads the reports table, the ids of reports changed since the base, and the delta rows;
not the base's text. A later generation of the same base is refreshed from the previous one by
reading only what changed. When no base of this epoch exists yet (a new or upgraded index, or a
crash before it was built) the delta is the whole archive, and a background thread builds one.
"""
from __future__ import annotations

import operator
import re
import threading
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from functools import lru_cache
from itertools import accumulate, repeat
from typing import Iterable, Optional

import numpy as np

from archive.folding import fold
from archive.pinyin import pinyin_key
from archive.rules import PARTS
from index import exact
from index.analysis import learn_words, query_words
from index.query import And, Not, Or, Scope, Term
from index.store import Store
from index.wordindex import WordIndex

CACHE_SIZE = 512
CACHE_DOCS = 4_000_000  # doc ids held by one cache (~32 MB of arrays) before it starts afresh
PLACES = ("town", "county", "city", "province")
REPORT_FIELDS = ("year",) + PLACES + ("genre", "level")   # what a report scope or facet reads
SPLIT_ABOVE = 2000  # occurrences (estimated) above which `Haystack.counts` splits, not finds
SPLIT_CHUNK = 4_000_000  # characters split at a time (the pieces are a copy of them)
SAMPLE = 1_000_000  # characters the estimate is counted on
JOIN_BATCH = 4096  # paragraphs joined at a time while loading
NEAR_MAX = 30      # phrases longer than this get no near-phrase suggestions
NEAR_ANCHOR = 2    # characters a variant's unchanged side needs to be looked up by
NEAR_TWO = 5       # a phrase this long may have two characters changed or put in (inside it)
NEAR_CAP = 50_000  # occurrences of that side read at most (a commoner side is skipped)
SEPARATOR = exact.SEPARATOR
NO_PART = len(PARTS)
EMPTY = np.empty(0, dtype=np.int64)
KINDS = ("heading", "title")  # the paragraph kinds besides body text the snapshot knows by id
# The heading / title paragraphs of each exact base written before its docs said
# (`Snapshot.kind_docs`), while the base is in use.
_BASE_KINDS: "weakref.WeakKeyDictionary[exact.ExactBase, dict]" = weakref.WeakKeyDictionary()
_BASE_KINDS_LOCK = threading.Lock()


class Cache(dict):
    """At most CACHE_SIZE entries and CACHE_DOCS doc ids: memory stays bounded however many
    different queries come. Threads share it: read with `get` only (a `put` may clear it)."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.docs = 0

    def put(self, key, value, weight: int = 1):
        with self.lock:
            if len(self) >= CACHE_SIZE or self.docs + weight > CACHE_DOCS:
                super().clear()
                self.docs = 0
            self[key] = value
            self.docs += weight
        return value

    def clear(self):
        with self.lock:
            super().clear()
            self.docs = 0


class Reports:
    """Per-report arrays, indexed by report ordinal; the last slot (ordinal -1) is the
    "no report" of a dead paragraph, so `array[pid_report]` needs no masking."""

    def __init__(self, ids: list[str], rows: dict[str, tuple]):
        self.ids = ids                                   # ordinal → report id
        self.ordinal = {rid: i for i, rid in enumerate(ids)}
        self.rows = rows                                 # report id → REPORT_FIELDS
        self.live = np.zeros(len(ids) + 1, dtype=bool)
        for rid in rows:
            self.live[self.ordinal[rid]] = True
        self._codes: dict[str, tuple[np.ndarray, list]] = {}
        self._lock = threading.Lock()

    def with_changes(self, changed: dict[str, Optional[tuple]]) -> "Reports":
        """A copy where these reports have new rows (None: deleted); new ids are appended."""
        ids = self.ids + [rid for rid in changed if rid not in self.ordinal]
        rows = dict(self.rows)
        for rid, row in changed.items():
            if row is None:
                rows.pop(rid, None)
            else:
                rows[rid] = row
        return Reports(ids, rows)

    def codes(self, field: str) -> tuple[np.ndarray, list]:
        """(code per ordinal, values): a report field as small integers for `bincount`."""
        found = self._codes.get(field)
        if found is None:
            i = REPORT_FIELDS.index(field)
            values: dict = {None: 0}
            codes = np.zeros(len(self.ids) + 1, dtype=np.int32)
            for rid, row in self.rows.items():
                codes[self.ordinal[rid]] = values.setdefault(row[i] if row[i] != "" else None, len(values))
            found = (codes, list(values))
            with self._lock:
                self._codes[field] = found
        return found

    def rank(self, field: str) -> np.ndarray:
        """Sort rank per ordinal: by report id, or by town in pinyin order (no town last)."""
        key = ("rank", field)
        found = self._codes.get(key)
        if found is None:
            if field == "report_id":
                order = sorted(range(len(self.ids)), key=self.ids.__getitem__)
            else:
                i = REPORT_FIELDS.index(field)
                names = [(self.rows.get(rid) or (None,) * len(REPORT_FIELDS))[i] for rid in self.ids]
                order = sorted(range(len(self.ids)), key=lambda o: (
                    names[o] is None, pinyin_key(names[o])))
            found = np.zeros(len(self.ids) + 1, dtype=np.int64)
            found[order] = np.arange(len(order))
            with self._lock:
                self._codes[key] = found
        return found


class Snapshot:
    """The view of one (epoch, generation); build with `load` or `refreshed`."""

    def __init__(self, store: Store, words: WordIndex, state: tuple[int, int],
                 base: Optional[exact.ExactBase], reports: Reports, pid_report: np.ndarray,
                 pid_part: np.ndarray, pid_len: np.ndarray, delta: "Delta", last_pid: int):
        self.store = store
        self.words = words
        self.epoch, self.generation = state
        self.base = base
        self.reports = reports
        self.pid_report = pid_report  # report ordinal per paragraph id; -1: none / replaced
        self.pid_part = pid_part
        self.pid_len = pid_len
        self.delta = delta            # paragraphs after the base (may hold replaced ones)
        self.last_pid = last_pid
        self.alive = np.flatnonzero(pid_report >= 0)
        self.report_year = {rid: row[0] for rid, row in reports.rows.items()}
        self.reports_per_year = Counter(y for y in self.report_year.values() if y is not None)
        self.avg_len = float(pid_len[self.alive].mean()) if len(self.alive) else 1.0
        self.cache = Cache()  # every per-query result of this generation (index.searcher's too)

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, store: Store, words: WordIndex, state: tuple[int, int],
             base: Optional[exact.ExactBase]) -> "Snapshot":
        """Everything of `state` (read inside one SQLite read transaction); `base` must be of
        an earlier or the same generation (open it before the transaction begins)."""
        rows = _report_rows(store, None)
        ids = list(base.report_ids) if base is not None else []
        known = set(ids)
        ids += sorted(r for r in rows if r not in known)
        reports = Reports(ids, rows)
        size = store.last_paragraph_number() + 1
        pid_report = np.full(size, -1, dtype=np.int32)
        pid_part = np.full(size, NO_PART, dtype=np.int8)
        pid_len = np.zeros(size, dtype=np.int32)
        after = 0
        if base is not None:
            docs = base.docs
            changed = store.changed_since(base.generation)
            stale = np.array([i for i, r in enumerate(base.report_ids) if r in changed or r not in rows]
                             + [-1], dtype=np.int64)
            keep = ~np.isin(docs["report"], stale)
            pids = np.asarray(docs["pid"][keep])
            pid_report[pids] = docs["report"][keep]
            pid_part[pids] = docs["part"][keep]
            pid_len[pids] = docs["length"][keep]
            after = base.last_pid
        delta = _read_delta(store, after, reports, pid_report, pid_part, pid_len, Delta())
        learn_words(name for row in rows.values() for name in row[1:4])
        return cls(store, words, state, base, reports, pid_report, pid_part, pid_len, delta,
                   size - 1)

    def refreshed(self, state: tuple[int, int], base: Optional[exact.ExactBase]) -> "Snapshot":
        """The snapshot of `state`: only what changed since this one is read (a new base or
        a new epoch: everything)."""
        if (state[0] != self.epoch or state[1] < self.generation
                or (base is not None and (self.base is None or base.name != self.base.name))):
            return Snapshot.load(self.store, self.words, state, base)
        changed = sorted(self.store.changed_since(self.generation))
        rows = _report_rows(self.store, changed)
        reports = self.reports.with_changes({rid: rows.get(rid) for rid in changed})
        size = self.store.last_paragraph_number() + 1
        pid_report, pid_part, pid_len = (_grown(a, size, fill) for a, fill in
                                         ((self.pid_report, -1), (self.pid_part, NO_PART),
                                          (self.pid_len, 0)))
        stale = [self.reports.ordinal[r] for r in changed if r in self.reports.ordinal]
        if stale:
            pid_report[np.isin(pid_report, stale)] = -1
        delta = _read_delta(self.store, self.last_pid, reports, pid_report, pid_part, pid_len,
                            self.delta)
        learn_words(name for row in rows.values() for name in row[1:4])
        return Snapshot(self.store, self.words, state, self.base, reports, pid_report, pid_part,
                        pid_len, delta, size - 1)

    def forget(self) -> None:
        """Drop every cached result of this generation, and the base's remembered phrases."""
        self.cache.clear()
        if self.base is not None:
            self.base.forget()

    @property
    def delta_chars(self) -> int:
        return len(self.delta.text.text)

    # --- doc sets ------------------------------------------------------------------------

    def mask(self, docs: np.ndarray) -> np.ndarray:
        m = np.zeros(len(self.pid_report), dtype=bool)
        m[docs] = True
        return m

    def intersect(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a is b:
            return a
        if b is self.alive or a is self.alive:  # the common case: no mask of the id space
            other = a if b is self.alive else b
            return other[self.pid_report[other] >= 0]
        if len(a) > len(b):
            a, b = b, a
        return a[self.mask(b)[a]] if len(a) else a

    def minus(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a[~self.mask(b)[a]] if len(a) and len(b) else a

    def union(self, sets: list[np.ndarray]) -> np.ndarray:
        sets = [s for s in sets if len(s)]
        if len(sets) <= 1:
            return sets[0] if sets else EMPTY
        m = np.zeros(len(self.pid_report), dtype=bool)
        for s in sets:
            m[s] = True
        return np.flatnonzero(m)

    def _cached(self, key, compute):
        found = self.cache.get(key)
        if found is None:
            found = compute()
            self.cache.put(key, found, _weight(found))
        return found

    # --- leaves ------------------------------------------------------------------------

    def folded(self, d: int) -> str:
        row = self.store.connection().execute("SELECT folded FROM paragraphs WHERE id = ?",
                                              (int(d),)).fetchone()
        return row[0] if row else ""

    def key(self, report_id: str, paragraph_id: str) -> Optional[int]:
        d = self.store.paragraph_number(report_id, paragraph_id)
        return d if d is not None and d < len(self.pid_report) and self.pid_report[d] >= 0 else None

    def report_of(self, d: int) -> Optional[str]:
        o = int(self.pid_report[d]) if d < len(self.pid_report) else -1
        return self.reports.ids[o] if o >= 0 else None

    def report_docs(self, report_id: str) -> np.ndarray:
        o = self.reports.ordinal.get(report_id)
        return EMPTY if o is None else np.flatnonzero(self.pid_report == o)

    def phrase_hits(self, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        """(live paragraphs whose folded text contains the folded `phrase`, ascending;
        occurrences in each): a lookup in the base, a scan of the delta."""
        return self._cached(("phrase", phrase), lambda: self._phrase_hits(phrase))

    def _phrase_hits(self, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        parts_d, parts_n = [], []
        if self.base is not None:
            slots, counts = self.base.occurrences(phrase)
            pids = self.base.pids[slots]
            live = self.pid_report[pids] >= 0
            parts_d.append(pids[live])
            parts_n.append(counts[live])
        found = self.delta.text.counts(phrase)
        if found:
            pids = np.fromiter(found, dtype=np.int64, count=len(found))
            counts = np.fromiter(found.values(), dtype=np.int64, count=len(found))
            order = np.argsort(pids)
            pids, counts = pids[order], counts[order]
            live = self.pid_report[pids] >= 0
            parts_d.append(pids[live])
            parts_n.append(counts[live])
        if not parts_d:
            return EMPTY, EMPTY
        return np.concatenate(parts_d), np.concatenate(parts_n)  # delta pids follow the base's

    def phrase_docs(self, phrase: str) -> np.ndarray:
        return self.phrase_hits(phrase)[0]

    def near_phrases(self, phrase: str, limit: int = 5) -> list[tuple[str, int]]:
        """Phrases one or two characters from the folded `phrase` (a character left out, one or
        two put in or changed side by side — two only inside a phrase of NEAR_TWO characters or
        more) that occur, with their live paragraphs: closest first, then most found. Found through the exact layer: each variant's unchanged side
        is looked up in the suffix array and the text read on (`ExactBase.fill_ins`), the
        delta by a scan."""
        if not 2 <= len(phrase) <= NEAR_MAX:
            return []
        n = len(phrase)
        found: dict[str, int] = {phrase[:i] + phrase[i + 1:]: 1 for i in range(n)} if n > 2 else {}
        for width in (1, 2):
            for left, right, changed in ([(phrase[:i], phrase[i + width:], True) for i in range(n - width + 1)]
                                         + [(phrase[:i], phrase[i:], False) for i in range(1, n)]):
                if max(len(left), len(right)) < NEAR_ANCHOR or (width == 2 and not (
                        left and right and n >= NEAR_TWO)):
                    continue  # two changed at an end, or in a short phrase: another phrase
                for x in self._fill_ins(left, right, width):
                    variant = left + x + right
                    distance = width if not changed else sum(a != b for a, b in zip(x, phrase[len(left):]))
                    if distance and found.get(variant, 3) > distance:
                        found[variant] = distance
        counted = [(variant, distance, len(self.phrase_docs(variant))) for variant, distance in found.items()
                   if variant not in phrase]  # a piece of the phrase is no correction of it
        ranked = sorted((c for c in counted if c[2]), key=lambda c: (c[1], -c[2], c[0]))
        return [(variant, count) for variant, _, count in ranked[:limit]]

    def _fill_ins(self, left: str, right: str, width: int) -> set[str]:
        out = self.base.fill_ins(left, right, width, NEAR_CAP) if self.base is not None else set()
        pattern = re.compile(re.escape(left) + f"([^{SEPARATOR}]{{{width}}})" + re.escape(right))
        out.update(m.group(1) for m in pattern.finditer(self.delta.text.text))
        return out

    def words_docs(self, text: str) -> np.ndarray:
        """Paragraphs holding every jieba word of `text` (in any order, anywhere)."""
        words = sorted(set(query_words(text)), key=len, reverse=True)  # rarer first, usually
        if not words:
            return EMPTY
        docs = self.word_docs(words[0])
        for word in words[1:]:
            if not len(docs):
                break
            docs = self.intersect(docs, self.word_docs(word))
        return docs

    def word_docs(self, word: str) -> np.ndarray:
        """Live paragraphs indexed under the jieba word `word`: a slice of the base's word
        postings, and a scan of the delta's words."""
        return self._cached(("word", word), lambda: self._word_docs(word))

    def _word_docs(self, word: str) -> np.ndarray:
        parts = []
        if self.base is not None:
            pids = self.base.word_docs(word).astype(np.int64)
            parts.append(pids[self.pid_report[pids] >= 0])
        found = self.delta.words.counts(f" {word} ")
        if found:
            pids = np.array(sorted(found), dtype=np.int64)
            parts.append(pids[self.pid_report[pids] >= 0])
        return np.concatenate(parts) if parts else EMPTY

    def word_scores(self, words: list[str], limit: Optional[int] = None) -> list[tuple[int, float]]:
        """(doc, BM25F) from the Whoosh word index of the paragraphs holding any of `words`,
        best first (top `limit`); none while it numbers paragraphs differently (a rebuild
        renumbers them, and the word index follows a moment later; after a crash, on the
        next write)."""
        return self.words.word_scores(words, "OR", limit) if self.words.state()[0] == self.epoch else []

    def kind_docs(self, kind: str) -> np.ndarray:
        """The ids of the paragraphs of this kind ("heading" or "title"; live or replaced): the
        base's (its docs say), and the delta's, read with its text. A base written before its
        docs said read them from SQLite once, kept with the base (a scan of the table: ~0.5 s
        on the laws)."""
        delta = self.delta.kinds.get(kind, EMPTY)
        if self.base is None:
            return delta
        with _BASE_KINDS_LOCK:
            found = self.base.kinds.get(kind)
            if found is None:
                found = _BASE_KINDS.get(self.base, {}).get(kind)
        if found is None:
            rows = self.store.connection().execute(
                "SELECT id FROM paragraphs WHERE kind = ? AND id <= ?", (kind, self.base.last_pid))
            found = np.array(sorted(d for (d,) in rows), dtype=np.int64)
            with _BASE_KINDS_LOCK:
                _BASE_KINDS.setdefault(self.base, {})[kind] = found
        return np.concatenate((found, delta))

    def scope_docs(self, scope: Scope) -> np.ndarray:
        return self._cached(("scope", scope.field, scope.value), lambda: self._scope_docs(scope))

    def _scope_docs(self, scope: Scope) -> np.ndarray:
        field, value = scope.field, scope.value
        if field == "report_id":
            return self.report_docs(value)
        if field == "section":
            code = PARTS.index(value) if value in PARTS else -1
            return self.alive[self.pid_part[self.alive] == code]
        if field == "kind":  # headings, titles, or body text ("text": neither)
            if value == "text":
                return self.minus(self.alive, self.union([self.kind_docs(k) for k in KINDS]))
            return self.intersect(self.kind_docs(value), self.alive) if value in KINDS else EMPTY
        if field == "heading":
            rows = self.store.connection().execute(
                "SELECT id FROM paragraphs WHERE instr(heading_folded, ?) > 0", (value,))
            return self.intersect(np.array(sorted(d for (d,) in rows), dtype=np.int64), self.alive)
        ok = np.zeros(len(self.reports.ids) + 1, dtype=bool)
        if field == "year":
            first, last = value
            for rid, row in self.reports.rows.items():
                ok[self.reports.ordinal[rid]] = row[0] is not None and first <= row[0] <= last
        elif field in ("genre", "level"):  # a code (archive.rules): exactly
            i = REPORT_FIELDS.index(field)
            for rid, row in self.reports.rows.items():
                ok[self.reports.ordinal[rid]] = row[i] == value
        else:  # a place: the exact name, or a name starting with it (town:赵集 → 赵集镇)
            i = REPORT_FIELDS.index(field)
            for rid, row in self.reports.rows.items():
                ok[self.reports.ordinal[rid]] = bool(row[i]) and _folded_name(row[i]).startswith(value)
        return self.alive[ok[self.pid_report[self.alive]]]

    # --- trees -------------------------------------------------------------------------

    def evaluate(self, node, strict: bool, within: Optional[np.ndarray] = None) -> np.ndarray:
        """The paragraphs matching `node` (only those in `within`, when given). Strict:
        unquoted Chinese runs match only exactly; loose: also by their words. What a NOT
        excludes is always the loose set."""
        within = self.alive if within is None else within
        if isinstance(node, Term):
            if node.kind == "words":
                return self.intersect(self.words_docs(node.folded), within)
            found = self.intersect(self.phrase_docs(node.folded), within)
            if node.kind == "phrase" or strict:
                return found
            return self.union([found, self.intersect(self.words_docs(node.folded), within)])
        if isinstance(node, Scope):
            return self.intersect(self.scope_docs(node), within)
        if isinstance(node, Or):
            return self.union([self.evaluate(c, strict, within) for c in node.children])
        if isinstance(node, Not):
            return self.minus(within, self.evaluate(node.child, False, within))
        if isinstance(node, And):
            positives = [c for c in node.children if not isinstance(c, Not)]
            negatives = [c.child for c in node.children if isinstance(c, Not)]
            docs = within
            for child in sorted(positives, key=lambda c: not isinstance(c, Scope)):
                docs = self.evaluate(child, strict, docs)
                if not len(docs):
                    return EMPTY
            for child in negatives:
                docs = self.minus(docs, self.evaluate(child, False, docs))
            return docs
        raise TypeError(f"unknown query node {node!r}")


_folded_name = lru_cache(maxsize=200_000)(fold)  # place names, folded once per process


def _weight(value) -> int:
    """Doc ids a cached value holds (arrays, tuples of arrays, or objects with `.docs`)."""
    if isinstance(value, np.ndarray):
        return len(value)
    if isinstance(value, tuple):
        return sum(_weight(v) for v in value)
    return len(getattr(value, "docs", ())) or 1


def _grown(values: np.ndarray, size: int, fill) -> np.ndarray:
    out = np.full(max(size, len(values)), fill, dtype=values.dtype)
    out[:len(values)] = values
    return out


def _report_rows(store: Store, report_ids: Optional[list[str]]) -> dict[str, tuple]:
    """{report id: REPORT_FIELDS}."""
    if report_ids == []:
        return {}
    return {rid: tuple(rest) for rid, *rest in store.reports(report_ids)}


def _read_delta(store: Store, after: int, reports: Reports, pid_report, pid_part, pid_len,
                delta: "Delta") -> "Delta":
    """Fill the arrays for the paragraphs with ids above `after` and add their folded text
    and words to `delta` (streamed from SQLite)."""
    part_codes = exact.PART_CODES
    ordinal = reports.ordinal
    words: list[tuple[int, str]] = []

    kinds: dict[str, list[int]] = {k: [] for k in KINDS}

    def texts():
        for d, rid, part, kind, folded, tokens in store.paragraphs_after(after):
            pid_report[d] = ordinal[rid]
            pid_part[d] = part_codes.get(part, NO_PART)
            pid_len[d] = len(folded)
            words.append((d, f" {tokens} "))
            if kind in kinds:
                kinds[kind].append(d)
            yield d, folded
    text = delta.text.extended(texts())
    return Delta(text, delta.words.extended(words),
                 {k: np.concatenate((delta.kinds.get(k, EMPTY), np.array(kinds[k], dtype=np.int64)))
                  for k in KINDS})


class Delta:
    """The paragraphs written after the exact base: folded text, and the jieba words as
    " w1 w2 … " (a word is found as " w ")."""

    def __init__(self, text: "Haystack" = None, words: "Haystack" = None,
                 kinds: Optional[dict[str, np.ndarray]] = None):
        self.text = text or Haystack()
        self.words = words or Haystack()
        self.kinds = kinds or {}  # the ids of the heading / title paragraphs among them


class Haystack:
    """Folded paragraphs joined into one string, each preceded by SEPARATOR, so `str.find`
    scans them all at C speed (the delta: what was written after the exact base). Extending
    makes a new string and appends to the shared arrays (an older snapshot keeps its shorter
    string and never looks past its end). Replaced paragraphs stay in, so what `counts`
    returns must be checked against the live paragraphs."""

    def __init__(self, text: str = "", starts=None, docs=None):
        self.text = text
        self.starts = starts if starts is not None else array("q")
        self.docs = docs if docs is not None else array("q")

    def extended(self, texts: Iterable[tuple[int, str]]) -> "Haystack":
        """A haystack with these (doc, folded text) added, in doc order, joined JOIN_BATCH at
        a time as they come (a stream is never all held as separate strings)."""
        at = len(self.text)
        starts, docs = self.starts, self.docs
        joined, batch = [], []
        for d, folded in texts:
            starts.append(at)
            docs.append(d)
            at += len(folded) + 1
            batch.append(folded)
            if len(batch) == JOIN_BATCH:
                joined.append(SEPARATOR.join(batch))
                batch = []
        if batch:
            joined.append(SEPARATOR.join(batch))
        if not joined:
            return Haystack(self.text, starts, docs)
        return Haystack(self.text + SEPARATOR + SEPARATOR.join(joined), starts, docs)

    def counts(self, phrase: str) -> dict[int, int]:
        """{doc: occurrences of `phrase`} for every doc containing it.

        A rare phrase: `find` from hit to hit, skipping to the next doc. A frequent one:
        `split` at C speed, and each occurrence's doc is the number of separators before it;
        split slice by slice, or the pieces would hold a second copy of the whole text."""
        text, starts, docs = self.text, self.starts, self.docs
        n = len(docs)
        if not text:
            return {}
        sample = min(len(text), SAMPLE)
        if text.count(phrase, 0, sample) * len(text) > SPLIT_ABOVE * sample:
            found = {}
            a = 0
            while a < len(text):
                b = text.find(SEPARATOR, a + SPLIT_CHUNK)
                b = len(text) if b < 0 else b
                pieces = text[a:b].split(phrase)
                pieces.pop()
                seen = Counter(accumulate(map(str.count, pieces, repeat(SEPARATOR))))
                first = bisect_left(starts, a, 0, n) - 1  # separator k of the slice starts doc first + k
                found.update(zip(map(docs.__getitem__, map(operator.add, seen, repeat(first))),
                                 seen.values()))
                a = b
            return found
        found = {}
        i = text.find(phrase)
        while i >= 0:
            k = bisect_right(starts, i, 0, n) - 1
            end = starts[k + 1] if k + 1 < n else len(text)
            found[docs[k]] = text.count(phrase, i, end)
            i = text.find(phrase, end)
        return found
