"""The pure logic behind `/compare`: align two reports part by part and, within a part, section
by section on the similarity of their headings; find the sentences the two reports share.

No Flask here; the blueprint in `webapp.compare` renders what these functions return.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional, Sequence

from archive.model import Paragraph
from archive.rules import PARTS
from archive.folding import fold

SENTENCE_END = "。！？；!?;"
MIN_SENTENCE = 8        # folded characters; "一是健全工作机制" alone says nothing about copying
NEAR = 0.8              # bigram Jaccard at or above which two sentences count as the same
HEADING_MATCH = 0.3     # bigram Dice of two headings at or above which they share a row

SAME_PARTS: tuple[tuple[str, str], ...] = tuple((p, p) for p in PARTS)
PLANS_TO_WORK: tuple[tuple[str, str], ...] = (("plans", "work"),)

# Leading heading markers (一、 （一） 1. 1、 （1） ① 第一部分) say nothing about the content.
_MARKER = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+部分|[一二三四五六七八九十百零〇]+\s*[、.．]"
    r"|[（(]\s*[一二三四五六七八九十百零〇\d]+\s*[)）]|\d+\s*[、.．]|[\u2460-\u2473])\s*")


def bigrams(folded: str) -> set[str]:
    return {folded[i:i + 2] for i in range(len(folded) - 1)}


@lru_cache(maxsize=4096)
def _heading_grams(heading: str) -> frozenset[str]:
    return frozenset(bigrams(fold(_MARKER.sub("", heading))))


def heading_similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two headings, markers and script folded away."""
    x, y = _heading_grams(a or ""), _heading_grams(b or "")
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


@dataclass
class Section:
    """A heading (None for the text before a part's first heading) and the paragraphs under it
    up to the next heading of any level."""
    heading: Optional[Paragraph]
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Row:
    """One grid row of the compare page; a side without a counterpart is None (an empty cell)."""
    a: Optional[Section]
    b: Optional[Section]
    score: float = 0.0


@dataclass
class PartRows:
    part_a: str
    part_b: str
    rows: list[Row]


def sections(paragraphs: Sequence[Paragraph]) -> list[Section]:
    out: list[Section] = []
    for p in paragraphs:
        if p.kind == "heading":
            out.append(Section(p))
        elif out:
            out[-1].paragraphs.append(p)
        else:
            out.append(Section(None, [p]))
    return out


def _score(a: Section, b: Section, threshold: float) -> float:
    if a.heading is None or b.heading is None:
        return 1.0 if a.heading is None and b.heading is None else 0.0
    s = heading_similarity(a.heading.text, b.heading.text)
    return s if s >= threshold else 0.0


def align_sections(a: Sequence[Section], b: Sequence[Section],
                   threshold: float = HEADING_MATCH) -> list[Row]:
    """Order-preserving alignment maximising the summed heading similarity (an LCS weighted by
    similarity); pairs below `threshold` never share a row."""
    n, m = len(a), len(b)
    score = [[_score(x, y, threshold) for y in b] for x in a]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            pair = best[i + 1][j + 1] + score[i][j] if score[i][j] else 0.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], pair)
    rows: list[Row] = []
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and score[i][j] and best[i][j] == best[i + 1][j + 1] + score[i][j]:
            rows.append(Row(a[i], b[j], score[i][j]))
            i, j = i + 1, j + 1
        elif i < n and (j == m or best[i][j] == best[i + 1][j]):
            rows.append(Row(a[i], None))
            i += 1
        else:
            rows.append(Row(None, b[j]))
            j += 1
    return rows


def align_reports(a: Sequence[Paragraph], b: Sequence[Paragraph],
                  part_pairs: Sequence[tuple[str, str]] = SAME_PARTS,
                  threshold: float = HEADING_MATCH) -> list[PartRows]:
    """Rows for each (part of A, part of B) pair that has text on either side."""
    out = []
    for part_a, part_b in part_pairs:
        sa = sections([p for p in a if p.part == part_a])
        sb = sections([p for p in b if p.part == part_b])
        if sa or sb:
            out.append(PartRows(part_a, part_b, align_sections(sa, sb, threshold)))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, split after 。！？； (and their half-width forms)."""
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch in SENTENCE_END:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


@dataclass
class _Sentence:
    key: str
    span: tuple[int, int]
    folded: str
    shared: bool = False


@dataclass
class _Group:
    """The sentences of one side that fold to the same text: compared once, marked together
    (boilerplate repeats within a report)."""
    grams: frozenset[str]
    members: list[_Sentence]

    def mark(self) -> None:
        for m in self.members:
            m.shared = True


@dataclass
class SharedText:
    """Spans to highlight per paragraph key on each side, and the share of each side's folded
    characters that lies in shared sentences."""
    spans_a: dict[str, list[tuple[int, int]]]
    spans_b: dict[str, list[tuple[int, int]]]
    share_a: float
    share_b: float
    count: int          # shared sentences of A


def _sentences(texts: Sequence[tuple[str, str]]) -> list[_Sentence]:
    return [_Sentence(key, (s, e), fold(text[s:e]))
            for key, text in texts for s, e in sentence_spans(text or "")]


def _groups(sentences: list[_Sentence]) -> list[_Group]:
    by_text: dict[str, _Group] = {}
    for s in sentences:
        if len(s.folded) >= MIN_SENTENCE:
            group = by_text.get(s.folded)
            if group is None:
                group = by_text[s.folded] = _Group(frozenset(bigrams(s.folded)), [])
            group.members.append(s)
    return list(by_text.values())


def _prefix(group: _Group, rank: dict[str, tuple[int, str]], near: float) -> list[str]:
    """Rarest-first bigrams that any sentence with Jaccard >= near must share one of."""
    size = len(group.grams)
    return sorted(group.grams, key=rank.__getitem__)[:size - math.ceil(near * size) + 1]


def shared_sentences(a: Sequence[tuple[str, str]], b: Sequence[tuple[str, str]],
                     near: float = NEAR) -> SharedText:
    """Sentences of `a` and `b` (sequences of (paragraph key, text)) that appear in both, exactly
    or nearly (bigram Jaccard >= `near` after folding script, width and punctuation).

    Uses prefix filtering so a pair of long reports costs milliseconds, not a full cross product.
    """
    sa, sb = _sentences(a), _sentences(b)
    ga, gb = _groups(sa), _groups(sb)
    freq = Counter(g for group in (*ga, *gb) for g in group.grams)
    rank = {g: (c, g) for g, c in freq.items()}
    postings: dict[str, list[_Group]] = defaultdict(list)
    for y in gb:
        for g in _prefix(y, rank, near):
            postings[g].append(y)
    for x in ga:
        seen: set[int] = set()
        for g in _prefix(x, rank, near):
            for y in postings.get(g, ()):
                if id(y) in seen:
                    continue
                seen.add(id(y))
                overlap = len(x.grams & y.grams)
                if overlap >= near * (len(x.grams) + len(y.grams) - overlap):
                    x.mark()
                    y.mark()

    def spans(sentences):
        out: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for s in sentences:
            if s.shared:
                out[s.key].append(s.span)
        return dict(out)

    def share(sentences):
        total = sum(len(s.folded) for s in sentences)
        return sum(len(s.folded) for s in sentences if s.shared) / total if total else 0.0

    return SharedText(spans(sa), spans(sb), share(sa), share(sb), sum(s.shared for s in sa))
