"""Page furniture removed by the report's structure, not by word lists.

A copy of a web page holds the report and the site around it. The report is a span: it starts at
its title (with the issuing body's line before a 关于… title) or, without a title, at its first
sentence (or its addressee, 文号, subtitle); it ends at its last paragraph and the signature and
date after it. Outside that span only the title, addressee, 文号 and official lines (附件, 抄送…)
are kept: site names and headers, breadcrumbs, widget clusters, 上一篇/下一篇, related-article
lists and footers are furniture, whatever their words. Inside the span the text is kept, except
lines that are furniture by their own shape: widget clusters (two or more one-word lines), rows
of labels with a time stamp or a web address, breadcrumbs, photo captions, links a page reader
marked. A stamp glued before the title on one line ("某某网—www.x.com标题正文…") is cut out
wherever it recurs, and a title glued to the first sentence is split from it.

The word lists of `importers.cleaning.junk` run before this rule as a second signal.
"""
from __future__ import annotations

import re
from functools import lru_cache

from importers.chars import CJK, CJK_RE, cjk_count, ends_sentence
from importers.cleaning.junk import judged_forms
from importers.document import Cleaning, Line
from importers.markers import match_marker
from importers.readers.docx import CELL_SEP
from importers.shapes import (DATE_RE, is_addressee, is_date_line, is_doc_number, is_issuer_line,
                              is_title_piece, looks_like_title, names_place, opens_title, title_continues,
                              title_tail)

HEAD_RULE = "furniture_before_report"
TAIL_RULE = "furniture_after_report"
INNER_RULE = "furniture_in_report"
STAMP_RULE = "furniture_stamp"
BORDER_RULE = "table_border"
HEADER_KEY = "页眉"  # the site metadata key under which the page's header lines are kept
GLUED_RULE = "glued_title"

_HEAD_SCAN = 60          # the report starts within these lines
_WIDGET_MAX = 6          # a widget word: 打印, 收藏, 【字号：, 加大, 分享到…
_TITLE_PIECES = 3
_CLAUSE = "，、；。：,;:"
_BREADCRUMB_RE = re.compile(rf"(?<=[{CJK}）)])\s*(?:>>?|＞|›|»|→)\s*(?=[{CJK}\d])")  # 首页 > 政务公开
_HOME_RE = re.compile(r"^(?:首页|网站首页|主页)\s*(?:>|＞|›|»|/)")
_POSITION_RE = re.compile(r"^(?:您|你)?(?:当前|现在|目前)?(?:所在)?(?:的)?位置")
_URL_RE = re.compile(r"https?://|www\.|[A-Za-z0-9-]+\.(?:com|cn|net|org|gov|html?)\b", re.I)
_STAMP_RE = re.compile(r"\d{1,2}:\d{2}|星期[一二三四五六日天]|农历")
_LABEL_RE = re.compile(rf"[{CJK}]{{2,6}}\s*[:：]")
_SITE_SUFFIX_RE = re.compile(r"\s[-_—|｜]\s*\S+(?:网|网站|门户网站|政府网)\s*$")
_CAPTION_RE = re.compile(r"^(?:图为|图片为|▲|△|\[图\]|【图】|图\d*[:：])|[（(](?:\S{0,12})?摄(?:影)?[）)]$|摄影[:：]")
_SUBTITLE_RE = re.compile(r"^(?:——|—|－－|--)(?=\S)")
_BORDER_RE = re.compile(r"^[|｜]?\s*([^|｜]*?)\s*[|｜]?$")
_SLOGAN_RE = re.compile(r"^[•·▪■◆★]")
_FRONT_MATTER = ("引言", "前言", "序言", "导言", "概述", "摘要", "目录")
_GREETING_RE = re.compile(r"^(?:各位|尊敬的).{0,12}[：:]$")
_OFFICIAL_RE = re.compile(r"^[（(]?(?:附件|抄送|主送|抄报|印发|签发人|密级|联系人|此件)|印发$|文件$")
_LIST_START_RE = re.compile(r"^[\s\-*•·【\[]*(?:相关报道|相关阅读|相关链接|相关文章|相关新闻|相关稿件|相关词条|"
                            r"相关推荐|延伸阅读|推荐阅读|热点推荐|上一篇|下一篇|上一条|下一条|责任编辑|"
                            r"附件下载|相关附件)")
