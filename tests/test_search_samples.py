"""Search behaviour on the five sample reports plus a crafted report with known variants."""
import json

import pytest

from archive.pinyin import pinyin_key

from archive.errors import QueryError, ReportNotFound
from index.analysis import query_words
from archive.folding import fold
from helpers import brute_force, crafted_report, keys, sample_reports, stored_lines


@pytest.fixture(scope="module")
def reports():
    return sample_reports() + [crafted_report()]


@pytest.fixture
def index(sample_index):
    return sample_index


def assert_exact_highlights(hit, phrase):
    """Every highlight is one whole occurrence: folds to the phrase, starts and ends on a
    character of it (no punctuation or neighbouring character at either edge)."""
    needle = fold(phrase)
    assert hit.highlights
    for text, spans in ((hit.text, hit.highlights), (hit.text_original, hit.highlights_original)):
        for s, e in spans:
            piece = text[s:e]
            assert needle in fold(piece)
            assert fold(piece[0]) and fold(piece[-1])
            assert needle not in fold(piece[1:]) and needle not in fold(piece[:-1])
        covered = fold("".join(text[s:e] for s, e in spans))
        assert covered.count(needle) >= fold(text).count(needle) - 1 or needle * 2 in fold(text)


def test_quoted_phrase_finds_exactly_the_brute_force_paragraphs(index, reports):
    for phrase in ["法律明白人", "法治政府建设", "行政执法", "一岗双责", "谁执法谁普法", "诉源治理"]:
        result = index.search(f'"{phrase}"', per_page=0)
        assert keys(result) == brute_force(reports, phrase), phrase
        assert result.total_paragraphs == len(result.hits)
        assert result.mode == "exact" and all(h.exact for h in result.hits)


def test_falv_mingbairen_is_in_three_sample_reports_with_exact_highlights(index):
    result = index.search('"法律明白人"', per_page=0)
    assert result.total_reports == 3
    for hit in result.hits:
        assert_exact_highlights(hit, "法律明白人")
    assert result.trend[2024]["reports"] == 2


def test_phrase_ignores_punctuation_and_script_and_highlights_the_span(index):
    result = index.search('"谁执法谁普法"', town="测试镇", per_page=0)
    by_id = {h.paragraph_id: h for h in result.hits}
    assert set(by_id) == {"一.1", "一.2", "一.3"}
    assert [by_id["一.1"].text[s:e] for s, e in by_id["一.1"].highlights] == ["谁执法、谁普法"]
    assert [by_id["一.2"].text[s:e] for s, e in by_id["一.2"].highlights] == ["谁执法,谁普法"]
    trad = by_id["一.3"]
    assert [trad.text_original[s:e] for s, e in trad.highlights_original] == ["誰執法誰普法"]
    assert [trad.text[s:e] for s, e in trad.highlights] == ["谁执法谁普法"]


def test_traditional_query_finds_simplified_text_and_the_reverse(index, reports):
    assert keys(index.search('"誰執法誰普法"', per_page=0)) == brute_force(reports, "谁执法谁普法")
    traditional = index.search('"法治政府建设"', town="马喇镇", per_page=0)
    assert traditional.hits and all(h.report_id == "马喇镇-2023" for h in traditional.hits)
    assert {h.kind for h in traditional.hits} == {"title", "heading", "text"}
    for hit in traditional.hits:
        assert_exact_highlights(hit, "法治政府建设")
        if hit.kind != "title":  # the title is stored simplified only
            assert "建設" in "".join(hit.text_original[s:e] for s, e in hit.highlights_original)


def test_one_character_phrase(index, reports):
    for char in ["村", "镇", "誰"]:
        assert keys(index.search(f'"{char}"', per_page=0)) == brute_force(reports, char)


def test_unquoted_run_ranks_exact_matches_before_word_matches(index):
    result = index.search("谁执法谁负责普法", town="测试镇", per_page=0)
    assert result.mode == "words"
    result = index.search("谁执法谁普法 OR 谁执法谁负责普法", town="测试镇", per_page=0)
    assert result.mode == "mixed"
    flags = [h.exact for h in result.hits]
    assert flags == sorted(flags, reverse=True) and True in flags and False in flags
    decoy = next(h for h in result.hits if h.paragraph_id == "一.4")
    assert not decoy.exact
    marked = [decoy.text[s:e] for s, e in decoy.highlights]
    assert set(marked) == set(query_words("谁执法谁负责普法")) == {"谁执法谁负责", "普法"}


def test_auto_phrase_is_exact_when_every_hit_contains_it(index, reports):
    result = index.search("法律明白人", per_page=0)
    assert result.mode == "exact"
    assert keys(result) == brute_force(reports, "法律明白人")


