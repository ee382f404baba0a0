"""What one index generation holds in memory: per-paragraph report, part and folded heading,
per-report metadata, and every live paragraph's folded text in one string; the doc sets
computed from them. Every cache here dies with its snapshot.

Doc numbers are the paragraph ids of the SQLite store (never reused), so a snapshot can be
refreshed after a commit by loading only the reports that changed: the per-paragraph lists are
shared and only ever appended to (a newer snapshot never alters what an older one still reads);
the set of live paragraphs and the per-report maps are rebuilt. When too much of the lists is
dead (replaced paragraphs), the next refresh loads everything afresh.

Phrases are answered exactly by `str.find` over one string of all folded paragraphs (C-speed),
jumping to the next paragraph after each hit; bare words by the Whoosh word index
(`index.wordindex`), whose doc numbers are the same paragraph ids. Display text stays on disk:
a page of hits reads its rows from SQLite.
"""
from __future__ import annotations

import operator
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import accumulate, compress, repeat
from typing import Iterable, Optional

from index.analysis import learn_words, query_words
from archive.folding import fold
from index.query import And, Not, Or, Scope, Term
from index.store import Store
from index.wordindex import WordIndex

CACHE_SIZE = 512
CACHE_DOCS = 2_000_000  # doc numbers held by one cache (~70 MB of sets) before it starts afresh
MAX_DEAD_SHARE = 0.3  # above this share of replaced paragraphs, reload instead of refreshing
COLUMNS = ("report_id", "part", "heading", "kind")  # per paragraph; the rest is per report (`meta`)
PLACES = ("town", "county", "city", "province")
SPLIT_ABOVE = 2000  # occurrences (estimated) above which `Haystack.counts` splits, not finds
SPLIT_CHUNK = 4_000_000  # characters split at a time (the pieces are a copy of them)
SAMPLE = 1_000_000  # characters the estimate is counted on
WITHIN_SHARE = 8  # a filter leaving under 1/8 of the archive is checked doc by doc
JOIN_BATCH = 4096  # paragraphs joined at a time while loading
SEPARATOR = "\n"  # never in folded text (whitespace is folded away), so no phrase spans two


class _Cache(dict):
    """At most CACHE_SIZE entries and CACHE_DOCS doc numbers (a frequent phrase's set holds
    a third of the archive): memory stays bounded however many different queries come."""

    def __init__(self, items=()):
        super().__init__(items)
        self.docs = sum(_weight(v) for v in self.values())

    def put(self, key, value):
        weight = _weight(value)
        if len(self) >= CACHE_SIZE or self.docs + weight > CACHE_DOCS:
            self.clear()
        self[key] = value
        self.docs += weight
        return value

    def clear(self):
        super().clear()
        self.docs = 0


def _weight(value) -> int:
    """Doc numbers held: a set, a (set, counts) pair or query matches (`.docs`)."""
    if isinstance(value, tuple):
        return 2 * len(value[0])
    return len(getattr(value, "docs", value))


