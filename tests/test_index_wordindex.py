"""The Whoosh jieba word index: positions are a running word count (a Whoosh phrase matches
where jieba's bundled analyzer finds nothing), word doc sets, BM25F ranking and document
frequencies agree with a brute-force scan, and the index follows a change log — including
after a crash between the source commit and the Whoosh commit."""
from __future__ import annotations

import json
import threading
from functools import lru_cache

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Phrase

from archive.errors import ArchiveError, IndexBusy
from index.analysis import query_words
from index.indexing import analyse
from archive.folding import fold
from index.wordindex import STATE_FILE, FastWriter, WordIndex, WordTokenizer
from index.wordindex import schema as wordindex_schema
from helpers import crafted_report, sample_reports


def current_state(wi: WordIndex) -> dict:
    """The word index's state file: which of its two Whoosh indexes readers use, at which state."""
    return json.loads((wi.dir / STATE_FILE).read_text(encoding="utf-8"))


# Several words each, and each occurs in the samples.
PHRASES = ["依法行政工作", "推进法治政府建设", "开展法治宣传"]


@lru_cache(maxsize=None)
def sample_rows() -> tuple:
    """(pid, report_id, words, folded text) of every sample paragraph."""
    rows, pid = [], 0
    for report in sample_reports():
        for paragraph, (folded, _, words) in zip(report.paragraphs, analyse(report)):
            pid += 1
            rows.append((pid, report.id, words, folded))
    return tuple(rows)


def word_rows(rows):
    return [(pid, rid, words) for pid, rid, words, _ in rows]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    wi = WordIndex(tmp_path_factory.mktemp("words"))
    wi.rebuild(word_rows(sample_rows()), (1, 0))
    return wi


def positions(words: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in WordTokenizer()(words, positions=True)]


def test_positions_count_words_and_subwords_share_their_words_position():
    assert positions("推进 法治政府建设 法治 政府 建设 工作") == [
        ("推进", 0), ("法治政府建设", 1), ("法治", 1), ("政府", 1), ("建设", 1), ("工作", 2)]
    # a word repeated after a long word is a new word, not a sub-word listed twice
    assert positions("第一责任人 第一 责任 任人 责任人 责任") == [
        ("第一责任人", 0), ("第一", 0), ("责任", 0), ("任人", 0), ("责任人", 0), ("责任", 1)]
    assert positions("建设 建设 的") == [("建设", 0), ("建设", 1), ("的", 2)]


def test_positions_of_every_sample_paragraph_run_without_gaps():
    for _, _, words, _ in sample_rows():
        seen = sorted({pos for _, pos in positions(words)})
        assert seen == list(range(len(seen)))


def test_a_phrase_matches_with_these_positions_and_not_with_the_bundled_analyzer(built, tmp_path):
    from jieba.analyse import ChineseAnalyzer  # only here: the analyzer this module replaces

    bundled = whoosh_index.create_in(
        str(tmp_path), Schema(pid=NUMERIC(stored=True), words=TEXT(analyzer=ChineseAnalyzer())))
    with bundled.writer() as writer:
        for pid, _, _, folded in sample_rows():
            writer.add_document(pid=pid, words=folded)
    ours = built.searcher()
    pid_of = ours.reader().column_reader("pid").__getitem__  # docnum → pid (Whoosh's API)
    with bundled.searcher() as theirs:
        for phrase in PHRASES:
            truth = {pid for pid, _, _, folded in sample_rows() if phrase in folded}
            words = query_words(phrase)
            assert len(words) > 1 and truth, phrase
            found = {pid_of(d) for d in ours.docs_for_query(Phrase("words", words))}
            assert found == truth, phrase
            their_words = [t.text for t in ChineseAnalyzer()(phrase)]
            assert list(theirs.docs_for_query(Phrase("words", their_words))) == [], phrase


@pytest.mark.parametrize("words", [["法治"], ["调解", "人民"], ["普法", "宣传"], ["法律明白人", "村"]])
def test_word_docs_and_scores_agree_with_a_scan(built, words):
    sets = {pid: set(w.split()) for pid, _, w, _ in sample_rows()}
    every = {pid for pid, s in sets.items() if all(w in s for w in words)}
    some = {pid for pid, s in sets.items() if any(w in s for w in words)}
    assert every and built.word_docs(words, "AND") == every
    assert built.word_docs(words, "OR") == some
    scores = built.word_scores(words, "OR")
    assert {pid for pid, _ in scores} == some
    assert [s for _, s in scores] == sorted((s for _, s in scores), reverse=True)
    assert built.word_scores(words, "OR", limit=3) == scores[:3]
    assert {pid for pid, _ in built.word_scores(words, "AND")} == every


