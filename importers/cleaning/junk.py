"""Lines that are not part of the report: ads, web widgets, view counters, navigation, footers."""
from __future__ import annotations

import re

from importers.chars import ends_sentence
from importers.document import Cleaning, Line
from importers.markers import match_marker
from importers.script import to_simplified

RULE = "junk_line"

# Gambling / ad brands injected into hacked or scraped government pages.
_AD_WORDS = ("威廉希尔", "博彩", "赌场", "娱乐城", "真人娱乐", "百家乐", "老虎机", "彩票", "棋牌", "葡京",
             "太阳城", "皇冠体育", "金沙娱乐", "银河娱乐", "威尼斯人", "新葡京", "体育投注", "线上娱乐",
             "bet365", "亚博", "开云", "华体会", "雷竞技", "必威", "乐鱼体育", "九游", "半岛体育", "博天堂",
             "赌博网站", "澳门", "六合彩", "时时彩", "快三", "北京赛车", "网赌")
_AD_RE = re.compile("|".join(map(re.escape, _AD_WORDS)), re.I)
_WIDGET_RE = re.compile(
    r"字体\s*[:：]?\s*[【\[]?\s*大|分享到|打印本页|打印此页|关闭窗口|关闭本页|【\s*打印\s*】|【\s*关闭\s*】|"
    r"扫一扫|手机打开|手机扫码|我要纠错|返回顶部|加入收藏|设为首页|上一篇|下一篇|上一条|下一条|"
    r"相关链接|相关阅读|相关文章|相关新闻|相关稿件|网站地图|联系我们|版权所有|主办单位|承办单位|"
    r"ICP备|公网安备|网站标识码|技术支持|您当前的位置|当前位置|您现在的位置|现在位置|"
    r"浏览量|浏览次数|点击数|点击量|阅读数|阅读量|访问量|阅读次数|浏览人次|【\s*[大中小]\s*】", re.I)
# Betting-site keywords a hacked mirror injects inside a sentence, joined by underscores:
# "市政府、bei365官网_365bet体育在线平台_beat365最新版政府荣获…".
_SPAM_TOKEN = r"[0-9A-Za-z][0-9A-Za-z\u4e00-\u9fff]{0,15}?(?:官网|平台|最新版|入口|网址|APP|app)"
_SPAM_RUN_RE = re.compile(rf"{_SPAM_TOKEN}(?:_{_SPAM_TOKEN})+")
_WIDGET_WORDS = ("下载", "打印", "全屏", "收藏", "分享", "字号", "字体", "加大", "还原", "减小", "关闭", "纠错", "大中小")
_PICTURE_RE = re.compile(r"^[\[【（(]?\s*(图片|图像|视频|附图|图)\s*\d*\s*[\]】）)]?[:：]?$")
_URL_RE = re.compile(r"^(https?://|www\.)\S+$", re.I)
_BREADCRUMB_RE = re.compile(r"^(首页|网站首页)\s*[>＞›»/]")
_COMPANY_RE = re.compile(r"(公司|集团|娱乐|平台|官网|官方网站|网址)$")
_GOVERNMENT_WORDS = ("政府", "镇", "乡", "街道", "委", "办", "局", "法治", "依法")
_SHORT = 40


def is_junk(text: str, before_title: bool) -> bool:
    """`text` is the line with short lines already simplified (`judged_forms`), so
    掃一掃在手機打開當前頁 is caught like 扫一扫…"""
    if len(text) <= _SHORT and _AD_RE.search(text):
        return True
    if len(text) <= _SHORT and _WIDGET_RE.search(text) and match_marker(text) is None:
        return True
    if len(text) <= _SHORT and sum(w in text for w in _WIDGET_WORDS) >= 3 and match_marker(text) is None:
        return True  # a toolbar on one line: 下载 打印 全屏 收藏 【字号：加大 还原 减小】
    if _PICTURE_RE.match(text) or _URL_RE.match(text) or _BREADCRUMB_RE.match(text):
        return True
    # A short company/brand name before the report starts has nothing to do with the report.
    return (before_title and len(text) <= 20 and not ends_sentence(text) and bool(_COMPANY_RE.search(text))
            and not any(w in text for w in _GOVERNMENT_WORDS))


def judged_forms(lines: list[Line]) -> list[str]:
    """Each line as junk is judged: short lines simplified, all in one OpenCC call (a call per
    line cost more than the conversion; phrases never span the joining newline)."""
    short = [x.text for x in lines if len(x.text) <= _SHORT]
    converted = to_simplified("\n".join(short)).split("\n") if short else []
    if len(converted) != len(short):  # a line held a newline of its own
        converted = [to_simplified(t) for t in short]
    forms = iter(converted)
    return [next(forms) if len(x.text) <= _SHORT else x.text for x in lines]


def drop_junk_lines(lines: list[Line], c: Cleaning) -> list[Line]:
    out = []
    started = False
    for line, judged in zip(lines, judged_forms(lines)):
        if is_junk(judged, not started):
            c.record(RULE, line.text, "")
            continue
        if "_" in line.text and _SPAM_RUN_RE.search(line.text):  # injected inside a sentence
            text = _SPAM_RUN_RE.sub("", line.text)
            c.record(RULE, line.text, text)
            line = Line(text, line.hint)
        started = started or len(line.text) > 20 or "报告" in line.text or "報告" in line.text
        out.append(line)
    return out
