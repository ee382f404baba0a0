"""Headings, parts and paragraph ids.

Numbered lines are those whose numbers run in sequence (so "1.2万份" or a stray "三、" is
text). A numbered line is a heading when it labels what follows it; one that states something
itself is a list item of content, a text paragraph (`content_items`): it heads nothing (no
line follows it before its next sibling, as the items of a problem list or the cases of a law
article), or it is a sentence — long, or closed by 。/；and longer than a label. Lines the
reader marked as styled headings are headings. Either way a numbered line's id is the path
of numbers (`三.1、`) and the text after it is numbered under it (`三.1、.1`), so whether a line
is a heading or an item never changes an id. Levels: 一、1 （一）2 1.3 （1）4 ①5;
when a report uses 第一部分/第一章 those are level 1 and every other level moves one down.
Parts: intro before the first heading, closing for the signature and date, and for the top
headings work / problems / plans by their words; children inherit the part, except under a
mixed heading ("存在问题及改进措施"), where each child is classified by its own words.
"""
from __future__ import annotations

import re
from typing import Optional

from archive.model import Paragraph, heading_paths
from archive.rules import PART_LABELS
from importers.chars import CLOSERS
from importers.document import Line
from importers.markers import Marker, match_marker
from importers.parts import refine as refine_parts

_PROBLEMS_RE = re.compile(r"存在的?(?:问题|不足|短板|差距|困难)|问题(?:和|与|及)(?:不足|原因|差距)|不足之处|短板|困难和问题")
_PLANS_RE = re.compile(r"下一步|打算|工作计划|工作安排|工作思路|工作谋划|改进措施|整改措施|努力方向|今后|明年|展望")
_SHORT_HEADING = 30
_LONG_LABEL = 60     # no heading is longer: a numbered line past it is a paragraph of content
_SENTENCE_LABEL = 30  # a numbered sentence (closed by 。/；) past this is content, not a label
_CLOSES = "。！？；;!?…"  # not "：", which opens what follows, as a heading does
# A finding's predicate: a numbered line of the problems part that says something falls short
# states a problem (2、农村的法治氛围不够浓厚，法治教育的力度不够强), whatever follows it.
_FINDING_RE = re.compile(r"有待|不够|不足|不强|不高|不深|不广|不多|薄弱|欠缺|较少|较弱|较低|偏弱|偏低|滞后|"
                         r"不到位|不完善|不健全|不规范|不平衡|不充分|不明显|仍需|还需|尚需|亟需|亟待|尚未|仍然存在|"
                         r"依然存在|还存在|仍存在|没有真正|未能")


def classify(text: str) -> tuple[Optional[str], bool]:
    """(part, mixed) from a heading's own words; part None when it names neither."""
    problems, plans = bool(_PROBLEMS_RE.search(text)), bool(_PLANS_RE.search(text))
    if problems:
        return "problems", plans
    return ("plans" if plans else None), False


def _headings(lines: list[Line], end: int) -> dict[int, tuple[int, str]]:
    """{line index: (level, id label)} for the lines that are headings."""
    found: dict[int, tuple[int, str]] = {}
    last: dict[int, int] = {}   # level → last number accepted at that level
    for i, line in enumerate(lines[:end]):
        m = match_marker(line.simple)
        if m is not None and _in_sequence(m, last, line.simple):
            last[m.level] = m.number
            for deeper in [lv for lv in last if lv > m.level]:
                del last[deeper]
            found[i] = (m.level, m.label)
        elif m is None and line.hint and line.hint.startswith("h") and len(line.simple) <= 40:
            level = min(int(line.hint[1:]), 5)
            found[i] = (level, re.sub(r"[^\u4e00-\u9fff\w]", "", line.simple)[:12])
            for deeper in [lv for lv in last if lv >= level]:
                del last[deeper]
    if any(level == 0 for level, _ in found.values()):
        found = {i: (level + 1, label) for i, (level, label) in found.items()}
    return found


