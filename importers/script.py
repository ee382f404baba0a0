"""Simplified or traditional: detected from how much OpenCC t2s changes; `to_simplified` folds."""
from __future__ import annotations

from functools import lru_cache

from opencc import OpenCC

from importers.chars import CJK_RE

TRADITIONAL_SHARE = 0.04  # share of CJK characters that t2s changes; simplified text scores ~0


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def detect_script(text: str) -> str:
    sample = "".join(CJK_RE.findall(text))[:20000]
    if not sample:
        return "simplified"
    converted = to_simplified(sample)
    changed = sum(a != b for a, b in zip(sample, converted)) if len(converted) == len(sample) else len(sample)
    return "traditional" if changed / len(sample) >= TRADITIONAL_SHARE else "simplified"