# Footer words no report sentence uses; the weaker ones (协议, 转载…) only end the report's span.
_FOOTER_WORDS = ("版权所有", "ICP备", "网站标识码", "公网安备", "©", "Copyright", "copyright")
_FOOTER_RE = re.compile(r"(?:主办|承办)单位[:：]|技术支持[:：]")
_TAIL_FOOTER_RE = re.compile(r"版权|不得转载|转载请|免责声明|本词条|许可协议|本站|本网站|地址[:：]|邮编|电话[:：]|传真")
_BYLINE_RE = re.compile(r"记者|通讯员|编辑|作者|来源|摄影")
_MARKS_RE = re.compile(r"[:：>＞›»→/|｜\-_—©▲△\[【摄.]")
_MARK_WORDS_RE = re.compile(r"www|星期|农历|ICP|Copyright|网站标识码|公网安备|版权所有", re.I)
_SENTENCE_START_RE = re.compile(r"^(?:\d{4}年|[一二〇○]{4}年|今年|近年|一年来|去年|我[镇乡区县市省街]|在|按照|根据|为)")


def _bare(t: str) -> str:
    """A line without list bullets and brackets: "- 加入收藏" → "加入收藏"."""
    return t.strip(" -*•·|｜【】[]()（）")


def _has(t: str, chars: str) -> bool:
    return any(ch in t for ch in chars)


def _maybe_furniture(t: str) -> bool:
    """Does the line hold any mark some test of `_signal` needs? Most lines of a report do not."""
    return (bool(_MARKS_RE.search(t)) or t[:1] in "图您你" or t[:2] in ("当前", "现在", "目前", "所在", "位置")
            or bool(_MARK_WORDS_RE.search(t)))


def _signal(t: str, hint: str | None) -> bool:
    """Furniture by its own shape, wherever it stands."""
    if hint == "link" and not ends_sentence(t) and match_marker(t) is None:
        return True
    if len(t) > 120 or (len(t) > 50 and t[-1] in "。；！？") or not _maybe_furniture(t) or match_marker(t):
        return False  # a paragraph; most lines of a report hold none of the marks below
    # Each test only where its characters occur.
    if _POSITION_RE.match(t) or (_has(t, ">＞›»→/") and (len(_BREADCRUMB_RE.findall(t)) >= 2
                                                     or _HOME_RE.match(t))):
        return True
    if _has(t, "-_—|｜") and _SITE_SUFFIX_RE.search(t):
        return True
    labels = len(_LABEL_RE.findall(t)) if _has(t, ":：") else 0
    if not ends_sentence(t) or labels:
        if _has(t, ".:/") and _URL_RE.search(t) and cjk_count(t) < 40:
            return True
        if (labels >= 2 and not _has(t, "，、；。")) or (labels and _STAMP_RE.search(t)):
            return True  # 来源：本站 发布时间：2024-03-28 09:18
        if _STAMP_RE.search(t) and DATE_RE.search(t) and cjk_count(t) < 20:
            return True
    if len(t) <= 80 and (t[:1] in "图▲△[【" or "摄" in t) and _CAPTION_RE.search(t):
        return True
    return any(w in t for w in _FOOTER_WORDS) or (("单位" in t or "技术支持" in t) and bool(_FOOTER_RE.search(t)))


@lru_cache(maxsize=8192)
def _sentence(t: str) -> bool:
    """A line of the report's own text: a paragraph, a numbered heading, the opening sentence."""
    last = t.rstrip("”’）)》」』】")[-1:]
    if last in "。！？；!?;":
        return True
    if match_marker(t) is not None and cjk_count(t[:20]) >= 4:
        return True
    if last in "：:":
        return cjk_count(t) >= 10
    return any(p in t for p in _CLAUSE) and cjk_count(t) >= 25


def _unfinished(t: str) -> bool:
    """A paragraph cut off mid-sentence ("…公示单位工作人员姓名、职务、"): text, not furniture."""
    return cjk_count(t) >= 4 and (t[-1] in "，、,(（《“" or (cjk_count(t) >= 10 and bool(re.search("[，、；。,;]", t))))


