"""Encoding debris: "?" where a converter lost a character.

Lone "?" lines and runs of "???" at the start or end of a line carry nothing and are removed;
a "?" inside text ("4?15”国家安全日") stands for a lost character: it is kept (no text is
invented), logged, and the report is flagged `encoding_debris` for review.
"""
from __future__ import annotations

import re

from importers.document import Cleaning, Line

RULE = "encoding_debris"
FLAG = "encoding_debris"
_LONE_RE = re.compile(r"^[?？�\s]+$")
_EDGE_RE = re.compile(r"^(?:[?�]+|？{2,})\s*|\s*(?:[?�]{2,}|？{3,})$")
_DEBRIS_CHAR = re.compile(r"[?？�]")
_INNER_RE = re.compile(r"(?<=[^\sA-Za-z=&/])[?�](?=[^\sA-Za-z=&/])")


def handle_encoding_debris(lines: list[Line], c: Cleaning) -> list[Line]:
    out = []
    for line in lines:
        if _LONE_RE.match(line.text):
            c.record(RULE, line.text, "")
            c.flag(FLAG)
            continue
        if not _DEBRIS_CHAR.search(line.text):  # the usual line: nothing below can match
            out.append(Line(line.text, line.hint))
            continue
        text = _EDGE_RE.sub("", line.text)
        if text != line.text:
            c.record(RULE, line.text, text)
            c.flag(FLAG)
        if _INNER_RE.search(text):
            c.record(RULE, text, text)  # kept as written: the lost character is unknown
            c.flag(FLAG)
        out.append(Line(text, line.hint))
    return out
