"""The word field counts positions 0,1,2… (jieba's own Whoosh analyzer does not), and the
bigram field makes every phrase a sequence of its terms."""
import subprocess
import sys
from pathlib import Path

from whoosh import fields, query
from whoosh.filedb.filestore import RamStorage

from index.analysis import BigramTokenizer, WordTokenizer, domain_terms, query_words, word_spans

TEXT = "全镇各部门认真履行“谁执法谁普法”工作责任，推选了数名法律明白人，推进法治政府建设。"


def test_word_positions_are_a_running_count_and_offsets_index_the_text():
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in WordTokenizer()(TEXT, positions=True, chars=True)]
    main_positions = []
    for text, pos, start, end in tokens:
        assert TEXT[start:end] == text
        if not main_positions or pos != main_positions[-1]:
            main_positions.append(pos)
    assert main_positions == list(range(len(main_positions)))


def test_domain_terms_stay_whole_with_their_subwords_alongside():
    words = [w for w, _, _, sub in word_spans(TEXT) if not sub]
    assert "谁执法谁普法" in words and "法律明白人" in words and "法治政府建设" in words
    subwords = [w for w, _, _, sub in word_spans(TEXT) if sub]
    assert "法治" in subwords and "执法" in subwords


def test_words_never_span_punctuation():
    assert "法律" not in query_words("依法，律师")
    assert all("，" not in w for w in query_words("依法，律师"))


def test_terms_file_has_the_required_domain_terms():
    terms = set(domain_terms())
    assert {"法律明白人", "谁执法谁普法", "一岗双责", "八五普法", "法治政府建设", "三项制度",
            "枫桥经验"} <= terms


def test_bigrams_skip_punctuation_and_fold_script():
    assert [t.text for t in BigramTokenizer()("誰執法、谁")] == ["谁执", "执法", "法谁"]


def _phrase_hits(analyzer, text, phrase_words):
    schema = fields.Schema(body=fields.TEXT(analyzer=analyzer, phrase=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(body=text)
    with ix.searcher() as s:
        return len(s.search(query.Phrase("body", phrase_words)))


def test_jieba_bundled_analyzer_fails_phrases_where_ours_succeeds():
    from jieba.analyse import ChineseAnalyzer  # demonstration only: never used by the index

    text = "镇政府建立健全行政执法责任制，严格规范公正文明执法。"
    words = query_words("行政执法责任制")
    assert len(words) > 1
    assert _phrase_hits(WordTokenizer(), text, words) == 1
    assert _phrase_hits(ChineseAnalyzer(), text, words) == 0


def test_jieba_is_quiet_for_users():
    code = "from index.analysis import query_words; print(query_words('法律明白人'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=60)
    assert out.returncode == 0
    assert "法律明白人" in out.stdout
    assert out.stderr == ""
