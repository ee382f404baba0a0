"""Folding: the one definition of "the same text" — used by the archive (the title key that
tells a new version of a report from another report), the index, the queries and the highlights.

`fold(text)` = NFKC width folding + lower case, punctuation / whitespace / control characters
dropped, traditional → simplified (OpenCC t2s). A quoted phrase matches a paragraph exactly when
`fold(phrase) in fold(paragraph)`; `fold_with_offsets` maps every folded character back to the
original character it came from, so highlights cover exactly the matched original characters.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from archive.script import to_simplified

_DROP_CATEGORIES = ("P", "Z", "C")  # punctuation, separators (spaces), control/format
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")



@lru_cache(maxsize=None)
def _fold_char(ch: str) -> str:
    """NFKC + lower case of one character, with dropped characters removed (may be '' or >1 chars)."""
    return "".join(c for c in unicodedata.normalize("NFKC", ch).lower()
                   if not c.isspace() and unicodedata.category(c)[0] not in _DROP_CATEGORIES)


class _FoldTable(dict):
    """A `str.translate` table that computes each character's folding on first use."""

    def __missing__(self, code: int) -> str:
        self[code] = value = _fold_char(chr(code))
        return value


class BreakTable(dict):
    """Like the folding table, but a dropped character becomes a space: where words break."""

    def __missing__(self, code: int) -> str:
        self[code] = value = _fold_char(chr(code)) or " "
        return value


_TABLE = _FoldTable()


@lru_cache(maxsize=65536)
def _t2s_char(ch: str) -> str:
    out = to_simplified(ch)
    return out if len(out) == 1 else ch


def t2s(text: str) -> str:
    """Traditional → simplified, guaranteed to keep the length (so offsets stay valid).

    OpenCC converts phrases in context; in the rare case that changes the length, fall back to
    converting character by character.
    """
    if not text or text.isascii():
        return text
    out = to_simplified(text)
    if len(out) != len(text):
        out = "".join(_t2s_char(c) for c in text)
    return out


def fold(text: str) -> str:
    """The folded form of `text` (see the module docstring)."""
    return t2s(text.translate(_TABLE))


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """`(fold(text), offsets)` where `offsets[i]` is the index in `text` of folded character i."""
    chars: list[str] = []
    offsets: list[int] = []
    table = _TABLE
    for i, ch in enumerate(text):
        folded = table[ord(ch)]
        if folded:
            chars.append(folded)
            offsets.extend([i] * len(folded))
    return t2s("".join(chars)), offsets


def spans_to_original(spans: list[tuple[int, int]], offsets: list[int]) -> list[tuple[int, int]]:
    """Map folded `[start, end)` spans to spans of the original text.

    A span covers the original text from its first to its last matched character, so
    punctuation inside a match (谁执法、谁普法) is covered too.
    """
    return [(offsets[s], offsets[e - 1] + 1) for s, e in spans if e > s]


def find_all(haystack: str, needle: str) -> list[tuple[int, int]]:
    """Every occurrence of `needle` in `haystack` (overlapping ones included) as spans."""
    spans, n = [], len(needle)
    if not n:
        return spans
    i = haystack.find(needle)
    while i >= 0:
        spans.append((i, i + n))
        i = haystack.find(needle, i + 1)
    return spans


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text) is not None
