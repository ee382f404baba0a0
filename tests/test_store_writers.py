"""Several writers on one data folder (several Archive objects, threads and processes) see each
other's reports through the catalogue (data/catalog.sqlite); the catalogue is derived from the
Markdown files: rebuilt when lost or damaged, and a process killed at any moment leaves the
archive consistent. Everything through the public API."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archive import integrity
from archive.store import Archive
from helpers import fake_file, fake_reader

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pair(tmp_path):
    return tuple(Archive(tmp_path / "data", read_report=fake_reader) for _ in range(2))


def test_writers_see_each_others_reports(pair):
    a, b = pair
    assert a.import_bytes(fake_file(title="甲报告"), "1.txt").report_id == "赵集镇-2024"
    assert b.import_bytes(fake_file(title="乙报告"), "2.txt").report_id == "赵集镇-2024-2"
    assert a.import_bytes(fake_file(title="丙报告"), "3.txt").report_id == "赵集镇-2024-3"
    assert b.import_bytes(fake_file(title="丙报告"), "again.txt").status == "unchanged"
    updated = b.import_bytes(fake_file(title="丙报告", body=["新"]), "3v2.txt")
    assert (updated.status, updated.report_id) == ("updated", "赵集镇-2024-3")
    assert a.import_bytes(fake_file(title="乙报告"), "2.txt").status == "unchanged"
    assert a.import_bytes(fake_file(title="丁报告"), "4.txt").report_id == "赵集镇-2024-4"
    assert a.get("赵集镇-2024-3").paragraphs[1].text == "新"
    assert [s.title for s in b.summaries()] == ["甲报告", "乙报告", "丙报告", "丁报告"]


def test_a_corrected_report_written_elsewhere_still_matches_its_new_version(pair):
    a, b = pair
    first = a.import_bytes(fake_file(town=None, body=["v1"]), "a.txt")
    b.import_bytes(fake_file(title="别的报告"), "other.txt")
    a.set_fields(first.report_id, {"town": "覃斗镇"})
    second = b.import_bytes(fake_file(town=None, body=["v2"]), "b.txt")
    assert (second.status, second.report_id) == ("updated", first.report_id)
    assert b.get(first.report_id).place.town == "覃斗镇"


def test_a_report_deleted_by_hand_is_noticed_by_the_next_import(pair):
    a, b = pair
    a.import_bytes(fake_file(), "a.txt")
    b.import_bytes(fake_file(title="乙报告"), "b.txt")
    (a.reports_dir / "赵集镇-2024.md").unlink()
    again = b.import_bytes(fake_file(), "a.txt")
    assert (again.status, again.report_id) == ("imported", "赵集镇-2024")


def test_threads_importing_into_one_archive_get_distinct_ids(pair):
    a, b = pair
    errors = []

    def work(arc, worker):
        for i in range(5):
            r = arc.import_bytes(fake_file(title=f"报告{worker}-{i}"), f"{worker}-{i}.txt")
            if r.status != "imported":
                errors.append(r.error)
    threads = [threading.Thread(target=work, args=(arc, w)) for w, arc in enumerate((a, b, a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(a.ids()) == 20 and [s.id for s in b.summaries()] == a.ids()
    assert integrity.check(a) == []


@pytest.mark.parametrize("damage", ["missing", "garbage", "truncated"])
def test_a_lost_or_damaged_catalogue_is_rebuilt_from_the_files(tmp_path, damage):
    arc = Archive(tmp_path, read_report=fake_reader)
    for title in ("甲报告", "乙报告"):
        arc.import_bytes(fake_file(title=title), f"{title}.txt")
    before = arc.summaries()
    old = arc.generation()
    for f in tmp_path.glob("catalog.sqlite*"):
        f.unlink()
    if damage == "garbage":
        (tmp_path / "catalog.sqlite").write_bytes(b"not a database" * 100)
    elif damage == "truncated":
        (tmp_path / "catalog.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    fresh = Archive(tmp_path, read_report=fake_reader)
    assert fresh.summaries() == before
    assert fresh.generation().epoch != old.epoch  # followers learn they must compare everything
    assert fresh.changes_since(old).complete is False
    again = fresh.import_bytes(fake_file(title="甲报告"), "甲报告.txt")
    assert (again.status, again.report_id) == ("unchanged", "赵集镇-2024")
    assert fresh.import_bytes(fake_file(title="丙报告"), "c.txt").report_id == "赵集镇-2024-3"


def test_a_new_process_takes_the_catalogue_instead_of_parsing(tmp_path):
    arc = Archive(tmp_path, read_report=fake_reader)
    for title in ("甲报告", "乙报告", "丙报告"):
        arc.import_bytes(fake_file(title=title), f"{title}.txt")
    generation = arc.generation()
    other = Archive(tmp_path)
    assert other.generation() == generation  # nothing re-recorded: the rows matched the files
    path = arc.reports_dir / "赵集镇-2024-3.md"  # a hand edit in place
    path.write_text(path.read_text(encoding="utf-8").replace("title: 丙报告", "title: 丁报告"),
                    encoding="utf-8")
    changes = Archive(tmp_path).changes_since(generation)
    assert (list(changes.changed), changes.deleted) == (["赵集镇-2024-3"], [])
    assert [s.title for s in other.summaries()][-1] in ("丙报告", "丁报告")  # until its next scan
    assert [s.title for s in Archive(tmp_path).summaries()] == ["甲报告", "乙报告", "丁报告"]


def test_changes_since_a_generation(pair):
    a, b = pair
    start = a.generation()
    a.import_bytes(fake_file(title="甲报告"), "1.txt")
    middle = b.generation()
    b.import_bytes(fake_file(title="乙报告"), "2.txt")
    b.set_fields("赵集镇-2024", {"county": "遂溪县"})
    (a.reports_dir / "赵集镇-2024-2.md").unlink()
    changes = a.changes_since(middle)
    assert list(changes.changed) == ["赵集镇-2024"] and changes.deleted == ["赵集镇-2024-2"]
    assert changes.complete and changes.generation == a.generation() == b.generation()
    assert list(a.changes_since(start).changed) == ["赵集镇-2024"]
    assert list(a.changes_since(None).changed) == ["赵集镇-2024"]
    assert a.changes_since(changes.generation).changed == {}


def test_import_log_file_is_json_with_one_entry_a_line(tmp_path):
    arc = Archive(tmp_path, read_report=fake_reader)
    arc.import_bytes(fake_file(body=["一", "二"]), "a.txt")
    text = (arc.reports_dir / "赵集镇-2024.log.json").read_text(encoding="utf-8")
    logs = json.loads(text)
    (version,) = logs.values()
    assert version["imported_at"] and version["log"]
    entry_lines = [ln for ln in text.splitlines() if ln.startswith('{"rule"')]
    assert len(entry_lines) == len(version["log"])
    assert arc.get("赵集镇-2024").log[0].rule == version["log"][0]["rule"]


KILLED_WRITER = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
from archive.store import Archive
from helpers import fake_file, fake_reader
arc = Archive({data!r}, read_report=fake_reader)
i = 0
while True:
    arc.import_bytes(fake_file(title=f"报告{{i % 7}}", body=[f"第{{i}}版"]), f"{{i}}.txt")
    i += 1
    print(i, flush=True)
"""


