"""The archive store: import statuses, ids, overrides, atomic and locked writes, caches, checks."""
import hashlib
import multiprocessing
import os
from pathlib import Path

import pytest

from archive import integrity
from archive.errors import ArchiveError, InvalidField, ReportNotFound
from archive.files import atomic_write
from archive.store import Archive, valid_id
from helpers import fake_file, fake_reader


@pytest.fixture
def arc(tmp_path):
    return Archive(tmp_path / "data", read_report=fake_reader)


def snapshot(root):
    """Every file under root with its content: to prove that nothing was written."""
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.name.startswith("catalog.sqlite")}


def test_first_import_stores_report_log_and_original(arc):
    data = fake_file()
    result = arc.import_bytes(data, "C:\\Users\\x\\赵集镇.txt")
    assert (result.status, result.report_id, result.error) == ("imported", "赵集镇-2024", None)
    report = arc.get("赵集镇-2024")
    assert report == result.report
    assert report.source.path == "赵集镇.txt"
    assert report.log[0].rule == "strip_junk"
    sha = hashlib.sha256(data).hexdigest()
    assert arc.original_path("赵集镇-2024") == arc.originals_dir / sha[:2] / f"{sha}.txt"
    assert arc.original_path("赵集镇-2024").read_bytes() == data
    assert arc.ids() == ["赵集镇-2024"]


def test_same_bytes_again_is_unchanged_and_writes_nothing(arc):
    arc.import_bytes(fake_file(), "a.txt")
    before = snapshot(arc.data_dir)
    result = arc.import_bytes(fake_file(), "renamed.txt")
    assert (result.status, result.report_id) == ("unchanged", "赵集镇-2024")
    assert snapshot(arc.data_dir) == before


def test_new_version_of_same_report_updates_in_place_and_keeps_old_original(arc):
    first = arc.import_bytes(fake_file(body=["旧文字"]), "v1.txt")
    old_sha = first.report.source.sha256
    second = arc.import_bytes(fake_file(title=" 赵集镇2024年法治政府建设工作情况报告。", body=["新文字"]),
                              "v2.txt")
    assert (second.status, second.report_id) == ("updated", "赵集镇-2024")
    report = arc.get("赵集镇-2024")
    assert report.paragraphs[1].text == "新文字"
    assert [h["sha256"] for h in report.history] == [old_sha]
    assert report.history[0]["path"] == "v1.txt" and report.history[0]["imported_at"]
    assert arc.original_path("赵集镇-2024", old_sha).exists()
    assert arc.ids() == ["赵集镇-2024"]


def test_different_title_same_town_and_year_is_a_new_report(arc):
    arc.import_bytes(fake_file(), "a.txt")
    second = arc.import_bytes(fake_file(title="赵集镇2024年上半年法治政府建设工作报告"), "b.txt")
    third = arc.import_bytes(fake_file(title="第三份"), "c.txt")
    assert (second.status, second.report_id, third.report_id) == (
        "imported", "赵集镇-2024-2", "赵集镇-2024-3")


def test_unknown_town_gets_placeholder_and_hash(arc):
    data = fake_file(town=None)
    result = arc.import_bytes(data, "a.txt")
    assert result.report_id == f"未知镇-2024-{hashlib.sha256(data).hexdigest()[:8]}"
    assert valid_id(result.report_id)


def test_failed_import_writes_nothing(arc):
    arc.import_bytes(fake_file(), "a.txt")
    before = snapshot(arc.data_dir)
    result = arc.import_bytes(b"\xff\xfe garbage", "bad.txt")
    assert (result.status, result.report_id) == ("failed", None)
    assert "不是报告文件" in result.error
    assert snapshot(arc.data_dir) == before


def test_importer_crash_is_a_failed_result_not_a_traceback(tmp_path):
    def broken(data, filename):
        raise RuntimeError("boom")
    result = Archive(tmp_path, read_report=broken).import_bytes(b"x", "a.txt")
    assert result.status == "failed" and "boom" in result.error


