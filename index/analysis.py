"""Word analysis: jieba words of the *folded* text (see `archive.folding`), for the word index
(ranking, bare-word queries, similar paragraphs) and for highlighting words. jieba is initialised once per process,
silently, with the domain terms of `data/terms.txt`; place names of the archive are added with
`learn_words()`. Phrases never go through words: they are answered exactly from the folded text.
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Iterable, Iterator

import jieba

from archive.files import read_private_pickle, write_private_pickle
from archive.folding import BreakTable, fold, fold_with_offsets, t2s

TERMS_FILE = Path(__file__).with_name("data") / "terms.txt"

_jieba: jieba.Tokenizer | None = None
_jieba_lock = threading.RLock()
_pending: set[str] = set()  # words to add to jieba's dictionary before it next cuts
_BREAKS = BreakTable()


def domain_terms() -> list[str]:
    lines = TERMS_FILE.read_text(encoding="utf-8").splitlines()
    return [t for t in (line.split("#", 1)[0].strip() for line in lines) if t]


def segmenter() -> jieba.Tokenizer:
    """The process-wide jieba tokenizer, initialised quietly on first use, with the words
    `learn_words` was given since."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                jieba.setLogLevel(logging.ERROR)
                tk = jieba.Tokenizer()
                load_dictionary(tk)
                _add_words(tk, domain_terms())
                _jieba = tk
    if _pending:
        with _jieba_lock:
            words = sorted(_pending)
            _pending.clear()
            _add_words(_jieba, words)
    return _jieba


def dictionary_cache() -> Path:
    return Path(tempfile.gettempdir()) / f"fazhi-jieba-{jieba.__version__}-{os.getuid()}.pickle"


def load_dictionary(tk: jieba.Tokenizer) -> None:
    """jieba's own dictionary, loaded from a pickle of it kept per user in the temp folder:
    jieba's cache is a marshal file that takes ~0.9 s of CPU to load, on every start of every
    process that cuts words (the server's first bare-word search waits for it); the same dict
    pickled loads in ~0.3 s (issue 14). The pickle is read only when this user owns it and no
    one else may write it; anything wrong with it and jieba loads its own way and it is rewritten."""
    cached = read_private_pickle(dictionary_cache())
    if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], dict) \
            and isinstance(cached[1], int):
        tk.FREQ, tk.total, tk.initialized = cached[0], cached[1], True
        return
    tk.initialize()
    write_private_pickle(dictionary_cache(), (tk.FREQ, tk.total))


def _add_words(tk: jieba.Tokenizer, words: Iterable[str]) -> None:
    for word in words:
        word = fold(word or "")
        if len(word) >= 2 and not tk.FREQ.get(word):
            tk.add_word(word, freq=tk.suggest_freq(word, False))


def learn_words(words: Iterable[str]) -> None:
    """Teach jieba words of the archive (town, county, city names) so they are not split:
    on its next use (a searcher that answers only phrases never loads jieba)."""
    with _jieba_lock:
        _pending.update(w for w in words if w)


def word_spans(text: str, subwords: bool = True) -> Iterator[tuple[str, int, int, bool]]:
    """`(word, start, end, is_subword)` for each jieba word of `text`; offsets index `text`.

    Words never span punctuation: a space stands where folding dropped characters, and jieba
    never joins across it (one `cut` per paragraph: cutting each run apart cost 3× as much).
    A long word (法治政府建设) is followed by the dictionary words inside it (法治, 政府, 建设)
    marked `is_subword`, so a search for 法治 still finds it.
    """
    tk = segmenter()
    folded, offsets = fold_with_offsets(text)
    if not folded:
        return
    freq = tk.FREQ
    pieces, where = [], []  # the folded text with a space at each break; folded index per char
    for i, ch in enumerate(folded):
        if i and offsets[i] - offsets[i - 1] > 1:
            pieces.append(" ")
            where.append(-1)
        pieces.append(ch)
        where.append(i)
    pos = 0
    for word in tk.cut("".join(pieces), HMM=True):
        at, pos = pos, pos + len(word)
        if word == " ":
            continue
        a, b = where[at], where[pos - 1] + 1
        yield word, offsets[a], offsets[b - 1] + 1, False
        if subwords and len(word) > 2:
            for n in (2, 3):
                for i in range(len(word) - n + 1):
                    sub = word[i:i + n]
                    if sub != word and freq.get(sub):
                        yield sub, offsets[a + i], offsets[a + i + n - 1] + 1, True


def query_words(text: str) -> list[str]:
    """The jieba words of a query term (no sub-words), folded."""
    return [w for w, _, _, _ in word_spans(text, subwords=False)]


def index_tokens(text: str) -> list[str]:
    """The words (sub-words included) a paragraph is indexed under, one entry per occurrence.

    The same words as `word_spans` without the offsets, 2.5× faster (no per-character Python
    loop): folding maps each dropped character to a space, so jieba sees the same breaks.
    """
    tk = segmenter()
    freq = tk.FREQ
    out: list[str] = []
    for word in tk.cut(t2s(text.translate(_BREAKS)), HMM=True):
        if word.isspace():
            continue
        out.append(word)
        if len(word) > 2:
            for n in (2, 3):
                for i in range(len(word) - n + 1):
                    sub = word[i:i + n]
                    if sub != word and freq.get(sub):
                        out.append(sub)
    return out


def bigrams(folded: str) -> list[str]:
    """The distinct bigrams of an already folded string."""
    return sorted({folded[i:i + 2] for i in range(len(folded) - 1)})
