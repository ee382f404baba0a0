"""Alignment of two reports for /compare, and detection of shared sentences."""
import itertools
import random
from collections import Counter

import pytest

from archive.model import Paragraph
from archive.folding import fold
from analysis.alignment import (
    NEAR, PAIR_MIN, PLANS_TO_WORK, align_reports, align_sections, assignment, bigrams, cosine,
    heading_similarity, sections, sentence_spans, shared_sentences, tfidf_vectors,
)


def h(pid, text, part="work", level=2):
    return Paragraph(id=pid, kind="heading", level=level, part=part, text=text, text_original=text)


def t(pid, text, part="work"):
    return Paragraph(id=pid, kind="text", level=0, part=part, text=text, text_original=text)


def test_heading_similarity_ignores_markers_script_and_punctuation():
    assert heading_similarity("（一）加强组织领导，抓好制度建设", "1.加強組織領導,抓好制度建設") == 1.0
    assert heading_similarity("（一）加强组织领导", "（一）深化普法宣传") == 0.0
    assert 0 < heading_similarity("加强组织领导", "强化组织领导") < 1


def test_sections_split_at_every_heading_and_keep_leading_text():
    pars = [t("导语.1", "前言", "intro"), h("一", "一、工作情况", level=1), h("一.（一）", "（一）组织"),
            t("一.（一）.1", "正文")]
    got = sections(pars)
    assert [s.heading.id if s.heading else None for s in got] == [None, "一", "一.（一）"]
    assert [[p.id for p in s.paragraphs] for s in got] == [["导语.1"], [], ["一.（一）.1"]]


def test_align_sections_pairs_similar_headings_in_order_and_leaves_gaps():
    a = sections([h("1", "加强组织领导"), h("2", "深化普法宣传教育"), h("3", "规范行政执法行为")])
    b = sections([h("1", "加强组织领导工作"), h("2", "推进矛盾纠纷化解"), h("3", "规范行政执法")])
    rows = align_sections(a, b)
    pairs = [(r.a.heading.id if r.a else None, r.b.heading.id if r.b else None) for r in rows]
    assert pairs == [("1", "1"), ("2", None), (None, "2"), ("3", "3")]
    assert all(r.score >= 0.3 for r in rows if r.a and r.b)


def test_align_sections_pairs_by_meaning_even_across_order():
    # B swaps the two topics: an optimal one-to-one assignment pairs both, each on A's row.
    a = sections([h("1", "加强组织领导"), h("2", "深化普法宣传教育")])
    b = sections([h("1", "深化普法宣传教育"), h("2", "加强组织领导")])
    rows = align_sections(a, b)
    assert [(r.a.heading.id, r.b.heading.id) for r in rows] == [("1", "2"), ("2", "1")]
    assert all(r.basis == "heading" for r in rows)


def test_sections_with_unlike_headings_pair_on_their_content():
    a = sections([h("1", "（一）强化思想引领"),
                  t("1.1", "组织机关干部学习宪法和民法典，开展法律知识考试，领导干部带头讲法治课。"),
                  h("2", "（二）优化营商环境"),
                  t("2.1", "推进证明事项告知承诺制，压减审批时限，企业开办一日办结。")])
    b = sections([h("1", "（一）便民高效办事"),
                  t("1.1", "企业开办实现一日办结，审批时限压减一半，推行告知承诺制。"),
                  h("2", "（二）抓好学法用法"),
                  t("2.1", "机关干部集中学习宪法和民法典，领导干部讲法治课，组织法律知识考试。")])
    rows = align_sections(a, b)
    assert [(r.a.heading.id, r.b.heading.id, r.basis) for r in rows] == [
        ("1", "2", "content"), ("2", "1", "content")]
    assert all(r.score >= PAIR_MIN for r in rows)


def test_unpaired_sections_sit_where_they_belong_not_at_the_end():
    a = sections([h("1", "加强组织领导"), h("2", "规范行政执法行为"), h("3", "化解矛盾纠纷")])
    b = sections([h("1", "加强组织领导"), h("2", "优化政务服务事项"), h("3", "规范行政执法行为"),
                  h("4", "建设智慧法院平台"), h("5", "化解矛盾纠纷")])
    pairs = [(r.a.heading.id if r.a else None, r.b.heading.id if r.b else None)
             for r in align_sections(a, b)]
    assert pairs == [("1", "1"), (None, "2"), ("2", "3"), (None, "4"), ("3", "5")]


def test_nothing_paired_interleaves_by_position():
    a = sections([h(str(i), f"甲{w}") for i, w in enumerate(["春耕", "夏耘", "秋收"])])
    b = sections([h(str(i), f"乙{w}") for i, w in enumerate(["东风", "南山", "西楼"])])
    rows = align_sections(a, b)
    sides = ["a" if r.a else "b" for r in rows]
    assert sides == ["a", "b", "a", "b", "a", "b"]
    assert not any(r.a and r.b for r in rows)


@pytest.mark.parametrize("seed", range(40))
def test_assignment_is_optimal_against_brute_force(seed):
    rng = random.Random(seed)
    n, m = rng.randint(1, 5), rng.randint(1, 5)
    score = [[rng.choice([0.0, round(rng.random(), 2)]) for _ in range(m)] for _ in range(n)]
    got = assignment(score)
    assert len({i for i, _ in got}) == len(got) == len({j for _, j in got})   # one-to-one
    best = max(sum(score[i][j] for i, j in zip(rows, cols))
               for rows in itertools.permutations(range(n), min(n, m))
               for cols in itertools.permutations(range(m), min(n, m)))
    assert sum(score[i][j] for i, j in got) == pytest.approx(best)


