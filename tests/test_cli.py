"""The `archive` command on the bundled samples: every subcommand, exit codes, --json shapes."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cli.main as cli
from archive.store import Archive
from helpers import fake_file, fake_reader

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SAMPLE_IDS = ["三湖镇-2024", "圣灯山镇-2021", "覃斗镇-2019", "赵集镇-2024", "马喇镇-2023"]


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(sample_data_dir, tmp_path):
    """The session's imported and indexed samples; each test gets its own copy."""
    shutil.copytree(sample_data_dir, tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def fake_importer(monkeypatch):
    monkeypatch.setattr("workflows.read_report", fake_reader)


def test_import_json_schema_and_second_run_unchanged(tmp_path, capsys):
    code, out, _ = run(capsys, "--data", tmp_path, "import", "--json", SAMPLES)
    doc = json.loads(out)
    assert code == 0
    assert (doc["imported"], doc["updated"], doc["unchanged"], doc["failed"]) == (5, 0, 0, 0)
    assert all(set(r) == {"path", "status", "report_id", "error"} for r in doc["results"])
    assert sorted(r["report_id"] for r in doc["results"]) == SAMPLE_IDS
    code, out, _ = run(capsys, "--data", tmp_path, "import", "--json", SAMPLES)
    assert (code, json.loads(out)["unchanged"]) == (0, 5)


def test_imported_reports_are_searchable_at_once(data, capsys):
    code, out, _ = run(capsys, "--data", data, "search", "--json", '"法律明白人"')
    assert code == 0 and json.loads(out)["total_reports"] >= 1


def test_import_reports_each_failure_and_skips_hidden_files(tmp_path, capsys):
    folder = tmp_path / "in"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text("x")
    (folder / ".DS_Store").write_bytes(b"\0\0")
    (folder / "empty.txt").write_bytes(b"")
    shutil.copy(SAMPLES / "000_c5c95290205ada9f.txt", folder / "ok.txt")
    code, out, err = run(capsys, "--data", tmp_path / "data", "import", folder,
                         tmp_path / "missing.txt")
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith(str(folder / "empty.txt") + ": ") for line in lines)
    assert f"{tmp_path / 'missing.txt'}: 文件不存在" in lines
    assert "新增 1" in lines[-1] and "失败 2" in lines[-1]
    assert "Traceback" not in out + err


def test_list_table_and_json(data, capsys):
    code, out, _ = run(capsys, "--data", data, "list")
    assert code == 0
    assert out.splitlines()[0].split() == ["编号", "乡镇", "县区", "年份", "标题"]
    assert [line.split()[0] for line in out.splitlines()[1:6]] == SAMPLE_IDS
    code, out, _ = run(capsys, "--data", data, "list", "--json")
    doc = json.loads(out)
    assert doc["count"] == 5 and [r["id"] for r in doc["reports"]] == SAMPLE_IDS
    assert set(doc["reports"][0]) == {"id", "title", "title_derived", "place", "year", "issued",
                                      "script", "n_paragraphs", "flags", "genre", "level"}


def test_list_on_an_empty_archive_says_how_to_fill_it(tmp_path, capsys):
    code, out, err = run(capsys, "--data", tmp_path, "list")
    assert (code, out) == (0, "") and "archive import" in err


def test_show_outline_json_markdown_and_log(data, capsys):
    code, out, _ = run(capsys, "--data", data, "show", "赵集镇-2024")
    assert code == 0 and out.startswith("赵集镇-2024\n")
    assert "（一）加强组织领导，抓好制度建设  [一.（一）]" in out
    code, out, _ = run(capsys, "--data", data, "show", "赵集镇-2024", "--json")
    doc = json.loads(out)
    assert doc == Archive(data).get("赵集镇-2024").to_dict()
    code, out, _ = run(capsys, "--data", data, "show", "赵集镇-2024", "--md")
    assert out == (data / "reports" / "赵集镇-2024.md").read_text(encoding="utf-8")
    code, out, _ = run(capsys, "--data", data, "show", "赵集镇-2024", "--log")
    log = Archive(data).get("赵集镇-2024").log
    assert code == 0 and len(out.splitlines()) == len(log) > 0
    assert out.startswith(f"{log[0].rule}: ")


@pytest.mark.parametrize("bad", ["没有-2024", "../../etc/passwd", "a/b"])
def test_show_unknown_or_invalid_id_is_one_line_exit_1(data, capsys, bad):
    code, out, err = run(capsys, "--data", data, "show", bad)
    assert (code, out) == (1, "") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [["show"], ["show", "x", "--json", "--md"], ["frob"], [],
                                  ["set", "赵集镇-2024"], ["set", "赵集镇-2024", "town"],
                                  ["serve", "--port", "abc"]])
def test_usage_errors_exit_2(data, capsys, argv):
    code, _, err = run(capsys, "--data", data, *argv)
    assert code == 2 and "usage:" in err


def test_set_corrects_fields_and_keeps_them(data, capsys):
    code, out, _ = run(capsys, "--data", data, "set", "赵集镇-2024", "county=颍上县", "issued=2025-01-03")
    assert code == 0 and "county = 颍上县" in out
    report = Archive(data).get("赵集镇-2024")
    assert (report.place.county, report.issued) == ("颍上县", "2025-01-03")
    assert "county: 颍上县" in (data / "reports" / "赵集镇-2024.override.yaml").read_text("utf-8")
    code, out, _ = run(capsys, "--data", data, "search", "--json", "--county", "颍上县", "法治")
    assert json.loads(out)["total_reports"] == 1  # the index was updated too


