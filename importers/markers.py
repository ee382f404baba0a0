"""Heading markers: 一、 (1) / （一） (2) / 1. 1、 (3) / （1） (4) / ① (5); 第一部分 / 第一章 (0,
shifted to 1 by the sectioner, which then moves the others one level down)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

_CN = "一二三四五六七八九十"
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九", 0)}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_PATTERNS = (
    (0, re.compile(rf"^第([{_CN}]{{1,3}})(部分|章)"), "第{}{}"),
    (1, re.compile(rf"^([{_CN}]{{1,3}})\s*[、．.]"), "{}"),
    (2, re.compile(rf"^[（(]\s*([{_CN}]{{1,3}})\s*[)）]"), "（{}）"),
    (3, re.compile(r"^(\d{1,2})\s*(?:[、．]|\.(?!\d))"), "{}、"),
    (4, re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]"), "（{}）"),
    (5, re.compile(rf"^([{_CIRCLED}])"), "{}"),
)
_FIRST = {0: "第", 1: _CN, 2: "（(", 3: "", 4: "（(", 5: _CIRCLED}  # what each can start with
_BY_FIRST = {ch: tuple(p for p in _PATTERNS if ch in _FIRST[p[0]]) for ch in "".join(_FIRST.values())}
_DIGIT_PATTERNS = tuple(p for p in _PATTERNS if p[0] == 3)


@dataclass
class Marker:
    level: int      # 0 for 第一部分/第一章, else 1..5
    number: int     # its place in the sequence (一 = 1, ③ = 3)
    label: str      # normalised: 一 / （一） / 1、 / （1） / ① / 第一部分
    end: int        # index in the text just after the marker


def cn_number(s: str) -> Optional[int]:
    """一 → 1, 十二 → 12, 二十三 → 23; None when not a Chinese numeral up to 99."""
    if not s or any(c not in _CN for c in s):
        return None
    if "十" not in s:
        return _CN_VALUE[s] if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[ones] if ones else 0)


def match_marker(text: str) -> Optional[Marker]:
    first = text[:1]
    # Only the patterns that can match this first character (most lines: none); \d is isdecimal().
    candidates = _BY_FIRST.get(first) or (_DIGIT_PATTERNS if first.isdecimal() else ())
    for level, pattern, fmt in candidates:
        m = pattern.match(text)
        if not m:
            continue
        token = m.group(1)
        if level == 5:
            number = _CIRCLED.index(token) + 1
        elif token.isdigit():
            number = int(token)
        else:
            number = cn_number(token)
        if not number:
            continue
        label = fmt.format(*m.groups())
        return Marker(level, number, label, m.end())
    return None
