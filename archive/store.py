"""The on-disk archive: one Markdown file per report plus the original bytes, content-addressed.

This is the only code that knows the layout of the data folder (see docs/ARCHITECTURE.md):

    reports/<id>.md  <id>.log.json  <id>.override.yaml   originals/<sha[:2]>/<sha>.<ext>
    redirects.json (old ids -> current ids: `archive.renames`)
    catalog.sqlite (every report's summary, derived: `archive.catalog`)
    tmp/ (reports and logs being written, renamed into reports/ when complete)

It is the bottom of the package: the operations on an archive (`renames`, `reread`,
`integrity`, `backup`) sit above it and use only its public methods — the paths of a report's
files, `load`, the write lock `writing()` and `write_report`, `rescan`, `new_id` and the
redirect table.

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
import heapq
import json
import logging
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePath
from typing import Any, Callable, Iterator, Optional

from archive import originals
from archive.catalog import OVERRIDE_SUFFIX, Catalog, Changes, Generation
from archive.errors import ArchiveError, ImportFailed, InvalidField, ReportNotFound
from archive.fields import (apply_fields, meta_copy, read_overrides, validate_fields, with_fields,
                            write_overrides)
from archive.files import Staged, atomic_write, fsync_dir, stamp, write_tmp
from archive.folding import fold
from archive.importlog import logs_json, read_log, read_logs
from archive.mdfile import canonical, from_markdown, read_markdown, to_markdown
from archive.model import ImportResult, Place, Report, Summary
from archive.names import display_name
from archive.rules import id_base, reporting_place, valid_id

__all__ = ["Archive", "ImportResult", "Summary", "Changes", "Generation", "valid_id", "id_base",
           "to_markdown", "from_markdown"]

log = logging.getLogger(__name__)

_GET_CACHE_SIZE = 256
# the periodic stat scan: 1 s to 10 min apart, at most 1 % of the time
RESCAN_MIN, RESCAN_MAX, RESCAN_SHARE = 1.0, 600.0, 0.01
REDIRECTS = "redirects.json"
# Files of the JSON catalogue (before catalog.sqlite) no code reads any more: an upgraded data
# folder drops them on its first write.
_RETIRED = ("catalog.json", "catalog.journal", ".lock")


def _title_key(report: Report) -> Optional[tuple]:
    """What makes two imports versions of one report: same place (`reporting_place`: the town,
    or a county's… own), year and title (folded)."""
    place, year = reporting_place(report), report.year
    return (fold(place), year, fold(report.title or "")) if place and year else None


# ---- the archive -----------------------------------------------------------------------------

class Archive:
    """A data folder of reports. Thread-safe; several processes may write at once.

    `read_report(bytes, filename) -> Report` turns a file into a report for `import_bytes`
    (the importers; the workflows layer passes `importers.read_report`). Without it the archive
    can be read and corrected but not imported into."""

    #: Readers and writers stat every report file at most this often (seconds) to notice edits
    #: made in place; renames (every store write, most editors' saves) change the folder's stamp
    #: and are seen at once. None: RESCAN_SHARE — the interval grows with what a scan costs, so
    #: that stat scans take at most 1 % of the time whatever the archive's size (3,500 reports:
    #: about every 2 s; 100,000: every minute or two). `archive check` and
    #: `archive reindex --changed` always scan (see docs/SCALING.md).
    rescan_interval: Optional[float] = None

    def __init__(self, data_dir: os.PathLike | str,
                 read_report: Optional[Callable[[bytes, str], Report]] = None):
        self.data_dir = Path(data_dir)
        self.reports_dir = self.data_dir / "reports"
        self.originals_dir = self.data_dir / "originals"
        self.index_dir = self.data_dir / "index"
        self.tmp_dir = self.data_dir / "tmp"
        self.catalog = Catalog(self.data_dir)
        self.read_report = read_report
        self._mutex = threading.RLock()
        self._scanned_at: Optional[float] = None  # monotonic(); None: not yet in this process
        self._scan_seconds = 0.0  # what the last scan took
        self._summaries: Optional[tuple[Generation, list[Summary]]] = None
        self._cache: OrderedDict[str, tuple] = OrderedDict()  # id -> (stamp, report, notes)
        self._redirects: Optional[tuple[list, dict[str, str]]] = None  # (file stamp, table)
        self._retired = False  # the old catalogue's files removed

    # -- paths

    def report_path(self, rid: str) -> Path:
        """The report's Markdown file (the commit point of every write)."""
        return self.reports_dir / f"{rid}.md"

    def log_path(self, rid: str) -> Path:
        return self.reports_dir / f"{rid}.log.json"

    def override_path(self, rid: str) -> Path:
        return self.reports_dir / f"{rid}{OVERRIDE_SUFFIX}"

    def side_path(self, rid: str, suffix: str) -> Path:
        """A file kept beside the report (`<id><suffix>`: its log, corrections, audit trail)."""
        return self.reports_dir / f"{rid}{suffix}"

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

    def versions(self, ids: Optional[list[str]] = None, scan: bool = True) -> dict[str, str]:
        """id -> version of each readable report (these `ids`, or all): it changes whenever the
        report's text does. `scan=False`: as the catalogue holds them, without looking
        at the folder (cheap enough to ask inside another store's write transaction)."""
        if scan:
            self._refresh(scan=True)
        return self.catalog.versions(ids) if self.data_dir.is_dir() else {}

    def latest(self, n: int) -> list[str]:
        """Ids of the `n` reports written most recently (imported, updated, corrected), newest
        first: what the home page lists under 最新报告."""
        self._refresh()
        if not self.data_dir.is_dir():
            return []
        written = ((version[0], rid) for rid, (version, _) in self.catalog.stamps().items())
        return [rid for _, rid in heapq.nlargest(n, written)]

    def markdown(self, report_id: str) -> str:
        """The stored file of a report, as text (what `archive show --md` prints); works on a
        file too broken to parse, so it can be looked at."""
        if not valid_id(report_id):
            raise _not_found(report_id)
        try:
            return self.report_path(report_id).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise _not_found(report_id) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{report_id}.md 无法读取: {exc}") from None

    def get(self, report_id: str) -> Report:
        """The report with this id (a copy: change it freely). Raises ReportNotFound."""
        return copy.deepcopy(self.load(report_id)[0])

    def reports(self) -> Iterator[Report]:
        """Every readable report, in id order; unreadable files are logged and skipped
        (`check()` lists them)."""
        for rid in self.ids():
            try:
                yield self.get(rid)
            except ArchiveError as exc:
                log.warning("跳过 %s: %s", rid, exc)

    def load(self, rid: str) -> tuple[Report, list[str]]:
        """The report (shared with the cache: do not change it; `get` gives a copy) and notes on
        what was odd in its file. Raises ReportNotFound, ArchiveError."""
        if not valid_id(rid):
            raise _not_found(rid)
        path = self.report_path(rid)
        version = stamp(path)
        if version is None:
            raise _not_found(rid)
        with self._mutex:
            hit = self._cache.get(rid)
            if hit and hit[0] == version:
                self._cache.move_to_end(rid)
                return hit[1], hit[2]
        report, notes = self._parse(rid, path)
        report.log = read_log(self.log_path(rid), report.source.sha256)[1]
        with self._mutex:
            self._remember(rid, version, report, notes)
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

    def original_path(self, report_id: str, sha256: Optional[str] = None) -> Path:
        """The stored original of a report: the current one, or an earlier one from `history`."""
        report = self.load(report_id)[0]
        known = [report.source.sha256] + [h.get("sha256") for h in report.history]
        sha = sha256 or report.source.sha256
        if sha not in known or not originals.SHA256.fullmatch(sha or ""):
            raise ReportNotFound(f"报告 {report_id} 没有这个原件")
        found = originals.find(self.originals_dir, sha)
        if found is None:
            raise ArchiveError(f"报告 {report_id} 的原件缺失 ({sha[:12]}…); 运行 archive check")
        return found

    # -- the catalogue: one summary per report, kept in line with the files by stat scans

    def with_original(self, sha256: str) -> Optional[str]:
        """The id of the report whose current original has exactly these bytes (by SHA-256),
        or None: an upload of a file already in the archive is told so at once."""
        self._refresh()
        return self.catalog.with_sha(sha256) if self.data_dir.is_dir() else None

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
        interval = self.rescan_interval
        if interval is None:
            interval = min(RESCAN_MAX, max(RESCAN_MIN, self._scan_seconds / RESCAN_SHARE))
        due = scan or self._scanned_at is None or now - self._scanned_at >= interval
        if due or stamp(self.reports_dir) != self.catalog.folder_stamp():
            self.rescan()

    def rescan(self) -> None:
        """Bring the catalogue in line with the report files now (after files were moved under
        `writing()`)."""
        started = time.monotonic()
        self.catalog.scan(self.reports_dir, self._file_entry, valid_id)
        self._scanned_at = time.monotonic()
        self._scan_seconds = self._scanned_at - started

    def _file_entry(self, rid: str, file_stamp: list[int]) -> dict[str, Any]:
        """The catalogue row of a report file (a scan found it new or changed)."""
        texts: list[str] = []
        try:
            return _entry(self._parse(rid, self.report_path(rid), texts)[0], file_stamp, texts[0])
        except ArchiveError as exc:
            return {"stamp": file_stamp, "error": str(exc)}

    # -- writing

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """The catalogue's write transaction — the one writer lock, across processes — with the
        catalogue first brought in line with the folder if something else changed it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self._retired:
            for name in _RETIRED:
                (self.data_dir / name).unlink(missing_ok=True)
            self._retired = True
        with self._mutex, self.catalog.writing() as con:
            if stamp(self.reports_dir) != self.catalog.folder_stamp():
                self.rescan()
            yield con

    def import_file(self, path: os.PathLike | str | bytes) -> ImportResult:
        """Any file name imports: one that is not UTF-8 is shown decoded (archive.names)."""
        path = Path(os.fsdecode(path))
        shown = display_name(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return ImportResult(shown, "failed", error="文件不存在")
        except IsADirectoryError:
            return ImportResult(shown, "failed", error="这是一个文件夹, 不是文件")
        except PermissionError:
            return ImportResult(shown, "failed", error="没有读取这个文件的权限")
        except OSError as exc:
            return ImportResult(shown, "failed", error=f"无法读取文件: {exc.strerror or exc}")
        return replace(self.import_bytes(data, path.name), path=shown)

    def import_bytes(self, data: bytes, filename: str,
                     overrides: Optional[dict[str, Any]] = None) -> ImportResult:
        """Store one file. Never raises for a bad file: the result says what happened."""
        name = display_name(PurePath(str(filename).replace("\\", "/")).name) or "unnamed"
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
            if not same and originals.find(self.originals_dir, sha) is None:
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
            if self.read_report is None:
                raise ImportFailed("这个归档没有设置导入程序, 只能查看和修正")
            report = self.read_report(data, name)
        except ImportFailed as exc:
            return failed(str(exc))
        except Exception as exc:  # an importer bug must not stop a batch import
            log.exception("importer crashed on %s", name)
            return failed(f"导入程序内部错误 ({type(exc).__name__}: {exc}); 请把该文件交给维护人员")
        report.source.sha256 = sha
        report.source.path = name
        if staged is not None:
            # Content-addressed, so stored before taking the lock: other writers need not wait.
            staged.commit(originals.target(self.originals_dir, sha, name, report.source.format))
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
            with self.writing():
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
            current = self.load(same)[0]
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
        return self._existing_for(report, fields) or self.new_id(with_fields(report, fields))

    def _basis(self, rid: str) -> tuple:
        """What a plan to write `rid` was built from: its file's and its corrections' versions."""
        return self.catalog.stamp(rid), stamp(self.override_path(rid))

    def _plan(self, report: Report, fields: dict) -> Optional[_Plan]:
        """What storing `report` would write, as the catalogue stands; None when its bytes are
        stored already. `report` itself is left as it is."""
        if self.catalog.with_sha(report.source.sha256):
            return None
        rid = self._target(report, fields)
        old = self.load(rid)[0] if self.catalog.has(rid) else None
        basis = self._basis(rid)
        overrides = {**read_overrides(self.override_path(rid)), **fields}
        report = meta_copy(report)
        apply_fields(report, overrides)
        report.id = rid
        if old is not None:
            imported_at = read_log(self.log_path(rid), old.source.sha256)[0]
            report.history = old.history + [{
                "sha256": old.source.sha256, "format": old.source.format,
                "path": old.source.path, "imported_at": imported_at}]
        report, text = canonical(report)  # exactly what get() will return; ValueError if unstorable
        logs = read_logs(self.log_path(rid)) if old is not None else {}
        logs[report.source.sha256] = {"imported_at": dt.datetime.now().isoformat(timespec="seconds"),
                                      "log": [vars(e) for e in report.log]}  # asdict(): 10x slower
        return _Plan(rid, basis, old is not None, report, text, logs_json(logs),
                     overrides if fields else None)

    def _still_valid(self, plan: _Plan, report: Report, fields: dict) -> bool:
        """Under the lock: the plan's id is still the one to write, and what it read unchanged."""
        return (not self.catalog.with_sha(report.source.sha256)
                and self._target(report, fields) == plan.rid
                and self._basis(plan.rid) == plan.basis)

    def _commit(self, plan: _Plan) -> ImportResult:
        """Under the lock: rename the staged log and report into place, log first."""
        os.replace(plan.staged_log, self.log_path(plan.rid))
        if plan.overrides is not None:
            write_overrides(self.override_path(plan.rid), plan.overrides)
        os.replace(plan.staged_report, self.report_path(plan.rid))
        generation = self._committed(plan.rid, plan.report, plan.text)
        return ImportResult(plan.report.source.path, "updated" if plan.updated else "imported",
                            plan.rid, report=plan.report, generation=generation)

    def _existing_for(self, report: Report, fields: dict) -> Optional[str]:
        """The stored report this one is a new version of: same town, year and title once the
        stored report's own corrections are applied to the new one. The first such id wins."""
        plain = self.catalog.with_key(_title_key(with_fields(report, fields)), corrected=False)
        best = plain[0] if plain else None
        if report.title_derived:
            # No title of its own: staff corrections would make any untitled report of that
            # year look like this one (a town-less upload became a new version of it).
            return best
        for rid, key in self.catalog.corrected():  # few: staff corrections
            if best is not None and rid > best:
                break
            corrections = {**read_overrides(self.override_path(rid)), **fields}
            if key and _title_key(with_fields(report, corrections)) == key:
                return rid
        return best

    def new_id(self, report: Report, free: frozenset = frozenset()) -> str:
        """A fresh id for `report`: its `id_base`, then `-2`, `-3`…; ids that once named a renamed
        report stay taken (they redirect), except those in `free`."""
        base, reserved = id_base(report), frozenset(self.redirects()) - free
        rid, n = base, 1
        while self.catalog.has(rid) or self.report_path(rid).exists() or rid in reserved:
            n += 1
            rid = f"{base}-{n}"
        return rid

    def write_report(self, rid: str, report: Report, text: str) -> int:
        """Under `writing()`: make `text` (`report` as Markdown) the report's file — the commit
        point — and record it. Returns the new generation. Its folder is not fsync'ed here (see
        the module docstring)."""
        atomic_write(self.report_path(rid), text.encode("utf-8"), sync_dir=False)
        return self._committed(rid, report, text)

    def _committed(self, rid: str, report: Report, text: str) -> int:
        """Under the write lock, once <rid>.md holds `report`: its row, the folder's new stamp
        and a new generation, committed with the lock's transaction."""
        with self.catalog.writing() as con:
            self.catalog.put(con, rid, _entry(report, stamp(self.report_path(rid)), text),
                             self.override_path(rid).exists())
            self.catalog.set_folder_stamp(con, stamp(self.reports_dir))
            generation = self.catalog.bump(con, [rid])
        self._cache.pop(rid, None)  # the next get() reads the file: cheaper than a deep copy now
        return generation

    def set_fields(self, report_id: str, fields: dict[str, Any]) -> Report:
        """Correct metadata now and on every later re-import (kept in <id>.override.yaml)."""
        fields = validate_fields(fields)
        try:
            with self.writing():
                report = self._set_locked(report_id, fields)
            fsync_dir(self.reports_dir)  # a staff correction is rare: make it durable at once
            return report
        except OSError as exc:
            raise ArchiveError(f"无法写入归档 ({exc.strerror or exc}); "
                               f"检查数据目录 {self.data_dir} 的权限") from None

    def _set_locked(self, rid: str, fields: dict[str, Any]) -> Report:
        report = copy.deepcopy(self.load(rid)[0])
        apply_fields(report, fields)
        write_overrides(self.override_path(rid), {**read_overrides(self.override_path(rid)), **fields})
        self.write_report(rid, report, to_markdown(report))
        return copy.deepcopy(report)

    # -- the redirect table of renamed reports (written by archive.renames)

    def redirects(self) -> dict[str, str]:
        """{old id: current id}; re-read only when the file changed (it is read for every import
        and every unknown id a browser asks for)."""
        path = self.data_dir / REDIRECTS
        version = stamp(path)
        if version is None:
            return {}
        held = self._redirects
        if held is None or held[0] != version:
            try:
                table = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ArchiveError(f"{REDIRECTS} 无法读取 ({exc}); 旧编号的跳转暂不可用") from None
            held = (version, {str(k): str(v) for k, v in table.items()}
                    if isinstance(table, dict) else {})
            self._redirects = held
        return dict(held[1])

    def write_redirects(self, table: dict[str, str]) -> None:
        """Under `writing()`: replace the redirect table (durably)."""
        data = json.dumps(dict(sorted(table.items())), ensure_ascii=False, indent=0)
        atomic_write(self.data_dir / REDIRECTS, (data + "\n").encode("utf-8"))

    # -- the catalogue's rows, for the review list (archive.integrity)

    def catalog_entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, catalogue row) of every report file, in id order, the catalogue first brought in
        line with the folder (unreadable files too: `"error"` in the row)."""
        self._refresh()
        return self.catalog.entries() if self.data_dir.is_dir() else iter(())


# ---- helpers ---------------------------------------------------------------------------------

def _not_found(rid: Any) -> ReportNotFound:
    if not valid_id(rid):
        return ReportNotFound(f"没有编号为 {str(rid)[:80]!r} 的报告 (编号格式不对)")
    return ReportNotFound(f"没有编号为 {rid} 的报告; 用 archive list 查看全部编号")


def _entry(report: Report, stamp: list[int], text: str) -> dict[str, Any]:
    return {
        "stamp": stamp, "digest": hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest(),
        "title": report.title, "title_derived": report.title_derived,
        "place": asdict(report.place), "year": report.year, "issued": report.issued,
        "script": report.script, "n_paragraphs": len(report.paragraphs),
        "flags": list(report.flags), "sha256": report.source.sha256,
        "genre": report.genre, "level": report.level,
        "key": _title_key(report),
        "confidence": {k: p.confidence for k, p in report.provenance.items()
                       if k in ("town", "year")},
    }


def _summary(rid: str, e: dict[str, Any]) -> Summary:
    return Summary(id=rid, title=e["title"], title_derived=e["title_derived"],
                   place=Place(**e["place"]), year=e["year"], issued=e["issued"],
                   script=e["script"], n_paragraphs=e["n_paragraphs"], flags=tuple(e["flags"]),
                   genre=e["genre"], level=e["level"])


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