@pytest.mark.parametrize("assignment, message", [("colour=红", "未知字段"), ("year=3000", "1949")])
def test_set_invalid_field_is_one_line_exit_1(data, capsys, assignment, message):
    code, _, err = run(capsys, "--data", data, "set", "赵集镇-2024", assignment)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_review_lists_reports_to_check(tmp_path, capsys, fake_importer):
    (tmp_path / "a.txt").write_bytes(fake_file(town=None))
    (tmp_path / "b.txt").write_bytes(fake_file())
    run(capsys, "--data", tmp_path / "data", "import", tmp_path / "a.txt", tmp_path / "b.txt")
    code, out, _ = run(capsys, "--data", tmp_path / "data", "review")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("未知镇-2024-") and "缺少镇名" in lines[0]
    assert lines[1].startswith("1 份报告需要核对")


def test_check_healthy_then_broken(data, capsys):
    code, out, _ = run(capsys, "--data", data, "check")
    assert (code, out.strip()) == (0, "档案完好: 5 份报告")
    Archive(data).original_path("马喇镇-2023").unlink()
    code, out, _ = run(capsys, "--data", data, "check")
    assert code == 1 and "马喇镇-2023: 原件缺失" in out and out.strip().endswith("发现 1 个问题")


def test_bootstrap_imports_once_and_keeps_index_current(tmp_path, capsys):
    data = tmp_path / "data"
    code, out, _ = run(capsys, "--data", data, "bootstrap", SAMPLES)
    assert code == 0 and "5 份报告 (本次新增 5, 失败 0)" in out
    code, out, _ = run(capsys, "--data", data, "bootstrap", SAMPLES)
    assert code == 0 and "本次新增 0" in out and "索引已是最新" in out
    shutil.rmtree(data / "index")
    code, out, _ = run(capsys, "--data", data, "bootstrap", SAMPLES)
    assert "索引已重建" in out
    code, out, _ = run(capsys, "--data", data, "search", "--json", '"法律明白人"')
    assert json.loads(out)["total_reports"] >= 1


def _hand_edit(data: Path, old: str, new: str) -> None:
    """Edit a stored report as staff would (after the index was last written)."""
    md = data / "reports" / "赵集镇-2024.md"
    md.write_text(md.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert md.stat().st_mtime_ns > max(p.stat().st_mtime_ns for p in (data / "index").rglob("*"))


def search_ids(capsys, data, query):
    code, out, _ = run(capsys, "--data", data, "search", "--json", "--limit", "0", query)
    return {h["report_id"] for h in json.loads(out)["hits"]}


def test_bootstrap_reindexes_only_a_hand_edited_report(data, capsys):
    _hand_edit(data, "都推选了数名法律明白人", "都推选了数名乡村调解骨干")
    code, out, _ = run(capsys, "--data", data, "bootstrap", SAMPLES)
    assert code == 0 and "索引已更新 1 份、移除 0 份" in out
    assert search_ids(capsys, data, '"乡村调解骨干"') == {"赵集镇-2024"}
    assert "赵集镇-2024" not in search_ids(capsys, data, '"法律明白人"')


def test_reindex_changed_updates_edited_and_drops_deleted_reports(data, capsys):
    _hand_edit(data, "都推选了数名法律明白人", "都推选了数名乡村调解骨干")
    (data / "reports" / "圣灯山镇-2021.md").unlink()
    code, out, _ = run(capsys, "--data", data, "reindex", "--changed")
    assert code == 0 and "1 份报告重新索引，1 份移除（赵集镇-2024）" in out
    assert search_ids(capsys, data, '"乡村调解骨干"') == {"赵集镇-2024"}
    assert "圣灯山镇-2021" not in search_ids(capsys, data, '"依法行政"')
    code, out, _ = run(capsys, "--data", data, "reindex", "--changed")
    assert "0 份报告重新索引，0 份移除" in out


def test_bootstrap_missing_folder_on_empty_archive(tmp_path, capsys):
    code, _, err = run(capsys, "--data", tmp_path, "bootstrap", tmp_path / "nope")
    assert code == 1 and "找不到文件夹" in err


def test_serve_hands_over_to_the_web_app(data, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr("webapp.serve", lambda *a: calls.append(a))
    assert run(capsys, "--data", data, "serve", "--port", "8081")[0] == 0
    assert calls == [(data, "127.0.0.1", 8081)]


def test_unexpected_error_is_one_line_and_logged(data, capsys, monkeypatch):
    def boom(self):
        raise RuntimeError("disk on fire\nsecond line")
    monkeypatch.setattr(Archive, "summaries", boom)
    code, out, err = run(capsys, "--data", data, "list")
    assert code == 1 and err.strip().splitlines() == [
        f"内部错误: RuntimeError: disk on fire (详情见日志 {data / 'errors.log'})"]
    assert "Traceback" in (data / "errors.log").read_text(encoding="utf-8")
    code, out, err = run(capsys, "--data", data, "--debug", "list")
    assert "Traceback" in err


def test_data_folder_from_environment(data, capsys, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATA", str(data))
    code, out, _ = run(capsys, "list", "--json")
    assert json.loads(out)["count"] == 5


def test_python_dash_m_entry_point(data):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ok = subprocess.run([sys.executable, "-m", "archive", "--data", str(data), "list"],
                        capture_output=True, text=True, env=env, cwd=ROOT)
    assert ok.returncode == 0 and "赵集镇-2024" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "archive", "--data", str(data), "show", "无"],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
