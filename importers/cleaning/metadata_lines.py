"""Lines of a site's metadata block (索引号、发布机构、成文日期…) are metadata, not report text."""
from __future__ import annotations

from importers.document import Cleaning, Line
from importers.metablock import is_label_line, parse_labels

RULE = "metadata_line"


def take_metadata_lines(lines: list[Line], c: Cleaning) -> list[Line]:
    out = []
    for line in lines:
        if is_label_line(line.text):
            for key, value in parse_labels(line.text).items():
                c.meta.setdefault(key, value)
            c.record(RULE, line.text, "")
        else:
            out.append(line)
    return out
