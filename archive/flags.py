"""How staff read a report's import warnings (`Report.flags`) and the reasons a report is on the
review list: one table for every page, export and command that names them."""
from __future__ import annotations

FLAG_LABELS = {
    "encoding_debris": "含乱码字符",
    "title_derived": "标题为推断",
    "town_missing": "未识别乡镇",
    "year_missing": "未识别年份",
    "place_ambiguous": "乡镇有同名",
    "genre_doubt": "体裁存疑",
    "level_doubt": "层级存疑",
    "place_checked": "地点已核对",
    "genre_checked": "体裁已核对",
    "level_checked": "层级已核对",
    "ocr": "扫描件识别",
}
# Why a report is on the review list (archive.integrity.review_kinds): the missing flags, the
# doubtful values and the noted flags.
REVIEW_LABELS = {
    "town_missing": "缺少乡镇",
    "year_missing": "缺少年份",
    "town_doubtful": "乡镇把握不大",
    "year_doubtful": "年份把握不大",
    "place_ambiguous": "乡镇有同名",
    "genre_doubt": "体裁存疑",
    "level_doubt": "层级存疑",
}


def flag_label(flag: str) -> str:
    """The Chinese label of a flag; an unknown one (a newer importer's) as it is."""
    return FLAG_LABELS.get(flag, flag)
