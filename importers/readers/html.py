"""Web pages saved from government sites: keep the article, drop the site around it."""
from __future__ import annotations

import re
from itertools import islice

import lxml.html
from lxml import etree

from archive.errors import ImportFailed
from importers.chars import cjk_count
from importers.document import Line, RawDocument
from importers.metablock import LABELS, parse_labels
from importers.readers.docx import CELL_SEP
from importers.readers.text import decode

_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "nav", "header", "footer", "aside",
              "button", "select", "input", "textarea", "object", "embed", "svg", "canvas", "template")
# class/id words of page furniture (navigation, share bars, footers, related links…)
_JUNK_ATTR_RE = re.compile(
    r"nav|menu|breadcrumb|crumb|position|location|share|bdsharebutton|footer|foot|header|toolbar|"
    r"print|fontsize|font-size|related|relate|xglj|sidebar|side-bar|copyright|search|login|"
    r"comment|qrcode|pager|prev|next|gotop|backtop", re.I)
_BODY_ATTR_RE = re.compile(
    r"content|article|zoom|trs_editor|trs_word|custom_unionstyle|detail|zw|main-?text|"
    r"view|text|con|body|ccontent|news_?con|wz", re.I)
_BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
               "blockquote", "pre", "table", "ul", "ol", "dl", "dt", "dd", "center", "td", "th"}
_META_KEYS = set(LABELS)
_LINK_BLOCKS = ("li", "p", "div", "dd", "dt")
_LINK_MAX = 80
_TITLE_WORD_RE = re.compile(r"报告|報告|总结|總結|情况|情況")
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


def read_html(data: bytes) -> RawDocument:
    check_tag_count(data)
    try:
        text, encoding = _decode_html(data)
    except ImportFailed:
        check_nesting(data)  # mostly markup, nested past the parser's limit: say that instead
        raise
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        raise ImportFailed("网页文件无法解析：请在浏览器中打开后另存为“网页，仅HTML”或复制正文为文本") from None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        raise ImportFailed(NESTING_MESSAGE)  # libxml2 stopped reading: the text would be lost
    title = _page_title(root)
    for el in root.xpath("//*[self::" + " or self::".join(_DROP_TAGS) + "]"):
        _drop(el)
    for el in root.iter(etree.Comment):
        _drop(el)
    meta = _take_meta_block(root)
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.getparent() is not None and _is_furniture(el):
            _drop(el)
    body = _article(root)
    lines = _lines(body)
    if title and not any(_same(title, ln.text) for ln in lines[:8]):
        lines.insert(0, Line(title, "title"))
    return RawDocument(lines, "html", encoding, meta)


# libxml2 stops reading an HTML document nested 256 levels deep (its resource limit), losing
# the rest of the text; a page that deep is not a report page. The parser's error log says so;
# a page that is mostly tags may fail to decode first, and then a scan of its tags says so.
MAX_DEPTH = 250
NESTING_MESSAGE = f"网页嵌套层级过深（超过 {MAX_DEPTH} 层），无法读取：请另存为 .docx 或 .txt 后再导入"
_TAG_RE = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9]{0,15})(?=[\s/>])[^<>]{0,4096}?(/?)>")
# Elements that never hold others (void) or whose end tag the parser supplies itself.
_UNNESTED = {b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link",
             b"meta", b"param", b"source", b"track", b"wbr", b"basefont", b"bgsound", b"frame",
             b"keygen", b"p", b"li", b"dt", b"dd", b"tr", b"td", b"th", b"option", b"optgroup",
             b"thead", b"tbody", b"tfoot", b"colgroup", b"rb", b"rt", b"rp", b"html", b"head",
             b"body"}


# Reading a page walks its element tree several times in Python (metadata block, furniture,
# article box, lines): about 5 µs per element on a quiet core, so an 18 MB page of tiny tags
# (3.6 M elements) took 45 s on a loaded machine. A report page has a few thousand elements
# (a 100-page report saved from Word: ~15,000); past MAX_TAGS the page is refused at once,
# from one count of "<" in the bytes, before it is parsed.
MAX_TAGS = 200_000
TAGS_MESSAGE = (f"网页标签过多（超过 {MAX_TAGS // 10000} 万个），不像一篇报告网页，无法在合理时间内读取："
                "请在浏览器中打开后复制正文另存为 .txt（或另存为 .docx）再导入")


def check_tag_count(data: bytes) -> None:
    """Refuse a page with more than MAX_TAGS tags (a count of "<", which is an upper bound)."""
    if data.count(b"<") > MAX_TAGS and next(islice(_TAG_RE.finditer(data), MAX_TAGS, None), None):
        check_nesting(data)  # a page nested too deep is told so (the likelier reason)
        raise ImportFailed(TAGS_MESSAGE)


