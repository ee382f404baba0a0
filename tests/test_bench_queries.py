"""The bench's query mix and recall check, against the real index on a few synthetic reports."""
import pytest

from bench.baselines import BruteForce
from bench.corpus import Row, paragraph_rows, synthetic_reports
from bench.queries import all_hit_keys, phrase_recall, query_mix, search_page

POOL = ["乡镇人民政府应当依法履行职责。", "推进行政执法公示制度，规范执法行为。",
        "建立健全法律顾问制度，法律明白人培育工程。", "存在的问题是普法宣传形式单一。"]
PHRASES = {"frequent": "应当", "medium": "法律顾问"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from index import SearchIndex
    from archive.folding import fold

    reports = list(synthetic_reports(POOL, 12, seed=2))
    index = SearchIndex(tmp_path_factory.mktemp("ix"))
    index.rebuild(reports)
    return index, paragraph_rows(reports, fold)


def test_mix_covers_phrases_bare_words_and_each_field():
    rows = [Row("甲镇-2020", "导语.1", 2020, "甲镇", "intro", "应当")]
    mix = query_mix(PHRASES, rows)
    kinds = {m["kind"] for m in mix}
    assert kinds == {"phrase", "bare", "field"}
    queries = [m["q"] for m in mix]
    assert '"应当"' in queries and "year:2020" in " ".join(queries)
    assert any("town:甲镇" in q for q in queries) and any("section:" in q for q in queries)
    assert {"year": 2020} in [m["kwargs"] for m in mix]
    # Without towns or years (the laws corpus) the mix has no town/year queries.
    bare = query_mix(PHRASES, [Row("x", "导语.1", None, None, "intro", "应当")])
    assert not any("town:" in m["q"] or "year" in m["shown"] for m in bare)


def test_phrase_recall_against_the_scan_is_complete(built):
    index, rows = built
    scan = BruteForce(rows)
    keys = [(r.report_id, r.paragraph_id) for r in rows]
    for phrase in ("应当", "法律明白人", "执法公示"):
        oracle = {keys[i] for i in scan.matches(phrase)}
        assert oracle
        got = phrase_recall(index, phrase, oracle)
        assert got["ours"] == len(oracle) and got["ours_recall"] == 1.0
        assert got["ours_precision"] == 1.0


def test_recall_falls_when_the_index_misses_paragraphs(built):
    index, _ = built
    fake_oracle = all_hit_keys(index, '"应当"') | {("不存在-2020", "导语.1")}
    assert phrase_recall(index, "应当", fake_oracle)["ours_recall"] < 1.0


def test_search_page_returns_a_first_page_of_twenty(built):
    index, rows = built
    page = search_page(index, {"q": '"应当"', "kwargs": {}})
    assert len(page["hits"]) == min(20, page["total"]) and page["total"] > 20
