"""The tracker's matching (`analysis.rectification`) against a brute-force BM25 written out here,
on short paragraphs written for these tests."""
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
    """Every item against every sentence, BM25 written out here: idf ln(1 + (n - df + .5) /
    (df + .5)) over the items and sentences, k1 1.2, b .75, over the item's score against
    itself."""
    problem_items, plan_items = rc.items(earlier, "problems"), rc.items(earlier, "plans")
    sentence = lambda parts: [(pid, part, s) for pid, part, text in later if part in parts
                              for s in rc.sentences(text)]
    stated = [t for t in sentence(("work", "plans", "intro")) if rc.states_problem(t[2])]
    pools = {"repeated": sentence(("problems",)) + stated, "answered": sentence(("work", "plans")),
             "work": sentence(("work", "intro"))}
    docs = [rc.folded_words(i.text) for i in problem_items + plan_items] + \
        [rc.folded_words(t[2]) for pool in pools.values() for t in pool]
    n = len(docs)
    avg = sum(map(len, docs)) / n if n else 1

    def idf(w):
        df = sum(1 for d in docs if w in d)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def bm25(q, d):
        return sum(idf(w) * d.count(w) * 2.2 / (d.count(w) + 1.2 * (0.25 + 0.75 * len(d) / avg))
                   for w in set(q))

    def best(item, pool):
        q = rc.folded_words(item.text)
        own = bm25(q, q)
        scored = [(min(1.0, bm25(q, rc.folded_words(t[2])) / own) if own else 0.0, -k, t)
                  for k, t in enumerate(pool)]
        return max(scored, key=lambda s: s[:2]) if scored else None
    problems = [(p, best(p, pools["repeated"]), best(p, pools["answered"])) for p in problem_items]
    plans = [(p, best(p, pools["work"])) for p in plan_items]
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
                assert (match.item.paragraph_id, match.item.text) == expected[2][::2]
                assert match.score == pytest.approx(expected[0], abs=1e-3)
        # The status follows the score as shown (3 decimals), so a page never says 0.290 and
        # "not repeated" at once.
        rep, ans = (round(x[0], 3) if x else 0 for x in (repeated, answered))
        status = ("repeated" if rep >= rc.REPEATED else "answered" if ans >= rc.ADDRESSED else
                  "review" if rep >= rc.REPEATED_LOW or ans >= rc.ADDRESSED_LOW else "open")
        assert got.status == status
    for got, (item, work) in zip(review.plans, plans):
        assert got.plan == item
        score = round(work[0], 3) if work else 0
        assert got.status == ("done" if score >= rc.CARRIED_OUT else
                              "review" if score >= rc.CARRIED_OUT_LOW else "open")
        if work and work[0] > 0:
            assert (got.work.item.paragraph_id, got.work.item.text) == work[2][::2]
            assert got.work.score == pytest.approx(work[0], abs=1e-3)
    return review


def test_written_pair_matches_brute_force_and_reads_right():
    review = check_against_brute_force(EARLIER, LATER)
    statuses = [f.status for f in review.problems]
    assert statuses == ["repeated", "answered", "open"]
    assert review.problems[0].repeated.item.paragraph_id == "二.1"
    assert review.problems[1].answered.item.text.startswith("组织干部集中学法")
    assert [f.done for f in review.plans] == [True, False]


def test_the_rewordings_of_the_issue_are_found():
    """Issue 18: 存在不平衡…仍需 → 发展不平衡…有待 is the same problem; a plan's verb phrase
    and the work item that names what was made are a plan carried out."""
    earlier = [("二.1", "problems", "全镇依法行政工作存在不平衡，部分村居法治意识淡薄，整体水平仍需进一步提高。"),
               ("三.1", "plans", "一是简化审批流程，完善并联审批。二是健全重大行政决策的程序规定。"
                                 "三是开展法治宣传进校园活动。")]
    later = [("一.1", "work", "进一步简化审批流程，完善并联审批，办理时限压缩一半。"),
             ("一.2", "work", "制定《覃斗镇重大行政决策程序规定》，重大事项全部经过合法性审查。"),
             ("二.1", "problems", "全镇依法行政工作发展不平衡，个别村居法治意识淡薄，整体水平有待进一步提高。")]
    review = check_against_brute_force(earlier, later)
    assert [f.status for f in review.problems] == ["repeated"]
    assert [f.status for f in review.plans] == ["done", "done", "open"]
    assert review.plans[1].work.item.text.startswith("制定《覃斗镇重大行政决策程序规定》")


def test_a_near_miss_is_left_to_the_reviewer():
    earlier = [("二.1", "problems", "村级法律顾问作用发挥不充分，群众知晓率不高。")]
    later = [("二.1", "problems", "法律顾问服务群众的渠道较少。")]
    f = check_against_brute_force(earlier, later).problems[0]
    assert rc.REPEATED_LOW <= f.repeated.score < rc.REPEATED and f.status == "review"


def test_a_difficulty_stated_inside_the_next_reports_work_counts_as_repeated():
    earlier = [("二.1", "problems", "财政资金使用的合同审查流程不够完善。")]
    later = [("一.1", "work", "财政资金使用的合同审查流程仍不够完善，部分合同未经法律顾问把关。"),
             ("一.2", "work", "合同审查流程已全面完善，取得明显成效。")]
    f = check_against_brute_force(earlier, later).problems[0]
    assert f.status == "repeated" and f.repeated.item.paragraph_id == "一.1"


def test_long_problem_paragraphs_are_cut_into_items():
    text = ("我们清醒地看到，还存在不少困难和问题。主要是：农民收入增长缓慢；就业压力加大；"
            "生态环境问题依然突出。")
    assert rc.problem_items(text) == ["农民收入增长缓慢", "就业压力加大", "生态环境问题依然突出。"]
    long = "我们也清醒地看到，前进中还有不少困难。" + "经济结构不合理的矛盾仍很突出。" * 10 + "有的地方社会治安状况不好。"
    assert rc.problem_items(long)[0] == "经济结构不合理的矛盾仍很突出。"


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
