"""Rows of a site's metadata table (索引号、发布机构、成文日期…) are metadata, not report text.

A row may hold several label–value pairs, or a label alone with its value on the next line
(`importers.metablock` reads every shape); both lines are taken.
"""
from __future__ import annotations

from importers.chars import ends_sentence
from importers.document import Cleaning, Line
from importers.metablock import is_label_line, parse_labels, takes_next_value
from importers.shapes import looks_like_title

RULE = "metadata_line"
_VALUE_MAX = 60


def _is_value(text: str) -> bool:
    """The line after a bare label is its value unless it is itself text of the report."""
    return (len(text) <= _VALUE_MAX and not ends_sentence(text) and not looks_like_title(text)
            and not is_label_line(text))


def take_metadata_lines(lines: list[Line], c: Cleaning) -> list[Line]:
    out = []
    i = 0
    while i < len(lines):
        text = lines[i].text
        if not is_label_line(text):
            out.append(lines[i])
            i += 1
            continue
        c.record(RULE, text, "")
        row = text
        if takes_next_value(text) and i + 1 < len(lines) and _is_value(lines[i + 1].text):
            i += 1
            row = f"{text} {lines[i].text}"
            c.record(RULE, lines[i].text, "")
        for key, value in parse_labels(row).items():
            c.meta.setdefault(key, value)
        i += 1
    return out
