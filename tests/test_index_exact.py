"""The suffix array of the exact layer against a brute-force oracle: every occurrence of every
substring (overlapping ones, characters outside the BMP, one-character phrases, absent ones),
per paragraph; and the word postings written beside it."""
import sqlite3

from hypothesis import given, settings, strategies as st

from index import exact

ALPHABET = "法治政府建设𠀀ab1"  # 𠀀 is two UTF-16 code units


def overlapping(text: str, phrase: str) -> int:
    n, i = 0, text.find(phrase)
    while i >= 0:
        n, i = n + 1, text.find(phrase, i + 1)
    return n


def build(tmp_path, texts: list[str], tokens: list[str] | None = None):
    """A base over `texts` as paragraphs 1, 4, 7 … of reports r0, r1, r2, r0 …"""
    con = sqlite3.connect(tmp_path / "index.sqlite", isolation_level=None)
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
    con.execute("CREATE TABLE paragraphs (id INTEGER PRIMARY KEY, report_id, part, kind, folded, tokens)")
    con.executemany("INSERT INTO meta VALUES (?, ?)", [("epoch", 1), ("generation", 5)])
    tokens = tokens or [""] * len(texts)
    con.executemany("INSERT INTO paragraphs VALUES (?, ?, 'work', 'text', ?, ?)",
                    [(3 * k + 1, f"r{k % 3}", t, w) for k, (t, w) in enumerate(zip(texts, tokens))])
    assert exact.build(tmp_path, con) == "1-5"
    return exact.open_base(tmp_path, 1)


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.text(ALPHABET, max_size=30), min_size=1, max_size=25),
       probes=st.lists(st.text(ALPHABET, min_size=1, max_size=4), max_size=10))
def test_every_occurrence_of_every_substring(tmp_path_factory, texts, probes):
    base = build(tmp_path_factory.mktemp("exact"), texts)
    phrases = {t[i:j] for t in texts for i in range(len(t)) for j in range(i + 1, min(len(t), i + 4) + 1)}
    for phrase in sorted(phrases | set(probes)):
        slots, counts = base.occurrences(phrase)
        found = dict(zip(base.pids[slots].tolist(), counts.tolist()))
        assert found == {3 * k + 1: overlapping(t, phrase) for k, t in enumerate(texts) if phrase in t}, phrase
    assert not len(base.find(""))


def test_word_postings_list_each_words_paragraphs(tmp_path):
    base = build(tmp_path, ["法治政府", "政府", "建设"], ["法治 政府 法治", "政府", "建设 法治"])
    assert base.word_docs("法治").tolist() == [1, 7]
    assert base.word_docs("政府").tolist() == [1, 4]
    assert base.word_docs("没有").tolist() == []
    assert base.report_ids == ["r0", "r1", "r2"] and base.last_pid == 7