def _addressee(t: str) -> bool:
    return is_addressee(t) or bool(_GREETING_RE.match(t))


def _kept_outside(t: str) -> bool:
    """Lines that belong to the report even outside its span."""
    return is_doc_number(t) or _addressee(t) or bool(_OFFICIAL_RE.search(t))


def _tables(texts: list[str]) -> set[int]:
    """Rows of a table (cells joined by the readers' separator) holding figures: an attachment's
    table after the signature is the report's, a row of links between bars is not."""
    out: set[int] = set()
    rows = [i for i, t in enumerate(texts) if CELL_SEP in t]
    while rows:
        run = [rows.pop(0)]
        while rows and rows[0] == run[-1] + 1:
            run.append(rows.pop(0))
        if any(ch.isdigit() for i in run for ch in texts[i]):
            out.update(run)
    return out


def _title_block(texts: list[str], hints: list, i: int) -> int:
    """How many lines from i make a title (1–3), or 0. A title split over lines is made of word
    pieces only and its last piece is no title by itself."""
    t = texts[i]
    if _signal(t, hints[i]):
        return 0
    if looks_like_title(t) or (hints[i] == "title" and 6 <= cjk_count(t) <= 60 and not ends_sentence(t)):
        return 1
    if (i + 1 < len(texts) and _SUBTITLE_RE.match(texts[i + 1]) and is_title_piece(t)
            and 4 <= cjk_count(t) <= 40):
        return 1  # 政府工作报告 / ——2022年2月17日在某镇第十七届人民代表大会第二次会议上
    for n in range(2, _TITLE_PIECES + 1):
        run = texts[i:i + n]
        if (len(run) == n and title_tail(run[-1])
                and all(is_title_piece(x) and not _signal(x, h) for x, h in zip(run, hints[i:i + n]))
                and opens_title(run[0]) and (title_continues(run[0]) or not looks_like_title(run[-1]))
                and looks_like_title("".join(run))):
            return n
    return 0


def _specific(title: str) -> bool:
    """A title naming a year or a place, not a column heading such as 法治政府建设年度报告."""
    return bool(re.search(r"\d{4}|[〇一二三四五六七八九○]{4}", title) or names_place(title))


def find_span(texts: list[str], hints: list) -> tuple[int, int, set[int]]:
    """(first line, last line + 1) of the report inside a copy of a web page, and its title's lines."""
    n = len(texts)
    # A slogan in a bullet above the page ("• 高举…旗帜…而团结奋斗。") is no start of the report.
    first_strong = next((i for i, t in enumerate(texts)
                         if _sentence(t) and not _signal(t, hints[i]) and not _SLOGAN_RE.match(t)), n)
    blocks = []
    i = 0
    while i < min(first_strong, _HEAD_SCAN):
        size = _title_block(texts, hints, i)
        if size:
            blocks.append((i, size))
            i += size
        else:
            i += 1
    if blocks:
        first, size = next((b for b in blocks if _specific("".join(texts[b[0]:b[0] + b[1]]))), blocks[0])
        if re.match(r"^(?:关于|關於|關于)", texts[first]) or not names_place(texts[first]):
            for _ in range(2):  # the issuing bodies' lines above a 关于… title or one naming no place
                if first > 0 and is_issuer_line(texts[first - 1]):
                    first -= 1
    else:
        first = next((i for i, t in enumerate(texts[:first_strong + 1])
                      if not _signal(t, hints[i]) and (_sentence(t) or _unfinished(t) or _addressee(t)
                                                       or is_doc_number(t) or _SUBTITLE_RE.match(t))),
                     first_strong)
        heading = _heading_above(texts, hints, first)
        if heading is not None:
            return heading, _span_end(texts, hints, heading, first_strong), {heading}
    return first, _span_end(texts, hints, first, first_strong), _title_lines(texts, hints, first)


