"""Files that are not a town's yearly rule-of-law report are imported, flagged genre_doubt with a
reason the reviewer reads; and the level, reasons and candidates survive the Markdown file."""
import pytest

from archive import integrity
from archive.errors import ArchiveError
from archive.mdfile import from_markdown, to_markdown
from archive.store import Archive
from importers import read_report
from importers.genre import classify, doubt_note

BODY = ("一、工作开展情况\n（一）加强组织领导\n成立了工作领导小组，全年召开专题会议4次。\n"
        "二、存在的问题\n一是干部法治意识有待提高。\n三、下一步工作打算\n一是加强学习。\n")


def report(text: str):
    return read_report(text.encode("utf-8"), "r.txt")


@pytest.mark.parametrize("title, start, genre", [
    ("覃斗镇2023年法治政府建设工作情况报告", "2023年，覃斗镇坚持依法行政。", "rule_of_law"),
    ("清水县2023年法治政府建设工作情况报告", "2023年，清水县坚持依法行政。", "rule_of_law"),   # a county's
    ("", "2024年，覃斗镇围绕年度法治政府建设工作要点，坚持依法行政。", "rule_of_law"),  # cites a 要点
    ("覃斗镇镇长2023年度述法报告", "本人坚持学法用法。", "shufa"),
    ("覃斗镇2023年政府工作报告", "各位代表：", "work_report"),
    ("2026年重庆市政府工作报告", "各位代表：现在，我代表市人民政府向大会报告工作。", "work_report"),
    ("", "——2023年1月5日在覃斗镇第五届人民代表大会第三次会议上", "work_report"),
    ("覃斗镇2024年法治政府建设工作要点", "为深入推进法治政府建设，制定本要点。", "plan"),
    ("金昌市人民政府关于印发《金昌市创建全国法治政府建设示范市实施方案》的通知", "各县区人民政府：", "plan"),
    ("", "为深入推进法治政府建设，结合实际，制定本计划。", "plan"),
    ("覃斗镇2023年普法工作总结", "2023年，我镇深入开展普法宣传。", "other"),
    ("覃斗镇2023年工作总结", "2023年，我镇经济平稳发展。", "other"),
    ("2020年苍城镇上半年全面依法治镇工作总结", "上半年，我镇坚持依法行政。", "other"),
    ("湘潭县数据局关于2025年度法治政府建设工作的报告", "县委、县政府：", "other"),      # a department's
    ("某街道办事处2022年政府信息公开工作年度报告", "根据《中华人民共和国政府信息公开条例》", "other"),
    ("关于《清水县2023年度法治政府建设工作总结的报告》的政策解读", "为便于理解……", "other"),
    ("", "本报讯（记者 张三）近日，覃斗镇开展法治宣传活动。", "news"),
    ("", "11月23日上午，县委副书记、县长组织召开法治政府建设推进会。", "news"),
    ("夏邑县创建全省法治政府建设示范县加压推进会召开", "为进一步推进法治政府建设", "news"),
    ("", "覃斗镇第五届人民代表大会第三次会议听取并审议了镇人民政府镇长所作的政府工作报告。"
         "会议同意报告提出的目标任务。会议决定批准这个报告。", "other"),                 # a resolution
])
def test_genre_of_short_files(title, start, genre):
    assert classify(title or None, not title, start).code == genre


def test_only_a_doubtful_genre_asks_the_reviewer():
    assert doubt_note(classify("覃斗镇镇长2023年度述法报告", False, "")) is None
    note = doubt_note(classify("", True, "为进一步做好各项工作，现将有关事项说明如下。"))
    assert note and "其他" in note


def test_a_work_report_is_imported_with_its_genre_evidence_and_years():
    r = report("2026年重庆市政府工作报告\n——2026年1月25日在重庆市第六届人民代表大会第五次会议上\n"
               "各位代表：现在，我代表市人民政府向大会报告工作。\n一、2025年工作回顾\n过去一年，全市经济稳定增长。\n")
    assert (r.genre, r.level, r.year, r.years) == ("work_report", "province", 2026, {"covered": 2025, "issued": 2026})
    assert r.place.province == "重庆市" and r.place.county is None and "政府工作报告" in r.evidence["genre"]
    assert "标题年份" in r.evidence["year"] and "genre_doubt" not in r.flags


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
    assert set(found) == {"三湖镇-2023"}     # a county's own report is no doubt, and has no town
    assert any("2 处同名" in x for x in found["三湖镇-2023"])


def test_setting_the_county_settles_an_ambiguous_place(tmp_path):
    arc = Archive(tmp_path / "data", read_report=read_report)
    rid = arc.import_bytes(("2023年，三湖镇坚持依法行政。三湖镇党委高度重视。\n" + BODY).encode(), "a.txt").report_id
    arc.set_fields(rid, {"county": "衡阳县"})
    report = arc.get(rid)
    assert "place_ambiguous" not in report.flags and report.place.county == "衡阳县"
    assert rid not in {r.id for r, _ in integrity.review(arc)}


def test_a_page_that_starts_at_its_first_numbered_section_is_no_doubtful_genre():
    # the page lost its title: its first line is a section heading, not a title naming the kind
    r = report("一、2023年度法治政府建设的主要举措和成效\n（一）加强组织领导\n"
               "2023年，覃斗镇坚持依法行政，成立了法治政府建设领导小组。\n" + BODY)
    assert r.genre == "rule_of_law" and "genre_doubt" not in r.flags
