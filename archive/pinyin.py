"""The order of place names everywhere a list is sorted by name: pinyin (what a Chinese reader
expects of a list of towns: 长安镇 before 赵集镇, not code-point order), for the search index's
town sort as for every list and picker of the web pages (analysis.pinyin adds the filters)."""
from __future__ import annotations

import importlib.util
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from archive.files import read_private_pickle, write_private_pickle


def lazy_pinyin(name: str, **options) -> list[str]:
    """pypinyin's, imported on first use: its dictionaries cost ~40 MB, which a command that
    never sorts names (`archive import`) should not pay."""
    from pypinyin import lazy_pinyin as convert
    return convert(name, **options)


@lru_cache(maxsize=65536)
def spelled(name: str) -> str:
    """Toneless pinyin, syllables joined by spaces: 赵集镇 → "zhao ji zhen" (others kept)."""
    known = _saved().get(name)
    if known is None:
        known = _NEW[name] = " ".join(lazy_pinyin(name, errors="default"))
    return known


# The names a server spelled while warming up, kept between starts: importing pypinyin's
# tables costs ~0.25 s of CPU, which the next start's first page (its place lists) then does
# not pay unless a name is new (issue 14). One pickle per user in the temp folder, tied to the
# installed pypinyin, read only when private to the user.
_SAVED: dict[str, str] | None = None
_NEW: dict[str, str] = {}  # spelled by pypinyin in this process


def saved_path() -> Path:
    return Path(tempfile.gettempdir()) / f"fazhi-pinyin-{os.getuid()}.pickle"


def _pypinyin_stamp() -> str:
    spec = importlib.util.find_spec("pypinyin")
    origin = spec.origin if spec and spec.origin else ""
    try:
        return f"{origin}:{os.stat(origin).st_mtime_ns}"
    except OSError:
        return origin


def _saved() -> dict[str, str]:
    global _SAVED
    if _SAVED is None:
        _SAVED = {}
        saved = read_private_pickle(saved_path())
        if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == _pypinyin_stamp() \
                and isinstance(saved[1], dict):
            _SAVED = saved[1]
    return _SAVED


def save_spellings() -> None:
    """Keep the names spelled so far for the next process (`webapp.serve`, after warming up)."""
    if not _NEW:
        return
    names = {**_saved(), **_NEW}
    write_private_pickle(saved_path(), (_pypinyin_stamp(), names))


def pinyin_key(name: str | None) -> tuple[str, str]:
    """Sort key: the pinyin of the name, then the name itself (homophones stay apart, stable)."""
    name = name or ""
    return spelled(name), name
