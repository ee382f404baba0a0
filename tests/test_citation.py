"""Citations: GB/T 7714-2015 shape for an online report, honest fallbacks, locations built from
paragraph ids."""
import datetime as dt

import pytest

from archive.model import Paragraph, Place, Report
from webapp.citation import (
    DERIVED_TITLE_MARK, UNKNOWN_AUTHOR, UNKNOWN_YEAR, author, citation, citation_for_hit,
    location, permalink, quotation,
)


def make_report(**kw) -> Report:
    base = dict(id="赵集镇-2024", title="赵集镇2024年法治政府建设工作情况报告",
                place=Place(county="雷州市", town="赵集镇"), year=2024, issued="2025-01-10",
                issuer="赵集镇人民政府")
    base.update(kw)
    return Report(**base)


PARA = Paragraph(id="一.（六）.2", kind="text", level=0, part="work",
                 text="加强普法宣传。", text_original="加強普法宣傳。")


CITED = dt.date(2026, 3, 5)


def test_full_citation_shape():
    got = citation(make_report(), PARA, "http://intranet:5000/", CITED)
    assert got == ("赵集镇人民政府. 赵集镇2024年法治政府建设工作情况报告[R/OL]. 2025: 一、（六）第2段"
                   "(2025-01-10)[2026-03-05]. http://intranet:5000/report/赵集镇-2024#p-一.（六）.2")


def test_the_citing_date_is_today_in_beijing_by_default():
    from webapp.citation import today
    got = citation(make_report(), PARA)
    assert f"[{today().isoformat()}]. " in got or f"[{(today() - dt.timedelta(days=1)).isoformat()}]. " in got


@pytest.mark.parametrize("pid, kind, expected", [
    ("一.（六）.2", "text", "一、（六）第2段"),
    ("导语.1", "text", "导语第1段"),
    ("落款.2", "text", "落款第2段"),
    ("一.（六）", "heading", "一、（六）"),
    ("六.（二）.1、.1", "text", "六、（二）1、第1段"),
    ("第一部分.（1）.①.3", "text", "第一部分（1）①第3段"),
    ("十二", "heading", "十二、"),
])
def test_location_from_paragraph_id(pid, kind, expected):
    assert location(pid, kind) == expected


@pytest.mark.parametrize("issuer, town, expected", [
    ("覃斗镇人民政府", "覃斗镇", "覃斗镇人民政府"),
    (None, "赵集镇", "赵集镇人民政府"),
    (None, "城关街道", "城关街道办事处"),
    (None, "城关街道办事处", "城关街道办事处"),
    (None, None, UNKNOWN_AUTHOR),
])
def test_author_fallbacks(issuer, town, expected):
    assert author(issuer, town) == expected


def test_year_is_issue_year_then_covered_year_then_unknown():
    assert "[R/OL]. 2020: 一、（六）第2段(2020-04-13)[2026-03-05]." in citation(
        make_report(issued="2020-04-13", year=2019), PARA, cited=CITED)
    assert "[R/OL]. 2020: 一、（六）第2段[2026-03-05]." in citation(
        make_report(issued="2020", year=2019), PARA, cited=CITED)          # no date beyond the year
    assert "[R/OL]. 2019: 一" in citation(make_report(issued=None, year=2019), PARA)
    assert f"[R/OL]. {UNKNOWN_YEAR}: 一" in citation(make_report(issued=None, year=None), PARA)


def test_derived_title_is_marked_never_passed_off():
    got = citation(make_report(title="赵集镇2024年报告", title_derived=True), PARA)
    assert f"赵集镇2024年报告{DERIVED_TITLE_MARK}[R/OL]" in got
    assert DERIVED_TITLE_MARK not in citation(make_report(), PARA)


def test_missing_title_and_issuer_are_not_invented():
    got = citation(make_report(title=None, issuer=None, place=Place()), PARA)
    assert got.startswith(f"{UNKNOWN_AUTHOR}. [无标题][R/OL]. ")


def test_permalink_keeps_chinese_and_encodes_breaking_ascii():
    assert permalink("http://h/", "马喇镇-2023", "二.（一）.1") == "http://h/report/马喇镇-2023#p-二.（一）.1"
    assert permalink("", "a b#c") == "/report/a%20b%23c"


def test_whole_report_citation_has_no_location():
    got = citation(make_report(), None, "http://h", CITED)
    assert got.endswith("[R/OL]. 2025(2025-01-10)[2026-03-05]. http://h/report/赵集镇-2024")


def test_citation_for_hit_matches_report_citation():
    hit = {"report_id": "赵集镇-2024", "paragraph_id": "一.（六）.2", "kind": "text",
           "title": "赵集镇2024年法治政府建设工作情况报告", "title_derived": False,
           "town": "赵集镇", "issuer": "赵集镇人民政府", "issued": "2025-01-10", "year": 2024}
    assert citation_for_hit(hit, "http://h", CITED) == citation(make_report(), PARA, "http://h", CITED)


def test_quotation_uses_script_as_written_by_default():
    report = make_report()
    assert quotation(report, PARA).startswith("加強普法宣傳。\n——赵集镇人民政府. ")
    assert quotation(report, PARA, original_script=False).startswith("加强普法宣传。\n")


def test_a_reports_own_title_and_its_government_are_cited():
    """Issue 15: a work report keeps its own title (no [标题为系统生成]) and names its issuer;
    a county's, province's or the State Council's report stored without an issuer names its
    government; 佚名 only when nothing names one."""
    from archive.model import Place, Report
    from importers import read_report
    r = read_report("2026年重庆市政府工作报告\n——2026年1月25日在重庆市第六届人民代表大会第五次会议上\n各位代表：\n"
                    "现在，我代表市人民政府向大会报告工作。\n一、2025年工作回顾\n过去一年，全市经济稳定增长。\n".encode(), "a.txt")
    r.id = "重庆市-2026"
    assert citation(r, None).startswith("重庆市人民政府. 2026年重庆市政府工作报告[R/OL]. 2026")
    assert "标题为系统生成" not in citation(r, None)
    stored = Report(id="全国-2013", title="2013年政府工作报告", level="national", year=2013)
    assert citation(stored, None).startswith("国务院. 2013年政府工作报告[R/OL]. 2013")
    county = Report(id="静海区-2023", title="静海区2023年法治政府建设情况报告", level="county",
                    place=Place(county="静海区"), year=2023)
    assert citation(county, None).startswith("静海区人民政府. ")
    assert citation(Report(id="x", title="某报告", year=2023), None).startswith("佚名. ")
