"""The on-disk archive: one Markdown file per report plus the original bytes, content-addressed.

This is the only code that knows the layout of the data folder (see docs/ARCHITECTURE.md):

    reports/<id>.md  <id>.log.json  <id>.override.yaml   originals/<sha[:2]>/<sha>.<ext>
    catalog.sqlite (every report's summary, derived: `archive.catalog`)
    tmp/ (reports and logs being written, renamed into reports/ when complete)

Every write goes to a temporary file, is fsync'ed and then renamed over the target, originals
first and the report file last: the report file is the commit point, so a crash half-way leaves
the archive as it was (an extra original may remain; it is harmless). The renames into reports/
happen inside the catalogue's write transaction (`BEGIN IMMEDIATE`, the one writer lock), which
records them; a crash between the rename and the commit leaves a file the catalogue does not
describe, and the folder's changed stamp makes the next reader or writer scan for it.

Disk flushes are most of an import's time, so an import makes three: the original's contents
and folder (before the write lock is taken: it is content-addressed, and other writers need not
wait on it) and the report file's contents. The reports folder itself is not fsync'ed after an
import (`set_fields` does): the new report becomes durable with the file system's next commit
(ext4: within 5 s), so a power cut just after an import may undo that import, whole, but never
leaves a partial report or one without its original. The import log is not fsync'ed at all
(see `_Plan.stage`).
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePath
from typing import Any, Callable, Iterator, Optional

import yaml

from archive.catalog import Catalog, Changes, Generation
from archive.errors import ArchiveError, ImportFailed, InvalidField, ReportNotFound
from archive.fields import apply_fields, validate_fields
from archive.files import Staged, atomic_write, fsync_dir, write_tmp
from archive.folding import fold
from archive.mdfile import canonical, from_markdown, read_markdown, to_markdown
from archive.model import LogEntry, Place, Report

__all__ = ["Archive", "ImportResult", "Summary", "Changes", "Generation", "valid_id",
           "validate_fields", "to_markdown", "from_markdown"]

log = logging.getLogger(__name__)

_ID = re.compile(r"[0-9A-Za-z\u4e00-\u9fff（）()·_-]{1,80}")
_ID_CHAR = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff（）()·_-]")
_SHA = re.compile(r"[0-9a-f]{64}")
LOW_CONFIDENCE = 0.6
_GET_CACHE_SIZE = 256


def valid_id(report_id: Any) -> bool:
    """True for a well-formed report id: the only kind of id ever turned into a path."""
    return (isinstance(report_id, str) and _ID.fullmatch(report_id) is not None
            and ".." not in report_id)


@dataclass
class ImportResult:
    path: str
    status: str                      # imported | updated | unchanged | failed
    report_id: Optional[str] = None
    error: Optional[str] = None      # one line, when failed
    report: Optional[Report] = None  # the stored report, when imported or updated
    generation: Optional[int] = None  # the catalogue generation number its write made

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "report_id": self.report_id,
                "error": self.error}


@dataclass(frozen=True)
class Summary:
    """What listing and browsing pages need of a report, without reading its paragraphs."""
    id: str
    title: Optional[str]
    title_derived: bool
    place: Place
    year: Optional[int]
    issued: Optional[str]
    script: str
    n_paragraphs: int
    flags: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["flags"] = list(self.flags)
        return d


def _title_key(town: Optional[str], year: Optional[int], title: Optional[str]):
    return (fold(town), year, fold(title or "")) if town and year else None


def _report_key(report: Report):
    return _title_key(report.place.town, report.year, report.title)


def _meta_copy(report: Report, **changes: Any) -> Report:
    """A copy whose metadata can be changed (`apply_fields`, id, history) without touching
    `report`; paragraphs and log are shared (deep-copying them cost more than an import)."""
    return replace(report, place=replace(report.place), provenance=dict(report.provenance),
                   flags=list(report.flags), history=list(report.history), **changes)


def _probe(report: Report, fields: dict[str, Any]) -> Report:
    """`report`'s metadata with `fields` applied, for computing its key or id."""
    probe = _meta_copy(report, paragraphs=[], log=[])
    apply_fields(probe, fields)
    return probe


