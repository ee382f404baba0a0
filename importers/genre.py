"""Whether a file is what the archive is for: a town's yearly report on building rule-of-law
government. Other files filed in the same web channels are imported all the same, with a
one-line reason the reviewer reads (`genre_doubt`)."""
from __future__ import annotations

import re
from typing import Optional

_LEVEL_NAMES = {"county": "县级", "city": "市级", "province": "省级"}
# (pattern, also looked for at the start of the text?, reason)
_KINDS = (
    (re.compile(r"述法"), False, "个人述法报告，不是乡镇法治政府建设年度报告"),
    (re.compile(r"政府工作报告|在.{2,12}第.{1,3}届人民代表大会"), True, "政府工作报告，不是法治政府建设年度报告"),
    (re.compile(r"解读"), False, "对报告的解读，不是报告本身"),
    (re.compile(r"工作要点|实施方案|工作方案|计划$"), False, "工作要点或方案，不是年度报告"),
    (re.compile(r"制定本(?:计划|方案|要点)"), True, "工作要点或方案，不是年度报告"),
    (re.compile(r"记者|通讯员|近日[，,]|日前[，,]|^.{0,40}?\d{1,2}月\d{1,2}日(?:上午|下午|晚上?)"), True,
     "新闻报道，不是年度报告"),
)
_RULE_OF_LAW = re.compile(r"法治政府|依法行政|法治建设|法治.{0,6}建设|法治工作")
_PUFA = re.compile(r"普法|法治宣传")
_SUMMARY = re.compile(r"工作总结|工作报告|总结")


def genre_doubt(title: Optional[str], title_derived: bool, start: str,
                level: Optional[str]) -> Optional[str]:
    """Why this does not look like a town's rule-of-law report, or None when it does.
    `start` is the first few hundred characters of the text, paragraphs separated by line
    breaks (an untitled file's first line may be a heading the title finder did not take)."""
    first = start.split("\n", 1)[0]
    heading = first if len(first) <= 40 and not re.search("[，。；,;]", first) else ""
    named = heading if title_derived else (title or "")   # an untitled file's own heading line
    for pattern, in_start, reason in _KINDS:
        if pattern.search(named) or (in_start and pattern.search(start[:80])):
            return reason
    if named and not _RULE_OF_LAW.search(named):
        if _PUFA.search(named):
            return "普法工作总结，不是法治政府建设年度报告"
        if _SUMMARY.search(named):
            return "一般工作总结，不是法治政府建设年度报告"
    if not _RULE_OF_LAW.search(named + start):
        return "正文开头没有提到法治政府建设"
    if level in _LEVEL_NAMES:
        return f"{_LEVEL_NAMES[level]}政府的报告，不是乡镇的报告"
    return None