class Snapshot:
    """The view of one (epoch, generation) of `store`; build with `load` or `refreshed`."""

    def __init__(self, store: Store, words: WordIndex, state: tuple[int, int],
                 columns: dict[str, list], report_docs: dict[str, tuple], meta: dict[str, tuple],
                 haystack: "Haystack", live_length: int):
        self.store = store
        self.words = words
        self.epoch, self.generation = state
        self.columns = columns
        self.report_id, self.part, self.heading, self.kind = (columns[name] for name in COLUMNS)
        self.report_docs = report_docs  # report id → its docs in paragraph order
        self.meta = meta                # report id → (year, town, county, city, province)
        self.report_year = {r: m[0] for r, m in meta.items()}
        self.alive = frozenset(d for docs in report_docs.values() for d in docs)
        self.reports_per_year = Counter(y for y in self.report_year.values() if y is not None)
        self.haystack = haystack
        self.live_length = live_length  # characters of folded text in live paragraphs
        self.avg_len = live_length / len(self.alive) if self.alive else 1.0
        self._phrases = _Cache()
        self._words = _Cache()
        self._scopes = _Cache()
        self.results = _Cache()  # used by SearchIndex for whole query results

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, store: Store, words: WordIndex, state: tuple[int, int]) -> "Snapshot":
        columns: dict[str, list] = {name: [] for name in COLUMNS}
        report_docs, meta, haystack = _read(store, None, columns, Haystack())
        learn_words(name for m in meta.values() for name in m[1:4])
        return cls(store, words, state, columns, report_docs, meta, haystack,
                   len(haystack.text) - len(haystack.docs))

    def refreshed(self, state: tuple[int, int]) -> "Snapshot":
        """The snapshot of `state`: only reports changed since this one are read."""
        if state[0] != self.epoch or state[1] < self.generation:
            return Snapshot.load(self.store, self.words, state)
        changed = sorted(self.store.changed_since(self.generation))
        if not changed:
            return Snapshot(self.store, self.words, state, self.columns, self.report_docs, self.meta,
                            self.haystack, self.live_length)
        dead = len(self.report_id) - len(self.alive)
        if dead > MAX_DEAD_SHARE * max(len(self.report_id), 1):
            return Snapshot.load(self.store, self.words, state)
        report_docs = {r: docs for r, docs in self.report_docs.items() if r not in changed}
        meta = {r: m for r, m in self.meta.items() if r not in changed}
        known = len(self.haystack.docs)  # the arrays are shared: what follows is new
        docs, new_meta, haystack = _read(self.store, changed, self.columns, self.haystack)
        texts = [(d, haystack.text[slice(*haystack.span(d))]) for d in haystack.docs[known:]]
        report_docs.update(docs)
        meta.update(new_meta)
        learn_words(name for m in new_meta.values() for name in m[1:4])
        removed = sum(e - s for r in changed for s, e in map(self.haystack.span, self.report_docs.get(r, ())))
        snap = Snapshot(self.store, self.words, state, self.columns, report_docs, meta,
                        haystack,
                        self.live_length - removed + sum(len(f) for _, f in texts))
        snap._carry_phrases(self._phrases, Haystack().extended(texts))
        return snap

    def _carry_phrases(self, phrases: "_Cache", added: "Haystack") -> None:
        """Phrase hits of the previous snapshot, updated by scanning only the added text:
        the first query after a commit does not rescan the archive."""
        carried = _Cache()
        for phrase, (docs, tf) in phrases.items():
            new = added.counts(phrase)
            if new:
                tf = {**tf, **new}
            carried.put(phrase, ((docs & self.alive) | frozenset(new), tf))
        self._phrases = carried

    # --- leaves ------------------------------------------------------------------------

    def folded(self, d: int) -> str:
        start, end = self.haystack.span(d)
        return self.haystack.text[start:end]

    def key(self, report_id: str, paragraph_id: str) -> Optional[int]:
        d = self.store.paragraph_number(report_id, paragraph_id)
        return d if d in self.alive else None

    def phrase_docs(self, phrase: str) -> frozenset:
        """Paragraphs whose folded text contains the folded `phrase` (exact)."""
        return self.phrase_hits(phrase)[0]

    def phrase_hits(self, phrase: str) -> tuple[frozenset, dict]:
        """(`phrase_docs`, {doc: occurrences}); the counts may include replaced docs."""
        if phrase not in self._phrases:
            tf = self.haystack.counts(phrase)
            self._phrases.put(phrase, (frozenset(tf) & self.alive, tf))
        return self._phrases[phrase]

    def words_docs(self, text: str) -> frozenset:
        """Paragraphs holding every jieba word of `text` (in any order, anywhere)."""
        if text in self._words:
            return self._words[text]
        words = sorted(set(query_words(text)))
        if not words or not self._words_agree():
            return frozenset()
        docs = frozenset(self.words.word_docs(words, "AND")) & self.alive
        if self.words.state() == (self.epoch, self.generation):  # else: catching up, ask again
            self._words.put(text, docs)
        return docs

    def word_scores(self, words: list[str], limit: Optional[int] = None) -> list[tuple[int, float]]:
        """(doc, BM25F) of the paragraphs holding any of `words`, best first (top `limit`)."""
        return self.words.word_scores(words, "OR", limit) if self._words_agree() else []

    def _words_agree(self) -> bool:
        """Whether the word index numbers paragraphs as this snapshot does: a rebuild
        renumbers them, and until the word index has followed (a moment; after a crash, the
        next write) its answers would name the wrong paragraphs."""
        return self.words.state()[0] == self.epoch

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
        elif field == "kind":
            docs = frozenset(d for d in self.alive if self.kind[d] == value)
        elif field == "heading":
            docs = frozenset(d for d in self.alive if value in self.heading[d])
        else:  # a place: the exact name, or a name starting with it (town:赵集 → 赵集镇)
            i = 1 + PLACES.index(field)
            docs = frozenset(d for r, m in self.meta.items()
                             if m[i] and fold(m[i]).startswith(value) for d in self.report_docs[r])
        return self._scopes.put(key, docs)

    def phrase_hits_within(self, phrase: str, within: frozenset) -> tuple[frozenset, dict]:
        """`phrase_hits` restricted to `within`; a small `within` (a filter: one town, a
        year, one report) is checked doc by doc instead of scanning the whole text."""
        if phrase in self._phrases or len(within) * WITHIN_SHARE >= len(self.alive):
            docs, counts = self.phrase_hits(phrase)
            return (docs if within is self.alive else docs & within), counts
        counts = self.haystack.counts_in(phrase, within)
        return frozenset(counts), counts

    def phrase_df(self, phrase: str, within: frozenset, found: int) -> float:
        """Paragraphs holding `phrase` in the archive: exact when it was scanned whole, else
        estimated from the `found` of `within` (ranking needs no more)."""
        if phrase in self._phrases:
            return len(self._phrases[phrase][0])
        return found * len(self.alive) / max(len(within), 1)

    # --- trees -------------------------------------------------------------------------

    def evaluate(self, node, strict: bool, within: Optional[frozenset] = None) -> frozenset:
        """The paragraphs matching `node` (only those in `within`, when given). Strict:
        unquoted Chinese runs match only exactly; loose: also by their words. What a NOT
        excludes is always the loose set."""
        within = self.alive if within is None else within
        if isinstance(node, Term):
            if node.kind == "words":
                return self.words_docs(node.folded) & within
            exact = self.phrase_hits_within(node.folded, within)[0]
            if node.kind == "phrase" or strict:
                return exact
            return exact | (self.words_docs(node.folded) & within)
        if isinstance(node, Scope):
            return self.scope_docs(node) & within
        if isinstance(node, Or):
            return frozenset().union(*(self.evaluate(c, strict, within) for c in node.children))
        if isinstance(node, Not):
            return within - self.evaluate(node.child, False, within)
        if isinstance(node, And):
            positives = [c for c in node.children if not isinstance(c, Not)]
            negatives = [c.child for c in node.children if isinstance(c, Not)]
            docs = within
            for child in sorted(positives, key=lambda c: not isinstance(c, Scope)):
                docs = self.evaluate(child, strict, docs)
                if not docs:
                    return frozenset()
            for child in negatives:
                docs = docs - self.evaluate(child, False, docs)
            return docs
        raise TypeError(f"unknown query node {node!r}")


