"""Lines hard-wrapped inside a sentence are joined back into one paragraph.

A line continues on the next one when it stops after a comma or enumeration comma, when its
last clause is a single dangling character ("…决策能力,通" / "過黨委會…"), or when the text is
wrapped at a fixed width (most lines equally long, ending mid-sentence).
"""
from __future__ import annotations

import re
from collections import Counter

from importers.chars import CJK_RE, ends_sentence
from importers.document import Cleaning, Line
from importers.markers import match_marker
from importers.shapes import is_date_line, is_issuer_line, looks_like_title

RULE = "hard_wrap"
_CLAUSE_RE = re.compile(r"[，,、；;。：:“”（）()《》]")


def _fixed_width(lines: list[Line]) -> int | None:
    """The wrap width when the text was wrapped at a fixed number of characters."""
    lengths = Counter(len(x.text) for x in lines if len(x.text) >= 15)
    if not lengths:
        return None
    width, n = lengths.most_common(1)[0]
    near = sum(lengths[w] for w in (width - 1, width, width + 1))
    return width if n >= 5 and near >= 0.3 * len(lines) else None


def _continues(a: Line, b: Line, width: int | None) -> bool:
    # Cheapest tests first: most lines end a sentence. (An empty b is a signature-like line.)
    if a.hint or b.hint or not b.text or ends_sentence(a.text):
        return False
    if not CJK_RE.match(b.text[0]) and not b.text[0].isdigit() and b.text[0] not in "“《（(":
        return False
    if (match_marker(b.text) or is_date_line(b.text) or is_issuer_line(b.text)
            or looks_like_title(a.text)):
        return False
    if a.text[-1] in "，,、":
        return True
    last_clause = _CLAUSE_RE.split(a.text)[-1]
    if len(a.text) >= 15 and 1 <= len(last_clause) <= 2 and CJK_RE.match(a.text[-1]):
        return True
    return width is not None and len(a.text) >= width - 1


def join_hard_wraps(lines: list[Line], c: Cleaning) -> list[Line]:
    width = _fixed_width(lines)
    out: list[Line] = []
    pieces: list[str] = []
    for line in lines:
        if out and _continues(out[-1], line, width):
            if not pieces:
                pieces.append(out[-1].text)
            pieces.append(line.text)
            out[-1] = Line(out[-1].text + line.text, out[-1].hint)
            continue
        if pieces:
            c.record(RULE, "\n".join(pieces), out[-1].text)
            pieces = []
        out.append(line)
    if pieces:
        c.record(RULE, "\n".join(pieces), out[-1].text)
    return out
