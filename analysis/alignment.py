"""The pure logic behind `/compare`: align two reports part by part and, within a part, pair
their sections by what they are about (heading similarity or TF-IDF cosine of their jieba
words, matched one-to-one by an optimal assignment), unpaired sections kept in place; find
the sentences the two reports share.

No Flask here; the blueprint in `webapp.compare` renders what these functions return.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Optional, Sequence

from archive.folding import fold
from archive.model import Paragraph, Report
from archive.rules import PARTS
from index.analysis import index_tokens

SENTENCE_END = "。！？；!?;"
MIN_SENTENCE = 8        # folded characters; "一是健全工作机制" alone says nothing about copying
NEAR = 0.8              # bigram Jaccard at or above which two sentences count as the same
# Measured on pairs of real town reports (devset): sections on the same topic score 0.2–0.8,
# different topics 0–0.15.
PAIR_MIN = 0.2          # pair score at or above which two sections share a row
HEADING_WEIGHT = 0.4    # of heading similarity (bigram Dice) against content (TF-IDF cosine)
SAME_HEADING = 0.6      # heading similarity at which the headings alone pair two sections
DENSE_PAIRS = 2500      # up to this many section pairs: score all, optimal assignment
BAND = 15               # beyond: score sections within this many places of the diagonal
ORDER_BONUS = 0.05      # added to a pair's score when both sit at the same relative place

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
    """One grid row of the compare page; a side without a counterpart is None (an empty cell).
    `basis` says why a pair is a pair: "heading", "content" or "lead" (the text before the
    part's first heading on both sides)."""
    a: Optional[Section]
    b: Optional[Section]
    score: float = 0.0
    basis: str = ""


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


def section_words(section: Section, known: Optional[Mapping[str, Sequence[str]]] = None) -> Counter:
    """The jieba words (two characters or more) of a section's heading and paragraphs; taken
    from `known` (paragraph id → words, e.g. as the search index holds them) when given."""
    words: Counter = Counter()
    for p in ([section.heading] if section.heading else []) + section.paragraphs:
        if known is not None and p.id in known:
            words.update(w for w in known[p.id] if len(w) > 1)
        else:
            words.update(_words(p.text or ""))
    return words


@lru_cache(maxsize=50_000)
def _words(text: str) -> tuple[str, ...]:
    """Cached per paragraph text: jieba is the cost of a comparison (~1 MB/s), and the same
    reports are compared again and again."""
    return tuple(w for w in index_tokens(_MARKER.sub("", text)) if len(w) > 1)


def tfidf_vectors(bags: Sequence[Counter]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors (sublinear tf, idf over `bags`) of word counts; a word in
    every bag weighs nothing."""
    df = Counter(w for bag in bags for w in bag)
    n = len(bags)
    idf = {w: math.log((1 + n) / (1 + c)) for w, c in df.items()}
    out = []
    for bag in bags:
        vec = {w: (1 + math.log(c)) * idf[w] for w, c in bag.items() if idf[w] > 0}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        out.append({w: v / norm for w, v in vec.items()} if norm else {})
    return out


def cosine(x: dict[str, float], y: dict[str, float]) -> float:
    if len(x) > len(y):
        x, y = y, x
    return sum(v * y.get(w, 0.0) for w, v in x.items())


def pair_score(a: Section, b: Section, va: dict, vb: dict) -> tuple[float, str]:
    """How much two sections are about the same thing, and why ("heading" or "content",
    whichever says more): 0.4 × heading similarity + 0.6 × TF-IDF cosine of their words, or
    the heading similarity alone when the headings are nearly the same. Headings share stock
    phrases (提升依法行政能力) across different topics, so they alone decide only when close.
    The text before a part's first heading pairs only with its counterpart."""
    if a.heading is None or b.heading is None:
        return (1.0, "lead") if a.heading is None and b.heading is None else (0.0, "")
    heading = heading_similarity(a.heading.text, b.heading.text)
    content = cosine(va, vb)
    score = HEADING_WEIGHT * heading + (1 - HEADING_WEIGHT) * content
    if heading >= SAME_HEADING:
        score = max(score, heading)
    return score, "heading" if heading >= SAME_HEADING or heading >= content else "content"


def assignment(score: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """The one-to-one pairs (i, j) with the largest total score (Hungarian algorithm, O(n²m)
    for n ≤ m rows; the matrix is padded with zeros, so a pair scoring 0 means no pair)."""
    n = len(score)
    m = len(score[0]) if n else 0
    if not n or not m:
        return []
    if n > m:
        return [(i, j) for j, i in assignment([list(col) for col in zip(*score)])]
    top = max(max(row) for row in score)
    cost = [[top - v for v in row] for row in score]
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    match, way = [0] * (m + 1), [0] * (m + 1)   # match[j]: row matched to column j (1-based)
    for i in range(1, n + 1):
        match[0], j0 = i, 0
        minv, used = [inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = match[j0], inf, 0
            row = cost[i0 - 1]
            for j in range(1, m + 1):
                if not used[j]:
                    cur = row[j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[match[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    return [(match[j] - 1, j - 1) for j in range(1, m + 1) if match[j]]


def align_sections(a: Sequence[Section], b: Sequence[Section], threshold: float = PAIR_MIN,
                   vectors: Optional[tuple[list, list]] = None) -> list[Row]:
    """Pair the sections of A and B one-to-one by meaning (`pair_score`, an optimal
    assignment; pairs below `threshold` are not pairs), then lay them out in A's order with
    each unpaired section of B where it belongs: just before the row of its nearest paired
    successor in B (after its nearest paired predecessor when it has none), so a gap between
    two pairs lists A's unpaired sections, then B's. Beyond DENSE_PAIRS section pairs (a law
    of hundreds of articles, not a town report) only sections within BAND places of the
    diagonal are scored, and pairs are taken best first: the work stays bounded."""
    if vectors is None:
        vectors = (tfidf_vectors([section_words(x) for x in a]),
                   tfidf_vectors([section_words(y) for y in b])) if a and b else ([], [])
    va, vb = vectors
    n, m = len(a), len(b)
    dense = n * m <= DENSE_PAIRS
    scored: dict[tuple[int, int], tuple[float, str]] = {}
    for i, x in enumerate(a):
        centre = i * m / max(n, 1)
        js = range(m) if dense else range(max(0, int(centre) - BAND), min(m, int(centre) + BAND + 1))
        for j in js:
            score = pair_score(x, b[j], va[i], vb[j])
            if score[0] >= threshold:
                scored[i, j] = score
    # A small bonus for keeping the two reports' order settles near-ties the natural way.
    weight = {(i, j): s + ORDER_BONUS * (1 - abs(i / n - j / m)) for (i, j), (s, _) in scored.items()}
    if dense:
        matrix = [[weight.get((i, j), 0.0) for j in range(m)] for i in range(n)]
        pairs = {i: j for i, j in assignment(matrix) if matrix[i][j] > 0}
    else:  # hundreds of sections (a law, not a town report): best pairs first
        pairs, taken = {}, set()
        for (i, j), _ in sorted(weight.items(), key=lambda kv: -kv[1]):
            if i not in pairs and j not in taken:
                pairs[i] = j
                taken.add(j)
    partner = {j: i for i, j in pairs.items()}
    keys: list[tuple[tuple, Row]] = []
    for i, x in enumerate(a):
        j = pairs.get(i)
        if j is None:
            keys.append(((i, 0, 0), Row(x, None)))
        else:
            score, basis = scored[i, j]
            keys.append(((i, 0, 0), Row(x, b[j], round(score, 3), basis)))
    for j, y in enumerate(b):
        if j in partner:
            continue
        before = [k for k in partner if k < j]
        after = [k for k in partner if k > j]
        if after:
            key = (partner[min(after)], -1, j)
        elif before:
            key = (partner[max(before)], 1, j)
        else:  # nothing paired: interleave by relative position
            key = (j * len(a) / len(b), 1, j)
        keys.append((key, Row(None, y)))
    return [row for _, row in sorted(keys, key=lambda kr: kr[0])]


def align_reports(a: Sequence[Paragraph], b: Sequence[Paragraph],
                  part_pairs: Sequence[tuple[str, str]] = SAME_PARTS,
                  threshold: float = PAIR_MIN,
                  words: Optional[Mapping[str, Sequence[str]]] = None) -> list[PartRows]:
    """Rows for each (part of A, part of B) pair that has text on either side. Word weights
    (idf) come from all the sections of both reports, so words every section uses (法治,
    建设) count for nothing. `words`: (side, paragraph id) → jieba words already known (the
    index's), else jieba runs here (cached per paragraph text)."""
    split = [(part_a, part_b, sections([p for p in a if p.part == part_a]),
              sections([p for p in b if p.part == part_b])) for part_a, part_b in part_pairs]
    split = [(pa, pb, sa, sb) for pa, pb, sa, sb in split if sa or sb]
    known = {side: {pid: w for (s, pid), w in (words or {}).items() if s == side} or None
             for side in "ab"}
    everything = [(side, x) for _, _, sa, sb in split
                  for side, group in (("a", sa), ("b", sb)) for x in group]
    vectors = iter(tfidf_vectors([section_words(x, known[side]) for side, x in everything]))
    out = []
    for part_a, part_b, sa, sb in split:
        va, vb = [next(vectors) for _ in sa], [next(vectors) for _ in sb]
        out.append(PartRows(part_a, part_b, align_sections(sa, sb, threshold, (va, vb))))
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


def indexed_words(index, side: str, report: Report) -> dict[tuple[str, str], list[str]]:
    """(side, paragraph id) → the jieba words `index` computed at import, so a comparison
    does not segment both reports again; {} when the index's copy of the report differs (not
    yet re-indexed), and alignment then segments it itself."""
    words = index.report_words(report.id)
    if len(words) != len(report.paragraphs):
        return {}
    return {(side, p.id): w for p, w in zip(report.paragraphs, words)}