def test_boolean_queries_match_their_sets(index, reports):
    def hits(q):
        return keys(index.search(q, per_page=0))
    pufa, tiaojie = brute_force(reports, "普法"), brute_force(reports, "调解")
    assert hits('"普法" "调解"') == pufa & tiaojie
    assert hits('"普法" OR "调解"') == pufa | tiaojie
    assert hits('"普法" -"调解"') == pufa - tiaojie == hits('"普法" NOT "调解"')
    assert hits('("普法" OR "调解") -"村"') == (pufa | tiaojie) - brute_force(reports, "村")


def test_scopes_and_keyword_filters_agree(index, reports):
    assert keys(index.search('"普法" town:赵集镇', per_page=0)) == \
        keys(index.search('"普法"', town="赵集镇", per_page=0)) == \
        {k for k in brute_force(reports, "普法") if k[0] == "赵集镇-2024"}
    assert keys(index.search('"普法" 镇:赵集', per_page=0)) == \
        keys(index.search('"普法" town:赵集镇', per_page=0))
    ranged = index.search('"普法" year:2021-2023', per_page=0)
    assert ranged.hits and {h.year for h in ranged.hits} <= {2021, 2022, 2023}
    assert keys(ranged) == keys(index.search('"普法"', year=(2021, 2023), per_page=0))
    problems = index.search('"调解" 部分:问题', per_page=0)
    assert keys(problems) == {(r.id, p.id) for r in reports for p in r.paragraphs
                              if p.part == "problems" and "调解" in p.text}
    assert len(problems.hits) > 1 and all(h.section == "problems" for h in problems.hits)
    assert keys(index.search('"工作" section:problems', section="work", per_page=0)) == set()
    under = index.search("heading:普法宣传", town="测试镇", per_page=0)
    assert keys(under) == {("测试镇-2022", p) for p in ("一.1", "一.2", "一.3", "一.4")}
    assert index.search('"普法" county:衡阳县', per_page=0).total_reports == 1


def test_blank_query_with_filters_browses_and_without_is_an_error(index, reports):
    browse = index.search("", town="测试镇", per_page=0)
    assert keys(browse) == {("测试镇-2022", pid) for pid, _ in stored_lines(reports[-1])}
    assert browse.mode == "exact"
    with pytest.raises(QueryError):
        index.search("  ")


def test_facets_and_trend_count_all_matches_not_the_page(index, reports):
    full = index.search('"法治"', per_page=0)
    page = index.search('"法治"', per_page=2)
    assert len(page.hits) == 2
    assert page.facets == full.facets
    assert sum(page.facets["year"].values()) == full.total_paragraphs
    assert sum(page.facets["section"].values()) == full.total_paragraphs
    matching_2024 = {h.report_id for h in full.hits if h.year == 2024}
    assert page.trend[2024] == {"reports": 2, "matching": len(matching_2024),
                                "share": round(len(matching_2024) / 2, 4)}
    assert set(page.trend) == {r.year for r in reports}
    assert index.years() == {2019: 1, 2021: 1, 2022: 1, 2023: 1, 2024: 2}


def test_sorting_and_paging(index):
    everything = index.search('"法治"', sort="year", per_page=0)
    years = [h.year for h in everything.hits]
    assert years == sorted(years, reverse=True)
    towns = [h.town for h in index.search('"法治"', sort="town", per_page=0).hits]
    assert towns == sorted(towns, key=pinyin_key)                # 马喇镇 三湖镇 … 赵集镇, not code points
    assert towns.index("马喇镇") < towns.index("三湖镇")          # mǎ before sān (code points: 三 < 马)
    relevance = index.search('"法治"', per_page=0)
    pages = [index.search('"法治"', page=n, per_page=7) for n in range(1, 100)]
    paged = [(h.report_id, h.paragraph_id) for p in pages for h in p.hits]
    assert paged == [(h.report_id, h.paragraph_id) for h in relevance.hits]
    scores = [h.score for h in relevance.hits]
    assert scores == sorted(scores, reverse=True)
    with pytest.raises(QueryError):
        index.search("法治", page=0)
    with pytest.raises(QueryError):
        index.search("法治", sort="random")


def test_to_dict_is_the_documented_json(index):
    d = index.search('"法律明白人"', per_page=2).to_dict()
    json.dumps(d, ensure_ascii=False)
    assert {"query", "mode", "total_paragraphs", "total_reports", "hits", "facets", "trend"} <= set(d)
    assert set(d["facets"]) == {"year", "town", "county", "section", "genre", "level"}
    assert {"reports", "matching", "share"} == set(d["trend"]["2024"])
    hit = d["hits"][0]
    assert {"report_id", "paragraph_id", "title", "town", "county", "year", "section",
            "heading_path", "text", "highlights"} <= set(hit)
    assert all(isinstance(s, list) and len(s) == 2 for s in hit["highlights"])


def test_similar_paragraphs_come_from_other_reports(index):
    similar = index.similar("测试镇-2022", "一.1", limit=3)
    assert similar and len(similar) <= 3
    assert all(h.report_id != "测试镇-2022" for h in similar)
    scores = [h.score for h in similar]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    with pytest.raises(ReportNotFound):
        index.similar("不存在-2020", "一.1")
