"""Traditional → simplified: the one OpenCC t2s converter of the process, shared by the
importers (a report's searchable text), the Markdown store (recomputing it on load) and the
index (folding). One converter, so all three agree; a lock, because the web app reads reports
and searches from several threads at once."""
from __future__ import annotations

import threading

import opencc

_converter = opencc.OpenCC("t2s")
_lock = threading.Lock()


def to_simplified(text: str) -> str:
    if not text:
        return text
    with _lock:
        return _converter.convert(text)
