"""The pure logic of 问题整改追踪: does a town's next report answer the problems (存在问题) its
report raised, and did last year's plans (下一步计划) happen?

Both reports' paragraphs are cut into items (a paragraph listing 一是…二是…三是… gives one
item per 是; otherwise the paragraph is one item). Each problem or plan item is compared, by
TF-IDF cosine of the jieba words (`analysis.alignment.tfidf_vectors` / `cosine`, idf over the
items of the two reports), with the items of the next report:

- a problem raised again (存在问题 of the next report at or above REPEATED) is 重复出现;
- else a plan or work paragraph (下一步计划 / 工作成效) at or above ADDRESSED answers it (有回应);
- else it is 未见回应.

A plan item is 已落实 when a work paragraph of the next report reaches CARRIED_OUT.
The best match is kept even below its threshold, so a reader sees how close it came.

Thresholds, measured on the five samples: every report against every other town's report
(items on different subjects of the same genre, 20 pairs) scores p95 0.26 / max 0.30
(problem → plan or work), p95 0.23 / max 0.37 (problem → problem), p95 0.23 / max 0.33
(plan → work); a sample's problems reworded as its next year's (written for the calibration,
not real text) score 0.57 (the same problem), 0.33 (work answering it), 0.30 (plan carried
out). The best match is always shown with its score, for the reviewer to judge.

No Flask here: `analysis.tracker` pairs the reports, `webapp.tracker` renders what these
functions return.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Optional, Sequence

from index.analysis import index_tokens
from analysis.alignment import cosine, tfidf_vectors

REPEATED = 0.45       # a problem of the next report this close is the same problem again
ADDRESSED = 0.28      # a plan or work item this close answers a problem
CARRIED_OUT = 0.25    # a work item this close carries out last year's plan item

# 一是 … 二是 … (also 第一是, and 一要/二要 in plans): where a paragraph enumerates its items.
_ENUM = re.compile(r"(?:^|(?<=[。；;！!？?\s:：，,]))(?:第)?[一二三四五六七八九十]{1,2}(?:是|要)")
MIN_ITEM = 6          # characters; shorter pieces (一是。) are not items


@dataclass(frozen=True)
class Item:
    """A problem, a plan or a paragraph's piece of the next report. `n`: its place within its
    paragraph (0 when the item is the whole paragraph); `words`: its jieba words."""
    paragraph_id: str
    part: str
    text: str
    n: int = 0
    words: tuple = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Match:
    item: Item
    score: float


@dataclass
class ProblemFollowUp:
    problem: Item
    repeated: Optional[Match] = None      # the best 存在问题 paragraph of the next report
    answered: Optional[Match] = None      # the best 下一步计划 / 工作成效 paragraph

    @property
    def status(self) -> str:
        """repeated (重复出现) | answered (有回应) | open (未见回应)."""
        if self.repeated and self.repeated.score >= REPEATED:
            return "repeated"
        if self.answered and self.answered.score >= ADDRESSED:
            return "answered"
        return "open"

    @property
    def shown(self) -> Optional[Match]:
        """The match to show: the one that decided the status, else the closer of the two."""
        status = self.status
        if status != "open":
            return self.repeated if status == "repeated" else self.answered
        found = [m for m in (self.repeated, self.answered) if m]
        return max(found, key=lambda m: m.score) if found else None


@dataclass
class PlanFollowUp:
    plan: Item
    work: Optional[Match] = None          # the best 工作成效 paragraph of the next report

    @property
    def done(self) -> bool:
        return bool(self.work and self.work.score >= CARRIED_OUT)


@dataclass
class PairReview:
    """One report (`earlier`) against the same town's next report (`later`)."""
    problems: list[ProblemFollowUp] = field(default_factory=list)
    plans: list[PlanFollowUp] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for p in self.problems if p.status == status)

    @property
    def plans_done(self) -> int:
        return sum(1 for p in self.plans if p.done)


def split_items(text: str) -> list[str]:
    """A paragraph's enumerated items (一是…二是…), the lead-in before the first dropped; the
    paragraph itself when it enumerates fewer than two."""
    starts = [m.start() for m in _ENUM.finditer(text)]
    if len(starts) < 2:
        return [text]
    pieces = [text[a:b].strip() for a, b in zip(starts, starts[1:] + [len(text)])]
    pieces = [p for p in pieces if len(p) >= MIN_ITEM]
    return pieces if len(pieces) >= 2 else [text]


def items(paragraphs: Sequence[tuple[str, str, str]], part: str,
          known: Optional[Mapping[str, Sequence[str]]] = None) -> list[Item]:
    """The items of one part from (paragraph id, part, text) rows of body paragraphs. A
    paragraph that stays whole takes its words from `known` (paragraph id → the words the
    index holds, the same jieba cut) when given, so long 工作成效 is not segmented again."""
    out = []
    for pid, p_part, text in paragraphs:
        if p_part != part or not text.strip():
            continue
        pieces = split_items(text)
        if len(pieces) == 1:
            held = known.get(pid) if known is not None else None
            found = tuple(w for w in held if len(w) > 1) if held is not None else words(text)
            out.append(Item(pid, part, text, 0, found))
        else:
            out.extend(Item(pid, part, piece, n, words(piece)) for n, piece in enumerate(pieces, 1))
    return out


@lru_cache(maxsize=20_000)
def words(text: str) -> tuple[str, ...]:
    """The jieba words of two characters or more, as the index cuts them (cached per text)."""
    return tuple(w for w in index_tokens(text) if len(w) > 1)


def review_pair(earlier: Sequence[tuple[str, str, str]], later: Sequence[tuple[str, str, str]],
                known: Optional[Mapping[str, Sequence[str]]] = None,
                known_later: Optional[Mapping[str, Sequence[str]]] = None) -> PairReview:
    """Match the earlier report's problems and plans with the later report's items. Rows are
    (paragraph id, part, text) of body paragraphs; `known` / `known_later`: each report's
    paragraph words as indexed (optional, see `items`)."""
    problems, plans = items(earlier, "problems", known), items(earlier, "plans", known)
    targets = {part: items(later, part, known_later) for part in ("problems", "plans", "work")}
    pool = problems + plans + [t for part in ("problems", "plans", "work") for t in targets[part]]
    vectors = tfidf_vectors([Counter(i.words) for i in pool])
    index_of = {id(item): k for k, item in enumerate(pool)}

    def best(item: Item, candidates: list[Item]) -> Optional[Match]:
        v = vectors[index_of[id(item)]]
        scored = [(cosine(v, vectors[index_of[id(c)]]), k) for k, c in enumerate(candidates)]
        if not scored:
            return None
        score, k = max(scored, key=lambda s: (s[0], -s[1]))   # ties: the earlier paragraph
        return Match(candidates[k], round(score, 3)) if score > 0 else None

    review = PairReview()
    for p in problems:
        review.problems.append(ProblemFollowUp(
            p, best(p, targets["problems"]), best(p, targets["plans"] + targets["work"])))
    for p in plans:
        review.plans.append(PlanFollowUp(p, best(p, targets["work"])))
    return review
