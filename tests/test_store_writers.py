"""Several writers on one data folder (here: several Archive objects, as in several processes)
see each other's reports through catalog.journal, without listing and stat'ing every report
file per import; anything else that changes the folder makes them rescan."""
import json

import pytest

import archive.store as store
from archive.store import Archive
from test_store_support import fake_file, fake_reader


@pytest.fixture
def pair(tmp_path):
    a, b = (Archive(tmp_path / "data", read_report=fake_reader) for _ in range(2))
    a.rescan_interval = b.rescan_interval = 3600  # no periodic rescans during the test
    return a, b


def forbid_rescans(monkeypatch):
    monkeypatch.setattr(store.os, "scandir", lambda *a: pytest.fail("listed every report file"))


def test_writers_see_each_others_reports_without_rescanning(pair, monkeypatch):
    a, b = pair
    assert a.import_bytes(fake_file(title="甲报告"), "1.txt").report_id == "赵集镇-2024"
    assert b.import_bytes(fake_file(title="乙报告"), "2.txt").report_id == "赵集镇-2024-2"
    assert a.import_bytes(fake_file(title="丙报告"), "3.txt").report_id == "赵集镇-2024-3"
    forbid_rescans(monkeypatch)
    assert b.import_bytes(fake_file(title="丙报告"), "again.txt").status == "unchanged"
    updated = b.import_bytes(fake_file(title="丙报告", body=["新"]), "3v2.txt")
    assert (updated.status, updated.report_id) == ("updated", "赵集镇-2024-3")
    assert a.import_bytes(fake_file(title="乙报告"), "2.txt").status == "unchanged"
    assert a.import_bytes(fake_file(title="丁报告"), "4.txt").report_id == "赵集镇-2024-4"
    assert a.get("赵集镇-2024-3").paragraphs[1].text == "新"


def test_a_corrected_report_written_elsewhere_still_matches_its_new_version(pair, monkeypatch):
    a, b = pair
    first = a.import_bytes(fake_file(town=None, body=["v1"]), "a.txt")
    b.import_bytes(fake_file(title="别的报告"), "other.txt")
    a.set_fields(first.report_id, {"town": "覃斗镇"})
    forbid_rescans(monkeypatch)
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


def test_a_journal_started_afresh_makes_the_others_rescan(pair, monkeypatch):
    a, b = pair
    monkeypatch.setattr(store, "_JOURNAL_MAX", 1)  # every write starts the journal afresh
    a.import_bytes(fake_file(title="甲报告"), "1.txt")
    b.import_bytes(fake_file(title="乙报告"), "2.txt")
    a.import_bytes(fake_file(title="丙报告"), "3.txt")
    assert (a.data_dir / "catalog.journal").stat().st_size == 0
    assert b.import_bytes(fake_file(title="丙报告"), "again.txt").status == "unchanged"
    assert b.import_bytes(fake_file(title="丁报告"), "4.txt").report_id == "赵集镇-2024-4"


def test_a_damaged_journal_line_makes_the_reader_rescan(pair):
    a, b = pair
    a.import_bytes(fake_file(title="甲报告"), "1.txt")
    b.import_bytes(fake_file(title="乙报告"), "2.txt")
    with open(a.data_dir / "catalog.journal", "ab") as fh:
        fh.write(b"{not json\n")
    a.import_bytes(fake_file(title="丙报告"), "3.txt")
    assert b.import_bytes(fake_file(title="丙报告"), "again.txt").status == "unchanged"


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


@pytest.mark.parametrize("other_title, status, rid", [
    ("赵集镇2024年法治政府建设工作情况报告", "updated", "赵集镇-2024"),   # same report: a new version
    ("另一份报告", "imported", "赵集镇-2024-2"),                      # its planned id is taken
], ids=["same-report", "id-taken"])
def test_a_write_planned_before_another_writers_import_is_planned_again(
        pair, monkeypatch, other_title, status, rid):
    """The file is built before the lock is taken; if another writer stored something it
    depends on meanwhile, it is built again under the lock."""
    a, b = pair
    real_stage = store._Plan.stage

    def stage_after_b_wrote(plan, archive):
        monkeypatch.setattr(store._Plan, "stage", real_stage)
        assert b.import_bytes(fake_file(title=other_title, body=["乙"]), "b.txt").status == "imported"
        real_stage(plan, archive)
    monkeypatch.setattr(store._Plan, "stage", stage_after_b_wrote)
    result = a.import_bytes(fake_file(body=["甲"]), "a.txt")
    assert (result.status, result.report_id) == (status, rid)
    assert a.get(rid).paragraphs[1].text == "甲"
    assert len(a.ids()) == (1 if status == "updated" else 2)
    assert a.check() == []


def test_a_new_reader_takes_what_the_journal_says_instead_of_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "_CATALOG_SAVE_INTERVAL", 3600)  # catalog.json saved once only
    arc = Archive(tmp_path, read_report=fake_reader)
    for title in ("甲报告", "乙报告", "丙报告"):
        arc.import_bytes(fake_file(title=title), f"{title}.txt")
    saved = json.loads((tmp_path / "catalog.json").read_text(encoding="utf-8"))["entries"]
    assert len(saved) == 1
    path = arc.reports_dir / "赵集镇-2024-3.md"  # a hand edit: the journal's entry is out of date
    path.write_text(path.read_text(encoding="utf-8").replace("title: 丙报告", "title: 丁报告"),
                    encoding="utf-8")
    parsed = []
    real = store.read_markdown
    monkeypatch.setattr(store, "read_markdown", lambda text: parsed.append(1) or real(text))
    titles = [s.title for s in Archive(tmp_path).summaries()]
    assert titles == ["甲报告", "乙报告", "丁报告"] and len(parsed) == 1
