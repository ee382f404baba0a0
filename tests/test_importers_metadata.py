"""Metadata on reports the importer has never seen: place only as stated, year covered, dates."""
import pytest

from importers import read_report
from importers.dates import parse_date
from importers.places import parse_chain

BODY = ("一、工作开展情况\n（一）加强组织领导\n镇党委政府高度重视法治建设，成立了工作领导小组，全年召开专题会议4次。\n"
        "二、存在的问题\n一是干部法治意识有待提高。\n三、下一步工作打算\n一是加强学习。\n")


def report(text: str):
    return read_report(text.encode("utf-8"), "r.txt")


def test_chain_in_signature_and_chinese_numeral_date():
    r = report("县政府办公室：\n2022年以来，我镇认真贯彻落实上级部署。\n" + BODY + "湖南省衡阳市衡阳县三湖镇人民政府\n二〇二三年一月十日\n")
    assert (r.place.province, r.place.city, r.place.county, r.place.town) == ("湖南省", "衡阳市", "衡阳县", "三湖镇")
    assert r.issued == "2023-01-10" and r.year == 2022
    assert r.provenance["town"].source == "signature" and r.provenance["issued"].source == "signature"
    assert r.addressee == "县政府办公室"


def test_nothing_guessed_when_text_is_silent():
    r = report("现将有关情况报告如下：\n" + BODY)
    assert r.place.town is None and r.place.county is None and r.year is None
    assert {"town_missing", "year_missing", "title_derived"} <= set(r.flags)
    assert r.title == "法治政府建设工作情况报告" and r.provenance["title"].confidence < 0.6


def test_street_office_and_doc_number():
    r = report("某某街道办事处2022年法治政府建设工作情况报告\n金府办〔2023〕3号\n区委、区政府：\n"
               "2022年，某某街道坚持依法行政。\n" + BODY)
    assert r.place.town == "某某街道" and r.doc_number == "金府办〔2023〕3号"
    assert r.addressee == "区委、区政府" and r.place.county is None
    assert not any("金府办" in p.text for p in r.paragraphs)


def test_year_from_body_when_signature_year_differs():
    r = report("2019年以来，在本镇党委的领导下，我镇坚持依法行政。\n" + BODY + "覃斗镇人民政府\n2020年4月13日\n")
    assert r.year == 2019 and r.issued == "2020-04-13" and r.title == "覃斗镇2019年法治政府建设工作情况报告"


def test_single_town_mention_is_not_enough():
    r = report("我镇自觉接受镇人大监督，坚持依法行政。2021年法治政府建设工作情况报告如下：\n" + BODY)
    assert r.place.town is None and "town_missing" in r.flags


def test_urban_rural_words_are_not_towns():
    """Law-like text says 城乡 / 城镇 / 乡镇 over and over; none of them is a town."""
    law_like = ("2021年，住房城乡建设部门负责城镇规划，缩小城乡差距，全国城乡居民参与。"
                "规划报乡、镇人民政府备案。在城镇设置网点，在城镇公开。应当向镇人民政府报告。\n")
    r = report(law_like * 3 + BODY)
    assert r.place.town is None and "town_missing" in r.flags
    r = report("2021年，古城镇坚持依法行政。古城镇党委高度重视。\n" + BODY)
    assert r.place.town == "古城镇"


def test_town_from_body_mentions():
    r = report("2021年，和平镇坚持依法行政。和平镇党委高度重视。\n" + BODY)
    assert r.place.town == "和平镇" and r.provenance["town"].source == "body"


@pytest.mark.parametrize("text, iso", [("2020年4月13日", "2020-04-13"), ("二〇二〇年四月十三日", "2020-04-13"),
                                       ("2021-03-02", "2021-03-02"), ("2020年4月", "2020-04"), ("2020年13月1日", None)])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_parse_chain_does_not_split_town_names():
    assert parse_chain("新市镇人民政府") == {"town": "新市镇"}
    assert parse_chain("关于2023年乡村振兴工作的报告") == {}
