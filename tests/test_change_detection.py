"""Change detection without stat scans on the hot path: a write (or any rename in the reports
folder) is seen from the folder's stamp alone; an edit made in place (the folder unchanged) by
the periodic scan, whose interval grows with what a scan costs, or at once by an explicit scan
(`archive check`, `archive reindex --changed`: `Archive.versions()`)."""
from __future__ import annotations

import pytest

import workflows
from archive import integrity
from archive import store
from archive.store import Archive
from tests.helpers import fake_file, fake_reader


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def arc(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(store.time, "monotonic", clock)
    archive = Archive(tmp_path, read_report=fake_reader)
    archive.import_bytes(fake_file(), "a.txt")
    archive.import_bytes(fake_file(town="覃斗镇", year=2019), "b.txt")
    scans = []
    real = archive.catalog.scan
    monkeypatch.setattr(archive.catalog, "scan", lambda *a: (scans.append(clock.now), real(*a)))
    archive.clock, archive.scans = clock, scans
    return archive


def edit_in_place(archive: Archive, rid: str, old: str, new: str) -> None:
    """What `echo >>` or an editor that writes through does: same file, the folder unchanged."""
    path = archive.reports_dir / f"{rid}.md"
    text = path.read_text(encoding="utf-8")
    with open(path, "r+", encoding="utf-8") as fh:
        fh.write(text.replace(old, new))


def test_reads_between_writes_stat_nothing(arc):
    arc.generation()  # the first read of a process scans once
    del arc.scans[:]
    for _ in range(50):
        arc.generation()
        arc.summaries()
        arc.latest(5)
    assert arc.scans == []


def test_a_file_added_or_removed_by_hand_is_seen_at_once_from_the_folder_stamp(arc):
    arc.generation()
    before = arc.generation()
    (arc.reports_dir / "覃斗镇-2019.md").unlink()
    assert arc.generation() != before
    assert [s.id for s in arc.summaries()] == ["赵集镇-2024"]


def test_an_edit_in_place_is_seen_by_the_periodic_scan_whose_interval_grows_with_its_cost(arc):
    arc.generation()
    arc._scan_seconds = 3.0  # a large archive: the scan took 3 s
    edit_in_place(arc, "覃斗镇-2019", "title: 赵集镇", "title: 覃斗镇")
    del arc.scans[:]
    arc.clock.now += 100  # 1 % of the time: the next scan is due after 300 s
    assert not arc.summaries()[0].title.startswith("覃斗镇") and arc.scans == []
    arc.clock.now += 201
    assert arc.summaries()[0].title.startswith("覃斗镇") and len(arc.scans) == 1


def test_an_edit_in_place_is_seen_at_once_by_reindex_changed_and_check(arc):
    index = workflows.open_index(arc)
    assert workflows.sync_index(arc, index).error is None
    arc.generation()
    arc._scan_seconds = 3.0
    edit_in_place(arc, "覃斗镇-2019", "title: 赵集镇", "title: 覃斗镇")
    assert not arc.summaries()[0].title.startswith("覃斗镇")  # not due yet
    assert workflows.sync_index(arc, index).updated == []  # the server's sync: not yet
    synced = workflows.sync_index(arc, index, scan=True)  # what `archive reindex --changed` runs
    assert synced.updated == ["覃斗镇-2019"]
    assert arc.summaries()[0].title.startswith("覃斗镇")
    assert integrity.check(arc) == []
