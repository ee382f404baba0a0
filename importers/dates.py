"""Dates and years as the reports write them: 2020年4月13日, 2020-04-13, 二〇二〇年四月十三日."""
from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from archive.rules import valid_year
from importers.markers import cn_number
from importers.shapes import DATE_RE

_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0"}


def _num(s: Optional[str]) -> Optional[int]:
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if len(s) == 4 and all(c in _DIGIT for c in s):
        return int("".join(_DIGIT[c] for c in s))
    return cn_number(s.replace("〇", "").replace("零", "")) if s else None


def parse_date(text: str) -> Optional[str]:
    """The first date in `text` as ISO ("2020-04-13", or "2020-04" without a day)."""
    m = DATE_RE.search(text)
    if not m:
        return None
    if m.group(4):
        y, mo, d = int(m.group(4)), int(m.group(5)), int(m.group(6))
    else:
        y, mo, d = _num(m.group(1)), _num(m.group(2)), _num(m.group(3))
    if not valid_year(y) or not mo or not 1 <= mo <= 12:
        return None
    if d and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return f"{y:04d}-{mo:02d}"


_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
# Where a report says which year it covers.
_COVERED_RES = (
    re.compile(r"现将.{0,12}?((?:19|20)\d\d)\s*年"),
    re.compile(r"^((?:19|20)\d\d)\s*年(?:度|以来)?[，,]"),
    re.compile(r"((?:19|20)\d\d)\s*年(?:度)?(?:[^，。]{0,6})?(?:法治政府建设|依法行政|法治建设)(?:工作)?(?:情况|开展|年度报告)"),
    re.compile(r"((?:19|20)\d\d)\s*年以来"),
)
_RANGE_RE = re.compile(r"(?:19|20)\d\d\s*[—\-–~～至到]+\s*(?:19|20)\d\d\s*年|《[^》]*》")


def year_in(text: str) -> Optional[int]:
    m = _YEAR_RE.search(text)
    return int(m.group(1)) if m else None


def covered_year(paragraphs: list[str]) -> Optional[tuple[int, float]]:
    """(year, confidence) from the body: an explicit statement first, else the commonest year."""
    for conf, pattern in zip((0.9, 0.85, 0.85, 0.8), _COVERED_RES):
        for text in paragraphs[:6]:
            m = pattern.search(text)
            if m:
                return int(m.group(1)), conf
    counts = Counter(int(y) for t in paragraphs for y in _YEAR_RE.findall(_RANGE_RE.sub("", t)))
    if not counts:
        return None
    year, n = counts.most_common(1)[0]
    return year, 0.6 if n >= 3 else 0.4
