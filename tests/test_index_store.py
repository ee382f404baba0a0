"""The SQLite store behind the index: a running searcher refreshes only what changed, a crash in
the middle of a write leaves the previous index whole and consistent, the report_id filter, and
the citation fields carried by hits."""
import multiprocessing
import os
import random
import sqlite3
from dataclasses import replace

import shutil

import pytest

from archive.errors import ArchiveError
from index import SearchIndex, exact
from index import searcher as searcher_module
from index import snapshot as snapshot_module
from archive.folding import fold
from index.store import Store
from index.wordindex import WordIndex
from helpers import brute_force, crafted_report, keys, sample_reports, stored_lines, with_text

PHRASES = ["法治", "普法", "调解", "谁执法谁普法", "法律明白人", "村"]


@pytest.fixture
def index(fresh_index):
    return fresh_index


def assert_agrees(index, reports):
    """Every phrase finds exactly the brute-force paragraphs of `reports`."""
    for phrase in PHRASES:
        assert keys(index.search(f'"{phrase}"', per_page=0)) == brute_force(reports, phrase), phrase
    assert sorted(index.report_ids()) == sorted(r.id for r in reports)
    assert index.paragraph_count() == sum(len(stored_lines(r)) for r in reports)


def test_a_running_searcher_refreshes_only_the_changed_reports(index, monkeypatch):
    server = SearchIndex(index.dir)
    server.search('"法治"')  # loaded once
    loaded = server.snapshot()

    def no_full_load(*args):
        raise AssertionError("the whole index was reloaded after a one-report commit")

    monkeypatch.setattr(snapshot_module.Snapshot, "load", classmethod(no_full_load))
    index.update(with_text(crafted_report(), "二.1", "新增诉源治理工作。"))
    assert keys(server.search('"诉源治理"', per_page=0)) == {("测试镇-2022", "二.1")}
    assert server.search('"人民调解工作仍有短板"').total_paragraphs == 0
    refreshed = server.snapshot()
    assert refreshed is not loaded and refreshed.base is loaded.base is not None
    assert refreshed.delta.text.docs is loaded.delta.text.docs  # the delta's arrays are shared, appended to
    # the old snapshot still answers as of its own generation
    assert len(loaded.phrase_docs("人民调解工作仍有短板")) and not len(loaded.phrase_docs("诉源治理"))


@pytest.mark.parametrize("merge", [False, True])
def test_many_updates_and_deletes_keep_a_running_searcher_exact(index, monkeypatch, merge):
    """Without merges the searcher refreshes in place (one load); with a merge after every
    write it reloads on each new exact base: exact either way."""
    if merge:
        monkeypatch.setattr(searcher_module, "MERGE_MIN", 0)
        monkeypatch.setattr(searcher_module, "MERGE_SHARE", 0)
    loads = []
    load = snapshot_module.Snapshot.load.__func__

    def counted(cls, *args):
        loads.append(args)
        return load(cls, *args)

    monkeypatch.setattr(snapshot_module.Snapshot, "load", classmethod(counted))
    server = SearchIndex(index.dir)
    server.search('"法治"')
    rng = random.Random(7)
    current = {r.id: r for r in sample_reports() + [crafted_report()]}
    texts = ["落实谁执法谁普法责任。", "开展人民调解。", "建设法治乡村。", "培养法律明白人。"]
    for n in range(30):
        town = rng.choice(["甲镇", "乙镇", "测试镇"])
        rid = f"{town}-{2020 + n % 3}"
        if rid in current and rng.random() < 0.3:
            index.delete(rid)
            del current[rid]
        else:
            report = with_text(crafted_report(rid, town, 2020 + n % 3), "二.1", rng.choice(texts))
            index.update(report)
            current[rid] = report
        if n % 5 == 4:
            assert_agrees(server, list(current.values()))
    assert_agrees(server, list(current.values()))
    assert len(loads) >= 5 if merge else len(loads) == 1  # it searched after every 5th write
    assert_agrees(SearchIndex(index.dir), list(current.values()))  # and from scratch


def without_exact_base(index_dir, monkeypatch):
    """The index as an older version left it (no suffix array): everything is delta."""
    monkeypatch.setattr(searcher_module, "MERGE_MIN", 10**12)  # and no background build
    shutil.rmtree(index_dir / exact.FOLDER)


