"""A stored report read again from its own original by the archive's importer (`archive
reimport`): the same id, the staff's corrections applied again, earlier versions kept, and the
ids of unchanged paragraphs carried over (`archive.carryover`), so citations keep pointing at
the same words. The importer runs outside the write lock; under it the report is checked to be
still of the same original, then its log and file are written (only when the file changes).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from archive import originals
from archive.carryover import Carried, carry_ids
from archive.errors import ArchiveError, ImportFailed
from archive.fields import apply_fields, meta_copy, read_overrides
from archive.files import atomic_write
from archive.importlog import logs_json, read_logs
from archive.mdfile import canonical
from archive.model import Report

if TYPE_CHECKING:
    from archive.store import Archive

log = logging.getLogger(__name__)


@dataclass
class Reread:
    """A report read again from its original: before and after, how its paragraph ids were
    carried over, the new file text, whether it differs from the stored one, and the catalogue
    generation its write made."""
    old: Report
    new: Report
    carried: Carried
    text: str
    changed: bool
    generation: Optional[int] = None


def read_again(archive: "Archive", report_id: str, write: bool = True) -> Reread:
    """The report read again from its stored original by the archive's importer, under the
    same id, keeping its corrections and the ids of its unchanged paragraphs; written when
    `write` and the file would change. Raises ArchiveError (one line) when the original is missing, altered
    or unreadable, or the report got a new original meanwhile: it is then left as it is."""
    old = archive.get(report_id)
    fresh = read_original(archive, old)  # the slow part, outside the write lock
    if not write:
        return _version(archive, report_id, old, fresh)
    try:
        with archive.writing():
            old = archive.get(report_id)
            if old.source.sha256 != fresh.source.sha256:
                raise ArchiveError(f"报告 {report_id} 在重新读取期间有了新版本, 未改动; 请再运行一次")
            done = _version(archive, report_id, old, fresh)
            if done.changed:
                _write_log(archive, report_id, done.new)
                done.generation = archive.write_report(report_id, done.new, done.text)
        return done
    except OSError as exc:
        raise ArchiveError(f"无法写入归档 ({exc.strerror or exc}); "
                           f"检查数据目录 {archive.data_dir} 的权限") from None


def read_original(archive: "Archive", report: Report) -> Report:
    """`report`'s stored original as the archive's importer reads it now."""
    sha = report.source.sha256
    if archive.read_report is None:
        raise ArchiveError("这个归档没有设置导入程序, 不能重新读取原件")
    path = originals.find(archive.originals_dir, sha)
    if path is None:
        raise ArchiveError(f"原件缺失 ({(sha or '无')[:12]}…), 报告保持原样; 运行 archive check 查看")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"原件无法读取 ({exc.strerror or exc}), 报告保持原样") from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise ArchiveError("原件的内容与其哈希值不符 (已被改动或损坏), 报告保持原样; 运行 archive check 查看")
    try:
        fresh = archive.read_report(data, report.source.path or path.name)
    except ImportFailed as exc:
        raise ArchiveError(f"原件无法读取: {exc}; 报告保持原样") from None
    except Exception as exc:  # an importer bug must not stop the other reports
        log.exception("importer crashed on %s", path)
        raise ArchiveError(f"导入程序内部错误 ({type(exc).__name__}: {exc}); 报告保持原样, "
                           f"请把原件 {path.name} 交给维护人员") from None
    fresh.source.sha256, fresh.source.path = sha, report.source.path
    return fresh


def _version(archive: "Archive", rid: str, old: Report, fresh: Report) -> Reread:
    """`fresh` with the stored report's id, history, corrections and paragraph ids."""
    new = meta_copy(fresh, id=rid)
    new.history = list(old.history)
    apply_fields(new, read_overrides(archive.override_path(rid)))
    carried = carry_ids(old.paragraphs, fresh.paragraphs, old.retired_ids)
    new.paragraphs = carried.paragraphs
    new.retired_ids = list(dict.fromkeys(old.retired_ids + carried.retired))
    new.moved_ids = moved_ids(old.moved_ids, carried.moved, {p.id for p in new.paragraphs})
    new.log = list(fresh.log) + carried.log
    new, text = canonical(new)
    return Reread(old, new, carried, text, text != archive.markdown(rid))


def moved_ids(earlier: dict[str, str], now: dict[str, str], present: set[str]) -> dict[str, str]:
    """Where every retired id's words are after this re-reading: an id moved earlier follows
    its target if that target was retired now; targets no longer present are dropped."""
    out = {}
    for old, target in {**earlier, **now}.items():
        target = now.get(target, target)
        if target in present:
            out[old] = target
    return out


def _write_log(archive: "Archive", rid: str, report: Report) -> None:
    """This original's import log becomes the new reading's (when it was first imported stays)."""
    path = archive.log_path(rid)
    logs = read_logs(path)
    sha = report.source.sha256
    now = dt.datetime.now().isoformat(timespec="seconds")
    logs[sha] = {"imported_at": (logs.get(sha) or {}).get("imported_at") or now,
                 "reimported_at": now, "log": [vars(e) for e in report.log]}
    atomic_write(path, logs_json(logs).encode("utf-8"), sync_dir=False)
