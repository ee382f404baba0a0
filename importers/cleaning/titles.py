"""Titles at the top of a report: a title split over 2–3 lines is joined; a repeated title dropped."""
from __future__ import annotations

from difflib import SequenceMatcher

from importers.chars import ends_sentence
from importers.document import Cleaning, Line
from importers.shapes import head_end, is_addressee, is_date_line, is_doc_number, looks_like_title, title_tail

SPLIT_RULE = "split_title"
REPEAT_RULE = "repeated_title"
_PIECE_MAX = 32


def _piece(text: str) -> bool:
    return (len(text) <= _PIECE_MAX and not ends_sentence(text) and not text.endswith(("，", ","))
            and not is_doc_number(text) and not is_date_line(text) and not is_addressee(text)
            and not text.endswith("文件"))


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
            if (all(_piece(x.text) for x in run) and not looks_like_title(run[0].text)
                    and title_tail(run[-1].text) and looks_like_title(joined)):
                c.record(SPLIT_RULE, "\n".join(x.text for x in run), joined)
                out[i:i + n] = [Line(joined, "title")]
                head -= n - 1
                break
        i += 1
    return out


def drop_repeated_titles(lines: list[Line], c: Cleaning) -> list[Line]:
    head = head_end([x.text for x in lines])
    seen: list[str] = []
    out = []
    for i, line in enumerate(lines):
        if i < head and looks_like_title(line.text):
            if any(SequenceMatcher(None, s, line.text).ratio() >= 0.85 for s in seen):
                c.record(REPEAT_RULE, line.text, "")
                continue
            seen.append(line.text)
        out.append(line)
    return out
