"""`archive backup` while another process imports, then `archive restore` into a fresh folder:
every report, correction, audit line, import log, redirect and original the backup holds is the
source's, byte for byte, and the restored archive checks clean and answers searches."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from archive import audit, backup, integrity
from archive.errors import ArchiveError
from archive.store import Archive
from cli.main import main
from helpers import fake_file, fake_reader

ROOT = Path(__file__).resolve().parents[1]

IMPORTER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from archive.store import Archive
    from tests.helpers import fake_file
    from tests.helpers import fake_reader
    archive, stop = Archive(sys.argv[1], read_report=fake_reader), Path(sys.argv[2])
    n = 0
    while not stop.exists():
        n += 1
        done = archive.import_bytes(fake_file(town=f"新{{n}}镇", year=2020, title=f"第{{n}}份",
                                              body=[f"并发导入的第{{n}}份报告"]), f"{{n}}.json")
        assert done.status == "imported", done
        print(n, flush=True)
""")


@pytest.fixture
def source(tmp_path):
    """A data folder with reports, a staff correction that renamed one (audit trail, redirect),
    an import log per report, a SQLite file of the data folder's own and auth.log."""
    data = tmp_path / "data"
    archive = Archive(data, read_report=fake_reader)
    for town, year in (("赵集镇", 2023), ("覃斗镇", 2024), ("未知镇", 2022)):
        archive.import_bytes(fake_file(town=town, year=year, title=f"{town}{year}年报告",
                                       body=[f"{town}的第一段", "加强组织领导。"]), f"{town}.json")
    audit.correct(archive, "未知镇-2022", {"town": "乌石镇"}, who="管理员 张三", address="10.0.0.7")
    audit.correct(archive, "赵集镇-2023", {"title": "赵集镇2023年度报告（核对）"}, who="管理员",
                  address="10.0.0.8")
    with sqlite3.connect(data / "logins.sqlite") as con:
        con.execute("CREATE TABLE admin_sessions (nonce TEXT PRIMARY KEY, opened REAL)")
        con.execute("INSERT INTO admin_sessions VALUES ('abc', 1.5)")
    (data / "auth.log").write_text("2026-01-01T00:00:00Z 10.0.0.7 登录成功\n", encoding="utf-8")
    return archive


def files(folder: Path) -> dict[str, bytes]:
    """Every non-hidden file of a data folder's reports/ and originals/, with redirects.json."""
    found = {p.relative_to(folder).as_posix(): p.read_bytes()
             for sub in ("reports", "originals") for p in (folder / sub).rglob("*")
             if p.is_file() and not p.name.startswith(".")}
    if (folder / "redirects.json").exists():
        found["redirects.json"] = (folder / "redirects.json").read_bytes()
    return found


def test_a_backup_taken_during_an_import_restores_whole(source, tmp_path):
    data, stop = source.data_dir, tmp_path / "stop"
    before = set(source.ids())
    importer = subprocess.Popen(
        [sys.executable, "-c", IMPORTER.format(root=str(ROOT)), str(data), str(stop)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert importer.stdout.readline().strip() == "1"  # the import is under way
        taken = backup.backup(source, tmp_path / "backup")
        assert importer.poll() is None  # …and still running when the backup is done
    finally:
        stop.touch()
        out, err = importer.communicate(timeout=120)
    assert importer.returncode == 0, err
    imported = int(out.split()[-1]) if out.split() else 1

    assert main(["restore", str(tmp_path / "backup"), "--data", str(tmp_path / "restored")]) == 0
    restored = Archive(tmp_path / "restored")
    got, now = files(tmp_path / "restored"), files(data)
    # Every file of the backup is the source's own, byte for byte (the import adds reports
    # and never changes one that was there), and nothing the backup started with is missing.
    assert got and {rel: now.get(rel) for rel in got} == got
    ids = set(restored.ids())
    assert before <= ids <= set(source.ids()) and len(ids) == taken.reports
    assert len(ids) - len(before) <= imported
    for rid in ids:  # each report with its import log and its original
        assert f"reports/{rid}.log.json" in got
        assert restored.original_path(rid).read_bytes() == source.original_path(rid).read_bytes()
    assert audit.entries(restored, "乌石镇-2022") == audit.entries(source, "乌石镇-2022")
    assert restored.redirects() == source.redirects() == {"未知镇-2022": "乌石镇-2022"}
    assert restored.get("赵集镇-2023").title == "赵集镇2023年度报告（核对）"
    with sqlite3.connect(tmp_path / "restored" / "logins.sqlite") as con:
        assert con.execute("SELECT * FROM admin_sessions").fetchall() == [("abc", 1.5)]
    assert (tmp_path / "restored" / "auth.log").read_bytes() == (data / "auth.log").read_bytes()
    assert integrity.check(restored) == []


def test_the_manifest_lists_every_file_with_its_hash(source, tmp_path):
    taken = backup.backup(source, tmp_path / "backup")
    listed = json.loads((tmp_path / "backup" / backup.MANIFEST).read_text(encoding="utf-8"))
    on_disk = {p.relative_to(taken.folder).as_posix() for p in taken.folder.rglob("*")
               if p.is_file() and p.name != backup.MANIFEST}
    assert set(listed["files"]) == on_disk
    assert {"reports/乌石镇-2022.audit.jsonl", "reports/乌石镇-2022.override.yaml",
            "redirects.json", "logins.sqlite", "auth.log"} <= on_disk
    assert not {rel for rel in on_disk if rel.startswith(("index/", "tmp/", "catalog.sqlite"))}
    assert listed["reports"] == 3 and listed["generation"] == str(source.generation())
    assert not list(source.tmp_dir.glob(".backup.*"))  # the snapshot is gone


def test_restore_refuses_a_damaged_or_incomplete_backup_and_writes_nothing(source, tmp_path, capsys):
    backup.backup(source, tmp_path / "backup")
    original = next((tmp_path / "backup" / "originals").glob("*/*"))
    original.write_bytes(original.read_bytes() + b"x")
    with pytest.raises(ArchiveError, match="备份已损坏"):
        backup.restore(tmp_path / "backup", tmp_path / "restored")
    assert not (tmp_path / "restored").exists()
    (tmp_path / "backup" / backup.MANIFEST).unlink()
    assert main(["--data", str(tmp_path / "restored"), "restore", str(tmp_path / "backup")]) == 1
    assert "缺少 MANIFEST.json" in capsys.readouterr().err


def test_backup_and_restore_never_write_into_a_folder_in_use(source, tmp_path, capsys):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    assert main(["--data", str(source.data_dir), "backup", str(tmp_path / "used")]) == 1
    assert "不是空目录" in capsys.readouterr().err
    backup.backup(source, tmp_path / "backup")
    assert main(["restore", str(tmp_path / "backup"), "--data", str(source.data_dir)]) == 1
    assert "不是空目录" in capsys.readouterr().err


def test_a_killed_backups_snapshot_is_swept_by_the_next_import(source, tmp_path):
    import workflows

    dead = source.tmp_dir / ".backup.999999999.1.tmp"
    (dead / "reports").mkdir(parents=True)
    (dead / "reports" / "x.md").write_text("x")
    assert any("残留的临时文件" in p for p in integrity.check(source))
    workflows.import_files(source, None, [])
    assert not dead.exists()


def test_backing_up_a_folder_without_an_archive_is_one_line(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "nothing"), "backup", str(tmp_path / "b")]) == 1
    assert "没有档案" in capsys.readouterr().err and not (tmp_path / "nothing").exists()
