"""A report read from a scan says so: flag `ocr` with the mean line confidence, and on each
recognised paragraph its page, its lowest line confidence and the spans read from weak lines.

Cleaning and sectioning rebuild lines (joined, split, punctuation changed), so the paragraphs
are matched back to the recognised lines by their letters and digits, in order.
"""
from __future__ import annotations

from difflib import SequenceMatcher

from archive.model import Paragraph, Report
from importers.chars import CJK_RE

FLAG = "ocr"
_PROBE = 6      # letters a paragraph must share, in a row, with the recognised text to match


def _kept(ch: str) -> bool:
    return bool(CJK_RE.match(ch)) or ch.isalnum()


def mark(report: Report, scanned: list[tuple[str, int, float]], low: float) -> None:
    """Fill the flag, `ocr_confidence` and each paragraph's page/confidence/weak spans."""
    if not scanned:
        return
    stream_chars, owner = [], []
    for i, (text, _, _) in enumerate(scanned):
        for ch in text:
            if _kept(ch):
                stream_chars.append(ch)
                owner.append(i)
    stream = "".join(stream_chars)
    cursor = 0
    for p in report.paragraphs:
        cursor = _mark_paragraph(p, stream, owner, scanned, cursor, low)
    total = sum(len(t) for t, _, _ in scanned)
    report.ocr_confidence = round(sum(c * len(t) for t, _, c in scanned) / max(total, 1), 3)
    if FLAG not in report.flags:
        report.flags.append(FLAG)


def _mark_paragraph(p: Paragraph, stream: str, owner: list[int], scanned, cursor: int,
                    low: float) -> int:
    positions = [i for i, ch in enumerate(p.text_original) if _kept(ch)]
    key = "".join(p.text_original[i] for i in positions)
    if len(key) < 1:
        return cursor
    probe = key[:_PROBE]
    at = stream.find(probe, cursor)
    if at < 0:
        at = stream.find(probe)
    if at < 0:
        return cursor
    window = stream[at:at + len(key) + 20]
    lines: dict[int, int] = {}   # position in text_original → recognised line
    end = at
    for a, b, size in SequenceMatcher(None, key, window, autojunk=False).get_matching_blocks():
        for k in range(size):
            lines[positions[a + k]] = owner[at + b + k]
        if size:
            end = at + b + size
    if not lines:
        return cursor
    used = sorted(set(lines.values()))
    p.page = scanned[used[0]][1]
    p.confidence = round(min(scanned[i][2] for i in used), 3)
    p.weak = _spans([pos for pos, line in sorted(lines.items()) if scanned[line][2] < low],
                    p.text_original)
    return end


def _spans(weak_positions: list[int], text: str) -> list[list[int]]:
    """Runs of weak positions, a run going on over the punctuation and spaces between them."""
    spans: list[list[int]] = []
    for pos in weak_positions:
        if spans and all(not _kept(ch) for ch in text[spans[-1][1]:pos]):
            spans[-1][1] = pos + 1
        else:
            spans.append([pos, pos + 1])
    return spans
