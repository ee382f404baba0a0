"""Report ids name the place at the report's level (docs/ARCHITECTURE.md, Ids): a county's,
city's or province's own report is `<county>-<year>`…; a town's stays `<town>-<year>`; ids
given before levels were known keep fitting, so no edit renames them."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive import audit, renames
from archive.mdfile import to_markdown
from workflows import open_archive

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sorted((ROOT / "samples").iterdir())[0]          # 赵集镇 2024


def report_text(title: str, who: str, issuer: str, lead: str = "在市委、市政府的坚强领导下") -> str:
    return (f"{title}\n\n2023年，{lead}，{who}深入学习贯彻习近平法治思想，全面推进依法行政，"
            f"法治政府建设取得新成效。现将有关情况报告如下。\n\n一、主要举措和成效\n\n"
            f"（一）加强党对法治政府建设的领导。政府常务会议多次专题研究法治政府建设工作。\n\n"
            f"二、存在的不足\n\n行政执法规范化水平还需提高。\n\n三、下一步工作安排\n\n"
            f"2024年，{who}将继续推进法治政府建设。\n\n{issuer}\n2024年1月20日\n")


COUNTY = report_text("天津市静海区2023年法治政府建设年度报告", "静海区", "天津市静海区人民政府")
PROVINCE = report_text("湖北省2023年法治政府建设年度报告", "湖北省", "湖北省人民政府",
                       lead="在党中央、国务院的坚强领导下")


@pytest.fixture
def archive(tmp_path):
    return open_archive(tmp_path / "data")


def imported(archive, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = archive.import_file(path)
    assert result.status == "imported", result
    return result.report_id


def test_a_countys_and_a_provinces_own_reports_are_named_for_their_place(archive, tmp_path):
    county = imported(archive, tmp_path, "county.txt", COUNTY)
    province = imported(archive, tmp_path, "province.txt", PROVINCE)
    assert county == "静海区-2023" and archive.get(county).level == "county"
    assert province == "湖北省-2023" and archive.get(province).level == "province"
    # a town's report is named for its town, as before
    assert archive.import_file(SAMPLE).report_id == "赵集镇-2024"


def test_a_second_report_of_the_same_county_and_year_gets_a_number(archive, tmp_path):
    first = imported(archive, tmp_path, "a.txt", COUNTY)
    other_title = COUNTY.replace("2023年法治政府建设年度报告", "2023年度法治政府建设工作情况的报告")
    second = imported(archive, tmp_path, "b.txt", other_title)
    assert (first, second) == ("静海区-2023", "静海区-2023-2")
    # the same report again, changed: a new version under its id, not a third report
    path = tmp_path / "a.txt"
    path.write_text(COUNTY.replace("还需提高", "仍需提高"), encoding="utf-8")
    assert (archive.import_file(path).status, archive.ids()) == ("updated", [first, second])


def test_an_unknown_place_keeps_the_old_form(archive, tmp_path):
    text = report_text("2023年法治政府建设年度报告", "我们", "")
    rid = imported(archive, tmp_path, "anon.txt", text)
    report = archive.get(rid)
    assert not report.place.town
    assert rid.startswith("未知镇-2023-") and rid.endswith(report.source.sha256[:8])


def test_an_existing_county_report_keeps_its_old_id_through_edits(archive, tmp_path):
    """Stored before levels named ids: `未知镇-2023-<sha8>`. Dismissing its doubt (or any edit
    that leaves its place and year) must not rename it; correcting its year does."""
    rid = imported(archive, tmp_path, "county.txt", COUNTY)
    old = f"未知镇-2023-{archive.get(rid).source.sha256[:8]}"
    assert renames.rename(archive, rid, old) == old                      # as an older archive stored it
    assert renames.fitting_id(archive, old) is None
    done = audit.correct(archive, old, {"reviewed": "genre_doubt", "addressee": "市政府"}, "管理员", None)
    assert not done.renamed and archive.get(old).addressee == "市政府"
    moved = audit.correct(archive, old, {"year": 2022}, "管理员", None)
    assert moved.report.id == "静海区-2022"
    assert renames.resolve(archive, old) == "静海区-2022"


def test_correcting_a_countys_name_moves_its_report(archive, tmp_path):
    rid = imported(archive, tmp_path, "county.txt", COUNTY)
    done = audit.correct(archive, rid, {"county": "西青区"}, "管理员", None)
    assert (done.old_id, done.report.id) == ("静海区-2023", "西青区-2023")
    assert "西青区-2023.md" in {p.name for p in archive.reports_dir.iterdir()}
    assert renames.resolve(archive, "静海区-2023") == "西青区-2023"          # the old id redirects
    assert to_markdown(archive.get("西青区-2023")) == to_markdown(done.report)
