"""The domain rules every layer shares, each stated once: which years a report may cover and how
a year or a range of years is written, the parts of a report with their Chinese names, and what
a report id looks like. (What counts as "the same text" is `archive.folding`.)"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from archive.model import Report

# The years a report may cover (and a date in one may carry): the importers' detection, staff
# corrections, uploads, the query language and the search form all accept exactly these.
YEAR_MIN, YEAR_MAX = 1949, 2100  # the People's Republic's first year; the archive holds reports from 1954
_YEARS = re.compile(r"([0-9]{4})\s*年?(?:\s*[-–—~～至到]\s*([0-9]{4})\s*年?)?")


def valid_year(year: Any) -> bool:
    return isinstance(year, int) and not isinstance(year, bool) and YEAR_MIN <= year <= YEAR_MAX


def read_years(text: Any) -> Optional[tuple[int, int]]:
    """"2024", "2024年", "2021-2024", "2021年至2024年", full-width digits → (first, last) in
    order, whether or not the years are valid; None when it is not written as years."""
    m = _YEARS.fullmatch(unicodedata.normalize("NFKC", str(text)).strip())
    if not m:
        return None
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    return min(first, last), max(first, last)


def parse_year(text: Any) -> Optional[int]:
    """One valid year written as `read_years` reads it ("2024", "2024年"), else None."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if valid_year(text) else None
    years = read_years(text)
    return years[0] if years and years[0] == years[1] and valid_year(years[0]) else None


# The parts of a report, in order, and their Chinese names (also the markers of paragraph ids
# outside the numbered headings: 导语.1, 落款.1).
PARTS = ("intro", "work", "problems", "plans", "closing")
PART_LABELS = {
    "intro": "导语",
    "work": "工作成效",
    "problems": "存在问题",
    "plans": "下一步计划",
    "closing": "落款",
}
# Every way staff may name a part (query language `部分:问题`, search form, `--section`).
PART_ALIASES = {
    **{code: code for code in PARTS}, **{label: code for code, label in PART_LABELS.items()},
    "开头": "intro", "成效": "work", "工作": "work", "工作情况": "work",
    "问题": "problems", "不足": "problems",
    "计划": "plans", "下一步": "plans", "打算": "plans",
}
PART_HELP = "导语/成效/问题/计划/落款"
# How a search hit that is not body text is marked (web, exports, CLI): a heading, the title.
KIND_LABELS = {"heading": "小标题", "title": "标题"}


def part_code(name: Any) -> Optional[str]:
    """The part code for any of its names (`PART_ALIASES`), else None."""
    return PART_ALIASES.get(str(name or "").strip().lower())


# Report ids (docs/ARCHITECTURE.md, Ids): the only kind of id ever turned into a path.
_ID = re.compile(r"[0-9A-Za-z\u4e00-\u9fff（）()·_-]{1,80}")
_ID_CHAR = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff（）()·_-]")


def valid_id(report_id: Any) -> bool:
    """True for a well-formed report id: the only kind of id ever turned into a path."""
    return (isinstance(report_id, str) and _ID.fullmatch(report_id) is not None
            and ".." not in report_id)


def reporting_place(report: "Report") -> Optional[str]:
    """The place that files the report: its town, or for a county's, city's or province's own
    report (`Report.level`) that county, city or province. Ids and "same report" use it."""
    level = report.level if report.level in ("county", "city", "province") else "town"
    return getattr(report.place, level)


def id_base(report: "Report", by_level: bool = True) -> str:
    """The id a report's place and year call for (see docs/ARCHITECTURE.md, Ids), before a
    `-2`, `-3`… that tells apart reports of the same place and year. The place is the one at
    the report's level: a county's own report is `<county>-<year>`, a town's `<town>-<year>`.
    `by_level=False` gives the town-only form ids had before levels were known; such ids
    still fit (an id never changes unless its place or year is corrected)."""
    place, year = reporting_place(report) if by_level else report.place.town, report.year
    base = f"{place or '未知镇'}-{year or '未知年'}"
    if not (place and year):
        base += f"-{report.source.sha256[:8]}"
    return _ID_CHAR.sub("_", base.replace("..", "_"))[:72]


def fits_id(report_id: str, report: "Report") -> bool:
    """Whether `report_id` is one the report's place and year call for (by level, or the
    town-only form of older ids), with or without a `-N`."""
    return any(report_id == base or (report_id.startswith(base + "-") and report_id[len(base) + 1:].isdigit())
               for base in (id_base(report), id_base(report, by_level=False)))