def _heading_above(texts: list[str], hints: list, first: int) -> int | None:
    """Without a title by its words, the heading line just above the first sentence (past the
    page's own rows) names the document: 某区2015年推进依法行政工作情况及2016年工作打算."""
    for i in range(first - 1, max(first - 3, -1), -1):
        t = texts[i]
        if _signal(t, hints[i]) or (is_date_line(t) and "年" not in t) or not CJK_RE.search(t):
            continue
        if (8 <= cjk_count(t) <= 60 and not ends_sentence(t) and not _BYLINE_RE.search(t)
                and not is_issuer_line(t) and not _OFFICIAL_RE.search(t) and not _LABEL_RE.search(t)
                and "/" not in t):
            return i
        return None
    return None


def _head_keeps(texts: list[str], hints: list, i: int) -> bool:
    """Between the title and the first sentence only the parts of a document's head stay: titles,
    issuing bodies, addressee, 文号, subtitle and speaker, dates, front-matter headings, and
    lines long enough to be text; a column name, a lone widget or a bare web date is furniture."""
    t = texts[i]
    if any(_title_block(texts, hints, k) > i - k for k in range(max(0, i - _TITLE_PIECES + 1), i + 1)):
        return True
    if (is_issuer_line(t) or _addressee(t) or is_doc_number(t)
            or _SUBTITLE_RE.match(t) or _OFFICIAL_RE.search(t) or _sentence(t) or match_marker(t)
            or (hints[i] or "").startswith("h") or _bare(t) in _FRONT_MATTER):
        return True
    if any(_SUBTITLE_RE.match(x) for x in texts[max(0, i - 2):i]):
        return cjk_count(t) <= 40  # the subtitle's second line, the speaker
    if re.fullmatch(r"[（(].{2,40}[）)]", t) or (is_date_line(t) and "年" in t):
        return True
    return cjk_count(t) > 8 and "/" not in t


