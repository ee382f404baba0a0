"""Citations of one paragraph, GB/T 7714-2015 for an online report ([R/OL]: 出版年: 引文位置
(更新或修改日期)[引用日期]. 获取和访问路径):

    赵集镇人民政府. 赵集镇2024年法治政府建设工作情况报告[R/OL]. 2025: 一、（六）第2段(2025-01-10)
    [2026-12-08]. http://法治档案.example/report/赵集镇-2024#p-一.（六）.2

Pure functions of a `Report` and a `Paragraph` (or a search hit's dict). Nothing is invented: a
title the importer derived carries the marker `[标题为系统生成]`, an unknown issuer falls back to
the town's government only when the town is known, else `佚名`.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping, Optional

from archive.model import Paragraph, Report
from archive.rules import government_name, reporting_place

DERIVED_TITLE_MARK = "[标题为系统生成]"
SCANNED_MARK = "据扫描件识别"   # text recognised by OCR from a scan (Paragraph.page is set)
NO_TITLE = "[无标题]"
UNKNOWN_AUTHOR = "佚名"
UNKNOWN_YEAR = "[出版年不详]"
TYPE_MARK = "[R/OL]"  # 报告, 联机网络 (GB/T 7714-2015 表 B.1/B.2)
BEIJING = dt.timezone(dt.timedelta(hours=8))

_CHINESE_NUMERAL = re.compile(r"^[一二三四五六七八九十百零〇]+$")
# ASCII characters that may stay unencoded in a permalink; everything non-ASCII stays readable.
_URL_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/:")


def author(issuer: Optional[str], town: Optional[str]) -> str:
    """The issuing body; `<town>人民政府` (街道: `<town>办事处`) when only the town is known."""
    return issuer or government_name(town) or UNKNOWN_AUTHOR


def location(paragraph_id: str, kind: str = "text") -> str:
    """`一.（六）.2` → `一、（六）第2段`; `导语.1` → `导语第1段`; a heading `一.（六）` → `一、（六）`."""
    parts = [p for p in (paragraph_id or "").split(".") if p]
    numbered = parts and parts[-1].isascii() and parts[-1].isdigit()
    ordinal = parts.pop() if kind == "text" and numbered else None
    shown = [p + "、" if _CHINESE_NUMERAL.match(p) else p for p in parts]
    text = "".join(shown)
    if ordinal is not None:
        text += f"第{ordinal}段"
    return text


def iri(text: str) -> str:
    """Percent-encode the ASCII characters that would break a link; keep Chinese readable."""
    return "".join(c if c in _URL_SAFE or ord(c) > 127 else "".join(
        f"%{b:02X}" for b in c.encode("utf-8")) for c in text)


def permalink(base_url: str, report_id: str, paragraph_id: Optional[str] = None) -> str:
    """`<base>/report/<id>#p-<pid>` — the stable address of a paragraph."""
    url = f"{(base_url or '').rstrip('/')}/report/{iri(report_id)}"
    if paragraph_id:
        url += "#" + iri(f"p-{paragraph_id}")
    return url


def _year(issued: Optional[str], year: Optional[int]) -> str:
    if issued and re.match(r"^\d{4}", issued):
        return issued[:4]
    return str(year) if year else UNKNOWN_YEAR


def _dated(issued: Optional[str]) -> str:
    """The document's date as 更新或修改日期, "(2025-01-10)", when it says more than the year."""
    return f"({issued})" if issued and re.match(r"^\d{4}-\d{2}", issued) else ""


def _title(title: Optional[str], derived: bool) -> str:
    if not title:
        return NO_TITLE
    return title + DERIVED_TITLE_MARK if derived else title


def today() -> dt.date:
    """The 引用日期 by default: today in Beijing time, whatever the server's zone."""
    return dt.datetime.now(BEIJING).date()


def _format(*, issuer, town, title, title_derived, issued, year, report_id, paragraph_id,
            kind, base_url, cited) -> str:
    where = location(paragraph_id, kind) if paragraph_id else ""
    return (f"{author(issuer, town)}. {_title(title, title_derived)}{TYPE_MARK}. "
            f"{_year(issued, year)}{': ' + where if where else ''}{_dated(issued)}"
            f"[{(cited or today()).isoformat()}]. {permalink(base_url, report_id, paragraph_id)}")


def citation(report: Report, paragraph: Optional[Paragraph], base_url: str = "",
             cited: Optional[dt.date] = None) -> str:
    """The one-line citation of `paragraph` (or of the whole report when it is None), cited on
    `cited` (default today)."""
    line = _format(   # a county's, city's, province's or the State Council's own report: its government
        issuer=report.issuer or government_name(reporting_place(report), report.level),
        town=report.place.town, title=report.title,
        title_derived=report.title_derived, issued=report.issued, year=report.year,
        report_id=report.id, paragraph_id=paragraph.id if paragraph else None,
        kind=paragraph.kind if paragraph else "text", base_url=base_url, cited=cited)
    if paragraph.page is not None if paragraph else "ocr" in report.flags:
        head, url = split_permalink(line)
        line = f"{head} {SCANNED_MARK}. {url}"
    return line


def citation_for_hit(hit: Mapping[str, Any], base_url: str = "", cited: Optional[dt.date] = None) -> str:
    """The citation of a search hit as found in `SearchResult.to_dict()["hits"]`."""
    return _format(
        issuer=hit.get("issuer"), town=hit.get("town"), title=hit.get("title"),
        title_derived=bool(hit.get("title_derived")), issued=hit.get("issued"),
        year=hit.get("year"), report_id=hit.get("report_id") or "",
        paragraph_id=hit.get("paragraph_id"), kind=hit.get("kind") or "text",
        base_url=base_url, cited=cited)


def split_permalink(line: str) -> tuple[str, str]:
    """A citation line → (the citation without its link, the permalink). A permalink never
    holds a space (`iri` encodes it), so it is what follows the last one."""
    head, _, url = line.rpartition(" ")
    return head, url


def script_note(traditional: bool, as_written: bool) -> str:
    """What a quotation says about its script: "" for a 简体 report, else 繁体原文 or that the
    text was converted."""
    if not traditional:
        return ""
    return "繁体原文" if as_written else "原文为繁体，已转换为简体"


def quotation(report: Report, paragraph: Paragraph, base_url: str = "",
              original_script: bool = True, cited: Optional[dt.date] = None) -> str:
    """What "复制引用" copies: the paragraph's words, then its citation on a line of its own."""
    text = (paragraph.text_original if original_script else paragraph.text) or paragraph.text
    return f"{text}\n——{citation(report, paragraph, base_url, cited)}"
