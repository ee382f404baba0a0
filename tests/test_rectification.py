"""The tracker's matching (`analysis.rectification`) against a brute-force TF-IDF cosine written
out here in dense vectors, on short paragraphs written for these tests."""
from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from analysis import rectification as rc
from analysis.rectification import Item, review_pair, split_items

EARLIER = [
    ("一.1", "work", "全镇培育法律明白人35名，参与矛盾纠纷调解。"),
    ("二.1", "problems", "存在以下问题：一是部分镇直部门执法不规范，执法人员专业知识不足。"
                         "二是干部法治意识不强，主动学法的意识不够。三是合同审查流程不完善。"),
    ("三.1", "plans", "一是加大普法宣传力度，开展法治宣传进村入户活动。二是建设特色产业园区。"),
]
LATER = [
    ("一.1", "work", "组织干部集中学法4次，干部法治意识明显增强。"),
    ("一.2", "work", "开展法治宣传进村入户活动20场，普法宣传覆盖全镇。"),
    ("二.1", "problems", "一是个别部门执法不够规范，执法人员专业知识不足。二是法治文化阵地利用率不高。"),
    ("三.1", "plans", "一是规范行政执法。二是建设法治文化阵地。"),
]


def test_split_items_on_enumerations():
    assert split_items("存在问题：一是执法不规范。二是学法不够。三是审查不严格。") == [
        "一是执法不规范。", "二是学法不够。", "三是审查不严格。"]
    assert split_items("一要加强领导，压实责任；二要完善制度，规范程序。") == [
        "一要加强领导，压实责任；", "二要完善制度，规范程序。"]
    one = "全镇执法人员专业知识不足，统一是关键。"       # 一是 inside a word is no item
    assert split_items(one) == [one]
    assert split_items("只有一是执法问题。") == ["只有一是执法问题。"]


def brute_force(earlier, later):
    """Every item against every candidate: dense TF-IDF (sublinear tf, idf ln((1+n)/(1+df)),
    unit length) over all items of both reports."""
    problem_items, plan_items = rc.items(earlier, "problems"), rc.items(earlier, "plans")
    sources = problem_items + plan_items
    targets = {part: rc.items(later, part) for part in ("problems", "plans", "work")}
    pool = sources + targets["problems"] + targets["plans"] + targets["work"]
    bags = [Counter(rc.words(i.text)) for i in pool]
    vocab = sorted({w for b in bags for w in b})
    df = {w: sum(1 for b in bags if w in b) for w in vocab}
    n = len(bags)
    dense = []
    for b in bags:
        v = [(1 + math.log(b[w])) * math.log((1 + n) / (1 + df[w])) if b[w] else 0.0 for w in vocab]
        norm = math.sqrt(sum(x * x for x in v))
        dense.append([x / norm for x in v] if norm else v)
    at = {id(i): k for k, i in enumerate(pool)}

    def cos(a: Item, b: Item) -> float:
        return sum(x * y for x, y in zip(dense[at[id(a)]], dense[at[id(b)]]))

    def best(item, candidates):
        scored = [(cos(item, c), -k, c) for k, c in enumerate(candidates)]
        return max(scored, key=lambda s: s[:2]) if scored else None
    problems = [(p, best(p, targets["problems"]), best(p, targets["plans"] + targets["work"]))
                for p in problem_items]
    plans = [(p, best(p, targets["work"])) for p in plan_items]
    return problems, plans


def check_against_brute_force(earlier, later):
    review = review_pair(earlier, later)
    problems, plans = brute_force(earlier, later)
    assert len(review.problems) == len(problems) and len(review.plans) == len(plans)
    for got, (item, repeated, answered) in zip(review.problems, problems):
        assert got.problem == item
        for match, expected in ((got.repeated, repeated), (got.answered, answered)):
            if expected is None or expected[0] <= 0:
                assert match is None
            else:
                assert match.item == expected[2]
                assert match.score == pytest.approx(expected[0], abs=1e-3)
        # The status follows the score as shown (3 decimals), so a page never says 0.450 and
        # "not repeated" at once.
        status = ("repeated" if repeated and round(repeated[0], 3) >= rc.REPEATED else
                  "answered" if answered and round(answered[0], 3) >= rc.ADDRESSED else "open")
        assert got.status == status
    for got, (item, work) in zip(review.plans, plans):
        assert got.plan == item
        assert got.done == bool(work and round(work[0], 3) >= rc.CARRIED_OUT)
        if work and work[0] > 0:
            assert got.work.item == work[2] and got.work.score == pytest.approx(work[0], abs=1e-3)
    return review


