"""Folding: the single definition of "same text" behind exact phrases and highlights."""
from hypothesis import given, strategies as st

from archive.folding import find_all, fold, fold_with_offsets, spans_to_original


def test_fold_drops_punctuation_and_spaces_in_both_widths():
    assert fold("“谁执法, 谁普法”") == "谁执法谁普法"
    assert fold("谁执法、谁普法。") == "谁执法谁普法"
    assert fold("谁执法，\u3000谁普法") == "谁执法谁普法"


def test_fold_width_case_and_script():
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("誰執法誰普法") == "谁执法谁普法"
    assert fold("黔江區馬喇鎮") == "黔江区马喇镇"


def test_fold_keeps_symbols_but_drops_unicode_punctuation():
    assert fold("法律顾问+司法所") == "法律顾问+司法所"
    assert fold("气温20℃") == "气温20°c"
    assert fold("审查通过率100%") == fold("审查通过率100％") == "审查通过率100"  # % is punctuation


def test_offsets_point_at_the_original_characters():
    text = "（一）誰執法、誰普法"
    folded, offsets = fold_with_offsets(text)
    assert folded == "一谁执法谁普法"
    assert [text[i] for i in offsets] == list("一誰執法誰普法")


def test_nfkc_expansion_maps_every_folded_char_to_its_source():
    text = "㈠法"  # ㈠ → "(一)": brackets dropped, 一 kept
    folded, offsets = fold_with_offsets(text)
    assert folded == "一法"
    assert offsets == [0, 1]


def test_span_across_dropped_punctuation_covers_it():
    text = "落实谁执法、谁普法责任"
    folded, offsets = fold_with_offsets(text)
    spans = spans_to_original(find_all(folded, "谁执法谁普法"), offsets)
    assert [text[s:e] for s, e in spans] == ["谁执法、谁普法"]


def test_find_all_includes_overlapping_occurrences():
    assert find_all("哈哈哈", "哈哈") == [(0, 2), (1, 3)]
    assert find_all("abc", "") == []


@given(st.text(alphabet=st.sampled_from(list("法治政府建設誰执、，。 ａA1%㈠「」")), max_size=40))
def test_fold_with_offsets_agrees_with_fold(text):
    folded, offsets = fold_with_offsets(text)
    assert folded == fold(text)
    assert len(offsets) == len(folded)
    assert offsets == sorted(offsets)
    assert all(0 <= i < len(text) for i in offsets)
