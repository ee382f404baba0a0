"""What kind of document a file is (`archive.rules.GENRES`): a 法治政府建设 report (what the
archive is for), a 政府工作报告, a 述法 report, a work plan, a news item, or something else (a
解读, an information-disclosure report, a department's report, a general summary). Every file is
imported all the same; the genre is stored with its evidence and confidence, and a doubtful
decision asks the reviewer (`genre_doubt`).

The title decides when it names the kind; else the first lines (各位代表, 制定本方案, 记者…).
"""
from __future__ import annotations

import re
from typing import NamedTuple, Optional

from archive.rules import GENRE_LABELS
from importers.markers import match_marker

# Below this confidence the reviewer is asked (flag genre_doubt).
DOUBT_BELOW = 0.75


class Genre(NamedTuple):
    code: str          # one of archive.rules.GENRES
    confidence: float
    evidence: str      # one line for the reviewer and the report page


_DEPARTMENT = re.compile(r"(?<!人民政府)(?<!政府)(?<!办事处)(?:局|厅|委员会|办公室|中心|法院|检察院|司法所)"
                         r"(?:关于|(?:19|20)\d\d年)")
# (pattern on the title, genre, what it shows); first match wins, so narrower kinds come first.
_TITLE_KINDS = (
    (re.compile(r"解读"), "other", "标题是对文件的解读"),
    (re.compile(r"信息公开(?:工作)?年度报告|政府信息公开"), "other", "标题是政府信息公开年度报告"),
    (re.compile(r"述法"), "shufa", "标题含“述法”"),
    (re.compile(r"政府工作报告"), "work_report", "标题含“政府工作报告”"),
    (re.compile(r"工作要点|实施方案|工作方案|行动方案|工作计划|计划$|规划$|纲要|的通知$"), "plan", "标题是要点、方案或计划"),
    (_DEPARTMENT, "other", "标题是部门的报告，不是政府的报告"),
    (re.compile(r"半年"), "other", "标题是半年工作总结"),
    (re.compile(r"(?:法治政府|依法行政|法治建设|依法治)[^。]{0,20}(?:报告|情况|总结)"
                r"|(?:报告|情况|总结)[^。]{0,6}法治政府"), "rule_of_law", "标题是法治政府建设报告"),
    (re.compile(r"召开|揭牌|举行|举办|开展|推进会|启动|座谈|调研|培训|获评|荣获"), "news", "标题是一则消息"),
    (re.compile(r"普法|法治宣传"), "other", "标题是普法工作总结"),
    (re.compile(r"总结|工作报告|报告"), "other", "标题是一般工作总结或报告，不是法治政府建设报告"),
)
# (pattern on the first lines, genre, what it shows, confidence)
_START_KINDS = (
    (re.compile(r"(?:决定|会议)批准(?:这个|该|了)?(?:报告|政府工作报告)"), "other",
     "开头是人民代表大会批准报告的决议", 0.85),
    (re.compile(r"述法"), "shufa", "开头是述法", 0.75),
    (re.compile(r"^各位代表|在.{2,16}第.{1,3}届人民代表大会第.{1,3}次会议上|向大会报告(?:政府)?工作"),
     "work_report", "开头是向人民代表大会作的政府工作报告", 0.9),
    (re.compile(r"制定本(?:计划|方案|要点|规划)"), "plan", "开头说“制定本方案/计划”", 0.85),
    (re.compile(r"记者|通讯员|本报讯|近日[，,]|日前[，,]|^.{0,40}?\d{1,2}月\d{1,2}日(?:上午|下午|晚上?)?[，,]"),
     "news", "开头是消息的写法（记者、近日、某月某日）", 0.8),
)
_RULE_OF_LAW = re.compile(r"法治政府|依法行政|法治建设|法治.{0,6}建设|法治工作")


def classify(title: Optional[str], title_derived: bool, start: str) -> Genre:
    """The genre of a file from its title (`title_derived`: the importer made it up, so only
    the file's own first line counts) and `start`, its first few hundred characters."""
    first = start.split("\n", 1)[0]
    # a numbered line (一、2023年度法治政府建设的主要举措) is the first section of a page that lost
    # its title, not a title that names the kind
    heading = first if len(first) <= 60 and not re.search("[，。；,;]", first) and not match_marker(first) else ""
    named = heading if title_derived else (title or "")
    for pattern, code, evidence in _TITLE_KINDS:
        if named and pattern.search(named):
            if code == "rule_of_law" and _DEPARTMENT.search(named):
                continue
            return Genre(code, 0.95 if code != "other" or "解读" in evidence else 0.85,
                         evidence)
    for pattern, code, evidence, confidence in _START_KINDS:
        if pattern.search(start[:300] if code == "other" else start[:120]):   # a resolution says it last
            return Genre(code, confidence, evidence)
    if _RULE_OF_LAW.search(named + start):
        return Genre("rule_of_law", 0.7 if named else 0.8, "正文开头讲法治政府建设")
    return Genre("other", 0.5, "标题和开头都没有说明是哪类文件")


def doubt_note(genre: Genre) -> Optional[str]:
    """The reviewer's question when the decision is doubtful, else None."""
    if genre.confidence >= DOUBT_BELOW:
        return None
    return f"体裁判为“{GENRE_LABELS[genre.code]}”，把握不大（{genre.evidence}），请核对"
