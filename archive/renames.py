"""Renaming a report, and the permanent redirects that keep its old ids working.

A report's id is `<place>-<year>` (`rules.id_base`); when staff correct the place or year the
report moves to the id that now fits, and citations already pasted into documents must still
resolve. The data folder keeps every old id in `redirects.json` ({old id: current id}, flattened
so one lookup answers), and an old id is never given to another report.

`move` runs under the archive's write lock (`Archive.rename`). Its steps, each atomic, are
ordered so that a crash at any point leaves the report readable under one of its ids:

1. `redirects.json` gets old → new (the old file still exists, so the old id is still served);
2. the side files (`.override.yaml`, `.log.json`, `.audit.jsonl`) are copied to the new id;
3. `<new>.md` is written (the report's `id` field changed);
4. `<old>.md` is removed, then the old side files.

`repair` (run first by every `move`) finishes a rename stopped after step 3 and undoes one
stopped before it.
"""
from __future__ import annotations

import glob
import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from archive.errors import ArchiveError, ReportNotFound
from archive.files import atomic_write
from archive.mdfile import to_markdown
from archive.rules import fits_id, valid_id

if TYPE_CHECKING:
    from archive.model import Report
    from archive.store import Archive

FILE = "redirects.json"
SIDE_SUFFIXES = (".override.yaml", ".log.json", ".audit.jsonl")
_cache: dict[Path, tuple[tuple, dict[str, str]]] = {}


def _path(archive: "Archive") -> Path:
    return archive.data_dir / FILE


def redirects(archive: "Archive") -> dict[str, str]:
    """{old id: current id}; re-read only when the file changed (it is read for every import
    and every unknown id a browser asks for)."""
    path = _path(archive)
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    held = _cache.get(path)
    if held is None or held[0] != stamp:
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ArchiveError(f"{FILE} 无法读取 ({exc}); 旧编号的跳转暂不可用") from None
        held = (stamp, {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {})
        _cache[path] = held
    return dict(held[1])


def redirected_ids(archive: "Archive") -> frozenset[str]:
    """Ids that once named a report and now redirect: no other report may take them."""
    return frozenset(redirects(archive))


def target(archive: "Archive", report_id: str) -> Optional[str]:
    """The id a renamed report has now, or None when `report_id` was never renamed."""
    return redirects(archive).get(report_id)


def _save(archive: "Archive", table: dict[str, str]) -> None:
    data = json.dumps(dict(sorted(table.items())), ensure_ascii=False, indent=0)
    atomic_write(_path(archive), (data + "\n").encode("utf-8"))


def fitting_id(archive: "Archive", report_id: str, report: Optional["Report"] = None) -> Optional[str]:
    """The id the report's metadata (or `report`'s: a version not yet stored) calls for when its
    current id no longer fits (another town or year), else None. An old id of this same report
    may be taken back."""
    report = report or archive.get(report_id)
    if fits_id(report_id, report):
        return None
    own_old = frozenset(old for old, new in redirects(archive).items() if new == report_id)
    return archive._new_id(report, free=own_old)


def move(archive: "Archive", old: str, new: Optional[str] = None) -> str:
    """Under the write lock: rename report `old` to `new` (default: `fitting_id`). Returns the
    report's id afterwards."""
    repair(archive)
    old = resolve(archive, old)  # a rename repair() just finished moved it already
    report = archive.get(old)    # ReportNotFound for an unknown or invalid id
    new = new or fitting_id(archive, old)
    if new is None or new == old:
        return old
    if not valid_id(new):
        raise ArchiveError(f"新编号 {new[:80]!r} 不是有效的报告编号")
    table = redirects(archive)
    if archive._md(new).exists() or (new in table and table[new] != old):
        raise ArchiveError(f"编号 {new} 已被占用 (另一份报告或其旧编号), 不能改用")
    # 1. the redirect, flattened: ids that led to `old` now lead to `new`; `new` is current again
    table = {k: (new if v == old else v) for k, v in table.items() if k != new}
    table[old] = new
    _save(archive, table)
    # 2. side files, 3. the report under its new id (fsync'ed), 4. the old files go
    for suffix in SIDE_SUFFIXES:
        src = archive.reports_dir / f"{old}{suffix}"
        if src.exists():
            atomic_write(archive.reports_dir / f"{new}{suffix}", src.read_bytes(), sync_dir=False)
    report.id = new
    atomic_write(archive._md(new), to_markdown(report).encode("utf-8"), sync_dir=False)
    _remove(archive, old)
    return new


def _remove(archive: "Archive", rid: str) -> None:
    archive._md(rid).unlink(missing_ok=True)
    for suffix in SIDE_SUFFIXES:
        (archive.reports_dir / f"{rid}{suffix}").unlink(missing_ok=True)


def repair(archive: "Archive") -> list[str]:
    """Under the write lock: finish or undo renames a crash interrupted. Returns what was done,
    one line each."""
    table = redirects(archive)
    notes = []
    for old, new in list(table.items()):
        for rid in (old, new):  # temporary files of a write the crash cut short
            for tmp in archive.reports_dir.glob(f".{glob.escape(rid)}.*.tmp"):
                tmp.unlink(missing_ok=True)
        if not archive._md(old).exists():
            _remove(archive, old)           # side files left by a stop within step 4
        elif archive._md(new).exists():     # stopped after step 3: the new file is whole
            _remove(archive, old)
            notes.append(f"{old} → {new}: 已完成中断的改名")
        else:                               # stopped before step 3: the old id stays
            for suffix in SIDE_SUFFIXES:
                (archive.reports_dir / f"{new}{suffix}").unlink(missing_ok=True)
            table = {k: (old if v == new else v) for k, v in table.items() if k != old}
            _save(archive, table)
            notes.append(f"{old}: 撤销了中断的改名")
    return notes


def problems(archive: "Archive", ids: set[str]) -> list[str]:
    """`Archive.check`'s lines about redirects: an old id whose report is gone, a rename a
    crash interrupted (the next rename, or `Archive.rename` of that report, repairs it)."""
    try:
        table = redirects(archive)
    except ArchiveError as exc:
        return [str(exc)]
    out = []
    for old, new in sorted(table.items()):
        if old in ids:
            out.append(f"{old} 已改名为 {new}, 但旧文件仍在 (改名被中断; 再次保存该报告即可修复)")
        elif new not in ids:
            out.append(f"旧编号 {old} 跳转到的报告 {new} 不存在")
    return out


def resolve(archive: "Archive", report_id: str) -> str:
    """The id under which `report_id`'s report is stored now (itself when it exists)."""
    if not valid_id(report_id):
        raise ReportNotFound(f"没有编号为 {str(report_id)[:80]!r} 的报告 (编号格式不对)")
    if archive._md(report_id).exists():
        return report_id
    return target(archive, report_id) or report_id
