"""Files that are not a town's yearly rule-of-law report are imported, flagged genre_doubt with a
reason the reviewer reads; and the level, reasons and candidates survive the Markdown file."""
import pytest

from archive import integrity
from archive.errors import ArchiveError
from archive.mdfile import from_markdown, to_markdown
from archive.store import Archive
from importers import read_report
from importers.genre import genre_doubt

BODY = ("一、工作开展情况\n（一）加强组织领导\n成立了工作领导小组，全年召开专题会议4次。\n"
        "二、存在的问题\n一是干部法治意识有待提高。\n三、下一步工作打算\n一是加强学习。\n")


def report(text: str):
    return read_report(text.encode("utf-8"), "r.txt")


@pytest.mark.parametrize("title, start, level, reason", [
    ("覃斗镇2023年法治政府建设工作情况报告", "2023年，覃斗镇坚持依法行政。", "town", None),
    ("覃斗镇镇长2023年度述法报告", "本人坚持学法用法。", "town", "述法"),
    ("覃斗镇2023年政府工作报告", "各位代表：", "town", "政府工作报告"),
    ("", "——2023年1月5日在覃斗镇第五届人民代表大会第三次会议上", None, "政府工作报告"),
    ("覃斗镇2024年法治政府建设工作要点", "为深入推进法治政府建设，制定本要点。", "town", "工作要点或方案"),
    ("", "为深入推进法治政府建设，结合实际，制定本计划。", None, "工作要点或方案"),
    ("", "2024年，覃斗镇围绕年度法治政府建设工作要点，坚持依法行政。", "town", None),  # a report citing 要点
    ("", "区政府2023年法治政府建设情况\n2023年，区政府坚持依法行政。", "county", "县级"),
    ("覃斗镇2023年普法工作总结", "2023年，我镇深入开展普法宣传。", "town", "普法"),
    ("覃斗镇2023年工作总结", "2023年，我镇经济平稳发展。", "town", "一般工作总结"),
    ("", "本报讯（记者 张三）近日，覃斗镇开展法治宣传活动。", None, "新闻"),
    ("", "11月23日上午，县委副书记、县长组织召开法治政府建设推进会。", None, "新闻"),
    ("关于《清水县2023年度法治政府建设工作总结的报告》的政策解读", "为便于理解……", "county", "解读"),
    ("清水县2023年法治政府建设工作情况报告", "2023年，清水县坚持依法行政。", "county", "县级"),
])
def test_genre_doubt(title, start, level, reason):
    got = genre_doubt(title or None, not title, start, level)
    assert (got is None) if reason is None else (reason in got)


def test_doubtful_file_is_imported_with_flag_and_reason():
    r = report("覃斗镇镇长2023年度述法报告\n2023年，本人坚持学法用法，推进法治政府建设。\n" + BODY)
    assert r.paragraphs and "genre_doubt" in r.flags and "述法" in r.flag_notes["genre_doubt"]


def test_level_reasons_and_candidates_round_trip_through_markdown():
    r = report("2023年，三湖镇坚持依法行政。三湖镇党委高度重视。\n" + BODY)
    r.id = "三湖镇-2023"
    back = from_markdown(to_markdown(r))
    assert back.level == "town" and back.flag_notes == r.flag_notes
    assert back.place_candidates == r.place_candidates and len(back.place_candidates) == 2
    plain = report("2023年，圣灯山镇坚持依法行政。\n" + BODY)
    plain.id = "圣灯山镇-2023"
    text = to_markdown(plain)
    assert "flag_notes" not in text and "place_candidates" not in text   # written only when known
    with pytest.raises(ArchiveError, match="level"):
        from_markdown(text.replace("level: town", "level: village"))


def test_review_lists_ambiguous_places_and_doubtful_genres(tmp_path):
    arc = Archive(tmp_path / "data", read_report=read_report)
    arc.import_bytes(("2023年，三湖镇坚持依法行政。三湖镇党委高度重视。\n" + BODY).encode(), "a.txt")
    arc.import_bytes(("清水县人民政府关于2023年度法治政府建设情况的报告\n2023年，清水县坚持依法行政。\n"
                      + BODY).encode(), "b.txt")
    arc.import_bytes(("2023年，圣灯山镇坚持依法行政。\n" + BODY).encode(), "c.txt")
    found = {r.id: reasons for r, reasons in integrity.review(arc)}
    assert set(found) == {"三湖镇-2023", "清水县-2023"}     # a county's own report: <county>-<year>
    assert any("2 处同名" in x for x in found["三湖镇-2023"])
    assert found["清水县-2023"] == ["县级政府的报告，不是乡镇的报告"]  # no "缺少镇名": a county has none


def test_setting_the_county_settles_an_ambiguous_place(tmp_path):
    arc = Archive(tmp_path / "data", read_report=read_report)
    rid = arc.import_bytes(("2023年，三湖镇坚持依法行政。三湖镇党委高度重视。\n" + BODY).encode(), "a.txt").report_id
    arc.set_fields(rid, {"county": "衡阳县"})
    report = arc.get(rid)
    assert "place_ambiguous" not in report.flags and report.place.county == "衡阳县"
    assert rid not in {r.id for r, _ in integrity.review(arc)}