# ---- the archive -----------------------------------------------------------------------------

class Archive:
    """A data folder of reports. Thread-safe; several processes may write at once.

    `read_report(bytes, filename) -> Report` turns a file into a report for `import_bytes`
    (the importers; the workflows layer passes `importers.read_report`). Without it the archive
    can be read and corrected but not imported into."""

    #: Readers and writers stat every report file at most this often (seconds) to notice edits
    #: made in place; renames (every store write, most editors' saves) change the folder's stamp
    #: and are seen at once.
    rescan_interval = 1.0

    def __init__(self, data_dir: os.PathLike | str,
                 read_report: Optional[Callable[[bytes, str], Report]] = None):
        self.data_dir = Path(data_dir)
        self.reports_dir = self.data_dir / "reports"
        self.originals_dir = self.data_dir / "originals"
        self.index_dir = self.data_dir / "index"
        self.tmp_dir = self.data_dir / "tmp"
        self.catalog = Catalog(self.data_dir)
        self._read_report = read_report
        self._mutex = threading.RLock()
        self._scanned_at: Optional[float] = None  # monotonic(); None: not yet in this process
        self._summaries: Optional[tuple[Generation, list[Summary]]] = None
        self._cache: OrderedDict[str, tuple] = OrderedDict()  # id -> (stamp, report, notes)

    # -- paths

    def _md(self, rid: str) -> Path:
        return self.reports_dir / f"{rid}.md"

    def _log_path(self, rid: str) -> Path:
        return self.reports_dir / f"{rid}.log.json"

    def _override_path(self, rid: str) -> Path:
        return self.reports_dir / f"{rid}.override.yaml"

    # -- reading

    def ids(self) -> list[str]:
        try:
            names = os.listdir(self.reports_dir)
        except FileNotFoundError:
            return []
        return sorted(n[:-3] for n in names
                      if n.endswith(".md") and not n.startswith(".") and valid_id(n[:-3]))

    def generation(self) -> Generation:
        """The catalogue's state: it changes with every report written, corrected, edited by
        hand or removed (hand edits once a scan found them: see `_refresh`)."""
        self._refresh()
        return self.catalog.generation() if self.data_dir.is_dir() else Generation("", 0)

    def changes_since(self, since: Optional[Generation]) -> Changes:
        """The reports written (imported, corrected, edited by hand) or removed after `since`
        (None: every report), and the generation to ask from next time."""
        self._refresh(scan=True)
        if not self.data_dir.is_dir():
            return Changes(Generation("", 0), {}, [], complete=since is None)
        return self.catalog.changes_since(since)

    def markdown(self, report_id: str) -> str:
        """The stored file of a report, as text (what `archive show --md` prints); works on a
        file too broken to parse, so it can be looked at."""
        if not valid_id(report_id):
            raise _not_found(report_id)
        try:
            return self._md(report_id).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise _not_found(report_id) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{report_id}.md 无法读取: {exc}") from None

    def get(self, report_id: str) -> Report:
        """The report with this id (a copy: change it freely). Raises ReportNotFound."""
        return copy.deepcopy(self._load(report_id)[0])

    def reports(self) -> Iterator[Report]:
        """Every readable report, in id order; unreadable files are logged and skipped
        (`check()` lists them)."""
        for rid in self.ids():
            try:
                yield self.get(rid)
            except ArchiveError as exc:
                log.warning("跳过 %s: %s", rid, exc)

    def _load(self, rid: str) -> tuple[Report, list[str]]:
        if not valid_id(rid):
            raise _not_found(rid)
        path = self._md(rid)
        try:
            stamp = _stamp(path.stat())
        except FileNotFoundError:
            raise _not_found(rid) from None
        with self._mutex:
            hit = self._cache.get(rid)
            if hit and hit[0] == stamp:
                self._cache.move_to_end(rid)
                return hit[1], hit[2]
        report, notes = self._parse(rid, path)
        report.log = self._read_log(rid, report.source.sha256)[1]
        with self._mutex:
            self._remember(rid, stamp, report, notes)
        return report, notes

    def _remember(self, rid: str, stamp: list[int], report: Report, notes: list[str]) -> None:
        self._cache[rid] = (stamp, report, notes)
        self._cache.move_to_end(rid)
        while len(self._cache) > _GET_CACHE_SIZE:
            self._cache.popitem(last=False)

    def _parse(self, rid: str, path: Path, texts: Optional[list[str]] = None
               ) -> tuple[Report, list[str]]:
        """The report in `path` and notes on what was odd in it; its text goes to `texts`."""
        try:
            text = path.read_text(encoding="utf-8")
            if texts is not None:
                texts.append(text)
            report, notes = read_markdown(text)
        except UnicodeDecodeError:
            raise ArchiveError(f"{path.name} 无法读取: 不是 UTF-8 文本") from None
        except OSError as exc:
            raise ArchiveError(f"{path.name} 无法读取: {exc.strerror or exc}") from None
        except ArchiveError as exc:
            raise ArchiveError(f"{path.name} 无法读取: {exc}") from None
        if report.id and report.id != rid:
            notes.append(f"元数据中的 id ({report.id}) 与文件名不一致, 以文件名为准")
        report.id = rid
        return report, notes

    def _read_logs(self, rid: str) -> dict[str, Any]:
        """{sha256: {"imported_at", "log"}} for every version imported under this id. Keeping
        them all lets the new version's log be written before its report file (the commit
        point) without losing the current version's log if the write stops half-way."""
        try:
            d = json.loads(self._log_path(rid).read_text(encoding="utf-8"))
            return d if isinstance(d, dict) else {}
        except (OSError, ValueError):
            return {}

    def _read_log(self, rid: str, sha256: str) -> tuple[Optional[str], list[LogEntry]]:
        """(imported_at, log) of the version with this original."""
        try:
            d = self._read_logs(rid)[sha256]
            return d.get("imported_at"), [LogEntry(**e) for e in d.get("log") or []]
        except (KeyError, TypeError, AttributeError):
            return None, []

    def _read_overrides(self, rid: str) -> dict[str, Any]:
        path = self._override_path(rid)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ValueError("应为 '字段: 值' 的列表")
            return validate_fields({str(k): v for k, v in data.items()})
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, yaml.YAMLError, InvalidField) as exc:
            raise ArchiveError(f"修正文件 {path.name} 有误: {str(exc).splitlines()[0]}") from None

    def original_path(self, report_id: str, sha256: Optional[str] = None) -> Path:
        """The stored original of a report: the current one, or an earlier one from `history`."""
        report = self._load(report_id)[0]
        known = [report.source.sha256] + [h.get("sha256") for h in report.history]
        sha = sha256 or report.source.sha256
        if sha not in known or not _SHA.fullmatch(sha or ""):
            raise ReportNotFound(f"报告 {report_id} 没有这个原件")
        found = self._find_original(sha)
        if found is None:
            raise ArchiveError(f"报告 {report_id} 的原件缺失 ({sha[:12]}…); 运行 archive check")
        return found

    def _find_original(self, sha: str) -> Optional[Path]:
        folder = self.originals_dir / sha[:2]
        try:
            return next((folder / n for n in os.listdir(folder)
                         if n.split(".", 1)[0] == sha), None)
        except FileNotFoundError:
            return None

    # -- the catalogue: one summary per report, kept in line with the files by stat scans

    def summaries(self) -> list[Summary]:
        """Every readable report's summary, in id order. Cheap: from the catalogue, rebuilt as a
        list only when its generation changed."""
        self._refresh()
        if not self.data_dir.is_dir():
            return []
        with self.catalog.reading():
            generation = self.catalog.generation()
            held = self._summaries
            if held is None or held[0] != generation:
                held = (generation, [_summary(rid, e) for rid, e in self.catalog.entries()
                                     if "error" not in e])
                self._summaries = held
        return list(held[1])

    def _refresh(self, scan: bool = False) -> None:
        """Bring the catalogue in line with the files: scan when the reports folder changed in
        a way the catalogue does not know of (a hand edit or delete, a writer that died before
        its commit), when `scan`, and every `rescan_interval` for edits made in place."""
        if not self.data_dir.is_dir():
            return
        now = time.monotonic()
        due = (scan or self._scanned_at is None
               or now - self._scanned_at >= self.rescan_interval)
        if due or self._reports_dir_stamp() != self.catalog.folder_stamp():
            self._scan()

    def _reports_dir_stamp(self) -> Optional[list[int]]:
        try:
            return _stamp(self.reports_dir.stat())
        except FileNotFoundError:
            return None

    def _scan(self) -> None:
        """Stat every report file; parse those whose stamp is not the catalogue's (outside the
        write lock), then record them, and drop the rows of files gone, in one transaction."""
        folder = self._reports_dir_stamp()
        known = self.catalog.stamps()
        files: dict[str, list[int]] = {}
        corrected: set[str] = set()
        try:
            entries = list(os.scandir(self.reports_dir))
        except FileNotFoundError:
            entries = []
        for de in entries:
            if de.name.endswith(".override.yaml"):
                corrected.add(de.name[:-len(".override.yaml")])
            elif de.name.endswith(".md") and valid_id(de.name[:-3]):
                try:
                    files[de.name[:-3]] = _stamp(de.stat())
                except FileNotFoundError:
                    continue
        fresh = {rid: self._file_entry(rid, stamp) for rid, stamp in files.items()
                 if known.get(rid, (None,))[0] != stamp}
        gone = [rid for rid in known if rid not in files]
        flags = [rid for rid in files if rid in known and known[rid][1] != (rid in corrected)]
        if fresh or gone or flags or folder != self.catalog.folder_stamp():
            try:
                with self.catalog.writing() as con:
                    self._record_scan(con, folder, fresh, gone, {r: r in corrected for r in flags},
                                      corrected)
            except sqlite3.OperationalError as exc:  # a read-only folder: rows stay as they were
                log.debug("catalogue not updated: %s", exc)
        self._scanned_at = time.monotonic()

    def _file_entry(self, rid: str, stamp: list[int]) -> dict[str, Any]:
        texts: list[str] = []
        try:
            return _entry(self._parse(rid, self._md(rid), texts)[0], stamp, texts[0])
        except ArchiveError as exc:
            return {"stamp": stamp, "error": str(exc)}

    def _record_scan(self, con, folder, fresh: dict, gone: list, flags: dict, corrected: set) -> None:
        """Under the write lock: record what a scan found, where the file is still as it found
        it (a writer may have replaced it meanwhile, and recorded that itself)."""
        changed = []
        for rid, entry in fresh.items():
            try:
                if _stamp(self._md(rid).stat()) != entry["stamp"]:
                    continue
            except FileNotFoundError:
                continue
            old = self.catalog.entry(rid)
            self.catalog.put(con, rid, entry, rid in corrected)
            if not (old and old.get("digest") and old.get("digest") == entry.get("digest")):
                changed.append(rid)  # (the same text under a new stamp, e.g. restored: unchanged)
        for rid in gone:
            if not self._md(rid).exists():
                self.catalog.delete(con, rid)
                changed.append(rid)
        for rid, flag in flags.items():
            self.catalog.set_corrected(con, rid, flag)
        self.catalog.set_folder_stamp(con, folder)
        if changed:
            self.catalog.bump(con, changed)

    # -- writing

    @contextmanager
    def _write_lock(self) -> Iterator[sqlite3.Connection]:
        """The catalogue's write transaction — the one writer lock, across processes — with the
        catalogue first brought in line with the folder if something else changed it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._mutex, self.catalog.writing() as con:
            if self._reports_dir_stamp() != self.catalog.folder_stamp():
                self._scan()
            yield con

    def import_file(self, path: os.PathLike | str) -> ImportResult:
        path = Path(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return ImportResult(str(path), "failed", error="文件不存在")
        except IsADirectoryError:
            return ImportResult(str(path), "failed", error="这是一个文件夹, 不是文件")
        except PermissionError:
            return ImportResult(str(path), "failed", error="没有读取这个文件的权限")
        except OSError as exc:
            return ImportResult(str(path), "failed", error=f"无法读取文件: {exc.strerror or exc}")
        return replace(self.import_bytes(data, path.name), path=str(path))

    def import_bytes(self, data: bytes, filename: str,
                     overrides: Optional[dict[str, Any]] = None) -> ImportResult:
        """Store one file. Never raises for a bad file: the result says what happened."""
        name = PurePath(str(filename).replace("\\", "/")).name or "unnamed"
        sha = hashlib.sha256(data).hexdigest()
        try:
            fields = validate_fields(overrides or {})
        except InvalidField as exc:
            return ImportResult(name, "failed", error=str(exc))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._refresh()  # unlocked: a stale answer only costs a parse
        same = self.catalog.with_sha(sha)
        if same and not fields:
            return ImportResult(name, "unchanged", same)
        staged = None
        try:
            if not same and self._find_original(sha) is None:
                # The original's bytes go to disk while the file is read: the flush takes as long.
                staged = Staged(self.originals_dir / sha[:2], data)
            return self._read_and_store(data, name, sha, fields, staged)
        except OSError as exc:
            return ImportResult(name, "failed", error=f"无法写入归档 ({exc.strerror or exc}); "
                                                      f"检查数据目录 {self.data_dir} 的权限和空间")
        finally:
            if staged is not None:
                staged.discard()

    def _read_and_store(self, data: bytes, name: str, sha: str, fields: dict,
                        staged: Optional[Staged]) -> ImportResult:
        def failed(message: str) -> ImportResult:
            return ImportResult(name, "failed", error=message)

        try:
            if self._read_report is None:
                raise ImportFailed("这个归档没有设置导入程序, 只能查看和修正")
            report = self._read_report(data, name)
        except ImportFailed as exc:
            return failed(str(exc))
        except Exception as exc:  # an importer bug must not stop a batch import
            log.exception("importer crashed on %s", name)
            return failed(f"导入程序内部错误 ({type(exc).__name__}: {exc}); 请把该文件交给维护人员")
        report.source.sha256 = sha
        report.source.path = name
        if staged is not None:
            # Content-addressed, so stored before taking the lock: other writers need not wait.
            staged.commit(self._original_target(sha, name, report.source.format))
        plan = None
        try:
            # Everything slow (building the file, flushing it) is done before taking the lock,
            # from the catalogue as it is now; under the lock it is only renamed into place,
            # unless another writer changed what the plan was based on meanwhile.
            self._refresh()
            try:
                plan = self._plan(report, fields)
            except (ArchiveError, ValueError):  # maybe a stale view: decided under the lock
                plan = None
            if plan is not None:
                plan.stage(self)
            with self._write_lock():
                if plan is not None and self._still_valid(plan, report, fields):
                    return self._commit(plan)
                return self._store(report, fields)
        except (ArchiveError, ValueError) as exc:
            return failed(str(exc))
        finally:
            if plan is not None:
                plan.discard()

    def _store(self, report: Report, fields: dict) -> ImportResult:
        """Under the write lock, the original already stored: find or pick the id, write."""
        sha, name = report.source.sha256, report.source.path
        same = self.catalog.with_sha(sha)
        if same:  # same bytes stored meanwhile, or staff corrections sent with known bytes
            current = self._load(same)[0]
            if all(current.meta(k) == v for k, v in fields.items()):
                return ImportResult(name, "unchanged", same)
            return ImportResult(name, "updated", same, report=self._set_locked(same, fields))
        plan = self._plan(report, fields)
        try:
            plan.stage(self)
            return self._commit(plan)
        finally:
            plan.discard()

    def _target(self, report: Report, fields: dict) -> str:
        """The id `report` is stored under: a stored report's it is a new version of, or new."""
        return self._existing_for(report, fields) or self._new_id(_probe(report, fields))

    def _basis(self, rid: str) -> tuple:
        """What a plan to write `rid` was built from: its file's and its corrections' versions."""
        try:
            override = _stamp(self._override_path(rid).stat())
        except FileNotFoundError:
            override = None
        return self.catalog.stamp(rid), override

    def _plan(self, report: Report, fields: dict) -> Optional[_Plan]:
        """What storing `report` would write, as the catalogue stands; None when its bytes are
        stored already. `report` itself is left as it is."""
        if self.catalog.with_sha(report.source.sha256):
            return None
        rid = self._target(report, fields)
        old = self._load(rid)[0] if self.catalog.has(rid) else None
        basis = self._basis(rid)
        overrides = {**self._read_overrides(rid), **fields}
        report = _meta_copy(report)
        apply_fields(report, overrides)
        report.id = rid
        if old is not None:
            imported_at = self._read_log(rid, old.source.sha256)[0]
            report.history = old.history + [{
                "sha256": old.source.sha256, "format": old.source.format,
                "path": old.source.path, "imported_at": imported_at}]
        report, text = canonical(report)  # exactly what get() will return; ValueError if unstorable
        logs = self._read_logs(rid) if old is not None else {}
        logs[report.source.sha256] = {"imported_at": dt.datetime.now().isoformat(timespec="seconds"),
                                      "log": [vars(e) for e in report.log]}  # asdict(): 10x slower
        return _Plan(rid, basis, old is not None, report, text, _logs_json(logs),
                     overrides if fields else None)

    def _still_valid(self, plan: _Plan, report: Report, fields: dict) -> bool:
        """Under the lock: the plan's id is still the one to write, and what it read unchanged."""
        return (not self.catalog.with_sha(report.source.sha256)
                and self._target(report, fields) == plan.rid
                and self._basis(plan.rid) == plan.basis)

    def _commit(self, plan: _Plan) -> ImportResult:
        """Under the lock: rename the staged log and report into place, log first."""
        os.replace(plan.staged_log, self._log_path(plan.rid))
        if plan.overrides is not None:
            self._write_overrides(plan.rid, plan.overrides)
        os.replace(plan.staged_report, self._md(plan.rid))
        generation = self._committed(plan.rid, plan.report, plan.text)
        return ImportResult(plan.report.source.path, "updated" if plan.updated else "imported",
                            plan.rid, report=plan.report, generation=generation)

    def _existing_for(self, report: Report, fields: dict) -> Optional[str]:
        """The stored report this one is a new version of: same town, year and title once the
        stored report's own corrections are applied to the new one. The first such id wins."""
        plain = self.catalog.with_key(_report_key(_probe(report, fields)), corrected=False)
        best = plain[0] if plain else None
        for rid, key in self.catalog.corrected():  # few: staff corrections
            if best is not None and rid > best:
                break
            if key and _report_key(_probe(report, {**self._read_overrides(rid), **fields})) == key:
                return rid
        return best

    def _new_id(self, report: Report) -> str:
        town, year = report.place.town, report.year
        base = f"{town or '未知镇'}-{year or '未知年'}"
        if not (town and year):
            base += f"-{report.source.sha256[:8]}"
        base = _ID_CHAR.sub("_", base.replace("..", "_"))[:72]
        rid, n = base, 1
        while self.catalog.has(rid) or self._md(rid).exists():
            n += 1
            rid = f"{base}-{n}"
        return rid

    def _original_target(self, sha: str, name: str, fmt: str) -> Path:
        ext = PurePath(name).suffix.lower().lstrip(".")
        if not re.fullmatch(r"[a-z0-9]{1,10}", ext):
            ext = fmt if re.fullmatch(r"[a-z0-9]{1,10}", fmt or "") else "bin"
        return self.originals_dir / sha[:2] / f"{sha}.{ext}"

    def _write_overrides(self, rid: str, overrides: dict[str, Any]) -> None:
        text = yaml.safe_dump(overrides, allow_unicode=True, sort_keys=True)
        # The folder is synced by set_fields, or with the import (see the module docstring).
        atomic_write(self._override_path(rid), text.encode("utf-8"), sync_dir=False)

    def _write_report(self, rid: str, report: Report, text: str) -> None:
        """The commit point, under the write lock. Its folder is not fsync'ed here (see the
        module docstring)."""
        atomic_write(self._md(rid), text.encode("utf-8"), sync_dir=False)
        self._committed(rid, report, text)

    def _committed(self, rid: str, report: Report, text: str) -> int:
        """Under the write lock, once <rid>.md holds `report`: its row, the folder's new stamp
        and a new generation, committed with the lock's transaction."""
        with self.catalog.writing() as con:
            self.catalog.put(con, rid, _entry(report, _stamp(self._md(rid).stat()), text),
                             self._override_path(rid).exists())
            self.catalog.set_folder_stamp(con, self._reports_dir_stamp())
            generation = self.catalog.bump(con, [rid])
        self._cache.pop(rid, None)  # the next get() reads the file: cheaper than a deep copy now
        return generation

    def set_fields(self, report_id: str, fields: dict[str, Any]) -> Report:
        """Correct metadata now and on every later re-import (kept in <id>.override.yaml)."""
        fields = validate_fields(fields)
        try:
            with self._write_lock():
                report = self._set_locked(report_id, fields)
            fsync_dir(self.reports_dir)  # a staff correction is rare: make it durable at once
            return report
        except OSError as exc:
            raise ArchiveError(f"无法写入归档 ({exc.strerror or exc}); "
                               f"检查数据目录 {self.data_dir} 的权限") from None

    def _set_locked(self, rid: str, fields: dict[str, Any]) -> Report:
        report = copy.deepcopy(self._load(rid)[0])
        apply_fields(report, fields)
        self._write_overrides(rid, {**self._read_overrides(rid), **fields})
        self._write_report(rid, report, to_markdown(report))
        return copy.deepcopy(report)

    # -- review and integrity

    def review(self) -> list[tuple[Report, list[str]]]:
        """Reports whose town or year is missing or uncertain (confidence < 0.6), with reasons."""
        self._refresh()
        out = []
        for rid, e in self.catalog.entries() if self.data_dir.is_dir() else ():
            if "error" in e:
                continue
            reasons = []
            for name, label, value in (("town", "镇名", e["place"].get("town")),
                                       ("year", "年份", e["year"])):
                conf = e["confidence"].get(name)
                if value is None:
                    reasons.append(f"缺少{label}")
                elif conf is not None and conf < LOW_CONFIDENCE:
                    reasons.append(f"{label}「{value}」把握不大 (置信度 {conf:.2f})")
            if reasons:
                try:
                    out.append((self.get(rid), reasons))
                except ArchiveError:
                    continue
        return out

    def check(self) -> list[str]:
        """Problems found in the data folder, one line each; an empty list means healthy."""
        problems: list[str] = []
        referenced: dict[str, str] = {}  # sha -> id
        ids = set(self.ids())
        for rid in sorted(ids):
            try:
                report, notes = self._load(rid)
            except ArchiveError as exc:
                problems.append(str(exc))
                continue
            problems += [f"{rid}.md: {n}" for n in notes]
            for sha in [report.source.sha256] + [h.get("sha256") for h in report.history]:
                referenced.setdefault(str(sha), rid)
            try:
                self._read_overrides(rid)
            except ArchiveError as exc:
                problems.append(str(exc))
        for sha, rid in sorted(referenced.items()):
            if not _SHA.fullmatch(sha) or self._find_original(sha) is None:
                problems.append(f"{rid}: 原件缺失 ({sha[:12]}…)")
        for path in sorted(self.tmp_dir.glob("*")):
            problems.append(f"残留的临时文件 {path} (可删除)")
        for path in sorted(self.originals_dir.glob("*/*")):
            if path.name.startswith("."):
                problems.append(f"残留的临时文件 {path} (可删除)")
            elif _sha256_file(path) != path.name.split(".", 1)[0]:
                problems.append(f"原件 {path.name} 的内容与其哈希值不符 (文件已被改动或损坏)")
        for path in sorted(self.reports_dir.glob("*")) if self.reports_dir.is_dir() else []:
            name = path.name
            if name.startswith("."):
                if name.endswith(".tmp"):
                    problems.append(f"残留的临时文件 {path} (可删除)")
                continue
            for suffix in (".log.json", ".override.yaml"):
                if name.endswith(suffix) and name[:-len(suffix)] not in ids:
                    problems.append(f"{name} 没有对应的报告文件 {name[:-len(suffix)]}.md")
            if name.endswith(".md") and not valid_id(name[:-3]):
                problems.append(f"{name}: 文件名不是有效的报告编号, 不会被读取")
        return problems