def test_written_pair_matches_brute_force_and_reads_right():
    review = check_against_brute_force(EARLIER, LATER)
    statuses = [f.status for f in review.problems]
    assert statuses == ["repeated", "answered", "open"]
    assert review.problems[0].repeated.item.paragraph_id == "二.1"
    assert review.problems[1].answered.item.text.startswith("组织干部集中学法")
    assert [f.done for f in review.plans] == [True, False]
    assert review.count("repeated") == 1 and review.plans_done == 1


def test_no_next_year_parts_means_nothing_matched():
    review = review_pair(EARLIER, [("一.1", "intro", "2024年，本镇继续推进法治建设。")])
    assert [f.status for f in review.problems] == ["open"] * 3
    assert all(f.repeated is None and f.answered is None for f in review.problems)
    assert review_pair([], LATER).problems == []


PHRASES = ["执法不规范", "法治意识不强", "普法宣传", "合同审查", "法律明白人", "矛盾纠纷调解",
           "法治文化阵地", "行政复议", "依法决策", "执法人员培训"]


@st.composite
def paragraphs(draw, part):
    chosen = draw(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=4))
    n = draw(st.integers(1, 3))
    if n == 1:
        return "，".join(chosen) + "。"
    return "".join(f"{'一二三'[k]}是{'，'.join(chosen[k::n]) or chosen[0]}。" for k in range(n))


@st.composite
def reports(draw):
    rows = []
    for part in ("work", "problems", "plans"):
        for k in range(draw(st.integers(0, 3))):
            rows.append((f"{part}.{k + 1}", part, draw(paragraphs(part))))
    return rows


@settings(max_examples=40, deadline=None)
@given(reports(), reports())
def test_random_pairs_match_brute_force(earlier, later):
    check_against_brute_force(earlier, later)


def test_index_words_give_the_same_review():
    """The tracker passes each paragraph's words as the index holds them: the same cut."""
    from index.analysis import index_tokens

    known = {pid: index_tokens(text) for pid, _, text in EARLIER}
    known_later = {pid: index_tokens(text) for pid, _, text in LATER}
    plain, indexed = review_pair(EARLIER, LATER), review_pair(EARLIER, LATER, known, known_later)
    assert [(f.status, f.shown and f.shown.score) for f in plain.problems] == \
        [(f.status, f.shown and f.shown.score) for f in indexed.problems]
    assert [f.work and f.work.score for f in plain.plans] == [f.work and f.work.score for f in indexed.plans]


def test_a_score_that_rounds_to_the_threshold_decides_as_shown():
    """Found by Hypothesis: a raw cosine just under REPEATED is shown as 0.450 and counts as
    重复出现, as the page says."""
    earlier = [("work.1", "work", "执法不规范。"),
               ("problems.1", "problems", "一是执法不规范。二是执法不规范。三是执法不规范。"),
               ("problems.2", "problems", "法治意识不强。"),
               ("plans.1", "plans", "一是法治意识不强。二是法治意识不强。"),
               ("plans.2", "plans", "一是执法人员培训。二是执法人员培训。")]
    later = [("problems.1", "problems", "一是执法人员培训。二是执法人员培训。三是执法人员培训。"),
             ("plans.1", "plans", "执法不规范，执法人员培训。")]
    review = check_against_brute_force(earlier, later)
    first = review.problems[0]
    assert (first.status, first.repeated.score) == ("repeated", rc.REPEATED)
