"""Archive-level renames (archive/renames.py: rename, move) and the audit trail
(archive/audit.py): files moved whole, redirects flattened, old ids reserved, and a rename
killed at any step (subprocess + SIGKILL) leaves the report readable with its corrections."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archive import audit, integrity, renames
from archive.errors import ArchiveError, ReportNotFound
from archive.store import Archive, id_base
from workflows import open_archive

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sorted((ROOT / "samples").iterdir())[0]          # 赵集镇 2024


@pytest.fixture
def archive(tmp_path):
    a = open_archive(tmp_path)
    assert a.import_file(SAMPLE).report_id == "赵集镇-2024"
    return a


def files(archive, rid):
    return sorted(p.name for p in archive.reports_dir.glob(f"{rid}.*"))


def test_rename_moves_every_file_and_keeps_the_report(archive):
    archive.set_fields("赵集镇-2024", {"town": "赵集街道"})
    audit.record(archive, "赵集镇-2024", "管理员", "10.0.0.1", changes={"town": ["赵集镇", "赵集街道"]})
    before = archive.get("赵集镇-2024")
    assert renames.fitting_id(archive, "赵集镇-2024") == "赵集街道-2024"
    assert renames.rename(archive, "赵集镇-2024") == "赵集街道-2024"
    assert files(archive, "赵集镇-2024") == []
    assert files(archive, "赵集街道-2024") == ["赵集街道-2024.audit.jsonl", "赵集街道-2024.log.json",
                                              "赵集街道-2024.md", "赵集街道-2024.override.yaml"]
    after = archive.get("赵集街道-2024")
    assert after.id == "赵集街道-2024" and after.paragraphs == before.paragraphs
    assert after.log == before.log and after.place.town == "赵集街道"
    assert [s.id for s in archive.summaries()] == ["赵集街道-2024"]
    assert Archive(archive.data_dir).ids() == ["赵集街道-2024"]        # another process agrees
    assert renames.resolve(archive, "赵集镇-2024") == "赵集街道-2024"
    assert audit.entries(archive, "赵集镇-2024")[0]["address"] == "10.0.0.1"  # through the old id
    assert integrity.check(archive) == []
    with pytest.raises(ReportNotFound):
        archive.get("赵集镇-2024")


def test_rename_is_a_no_op_when_the_id_fits(archive):
    assert renames.fitting_id(archive, "赵集镇-2024") is None
    assert renames.rename(archive, "赵集镇-2024") == "赵集镇-2024"
    assert not (archive.data_dir / "redirects.json").exists()


def test_an_id_of_the_same_town_and_year_with_a_number_still_fits(archive):
    report = archive.get("赵集镇-2024")
    assert id_base(report) == "赵集镇-2024"
    assert renames.rename(archive, "赵集镇-2024", "赵集镇-2024-3") == "赵集镇-2024-3"
    assert renames.fitting_id(archive, "赵集镇-2024-3") is None


def test_taken_ids_are_refused(archive, tmp_path):
    other = archive.import_file(sorted((ROOT / "samples").iterdir())[1])
    assert other.status == "imported"
    with pytest.raises(ArchiveError, match="已被占用"):
        renames.rename(archive, "赵集镇-2024", other.report_id)
    with pytest.raises(ArchiveError, match="不是有效的报告编号"):
        renames.rename(archive, "赵集镇-2024", "../x")
    assert archive.ids() == sorted(["赵集镇-2024", other.report_id])


def test_old_ids_stay_reserved_and_chains_are_flat(archive):
    renames.rename(archive, "赵集镇-2024", "甲-2024")
    renames.rename(archive, "甲-2024", "乙-2024")
    assert archive.redirects() == {"赵集镇-2024": "乙-2024", "甲-2024": "乙-2024"}
    assert frozenset(archive.redirects()) == {"赵集镇-2024", "甲-2024"}
    # a new report of 赵集镇 2024 (another title) does not take the old id
    text = "赵集镇2024年度依法治镇工作总结\n\n" + SAMPLE.read_text("utf-8")
    assert archive.import_bytes(text.encode("utf-8"), "c.txt").report_id == "赵集镇-2024-2"
    # the report may take one of its own old ids back
    renames.rename(archive, "乙-2024", "甲-2024")
    assert archive.redirects() == {"赵集镇-2024": "甲-2024", "乙-2024": "甲-2024"}


def test_correct_records_changes_and_renames(archive):
    done = audit.correct(archive, "赵集镇-2024", {"year": "2023", "issuer": "中共赵集镇委员会"},
                         "管理员 李四", "10.1.1.1")
    assert done.renamed and (done.old_id, done.report.id) == ("赵集镇-2024", "赵集镇-2023")
    trail = audit.entries(archive, "赵集镇-2023")
    assert trail[0]["changes"] == {"year": [2024, 2023], "issuer": ["赵集镇人民政府", "中共赵集镇委员会"]}
    assert trail[1]["renamed"] == ["赵集镇-2024", "赵集镇-2023"] and trail[1]["who"] == "管理员 李四"
    again = audit.correct(archive, "赵集镇-2024", {"year": 2023}, "管理员", None)  # old id, no change
    assert not again.changes and len(audit.entries(archive, "赵集镇-2023")) == 2


CRASH = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from archive import renames
    from archive.store import Archive
    step, calls = int(sys.argv[2]), [0]
    def killing(real):
        def call(*args, **kwargs):
            calls[0] += 1
            if calls[0] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return call
    os.replace = killing(os.replace)
    Path.unlink = killing(Path.unlink)
    print(renames.rename(Archive(sys.argv[1]), "赵集镇-2024"))
""")


