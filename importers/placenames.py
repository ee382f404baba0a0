"""Where a text names a division the gazetteer knows, and whether that mention names a place.

`mentions(text)` finds every gazetteer name in a text (the longest name ending at each unit
word), normalising XX街道办事处 and a bare XX街 to XX街道. Mentions that do not name a place
are left out: a person's title (李某镇长, 赵县长), a village or community named after a town
(XX镇村委会, XX街道社区), and two-character names standing in a phrase (城区内, 新县城) — those
count only before 委/政府/人大 or where an organisation is named.

A county, city or province counts only as a whole word: where the name starts a word (after
punctuation, a function word such as 在/对/和, a date, or another division's name, as in
湖南省长沙市), never as the tail of a longer word (沿海城市 holds 海城市, 中南部县城 南部县, 罗浮山县
浮山县, 老解放区 解放区). Town names inside words are judged where the text is known
(`importers.places`: 强化伊金霍洛镇 in a report that speaks as that town).
"""
from __future__ import annotations

import re
from typing import NamedTuple

from importers import gazetteer

_ENDS = "镇乡道县区市旗州盟省木"
_TITLE_AFTER = re.compile(r"长(?![期效远足])")   # 镇长, 县长; not 长期, 长效
# A village or community named after a town, or a compound word the name runs into:
# 乡镇/村镇 (会同乡镇), 乡村 (发展乡村), 乡土, 乡亲, 乡愁, 乡贤, 乡里, 乡下.
_NOT_PLACE_AFTER = re.compile(r"村|社区|居委|(?<=乡)[镇土亲愁贤里下]|(?<=镇)镇")
_BEFORE_SHORT = set("在于对和与及、共的由经向，,。；;：: \t（(“\"")
# After these a name starts a word (在静海区, 关于清水县, 2023年静海区, 中共汉中市委汉中市人民政府).
_WORD_START_AFTER = set("在于对和与及、的由经向将把为是据至到以从同跟共年度委府即原照合赴来入驻")
_UNIT_CHARS = set("省市州县区旗盟镇乡道")
_ORG_AFTER = re.compile(r"委|人民政府|政府|党委|党工委|人大|办事处|司法|法院|检察院|、|和|及|[，,]")


class Mention(NamedTuple):
    start: int
    end: int          # the written mention is text[start:end]
    name: str         # the gazetteer's name (XX街道 for XX街道办事处 / XX街)
    levels: frozenset[str]


_END_RE = re.compile(f"[{_ENDS}]|街(?!道)")


def mentions(text: str) -> list[Mention]:
    found: list[Mention] = []
    names = gazetteer.name_set()
    for end_match in _END_RE.finditer(text):
        end = end_match.end()
        add = "道" if end_match.group() == "街" else ""   # 留下街 → 留下街道
        longest = gazetteer.longest_ending_in("道" if add else text[end - 1])
        for length in range(min(longest - len(add), end), 1, -1):
            name = text[end - length:end] + add
            if name not in names:
                continue
            levels = gazetteer.levels_of(name)
            if not _starts_a_word(text, end - length):
                levels &= {"town"}   # 沿海城市: not 海城市; towns: see importers.places
            if levels:
                stop = end + 3 if text.startswith("办事处", end) else end
                found.append(Mention(end - length, stop, name, levels))
                break
    out: list[Mention] = []
    for m in sorted(found, key=lambda m: (m.start, m.start - m.end)):  # 新市镇 over 新市
        if (not out or m.start >= out[-1].end) and _is_place(text, m.start, m.end):
            out.append(m)
    return out


def _starts_a_word(text: str, start: int) -> bool:
    """Whether a name starting at `start` starts a word: at the start, after punctuation, a digit
    or a function word, or right after another division's name (长沙市天心区)."""
    if start == 0:
        return True
    before = text[start - 1]
    if not "\u3400" <= before <= "\u9fff" or before in _WORD_START_AFTER:
        return True
    return before in _UNIT_CHARS and _ends_in_name(text, start)


def _ends_in_name(text: str, end: int) -> bool:
    names = gazetteer.name_set()
    return any(text[end - n:end] in names for n in range(2, min(end, 12) + 1))


def _is_place(text: str, start: int, end: int) -> bool:
    after = text[end:end + 6]
    if (_TITLE_AFTER.match(after) and not _name_follows(text, end)) or _NOT_PLACE_AFTER.match(text, end):
        return False
    if end - start <= 2:  # 城区, 新县, 赵县, 范县: only as a word of its own (not 示范县, 主城区)
        before_ok = start == 0 or text[start - 1] in _BEFORE_SHORT or (
            text[start - 1] in _UNIT_CHARS and _ends_in_name(text, start))   # 佳木斯市郊区, not 城市郊区
        return before_ok and (bool(_ORG_AFTER.match(after)) or _name_follows(text, end))
    return True


def _name_follows(text: str, end: int) -> bool:
    """A division's name starts right after `end` (滑县万古镇)."""
    names = gazetteer.name_set()
    return any(text[end:end + n] in names for n in range(2, 9))
