"""What one index generation holds in memory: per-paragraph metadata and folded text, and the
doc sets computed from them. Every cache here dies with its snapshot.

Doc numbers are the paragraph ids of the SQLite store (never reused), so a snapshot can be
refreshed after a commit by loading only the reports that changed: the per-paragraph lists are
shared and only ever appended to (a newer snapshot never alters what an older one still reads);
the set of live paragraphs and the per-report maps are rebuilt. When too much of the lists is
dead (replaced paragraphs), the next refresh loads everything afresh.

Phrases are answered exactly by `str.find` over one string of all live folded paragraphs
(C-speed), jumping to the next paragraph after each hit; bare words by the FTS5 word index.
"""
from __future__ import annotations

import sys
from bisect import bisect_right
from collections import Counter
from typing import Optional

from index.analysis import learn_words, query_words
from index.normalize import fold
from index.query import And, Not, Or, Scope, Term
from index.store import Store, fts_match

CACHE_SIZE = 512
MAX_DEAD_SHARE = 0.3  # above this share of replaced paragraphs, reload instead of refreshing
COLUMNS = ("report_id", "paragraph_id", "order", "kind", "part", "folded", "heading",
           "year", "town", "county", "city", "province")
DEFAULTS = (None, "", 0, "", "", "", "", None, "", "", "", "")
SHARED = {"report_id", "kind", "part", "town", "county", "city", "province"}  # interned
SEPARATOR = "\n"  # never in folded text (whitespace is folded away), so no phrase spans two


class _Cache(dict):
    def put(self, key, value):
        if len(self) >= CACHE_SIZE:
            self.clear()
        self[key] = value
        return value


