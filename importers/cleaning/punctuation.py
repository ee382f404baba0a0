"""Half-width punctuation in Chinese text becomes full-width: , → ，  : → ：  ; → ；  ( ) → （ ）.

Numbers (1,000  12.4  10:30  1.2万份), dates and Latin text keep their ASCII punctuation.
"""
from __future__ import annotations

import re

from importers.chars import CJK, FW_PUNCT
from importers.document import Cleaning, Line

RULE = "punctuation"
_C = f"[{CJK}{re.escape(FW_PUNCT)}]"
_PAIR_RE = re.compile(rf"\(([^()]*{_C}[^()]*)\)")
_QUOTES_RE = re.compile(rf'"([^"]*{_C}[^"]*)"')
_FULL = {",": "，", ":": "：", ";": "；", "!": "！"}
_NEAR_CJK = re.compile(rf"{_C}")
_HALF_WIDTH = re.compile(r'[,:;!()"]')


def _near_cjk(text: str, i: int) -> bool:
    return bool((i > 0 and _NEAR_CJK.match(text[i - 1])) or (i + 1 < len(text) and _NEAR_CJK.match(text[i + 1])))


def _between_digits(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def fix_punctuation(text: str) -> str:
    if not _HALF_WIDTH.search(text):  # most lines: nothing to change
        return text
    if "(" in text:
        text = _PAIR_RE.sub(r"（\1）", text)
    if '"' in text:
        text = _QUOTES_RE.sub(r"“\1”", text)
    chars = list(text)
    for m in _HALF_WIDTH.finditer(text):
        i, ch = m.start(), m.group()
        if ch in _FULL and _near_cjk(text, i) and not _between_digits(text, i):
            chars[i] = _FULL[ch]
        elif ch == "(" and (i + 1 < len(text) and _NEAR_CJK.match(text[i + 1])):
            chars[i] = "（"
        elif ch == ")" and i > 0 and _NEAR_CJK.match(text[i - 1]):
            chars[i] = "）"
    return "".join(chars)


def normalise_punctuation(lines: list[Line], c: Cleaning) -> list[Line]:
    out = []
    for line in lines:
        fixed = fix_punctuation(line.text)
        if fixed != line.text:
            c.record(RULE, line.text, fixed)
        out.append(Line(fixed, line.hint))
    return out
