"""The order of place names everywhere a list is sorted by name: pinyin (what a Chinese reader
expects of a list of towns: 长安镇 before 赵集镇, not code-point order), for the search index's
town sort as for every list and picker of the web pages (analysis.pinyin adds the filters)."""
from __future__ import annotations

import importlib.util
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path


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
        path = saved_path()
        try:
            st = path.stat()
            if st.st_uid == os.getuid() and not st.st_mode & 0o022:
                with path.open("rb") as f:
                    stamp, names = pickle.load(f)
                if stamp == _pypinyin_stamp() and isinstance(names, dict):
                    _SAVED = names
        except Exception:  # noqa: BLE001 — no usable file: spell with pypinyin as before
            pass
    return _SAVED


def save_spellings() -> None:
    """Keep the names spelled so far for the next process (`webapp.serve`, after warming up)."""
    if not _NEW:
        return
    names = {**_saved(), **_NEW}
    path = saved_path()
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name)
        with os.fdopen(fd, "wb") as f:
            pickle.dump((_pypinyin_stamp(), names), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass


def pinyin_key(name: str | None) -> tuple[str, str]:
    """Sort key: the pinyin of the name, then the name itself (homophones stay apart, stable)."""
    name = name or ""
    return spelled(name), name
