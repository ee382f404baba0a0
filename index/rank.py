"""Ranking the page: paragraphs matching the query exactly first, scored BM25-style from each
phrase's occurrences (array operations over the exact hits), then word-only matches ranked by
Whoosh's BM25F; or by year / town. Only as many hits as the page needs are put in order: the
top k by a threshold (`numpy.partition`), ties broken by paragraph id, so pages never overlap.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from index.analysis import query_words
from index.snapshot import KINDS, Snapshot

K1, B = 1.2, 0.75


def exact_scores(snap: Snapshot, exact: np.ndarray, terms) -> np.ndarray:
    """BM25 score of each paragraph of `exact` (aligned with it), summed over the terms. A
    heading or a title is scored as if it were at least an average paragraph long: a short
    label naming the phrase does not crowd out the paragraphs that say something about it."""
    scores = np.zeros(len(exact), dtype=np.float64)
    n = max(len(snap.alive), 1)
    lengths = snap.pid_len[exact].astype(np.float64)
    labels = snap.mask(snap.union([snap.kind_docs(k) for k in KINDS]))[exact]
    lengths[labels] = np.maximum(lengths[labels], snap.avg_len)
    position = np.full(len(snap.pid_report), -1, dtype=np.int64)  # doc id → index in `exact`
    position[exact] = np.arange(len(exact))
    for term in terms:
        if term.kind == "words":
            continue
        docs, counts = snap.phrase_hits(term.folded)
        idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
        at = position[docs]
        inside = at >= 0
        at, tf = at[inside], counts[inside].astype(np.float64)
        size = lengths[at]
        scores[at] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * size / snap.avg_len))
    return scores


def top(docs: np.ndarray, scores: np.ndarray, want: Optional[int]) -> np.ndarray:
    """Indexes into `docs` of the `want` best scores (None: all), best first, ties by doc."""
    if want is not None and want < len(docs):
        if want <= 0:
            return np.empty(0, dtype=np.int64)
        threshold = np.partition(scores, len(scores) - want)[len(scores) - want]
        pick = np.flatnonzero(scores >= threshold)
    else:
        pick = np.arange(len(docs))
    order = pick[np.lexsort((docs[pick], -scores[pick]))]
    return order if want is None else order[:want]


def by_field(snap: Snapshot, docs: np.ndarray, sort: str) -> np.ndarray:
    """`docs` in year order (newest first) or town order (then newest first), each report's
    paragraphs together in paragraph order."""
    reports = snap.reports
    o = snap.pid_report[docs]
    year_codes, values = reports.codes("year")
    years = np.array([v or 0 for v in values], dtype=np.int64)[year_codes[o]]
    rid = reports.rank("report_id")[o]
    if sort == "year":
        return docs[np.lexsort((docs, rid, -years))]
    return docs[np.lexsort((docs, rid, -years, reports.rank("town")[o]))]


def word_ranked(snap: Snapshot, terms, rest: np.ndarray, exact_count: int,
                limit: Optional[int], done: tuple[list, bool]) -> tuple[list, bool]:
    """(doc, BM25F) of the hits in `rest` (matched only by words), best first, as far as
    `limit` needs (None: all, the hits holding none of the words last). `done` is what an
    earlier page ranked: (ranked, complete). Whoosh scores in Python: ask for the top few
    first (the exact hits may be among them); all of them only if too few are in `rest`."""
    ranked, complete = done
    if complete or (limit is not None and len(ranked) >= limit):
        return done
    words = sorted({w for t in terms for w in query_words(t.folded)})
    member = snap.mask(rest)
    want = None if limit is None else 2 * limit + exact_count
    while True:
        scored = snap.word_scores(words, want) if words else []
        ranked = [(d, score) for d, score in scored if d < len(member) and member[d]]
        if want is None or len(scored) < want or len(ranked) >= limit:
            break
        want = None
    complete = want is None or len(scored) < want
    if complete:
        member[[d for d, _ in ranked]] = False
        ranked += [(int(d), 0.0) for d in np.flatnonzero(member)]
    return ranked, complete
