"""The original files, byte for byte, content-addressed: originals/<sha256[:2]>/<sha256>.<ext>.
Never modified; a new version of a report adds its original beside the old one."""
from __future__ import annotations

import os
import re
from pathlib import Path, PurePath
from typing import Optional

from archive.files import sha256_of

SHA256 = re.compile(r"[0-9a-f]{64}")
_EXT = re.compile(r"[a-z0-9]{1,10}")


def find(folder: Path, sha: str) -> Optional[Path]:
    """The stored original with this sha256, whatever its extension; None when missing."""
    if not SHA256.fullmatch(sha or ""):
        return None
    try:
        return next((folder / sha[:2] / n for n in os.listdir(folder / sha[:2])
                     if n.split(".", 1)[0] == sha), None)
    except FileNotFoundError:
        return None


def target(folder: Path, sha: str, name: str, fmt: str) -> Path:
    """Where an original goes: its name's extension (or its format's, or bin) after the hash."""
    ext = PurePath(name).suffix.lower().lstrip(".")
    if not _EXT.fullmatch(ext):
        ext = fmt if _EXT.fullmatch(fmt or "") else "bin"
    return folder / sha[:2] / f"{sha}.{ext}"


def problems(folder: Path) -> list[str]:
    """Originals whose bytes no longer match their name (temporary files: integrity.temp_files)."""
    out = []
    for path in sorted(folder.glob("*/*")):
        if path.name.startswith("."):
            continue
        if sha256_of(path) != path.name.split(".", 1)[0]:
            out.append(f"原件 {path.name} 的内容与其哈希值不符 (文件已被改动或损坏)")
    return out

