"""Rows of a site's metadata table (索引号、发布机构、成文日期…) are metadata, not report text.

This rule runs first, on the lines as the page laid them out (spaces between cells still there;
labels matched in simplified script). A row may hold several label–value pairs, or a label alone
with its value on the next line (`importers.metablock` reads every shape); both lines are taken.
The line just above the table is the page's heading — the article's title — and is marked so.
"""
from __future__ import annotations

import re

from importers.chars import cjk_count, ends_sentence
from importers.cleaning.whitespace import strip_invisible
from importers.document import Cleaning, Line
from importers.metablock import ROW_FIRST, is_label_line, parse_labels, takes_next_value
from importers.script import to_simplified
from importers.shapes import looks_like_title

RULE = "metadata_line"
_VALUE_MAX = 60
_ROW_MAX = 160
_HEADING_SCAN = 40  # the page's heading sits near the top
_CANDIDATE_RE = re.compile(r"[:：\[【|｜]|^\S{2,6}\s+\S")
_MARKS_RE = re.compile(r"[:：\[【|｜]")
_NOT_HEADING_RE = re.compile(r"[:：|｜>＞/•·\[\]【】]")


def _judged(lines: list[Line]) -> list[str]:
    """Each line with its spaces collapsed; rows that may be metadata in simplified script
    (發布日期 is read as 发布日期), converted in one call."""
    norm = [re.sub(r"\s+", " ", strip_invisible(x.text)).strip() if _may_be_row(x.text) else x.text
            for x in lines]
    picked = [i for i, t in enumerate(norm) if len(t) <= _ROW_MAX and _CANDIDATE_RE.search(t)]
    if picked:
        converted = to_simplified("\n".join(norm[i] for i in picked)).split("\n")
        if len(converted) == len(picked):
            for i, t in zip(picked, converted):
                norm[i] = t
    return norm


def _may_be_row(text: str) -> bool:
    """Cheap first look: short, with a table's marks, or starting like a label and holding spaces
    between cells (索引号 0001 发布机构 某镇) or short enough to be a bare label."""
    stripped = text.strip()
    return (stripped[:1] in ROW_FIRST and len(text) <= 2 * _ROW_MAX
            and (len(stripped) <= 12 or bool(_MARKS_RE.search(text)) or " " in stripped or "\u3000" in stripped))


def _is_value(text: str) -> bool:
    """The line after a bare label is its value unless it is itself text of the report."""
    return (0 < len(text) <= _VALUE_MAX and not ends_sentence(text) and not looks_like_title(text)
            and not is_label_line(text))


def _heading_like(text: str) -> bool:
    return 6 <= cjk_count(text) <= 60 and not ends_sentence(text) and not _NOT_HEADING_RE.search(text)


def take_metadata_lines(lines: list[Line], c: Cleaning) -> list[Line]:
    judged = _judged(lines)
    out: list[Line] = []
    i = 0
    while i < len(lines):
        text = judged[i]
        if not is_label_line(text):
            out.append(lines[i])
            i += 1
            continue
        heading = next((k for k in range(len(out) - 1, -1, -1) if out[k].text.strip()), None)
        if (heading is not None and i < _HEADING_SCAN and out[heading].hint is None
                and _heading_like(out[heading].text.strip())):
            out[heading] = Line(out[heading].text, "title")
        c.record(RULE, lines[i].text, "")
        row = text
        nxt = next((k for k in range(i + 1, min(i + 3, len(lines))) if judged[k]), None)
        if takes_next_value(text) and nxt is not None and _is_value(judged[nxt]):
            row = f"{text} {to_simplified(judged[nxt])}"
            c.record(RULE, lines[nxt].text, "")
            i = nxt
        for key, value in parse_labels(row).items():
            c.meta.setdefault(key, value)
        i += 1
    return out
