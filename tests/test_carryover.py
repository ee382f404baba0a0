"""Paragraph ids across a re-reading (archive.carryover): an unchanged text keeps its id, a
changed one never takes an id that named other words."""
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.carryover import carry_ids
from archive.folding import fold
from archive.model import Paragraph


def paras(*pairs):
    return [Paragraph(pid, "heading" if "." not in pid else "text", 1 if "." not in pid else 0,
                      "work", [], text, text) for pid, text in pairs]


def ids(carried):
    return [(p.id, p.text_original) for p in carried.paragraphs]


def test_the_same_reading_keeps_every_id_and_reports_nothing():
    old = paras(("导语.1", "甲"), ("一", "一、工作"), ("一.1", "乙"))
    carried = carry_ids(old, paras(*[(p.id, p.text_original) for p in old]))
    assert ids(carried) == [(p.id, p.text_original) for p in old]
    assert carried.kept == 3 and not carried.new and not carried.retired and not carried.log


def test_furniture_dropped_before_the_text_leaves_the_later_ids_as_they_were():
    old = paras(("导语.1", "首页 > 政务公开"), ("导语.2", "2024年，本镇推进法治建设。"),
                ("一", "一、主要工作"), ("一.1", "开展普法。"))
    new = paras(("导语.1", "2024年，本镇推进法治建设。"), ("一", "一、主要工作"), ("一.1", "开展普法。"))
    carried = carry_ids(old, new)
    assert ids(carried) == [("导语.2", "2024年，本镇推进法治建设。"), ("一", "一、主要工作"),
                            ("一.1", "开展普法。")]
    assert carried.retired == ["导语.1"] and carried.new == []
    assert carried.renumbered == [("导语.1", "导语.2")]
    rules = [e.rule for e in carried.log]
    assert rules == ["reimport_id_kept", "reimport_paragraph_retired"]
    assert carried.log[1].before.startswith("导语.1 首页")


def test_a_changed_text_never_takes_the_id_of_other_words():
    old = paras(("导语.1", "网站首页2024年，本镇推进法治建设。"), ("导语.2", "全年调解纠纷十件。"))
    new = paras(("导语.1", "2024年，本镇推进法治建设。"), ("导语.2", "全年调解纠纷十件。"))
    carried = carry_ids(old, new)
    assert ids(carried) == [("导语.1~2", "2024年，本镇推进法治建设。"), ("导语.2", "全年调解纠纷十件。")]
    assert carried.new == ["导语.1~2"] and carried.retired == ["导语.1"]


def test_ids_retired_earlier_are_never_reused():
    old = paras(("导语.2", "甲"))
    new = paras(("导语.1", "新的开头"), ("导语.2", "甲"))
    carried = carry_ids(old, new, retired=["导语.1"])
    assert ids(carried) == [("导语.1~2", "新的开头"), ("导语.2", "甲")]


def test_a_moved_paragraph_and_one_differing_only_in_punctuation_keep_their_ids():
    old = paras(("一.1", "甲乙丙。"), ("一.2", "丁戊，己。"), ("一.3", "庚辛。"))
    new = paras(("一.1", "庚辛。"), ("一.2", "甲乙丙。"), ("一.3", "丁戊,己."))
    carried = carry_ids(old, new)
    assert ids(carried) == [("一.3", "庚辛。"), ("一.1", "甲乙丙。"), ("一.2", "丁戊,己.")]
    assert carried.kept == 3 and not carried.ids_changed


def test_repeated_texts_pair_in_order():
    old = paras(("一.1", "无"), ("一.2", "甲"), ("一.3", "无"))
    new = paras(("一.1", "无"), ("一.2", "无"))
    carried = carry_ids(old, new)
    assert [p.id for p in carried.paragraphs] == ["一.1", "一.3"]
    assert carried.retired == ["一.2"]


def test_the_new_reading_is_not_modified():
    new = paras(("导语.1", "乙"))
    carry_ids(paras(("导语.1", "甲")), new)
    assert new[0].id == "导语.1"


texts = st.lists(st.sampled_from(["甲", "乙", "丙。", "丙", "丁，戊", "丁戊", "首页"]), max_size=8)


@settings(max_examples=300, deadline=None)
@given(texts, texts, st.lists(st.sampled_from(["导语.1", "导语.9", "导语.3~2"]), max_size=2))
def test_ids_are_unique_and_an_old_id_always_names_the_same_words(old_texts, new_texts, retired):
    """Against the plain rule: any id the old report or its retired list knew names, after the
    carry-over, the same (folded) text or nothing."""
    old = paras(*[(f"导语.{i}", t) for i, t in enumerate(old_texts, 1)])
    old = [p for p in old if p.id not in retired]
    new = paras(*[(f"导语.{i}", t) for i, t in enumerate(new_texts, 1)])
    carried = carry_ids(old, new, retired)
    got = [p.id for p in carried.paragraphs]
    assert len(set(got)) == len(got)
    assert [p.text_original for p in carried.paragraphs] == new_texts
    before = {p.id: fold(p.text_original) for p in old}
    for p in carried.paragraphs:
        assert p.id not in retired
        if p.id in before:
            assert fold(p.text_original) == before[p.id]
    # every new text that occurs among the old texts as often or more kept an old id
    old_kept = [p.text_original for p in old]
    for t in set(new_texts):
        if old_kept.count(t) >= new_texts.count(t):
            assert all(p.id in before for p in carried.paragraphs if p.text_original == t)
    assert sorted(carried.retired + [old[j].id for j in range(len(old))
                                     if old[j].id in got]) == sorted(p.id for p in old)


def test_a_retired_id_points_at_the_paragraph_now_holding_most_of_its_words():
    old = paras(("导语.1", "网站首页 > 政务公开 2024年，本镇推进法治建设，成效明显。"), ("导语.2", "全年调解纠纷十件。"),
                ("一.1", "这一段整段删去了。"))
    new = paras(("导语.1", "2024年，本镇推进法治建设，成效明显。"), ("导语.2", "全年调解纠纷十件。"))
    carried = carry_ids(old, new)
    assert carried.retired == ["导语.1", "一.1"]
    assert carried.moved == {"导语.1": "导语.1~2"}          # the deleted paragraph points nowhere
    assert [e.after for e in carried.log if e.rule == "reimport_paragraph_retired"] == ["导语.1~2", ""]


def test_moved_ids_follow_a_second_rereading_and_drop_vanished_targets():
    from archive.reread import moved_ids
    assert moved_ids({"a": "b"}, {"b": "c"}, {"c"}) == {"a": "c", "b": "c"}
    assert moved_ids({"a": "b"}, {}, {"c"}) == {}
    assert moved_ids({}, {"x": "y"}, {"y"}) == {"x": "y"}