def test_tfidf_ignores_words_every_section_uses():
    vectors = tfidf_vectors([Counter({"法治": 3, "普法": 1}), Counter({"法治": 1, "调解": 2})])
    assert "法治" not in vectors[0] and cosine(vectors[0], vectors[1]) == 0.0
    assert cosine(vectors[0], vectors[0]) == pytest.approx(1.0)


def test_align_reports_by_part_and_plans_to_work():
    a = [t("导语.1", "甲", "intro"), h("三", "下一步工作打算", "plans", 1),
         h("三.（一）", "（一）加强法治宣传教育", "plans"), t("三.（一）.1", "计划", "plans")]
    b = [h("一", "工作情况", "work", 1), h("一.（一）", "（一）加强法治宣传教育", "work"),
         t("一.（一）.1", "成效", "work")]
    same = align_reports(a, b)
    assert [(p.part_a, p.part_b) for p in same] == [("intro", "intro"), ("work", "work"),
                                                      ("plans", "plans")]
    assert all(r.b is None for r in same[0].rows) and all(r.a is None for r in same[1].rows)
    cross = align_reports(a, b, PLANS_TO_WORK)
    assert len(cross) == 1
    paired = [(r.a.heading.id, r.b.heading.id) for r in cross[0].rows if r.a and r.b]
    assert paired == [("三.（一）", "一.（一）")]


def test_sentence_spans_split_on_chinese_and_ascii_enders():
    text = "一是健全机制。二是压实责任；三是？完"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["一是健全机制。", "二是压实责任；", "三是？", "完"]
    assert sentence_spans("") == []


SHARED = "镇政府把依法行政工作与经济工作同安排、共部署。"


def test_shared_sentences_exact_across_scripts_and_punctuation():
    a = [("p1", "今年我们做了很多很多新的工作内容。" + SHARED)]
    b = [("q1", "鎮政府把依法行政工作與經濟工作同安排,共部署;另外还有完全不同的一句话在这里。")]
    got = shared_sentences(a, b)
    assert got.count == 1
    assert [a[0][1][s:e] for s, e in got.spans_a["p1"]] == [SHARED]
    assert len(got.spans_b["q1"]) == 1 and got.spans_b["q1"][0][0] == 0
    assert 0 < got.share_a < 1 and 0 < got.share_b < 1


def test_shared_sentences_near_match_and_threshold():
    near = "镇政府把依法行政工作与经济工作同安排、同部署。"  # one character changed
    far = "镇政府把普法宣传工作与乡村振兴工作一起安排。"
    assert shared_sentences([("a", SHARED)], [("b", near)]).count == 1
    assert shared_sentences([("a", SHARED)], [("b", far)]).count == 0
    assert shared_sentences([("a", SHARED)], [("b", near)], near=0.99).count == 0


def test_short_sentences_are_not_counted_as_shared():
    got = shared_sentences([("a", "一是健全机制。")], [("b", "一是健全机制。")])
    assert got.count == 0 and got.spans_a == {} and got.share_a == 0.0


def test_share_is_fraction_of_folded_characters():
    a = [("a1", SHARED), ("a2", "这一句只在甲报告里出现并且足够长。")]
    b = [("b1", SHARED)]
    got = shared_sentences(a, b)
    assert got.share_b == 1.0
    assert got.share_a == pytest.approx(21 / (21 + 16))


def test_shared_sentences_agree_with_brute_force():
    """Prefix filtering must find every pair a full cross product finds."""
    rng = random.Random(7)
    alphabet = "法治政府建设依法行政普法宣传执法监督镇村工作"
    def sentence():
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 20))) + "。"
    base = [sentence() for _ in range(40)]
    mutated = [s[:3] + rng.choice(alphabet) + s[4:] if rng.random() < 0.5 else sentence() for s in base]
    a, b = [("a", "".join(base))], [("b", "".join(mutated))]
    got = shared_sentences(a, b)
    grams_b = [bigrams(fold(s)) for s in mutated if len(fold(s)) >= 8]
    expected = 0
    for s in base:
        x = bigrams(fold(s))
        if len(fold(s)) >= 8 and any(len(x & y) >= NEAR * len(x | y) for y in grams_b):
            expected += 1
    assert got.count == expected


def test_long_documents_pair_within_a_band_best_first(monkeypatch):
    monkeypatch.setattr("analysis.alignment.DENSE_PAIRS", 4)     # force the bounded path
    monkeypatch.setattr("analysis.alignment.BAND", 2)
    topics = ["组织领导", "普法宣传", "行政执法", "矛盾化解", "政务公开", "依法决策", "队伍建设", "监督问责"]
    a = sections([h(str(i), f"加强{w}工作") for i, w in enumerate(topics)])
    b = sections([h(str(i), f"加强{w}工作") for i, w in enumerate(topics[1:] + topics[:1])])
    pairs = [(r.a.heading.id if r.a else None, r.b.heading.id if r.b else None)
             for r in align_sections(a, b)]
    # Each topic's partner sits one place earlier in B: within the band, so paired; the first
    # topic moved to B's end lies outside A's band and stays unpaired on both sides.
    assert [(x, y) for x, y in pairs if x and y] == [(str(i), str(i - 1)) for i in range(1, 8)]
    assert ("0", None) in pairs and (None, "7") in pairs
