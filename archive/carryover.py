"""Paragraph ids across a re-reading of the same original (`archive reimport`).

Citations point at paragraph ids (`一.（六）.2`). A newer importer may section a report
differently — page furniture dropped, a heading found — and would number its paragraphs anew.
`carry_ids` gives every paragraph whose text is unchanged the id it had, so pasted citations
keep pointing at the same words: first the paragraphs that line up in order with the same
text, then the same text anywhere (a paragraph that moved), then the same folded text (only
punctuation, width, spaces or script differ). A paragraph whose text changed keeps the id the
new sectioning gives it unless that id once named another text; then it gets `~2`, `~3`…
An old id whose text is gone is retired: it is never given to a different text. When a new
paragraph holds most of its words (the same sentence with a breadcrumb cut off, a typo fixed)
the retired id points there (`Carried.moved`), so an old citation opens at that paragraph.
"""
from __future__ import annotations

import difflib
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from archive.folding import fold
from archive.mdfile import normalize_text
from archive.model import LogEntry, Paragraph

_SHOWN = 40  # characters of a paragraph's text quoted in the log


@dataclass
class Carried:
    """The new reading's paragraphs with the old ids carried over, and what changed."""
    paragraphs: list[Paragraph]
    kept: int = 0                                              # paragraphs that kept their id
    renumbered: list[tuple[str, str]] = field(default_factory=list)  # (id the sectioning gave, id kept)
    new: list[str] = field(default_factory=list)               # ids of paragraphs with new text
    retired: list[str] = field(default_factory=list)           # old ids whose text is gone
    moved: dict[str, str] = field(default_factory=dict)        # retired id -> id now holding its text
    log: list[LogEntry] = field(default_factory=list)

    @property
    def ids_changed(self) -> bool:
        """True when some citation target changed: a paragraph is new or an old one is gone."""
        return bool(self.new or self.retired)


def _text(p: Paragraph) -> str:
    return normalize_text(p.text_original or p.text)


def carry_ids(old: list[Paragraph], new: list[Paragraph], retired: Iterable[str] = ()) -> Carried:
    """`new` (a fresh reading of the original `old` was read from) with `old`'s ids wherever
    a paragraph's text is unchanged. `retired`: ids the report gave up earlier, never reused.
    The paragraphs of `new` are not modified."""
    match: dict[int, int] = {}  # new index -> old index
    old_keys, new_keys = [_text(p) for p in old], [_text(p) for p in new]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            match[block.b + k] = block.a + k
    for key in (lambda t: t, fold):  # then moved paragraphs: same text, then same folded text
        _match_by(key, old_keys, new_keys, match)

    matched_old = set(match.values())
    taken = {p.id for p in old} | set(retired)
    avoid = taken | {p.id for p in new}
    out: list[Paragraph] = []
    carried = Carried(out)
    used: set[str] = set()
    for i, p in enumerate(new):
        if i in match:
            pid = old[match[i]].id
            carried.kept += 1
            if pid != p.id:
                carried.renumbered.append((p.id, pid))
                carried.log.append(LogEntry("reimport_id_kept", p.id, pid))
        else:
            pid = p.id
            if pid in taken or pid in used:
                pid = _fresh(p.id, avoid | used)
            carried.new.append(pid)
            carried.log.append(LogEntry("reimport_paragraph_new", "", f"{pid} {new_keys[i][:_SHOWN]}"))
        used.add(pid)
        out.append(replace(p, id=pid))
    gone = [j for j in range(len(old)) if j not in matched_old]
    changed = [i for i in range(len(new)) if i not in match]
    successors = _successors([old_keys[j] for j in gone], [new_keys[i] for i in changed])
    for n, j in enumerate(gone):
        p = old[j]
        carried.retired.append(p.id)
        after = ""
        if successors[n] is not None:
            after = carried.moved[p.id] = out[changed[successors[n]]].id
        carried.log.append(LogEntry("reimport_paragraph_retired", f"{p.id} {old_keys[j][:_SHOWN]}", after))
    return carried


MOVED_SIMILARITY = 0.6   # bigram Dice of the folded texts; below it the words are not the same
_MAX_PAIRS = 250_000     # retired × changed paragraphs compared at most (a whole new reading)


def _successors(gone: list[str], changed: list[str]) -> list[int | None]:
    """For each retired text, the index in `changed` of the new text holding most of its
    words (bigram Dice of the folded texts ≥ MOVED_SIMILARITY), or None."""
    if len(gone) * len(changed) > _MAX_PAIRS:
        return [None] * len(gone)
    grams = [_bigrams(t) for t in changed]
    out: list[int | None] = []
    for text in gone:
        mine = _bigrams(text)
        best, score = None, MOVED_SIMILARITY
        for i, theirs in enumerate(grams):
            if mine and theirs:
                dice = 2 * len(mine & theirs) / (len(mine) + len(theirs))
                if dice >= score:
                    best, score = i, dice
        out.append(best)
    return out


def _bigrams(text: str) -> set[str]:
    folded = fold(text)
    return {folded[k:k + 2] for k in range(len(folded) - 1)}


def _match_by(key: Callable[[str], str], old_keys: list[str], new_keys: list[str],
              match: dict[int, int]) -> None:
    """Pair the still unmatched paragraphs whose `key` is equal (and not empty), in order."""
    matched_old = set(match.values())
    waiting: dict[str, deque[int]] = defaultdict(deque)
    for j, text in enumerate(old_keys):
        if j not in matched_old and key(text):
            waiting[key(text)].append(j)
    for i, text in enumerate(new_keys):
        if i not in match and waiting.get(key(text)):
            match[i] = waiting[key(text)].popleft()


def _fresh(pid: str, avoid: set[str]) -> str:
    n = 2
    while f"{pid}~{n}" in avoid:
        n += 1
    return f"{pid}~{n}"
