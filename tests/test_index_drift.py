"""The index never silently disagrees with the archive: `archive check` names every difference
with its fix, the next write heals what a crash or another process left, concurrent writers
never put back an older version, a busy index makes an import wait, and the server follows."""
from __future__ import annotations

import threading
import time

import pytest

import workflows
from archive.store import Archive
from cli.main import main as cli_main
from helpers import fake_file, fake_reader
from index import SearchIndex


@pytest.fixture
def pair(tmp_path):
    archive = Archive(tmp_path / "data", read_report=fake_reader)
    return archive, SearchIndex(archive.index_dir)


def found(index, phrase):
    return {h.report_id for h in index.search(f'"{phrase}"').hits}


def upload(archive, index, title, body):
    return workflows.import_upload(archive, index, fake_file(title=title, body=[body]), f"{title}.json")


def hand_edit(archive, rid, old, new):
    path = archive.reports_dir / f"{rid}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def drifted(tmp_path):
    """An archive whose index lacks one report, holds an old version of one and a deleted one."""
    archive = Archive(tmp_path / "data", read_report=fake_reader)
    index = SearchIndex(archive.index_dir)
    upload(archive, index, "甲", "甲的旧说法")
    upload(archive, index, "乙", "乙将被删除")
    archive.import_bytes(fake_file(title="丙", body=["丙未索引"]), "丙.json")  # a writer killed before its index update
    hand_edit(archive, "赵集镇-2024", "甲的旧说法", "甲的新说法")
    for path in archive.reports_dir.glob("赵集镇-2024-2.*"):  # removed by hand
        path.unlink()
    return archive, index


def test_check_names_each_difference_with_its_fix_and_the_next_write_heals_them(tmp_path, capsys):
    archive, index = drifted(tmp_path)
    drift = workflows.index_drift(archive, index)
    assert (drift.missing, drift.stale, drift.extra) == (["赵集镇-2024-3"], ["赵集镇-2024"], ["赵集镇-2024-2"])
    code = cli_main(["--data", str(archive.data_dir), "check"])
    out = capsys.readouterr().out
    assert code == 1
    lines = [line for line in out.splitlines() if "检索索引" in line]
    assert lines == ["赵集镇-2024-3: 检索索引中缺少这份报告, 运行 archive reindex --changed 修复",
                     "赵集镇-2024: 检索索引中是这份报告的旧版本, 运行 archive reindex --changed 修复",
                     "赵集镇-2024-2: 档案中已没有这份报告, 检索索引中却还有, 运行 archive reindex --changed 修复"]
    # the next write of anything (here a re-import that changes nothing) heals all three
    again = workflows.import_upload(archive, index, fake_file(title="丙", body=["丙未索引"]), "丙.json")
    assert again.results[0].status == "unchanged"
    assert again.index.updated == ["赵集镇-2024", "赵集镇-2024-3"] and again.index.removed == ["赵集镇-2024-2"]
    assert found(index, "甲的新说法") == {"赵集镇-2024"} and found(index, "甲的旧说法") == set()
    assert found(index, "丙未索引") == {"赵集镇-2024-3"} and found(index, "乙将被删除") == set()
    assert not workflows.index_drift(archive, index)
    assert cli_main(["--data", str(archive.data_dir), "check"]) == 0


def test_concurrent_syncs_never_put_back_an_older_version(pair):
    """Two followers race: the slower one read the report before it changed; its update, landing
    last, must not replace the newer version the faster one indexed."""
    archive, index = pair
    upload(archive, index, "甲", "旧版本内容")
    versions_then = archive.versions()
    read_then = archive.get("赵集镇-2024")
    upload(archive, index, "甲", "新版本内容")  # the faster follower indexes the new version
    index.update_many([read_then], versions={"赵集镇-2024": versions_then["赵集镇-2024"]},
                      archive_generation=str(archive.generation()),
                      verify=lambda ids: archive.versions(ids, scan=False))
    assert found(index, "新版本内容") == {"赵集镇-2024"} and found(index, "旧版本内容") == set()
    assert not workflows.index_drift(archive, index)


def test_an_import_waits_for_a_busy_index_then_follows(pair):
    archive, index = pair
    blocker = SearchIndex(archive.index_dir)
    busy = SearchIndex(archive.index_dir, lock_timeout=0.1)
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():  # as a full `archive reindex` does for minutes
        with blocker.store.writing():
            held.set()
            release.wait(30)
    thread = threading.Thread(target=hold_the_lock)
    thread.start()
    held.wait(10)
    waits = []

    def waiting(seconds):
        waits.append(seconds)
        if len(waits) == 2:
            release.set()
    done = workflows.import_files(archive, busy, [_file(archive, "甲", "等待后可检索")],
                                  patience=60, waiting=waiting)
    thread.join()
    assert len(waits) >= 2 and waits == sorted(waits)
    assert done.index.error is None and done.index.updated == ["赵集镇-2024"]
    assert found(index, "等待后可检索") == {"赵集镇-2024"}


def test_an_import_that_cannot_wait_longer_says_so(pair):
    archive, index = pair
    blocker = SearchIndex(archive.index_dir)
    busy = SearchIndex(archive.index_dir, lock_timeout=0.05)
    with blocker.store.writing():
        done = workflows.import_files(archive, busy, [_file(archive, "甲", "未能索引")], patience=0.3)
    assert done.results[0].status == "imported"
    assert done.index.busy and "索引正在被另一个程序更新" in done.index.error
    assert workflows.index_drift(archive, index).missing == ["赵集镇-2024"]


def test_the_server_follows_the_archive_on_its_own(tmp_path, monkeypatch):
    import webapp
    from webapp import create_app

    data = tmp_path / "data"
    archive = Archive(data, read_report=fake_reader)
    archive.import_bytes(fake_file(title="甲", body=["服务启动前写入"]), "a.json")  # never indexed
    monkeypatch.setattr(webapp, "FOLLOW_SECONDS", 0.05)
    app = create_app({"DATA_DIR": str(data), "TESTING": True, "SECRET_KEY": "x"})
    app.extensions["archive"] = archive
    stop = webapp.follow_archive(app)
    try:
        index = app.extensions["search_index"]
        assert _eventually(lambda: found(index, "服务启动前写入") == {"赵集镇-2024"})
        archive.import_bytes(fake_file(title="乙", body=["运行中另一程序写入"]), "b.json")
        assert _eventually(lambda: found(index, "运行中另一程序写入") == {"赵集镇-2024-2"})
    finally:
        stop.set()


def _eventually(condition, limit=20.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _file(archive, title, body):
    path = archive.data_dir.parent / f"{title}.json"
    path.write_bytes(fake_file(title=title, body=[body]))
    return path


def test_an_index_from_before_versions_is_compared_and_brought_in_line(pair):
    archive, index = pair
    upload(archive, index, "甲", "早先建的索引")
    upload(archive, index, "乙", "档案里已删")
    with index.store.writing() as con:  # as an index written by the previous version
        con.execute("DROP TABLE versions")
        con.execute("DELETE FROM meta WHERE key = 'archive_generation'")
    for path in archive.reports_dir.glob("赵集镇-2024-2.*"):
        path.unlink()
    assert workflows.index_drift(archive, index).stale == ["赵集镇-2024"]
    synced = workflows.sync_index(archive, index)
    assert synced.updated == ["赵集镇-2024"] and synced.removed == ["赵集镇-2024-2"]
    assert not workflows.index_drift(archive, index)
