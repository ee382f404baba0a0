"""The order of place names everywhere a list is sorted by name: pinyin (what a Chinese reader
expects of a list of towns: 长安镇 before 赵集镇, not code-point order), for the search index's
town sort as for every list and picker of the web pages (analysis.pinyin adds the filters)."""
from __future__ import annotations

from functools import lru_cache


def lazy_pinyin(name: str, **options) -> list[str]:
    """pypinyin's, imported on first use: its dictionaries cost ~40 MB, which a command that
    never sorts names (`archive import`) should not pay."""
    from pypinyin import lazy_pinyin as convert
    return convert(name, **options)


@lru_cache(maxsize=65536)
def spelled(name: str) -> str:
    """Toneless pinyin, syllables joined by spaces: 赵集镇 → "zhao ji zhen" (others kept)."""
    return " ".join(lazy_pinyin(name, errors="default"))


def pinyin_key(name: str | None) -> tuple[str, str]:
    """Sort key: the pinyin of the name, then the name itself (homophones stay apart, stable)."""
    name = name or ""
    return spelled(name), name
