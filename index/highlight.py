"""Highlights: `[start, end)` offsets into the displayed text marking exactly what matched.

A phrase marks each occurrence of its folded form, mapped back through the folding to the
original characters (谁执法、谁普法 is covered from 谁 to 法). Words mark whole jieba words only.
"""
from __future__ import annotations

from typing import Iterable

from index.analysis import query_words, word_spans
from archive.folding import find_all, fold_with_offsets, spans_to_original
from index.query import Term


def highlight(text: str, terms: Iterable[Term]) -> list[list[int]]:
    """Spans of `text` matched by the query terms (phrases exactly; otherwise their words)."""
    if not text:
        return []
    folded, offsets = fold_with_offsets(text)
    phrase_spans: list[tuple[int, int]] = []
    words: set[str] = set()
    for term in terms:
        if term.kind != "words" and term.folded in folded:
            phrase_spans.extend(find_all(folded, term.folded))
        elif term.kind != "phrase":
            words.update(query_words(term.folded))
    spans = spans_to_original(phrase_spans, offsets)
    if words:
        spans.extend((s, e) for w, s, e, _ in word_spans(text) if w in words)
    return merge(spans)


def merge(spans: Iterable[tuple[int, int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out
