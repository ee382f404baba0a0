"""File names as people should read them, whatever bytes the file system holds.

On Linux a file name is bytes. Python hands bytes that are not UTF-8 over as lone surrogates
(surrogateescape), which cannot be written to a report's front matter, to JSON or to a
UTF-8 terminal ("surrogates not allowed"). Archives unzipped from Chinese Windows carry GBK
names, so such a name is read as GB18030 when that gives Chinese text; anything else keeps
its readable parts and shows U+FFFD for the rest. The result is always valid Unicode.
"""
from __future__ import annotations

import os
import re

# What a GB18030 reading of a real Chinese file name consists of: ASCII, CJK ideographs,
# CJK and full-width punctuation, dashes and quotes.
_PLAUSIBLE = re.compile(r"[\x20-\x7e\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e\u2010-\u2027]*")


def display_name(name: str | bytes | os.PathLike) -> str:
    """`name` (a str possibly holding surrogate escapes, bytes, or a path) as valid text."""
    try:
        raw = os.fsencode(name)
    except UnicodeEncodeError:  # a lone surrogate that no byte produced
        return re.sub("[\ud800-\udfff]", "\ufffd", os.fspath(name))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _PLAUSIBLE.fullmatch(text):
        return text
    return raw.decode("utf-8", "replace")