@pytest.mark.parametrize("layer", ["base", "delta split", "delta find"])
def test_every_phrase_lookup_counts_every_occurrence(index, monkeypatch, layer):
    """Phrases are looked up in the suffix array (the base); in the delta, frequent ones are
    scanned by splitting the text, rare ones by finding: all exact."""
    if layer != "base":
        without_exact_base(index.dir, monkeypatch)
        monkeypatch.setattr(snapshot_module, "SPLIT_ABOVE", 0 if layer == "delta split" else 10**9)
    reports = sample_reports() + [crafted_report()]
    fresh = SearchIndex(index.dir)
    assert_agrees(fresh, reports)
    snap = fresh.snapshot()
    assert (snap.base is not None) == (layer == "base")
    texts = {(r.id, pid): fold(text) for r in reports for pid, text in stored_lines(r)}
    for phrase in PHRASES:  # none overlaps itself: occurrences = str.count
        docs, counts = snap.phrase_hits(phrase)
        found = {fresh.store.connection().execute(
            "SELECT report_id, paragraph_id FROM paragraphs WHERE id = ?", (int(d),)).fetchone(): int(n)
            for d, n in zip(docs, counts)}
        assert found == {k: t.count(phrase) for k, t in texts.items() if phrase in t}


def test_report_id_filter_keeps_one_report(index, tmp_path):
    reports = sample_reports() + [crafted_report()]
    rid = reports[0].id
    result = index.search('"法治"', report_id=rid, per_page=0)
    assert result.hits and keys(result) == {k for k in brute_force(reports, "法治") if k[0] == rid}
    everything = index.search("", report_id=rid, per_page=0)
    assert keys(everything) == {(rid, p.id) for p in reports[0].paragraphs}
    assert index.search('"法治"', report_id="不存在-2020", per_page=0).total_paragraphs == 0
    other_year = next(r.year for r in reports if r.year != reports[0].year)
    assert index.search('"法治"', report_id=rid, year=other_year, per_page=0).total_paragraphs == 0


def test_hits_carry_what_a_citation_needs(tmp_path):
    report = replace(crafted_report(), issuer="测试镇人民政府", issued="2023-03-01", title_derived=True)
    ix = SearchIndex(tmp_path)
    ix.rebuild([report, crafted_report("乙镇-2022", "乙镇", 2022)])
    hit = ix.search('"谁执法谁普法"').hits[0]
    assert (hit.issuer, hit.issued, hit.title_derived) == ("测试镇人民政府", "2023-03-01", True)
    d = hit.to_dict()
    assert (d["issuer"], d["issued"], d["title_derived"]) == ("测试镇人民政府", "2023-03-01", True)
    similar = ix.similar("乙镇-2022", "一.1", limit=1)[0]
    assert (similar.report_id, similar.issuer, similar.title_derived) == ("测试镇-2022", "测试镇人民政府", True)


def whoosh_pids(ix) -> set[int]:
    """The paragraph ids the Whoosh word index holds."""
    reader = ix.words.searcher().reader()
    pid = reader.column_reader("pid")  # docnum → pid (Whoosh's API)
    return {pid[d] for d in reader.all_doc_ids()}


def _crash_during(index_dir, what):
    """Start a write and kill the process in the middle of it (after rows were written)."""
    original = Store.add_report

    def add_then_die(con, report, analysed):
        original(con, report, analysed)
        os._exit(3)

    Store.add_report = staticmethod(add_then_die)
    ix = SearchIndex(index_dir)
    if what == "update":
        ix.update(with_text(crafted_report(), "二.1", "新增诉源治理工作。"))
    else:
        ix.rebuild([crafted_report("半截镇-2020", "半截镇", 2020)])


def _crash_after_the_sqlite_commit(index_dir):
    def die(*args):
        os._exit(3)

    WordIndex.catch_up = die
    SearchIndex(index_dir).update(with_text(crafted_report(), "二.1", "新增诉源治理工作。"))


