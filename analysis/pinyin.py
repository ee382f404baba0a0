"""Lists of place names in pinyin order (the order is archive.pinyin's: 长安镇 before 赵集镇, not
code-point order), and the pinyin a filter box matches (zjz, zhaoji → 赵集镇)."""
from __future__ import annotations

from functools import lru_cache

from archive.pinyin import lazy_pinyin, pinyin_key


def pinyin_sorted(items, key=None) -> list:
    """`items` in pinyin order of `key(item)` (default: the item itself, a name)."""
    if key is None:
        return sorted(items, key=pinyin_key)
    return sorted(items, key=lambda item: pinyin_key(key(item)))


@lru_cache(maxsize=65536)
def search_forms(name: str) -> str:
    """What a typed filter may match besides the name: full pinyin without spaces, and the
    initials (赵集镇 → "zhaojizhen zjz"), lower case."""
    syllables = lazy_pinyin(name, errors="default")
    return f"{''.join(syllables)} {''.join(s[:1] for s in syllables)}".lower()


def matches(name: str, typed: str) -> bool:
    """A filter box's test: the typed text within the name, or within its pinyin forms."""
    typed = typed.strip()
    if not typed:
        return True
    if typed in name:
        return True
    lowered = typed.lower().replace(" ", "")
    return lowered.isascii() and any(lowered in form for form in search_forms(name).split())
