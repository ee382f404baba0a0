"""The year a report covers, against the traps real reports set (synthetic text)."""
import pytest

from importers import read_report
from importers.dates import arabic_years, covered_year, year_in

BODY = ("一、工作开展情况\n（一）加强组织领导\n成立了工作领导小组，全年召开专题会议4次。\n"
        "二、存在的问题\n一是干部法治意识有待提高。\n三、下一步工作打算\n一是加强学习。\n")


def report(text: str):
    return read_report(text.encode("utf-8"), "r.txt")


@pytest.mark.parametrize("title, year", [
    ("覃斗镇2024年度法治政府建设工作情况暨2025年工作思路", 2024),
    ("覃斗镇2021年度法治政府建设工作总结及2022年工作计划", 2021),
    ("覃斗镇二〇二〇年法治政府建设工作情况报告", 2020),
    ("关于落实《法治政府建设实施纲要（2021—2025年）》2023年度情况的报告", 2023),
    ("关于落实〔2019〕26号文件2022年法治政府建设情况的报告", 2022),
    ("关于《清水县2023年度法治政府建设工作总结的报告》的政策解读", 2023),
    ("覃斗镇法治政府建设情况报告", None),
])
def test_year_in_title(title, year):
    assert year_in(title) == year


def test_chinese_numeral_years():
    assert arabic_years("二〇二〇年，我镇") == "2020年，我镇"
    assert arabic_years("二○二三年度") == "2023年度"
    assert arabic_years("二十年来") == "二十年来"


@pytest.mark.parametrize("intro, issued, year", [
    (["二〇二〇年，我镇坚持依法行政。"], None, 2020),
    (["按照要求，现将上一年度法治政府建设情况报告如下。"], "2024-02-01", 2023),
    (["本年度，我镇坚持依法行政。"], "2023-12-20", 2023),
    (["2021年以来，我镇坚持依法行政。"], "2024-01-15", 2023),   # "since 2021" in a January 2024 report
    (["2023年以来，我镇坚持依法行政。"], "2024-01-15", 2023),
    (["我镇坚持依法行政。"], "2023-12-28", 2023),                 # a year-end report
    (["我镇坚持依法行政。"], "2024-03-10", 2023),                 # spring covers the year before
    (["根据《纲要（2021—2025年）》和〔2019〕26号文件，我镇坚持依法行政。"], None, None),
    (["我镇坚持依法行政。"], None, None),
])
def test_covered_year_from_intro_and_issue_date(intro, issued, year):
    found = covered_year(intro, [], issued)
    assert (found[0] if found else None) == year


def test_cited_years_never_decide():
    body = ["根据《法治政府建设实施纲要（2021—2025年）》，落实〔2019〕26号文件和“十四五”规划。"] * 3
    assert covered_year(["我镇坚持依法行政。"], body, "2023-08-01") is None


def test_heading_naming_the_previous_year_does_not_override_the_intro():
    r = report("2025年，覃斗镇坚持依法行政。\n一、2024年法治政府建设基本情况回顾\n"
               "2024年我镇完成了任务。2024年还开展了活动。2024年建立了制度。\n" + BODY)
    assert r.year == 2025


def test_title_beats_a_later_plan_year():
    r = report("覃斗镇2024年度法治政府建设工作情况暨2025年工作思路的报告\n"
               "现将2024年工作情况和2025年工作思路报告如下：\n" + BODY)
    assert r.year == 2024 and r.provenance["year"].source == "title"


def test_signature_date_in_december_decides_when_the_text_is_silent():
    r = report("我镇坚持依法行政，成效明显。\n" + BODY + "覃斗镇人民政府\n2023年12月20日\n")
    assert r.year == 2023 and r.issued == "2023-12-20"
    r = report("我镇坚持依法行政，成效明显。\n" + BODY + "覃斗镇人民政府\n2024年2月20日\n")
    assert r.year == 2023
