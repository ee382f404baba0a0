"""Dates and years as the reports write them: 2020年4月13日, 2020-04-13, 二〇二〇年四月十三日."""
from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple, Optional

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
_CN_YEAR_RE = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})(?=\s*年)")
# Years that belong to something cited, never to the report: 〔2019〕26号, （2021—2025年）,
# 2021-2025年, and (outside titles) whole document names 《…》.
_CITED_RE = re.compile(r"[〔\[［【(（]\s*(?:19|20)\d\d\s*[〕\]］】)）]\s*第?\s*\d*\s*号?"
                       r"|(?:19|20)\d\d\s*年?\s*[—\-–~～至到]+\s*(?:19|20)\d\d\s*年?")
_NAMES_RE = re.compile(r"《[^》\n]*》")
# Where a report says which year it covers, strongest first.
_COVERED_RES = (
    (re.compile(r"现将.{0,12}?((?:19|20)\d\d)\s*年"), 0.9),
    (re.compile(r"^((?:19|20)\d\d)\s*年度?[，,]"), 0.85),
    (re.compile(r"((?:19|20)\d\d)\s*年(?:度)?(?:[^，。]{0,6})?(?:法治政府建设|依法行政|法治建设)(?:工作)?"
                r"(?:情况|开展|年度报告)"), 0.85),
)
_SINCE_RE = re.compile(r"((?:19|20)\d\d)\s*年(?:以来|来)")
_RELATIVE = ((re.compile(r"上一?年度"), -1), (re.compile(r"本年度"), 0))


def arabic_years(text: str) -> str:
    """二〇二〇年 → 2020年, so every year is matched the same way."""
    return _CN_YEAR_RE.sub(lambda m: "".join(_DIGIT[c] for c in m.group(1)), text)


def _own(text: str, names: bool = True) -> str:
    """`text` without the years of what it cites."""
    text = _CITED_RE.sub("", arabic_years(text))
    return _NAMES_RE.sub("", text) if names else text


def year_in(text: str) -> Optional[int]:
    """The year a title names: the first one outside cited numbers and ranges
    ("2024年度…暨2025年工作思路" → 2024); a year inside 《…》 only when there is no other."""
    for candidate in (_own(text), _own(text, names=False)):
        m = _YEAR_RE.search(candidate)
        if m:
            return int(m.group(1))
    return None


def covered_year(intro: list[str], body: list[str], issued: Optional[str] = None
                 ) -> Optional[tuple[int, float]]:
    """(year, confidence) of the year a report covers, from its first paragraphs; else from
    its issue date (December covers that year, January to June the year before); else the
    commonest year of the body. `issued` is an ISO date or None."""
    issued_year = int(issued[:4]) if issued else None
    month = int(issued[5:7]) if issued and len(issued) >= 7 else None
    first = [_own(t) for t in intro[:6]]
    for pattern, conf in _COVERED_RES:
        for text in first:
            m = pattern.search(text)
            if m and (issued_year is None or int(m.group(1)) <= issued_year):
                return int(m.group(1)), conf
    if issued_year:
        for pattern, delta in _RELATIVE:
            if any(pattern.search(t) for t in first):
                return issued_year + delta, 0.8
    for text in first:
        m = _SINCE_RE.search(text)
        if m and (issued_year is None or issued_year - 1 <= int(m.group(1)) <= issued_year):
            return int(m.group(1)), 0.8
    if month == 12 or (month and month <= 6):
        return (issued_year if month == 12 else issued_year - 1), 0.7
    counts = Counter(int(y) for y in _YEAR_RE.findall(_own("\n".join(first + body)))
                     if issued_year is None or int(y) <= issued_year)
    if not counts:
        return None
    year, n = counts.most_common(1)[0]
    return year, 0.6 if n >= 3 else 0.4


class Known(NamedTuple):
    """The year a report is known by, with both years where they differ."""
    year: int
    years: dict            # {"covered": …, "issued": …} when the two differ, else {}
    source: str            # provenance source: title | body | metadata
    confidence: float
    rule: str              # which rule decided, for the reviewer


_DELIVERED_RE = re.compile(r"((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*在.{0,30}?人民代表大会")
# The line under a work report's title that says where it was delivered (and so whose it is).
DELIVERY_RE = re.compile(r"在.{2,30}?第.{1,4}届人民代表大会第.{1,4}次会议上")
_REVIEWED_RE = re.compile(r"((?:19|20)\d\d)\s*年(?:工作|主要工作)?回顾|回顾.{0,4}((?:19|20)\d\d)\s*年")


def known_year(genre: str, title: Optional[str], intro: list[str], body: list[str],
               issued: Optional[str] = None) -> Optional[Known]:
    """The year a report is known by: a 政府工作报告's year of delivery (its title's year: the
    2026 report reviews 2025), any other report's year covered (`covered_year`). The title's year
    wins unless the text states otherwise (a work report's own delivery line, 2026年1月…在…人民
    代表大会…会议上)."""
    issued_year = int(issued[:4]) if issued else None
    titled = year_in(title) if title else None
    first = "\n".join(arabic_years(t) for t in intro[:6])
    if genre == "work_report":
        spoken = _DELIVERED_RE.search(first)
        if spoken and titled and int(spoken.group(1)) != titled:
            year, source, conf, rule = int(spoken.group(1)), "body", 0.85, "政府工作报告按作报告之年：正文写明的会议日期（与标题年份不同）"
        elif titled:
            year, source, conf, rule = titled, "title", 0.95, "政府工作报告按作报告之年：标题年份"
        elif spoken:
            year, source, conf, rule = int(spoken.group(1)), "body", 0.9, "政府工作报告按作报告之年：会议日期"
        elif issued_year:
            year, source, conf, rule = issued_year, "metadata", 0.7, "政府工作报告按作报告之年：发布日期"
        else:
            return None
        reviewed = _REVIEWED_RE.search(first + "\n" + "\n".join(body[:20]))
        covered = int(reviewed.group(1) or reviewed.group(2)) if reviewed else year - 1
        return Known(year, {"covered": covered, "issued": year} if covered != year else {}, source, conf, rule)
    dated = issued_year or next((int(d[:4]) for d in map(parse_date, intro[:2]) if d), None)
    if titled:
        year, source, conf, rule = titled, "title", 0.95, "按所述年度：标题年份"
    elif genre in ("plan", "news", "other") and dated:   # a plan, a news item: the year it is dated
        year, source, conf, rule = dated, "metadata" if issued_year else "body", 0.8, "按发布或成文日期"
    else:
        found = covered_year(intro, body, issued)
        if found is None:
            return None
        (year, conf), source, rule = found, "body", "按所述年度：正文或发布日期"
    years = {"covered": year, "issued": issued_year} if issued_year and issued_year != year else {}
    return Known(year, years, source, conf, rule)
