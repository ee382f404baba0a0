"""The workflows: every write to the archive is followed by the index, by catalogue generation —
imports, corrections, hand edits and deletions, whoever made them."""
import pytest

import workflows
from archive import renames
from archive.store import Archive
from helpers import fake_file, fake_reader


@pytest.fixture
def pair(tmp_path):
    archive = Archive(tmp_path / "data", read_report=fake_reader)
    return archive, workflows.open_index(archive)


def found(index, phrase):
    return {h.report_id for h in index.search(f'"{phrase}"', per_page=0).hits}


def write_files(folder, **bodies):
    folder.mkdir(exist_ok=True)
    for name, (title, body) in bodies.items():
        (folder / f"{name}.json").write_bytes(fake_file(title=title, body=[body]))
    return folder


def test_imported_files_are_searchable_and_the_index_knows_its_generation(pair, tmp_path):
    archive, index = pair
    src = write_files(tmp_path / "src", a=("甲报告", "甲镇推行法律顾问制度"), b=("乙报告", "乙镇建立调解委员会"))
    (src / "bad.json").write_bytes(b"\xff")
    done = workflows.import_files(archive, index, [src])
    assert [r.status for r in done.results] == ["imported", "imported", "failed"]
    assert done.index.error is None and done.index.updated == ["赵集镇-2024", "赵集镇-2024-2"]
    assert found(index, "法律顾问") == {"赵集镇-2024"}
    assert index.archive_generation() == str(archive.generation())
    again = workflows.import_files(archive, index, [src])
    assert again.count("unchanged") == 2 and again.index.updated == []


def test_a_correction_is_searchable_by_its_new_town(pair):
    archive, index = pair
    workflows.import_upload(archive, index, fake_file(body=["法治宣传"]), "a.json")
    report, synced = workflows.set_fields(archive, index, "赵集镇-2024", {"town": "覃斗镇"})
    assert report.place.town == "覃斗镇" and report.id == "覃斗镇-2024"
    assert synced.updated == ["覃斗镇-2024"] and synced.removed == ["赵集镇-2024"]
    assert {(h.report_id, h.town) for h in index.search("法治宣传").hits} == {("覃斗镇-2024", "覃斗镇")}
    assert renames.resolve(archive, "赵集镇-2024") == "覃斗镇-2024"


def test_sync_follows_writes_by_others_hand_edits_and_deletions(pair):
    archive, index = pair
    workflows.import_upload(archive, index, fake_file(title="甲", body=["旧的说法"]), "a.json")
    other = Archive(archive.data_dir, read_report=fake_reader)  # another process, no index
    other.import_bytes(fake_file(title="乙", body=["别处导入"]), "b.json")
    path = archive.reports_dir / "赵集镇-2024.md"
    path.write_text(path.read_text(encoding="utf-8").replace("旧的说法", "新的说法"), encoding="utf-8")
    synced = workflows.sync_index(archive, index)
    assert synced.updated == ["赵集镇-2024", "赵集镇-2024-2"] and synced.removed == []
    assert found(index, "新的说法") == {"赵集镇-2024"} and found(index, "别处导入") == {"赵集镇-2024-2"}
    (archive.reports_dir / "赵集镇-2024-2.md").unlink()
    assert workflows.sync_index(archive, index).removed == ["赵集镇-2024-2"]
    assert index.report_ids() == ["赵集镇-2024"]
    assert workflows.sync_index(archive, index) == workflows.Synced([], [])


def test_a_rebuilt_catalogue_costs_the_index_only_the_real_differences(pair):
    archive, index = pair
    workflows.import_upload(archive, index, fake_file(title="甲", body=["一"]), "a.json")
    workflows.import_upload(archive, index, fake_file(title="乙", body=["二"]), "b.json")
    (archive.reports_dir / "赵集镇-2024-2.md").unlink()
    for f in archive.data_dir.glob("catalog.sqlite*"):
        f.unlink()
    fresh = Archive(archive.data_dir, read_report=fake_reader)
    synced = workflows.sync_index(fresh, index)  # versions are text digests: 甲 is still current
    assert synced.updated == [] and synced.removed == ["赵集镇-2024-2"]


def test_rebuild_records_the_generation_it_was_built_from(pair):
    archive, index = pair
    archive.import_bytes(fake_file(body=["未索引"]), "a.json")
    assert index.archive_generation() is None
    assert workflows.rebuild_index(archive, index) == (1, 2)
    assert index.archive_generation() == str(archive.generation())
    assert found(index, "未索引") == {"赵集镇-2024"}
    assert workflows.sync_index(archive, index).updated == []


def test_an_index_that_cannot_follow_says_so_in_one_line(tmp_path):
    archive = Archive(tmp_path / "data", read_report=fake_reader)
    archive.index_dir.mkdir(parents=True)
    (archive.index_dir / "index.sqlite").write_bytes(b"damaged" * 100)
    broken = workflows.open_index(archive)
    done = workflows.import_upload(archive, broken, fake_file(), "a.json")
    assert done.results[0].status == "imported"
    assert "archive reindex" in done.index.error and "\n" not in done.index.error


def test_bootstrap_imports_an_empty_archive_then_only_follows(tmp_path):
    src = write_files(tmp_path / "src", a=("甲报告", "一"))
    archive = Archive(tmp_path / "data", read_report=fake_reader)
    first = workflows.bootstrap(archive, src)
    assert first.imported.count("imported") == 1 and first.rebuilt == 2
    second = workflows.bootstrap(archive, src)
    assert second.imported is None and second.synced == workflows.Synced([], [])