class Haystack:
    """Folded paragraphs joined into one string, each preceded by SEPARATOR, so `str.find`
    scans them all at C speed; doc `docs[k]` starts after `starts[k]`, and `slot[doc]` is its k.
    Extending makes a new string and appends to the shared arrays (an older snapshot keeps its
    shorter string and never looks past its end). Replaced paragraphs stay in until the next
    full load, so what `find` returns must be intersected with the live set."""

    def __init__(self, text: str = "", starts=None, lengths=None, docs=None, slot=None):
        self.text = text
        self.starts = starts if starts is not None else array("q")
        self.lengths = lengths if lengths is not None else array("q")  # of each doc's text
        self.docs = docs if docs is not None else array("q")
        self.slot = slot if slot is not None else array("q")

    def extended(self, texts: Iterable[tuple[int, str]]) -> "Haystack":
        """A haystack with these (doc, folded text) added, in doc order. They are joined
        JOIN_BATCH at a time as they come, so a stream of them (a whole archive loading) is
        never all held as separate strings besides the joined text."""
        at = len(self.text)
        slot, starts, lengths, docs = self.slot, self.starts, self.lengths, self.docs
        joined, batch = [], []
        for d, folded in texts:
            if d >= len(slot):
                slot.extend(repeat(-1, max(d + 1 - len(slot), JOIN_BATCH)))
            slot[d] = len(docs)
            starts.append(at)
            lengths.append(len(folded))
            docs.append(d)
            at += len(folded) + 1
            batch.append(folded)
            if len(batch) == JOIN_BATCH:
                joined.append(SEPARATOR.join(batch))
                batch = []
        if batch:
            joined.append(SEPARATOR.join(batch))
        added = SEPARATOR + SEPARATOR.join(joined) if joined else ""
        return Haystack(self.text + added, starts, lengths, docs, slot)

    def span(self, d: int) -> tuple[int, int]:
        """[start, end) of doc `d`'s folded text in `text`."""
        k = self.slot[d]
        start = self.starts[k] + 1
        return start, start + self.lengths[k]

    def counts_in(self, phrase: str, docs) -> dict[int, int]:
        """`counts` restricted to `docs`, counted doc by doc (`str.count` mapped over the
        docs' spans: no Python bytecode per doc)."""
        docs = list(docs)
        slots = list(map(self.slot.__getitem__, docs))
        starts = list(map(operator.add, map(self.starts.__getitem__, slots), repeat(1)))
        ends = map(operator.add, starts, map(self.lengths.__getitem__, slots))
        found = list(map(self.text.count, repeat(phrase), starts, ends))
        return dict(compress(zip(docs, found), found))

    def counts(self, phrase: str) -> dict[int, int]:
        """{doc: occurrences of `phrase`} for every doc containing it.

        A rare phrase: `find` from hit to hit, skipping to the next doc. A frequent one (a
        third of all paragraphs): `split` at C speed, and each occurrence's doc is the number
        of separators before it — no Python work per character, little per hit; split slice
        by slice, or the pieces would hold a second copy of the whole text."""
        text, starts, docs = self.text, self.starts, self.docs
        sample = min(len(text), SAMPLE)  # estimate the frequency from the start of the text
        if text.count(phrase, 0, sample) * len(text) > SPLIT_ABOVE * sample:
            found = {}
            a = 0  # split a slice of whole docs at a time: the pieces copy only that slice
            while a < len(text):
                b = text.find(SEPARATOR, a + SPLIT_CHUNK)
                b = len(text) if b < 0 else b
                pieces = text[a:b].split(phrase)
                pieces.pop()
                seen = Counter(accumulate(map(str.count, pieces, repeat(SEPARATOR))))
                first = bisect_left(starts, a) - 1  # separator n of the slice starts doc first + n
                found.update(zip(map(docs.__getitem__, map(operator.add, seen, repeat(first))),
                                 seen.values()))
                a = b
            return found
        found = {}
        i = text.find(phrase)
        while i >= 0:
            k = bisect_right(starts, i) - 1
            end = starts[k + 1] if k + 1 < len(starts) else len(text)
            found[docs[k]] = text.count(phrase, i, end)
            i = text.find(phrase, end)
        return found