def test_a_crash_before_the_whoosh_commit_heals_on_the_next_write(index):
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_crash_after_the_sqlite_commit, args=(index.dir,))
    proc.start()
    proc.join(120)
    assert proc.exitcode == 3
    reopened = SearchIndex(index.dir)
    assert reopened.search('"诉源治理"').total_paragraphs == 1  # SQLite has it
    snap = reopened.snapshot()
    target = snap.key("测试镇-2022", "二.1")
    # word doc sets come from SQLite's words too (the delta): found at once …
    assert snap.words_docs("诉源").tolist() == [target]
    assert target not in whoosh_pids(reopened)  # … while Whoosh (ranking) has not caught up
    reopened.delete("覃斗镇-2019")  # any write replays what the word index missed
    assert whoosh_pids(reopened) == set(reopened.snapshot().alive.tolist())
    assert [h.paragraph_id for h in reopened.search("诉源").hits] == ["二.1"]


@pytest.mark.parametrize("what", ["update", "rebuild"])
def test_a_crash_in_the_middle_of_a_write_leaves_the_previous_index(index, what):
    reports = sample_reports() + [crafted_report()]
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_crash_during, args=(index.dir, what))
    proc.start()
    proc.join(120)
    assert proc.exitcode == 3
    reopened = SearchIndex(index.dir)
    assert_agrees(reopened, reports)
    assert reopened.search('"诉源治理"').total_paragraphs == 0
    assert reopened.search("诉源").total_paragraphs == 0  # the word index agrees too
    con = sqlite3.connect(reopened.store.path)
    paragraph_ids = {i for (i,) in con.execute("SELECT id FROM paragraphs")}
    assert whoosh_pids(reopened) == paragraph_ids
    reopened.update(with_text(crafted_report(), "二.1", "新增诉源治理工作。"))  # writable again
    assert reopened.search('"诉源治理"').total_paragraphs == 1


def test_a_damaged_index_file_asks_for_reindex_and_rebuild_repairs_it(tmp_path):
    ix = SearchIndex(tmp_path)
    ix.rebuild([crafted_report()])
    ix.store.close()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"index.sqlite{suffix}").unlink(missing_ok=True)
    (tmp_path / "index.sqlite").write_bytes(b"not a database" * 100)
    damaged = SearchIndex(tmp_path)
    with pytest.raises(ArchiveError, match="reindex"):
        damaged.search("法治")
    damaged.rebuild([crafted_report()])
    assert damaged.search('"谁执法谁普法"').total_paragraphs == 3


def test_a_rebuild_in_worker_processes_stores_what_one_process_does(tmp_path):
    reports = sample_reports() + [crafted_report()]
    stored = []
    for procs in (1, 2):
        ix = SearchIndex(tmp_path / f"procs{procs}")
        assert ix.rebuild(reports, procs=procs) == sum(len(r.paragraphs) for r in reports)
        stored.append(ix.store.connection().execute(
            "SELECT report_id, paragraph_id, folded, heading_folded, tokens "
            "FROM paragraphs ORDER BY id").fetchall())
        assert whoosh_pids(ix) == set(range(1, len(stored[-1]) + 1))
    assert stored[0] == stored[1] and len(stored[0]) > 100


@pytest.mark.parametrize("layer", ["base", "delta"])
def test_filtered_phrases_are_exact_from_the_base_and_the_delta(index, monkeypatch, layer):
    if layer == "delta":
        without_exact_base(index.dir, monkeypatch)
    reports = sample_reports() + [crafted_report()]
    fresh = SearchIndex(index.dir)
    for report in reports:
        for phrase in PHRASES:
            expected = {k for k in brute_force(reports, phrase) if k[0] == report.id}
            assert keys(fresh.search(f'"{phrase}"', report_id=report.id, per_page=0)) == expected
            assert keys(fresh.search(f'"{phrase}" -"法治"', report_id=report.id, per_page=0)) == \
                expected - brute_force(reports, "法治")
            by_year = fresh.search(f'"{phrase}" OR "调解"', year=report.year, per_page=0)
            assert keys(by_year) == {k for k in brute_force(reports, phrase) | brute_force(reports, "调解")
                                     if any(r.id == k[0] and r.year == report.year for r in reports)}
            scores = [h.score for h in by_year.hits]
            assert scores == sorted(scores, reverse=True)
