"""The query language, one parser for the CLI, the API and the web pages.

    法律明白人            an unquoted run with Chinese: exact matches first, then its words AND-ed
    "谁执法谁普法"        exact phrase (also “…”, 「…」, 『…』), ignoring punctuation, width and script
    普法 调解 / 普法 AND 调解 / 普法 OR 调解 / 普法 NOT 调解 / 普法 -调解 / (…)   (与 或 非 too)
    town: county: city: province: year:2024 year:2021-2024 section:problems heading:普法
    (Chinese aliases 镇: 乡: 街道: 县: 区: 市: 省: 年: 部分: 标题:, full-width colon accepted)

`parse(text)` returns a tree of `Term`, `Scope`, `And`, `Or`, `Not`, or raises `QueryError`
with a one-line Chinese message saying how to fix the query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Union

from archive.errors import QueryError
from archive.rules import (GENRE_LABELS, LEVEL_LABELS, PART_ALIASES, PART_HELP, PARTS, YEAR_MAX, YEAR_MIN,
                           genre_code, level_code, read_years, valid_year)
from archive.folding import fold, has_cjk

MAX_LENGTH = 500
MAX_DEPTH = 20  # nested parentheses

FIELDS = {
    "town": "town", "镇": "town", "乡": "town", "街道": "town",
    "county": "county", "县": "county", "区": "county",
    "city": "city", "市": "city",
    "province": "province", "省": "province",
    "year": "year", "年": "year", "年份": "year",
    "section": "section", "part": "section", "部分": "section",
    "heading": "heading", "标题": "heading",
    "genre": "genre", "体裁": "genre", "level": "level", "层级": "level",
}
OPERATORS = {"AND": "AND", "与": "AND", "OR": "OR", "或": "OR", "NOT": "NOT", "非": "NOT"}
QUOTES = {'"': '"”＂', "＂": '＂"', "“": '”“"', "”": '”“"', "「": "」", "『": "』"}
STRAY_CLOSERS = "」』"
SPECIAL = "()（）" + "".join(QUOTES) + STRAY_CLOSERS
FIELD_HELP = ("可用字段：town/镇、county/县、city/市、province/省、year/年、section/部分、heading/标题、"
              "genre/体裁、level/层级")


@dataclass(frozen=True)
class Term:
    """Text to find. kind: "phrase" (quoted: exact only), "auto" (unquoted with Chinese: exact
    first, then words) or "words" (unquoted, no Chinese: jieba words)."""
    text: str
    folded: str
    kind: str


@dataclass(frozen=True)
class Scope:
    """A field restriction; value is a folded name, a (first, last) year range or a part code
    (fields "report_id" and "kind", from keyword filters only: an exact report id; text or heading)."""
    field: str
    value: Union[str, tuple[int, int]]


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


Node = Union[Term, Scope, And, Or, Not]


def parse_year(value) -> tuple[int, int]:
    """2024, "2024", "2021-2024", (2021, 2024) → (first, last); QueryError otherwise."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        first, last = value
    elif isinstance(value, int) and not isinstance(value, bool):
        first = last = value
    else:
        years = read_years(value)
        if not years:
            raise QueryError(f"年份“{value}”看不懂：请写成 2024 或 2021-2024")
        first, last = years
    if not all(valid_year(y) for y in (first, last)):
        raise QueryError(f"年份“{value}”超出范围：请写 {YEAR_MIN} 到 {YEAR_MAX} 之间的年份")
    return (min(first, last), max(first, last))


def parse_section(value: str) -> str:
    code = PART_ALIASES.get(str(value).strip().lower())
    if code is None:
        raise QueryError(f"没有“{value}”这个部分：请用 {PART_HELP}"
                         f"（或 {'/'.join(PARTS)}）")
    return code


def phrase_query(text: str) -> str:
    """`text` as one exact phrase (quote marks inside dropped: folding ignores punctuation)."""
    return '"' + "".join(c for c in text if c not in QUOTES and c not in STRAY_CLOSERS) + '"'


def make_scope(field: str, value) -> Scope:
    """A Scope from a field name (any alias) and a raw value; also used for keyword filters."""
    name = FIELDS[field]
    if name == "year":
        return Scope(name, parse_year(value))
    if name == "section":
        return Scope(name, parse_section(value))
    if name in ("genre", "level"):
        code = (genre_code if name == "genre" else level_code)(value)
        if code is None:
            labels = GENRE_LABELS if name == "genre" else LEVEL_LABELS
            raise QueryError(f"“{value}”不是{'体裁' if name == 'genre' else '层级'}：可用 {'、'.join(labels.values())}")
        return Scope(name, code)
    folded = fold(str(value))
    if not folded:
        raise QueryError(f"“{field}:”后面缺少内容：请写成 {field}:要找的内容")
    return Scope(name, folded)


# --- lexer -------------------------------------------------------------------------------

