"""Why a search found nothing, in the words staff read on the page and in the CLI: the scopes
that hold no report (档案中没有 2030 年的报告), and the phrases near a mistyped one
(`SearchIndex.suggest`, found through the exact layer). The index finds them; this says them."""
from __future__ import annotations

from archive.errors import QueryError
from archive.rules import GENRE_LABELS, LEVEL_LABELS, PART_LABELS

_PLACE_WORDS = {"town": "乡镇", "county": "县（区）", "city": "市", "province": "省"}


def scope_words(scope) -> str:
    """One scope as part of a sentence: 2030 年, 乡镇“赵集镇”, “存在问题”部分."""
    field, value = scope.field, scope.value
    if field == "year":
        first, last = value
        return f"{first} 年" if first == last else f"{first}–{last} 年"
    if field in _PLACE_WORDS:
        return f"{_PLACE_WORDS[field]}“{value}”"
    if field == "section":
        return f"“{PART_LABELS.get(value, value)}”部分"
    if field == "heading":
        return f"标题含“{value}”"
    if field in ("genre", "level"):
        return f"{'体裁' if field == 'genre' else '层级'}“{(GENRE_LABELS if field == 'genre' else LEVEL_LABELS).get(value, value)}”"
    return f"编号“{value}”"


def reasons(index, query: str, filters: dict) -> list[str]:
    """Sentences naming the scopes that emptied a search: each that holds nothing, else all
    of them when only together they hold nothing; [] when the scopes are not the reason (or
    the query cannot be parsed: the search says that itself)."""
    try:
        scopes, empty, together = index.empty_scopes(query, **filters)
    except QueryError:
        return []
    if empty:
        return [f"档案中没有{_spaced(scope_words(s))}的{'段落' if s.field in ('section', 'heading') else '报告'}"
                for s in empty]
    if together:
        places = [s for s in scopes if s.field in _PLACE_WORDS]
        years = [s for s in scopes if s.field == "year"]
        if len(places) == 1 and len(years) == 1 and len(scopes) == 2:  # 乡镇“赵集镇”没有 2019 年的报告
            return [f"{scope_words(places[0])}没有{_spaced(scope_words(years[0]))}的报告"]
        return ["档案中没有同时符合" + _spaced("、".join(scope_words(s) for s in scopes)) + "的报告"]
    return []


def _spaced(words: str) -> str:
    """A space between Chinese and a leading number: 没有 2030 年."""
    return f" {words}" if words[:1].isdigit() else words


def suggestion_words(suggestion) -> str:
    """法律明白人（4 段）."""
    return f"{suggestion.phrase}（{suggestion.paragraphs} 段）"
