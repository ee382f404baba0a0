"""The pure logic of 问题整改追踪: does a town's next report answer the problems (存在问题) its
report raised, and did last year's plans (下一步计划) happen?

The earlier report's problems and plans are cut into items (a paragraph listing 一是…二是… gives
one item per 是, a list announced by 主要是：… one per clause; a long problems paragraph without
a list one per sentence). The next report is cut into sentences. Each item is scored against
each sentence by BM25 of its words (jieba words, near-synonyms folded: 仍需/有待, 提升/提高;
light words such as 存在/进一步 dropped; idf over both reports), divided by the item's score
against itself, so 1.0 means "every word, as often":

- a problem is 重复出现 when a sentence of the next report's 存在问题, or a sentence of its
  work or plans that states a difficulty, reaches REPEATED;
- else 有回应 when a work or plans sentence reaches ADDRESSED;
- a plan item is 已落实 when a work sentence reaches CARRIED_OUT.
Below those, down to the *_LOW thresholds, the verdict is 待人工判断 (review): a near miss is
not read as 未见回应. The best sentence is always shown with its score.

The matcher and the thresholds were chosen on 163 labelled items of the State Council reports
1997–2013 (devset/tracker_labels.jsonl, devset/measure_tracker.py; cross-validation by year):
BM25 held out P 0.82 R 0.70 for repeated (R 0.92 counting the review band), P 0.79 R 0.65 for
carried out (R 0.90 with the band); TF-IDF with the old thresholds had R 0.14 and 0.33.
A reviewer's verdict set by hand (`analysis.verdicts`) takes precedence over the score.

No Flask here: `analysis.tracker` pairs the reports, `webapp.tracker` renders what these
functions return.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional, Sequence

from index.analysis import index_tokens

# BM25 ratio thresholds (devset/measure_tracker.py: the lowest reaching precision 0.85 on the
# labelled items, and below them the best-F1 ones, the floor of 待人工判断)
REPEATED, REPEATED_LOW = 0.29, 0.15        # a problem stated again
ADDRESSED, ADDRESSED_LOW = 0.36, 0.20      # a work or plans sentence answering a problem
CARRIED_OUT, CARRIED_OUT_LOW = 0.21, 0.13  # a work sentence carrying out a plan
K1, B = 1.2, 0.75                          # BM25

# 一是 … 二是 … (also 第一是, and 一要/二要 in plans): where a paragraph enumerates its items.
_ENUM = re.compile(r"(?:^|(?<=[。；;！!？?\s:：，,]))(?:第)?[一二三四五六七八九十]{1,2}(?:是|要)")
MIN_ITEM = 6          # characters; shorter pieces (一是。) are not items
_LISTED = re.compile(r"(?:主要是|主要有|主要表现在|表现在|具体是|如下)[：:，,]?|[：:](?=[^：:]*[；;][^：:]*[；;])")
LONG_PROBLEM = 150    # characters: a longer problems paragraph without a list is cut into sentences


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
    repeated: Optional[Match] = None      # the best sentence stating a problem in the next report
    answered: Optional[Match] = None      # the best 工作成效 / 下一步计划 sentence
    manual: Optional[str] = None          # a reviewer's verdict (`analysis.verdicts`)

    @property
    def scored(self) -> str:
        """What the scores say: repeated | answered | review (待人工判断) | open."""
        rep, ans = (m.score if m else 0.0 for m in (self.repeated, self.answered))
        if rep >= REPEATED:
            return "repeated"
        if ans >= ADDRESSED:
            return "answered"
        return "review" if rep >= REPEATED_LOW or ans >= ADDRESSED_LOW else "open"

    @property
    def status(self) -> str:
        """repeated (重复出现) | answered (有回应) | review (待人工判断) | open (未见回应); a
        reviewer's verdict first."""
        return self.manual or self.scored

    @property
    def shown(self) -> Optional[Match]:
        """The match to show: the one that decided the status, else the closer of the two."""
        status = self.status
        if status in ("repeated", "answered") and getattr(self, status):
            return getattr(self, status)
        found = [m for m in (self.repeated, self.answered) if m]
        return max(found, key=lambda m: m.score) if found else None


@dataclass
class PlanFollowUp:
    plan: Item
    work: Optional[Match] = None          # the best 工作成效 sentence of the next report
    manual: Optional[str] = None          # a reviewer's verdict: done | review | open

    @property
    def scored(self) -> str:
        score = self.work.score if self.work else 0.0
        return "done" if score >= CARRIED_OUT else "review" if score >= CARRIED_OUT_LOW else "open"

    @property
    def status(self) -> str:
        """done (已落实) | review (待人工判断) | open (未见落实); a reviewer's verdict first."""
        return self.manual or self.scored

    @property
    def done(self) -> bool:
        return self.status == "done"