def _read(store: Store, report_ids: Optional[list[str]], columns: dict[str, list],
          haystack: "Haystack"):
    """Write the paragraphs of these reports (None: all) into `columns` at their doc numbers
    and their folded text onto `haystack`, streamed from SQLite; return ({report id: docs in
    paragraph order}, {report id: meta}, the extended haystack). Values repeated across
    paragraphs (report ids, parts, headings) are stored once."""
    meta = {rid: tuple(m) for rid, *m in store.reports(report_ids)}
    report_docs: dict[str, list] = {rid: [] for rid in meta}
    size = store.last_paragraph_number() + 1
    report_id, part, heading, kind = (columns[name] for name in COLUMNS)
    if size > len(report_id):
        for values in (report_id, part, heading, kind):
            values.extend([None] * (size - len(values)))
    shared: dict[str, str] = {rid: rid for rid in meta}

    def texts():
        for d, rid, p, h, k, f in store.paragraphs(report_ids):
            report_id[d] = rid = shared[rid]
            kind[d] = shared.setdefault(k, k)
            part[d] = shared.setdefault(p, p)
            heading[d] = shared.setdefault(h, h)
            report_docs[rid].append(d)  # rows come in id order = paragraph order
            yield d, f
    haystack = haystack.extended(texts())
    return {r: tuple(ds) for r, ds in report_docs.items()}, meta, haystack