def test_import_file_reports_unreadable_paths(arc, tmp_path):
    result = arc.import_file(tmp_path / "missing.txt")
    assert result.status == "failed" and result.path.endswith("missing.txt")
    good = tmp_path / "ok.txt"
    good.write_bytes(fake_file())
    assert arc.import_file(good).path == str(good)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "..", "a/b", "a\\b", "", "x" * 81,
                                 "赵集镇-2024.md", None, "a b"])
def test_invalid_ids_are_not_found_without_touching_the_filesystem(arc, bad, monkeypatch):
    arc.import_bytes(fake_file(), "a.txt")
    monkeypatch.setattr(Path, "stat", lambda *a, **k: pytest.fail("stat called"))
    with pytest.raises(ReportNotFound):
        arc.get(bad)


def test_ids_escaping_the_folder_find_nothing(arc):
    arc.data_dir.mkdir(parents=True)
    (arc.data_dir / "secret.md").write_text("---\ntitle: 机密\n---\n", encoding="utf-8")
    with pytest.raises(ReportNotFound):
        arc.get("../secret")
    with pytest.raises(ReportNotFound):
        arc.get("不存在-2024")


def test_get_returns_copies_and_follows_hand_edits(arc):
    arc.import_bytes(fake_file(), "a.txt")
    fresh = Archive(arc.data_dir)
    first = fresh.get("赵集镇-2024")
    first.title = "被调用方改掉"
    assert fresh.get("赵集镇-2024").title != "被调用方改掉"
    path = fresh.reports_dir / "赵集镇-2024.md"
    path.write_text(path.read_text(encoding="utf-8").replace("加强组织领导", "手工修改"), "utf-8")
    assert fresh.get("赵集镇-2024").paragraphs[1].text == "手工修改。"


def test_set_fields_persists_and_survives_reimport(arc):
    arc.import_bytes(fake_file(body=["v1"]), "a.txt")
    report = arc.set_fields("赵集镇-2024", {"county": "遂溪县", "year": "2023", "issued": "2024年1月5日"})
    assert (report.place.county, report.year, report.issued) == ("遂溪县", 2023, "2024-01-05")
    assert report.provenance["county"].source == "override"
    assert report.provenance["county"].confidence == 1.0
    assert arc.get("赵集镇-2024").place.county == "遂溪县"
    # the importer still says 2024 and 雷州市: the correction wins, and the id stays
    result = arc.import_bytes(fake_file(body=["v2"]), "b.txt")
    assert (result.status, result.report_id) == ("updated", "赵集镇-2024")
    again = arc.get("赵集镇-2024")
    assert (again.place.county, again.year, again.paragraphs[1].text) == ("遂溪县", 2023, "v2")


def test_corrected_town_still_matches_new_version(arc):
    first = arc.import_bytes(fake_file(town=None, body=["v1"]), "a.txt")
    arc.set_fields(first.report_id, {"town": "赵集镇"})
    assert "town_missing" not in arc.get(first.report_id).flags
    second = arc.import_bytes(fake_file(town=None, body=["v2"]), "b.txt")
    assert (second.status, second.report_id) == ("updated", first.report_id)


def test_import_overrides_are_applied_and_kept(arc):
    result = arc.import_bytes(fake_file(town=None), "a.txt", overrides={"town": "覃斗镇"})
    assert (result.status, result.report_id) == ("imported", "覃斗镇-2024")
    assert arc.get("覃斗镇-2024").provenance["town"].source == "override"
    assert arc.import_bytes(fake_file(town=None), "a.txt", {"town": "覃斗镇"}).status == "unchanged"
    fixed = arc.import_bytes(fake_file(town=None), "a.txt", {"county": "雷州市辖区"})
    assert (fixed.status, fixed.report.place.county) == ("updated", "雷州市辖区")
    assert arc.import_bytes(fake_file(), "a.txt", {"year": "1800"}).status == "failed"


