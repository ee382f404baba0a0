"""A report's import logs, <id>.log.json: what the cleaning rules changed (rule, before, after)
for every version of the report imported under its id, keyed by the original's sha256.

Keeping every version's log lets the new version's log be written before its report file (the
commit point) without losing the current version's log if the write stops half-way."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from archive.model import LogEntry


def read_logs(path: Path) -> dict[str, Any]:
    """{sha256: {"imported_at", "log"}} (empty when missing or unreadable)."""
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        return d if isinstance(d, dict) else {}
    except (OSError, ValueError):
        return {}


def read_log(path: Path, sha256: str) -> tuple[Optional[str], list[LogEntry]]:
    """(imported_at, log) of the version with this original."""
    try:
        d = read_logs(path)[sha256]
        return d.get("imported_at"), [LogEntry(**e) for e in d.get("log") or []]
    except (KeyError, TypeError, AttributeError):
        return None, []


def logs_json(logs: dict[str, Any]) -> str:
    """The import logs, one entry a line: readable, and json's C encoder does the work
    (`indent=` would fall back to the pure-Python encoder, a tenth of an import's time)."""
    versions = []
    for sha, version in logs.items():
        head = {k: v for k, v in version.items() if k != "log"}
        entries = ",\n".join(json.dumps(e, ensure_ascii=False) for e in version.get("log") or [])
        versions.append(f"{json.dumps(sha)}: {json.dumps(head, ensure_ascii=False)[:-1]}"
                        f"{', ' if head else ''}\"log\": [\n{entries}]}}")
    return "{\n" + ",\n".join(versions) + "\n}\n"