def check_nesting(data: bytes) -> None:
    """Refuse a page whose elements nest deeper than MAX_DEPTH (a cheap scan of the tags)."""
    depth = 0
    for m in _TAG_RE.finditer(data):
        close, name, self_closing = m.groups()
        if self_closing or name.lower() in _UNNESTED:
            continue
        depth = max(depth - 1, 0) if close else depth + 1
        if depth > MAX_DEPTH:
            raise ImportFailed(NESTING_MESSAGE)


def _decode_html(data: bytes) -> tuple[str, str]:
    m = _CHARSET_RE.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii").lower()
        declared = "gb18030" if declared in ("gb2312", "gbk", "gb18030", "x-gbk") else declared
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass  # the declaration lies; detect from the bytes instead
    return decode(data)


def _drop(el) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _is_furniture(el) -> bool:
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"))))
    if not attrs or not _JUNK_ATTR_RE.search(attrs):
        return False
    # A wrapper named "main-nav-content" may still hold the article: keep anything big.
    return cjk_count(el.text_content()) < 300


def _take_meta_block(root) -> dict[str, str]:
    """Find the smallest element that holds two or more metadata labels, parse it and remove it."""
    best = None
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        txt = el.text_content()
        if len(txt) > 1500:
            continue
        labels = sum(1 for k in ("索引号", "发布机构", "成文日期", "发布日期", "文号", "主题分类", "发文机关")
                     if k in txt)
        if labels >= 2 and (best is None or len(txt) < len(best[1])):
            best = (el, txt)
    if best is None:
        return {}
    el = best[0]
    # Widen to the ancestor that still holds nothing but metadata (a table around the cells).
    while el.getparent() is not None and el.getparent().tag not in ("body", "html"):
        parent_text = el.getparent().text_content()
        if len(parent_text) > len(best[1]) * 2 + 40:
            break
        el = el.getparent()
    meta = parse_labels(_text_with_breaks(el))
    _drop(el)
    return meta


def _article(root):
    """The element holding the article: the named content box with the most Chinese text."""
    body = root.find("body") if root.find("body") is not None else root
    total = cjk_count(body.text_content()) or 1
    best, best_n = body, 0
    for el in body.iter():
        if not isinstance(el.tag, str) or el is body:
            continue
        attrs = " ".join(filter(None, (el.get("class"), el.get("id"))))
        if attrs and _BODY_ATTR_RE.search(attrs):
            n = cjk_count(el.text_content())
            if n > best_n and n >= total * 0.5:
                best, best_n = el, n
    # The innermost box that still has most of the text avoids keeping the site around it.
    return best


def _text_with_breaks(el) -> str:
    parts: list[str] = []

    def walk(node):
        if not isinstance(node.tag, str):
            return
        block = node.tag in _BLOCK_TAGS or node.tag == "br"
        if node.tag in ("td", "th"):
            parts.append(CELL_SEP)
        elif block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(el)
    return "".join(parts)


def _link_only(el) -> bool:
    """A block whose words are all a link (a menu item, a related article, 上一篇 …): the page's
    navigation, which the cleaner drops wherever it stands (`hint` "link")."""
    if el.tag not in _LINK_BLOCKS or any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in el):
        return False
    text = "".join(el.text_content().split())
    if not text or len(text) > _LINK_MAX:
        return False
    linked = "".join("".join(a.text_content().split()) for a in el.iter("a"))
    return len(linked) >= 0.9 * len(text)


def _lines(el) -> list[Line]:
    out: list[Line] = []
    for tag_el in el.iter("h1", "h2"):
        # Sites put the article title in <h1>/<h2>; mark it so it survives flattening to text.
        tag_el.text = "\ue000" + (tag_el.text or "")
    for block in el.iter(*_LINK_BLOCKS):
        if _link_only(block):
            block.text = "\ue001" + (block.text or "")
    for raw in _text_with_breaks(el).split("\n"):
        hint = "title" if "\ue000" in raw else "link" if "\ue001" in raw else None
        raw = raw.replace("\ue000", "").replace("\ue001", "")
        if raw.strip(" 　\t\xa0"):
            out.append(Line(raw.strip(), hint))
    return out


def _page_title(root) -> str | None:
    """The article title when the page shows it outside the content box (h1 or .title)."""
    for el in root.xpath("//h1 | //*[contains(@class,'title') or contains(@id,'title')]"):
        t = " ".join(el.text_content().split())
        if 6 <= len(t) <= 80 and _TITLE_WORD_RE.search(t) and not any(k in t for k in _META_KEYS):
            return t
    return None


def _same(a: str, b: str) -> bool:
    strip = lambda s: re.sub(r"\s+", "", s)
    return strip(a) == strip(b) or (len(strip(a)) > 6 and strip(a) in strip(b))