@pytest.mark.parametrize("fields, message", [
    ({"colour": "红"}, "未知字段"), ({"year": "1948"}, "1949"), ({"year": "明年"}, "year"),
    ({"issued": "2020-13-01"}, "issued"), ({"issued": "昨天"}, "issued"), ({"title": "长" * 201}, "太长"),
])
def test_set_fields_rejects_bad_values(arc, fields, message):
    arc.import_bytes(fake_file(), "a.txt")
    before = snapshot(arc.data_dir)
    with pytest.raises(InvalidField) as err:
        arc.set_fields("赵集镇-2024", fields)
    assert message in str(err.value)
    assert snapshot(arc.data_dir) == before


def test_set_fields_on_unknown_report(arc):
    with pytest.raises(ReportNotFound):
        arc.set_fields("没有-2024", {"town": "x"})


class Crash(BaseException):
    """A process dying half-way (not an ordinary error the store would handle)."""


def test_crash_before_report_file_is_written_leaves_archive_as_before(arc, monkeypatch):
    arc.import_bytes(fake_file(body=["旧"]), "a.txt")
    old = arc.get("赵集镇-2024")
    real = os.replace

    def crash_on_report(source, target):
        if str(target).endswith(".md"):
            raise Crash
        real(source, target)
    monkeypatch.setattr(os, "replace", crash_on_report)
    for data in (fake_file(body=["新"]), fake_file(title="另一份")):
        with pytest.raises(Crash):
            arc.import_bytes(data, "b.txt")
    monkeypatch.undo()
    reopened = Archive(arc.data_dir)
    assert reopened.ids() == ["赵集镇-2024"]
    assert reopened.get("赵集镇-2024") == old  # including the log of the old version
    assert [s.id for s in reopened.summaries()] == ["赵集镇-2024"]
    assert not [p for p in arc.data_dir.rglob(".*.tmp")]
    # the orphaned log of the never-written new report is reported, nothing else is wrong
    assert all("没有对应的报告文件" in p for p in integrity.check(reopened))


def test_crash_inside_a_file_write_leaves_no_partial_file(arc, monkeypatch):
    arc.import_bytes(fake_file(), "a.txt")
    path = arc.reports_dir / "赵集镇-2024.md"
    before = path.read_bytes()
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        atomic_write(path, b"half")
    assert path.read_bytes() == before
    assert [p.name for p in arc.reports_dir.iterdir() if p.name.startswith(".")] == []


def _import_many(data_dir, worker):
    arc = Archive(data_dir, read_report=fake_reader)
    for i in range(8):
        result = arc.import_bytes(fake_file(title=f"报告 {worker}-{i}"), f"{worker}-{i}.txt")
        assert result.status == "imported", result.error


def test_two_processes_importing_at_once_do_not_collide(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_import_many, args=(tmp_path, w)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    arc = Archive(tmp_path)
    assert len(arc.ids()) == 16
    assert sorted(r.title for r in arc.reports()) == sorted(
        f"报告 {w}-{i}" for w in range(2) for i in range(8))
    assert integrity.check(arc) == []


def test_summaries_follow_hand_edits_and_survive_restart(arc):
    arc.rescan_interval = 0  # see in-place edits at once
    arc.import_bytes(fake_file(), "a.txt")
    arc.import_bytes(fake_file(town="覃斗镇", year=2019, body=["一", "二", "三"]), "b.txt")
    summaries = arc.summaries()
    assert [(s.id, s.place.town, s.year, s.n_paragraphs) for s in summaries] == [
        ("覃斗镇-2019", "覃斗镇", 2019, 4), ("赵集镇-2024", "赵集镇", 2024, 2)]
    path = arc.reports_dir / "覃斗镇-2019.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: 赵集镇", "title: 覃斗镇"),
                    encoding="utf-8")
    assert arc.summaries()[0].title.startswith("覃斗镇")
    (arc.reports_dir / "赵集镇-2024.md").unlink()
    assert [s.id for s in arc.summaries()] == ["覃斗镇-2019"]
    # a new process takes the catalogue as it is: nothing to re-record, the same summaries
    restarted = Archive(arc.data_dir)
    assert restarted.summaries() == arc.summaries()
    assert restarted.generation() == arc.generation()