def _lex(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "(（":
            tokens.append(("LP", ch))
            i += 1
        elif ch in ")）":
            tokens.append(("RP", ch))
            i += 1
        elif ch in QUOTES:
            end = next((j for j in range(i + 1, n) if text[j] in QUOTES[ch]), -1)
            if end < 0:
                raise QueryError(f"引号不成对：{ch} 没有对应的结束引号，请补上或去掉它")
            tokens.append(("PHRASE", text[i + 1:end]))
            i = end + 1
        elif ch in STRAY_CLOSERS:
            raise QueryError(f"引号不成对：{ch} 前面没有开始引号，请补上或去掉它")
        elif ch in "-－" and i + 1 < n and not text[i + 1].isspace() \
                and (not tokens or i == 0 or text[i - 1].isspace() or text[i - 1] in "(（"):
            tokens.append(("MINUS", ch))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in SPECIAL:
                j += 1
            word = text[i:j]
            field = _field_prefix(word)
            if field is not None:
                tokens.append(("FIELD", field))
                i += len(field) + 1
                if i >= n or text[i].isspace() or text[i] in ")）":
                    raise QueryError(f"“{field}:”后面缺少内容：请写成 {field}:要找的内容")
                continue
            if "*" in word:
                raise QueryError("不支持通配符 *：请直接输入要找的词或短语")
            tokens.append(("OP", word) if word in OPERATORS else ("WORD", word))
            i = j
    return tokens


def _field_prefix(word: str) -> Optional[str]:
    """The field name when `word` starts with "name:" / "name：", else None.

    An unknown ASCII name (author:…) or a one- or two-character Chinese one (作者:…) is an error;
    longer Chinese text before a colon is just text (…情况如下:).
    """
    m = re.match(r"^([^:：]+)[:：]", word)
    if not m:
        return None
    name = m.group(1)
    if name.lower() in FIELDS or name in FIELDS:
        return name.lower() if name.lower() in FIELDS else name
    if re.fullmatch(r"[A-Za-z_]+", name) or (has_cjk(name) and len(name) <= 2):
        raise QueryError(f"不认识字段“{name}:”。{FIELD_HELP}")
    return None


# --- parser ------------------------------------------------------------------------------

class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def need_operand(self, after: str):
        kind, value = self.peek()
        if kind is None or kind == "RP" or (kind == "OP" and value in ("AND", "OR")):
            raise QueryError(f"“{after}”后面缺少检索词：请补上，或去掉“{after}”")

    def parse_or(self):
        items = [self.parse_and()]
        while self.peek() == ("OP", "OR"):
            self.take()
            self.need_operand("OR/或")
            items.append(self.parse_and())
        return _combine(Or, items)

    def parse_and(self):
        items = [self.parse_unary()]
        while True:
            kind, value = self.peek()
            if kind is None or kind == "RP" or (kind, value) == ("OP", "OR"):
                break
            if (kind, value) == ("OP", "AND"):
                self.take()
                self.need_operand("AND/与")
            items.append(self.parse_unary())
        return _combine(And, items)

    def parse_unary(self):
        kind, value = self.peek()
        if kind == "MINUS" or (kind, value) == ("OP", "NOT"):
            self.take()
            self.need_operand("NOT/非" if kind == "OP" else "-")
            child = self.parse_unary()
            return Not(child) if child is not None else None
        return self.parse_primary()

    def parse_primary(self):
        kind, value = self.take()
        if kind is None:
            return None
        if kind == "LP":
            if self.peek()[0] == "RP":
                raise QueryError("括号里没有内容：请在括号里写检索词，或去掉这对括号")
            node = self.parse_or()
            self.take()  # the ")"; _check_parentheses guaranteed it
            return node
        if kind == "OP":
            raise QueryError(f"“{value}”前面缺少检索词：请补上，或去掉“{value}”")
        if kind == "FIELD":
            vkind, raw = self.take()
            if vkind not in ("WORD", "PHRASE"):
                raise QueryError(f"“{value}:”后面缺少内容：请写成 {value}:要找的内容")
            return make_scope(value, raw)
        if kind == "PHRASE":
            folded = fold(value)
            return Term(value, folded, "phrase") if folded else None
        folded = fold(value)
        if not folded:
            return None
        return Term(value, folded, "auto" if has_cjk(folded) else "words")


def _chinese_operators_as_words(tokens):
    """与/或/非 are operators only between two operands; elsewhere (a lone 非) they are text."""
    out = list(tokens)
    for i, (kind, raw) in enumerate(tokens):
        if kind == "OP" and raw in "与或非":
            before = tokens[i - 1][0] if i else None
            after = tokens[i + 1][0] if i + 1 < len(tokens) else None
            binary = raw != "非"
            if (binary and before not in ("WORD", "PHRASE", "RP")) or after not in ("WORD", "PHRASE", "LP", "FIELD", "MINUS"):
                out[i] = ("WORD", raw)
    return [(k, OPERATORS[v] if k == "OP" else v) for k, v in out]


def _check_parentheses(tokens) -> None:
    depth = deepest = 0
    for kind, _ in tokens:
        depth += (kind == "LP") - (kind == "RP")
        if depth < 0:
            raise QueryError("括号不成对：多了一个“)”，请去掉它或补上“(”")
        deepest = max(deepest, depth)
    if depth > 0:
        raise QueryError("括号不成对：缺少“)”，请补上")
    if deepest > MAX_DEPTH:
        raise QueryError(f"括号嵌套太深（超过 {MAX_DEPTH} 层）：请简化检索式")


def _combine(cls, items):
    items = [x for x in items if x is not None]
    if not items:
        return None
    return items[0] if len(items) == 1 else cls(tuple(items))


def parse(text: str) -> Node:
    """Parse a query; raises QueryError with a one-line message when it is malformed."""
    if not isinstance(text, str):
        raise QueryError("检索式必须是文字")
    if len(text) > MAX_LENGTH:
        raise QueryError(f"检索式太长（{len(text)} 字）：请缩短到 {MAX_LENGTH} 字以内")
    tokens = _chinese_operators_as_words(_lex(text))
    _check_parentheses(tokens)
    parser = _Parser(tokens)
    node = parser.parse_or()
    if node is None:
        raise QueryError("检索式为空：请输入要找的词，例如 法律明白人 或 \"谁执法谁普法\"")
    return node


def terms(node: Node):
    """The Terms of the tree that are not under a NOT (what highlights and ranking use)."""
    if isinstance(node, Term):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from terms(child)