def test_a_writer_killed_at_any_moment_leaves_the_archive_consistent(tmp_path):
    """SIGKILL a process importing (new reports and new versions) at several moments; after each,
    every listed report reads, the catalogue matches the files and imports go on."""
    data = tmp_path / "data"
    script = KILLED_WRITER.format(root=str(ROOT), tests=str(ROOT / "tests"), data=str(data))
    for round_ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(3 + round_ * 5):  # let it write a few reports, then kill it mid-way
            if not proc.stdout.readline():
                break
        time.sleep(0.01 * round_)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        arc = Archive(data, read_report=fake_reader)
        ids = arc.ids()
        assert ids and [s.id for s in arc.summaries()] == ids
        assert all(arc.get(rid).id == rid for rid in ids)
        assert list(arc.changes_since(None).changed) == ids
        assert all("没有对应的报告文件" in p or "残留的临时文件" in p for p in integrity.check(arc))
        result = arc.import_bytes(fake_file(title=f"检查{round_}"), f"check{round_}.txt")
        assert result.status == "imported", result.error


def test_a_catalogue_that_cannot_be_written_is_kept_in_memory(tmp_path):
    """A data folder copied read-only (here: the catalogue's path is taken by a folder, which
    root cannot write through either): listings and imports still work from the files."""
    arc = Archive(tmp_path, read_report=fake_reader)
    arc.import_bytes(fake_file(title="甲报告"), "a.txt")
    for f in tmp_path.glob("catalog.sqlite*"):
        f.unlink()
    (tmp_path / "catalog.sqlite").mkdir()
    other = Archive(tmp_path, read_report=fake_reader)
    assert [s.title for s in other.summaries()] == ["甲报告"]
    assert other.import_bytes(fake_file(title="甲报告"), "a.txt").status == "unchanged"
    assert other.import_bytes(fake_file(title="乙报告"), "b.txt").report_id == "赵集镇-2024-2"
    assert [s.id for s in other.summaries()] == other.ids()