class Snapshot:
    """The view of one (epoch, generation) of `store`; build with `load` or `refreshed`."""

    def __init__(self, store: Store, state: tuple[int, int], columns: dict[str, list],
                 report_docs: dict[str, tuple], report_year: dict):
        self.store = store
        self.epoch, self.generation = state
        self.columns = columns
        for name in COLUMNS:
            setattr(self, name, columns[name])
        self.report_docs = report_docs
        self.report_year = report_year
        self.alive = frozenset(d for docs in report_docs.values() for d in docs)
        self.reports_per_year = Counter(y for y in report_year.values() if y is not None)
        folded = self.folded
        self.avg_len = (sum(len(folded[d]) for d in self.alive) / len(self.alive)) if self.alive else 1.0
        self.by_key = None  # (report id, paragraph id) → doc, built on first use
        self._haystack: Optional[tuple[str, list[int], list[int]]] = None
        self._phrases = _Cache()
        self._words = _Cache()
        self._scopes = _Cache()
        self.results = _Cache()  # used by SearchIndex for whole query results

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, store: Store, state: tuple[int, int]) -> "Snapshot":
        columns = {name: [] for name in COLUMNS}
        report_docs, report_year = _read(store, None, columns)
        learn_words(n for name in ("town", "county", "city") for n in set(columns[name]))
        return cls(store, state, columns, report_docs, report_year)

    def refreshed(self, state: tuple[int, int]) -> "Snapshot":
        """The snapshot of `state`: only reports changed since this one are read."""
        if state[0] != self.epoch or state[1] < self.generation:
            return Snapshot.load(self.store, state)
        changed = sorted(self.store.changed_since(self.generation))
        if not changed:
            return Snapshot(self.store, state, self.columns, self.report_docs, self.report_year)
        dead = len(self.folded) - len(self.alive)
        if dead > MAX_DEAD_SHARE * max(len(self.folded), 1):
            return Snapshot.load(self.store, state)
        report_docs = {r: docs for r, docs in self.report_docs.items() if r not in changed}
        report_year = {r: y for r, y in self.report_year.items() if r not in changed}
        docs, years = _read(self.store, changed, self.columns)
        report_docs.update(docs)
        report_year.update(years)
        learn_words(n for ds in docs.values() if ds for n in self._places(ds[0]))
        return Snapshot(self.store, state, self.columns, report_docs, report_year)

    def _places(self, d: int):
        return self.town[d], self.county[d], self.city[d]

    # --- leaves ------------------------------------------------------------------------

    def key(self, report_id: str, paragraph_id: str) -> Optional[int]:
        if self.by_key is None:
            self.by_key = {(self.report_id[d], self.paragraph_id[d]): d for d in self.alive}
        return self.by_key.get((report_id, paragraph_id))

    def haystack(self) -> tuple[str, list[int], list[int]]:
        """(every live folded paragraph joined by SEPARATOR, start offsets, doc numbers)."""
        if self._haystack is None:
            docs = sorted(self.alive)
            folded = self.folded
            starts, at = [], 0
            for d in docs:
                starts.append(at)
                at += len(folded[d]) + 1
            self._haystack = (SEPARATOR.join(folded[d] for d in docs), starts, docs)
        return self._haystack

    def phrase_docs(self, phrase: str) -> frozenset:
        """Paragraphs whose folded text contains the folded `phrase` (exact)."""
        if phrase in self._phrases:
            return self._phrases[phrase]
        text, starts, docs = self.haystack()
        found = []
        find = text.find
        i = find(phrase)
        while i >= 0:
            k = bisect_right(starts, i) - 1
            found.append(docs[k])
            i = find(phrase, starts[k + 1]) if k + 1 < len(starts) else -1
        return self._phrases.put(phrase, frozenset(found))

    def words_docs(self, text: str) -> frozenset:
        """Paragraphs holding every jieba word of `text` (in any order, anywhere)."""
        if text in self._words:
            return self._words[text]
        words = sorted(set(query_words(text)))
        docs = frozenset(self.store.word_docs(fts_match(words, "AND"))) & self.alive if words else frozenset()
        return self._words.put(text, docs)

    def scope_docs(self, scope: Scope) -> frozenset:
        key = (scope.field, scope.value)
        if key in self._scopes:
            return self._scopes[key]
        field, value = scope.field, scope.value
        if field == "report_id":
            docs = frozenset(self.report_docs.get(value, ()))
        elif field == "year":
            first, last = value
            docs = frozenset(d for r, y in self.report_year.items()
                             if y is not None and first <= y <= last for d in self.report_docs[r])
        elif field == "section":
            docs = frozenset(d for d in self.alive if self.part[d] == value)
        elif field == "heading":
            docs = frozenset(d for d in self.alive if value in self.heading[d])
        else:  # a place: the exact name, or a name starting with it (town:赵集 → 赵集镇)
            names = getattr(self, field)
            docs = frozenset(d for r, ds in self.report_docs.items()
                             if ds and names[ds[0]] and fold(names[ds[0]]).startswith(value) for d in ds)
        return self._scopes.put(key, docs)

    # --- trees -------------------------------------------------------------------------

    def evaluate(self, node, strict: bool) -> frozenset:
        """The paragraphs matching `node`. Strict: unquoted Chinese runs match only exactly;
        loose: also by their words. What a NOT excludes is always the loose set."""
        if isinstance(node, Term):
            if node.kind == "words":
                return self.words_docs(node.folded)
            exact = self.phrase_docs(node.folded)
            if node.kind == "phrase" or strict:
                return exact
            return exact | self.words_docs(node.folded)
        if isinstance(node, Scope):
            return self.scope_docs(node)
        if isinstance(node, Or):
            return frozenset().union(*(self.evaluate(c, strict) for c in node.children))
        if isinstance(node, Not):
            return self.alive - self.evaluate(node.child, False)
        if isinstance(node, And):
            positives = [c for c in node.children if not isinstance(c, Not)]
            negatives = [c.child for c in node.children if isinstance(c, Not)]
            docs = self.alive
            for child in sorted(positives, key=lambda c: not isinstance(c, Scope)):
                docs = docs & self.evaluate(child, strict)
                if not docs:
                    return frozenset()
            for child in negatives:
                docs = docs - self.evaluate(child, False)
            return docs
        raise TypeError(f"unknown query node {node!r}")


def _read(store: Store, report_ids: Optional[list[str]], columns: dict[str, list]):
    """Append the paragraphs of these reports (None: all) to `columns` at their doc numbers;
    return ({report id: docs in paragraph order}, {report id: year})."""
    lists = [columns[name] for name in COLUMNS]
    shared = [name in SHARED for name in COLUMNS]
    report_docs: dict[str, list] = {}
    report_year: dict = {}
    for row in store.paragraphs(report_ids):
        d = row[0]
        if d >= len(lists[0]):
            grow = d + 1 - len(lists[0])
            for values, default in zip(lists, DEFAULTS):
                values.extend([default] * grow)
        for values, value, share in zip(lists, row[1:], shared):
            values[d] = sys.intern(value) if share and value else value
        report_docs.setdefault(row[1], []).append(d)
    # reports without paragraphs still count for years and ids
    for rid, year, *_ in store.reports(report_ids):
        report_docs.setdefault(rid, [])
        report_year[rid] = year
    return ({r: tuple(sorted(ds, key=lambda d: columns["order"][d])) for r, ds in report_docs.items()},
            report_year)
