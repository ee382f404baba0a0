"""Problems and plans where no heading names them (`importers.parts`, run by `sections.build`):
short inputs written for each pattern of the State Council reports and of town reports."""
import pytest

from importers.document import Line
from importers.sections import build

INTRO = "2023年，某某镇坚持依法行政，现将有关情况报告如下："


def parts(texts):
    lines = [Line(t, simple=t) for t in texts]
    return [(p.text[:8], p.part) for p in build(lines, len(lines))]


@pytest.mark.parametrize("opening", [
    "我们也清醒地看到，经济社会发展中还存在不少困难和问题。",
    "在肯定成绩的同时，也要清醒地看到，前进中还有不少困难和问题。",
    "我们清醒地认识到，发展中不平衡的问题依然突出。",
    "但是，经济社会发展中仍然存在一些突出矛盾和问题。",
    "工作中还存在一些不足，主要是执法不够规范。",
    "存在的主要问题是：执法人员不足。",
])
def test_a_paragraph_stating_difficulties_inside_a_review_is_problems(opening):
    got = parts([INTRO, "一、过去一年工作回顾", "全年组织培训十次。", opening, "全年化解纠纷百件。"])
    assert [p for _, p in got] == ["intro", "work", "work", "problems", "work"]


@pytest.mark.parametrize("text", [
    "针对检查中发现存在的问题，我镇及时整改到位。",
    "现在通货膨胀的压力仍然存在，控制物价涨幅的工作绝不能放松。",
    "我们要保持清醒头脑，增强忧患意识。",
    "解决前进道路上的困难和问题，仍然要靠发展。",
])
def test_work_that_only_names_problems_stays_work(text):
    assert parts([INTRO, "一、工作情况", text])[-1][1] == "work"


def test_an_announced_list_of_problems_follows_its_opening():
    got = parts([INTRO, "一、工作回顾", "我们也清醒地看到，还存在一些问题。主要是：",
                 "一是执法不规范。", "二是学法不够。", "全年完成培训五次。"])
    assert [p for _, p in got][2:] == ["problems", "problems", "problems", "work"]


def test_the_coming_years_sections_are_plans():
    got = parts([INTRO, "一、2011年工作回顾", "全年增长百分之九。", "二、2012年工作总体部署",
                 "今年要稳中求进。", "三、继续扩大内需", "（一）稳定投资", "保持投资合理增长。"])
    assert [p for _, p in got] == ["intro", "work", "work", "plans", "plans", "plans", "plans", "plans"]


@pytest.mark.parametrize("heading", ["二、对今年政府工作的建议", "二、“十二五”时期的主要目标和任务",
                                     "二、关于1 9 9 8年政府工作的建议", "二、今年主要任务"])
def test_plan_headings_of_long_reports(heading):
    assert parts([INTRO, "一、过去五年工作回顾", "成绩显著。", heading, "要加快发展。"])[-1][1] == "plans"


def test_a_year_after_a_review_is_the_coming_years_work():
    got = parts([INTRO, "一、“十一五”时期的回顾", "成绩显著。", "二、2011年的工作", "要加快发展。"])
    assert got[-1][1] == "plans"


@pytest.mark.parametrize("heading", ["一、2020年主要工作", "一、2023年工作开展情况", "一、主要做法"])
def test_a_review_of_the_year_stays_work(heading):
    assert parts([INTRO, heading, "全年培训十次。", "二、加强执法监督", "开展执法检查。"])[-1][1] == "work"


def test_a_paragraph_opening_with_next_steps_is_plans():
    got = parts([INTRO, "一、工作情况", "全年培训十次。", "下一步，我镇将进一步加强执法队伍建设。"])
    assert got[-1][1] == "plans"


def test_a_town_reports_own_problems_and_plans_sections_are_unchanged():
    got = parts([INTRO, "一、工作情况", "全年培训十次。", "二、存在的问题", "我们也清醒地看到人员不足。",
                 "三、下一步工作计划", "一是加强培训。"])
    assert [p for _, p in got] == ["intro", "work", "work", "problems", "problems", "plans", "plans"]
