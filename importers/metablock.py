"""The metadata block government sites print above an article (索引号、发布机构、成文日期、文号…)."""
from __future__ import annotations

import re

# Label → the key the metadata step reads. Several spellings map to one key.
LABELS = {
    "索引号": "索引号", "主题分类": "主题分类", "发布机构": "发布机构", "发文机关": "发布机构",
    "发文单位": "发布机构", "成文日期": "成文日期", "发文日期": "成文日期", "发布日期": "发布日期",
    "发布时间": "发布日期", "公开日期": "发布日期", "文号": "文号", "发文字号": "文号",
    "来源": "来源", "信息来源": "来源", "作者": "作者", "生效日期": "生效日期", "主题词": "主题词",
    "公开方式": "公开方式", "公开范围": "公开范围", "有效性": "有效性", "名称": "名称", "标题": "名称",
}
_LABEL_ALT = "|".join(sorted(map(re.escape, LABELS), key=len, reverse=True))
_LABEL_RE = re.compile(rf"(?:^|(?<=[\s】\]|｜]))\s*【?\s*({_LABEL_ALT})\s*】?\s*[:：]\s*")


def parse_labels(text: str) -> dict[str, str]:
    """Pairs of "label：value" in a block of text, values cut at the next label."""
    found = list(_LABEL_RE.finditer(text))
    out: dict[str, str] = {}
    for m, nxt in zip(found, found[1:] + [None]):
        value = text[m.end(): nxt.start() if nxt else len(text)]
        value = re.sub(r"\s+", " ", value).strip(" |｜【】[]")
        key = LABELS[m.group(1)]
        if value and key not in out:
            out[key] = value
    return out


def is_label_line(text: str) -> bool:
    """A short line that starts with a metadata label ("发布时间：2021-03-02 来源：本站")."""
    return len(text) <= 120 and bool(_LABEL_RE.match(text.strip()))
