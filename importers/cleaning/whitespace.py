"""Spaces: invisible characters, indentation, and spaces that layout put inside Chinese words."""
from __future__ import annotations

import re

from importers.chars import CJK, FW_PUNCT
from importers.document import Cleaning, Line

RULE = "whitespace"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile(r"[ \t\xa0\u3000\u2002\u2003\u2009\u202f]+")
_C = f"[{CJK}{re.escape(FW_PUNCT)}]"
_P = r"[,.;:!?()]"  # half-width punctuation, made full-width later by the punctuation rule
# "法 治政府" → "法治政府", "2020 年" → "2020年", "一、 赵集镇" → "一、赵集镇", "共 22 名" → "共22名",
# "工作, 建立" → "工作,建立"
_INNER_RE = re.compile(rf"(?<={_C}) +(?={_C}|{_P}|\d)|(?<={_P}|\d) +(?={_C})")


def strip_invisible(text: str) -> str:
    return text.translate(_INVISIBLE) if _INVISIBLE_RE.search(text) else text


def normalise_whitespace(lines: list[Line], c: Cleaning) -> list[Line]:
    out = []
    for line in lines:
        text = strip_invisible(line.text)
        text = _SPACES_RE.sub(" ", text).strip()
        fixed = _INNER_RE.sub("", text) if " " in text else text
        if fixed != text:
            c.record(RULE, text, fixed)
        if fixed:
            out.append(Line(fixed, line.hint))
    return out
