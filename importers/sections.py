"""Headings, parts and paragraph ids.

Headings are numbered lines whose numbers run in sequence (so "1.2万份" or a stray "三、" is
text), plus lines the reader marked as styled headings. Levels: 一、1 （一）2 1.3 （1）4 ①5;
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
from importers.document import Line
from importers.markers import Marker, match_marker
from importers.parts import refine as refine_parts

_PROBLEMS_RE = re.compile(r"存在的?(?:问题|不足|短板|差距|困难)|问题(?:和|与|及)(?:不足|原因|差距)|不足之处|短板|困难和问题")
_PLANS_RE = re.compile(r"下一步|打算|工作计划|工作安排|工作思路|工作谋划|改进措施|整改措施|努力方向|今后|明年|展望")
_SHORT_HEADING = 30


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


def _in_sequence(m: Marker, last: dict[int, int], text: str) -> bool:
    previous = last.get(m.level, 0)
    if m.number in (1, previous + 1):
        return True
    # One skipped number is a typo when the line is clearly a short heading.
    return m.number == previous + 2 and len(text) <= _SHORT_HEADING and "。" not in text


def build(lines: list[Line], closing_start: int) -> list[Paragraph]:
    headings = _headings(lines, closing_start)
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
            paragraphs.append(Paragraph(pid, "heading", level, part, text=line.simple, text_original=line.text))
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
