"""Whoosh analyzers: a jieba word field (positions 0,1,2…) and a character-bigram exact layer.

Both analyze the *folded* text (see `index.normalize`). jieba is initialised once per process,
silently, with the domain terms of `data/terms.txt`; place names of the archive are added with
`learn_words()`. jieba's own `ChineseAnalyzer` is not used: it stores character offsets as token
positions, so Whoosh phrase queries on it never match.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Iterable, Iterator

import jieba
from whoosh.analysis import Token, Tokenizer

from index.normalize import fold, fold_with_offsets

TERMS_FILE = Path(__file__).with_name("data") / "terms.txt"

_jieba: jieba.Tokenizer | None = None
_jieba_lock = threading.RLock()


def domain_terms() -> list[str]:
    lines = TERMS_FILE.read_text(encoding="utf-8").splitlines()
    return [t for t in (line.split("#", 1)[0].strip() for line in lines) if t]


def segmenter() -> jieba.Tokenizer:
    """The process-wide jieba tokenizer, initialised quietly on first use."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                jieba.setLogLevel(logging.ERROR)
                tk = jieba.Tokenizer()
                tk.initialize()
                _add_words(tk, domain_terms())
                _jieba = tk
    return _jieba


def _add_words(tk: jieba.Tokenizer, words: Iterable[str]) -> None:
    for word in words:
        word = fold(word or "")
        if len(word) >= 2 and not tk.FREQ.get(word):
            tk.add_word(word, freq=tk.suggest_freq(word, False))


def learn_words(words: Iterable[str]) -> None:
    """Teach jieba words of the archive (town, county, city names) so they are not split."""
    tk = segmenter()
    with _jieba_lock:
        _add_words(tk, words)


def word_spans(text: str, subwords: bool = True) -> Iterator[tuple[str, int, int, bool]]:
    """`(word, start, end, is_subword)` for each jieba word of `text`; offsets index `text`.

    Words never span punctuation. A long word (法治政府建设) is followed by the dictionary words
    inside it (法治, 政府, 建设) marked `is_subword`, so a search for 法治 still finds it.
    """
    tk = segmenter()
    folded, offsets = fold_with_offsets(text)
    freq = tk.FREQ
    start = 0
    for end in range(1, len(folded) + 1):
        if end < len(folded) and offsets[end] - offsets[end - 1] <= 1:
            continue
        pos = start
        for word in tk.cut(folded[start:end], HMM=True):
            a, b = pos, pos + len(word)
            pos = b
            yield word, offsets[a], offsets[b - 1] + 1, False
            if subwords and len(word) > 2:
                for n in (2, 3):
                    for i in range(len(word) - n + 1):
                        sub = word[i:i + n]
                        if sub != word and freq.get(sub):
                            yield sub, offsets[a + i], offsets[a + i + n - 1] + 1, True
        start = end


def query_words(text: str) -> list[str]:
    """The jieba words of a query term (no sub-words), folded."""
    return [w for w, _, _, _ in word_spans(text, subwords=False)]


class WordTokenizer(Tokenizer):
    """jieba words with positions counted 0,1,2…; sub-words share their word's position."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = fold(value)
            t.boost, t.stopped = 1.0, False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos - 1
        for word, s, e, sub in word_spans(value):
            if not sub:
                pos += 1
            t.original = t.text = word
            t.boost, t.stopped = 1.0, False
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + s, start_char + e
            yield t


class BigramTokenizer(Tokenizer):
    """Overlapping character bigrams of the folded text (punctuation and spaces dropped first),
    so every phrase of two or more characters is a sequence of these terms."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        folded = fold(value)
        for i in range(len(folded) - 1):
            t.original = t.text = folded[i:i + 2]
            t.boost, t.stopped = 1.0, False
            if positions:
                t.pos = start_pos + i
            yield t


def bigrams(folded: str) -> list[str]:
    """The distinct bigrams of an already folded string."""
    return sorted({folded[i:i + 2] for i in range(len(folded) - 1)})