@dataclass
class PairReview:
    """One report (`earlier`) against the same town's next report (`later`)."""
    problems: list[ProblemFollowUp] = field(default_factory=list)
    plans: list[PlanFollowUp] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for p in self.problems if p.status == status)

    def plans_count(self, status: str) -> int:
        return sum(1 for p in self.plans if p.status == status)

    @property
    def plans_done(self) -> int:
        return sum(1 for p in self.plans if p.done)

    def to_dict(self) -> dict:
        """JSON-ready: each problem with its status and both best matches, each plan with
        whether it was carried out and its best match."""
        return {
            "problems": [{"item": _item(f.problem), "status": f.status, "manual": f.manual is not None,
                          "repeated": _match(f.repeated), "answered": _match(f.answered)}
                         for f in self.problems],
            "plans": [{"item": _item(f.plan), "status": f.status, "done": f.done,
                       "manual": f.manual is not None, "work": _match(f.work)} for f in self.plans],
            "counts": {"problems": len(self.problems), "repeated": self.count("repeated"),
                       "answered": self.count("answered"), "review": self.count("review"),
                       "open": self.count("open"), "plans": len(self.plans),
                       "plans_done": self.plans_done, "plans_review": self.plans_count("review")},
        }


def _item(item: Item) -> dict:
    return {"paragraph_id": item.paragraph_id, "part": item.part, "n": item.n, "text": item.text}


def _match(match: Optional[Match]) -> Optional[dict]:
    return None if match is None else {**_item(match.item), "score": match.score}


def split_items(text: str) -> list[str]:
    """A paragraph's enumerated items (一是…二是…), the lead-in before the first dropped; else
    a list announced by a colon (主要是：A；B；C。), one item per clause; the paragraph itself
    when it lists fewer than two."""
    starts = [m.start() for m in _ENUM.finditer(text)]
    if len(starts) >= 2:
        pieces = [text[a:b].strip() for a, b in zip(starts, starts[1:] + [len(text)])]
    else:
        listed = _LISTED.search(text)
        pieces = re.split(r"[；;]", text[listed.end():]) if listed else []
    pieces = [p.strip() for p in pieces if len(p.strip()) >= MIN_ITEM]
    return pieces if len(pieces) >= 2 else [text]


def problem_items(text: str) -> list[str]:
    """A problems paragraph's items: its list (`split_items`), else, when it is long, its
    sentences but the first (the lead-in: 我们清醒地看到，…还存在不少困难和问题。)."""
    pieces = split_items(text)
    if len(pieces) > 1 or len(text) <= LONG_PROBLEM:
        return pieces
    sentences = [s for s in re.findall(r"[^。！？!?]+[。！？!?]?", text) if len(s.strip()) >= MIN_ITEM]
    return sentences[1:] if len(sentences) > 2 else [text]


def items(paragraphs: Sequence[tuple[str, str, str]], part: str) -> list[Item]:
    """The items of one part from (paragraph id, part, text) rows of body paragraphs."""
    out = []
    for pid, p_part, text in paragraphs:
        if p_part != part or not text.strip():
            continue
        pieces = problem_items(text) if part == "problems" else split_items(text)
        if len(pieces) == 1:
            out.append(Item(pid, part, text, 0, folded_words(text)))
        else:
            out.extend(Item(pid, part, piece, n, folded_words(piece)) for n, piece in enumerate(pieces, 1))
    return out


def sentence_items(paragraphs: Sequence[tuple[str, str, str]], parts: Sequence[str]) -> list[Item]:
    """The sentences of these parts as items (n: the sentence's place in its paragraph)."""
    return [Item(pid, part, text, n, folded_words(text)) for pid, part, paragraph in paragraphs
            if part in parts for n, text in enumerate(sentences(paragraph), 1)]


# near-synonyms folded together, and light words dropped, before words are compared: a problem
# raised again is often reworded (仍需/有待, 存在不平衡/发展不平衡, 提升/提高)
FOLDED = {"有待": "需", "仍需": "需", "尚需": "需", "还需": "需", "亟需": "需", "亟待": "需", "需要": "需",
          "提升": "提高", "强化": "加强", "完善": "健全", "出台": "制定", "不均衡": "不平衡",
          "不协调": "不平衡", "规范化": "规范", "薄弱": "不强", "较弱": "不强", "不高": "不强",
          "不足": "不强", "不够": "不强", "欠缺": "不强", "缺乏": "不强"}
