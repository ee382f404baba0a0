"""The metadata table government sites print above an article (索引号、发布机构、成文日期、文号…),
in any of the shapes a copy of the page takes:

    索引号：0001  发布机构：某镇人民政府          label：value runs on one line
    索 引 号 | 0001 | 发布机构: | 某镇人民政府     a pipe table (labels with or without colons)
    - [ 索引号 ] 0001 [ 发文字号 ]                bracketed labels, bullets, empty cells
    索引号：                                      a label alone, its value on the next line
    0001

    索引号 发布机构 区政府                        cells separated by spaces only

`parse_labels(text)` reads one line (or a block) into {key: value}; `is_label_line(text)` tells a
line of such a table; `takes_next_value(text)` a label left without its value. Labels spaced out
between their characters (索 引 号) are read as the label. Keys are the canonical names in LABELS;
rows that only decorate the page (点击数, 字号, 有效性…) are recognised but give no key.
"""
from __future__ import annotations

import re

from importers.chars import CJK

# Label → the key the metadata step reads (several spellings map to one key); None = a row the
# page prints that carries nothing for the report (view counters, font size, validity…).
LABELS = {
    "索引号": "索引号", "主题分类": "主题分类", "信息分类": "主题分类", "发布机构": "发布机构",
    "发文机关": "发布机构", "发文单位": "发布机构", "发文机构": "发布机构", "成文日期": "成文日期",
    "发文日期": "成文日期", "发布日期": "发布日期", "发布时间": "发布日期", "公开日期": "发布日期",
    "文号": "文号", "发文字号": "文号", "来源": "来源", "信息来源": "来源", "文章来源": "来源",
    "作者": "作者", "生效日期": "生效日期", "主题词": "主题词", "公开方式": "公开方式", "公开范围": "公开范围",
    "有效性": None, "名称": "名称", "标题": "名称", "日期": "发布日期", "时间": "发布日期",
    "更新时间": None, "体裁分类": None, "文件分类": None, "信息类别": None, "所属单位": None, "所属机构": None,
    "点击": None, "点击数": None, "点击率": None, "点击量": None, "浏览次数": None, "浏览量": None,
    "阅读次数": None, "访问量": None, "字号": None, "字体": None, "字体大小": None, "责任编辑": None,
    "编辑": None, "发布人": None, "废止日期": None, "失效日期": None, "公开类别": None, "组配分类": None,
    "效力状态": None, "发文时间": "成文日期", "成文时间": "成文日期", "制发机构": "发布机构", "备注": None,
    "公文生成日期": None,
}
# Generic labels: taken only with a short, date-like value, never from running text.
_GENERIC = {"日期", "时间", "作者", "来源", "编辑", "点击"}
_DATE_VALUE_RE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}")
# A label as a page prints it: characters possibly spaced out (索 引 号), in brackets, with a colon.
_SPACED = {label: r"\s*".join(map(re.escape, label)) for label in LABELS}
_LABEL_ALT = "|".join(_SPACED[k] for k in sorted(LABELS, key=len, reverse=True))
_LEAD = r"(?:^|(?<=[\s】\]|｜•·/]))"
_KNOWN_RE = re.compile(
    rf"{_LEAD}[-*•·]?\s*(?:[【\[]\s*(?P<b>{_LABEL_ALT})\s*[】\]]\s*[:：]?|(?P<c>{_LABEL_ALT})\s*[:：]"
    rf"|(?P<p>{_LABEL_ALT})\s*(?=[|｜]|$))")
# Inside a row that starts with a known label, any short run of Chinese before a colon is a label
# too (文件分类:、所属机构:): it ends the value before it.
_ANY_LABEL_RE = re.compile(rf"(?:[{CJK}]\s*){{2,6}}[:：]")
_KNOWN_SUFFIX_RE = re.compile(rf"(?:{_LABEL_ALT})\s*[:：]$")
_ROW_START_RE = re.compile(rf"^\s*(?:[-*•·|｜]\s*)*(?:[【\[]\s*)?(?:{_LABEL_ALT})\s*(?:[】\]/]|[:：]|[|｜]|$)")
# How a row can begin: a bullet, a bracket, a bar, or a label's first character (simplified or,
# on pages served in traditional script, traditional: 發布日期, 來源, 標題…).
ROW_FIRST = set("-*•·|｜【[") | {label[0] for label in LABELS} | set("來備廢時標瀏發組編訪責閱體點")
_VALUE_STRIP = " |｜【】[]•·-*:：\t"
_EMPTY_NUMBER_RE = re.compile(r"[〔\[［【(（]\s*[〕\]］】)）]")