def test_doc_frequencies_count_paragraphs(built):
    rows = sample_rows()
    freq = built.doc_frequencies(["法治", "调解", "不存在的词"])
    assert freq == {w: sum(w in set(words.split()) for _, _, words, _ in rows) for w in ("法治", "调解")}


def test_no_words_no_docs(built):
    assert built.word_docs([], "AND") == set() and built.word_scores([], "OR") == []


class Source:
    """A stand-in for the SQLite store: rows by report, and a change log by generation."""

    def __init__(self, rows):
        self.rows = {}
        for row in rows:
            self.rows.setdefault(row[1], []).append(row)
        self.epoch, self.generation, self.log = 1, 0, []
        self.next_pid = max(r[0] for r in rows) + 1

    def put(self, report_id, texts):
        self.rows[report_id] = []
        for words in texts:
            self.rows[report_id].append((self.next_pid, report_id, words))
            self.next_pid += 1
        self.commit(report_id)

    def delete(self, report_id):
        del self.rows[report_id]
        self.commit(report_id)

    def commit(self, report_id):
        self.generation += 1
        self.log.append((self.generation, report_id))

    def state(self):
        return self.epoch, self.generation

    def changed_since(self, generation):
        return {rid for g, rid in self.log if g > generation}

    def rows_of(self, report_ids):
        ids = sorted(self.rows) if report_ids is None else [r for r in report_ids if r in self.rows]
        return [row for rid in ids for row in self.rows[rid]]

    def sync(self, wi):
        wi.catch_up(self.state(), self.changed_since, self.rows_of)

    def docs(self, word):
        return {pid for rows in self.rows.values() for pid, _, w in rows if word in w.split()}


@pytest.fixture
def source_and_index(tmp_path):
    source = Source(word_rows(sample_rows()))
    wi = WordIndex(tmp_path)
    source.sync(wi)  # first sync: nothing there yet, so a rebuild
    return source, wi


def test_catch_up_replays_the_reports_changed_since_its_generation(source_and_index):
    source, wi = source_and_index
    reader = WordIndex(wi.dir.parent)
    assert reader.word_docs(["调解"], "AND") == source.docs("调解")
    rid = sorted(source.rows)[0]
    source.put(rid, ["诉源 治理 调解", "其他 内容"])
    source.delete(sorted(source.rows)[1])
    source.put("测试镇-2022", ["诉源 治理"])
    source.sync(wi)
    assert wi.state() == source.state()
    for word in ("调解", "诉源", "法治"):
        assert reader.word_docs([word], "AND") == source.docs(word), word  # a running reader refreshes
    source.sync(wi)  # nothing changed: nothing to do
    assert reader.word_docs(["诉源"], "AND") == source.docs("诉源")


def test_a_crash_before_the_whoosh_commit_heals_on_the_next_write(source_and_index, monkeypatch):
    source, wi = source_and_index
    source.put("测试镇-2022", ["诉源 治理"])

    def crash(self, **fields):
        raise KeyboardInterrupt

    monkeypatch.setattr("index.wordindex.FastWriter.add_document", crash)
    with pytest.raises(KeyboardInterrupt):
        source.sync(wi)
    monkeypatch.undo()
    assert wi.state() == (1, 0) and wi.word_docs(["诉源"], "AND") == set()
    source.put(sorted(source.rows)[0], ["人民 调解"])  # the next write also replays the lost one
    source.sync(wi)
    assert wi.word_docs(["诉源"], "AND") == source.docs("诉源") != set()
    assert wi.word_docs(["调解"], "AND") == source.docs("调解")


def test_a_lost_state_write_only_replays_again(source_and_index):
    source, wi = source_and_index
    source.put("测试镇-2022", ["诉源 治理"])
    source.sync(wi)
    state = current_state(wi)  # as if the process died after the Whoosh commit:
    (wi.dir / STATE_FILE).write_text(json.dumps({**state, "epoch": 1, "generation": 0}))
    source.sync(wi)
    assert wi.state() == source.state()
    assert wi.word_docs(["诉源"], "AND") == source.docs("诉源")
    assert wi.searcher().doc_count() == sum(len(r) for r in source.rows.values())


def test_a_new_epoch_rebuilds_into_the_other_index_and_readers_follow(source_and_index):
    source, wi = source_and_index
    reader = WordIndex(wi.dir.parent)
    assert reader.word_docs(["调解"], "AND")
    old = current_state(wi)["name"]
    source.epoch, source.log = 2, []
    source.rows = {"测试镇-2022": [(1, "测试镇-2022", "诉源 治理")]}
    source.sync(wi)
    assert current_state(wi)["name"] != old and not list(wi.dir.glob(f"*{old}*"))
    assert reader.word_docs(["调解"], "AND") == set()
    assert reader.word_docs(["诉源"], "AND") == {1}


