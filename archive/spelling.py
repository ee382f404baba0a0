"""Place names staff type (the web's edit and upload forms, `archive set`): matched to the
spelling the archive already uses, so 重庆市潼南区 never becomes a second county beside 潼南区,
and a name nobody knows is stored only once its typist confirms it (the form's confirm box,
`archive set --new-place`). One rule for the web and the command line; where the known names
come from (the archive's reports, a gazetteer) is the caller's."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Optional

from archive.mdfile import simplified

# What a longer spelling may put before a known name: the levels above it (重庆市 潼南区).
_AREA_PREFIX = re.compile(r"(?:.+?(?:省|自治区|特别行政区|市|自治州|州|地区|盟|县|自治县|区|旗))+")


@dataclass
class Resolution:
    """What a typed place name becomes: `value` to store, `status` known | normalised |
    gazetteer | new (needs confirming), and for a new name the known names it may mean."""
    typed: str
    value: Optional[str]
    status: str
    candidates: list[str] = field(default_factory=list)


def fold(name: str) -> str:
    return re.sub(r"\s+", "", simplified(unicodedata.normalize("NFKC", name), "traditional"))


def resolve(level: str, typed: str, names: list[str],
            known_elsewhere: Callable[[str, str], bool] = lambda level, name: False) -> Resolution:
    """Match a typed name to one of `names` (the archive's spellings at this level): exactly;
    after folding width, script and spaces; or as the tail of a longer spelling that names the
    levels above (重庆市潼南区 → 潼南区). Else a name `known_elsewhere(level, name)` (a gazetteer)
    knows, else a new name."""
    typed = typed.strip()
    if not typed:
        return Resolution(typed, None, "known")
    if typed in names:
        return Resolution(typed, typed, "known")
    folded = fold(typed)
    for name in names:
        if fold(name) == folded:
            return Resolution(typed, name, "normalised")
    tails = [name for name in names
             if folded.endswith(fold(name)) and _AREA_PREFIX.fullmatch(folded[:-len(fold(name))])]
    if tails:
        return Resolution(typed, max(tails, key=len), "normalised")
    if known_elsewhere(level, typed):
        return Resolution(typed, typed, "gazetteer")
    near = [name for name in names
            if name in typed or typed in name or (len(typed) >= 2 and typed[:2] == name[:2])]
    return Resolution(typed, typed, "new", near[:8])
