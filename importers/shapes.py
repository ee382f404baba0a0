"""What kind of line this is by its shape: title, addressee, 文号, signature, date.

Shared by the cleaning rules (which must not glue a title to the body) and by the metadata
step (which takes these lines out of the paragraphs). Works on either script.
"""
from __future__ import annotations

import re

from importers.chars import CJK, ends_sentence
from importers.markers import match_marker

_TITLE_END_RE = re.compile(r"(报告|報告|总结|總結|情况|情況|汇报|匯報|工作要点|工作要點)[）)]?$")
_TITLE_WORD_RE = re.compile(r"法治|法制|依法|行政|述法|普法")
DOCNUM_RE = re.compile(r"[\u4e00-\u9fff]{1,10}\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*第?\s*(\d{1,4})\s*号")
_CN_DATE = "〇零一二三四五六七八九十○Ｏ"
DATE_RE = re.compile(
    rf"(\d{{4}}|[{_CN_DATE}]{{4}})\s*年\s*(\d{{1,2}}|[{_CN_DATE}]{{1,3}})\s*月\s*(?:(\d{{1,2}}|[{_CN_DATE}]{{1,3}})\s*日)?"
    r"|(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_ORG_END_RE = re.compile(r"(人民政府|政府|办事处|辦事處|委员会|委員會|党委|黨委|办公室|辦公室|司法所|镇|鎮|乡|鄉|街道)$")
_ADDRESSEE_RE = re.compile(r"(政府|办公室|辦公室|委员会|委員會|领导小组|領導小組|区委|區委|县委|縣委|市委|党委|黨委|"
                           r"局|人大|办|辦|组|組|处|處)")


HEAD_LINES = 8   # the title block is within the first lines


def head_end(texts: list[str]) -> int:
    """Index of the first body line: long, a sentence, or a numbered heading."""
    for i, t in enumerate(texts[:HEAD_LINES]):
        if len(t) > 60 or match_marker(t) or (ends_sentence(t) and not is_addressee(t)):
            return i
    return min(len(texts), HEAD_LINES)


# A government work report's own title names no 法治 word: 2026年重庆市政府工作报告, …（摘要）.
_WORK_REPORT_TITLE_RE = re.compile(r"政府工作[报報]告(?:[（(]摘要[）)])?$")


def looks_like_title(text: str) -> bool:
    return (6 <= len(text) <= 90 and not ends_sentence(text) and match_marker(text) is None
            and (bool(_TITLE_END_RE.search(text)) and bool(_TITLE_WORD_RE.search(text))
                 or bool(_WORK_REPORT_TITLE_RE.search(text))))


_PIECE_RE = re.compile(rf"^[{CJK}0-9A-Za-z〇○（）()《》“”—]+$")


def is_title_piece(text: str) -> bool:
    """A line that can be part of a title split over lines: words only, no bullets, bars or colons
    (so a widget line "- 长者版" or a cell "[主题分类]" never joins one), no sentence."""
    return (len(text) <= 40 and bool(_PIECE_RE.match(text)) and not is_doc_number(text)
            and not is_date_line(text) and not text.endswith("文件"))


_PLACE_RE = re.compile(r"[镇鎮乡鄉街县縣区區市省旗州盟]")


def names_place(text: str) -> bool:
    """The text names some administrative unit (a character of 镇/乡/街道/县/区/市/省/旗…)."""
    return bool(_PLACE_RE.search(text))


def title_continues(text: str) -> bool:
    """A title piece that cannot end a title: "某镇人民政府关于2022年度" goes on on the next line."""
    return bool(re.search(r"(关于|關於|關于)|(年|年度|的)$", text)) and not looks_like_title(text)


def opens_title(text: str) -> bool:
    """The first line of a title split over lines: the issuing body, or words of the title itself
    (a site name such as 环球国际 above a split title is not its first line)."""
    return (is_issuer_line(text) or title_continues(text) or bool(_TITLE_WORD_RE.search(text))
            or bool(re.search(r"\d{4}|[〇一二三四五六七八九○]{4}", text)))


def title_tail(text: str) -> bool:
    """The last line of a title split over lines ends like a title."""
    return bool(_TITLE_END_RE.search(text))


def is_doc_number(text: str) -> bool:
    m = DOCNUM_RE.search(text)
    return bool(m) and len(text) <= len(m.group(0)) + 4


def is_date_line(text: str) -> bool:
    m = DATE_RE.fullmatch(text.strip(" （）()"))
    return m is not None


def is_issuer_line(text: str) -> bool:
    """A signature line: an organisation name (or two side by side), no sentence punctuation."""
    if len(text) > 40 or any(p in text for p in "。，；：:,") or match_marker(text):
        return False
    parts = [p for p in re.split(r"[\s　]+", text) if p]
    return all(_ORG_END_RE.search(p) for p in parts)


def is_addressee(text: str) -> bool:
    return (len(text) <= 40 and text[-1:] in "：:" and match_marker(text) is None
            and "。" not in text and bool(_ADDRESSEE_RE.search(text)))