def _everything(ix) -> tuple:
    """Every posting (field, term, docnum, weight, positions), length and pid of an index."""
    with ix.reader() as r:
        return (list(r.iter_postings()), [r.doc_field_length(d, "words") for d in r.all_doc_ids()],
                list(r.column_reader("pid")) if r.has_column("pid") else None,
                r.field_length("words"), r.doc_count())


def test_fast_writer_writes_exactly_what_whoosh_writes(tmp_path):
    """FastWriter (term pool in memory, lengths remembered, words turned into postings in one
    loop) against Whoosh's own SegmentWriter, over three commits with a deletion and merges."""
    rows = word_rows(sample_rows())
    indexes = []
    for name, writer in (("whoosh", lambda ix: ix.writer()), ("fast", FastWriter)):
        storage = FileStorage(str(tmp_path / name))
        storage.create()
        ix = storage.create_index(wordindex_schema(), indexname="w")
        for k in range(3):
            w = writer(ix)
            for pid, rid, words in rows[k::3]:
                w.add_document(pid=pid, report_id=rid, words=words)
            if k == 1:
                w.delete_by_term("report_id", rows[0][1])
            w.commit()
        indexes.append(_everything(storage.open_index(indexname="w")))
    assert indexes[0] == indexes[1] and indexes[0][4] > 0


def test_a_rebuild_in_several_segments_gives_the_same_index(tmp_path, built, monkeypatch):
    monkeypatch.setattr("index.wordindex.SEGMENT_DOCS", 7)
    wi = WordIndex(tmp_path)
    wi.rebuild(word_rows(sample_rows()), (1, 0))
    assert len(wi.searcher().leaf_searchers()) > 2
    for words in (["法治"], ["普法", "宣传"]):
        assert wi.word_docs(words, "OR") == built.word_docs(words, "OR")
        assert wi.word_scores(words) == built.word_scores(words) != []
    assert wi.doc_frequencies(["法治", "调解"]) == built.doc_frequencies(["法治", "调解"])


def test_a_held_lock_makes_a_writer_give_up_with_index_busy(source_and_index):
    source, wi = source_and_index
    other = WordIndex(wi.dir.parent, lock_timeout=0.2)
    holder = FileStorage(str(wi.dir)).lock(f"{current_state(wi)['name']}_WRITELOCK")
    assert holder.acquire()
    try:
        source.put("测试镇-2022", ["诉源 治理"])
        with pytest.raises(IndexBusy) as caught:
            source.sync(other)
        assert "\n" not in str(caught.value)
    finally:
        holder.release()
    source.sync(other)
    assert other.word_docs(["诉源"], "AND") == source.docs("诉源")


def test_a_missing_or_damaged_state_asks_for_reindex(source_and_index):
    _, wi = source_and_index
    (wi.dir / "state.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(ArchiveError, match="archive reindex"):
        WordIndex(wi.dir.parent).word_docs(["法治"], "AND")


def test_a_built_index_is_invisible_until_published(source_and_index):
    source, wi = source_and_index
    before = wi.word_docs(["调解"], "AND")
    name = wi.build([(1, "测试镇-2022", "诉源 治理")])
    assert wi.word_docs(["调解"], "AND") == before and wi.state() == (1, 0)
    wi.publish(name, (2, 0))
    assert wi.word_docs(["调解"], "AND") == set() and wi.word_docs(["诉源"], "AND") == {1}
    assert wi.state() == (2, 0)


def test_each_thread_searches_with_its_own_searcher(built):
    found = {}

    def work(k):
        found[k] = (built.searcher(), built.word_docs(["法治"], "AND"))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    searchers = {id(s) for s, _ in found.values()}
    assert len(searchers) == 3 and len({frozenset(d) for _, d in found.values()}) == 1


def test_two_builders_never_write_the_same_index_at_once(source_and_index):
    _, wi = source_and_index
    other = WordIndex(wi.dir.parent, lock_timeout=0.2)
    spare = next(n for n in ("words-a", "words-b") if n != current_state(wi)["name"])
    held = FileStorage(str(wi.dir)).lock(f"{spare}_WRITELOCK")
    assert held.acquire()
    try:
        with pytest.raises(IndexBusy):
            other.build([(1, "测试镇-2022", "诉源 治理")])
    finally:
        held.release()
    assert other.build([(1, "测试镇-2022", "诉源 治理")]) == spare
