"""Incremental updates and concurrency: one report replaced at a time, commits visible to other
open indexes at once, readers unaffected by writers, a second writer waits or gets IndexBusy."""
import multiprocessing
import sqlite3
import threading
import time
from dataclasses import replace

import pytest
from whoosh import fields, index as windex

from archive.errors import ArchiveError, IndexBusy
from index import SearchIndex
from helpers import crafted_report, keys, sample_reports, stored_lines, with_text


@pytest.fixture
def index(fresh_index):
    return fresh_index


def test_update_replaces_only_that_report(index):
    before = index.search('"法治"', per_page=0)
    others = {k for k in keys(before) if k[0] != "测试镇-2022"}
    index.update(with_text(crafted_report(), "二.1", "新增诉源治理工作。"))
    assert keys(index.search('"诉源治理"', per_page=0)) == {("测试镇-2022", "二.1")}
    assert keys(index.search('"人民调解工作仍有短板"', per_page=0)) == set()
    assert {k for k in keys(index.search('"法治"', per_page=0)) if k[0] != "测试镇-2022"} == others
    assert index.paragraph_count() == sum(len(stored_lines(r)) for r in sample_reports() + [crafted_report()])


def test_update_adds_a_new_report_and_delete_removes_it(index):
    index.update(crafted_report("新镇-2025", "新镇", 2025))
    assert index.years()[2025] == 1
    assert "新镇-2025" in index.report_ids()
    index.delete("新镇-2025")
    assert 2025 not in index.years()
    assert index.search('"谁执法谁普法"', town="新镇", per_page=0).total_paragraphs == 0


def test_rebuild_replaces_everything(index):
    index.rebuild([crafted_report()])
    assert index.report_ids() == ["测试镇-2022"]


def test_another_open_index_sees_a_commit_within_two_seconds(index):
    other = SearchIndex(index.dir)
    assert other.search('"诉源治理"').total_paragraphs == 0
    index.update(with_text(crafted_report(), "二.1", "新增诉源治理工作。"))
    deadline = time.monotonic() + 2
    while other.search('"诉源治理"').total_paragraphs == 0:
        assert time.monotonic() < deadline, "commit not visible within 2 s"
        time.sleep(0.05)


def test_readers_keep_working_while_a_writer_commits(index):
    expected = index.search('"法律明白人"', per_page=0).total_paragraphs
    errors, counts, stop, reading = [], [], threading.Event(), threading.Event()

    def read():
        reader = SearchIndex(index.dir)
        while not stop.is_set():
            try:
                counts.append(reader.search('"法律明白人"', per_page=0).total_paragraphs)
            except Exception as exc:  # noqa: BLE001 — any failure is the finding
                errors.append(exc)
            reading.set()

    thread = threading.Thread(target=read)
    thread.start()
    assert reading.wait(30), "the reader never completed a search"  # writes start mid-reading
    for n in range(5):
        index.update(with_text(crafted_report(), "二.1", f"第{n}次修改。"))
    stop.set()
    thread.join()
    assert not errors
    assert counts and set(counts) == {expected}


def test_a_second_writer_gets_index_busy_when_the_lock_is_held(index):
    held = sqlite3.connect(index.store.path, isolation_level=None)
    held.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        impatient = SearchIndex(index.dir, lock_timeout=0.3)
        started = time.monotonic()
        with pytest.raises(IndexBusy):
            impatient.update(crafted_report())
        assert time.monotonic() - started < 3
        assert impatient.search('"法律明白人"').total_paragraphs > 0  # reading still works
    finally:
        held.execute("ROLLBACK")
        held.close()


def _write_reports(index_dir, town, count):
    ix = SearchIndex(index_dir, lock_timeout=30)
    for year in range(2000, 2000 + count):
        ix.update(crafted_report(f"{town}-{year}", town, year))


def test_two_processes_writing_at_once_both_land(tmp_path):
    index_dir = tmp_path / "index"
    SearchIndex(index_dir).rebuild([])
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_reports, args=(index_dir, town, 4))
             for town in ("甲镇", "乙镇")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    ix = SearchIndex(index_dir)
    assert len(ix.report_ids()) == 8
    assert ix.search('"谁执法谁普法"', per_page=0).total_paragraphs == 8 * 3


def test_an_index_of_an_older_schema_asks_for_reindex(tmp_path):
    windex.create_in(str(tmp_path), fields.Schema(body=fields.TEXT(stored=True)))
    old = SearchIndex(tmp_path)
    with pytest.raises(ArchiveError, match="reindex"):
        old.search("法治")
    with pytest.raises(ArchiveError, match="reindex"):
        old.update(crafted_report())
    old.rebuild([crafted_report()])
    assert old.search('"谁执法谁普法"').total_paragraphs == 3


def test_an_unstored_report_is_rejected(index):
    with pytest.raises(ValueError):
        index.update(replace(crafted_report(), id=""))


def test_headings_are_searchable_paragraphs(index):
    hits = index.search('"存在的问题"', town="测试镇", per_page=0).hits
    assert [(h.paragraph_id, h.kind) for h in hits] == [("二", "heading")]


def test_update_many_writes_a_batch_in_one_pass_like_a_rebuild(index, tmp_path, monkeypatch):
    """Batches (here of 2 reports), deletions and the archive generation in one call: the
    index then answers as one rebuilt from the same reports."""
    from index import searcher as searcher_module
    monkeypatch.setattr(searcher_module, "BATCH_REPORTS", 2)
    generations = []
    monkeypatch.setattr(index.store, "bump", lambda con, ids=(), new_epoch=False:
                        generations.append(list(ids)) or type(index.store).bump(con, ids, new_epoch))
    new = [crafted_report(f"新{n}镇-2024", f"新{n}镇", 2024) for n in range(5)]
    gone = sample_reports()[0].id
    written = index.update_many(iter(new), deleted=[gone, "不存在-2020"], archive_generation="7:42")
    assert written == sum(len(r.paragraphs) for r in new)
    assert len(generations) == 3 and gone in generations[-1]  # 3 batches, deletions in the last
    assert index.archive_generation() == "7:42"
    expected = [r for r in sample_reports() if r.id != gone] + [crafted_report()] + new
    fresh = SearchIndex(tmp_path / "fresh")
    fresh.rebuild(expected)
    for q in ('"谁执法谁普法"', "普法", '"法治"', "section:problems"):
        ours, theirs = index.search(q, per_page=0), fresh.search(q, per_page=0)
        assert keys(ours) == keys(theirs) and ours.facets == theirs.facets, q
    assert sorted(index.report_ids()) == sorted(r.id for r in expected)
