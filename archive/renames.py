"""Renaming a report, and the permanent redirects that keep its old ids working.

A report's id is `<place>-<year>` (`rules.id_base`); when staff correct the place or year the
report moves to the id that now fits, and citations already pasted into documents must still
resolve. The data folder keeps every old id in `redirects.json` ({old id: current id}, flattened
so one lookup answers), and an old id is never given to another report.

`rename` takes the archive's write lock and runs `move`. Its steps, each atomic, are
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
from typing import TYPE_CHECKING, Optional

from archive.errors import ArchiveError, ReportNotFound
from archive.files import atomic_write, fsync_dir
from archive.mdfile import to_markdown
from archive.rules import fits_id, valid_id

if TYPE_CHECKING:
    from archive.model import Report
    from archive.store import Archive

SIDE_SUFFIXES = (".override.yaml", ".log.json", ".audit.jsonl")


def rename(archive: "Archive", report_id: str, new_id: Optional[str] = None) -> str:
    """Give a report the id its town and year now call for (or `new_id`), moving its files;
    the old id redirects to the new one for good. Returns the id the report has afterwards
    (unchanged when it already fits)."""
    try:
        with archive.writing():
            new = move(archive, report_id, new_id)
            if new != report_id:
                archive.rescan()  # the catalogue as the moves left the folder: old gone, new there
        fsync_dir(archive.reports_dir)
        return new
    except OSError as exc:
        raise ArchiveError(f"无法写入归档 ({exc.strerror or exc}); "
                           f"检查数据目录 {archive.data_dir} 的权限") from None


def fitting_id(archive: "Archive", report_id: str, report: Optional["Report"] = None) -> Optional[str]:
    """The id the report's metadata (or `report`'s: a version not yet stored) calls for when its
    current id no longer fits (another town or year), else None. An old id of this same report
    may be taken back."""
    report = report or archive.get(report_id)
    if fits_id(report_id, report):
        return None
    own_old = frozenset(old for old, new in archive.redirects().items() if new == report_id)
    return archive.new_id(report, free=own_old)


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
    table = archive.redirects()
    if archive.report_path(new).exists() or (new in table and table[new] != old):
        raise ArchiveError(f"编号 {new} 已被占用 (另一份报告或其旧编号), 不能改用")
    # 1. the redirect, flattened: ids that led to `old` now lead to `new`; `new` is current again
    table = {k: (new if v == old else v) for k, v in table.items() if k != new}
    table[old] = new
    archive.write_redirects(table)
    # 2. side files, 3. the report under its new id (fsync'ed), 4. the old files go
    for suffix in SIDE_SUFFIXES:
        src = archive.side_path(old, suffix)
        if src.exists():
            atomic_write(archive.side_path(new, suffix), src.read_bytes(), sync_dir=False)
    report.id = new
    atomic_write(archive.report_path(new), to_markdown(report).encode("utf-8"), sync_dir=False)
    _remove(archive, old)
    return new


def _remove(archive: "Archive", rid: str) -> None:
    archive.report_path(rid).unlink(missing_ok=True)
    for suffix in SIDE_SUFFIXES:
        (archive.side_path(rid, suffix)).unlink(missing_ok=True)


def repair(archive: "Archive") -> list[str]:
    """Under the write lock: finish or undo renames a crash interrupted. Returns what was done,
    one line each."""
    table = archive.redirects()
    notes = []
    for old, new in list(table.items()):
        for rid in (old, new):  # temporary files of a write the crash cut short
            for tmp in archive.reports_dir.glob(f".{glob.escape(rid)}.*.tmp"):
                tmp.unlink(missing_ok=True)
        if not archive.report_path(old).exists():
            _remove(archive, old)           # side files left by a stop within step 4
        elif archive.report_path(new).exists():     # stopped after step 3: the new file is whole
            _remove(archive, old)
            notes.append(f"{old} → {new}: 已完成中断的改名")
        else:                               # stopped before step 3: the old id stays
            for suffix in SIDE_SUFFIXES:
                (archive.side_path(new, suffix)).unlink(missing_ok=True)
            table = {k: (old if v == new else v) for k, v in table.items() if k != old}
            archive.write_redirects(table)
            notes.append(f"{old}: 撤销了中断的改名")
    return notes


def problems(archive: "Archive", ids: set[str]) -> list[str]:
    """`integrity.check`'s lines about redirects: an old id whose report is gone, a rename a
    crash interrupted (the next rename, or `rename` of that report, repairs it)."""
    try:
        table = archive.redirects()
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
    if archive.report_path(report_id).exists():
        return report_id
    return archive.redirects().get(report_id) or report_id