def _span_end(texts: list[str], hints: list, first: int, first_strong: int) -> int:
    """Just after the report's last paragraph and the signature and date below it."""
    n = len(texts)
    stop = n
    for i in range(max(first_strong + 1, n // 3), n):
        if len(texts[i]) <= 60 and _LIST_START_RE.match(texts[i]):
            stop = i  # 相关报道 / 上一篇 / 责任编辑: the page goes on, the report does not
            break
    last = next((i for i in range(stop - 1, first - 1, -1)
                 if (_sentence(texts[i]) or match_marker(texts[i]) or _unfinished(texts[i]))
                 and not _signal(texts[i], hints[i]) and not _TAIL_FOOTER_RE.search(texts[i])), None)
    if last is None:
        return stop
    end = last + 1
    while end < stop and end - last <= 4 and _signature(texts[end]):
        if is_date_line(texts[end]) and "年" not in texts[end] and not is_issuer_line(texts[end - 1]):
            break  # a bare web date (2024-01-20) after the text is the page's, not a signature
        end += 1
    return end


def _title_lines(texts: list[str], hints: list, first: int) -> set[int]:
    """The title block's lines at the start of the span, which short widget words never are."""
    for i in range(first, min(first + 2, len(texts))):
        size = _title_block(texts, hints, i)
        if size:
            return set(range(i, i + size))
    return set()


def _signature(t: str) -> bool:
    if is_date_line(t) or is_issuer_line(t):
        return True
    m = DATE_RE.search(t)
    return bool(m) and m.end() == len(t) and is_issuer_line(t[:m.start()].strip())


def _clusters(texts: list[str], hints: list) -> set[int]:
    """Lines in runs of two or more one-word lines: 下载 / 打印 / 全屏 / 收藏, 大 / 中 / 小."""
    short = [len(t) <= 3 * _WIDGET_MAX and (not _bare(t) or (
                 len(_bare(t)) <= _WIDGET_MAX and not ends_sentence(t) and match_marker(t) is None
                 and not is_date_line(t) and not is_issuer_line(t) and not t.isdigit() and CELL_SEP not in t))
             for t in texts]
    out: set[int] = set()
    i = 0
    while i < len(texts):
        j = i
        while j < len(texts) and short[j]:
            j += 1
        if j - i >= 2:
            out.update(range(i, j))
        i = max(j, i + 1)
    return out


def _cut_stamp(lines: list[Line], c: Cleaning) -> list[Line]:
    """A site stamp glued before the text of the first line (a watermark holding a web address,
    "某某之家—全网资源每日更新www.x.com湖北省…") is cut there and wherever it recurs."""
    if not lines:
        return lines
    m = re.match(rf"^(.{{2,40}}?(?:https?://)?(?:www\.)?[A-Za-z0-9-]+\.(?:com|cn|net|org)(?:\.cn)?)(?=[{CJK}\d])",
                 lines[0].text)
    if not m or cjk_count(lines[0].text) < 30:
        return lines
    stamp = m.group(1)
    out = []
    for line in lines:
        if stamp in line.text:
            text = line.text.replace(stamp, "").strip()
            c.record(STAMP_RULE, line.text, text)
            if text:
                out.append(Line(text, line.hint))
        else:
            out.append(line)
    return out


def _split_glued_title(lines: list[Line], texts: list[str], c: Cleaning) -> tuple[list[Line], list[str]]:
    """"湖北省人民政府关于2023年度法治政府建设情况的报告2023年，省政府坚持…" on one line: the title
    is split from the first sentence (only when no title stands on a line of its own before it)."""
    hints = [x.hint for x in lines]
    for i, t in enumerate(texts[:_HEAD_SCAN]):
        if _title_block(texts, hints, i):
            return lines, texts
        if not _sentence(t):
            continue
        head = re.split(r"[，。；：、,;:！？]", t, maxsplit=1)[0][:60]
        for m in reversed(list(re.finditer(r"(?:报告|報告|情况|情況|总结|總結)", head))):
            title, rest = t[:m.end()], t[m.end():]
            if looks_like_title(title) and _SENTENCE_START_RE.match(rest) and cjk_count(rest) >= 20:
                c.record(GLUED_RULE, t, f"{title}\n{rest}")
                lines = lines[:i] + [Line(title, "title"), Line(rest, lines[i].hint)] + lines[i + 1:]
                return lines, texts[:i] + [title, rest] + texts[i + 1:]
        return lines, texts
    return lines, texts


def _strip_borders(lines: list[Line], c: Cleaning) -> list[Line]:
    """A one-cell row of a Markdown table ("| 某街道2024年度法治政府建设情况报告 |") is its text."""
    out = []
    for line in lines:
        edged = line.text[:1] in "|｜" or line.text[-1:] in "|｜"
        m = _BORDER_RE.match(line.text) if edged else None
        if m:
            c.record(BORDER_RULE, line.text, m.group(1))
            if m.group(1):
                out.append(Line(m.group(1), line.hint))
        else:
            out.append(line)
    return out


def drop_page_furniture(lines: list[Line], c: Cleaning) -> list[Line]:
    lines = _strip_borders(_cut_stamp(lines, c), c)
    texts = judged_forms(lines)
    lines, texts = _split_glued_title(lines, texts, c)
    hints = [x.hint for x in lines]
    first, end, title = find_span(texts, hints)
    head_end = max(title, default=first - 1) + 1
    body = next((i for i in range(head_end, end) if _sentence(texts[i]) and not _signal(texts[i], hints[i])), end)
    clusters = _clusters(texts, hints) - title
    tables = _tables(texts)
    out = []
    header = []
    related = False
    for i, (line, t) in enumerate(zip(lines, texts)):
        if i < first or i >= end:
            if (_kept_outside(t) or i in tables) and not _signal(t, line.hint):
                out.append(line)
            else:
                c.record(HEAD_RULE if i < first else TAIL_RULE, line.text, "")
                if i < first and CJK_RE.search(t):
                    header.append(t)
            continue
        related = (related or (len(t) <= 60 and bool(_LIST_START_RE.match(t)))) and not _sentence(t)
        if (i in clusters or _signal(t, line.hint) or (related and not _sentence(t))
                or (head_end <= i < body and not _head_keeps(texts, hints, i))):
            c.record(INNER_RULE, line.text, "")
            continue
        hint = None if line.hint == "link" else line.hint
        if i in title and len(title) == 1 and hint is None and not looks_like_title(t):
            hint = "title"  # a title found by its place (above a subtitle), not by its words
        out.append(line if hint == line.hint else Line(line.text, hint))
    if header:  # not the report's text, but evidence of where it comes from (site name, breadcrumb)
        c.meta.setdefault(HEADER_KEY, "\n".join(header))
    return out
