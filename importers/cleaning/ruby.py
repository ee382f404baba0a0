"""Pinyin ruby annotations in some traditional copies: 關(guān) → 關, 會(huì ) → 會.

Only pinyin after a Chinese character is removed; real parentheses such as （一）, (2021—2025年)
or 村(社区) hold Chinese or digits and never match.
"""
from __future__ import annotations

import re

from importers.chars import CJK
from importers.document import Cleaning, Line

RULE = "pinyin_ruby"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_RUBY_RE = re.compile(rf"(?<=[{CJK}])[(（]\s*([a-zü{_TONED}]{{1,7}})\s*[)）]")
# A toneless syllable counts only in a document that has toned ruby too (的(de), 么(me)).
_SYLLABLE_RE = re.compile(r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|"
                          r"uan|ai|an|ao|ei|en|er|ia|ie|in|iu|ou|ua|ue|ui|un|uo|ve|üe|a|e|i|o|u|ü|v)$")


def _is_toned(s: str) -> bool:
    return any(ch in _TONED for ch in s)


def drop_pinyin_ruby(lines: list[Line], c: Cleaning) -> list[Line]:
    toned_doc = any(_is_toned(m.group(1)) for line in lines for m in _RUBY_RE.finditer(line.text))
    if not toned_doc:
        return lines

    def repl(m: re.Match) -> str:
        syl = m.group(1)
        return "" if _is_toned(syl) or _SYLLABLE_RE.match(syl) else m.group(0)

    out = []
    for line in lines:
        fixed = _RUBY_RE.sub(repl, line.text)
        if fixed != line.text:
            c.record(RULE, line.text, fixed)
        out.append(Line(fixed, line.hint))
    return out
