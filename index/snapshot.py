"""What one index generation holds in memory: per-paragraph metadata and folded text, and the
doc sets computed from them. Built once per generation; every cache here dies with it.

Phrases are answered exactly: candidates from the bigram field (`docs_for_query` on an And of
the phrase's bigrams, no positions needed), verified by a substring check on the folded text.
"""
from __future__ import annotations

from collections import Counter
from typing import Optional

from whoosh import query as wq

from index.analysis import bigrams, learn_words, query_words
from index.normalize import fold
from index.query import And, Not, Or, Scope, Term

CACHE_SIZE = 512


class _Cache(dict):
    def put(self, key, value):
        if len(self) >= CACHE_SIZE:
            self.clear()
        self[key] = value
        return value


class Snapshot:
    def __init__(self, searcher, generation: int):
        self.searcher = searcher
        self.generation = generation
        reader = searcher.reader()
        n = reader.doc_count_all()
        self.report_id: list[Optional[str]] = [None] * n
        self.paragraph_id: list[str] = [""] * n
        self.year: list[Optional[int]] = [None] * n
        self.town: list[str] = [""] * n
        self.county: list[str] = [""] * n
        self.city: list[str] = [""] * n
        self.province: list[str] = [""] * n
        self.part: list[str] = [""] * n
        self.kind: list[str] = [""] * n
        self.order: list[int] = [0] * n
        self.folded: list[str] = [""] * n
        self.heading: list[str] = [""] * n
        self.by_key: dict[tuple[str, str], int] = {}
        report_year: dict[str, Optional[int]] = {}
        for d, f in reader.iter_docs():
            rid = f["report_id"]
            self.report_id[d] = rid
            self.paragraph_id[d] = f["paragraph_id"]
            self.year[d] = f.get("year")
            self.town[d] = f.get("town", "")
            self.county[d] = f.get("county", "")
            self.city[d] = f.get("city", "")
            self.province[d] = f.get("province", "")
            self.part[d] = f.get("part", "")
            self.kind[d] = f.get("kind", "")
            self.order[d] = f.get("order", 0)
            self.folded[d] = fold(f.get("text", ""))
            self.heading[d] = fold("".join(f.get("heading_path") or ()))
            self.by_key[(rid, f["paragraph_id"])] = d
            report_year[rid] = self.year[d]
        self.alive = frozenset(self.by_key.values())
        self.report_year = report_year
        self.reports_per_year = Counter(y for y in report_year.values() if y is not None)
        total_len = sum(len(self.folded[d]) for d in self.alive)
        self.avg_len = total_len / len(self.alive) if self.alive else 1.0
        self._phrases = _Cache()
        self._words = _Cache()
        self._scopes = _Cache()
        self.results = _Cache()  # used by SearchIndex for whole query results
        learn_words(set(self.town) | set(self.county) | set(self.city))

    # --- leaves ------------------------------------------------------------------------

    def phrase_docs(self, phrase: str) -> frozenset:
        """Paragraphs whose folded text contains the folded `phrase` (exact)."""
        if phrase in self._phrases:
            return self._phrases[phrase]
        folded = self.folded
        if len(phrase) == 1:
            docs = frozenset(d for d in self.alive if phrase in folded[d])
        else:
            q = wq.And([wq.Term("bigrams", b) for b in bigrams(phrase)])
            docs = frozenset(d for d in self.searcher.docs_for_query(q) if phrase in folded[d])
        return self._phrases.put(phrase, docs)

    def words_docs(self, text: str) -> frozenset:
        """Paragraphs holding every jieba word of `text` (in any order, anywhere)."""
        if text in self._words:
            return self._words[text]
        words = sorted(set(query_words(text)))
        docs: frozenset = frozenset()
        if words:
            q = wq.And([wq.Term("words", w) for w in words])
            docs = frozenset(self.searcher.docs_for_query(q))
        return self._words.put(text, docs)

    def scope_docs(self, scope: Scope) -> frozenset:
        key = (scope.field, scope.value)
        if key in self._scopes:
            return self._scopes[key]
        field, value = scope.field, scope.value
        if field == "year":
            first, last = value
            docs = frozenset(d for d in self.alive
                             if self.year[d] is not None and first <= self.year[d] <= last)
        elif field == "section":
            docs = frozenset(d for d in self.alive if self.part[d] == value)
        elif field == "heading":
            docs = frozenset(d for d in self.alive if value in self.heading[d])
        else:  # a place: the exact name, or a name starting with it (town:赵集 → 赵集镇)
            names = getattr(self, field)
            matching = {name for name in set(names) if name and fold(name).startswith(value)}
            docs = frozenset(d for d in self.alive if names[d] in matching)
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
