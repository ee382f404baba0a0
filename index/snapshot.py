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
                 report_docs: dict[str, tuple], report_year: dict, haystack: "Haystack"):
        self.store = store
        self.epoch, self.generation = state
        self.columns = columns
        for name in COLUMNS:
            setattr(self, name, columns[name])
        self.report_docs = report_docs
        self.report_year = report_year
        self.alive = frozenset(d for docs in report_docs.values() for d in docs)
        self.reports_per_year = Counter(y for y in report_year.values() if y is not None)
        self.haystack = haystack
        self._avg_len: Optional[float] = None
        self.by_key = None  # (report id, paragraph id) → doc, built on first use
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
        haystack = Haystack().extended(columns["folded"], sorted(d for ds in report_docs.values() for d in ds))
        return cls(store, state, columns, report_docs, report_year, haystack)

    def refreshed(self, state: tuple[int, int]) -> "Snapshot":
        """The snapshot of `state`: only reports changed since this one are read."""
        if state[0] != self.epoch or state[1] < self.generation:
            return Snapshot.load(self.store, state)
        changed = sorted(self.store.changed_since(self.generation))
        if not changed:
            return Snapshot(self.store, state, self.columns, self.report_docs, self.report_year,
                            self.haystack)
        dead = len(self.folded) - len(self.alive)
        if dead > MAX_DEAD_SHARE * max(len(self.folded), 1):
            return Snapshot.load(self.store, state)
        report_docs = {r: docs for r, docs in self.report_docs.items() if r not in changed}
        report_year = {r: y for r, y in self.report_year.items() if r not in changed}
        docs, years = _read(self.store, changed, self.columns)
        report_docs.update(docs)
        report_year.update(years)
        learn_words(n for ds in docs.values() if ds for n in self._places(ds[0]))
        haystack = self.haystack.extended(self.folded, sorted(d for ds in docs.values() for d in ds))
        return Snapshot(self.store, state, self.columns, report_docs, report_year, haystack)

    def _places(self, d: int):
        return self.town[d], self.county[d], self.city[d]

    # --- leaves ------------------------------------------------------------------------

    def key(self, report_id: str, paragraph_id: str) -> Optional[int]:
        if self.by_key is None:
            self.by_key = {(self.report_id[d], self.paragraph_id[d]): d for d in self.alive}
        return self.by_key.get((report_id, paragraph_id))

    @property
    def avg_len(self) -> float:
        if self._avg_len is None:
            folded = self.folded
            self._avg_len = sum(len(folded[d]) for d in self.alive) / max(len(self.alive), 1)
        return self._avg_len

    def phrase_docs(self, phrase: str) -> frozenset:
        """Paragraphs whose folded text contains the folded `phrase` (exact)."""
        if phrase in self._phrases:
            return self._phrases[phrase]
        return self._phrases.put(phrase, self.haystack.find(phrase) & self.alive)

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


class Haystack:
    """Folded paragraphs joined into one string, each preceded by SEPARATOR, so `str.find`
    scans them all at C speed; `starts[k]` is where doc `docs[k]` begins. Extending makes a new
    string and appends to the shared lists (older snapshots keep their shorter string, and
    never look past its end). Replaced paragraphs stay in until the next full load, so what
    `find` returns must be intersected with the live set."""

    def __init__(self, text: str = "", starts: Optional[list[int]] = None,
                 docs: Optional[list[int]] = None):
        self.text = text
        self.starts = starts if starts is not None else []
        self.docs = docs if docs is not None else []

    def extended(self, folded: list[str], docs: list[int]) -> "Haystack":
        at = len(self.text)
        for d in docs:
            self.starts.append(at)
            self.docs.append(d)
            at += len(folded[d]) + 1
        added = "".join(SEPARATOR + folded[d] for d in docs)
        return Haystack(self.text + added, self.starts, self.docs)

    def find(self, phrase: str) -> frozenset:
        text, starts, docs = self.text, self.starts, self.docs
        found = []
        i = text.find(phrase)
        while i >= 0:
            k = bisect_right(starts, i) - 1
            found.append(docs[k])
            i = text.find(phrase, starts[k + 1]) if k + 1 < len(starts) else -1
        return frozenset(found)


def _read(store: Store, report_ids: Optional[list[str]], columns: dict[str, list]):
    """Write the paragraphs of these reports (None: all) into `columns` at their doc numbers;
    return ({report id: docs in paragraph order}, {report id: year}). Report-level values are
    the same objects for every paragraph of a report (memory: one string, not one per paragraph)."""
    reports = {row[0]: row for row in store.reports(report_ids)}
    rows = store.paragraphs(report_ids).fetchall()
    size = max((row[0] for row in rows), default=-1) + 1
    grow = size - len(columns["report_id"])
    if grow > 0:
        for name, default in zip(COLUMNS, DEFAULTS):
            columns[name].extend([default] * grow)
    (report_id, paragraph_id, order, kind, part, folded, heading,
     year, town, county, city, province) = (columns[name] for name in COLUMNS)
    labels: dict[str, str] = {}
    report_docs: dict[str, list] = {rid: [] for rid in reports}
    for d, rid, pid, o, k, p, f, h in rows:
        rid, y, town[d], county[d], city[d], province[d] = reports[rid]
        report_id[d], year[d], paragraph_id[d], order[d] = rid, y, pid, o
        kind[d], part[d] = labels.setdefault(k, k), labels.setdefault(p, p)
        folded[d], heading[d] = f, h
        report_docs[rid].append(d)  # rows come in id order = paragraph order
    return ({r: tuple(ds) for r, ds in report_docs.items()},
            {rid: row[1] for rid, row in reports.items()})
