"""Staff corrections with an audit trail: who changed which metadata of a report, and when.

`correct(archive, id, fields, who)` is what the web edit form (and the review page) call: it
keeps the corrections as overrides (`Archive.set_fields`: they survive re-import), moves the
report to the id its town and year now call for (`renames.rename`: the old id redirects), and
appends one line per edit to `reports/<id>.audit.jsonl`:

    {"at": "2025-03-01T08:00:00+00:00", "who": "管理员 张三", "address": "10.0.0.7",
     "changes": {"town": ["未知", "赵集镇"]}, "renamed": ["未知镇-2024-1a2b3c4d", "赵集镇-2024"]}

The file moves with the report when it is renamed. "who" is what the web layer knows of the
editor: the site has one administrator password, so it is the name the editor typed (if any)
and the client address.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from archive.errors import ArchiveError
from archive.fields import validate_fields
from archive.renames import rename as move_report, resolve

if TYPE_CHECKING:
    from archive.model import Report
    from archive.store import Archive

SUFFIX = ".audit.jsonl"


@dataclass
class Correction:
    report: "Report"               # as stored now (under `report.id`)
    old_id: str                    # the id it had before this correction
    changes: dict[str, list[Any]] = field(default_factory=dict)  # field -> [before, after]

    @property
    def renamed(self) -> bool:
        return self.report.id != self.old_id


def _path(archive: "Archive", report_id: str):
    return archive.reports_dir / f"{report_id}{SUFFIX}"


def entries(archive: "Archive", report_id: str) -> list[dict[str, Any]]:
    """The report's audit trail, oldest first (damaged lines skipped)."""
    try:
        lines = _path(archive, resolve(archive, report_id)).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{report_id}{SUFFIX} 无法读取: {exc}") from None
    out = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


def append(archive: "Archive", report_id: str, entry: dict[str, Any]) -> None:
    """One line, appended whole (O_APPEND) and flushed to disk: edits are rare, the trail matters."""
    line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(_path(archive, report_id), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def correct(archive: "Archive", report_id: str, fields: dict[str, Any], who: str,
            address: Optional[str] = None, now: Optional[dt.datetime] = None,
            via: Optional[str] = None) -> Correction:
    """Apply staff corrections to a report (an old, redirected id works too), record them, and
    give the report the id its town and year call for. Fields whose value does not change are
    left alone; nothing is written when nothing changes. `via` notes where the edit was made
    ("upload"; the edit form leaves it out). Raises InvalidField, ReportNotFound."""
    report_id = resolve(archive, report_id)
    fields = validate_fields(fields)
    current = archive.get(report_id)
    changes = {name: [current.meta(name), value] for name, value in fields.items()
               if current.meta(name) != value}
    if not changes:
        return Correction(current, report_id)
    report = archive.set_fields(report_id, {name: fields[name] for name in changes})
    at = _timestamp(now)
    record(archive, report_id, who, address, at=at, via=via, changes=changes)
    new_id = rename(archive, report_id, who, address, at=at, via=via)
    return Correction(archive.get(new_id) if new_id != report_id else report, report_id, changes)


def confirm(archive: "Archive", report_id: str, names: list[str], who: str,
            address: Optional[str] = None, now: Optional[dt.datetime] = None) -> "Report":
    """Staff confirm that values the importer read with low confidence are right (确认无误):
    each is kept as a correction of the same value (full confidence, so the report leaves the
    review list; it survives re-import) and recorded as `confirmed`; nothing else changes."""
    report_id = resolve(archive, report_id)
    current = archive.get(report_id)
    values = {name: current.meta(name) for name in names if current.meta(name) is not None}
    if not values:
        return current
    report = archive.set_fields(report_id, values)
    record(archive, report_id, who, address, at=_timestamp(now), confirmed=values)
    return report


def rename(archive: "Archive", report_id: str, who: str, address: Optional[str],
           at: Optional[str] = None, via: Optional[str] = None) -> str:
    """`renames.rename` to the id the report's town and year call for, recorded in the trail
    when the id changes. Returns the report's id afterwards."""
    new_id = move_report(archive, report_id)
    if new_id != report_id:
        record(archive, new_id, who, address, at=at, via=via, renamed=[report_id, new_id])
    return new_id


def _timestamp(now: Optional[dt.datetime] = None) -> str:
    return (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")


def record(archive: "Archive", report_id: str, who: str, address: Optional[str],
           at: Optional[str] = None, **what: Any) -> None:
    """Append an entry (`changes`, `renamed`, `via`…) by `who` from `address` to the trail."""
    entry = {"at": at or _timestamp(), "who": who, "address": address}
    entry.update((k, v) for k, v in what.items() if v is not None)
    append(archive, report_id, entry)
