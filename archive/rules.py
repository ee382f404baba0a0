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
    report (`Report.level`) that county, city or province; 全国 for the State Council's. Ids and
    "same report" use it."""
    if report.level == "national":
        return LEVEL_LABELS["national"]
    level = report.level if report.level in ("county", "city", "province") else "town"
    return getattr(report.place, level)


def government_name(place: Optional[str], level: Optional[str] = "town") -> Optional[str]:
    """The government that files a report of `place` at `level`: 国务院 for the State Council's,
    <place>人民政府, a street's <place>办事处; None without a place. Citations name it as the
    author when no signature or page names the issuer."""
    if level == "national":
        return "国务院"
    if not place:
        return None
    if place.endswith("办事处"):
        return place
    return place + ("办事处" if place.endswith("街道") else "人民政府")


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


# ---- Genre and level of a report (issue 15) ---------------------------------------------------
# What kind of document a report is and who files it: the codes stored in the front matter, their
# Chinese names (pages, CLI, citations), and every name staff may type (`archive set genre=述法`,
# `archive search --level 省`, the search form). Reports are mostly the first genre: the archive
# is for 法治政府建设 reports, so the trend counts only those unless asked otherwise.
GENRES = ("rule_of_law", "work_report", "shufa", "plan", "news", "other")
GENRE_LABELS = {
    "rule_of_law": "法治政府建设报告",
    "work_report": "政府工作报告",
    "shufa": "述法报告",
    "plan": "工作要点或方案",
    "news": "新闻",
    "other": "其他",
}
DEFAULT_GENRE = "rule_of_law"
LEVELS = ("town", "county", "city", "province", "national")
LEVEL_LABELS = {"town": "乡镇", "county": "县区", "city": "地市", "province": "省", "national": "全国"}
GENRE_ALIASES = {
    **{code: code for code in GENRES}, **{label: code for code, label in GENRE_LABELS.items()},
    "法治政府建设": "rule_of_law", "法治": "rule_of_law", "法治报告": "rule_of_law",
    "工作报告": "work_report", "述法": "shufa", "工作要点": "plan", "方案": "plan", "要点": "plan",
    "计划": "plan",
}
LEVEL_ALIASES = {
    **{code: code for code in LEVELS}, **{label: code for code, label in LEVEL_LABELS.items()},
    "镇": "town", "乡": "town", "街道": "town", "县": "county", "区": "county", "县级": "county",
    "市": "city", "市级": "city", "省级": "province", "自治区": "province", "国家": "national",
    "国务院": "national",
}


def genre_code(name: Any) -> Optional[str]:
    """The genre code for any of its names (`GENRE_ALIASES`), else None."""
    return GENRE_ALIASES.get(str(name or "").strip().lower())


def level_code(name: Any) -> Optional[str]:
    """The level code for any of its names (`LEVEL_ALIASES`), else None."""
    return LEVEL_ALIASES.get(str(name or "").strip().lower())


# How a `genre_doubt` note written before genres were stored names the kind of file.
_NOTE_GENRES = (("政府工作报告", "work_report"), ("述法", "shufa"), ("工作要点或方案", "plan"),
                ("新闻", "news"), ("县级", "rule_of_law"), ("市级", "rule_of_law"), ("省级", "rule_of_law"))


def stored_genre(flags: list[str], notes: dict[str, str]) -> str:
    """The genre of a report stored before genres were (derived on read): what its
    `genre_doubt` note said it was, the archive's genre when it had no doubt."""
    note = notes.get("genre_doubt")
    if note is None:
        return DEFAULT_GENRE
    return next((code for word, code in _NOTE_GENRES if word in note), "other")