def test_a_rename_killed_at_any_step_leaves_the_report_whole(tmp_path):
    """Kill the renaming process before each file operation in turn; the report must stay
    readable through its old id, keep its correction, and the next rename must finish or undo
    the interrupted one (one report file, redirects consistent)."""
    script = tmp_path / "crash.py"
    script.write_text(CRASH.format(root=str(ROOT)), "utf-8")
    killed_at = []
    for step in range(1, 20):
        data = tmp_path / f"data{step}"
        a = open_archive(data)
        a.import_file(SAMPLE)
        a.set_fields("赵集镇-2024", {"town": "赵集街道"})
        done = subprocess.run([sys.executable, str(script), str(data), str(step)],
                              capture_output=True, text=True, timeout=60)
        if done.returncode == 0:       # no step left to kill at: the rename ran to its end
            assert done.stdout.strip() == "赵集街道-2024"
            break
        assert done.returncode == -9, done.stderr
        killed_at.append(step)
        fresh = Archive(data)
        current = renames.resolve(fresh, "赵集镇-2024")
        assert fresh.get(current).place.town == "赵集街道", step
        assert renames.rename(fresh, current) == "赵集街道-2024", step       # repairs, then finishes
        assert fresh.ids() == ["赵集街道-2024"], step
        assert fresh.redirects() == {"赵集镇-2024": "赵集街道-2024"}, step
        assert fresh.get("赵集街道-2024").place.town == "赵集街道"
        assert sorted(p.name for p in fresh.reports_dir.iterdir() if not p.name.startswith(".")) == [
            "赵集街道-2024.log.json", "赵集街道-2024.md", "赵集街道-2024.override.yaml"], step
        assert integrity.check(fresh) == [], step
    assert len(killed_at) >= 6      # redirects, 2 side files, the report, the old files


def test_an_untitled_report_is_not_taken_for_a_corrected_one(tmp_path):
    """Two different town-less, untitled reports of one year: once staff give the first its
    town, the second must still be a report of its own, not a new version of the first."""
    a = open_archive(tmp_path)
    body = "2024年，我镇在县委、县政府的坚强领导下，深入推进法治政府建设。\n一、主要工作\n{}\n"
    first = a.import_bytes(body.format("开展普法宣传十二场。").encode(), "a.txt")
    audit.correct(a, first.report_id, {"town": "三湖镇"}, "管理员", None)
    second = a.import_bytes(body.format("调解矛盾纠纷四十六件。").encode(), "b.txt")
    assert second.status == "imported" and second.report_id.startswith("未知镇-2024-")
    assert len(a.ids()) == 2


def test_archive_set_on_the_command_line_is_audited_and_renames(tmp_path, capsys):
    import cli.main as cli
    data = tmp_path / "data"
    assert cli.main(["--data", str(data), "import", str(SAMPLE)]) == 0
    assert cli.main(["--data", str(data), "set", "赵集镇-2024", "year=2023"]) == 0
    out = capsys.readouterr().out
    assert "赵集镇-2023" in out and "旧编号 赵集镇-2024" in out
    a = Archive(data)
    assert a.ids() == ["赵集镇-2023"] and renames.resolve(a, "赵集镇-2024") == "赵集镇-2023"
    trail = audit.entries(a, "赵集镇-2023")
    assert trail[0]["who"] == "命令行" and trail[0]["changes"] == {"year": [2024, 2023]}
    assert cli.main(["--data", str(data), "search", "--json", "--year", "2023", "法治"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and {h["report_id"] for h in hits} == {"赵集镇-2023"}


def test_check_reports_broken_redirects_and_stray_audit_files(archive):
    renames.rename(archive, "赵集镇-2024", "甲-2024")
    assert integrity.check(archive) == []
    (archive.reports_dir / "甲-2024.md").rename(archive.reports_dir / "乙-2024.md")
    (archive.reports_dir / "丙-2024.audit.jsonl").write_text("{}\n", "utf-8")
    problems = integrity.check(archive)
    assert "旧编号 赵集镇-2024 跳转到的报告 甲-2024 不存在" in problems
    assert "丙-2024.audit.jsonl 没有对应的报告文件 丙-2024.md" in problems
