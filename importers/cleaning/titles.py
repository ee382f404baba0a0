"""Titles at the top of a report: a title split over 2–3 lines is joined; a repeated title dropped."""
from __future__ import annotations

from difflib import SequenceMatcher

from importers.document import Cleaning, Line
from importers.shapes import (head_end, is_issuer_line, is_title_piece, looks_like_title, names_place,
                              opens_title, title_continues, title_tail)

SPLIT_RULE = "split_title"
REPEAT_RULE = "repeated_title"
_PIECE_MAX = 32
_ABOUT = ("关于", "關於", "關于")


def _piece(text: str) -> bool:
    return len(text) <= _PIECE_MAX and is_title_piece(text)


def _joins(texts: list[str], i: int, n: int) -> bool:
    """Do lines i…i+n-1 make one title? A whole title on the last line takes only the issuing
    body's line before its 关于 (黔江区马喇镇人民政府 / 关于…的报告) or before a title naming no
    place (望都县人民政府 / 2024年法治政府建设年度报告), and only when that body issued alone: with two bodies above it (中共某镇委员会 / 某镇人民政府) the title is the 关于… line."""
    run = texts[i:i + n]
    if not (all(_piece(x) for x in run) and opens_title(run[0]) and title_tail(run[-1])
            and looks_like_title("".join(run))):
        return False
    if looks_like_title(run[-1]) and not title_continues(run[0]):
        return (n == 2 and (run[1].startswith(_ABOUT) or not names_place(run[1])) and is_issuer_line(run[0])
                and not (i > 0 and is_issuer_line(texts[i - 1])))
    if looks_like_title(run[0]):
        return False
    return not (is_issuer_line(run[0]) and run[1].startswith(_ABOUT) and i > 0 and is_issuer_line(texts[i - 1]))


def join_split_title(lines: list[Line], c: Cleaning) -> list[Line]:
    head = head_end([x.text for x in lines])
    i = 0
    out = list(lines)
    while i < min(head, len(out)):
        for n in (3, 2):
            run = out[i:i + n]
            if len(run) < n or i + n > head:
                continue
            joined = "".join(x.text for x in run)
            if _joins([x.text for x in out], i, n):
                c.record(SPLIT_RULE, "\n".join(x.text for x in run), joined)
                out[i:i + n] = [Line(joined, "title")]
                head -= n - 1
                break
        i += 1
    return out


def _core(title: str) -> str:
    """A title without its issuing body and function words: 某镇人民政府关于2023年度…的报告 →
    2023年…报告, so the page heading and the document's own title compare equal."""
    for about in _ABOUT:
        if about in title:
            title = title.split(about, 1)[1]
            break
    return title.replace("的", "").replace("度", "")


def _same_title(a: str, b: str) -> bool:
    if SequenceMatcher(None, a, b).ratio() >= 0.85:
        return True
    ca, cb = _core(a), _core(b)
    return min(len(ca), len(cb)) >= 8 and (ca in b.replace("的", "").replace("度", "") or cb in a.replace("的", "").replace("度", ""))


def drop_repeated_titles(lines: list[Line], c: Cleaning) -> list[Line]:
    head = head_end([x.text for x in lines])
    seen: list[str] = []
    out = []
    for i, line in enumerate(lines):
        if i < head and looks_like_title(line.text):
            if any(_same_title(s, line.text) for s in seen):
                c.record(REPEAT_RULE, line.text, "")
                continue
            seen.append(line.text)
        out.append(line)
    return out
