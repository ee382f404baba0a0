"""Problems and plans found where no heading names them (`refine`, run after `sections.build`).

Long reports (a State Council 政府工作报告, a province's) have no 存在问题 heading: their
difficulties are a paragraph inside the review (我们也清醒地看到，…还存在不少困难和问题。主要是：…),
and their plans are the sections of the coming year's tasks (二、2012年工作总体部署, 三、对今年政府
工作的建议). Town reports do the same in short form (工作中还存在一些不足；下一步，我镇将…).

- A body paragraph of intro or work whose opening states difficulties (PROBLEM_OPENINGS) is
  part problems; so are the enumerated paragraphs right after it (二是…, （二）…) when it ends
  announcing them (主要是：). The part's own sections (存在问题) are left as they are.
- A top-level heading naming the coming period's tasks (今年/明年/2012年 … 任务/部署/建议/要求,
  or, after a heading that reviews, any heading naming a year or 今后) makes its section plans;
  so does a body paragraph of work that opens with 下一步/今后/明年 and what will be done.
"""
from __future__ import annotations

import re
from dataclasses import replace

from archive.model import Paragraph

# the opening of a paragraph stating difficulties (its first ~60 characters)
PROBLEM_OPENINGS = re.compile(
    r"(?:清醒|也要|也应|还要|同时也)地?(?:看到|认识到)"
    r"|(?:还|仍|仍然|依然|也还|尚|但也|但)(?:存在|面临|有)着?(?:一些|不少|许多|诸多|一定的|以下)?[^。；]{0,24}?"
    r"(?:问题|不足|困难|差距|短板|矛盾|挑战|薄弱环节|弱项)"
    r"|^[^。；]{0,15}(?:存在的?(?:主要)?(?:问题|不足)|困难和问题|问题和不足|不足之处|主要问题)(?:是|有|主要|：|:)")
OPENING = 60
ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]{1,2}是|第[一二三四五六七八九十]{1,2}[，,、]|[（(][一二三四五六七八九十]{1,2}[）)])")
ANNOUNCES = re.compile(r"(?:主要是|主要表现在|表现在|具体是|一是)[^。]{0,4}[：:]?$|[：:]$")

_YEAR = r"\d(?:\s?\d){3}年"       # 2012年, １９９６年, 1 9 9 8年
_COMING = r"(?:今年|明年|新的一年|今后|下一步|未来|[“\"]?十[一二三四五六七八九十]?五[”\"]?时期|" + _YEAR + ")"
_TASKS = r"(?:任务|部署|建议|要求|安排|打算|思路|计划|要点|目标)"
PLAN_HEADING = re.compile(r"(?:今年|明年|新的一年|今后|下一步)[^。]{0,20}?(?:" + _TASKS[3:-1] + r"|工作)"
                          r"|(?:" + _COMING + r")[^。]{0,20}?" + _TASKS)
REVIEW_HEADING = re.compile(r"回顾|总结|成效|成绩|进展|完成|情况|取得|开展")
PLAN_OPENING = re.compile(r"^(?:下一步|今后|明年|新的一年里?|未来[一二三四五]?年)[，,]?[^。]{0,24}?(?:将|要|继续|进一步|重点)")


def refine(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """The paragraphs with the parts their words give (see the module docstring); ids, order
    and texts unchanged."""
    out = _plan_sections(paragraphs)
    return _problem_paragraphs(out)


def _plan_sections(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Top-level sections of the coming period's tasks → plans (headings and all below): one
    whose heading names them, one naming a year or 今后 after a review (三、2011年的工作), and
    every later one that is neither a review nor problems (the tasks go on: 三、继续保持…)."""
    top = min((p.level for p in paragraphs if p.kind == "heading"), default=None)
    out, planning, reviewed, planned = [], False, False, False
    for p in paragraphs:
        if p.kind == "heading" and p.level == top:
            reviewing = bool(REVIEW_HEADING.search(p.text))
            planning = p.part in ("work", "plans") and not reviewing and bool(
                PLAN_HEADING.search(p.text) or (reviewed and re.search(_COMING, p.text)) or planned)
            reviewed = reviewed or reviewing
            planned = planned or planning
        if planning and p.part == "work":
            p = replace(p, part="plans")
        elif p.kind == "text" and p.part == "work" and PLAN_OPENING.search(p.text):
            p = replace(p, part="plans")
        out.append(p)
    return out


def _problem_paragraphs(paragraphs: list[Paragraph]) -> list[Paragraph]:
    out: list[Paragraph] = []
    listing = False            # the paragraphs just before announced a list of problems
    for p in paragraphs:
        if p.kind != "text" or p.part not in ("intro", "work"):
            listing = False
        elif listing and ENUMERATED.search(p.text):
            p = replace(p, part="problems")
        elif PROBLEM_OPENINGS.search(p.text[:OPENING]):
            p = replace(p, part="problems")
            listing = bool(ANNOUNCES.search(p.text.strip()))
        else:
            listing = False
        out.append(p)
    return out
