"""Simplified or traditional: detected from how much OpenCC t2s changes; `to_simplified` (archive.script) folds."""
from __future__ import annotations

from archive.script import to_simplified
from importers.chars import cjk_only

TRADITIONAL_SHARE = 0.04  # share of CJK characters that t2s changes; simplified text scores ~0
_SAMPLE = 20000           # CJK characters looked at



def detect_script(text: str) -> str:
    sample = cjk_only(text[:_SAMPLE * 2])
    if len(sample) < _SAMPLE and len(text) > _SAMPLE * 2:
        sample = cjk_only(text)
    sample = sample[:_SAMPLE]
    if not sample:
        return "simplified"
    converted = to_simplified(sample)
    if converted == sample:  # the usual simplified report: nothing to count
        return "simplified"
    changed = sum(a != b for a, b in zip(sample, converted)) if len(converted) == len(sample) else len(sample)
    return "traditional" if changed / len(sample) >= TRADITIONAL_SHARE else "simplified"