def test_unreadable_file_is_left_out_of_listings_and_reported_by_check(arc):
    arc.import_bytes(fake_file(), "a.txt")
    arc.reports_dir.joinpath("坏-2024.md").write_text("不是报告", encoding="utf-8")
    assert [s.id for s in arc.summaries()] == ["赵集镇-2024"]
    assert [r.id for r in arc.reports()] == ["赵集镇-2024"]
    with pytest.raises(ArchiveError, match="坏-2024.md 无法读取"):
        arc.get("坏-2024")
    assert any("坏-2024.md 无法读取" in p for p in integrity.check(arc))


def test_review_lists_missing_and_uncertain_town_or_year(arc):
    arc.import_bytes(fake_file(), "a.txt")
    arc.import_bytes(fake_file(town=None, title="x"), "b.txt")
    arc.import_bytes(fake_file(town="乌石镇", town_confidence=0.4), "c.txt")
    found = {r.id: reasons for r, reasons in integrity.review(arc)}
    assert set(found) == {"乌石镇-2024", next(i for i in arc.ids() if i.startswith("未知镇"))}
    assert found["乌石镇-2024"] == ["镇名「乌石镇」把握不大 (置信度 0.40)"]
    arc.set_fields("乌石镇-2024", {"town": "乌石镇"})
    assert "乌石镇-2024" not in {r.id for r, _ in integrity.review(arc)}


def test_check_finds_each_kind_of_problem(arc):
    arc.import_bytes(fake_file(), "a.txt")
    arc.import_bytes(fake_file(town="覃斗镇"), "b.txt")
    assert integrity.check(arc) == []
    arc.original_path("覃斗镇-2024").unlink()
    arc.original_path("赵集镇-2024").write_bytes(b"changed")
    (arc.reports_dir / "旧-2020.log.json").write_text("{}")
    (arc.reports_dir / "旧-2020.override.yaml").write_text("town: x")
    md = arc.reports_dir / "赵集镇-2024.md"
    md.write_text(md.read_text(encoding="utf-8") + "\n手工加的一段\n", encoding="utf-8")
    problems = integrity.check(arc)
    assert len(problems) == 5, problems
    for expected in ("原件缺失", "哈希值不符", "旧-2020.log.json", "旧-2020.override.yaml",
                     "没有编号注释"):
        assert any(expected in p for p in problems), expected


def test_original_path_refuses_unknown_hashes(arc):
    arc.import_bytes(fake_file(), "a.txt")
    with pytest.raises(ReportNotFound):
        arc.original_path("赵集镇-2024", "0" * 64)
    with pytest.raises(ReportNotFound):
        arc.original_path("赵集镇-2024", "../../etc/passwd")


def test_reading_an_empty_or_missing_data_folder(tmp_path):
    arc = Archive(tmp_path / "nothing")
    assert (arc.ids(), arc.summaries(), list(arc.reports()), integrity.review(arc), integrity.check(arc)) == (
        [], [], [], [], [])
    assert not (tmp_path / "nothing").exists()


def test_written_files_are_readable_by_humans(arc):
    arc.import_bytes(fake_file(), "a.txt")
    text = (arc.reports_dir / "赵集镇-2024.md").read_text(encoding="utf-8")
    assert "town: 赵集镇" in text and "<!-- 一.1 work -->\n加强组织领导。" in text
    assert os.stat(arc.reports_dir / "赵集镇-2024.md").st_size == len(text.encode())


def test_an_upgraded_data_folder_drops_the_old_catalogues_files(tmp_path):
    """catalog.json, catalog.journal and .lock came before catalog.sqlite: no code reads them, so
    the first write removes them."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("catalog.json", "catalog.journal", ".lock"):
        (data / name).write_text("{}", encoding="utf-8")
    arc = Archive(data)
    arc.ids()
    assert (data / "catalog.json").exists()  # reading leaves the folder as it is
    with arc.writing():
        pass
    assert not [n for n in ("catalog.json", "catalog.journal", ".lock") if (data / n).exists()]
