"""A heading run into its first sentence is split into a heading and a text paragraph.

"（一）强化组织领导，筑牢法治建设根基一是健全工作机制。…" → "（一）强化组织领导，筑牢法治建设根基"
+ "一是健全工作机制。…";  "（一）存在问题。一是…" → "（一）存在问题" + "一是…".
The heading ends at the first full stop or colon, at 一是, or — for a long numbered paragraph
without either — at the last comma within the first few clauses.
"""
from __future__ import annotations

import re

from importers.document import Cleaning, Line
from importers.markers import match_marker

RULE = "run_in_heading"
MAX_HEADING = 45     # characters of heading text after the marker
_COMMA_HEADING = 30  # a heading cut at a comma is shorter still
_LONG = 60
_STOP_RE = re.compile(r"[。：:！？]")
_TRIM = "。：:，,；; "


def split_point(body: str, level: int) -> int | None:
    """Where the heading text ends in `body` (the text after the marker), or None."""
    stop = _STOP_RE.search(body)
    first = body.find("一是")
    points = []
    if stop and stop.start() <= MAX_HEADING:
        points.append(stop.start())
    if 2 <= first <= MAX_HEADING:
        points.append(first)
    if first < 0 and "二是" in body:
        # "…提升依法行政效能是强化执法规范。二是…": the first item lost its 一.
        sentence_end = stop.start() if stop else len(body)
        comma = body.find("，")
        shi = body.find("是", comma + 1) if comma > 0 else -1
        if 0 < shi <= min(MAX_HEADING, sentence_end):
            points.append(shi)
    if not points and level <= 2 and len(body) > _LONG:
        commas = [i for i, ch in enumerate(body[:_COMMA_HEADING + 1]) if ch == "，"]
        if len(commas) >= 2:
            points.append(commas[-1])
    return min(points) if points else None


def split_run_in_headings(lines: list[Line], c: Cleaning) -> list[Line]:
    out = []
    for line in lines:
        m = match_marker(line.text)
        cut = split_point(line.text[m.end:], m.level) if m else None
        if cut is None:
            out.append(line)
            continue
        heading = line.text[:m.end + cut].rstrip(_TRIM)
        rest = line.text[m.end + cut:].lstrip(_TRIM)
        if len(rest) < 2 or len(heading) <= m.end:
            out.append(line)
            continue
        c.record(RULE, line.text, f"{heading}\n{rest}")
        out.extend([Line(heading, line.hint), Line(rest)])
    return out
