"""A licence notice a wiki or library copy appends below the document: page furniture, never text.

Wikisource's copies of official documents end with 本作品是中华人民共和国的法律、法规…属于公有领域
(its words split over lines where the page linked them), often a 注：中文维基文库社群认为… and the
licence template's leftovers (Public domain / false). From the notice's first line to the end
everything goes, logged line by line (`licence_footer`)."""
from __future__ import annotations

import re

from importers.document import Cleaning, Line

RULE = "licence_footer"
_START = re.compile(r"^本作品(?:是|来自|属于|在)|^Public domain$")
_MARKS = re.compile(r"公有领域|公有領域|维基文库|維基文庫|著作权法|著作權法|Public domain|^false$")
_TAIL_LINES = 60   # the notice sits within the last lines


def drop_licence_footer(lines: list[Line], c: Cleaning) -> list[Line]:
    first_tail = max(0, len(lines) - _TAIL_LINES)
    start = next((i for i in range(first_tail, len(lines)) if _START.search(lines[i].text.strip())), None)
    if start is None or not any(_MARKS.search(x.text.strip()) for x in lines[start:]):
        return lines
    for x in lines[start:]:
        c.record(RULE, x.text, "")
    return lines[:start]