def content_items(lines: list[Line], headings: dict[int, tuple[int, str]], end: int,
                  numbered: set[int]) -> set[int]:
    """The numbered lines (indices in `numbered`, a subset of `headings`) that are list items
    of content, not headings: they are long, or a sentence longer than a label, or they head
    nothing — the next line is the next number of their list or a number above it — or they
    close a sentence (。/；) after a sibling that was an item (the last case of a law's list,
    followed by the next article). At the end of the body (or of a cut-off text) a short
    unclosed line heads nothing only when its earlier siblings were items too. (Inside the
    problems part, `states_finding` adds those that state a shortfall.)"""
    items = set()
    order = sorted(headings)
    last_item: dict[int, bool] = {}  # level → whether the previous numbered line there was an item
    for k, i in enumerate(order):
        level = headings[i][0]
        for deeper in [lv for lv in last_item if lv > level]:
            del last_item[deeper]
        if i not in numbered:
            last_item[level] = False
            continue
        marker = match_marker(lines[i].simple)
        body = lines[i].simple[marker.end:].strip()
        closed = body.rstrip(CLOSERS)[-1:] in tuple(_CLOSES)  # a tuple: "" is not in it
        nxt = order[k + 1] if k + 1 < len(order) else end
        if nxt != i + 1:
            heads_nothing = False  # text follows it
        elif nxt == end:
            heads_nothing = closed or last_item.get(level, False)
        else:
            following = match_marker(lines[nxt].simple)
            heads_nothing = headings[nxt][0] < level or (
                headings[nxt][0] == level and following is not None and following.number == marker.number + 1)
        item = (heads_nothing or len(body) > _LONG_LABEL
                or (closed and (len(body) > _SENTENCE_LABEL or last_item.get(level, False))))
        if item:
            items.add(i)
        last_item[level] = item
    return items


def states_finding(text: str) -> bool:
    """A numbered line under a problems heading that says something falls short is a problem
    the town wrote down, not a label — unless it names a part itself ("（一）存在的不足")."""
    return bool(_FINDING_RE.search(text)) and classify(text)[0] is None


def _in_sequence(m: Marker, last: dict[int, int], text: str) -> bool:
    previous = last.get(m.level, 0)
    if m.number in (1, previous + 1):
        return True
    # One skipped number is a typo when the line is clearly a short heading.
    return m.number == previous + 2 and len(text) <= _SHORT_HEADING and "。" not in text


def build(lines: list[Line], closing_start: int) -> list[Paragraph]:
    headings = _headings(lines, closing_start)
    numbered = {i for i in headings if match_marker(lines[i].simple) is not None}
    items = content_items(lines, headings, closing_start, numbered)
    paragraphs: list[Paragraph] = []
    stack: list[tuple[int, str, str, bool]] = []   # (level, id, part, mixed)
    ordinals: dict[str, int] = {}
    used: set[str] = set()

    def text_id(parent: str) -> str:
        ordinals[parent] = ordinals.get(parent, 0) + 1
        return f"{parent}.{ordinals[parent]}"

    for i, line in enumerate(lines):
        if i >= closing_start:
            paragraphs.append(Paragraph(text_id(PART_LABELS["closing"]), "text", 0, "closing",
                                        text=line.simple, text_original=line.text))
        elif i in headings:
            level, label = headings[i]
            while stack and stack[-1][0] >= level:
                stack.pop()
            own, mixed = classify(line.simple)
            if not stack:
                part = own or "work"
            else:
                parent_part, parent_mixed = stack[-1][2], stack[-1][3]
                part = (own or parent_part) if parent_mixed else parent_part
                mixed = mixed and parent_mixed
            pid = _unique(f"{stack[-1][1]}.{label}" if stack else label, used)
            stack.append((level, pid, part, mixed))
            item = i in items or (part == "problems" and bool(stack[:-1]) and i in numbered
                                  and states_finding(line.simple))
            kind = "text" if item else "heading"
            paragraphs.append(Paragraph(pid, kind, level if kind == "heading" else 0, part,
                                        text=line.simple, text_original=line.text))
        elif stack:
            paragraphs.append(Paragraph(text_id(stack[-1][1]), "text", 0, stack[-1][2],
                                        text=line.simple, text_original=line.text))
        else:
            paragraphs.append(Paragraph(text_id(PART_LABELS["intro"]), "text", 0, "intro",
                                        text=line.simple, text_original=line.text))
    for p, path in zip(paragraphs, heading_paths(paragraphs)):
        p.heading_path = path
    return refine_parts(paragraphs)


def _unique(pid: str, used: set[str]) -> str:
    """A repeated heading number (a list restarting under the same parent) gets "~2", "~3"…"""
    candidate, n = pid, 1
    while candidate in used:
        n += 1
        candidate = f"{pid}~{n}"
    used.add(candidate)
    return candidate