# ---- helpers ---------------------------------------------------------------------------------

def _not_found(rid: Any) -> ReportNotFound:
    if not valid_id(rid):
        return ReportNotFound(f"没有编号为 {str(rid)[:80]!r} 的报告 (编号格式不对)")
    return ReportNotFound(f"没有编号为 {rid} 的报告; 用 archive list 查看全部编号")


def _stamp(st: os.stat_result) -> list[int]:
    """Identity of a file version; a rename-over (every write here) always changes the inode."""
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def _entry(report: Report, stamp: list[int], text: str) -> dict[str, Any]:
    return {
        "stamp": stamp, "digest": hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest(), "title": report.title, "title_derived": report.title_derived,
        "place": asdict(report.place), "year": report.year, "issued": report.issued,
        "script": report.script, "n_paragraphs": len(report.paragraphs),
        "flags": list(report.flags), "sha256": report.source.sha256,
        "key": _title_key(report.place.town, report.year, report.title),
        "confidence": {k: p.confidence for k, p in report.provenance.items()
                       if k in ("town", "year")},
    }


def _summary(rid: str, e: dict[str, Any]) -> Summary:
    return Summary(id=rid, title=e["title"], title_derived=e["title_derived"],
                   place=Place(**e["place"]), year=e["year"], issued=e["issued"],
                   script=e["script"], n_paragraphs=e["n_paragraphs"], flags=tuple(e["flags"]))


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _logs_json(logs: dict[str, Any]) -> str:
    """The import logs, one entry a line: readable, and json's C encoder does the work
    (`indent=` would fall back to the pure-Python encoder, a tenth of an import's time)."""
    versions = []
    for sha, version in logs.items():
        head = {k: v for k, v in version.items() if k != "log"}
        entries = ",\n".join(json.dumps(e, ensure_ascii=False) for e in version.get("log") or [])
        versions.append(f"{json.dumps(sha)}: {json.dumps(head, ensure_ascii=False)[:-1]}"
                        f"{', ' if head else ''}\"log\": [\n{entries}]}}")
    return "{\n" + ",\n".join(versions) + "\n}\n"


@dataclass
class _Plan:
    """A report ready to be written under `rid`, and what that decision was based on."""
    rid: str
    basis: tuple
    updated: bool
    report: Report
    text: str
    logs: str
    overrides: Optional[dict[str, Any]]
    staged_log: Optional[Path] = None
    staged_report: Optional[Path] = None

    def stage(self, archive: "Archive") -> None:
        """Write the files in tmp/ (in reports/ they would change the folder's stamp, which
        other writers read as a change from outside); the report is fsync'ed, the log is not
        (an account of the cleaning, not the report: a power cut soon after may lose it)."""
        archive.reports_dir.mkdir(parents=True, exist_ok=True)
        archive.tmp_dir.mkdir(exist_ok=True)
        self.staged_log = write_tmp(archive.tmp_dir / f"{self.rid}.log.json",
                                     self.logs.encode("utf-8"), False)
        self.staged_report = write_tmp(archive.tmp_dir / f"{self.rid}.md",
                                        self.text.encode("utf-8"), True)

    def discard(self) -> None:
        """Remove what was staged and not renamed into place."""
        for tmp in (self.staged_log, self.staged_report):
            if tmp is not None:
                tmp.unlink(missing_ok=True)