def _label_name(match_text: str) -> str:
    return re.sub(r"[\s【】\[\]:：|｜•·*-]", "", match_text)


def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of every label in a row, in order."""
    found = {m.start(): (m.start(), m.end(), _label_name(m.group(0))) for m in _KNOWN_RE.finditer(text)}
    for m in _ANY_LABEL_RE.finditer(text):
        if any(s <= m.start() < e for s, e, _ in found.values()):
            continue
        start = m.start()
        known = _KNOWN_SUFFIX_RE.search(m.group(0))  # "省政府办公厅成文日期:" → 成文日期
        if known:
            start += known.start()
        found[start] = (start, m.end(), _label_name(text[start:m.end()]))
    spans = sorted(found.values())
    out: list[tuple[int, int, str]] = []
    for span in spans:  # a generic match may sit inside a known one ("发布机构:" holds "机构:")
        if out and span[0] < out[-1][1]:
            continue
        out.append(span)
    return out


def _clean_value(key: str | None, label: str, value: str) -> str | None:
    value = re.sub(r"\s+", " ", value).strip(_VALUE_STRIP)
    if not value or value in ("无", "暂无", "/", "--", "—"):
        return None
    if label in _GENERIC and (len(value) > 40 or re.search("[，。；！？]", value) or (label in ("日期", "时间") and not _DATE_VALUE_RE.search(value))):
        return None
    if key == "文号" and (_EMPTY_NUMBER_RE.search(value) or not re.search(r"\d", value)):
        return None  # 〔〕号: the page's template without a number
    return value


def _as_row(text: str) -> str:
    """A row whose cells only spaces separate ("索引号 发布机构 区政府", "公开类别 主动公开 发布时间
    2023-03-27") gets a colon after each label, so it reads like the other shapes."""
    tokens = text.split()
    if (len(tokens) < 3 or len(text) > 100 or tokens[0] not in LABELS or re.search("[，。；:：|｜]", text)
            or sum(t in LABELS for t in tokens) < 2):
        return text
    return " ".join(f"{t}:" if t in LABELS else t for t in tokens)


def parse_labels(text: str) -> dict[str, str]:
    """Pairs of label and value in a row (or block) of a metadata table, values cut at the next label."""
    text = _as_row(text)
    spans = _spans(text)
    out: dict[str, str] = {}
    for (start, end, label), nxt in zip(spans, spans[1:] + [None]):
        key = LABELS.get(label)
        value = _clean_value(key, label, text[end: nxt[0] if nxt else len(text)])
        if key and value and key not in out:
            out[key] = value
    return out


def is_label_line(text: str) -> bool:
    """A short line that starts with a metadata label ("发布时间：2021-03-02 来源：本站",
    "[ 索引号 ] 0001", "索 引 号 | 0001 | …", "文号：")."""
    text = text.strip()
    if len(text) > 160 or text[:1] not in ROW_FIRST:
        return False
    if not _ROW_START_RE.match(text):
        text = _as_row(text) if " " in text else text
        if not _ROW_START_RE.match(text):
            return False
    spans = _spans(text)
    if not spans or spans[0][2] not in LABELS:
        return False
    # A generic label alone ("来源：…", "作者：…") must carry a short value, not a sentence.
    if len(spans) == 1 and spans[0][2] in _GENERIC:
        rest = text[spans[0][1]:]
        return not rest.strip(_VALUE_STRIP) or _clean_value(LABELS[spans[0][2]], spans[0][2], rest) is not None
    return True


def takes_next_value(text: str) -> bool:
    """A row that ends with a label and no value: its value is on the next line."""
    text = _as_row(text)
    spans = _spans(text)
    return (bool(spans) and not text[spans[-1][1]:].strip(_VALUE_STRIP)
            and LABELS.get(spans[-1][2]) is not None)