LIGHT = frozenset({"存在", "发展", "进一步", "工作", "方面", "一些", "部分", "问题", "继续", "切实",
                   "努力", "积极", "大力", "不断", "各级", "我们", "全镇", "我镇", "本镇", "今年", "明年"})
_PROBLEM_CUES = re.compile(r"问题|不足|困难|矛盾|压力|突出|滞后|不强|不高|严重|难度|薄弱|差距|不够|不到位|"
                           r"隐患|风险|不平衡|不协调|缓慢|过大|过多|偏高|偏低|混乱|短缺|恶化|加剧|有待|仍需")
_SOLVED = re.compile(r"取得|成效|得到.{0,6}(?:解决|缓解|遏制|控制)|解决了|明显改善|有所缓解|逐步缩小")


def sentences(text: str) -> list[str]:
    """A paragraph's sentences and clauses (cut at 。；！？), MIN_ITEM characters or more."""
    return [s.strip() for s in re.findall(r"[^。；;！!？?]+[。；;！!？?]?", text) if len(s.strip()) >= MIN_ITEM]


def states_problem(sentence: str) -> bool:
    """Whether a sentence of work or plans states a difficulty (not one solved)."""
    return bool(_PROBLEM_CUES.search(sentence)) and not _SOLVED.search(sentence)


@lru_cache(maxsize=20_000)
def folded_words(text: str) -> tuple[str, ...]:
    """`words`, near-synonyms folded (FOLDED) and light words dropped (LIGHT)."""
    return tuple(FOLDED.get(w, w) for w in words(text) if w not in LIGHT)


@lru_cache(maxsize=20_000)
def words(text: str) -> tuple[str, ...]:
    """The jieba words of two characters or more, as the index cuts them (cached per text)."""
    return tuple(w for w in index_tokens(text) if len(w) > 1)


def review_pair(earlier: Sequence[tuple[str, str, str]],
                later: Sequence[tuple[str, str, str]]) -> PairReview:
    """Match the earlier report's problems and plans with the later report's sentences. Rows
    are (paragraph id, part, text) of body paragraphs."""
    problems, plans = items(earlier, "problems"), items(earlier, "plans")
    stated = [t for t in sentence_items(later, ("work", "plans", "intro")) if states_problem(t.text)]
    targets = {"repeated": sentence_items(later, ("problems",)) + stated,
               "answered": sentence_items(later, ("work", "plans")),
               "work": sentence_items(later, ("work", "intro"))}
    bm25 = BM25([i.words for i in problems + plans] + [t.words for ts in targets.values() for t in ts])

    def best(item: Item, candidates: list[Item]) -> Optional[Match]:
        scored = [(score, -k) for k, score in enumerate(bm25.ratios(item.words, [c.words for c in candidates]))]
        if not scored:
            return None
        score, earlier_first = max(scored)          # ties: the earlier sentence
        return Match(candidates[-earlier_first], round(score, 3)) if score > 0 else None

    review = PairReview()
    for p in problems:
        review.problems.append(ProblemFollowUp(p, best(p, targets["repeated"]), best(p, targets["answered"])))
    for p in plans:
        review.plans.append(PlanFollowUp(p, best(p, targets["work"])))
    return review


class BM25:
    """BM25 over a pool of word lists (idf and the average length from the pool); `ratio(q, d)`
    is the score of `q` against `d` over its score against itself, at most 1."""

    def __init__(self, docs: Sequence[Sequence[str]]):
        df = Counter(w for d in docs for w in set(d))
        n = len(docs)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self.avg = sum(len(d) for d in docs) / n if n else 1.0

        self._tf: dict = {}

    def score(self, query: Sequence[str], doc: Sequence[str]) -> float:
        key = tuple(doc)
        tf = self._tf.get(key)
        if tf is None:
            tf = self._tf[key] = Counter(doc)
        norm = K1 * (1 - B + B * len(doc) / self.avg)
        return sum(self.idf.get(w, 0.0) * tf[w] * (K1 + 1) / (tf[w] + norm) for w in set(query) if w in tf)

    def ratio(self, query: Sequence[str], doc: Sequence[str]) -> float:
        return self.ratios(query, [doc])[0]

    def ratios(self, query: Sequence[str], docs: Sequence[Sequence[str]]) -> list[float]:
        """`ratio` of one query against many docs (its own score computed once)."""
        own = self.score(query, query)
        return [min(1.0, self.score(query, d) / own) if own else 0.0 for d in docs]
