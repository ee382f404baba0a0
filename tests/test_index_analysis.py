"""jieba words of the folded text: offsets index the original text, words never span
punctuation, domain terms stay whole with their sub-words alongside."""
import subprocess
import sys
from pathlib import Path

from index.analysis import domain_terms, index_tokens, query_words, word_spans
from archive.folding import fold

TEXT = "全镇各部门认真履行“谁执法谁普法”工作责任，推选了数名法律明白人，推进法治政府建设。"


def test_word_offsets_index_the_text_and_main_words_cover_it_in_order():
    spans = list(word_spans(TEXT))
    for word, start, end, _ in spans:
        assert fold(TEXT[start:end]) == word
    main = [(w, s) for w, s, _, sub in spans if not sub]
    assert [s for _, s in main] == sorted(s for _, s in main)
    assert "".join(w for w, _ in main) == fold(TEXT)


def test_index_tokens_are_the_words_and_subwords():
    assert index_tokens(TEXT) == [w for w, _, _, _ in word_spans(TEXT)]
    assert index_tokens("，。") == []


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


def test_jieba_is_quiet_for_users():
    code = "from index.analysis import query_words; print(query_words('法律明白人'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=60)
    assert out.returncode == 0
    assert "法律明白人" in out.stdout
    assert out.stderr == ""
