"""The on-disk archive: one Markdown file per report plus the original bytes, content-addressed.

This is the only code that knows the layout of the data folder (see docs/ARCHITECTURE.md):

    reports/<id>.md  <id>.log.json  <id>.override.yaml   originals/<sha[:2]>/<sha>.<ext>
    catalog.json (a cache of every report's summary)      .lock (serialises writers)
    catalog.journal (one line per report written: how writers see each other's writes)
    tmp/ (reports and logs being written, renamed into reports/ when complete)

Every write goes to a temporary file in the target folder, is fsync'ed and then renamed over the
target, originals first and the report file last: the report file is the commit point, so a crash
half-way leaves the archive as it was (an extra original may remain; it is harmless).

Disk flushes are most of an import's time, so an import makes three: the original's contents
and folder (before the write lock is taken: it is content-addressed, and other writers need not
wait on it) and the report file's contents. The reports folder itself is not fsync'ed after an
import (`set_fields` does): the new report becomes durable with the file system's next commit
(ext4: within 5 s), so a power cut just after an import may undo that import, whole, but never
leaves a partial report or one without its original. The import log is not fsync'ed at all
(see `_store`).

Nothing a write does grows with the archive: duplicates are found through indexes kept with the
catalogue, and writers in other processes learn of each write from catalog.journal instead of
stat'ing every report file (see `_refresh`).
"""
from __future__ import annotations

import copy
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePath
from typing import Any, Callable, Iterator, Optional

import yaml

from archive.errors import ArchiveError, ImportFailed, InvalidField, ReportNotFound
from archive.mdfile import (canonical, from_markdown, normalize_text, read_markdown, simplified,
                            to_markdown)
from archive.model import META_FIELDS, PLACE_FIELDS, LogEntry, Place, Provenance, Report
from archive.names import display_name

__all__ = ["Archive", "ImportResult", "Summary", "valid_id", "validate_fields", "to_markdown",
           "from_markdown"]

log = logging.getLogger(__name__)

_ID = re.compile(r"[0-9A-Za-z\u4e00-\u9fff（）()·_-]{1,80}")
_ID_CHAR = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff（）()·_-]")
_SHA = re.compile(r"[0-9a-f]{64}")
LOW_CONFIDENCE = 0.6
_CATALOG_VERSION = 1
_GET_CACHE_SIZE = 256
_CATALOG_SAVE_INTERVAL = 2.0  # seconds, at least; more for a large catalogue (see _save_due)
_BACKGROUND_SHARE = 0.05      # of a writer's time spent saving catalog.json or rescanning files
_JOURNAL_MAX = 8 << 20        # bytes; then the journal starts afresh (every process rescans once)


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


def _fold(text: Optional[str]) -> str:
    """Comparison form of a title or town: width, script, punctuation and spaces ignored."""
    text = simplified(unicodedata.normalize("NFKC", text or ""), "traditional")
    return re.sub(r"[\W_]+", "", text).casefold()


def _title_key(town: Optional[str], year: Optional[int], title: Optional[str]):
    return (_fold(town), year, _fold(title)) if town and year else None


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


# ---- field validation (`archive set`, upload overrides) --------------------------------------

_DATE = re.compile(r"(\d{4})(?:\s*[-./年]\s*(\d{1,2})(?:\s*[-./月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?")


def _valid_issued(value: str) -> str:
    m = _DATE.fullmatch(value)
    try:
        if not m:
            raise ValueError
        y, mo, d = (int(g) if g else None for g in m.groups())
        dt.date(y, mo or 1, d or 1)
    except ValueError:
        raise InvalidField(f"issued 应为日期, 如 2020-04-13、2020-04 或 2020, 而不是 {value!r}") from None
    return f"{y:04d}" + (f"-{mo:02d}" if mo else "") + (f"-{d:02d}" if d else "")


def validate_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise corrections: known field names, year 1949–2100, issued a date.
    An empty value clears the field (None). Raises InvalidField with a one-line reason."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in META_FIELDS:
            raise InvalidField(f"未知字段 {name!r}; 可修改的字段: {', '.join(META_FIELDS)}")
        if isinstance(value, str):
            value = normalize_text(value)
        if value is None or value == "":
            out[name] = None
        elif name == "year":
            try:
                year = int(str(value).removesuffix("年"))
            except ValueError:
                year = 0
            if not 1949 <= year <= 2100:
                raise InvalidField(f"year 应为 1949–2100 之间的年份, 而不是 {value!r}")
            out[name] = year
        elif name == "issued":
            out[name] = _valid_issued(str(value))
        else:
            value = str(value)
            if len(value) > 200:
                raise InvalidField(f"{name} 太长 ({len(value)} 字), 最多 200 字")
            out[name] = value
    return out


def apply_fields(report: Report, fields: dict[str, Any]) -> None:
    """Set validated corrections on `report`, recording them as staff overrides."""
    for name, value in fields.items():
        setattr(report.place if name in PLACE_FIELDS else report, name, value)
        report.provenance[name] = Provenance(source="override", confidence=1.0)
        if value is not None:
            report.flags = [f for f in report.flags if f != f"{name}_missing"]
            if name == "title":
                report.title_derived = False
                report.flags = [f for f in report.flags if f != "title_derived"]


# ---- the archive -----------------------------------------------------------------------------

class Archive:
    """A data folder of reports. Thread-safe; several processes may write at once (file lock)."""

    def __init__(self, data_dir: os.PathLike | str,
                 read_report: Optional[Callable[[bytes, str], Report]] = None):
        self.data_dir = Path(data_dir)
        self.reports_dir = self.data_dir / "reports"
        self.originals_dir = self.data_dir / "originals"
        self.index_dir = self.data_dir / "index"
        self.tmp_dir = self.data_dir / "tmp"
        self._catalog_path = self.data_dir / "catalog.json"
        self._read_report = read_report
        self._mutex = threading.RLock()
        self._catalog: Optional[dict[str, dict]] = None   # id -> entry (see _entry)
        self._summaries: Optional[list[Summary]] = None
        self._catalog_dirty = False
        self._catalog_saved = float("-inf")  # monotonic() starts near 0 on a fresh boot
        self._save_seconds = 0.0
        # Indexes kept with the catalogue, so a write never looks at every report:
        self._by_sha: dict[str, set[str]] = {}    # original's sha256 -> ids
        self._by_key: dict[tuple, set[str]] = {}  # _title_key -> ids
        self._corrected: set[str] = set()         # ids with an <id>.override.yaml
        self._dir_stamp: Optional[list[int]] = None
        self._scanned_at = float("-inf")
        self._scan_seconds = 0.0
        self._journal_path = self.data_dir / "catalog.journal"
        self._journal_pos: Optional[tuple[int, int]] = None  # (inode, offset) read up to
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

    def changed_since(self, mtime_ns: int) -> list[str]:
        """Ids of the reports whose file was written (imported or hand-edited) after `mtime_ns`."""
        with self._mutex:
            self._refresh()
            self._scan(self._reports_dir_stamp())  # a hand edit in place leaves the folder alone
            return sorted(rid for rid, e in self._catalog.items()
                          if "error" not in e and e["stamp"][0] > mtime_ns)

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

    def _parse(self, rid: str, path: Path) -> tuple[Report, list[str]]:
        try:
            report, notes = read_markdown(path.read_text(encoding="utf-8"))
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

    # -- the catalogue: one summary per report, validated against file stamps

    #: Readers stat every report file at most this often (seconds) to notice in-place edits;
    #: renames (every store write, most editors' saves) change the folder and are seen at once.
    rescan_interval = 1.0

    def summaries(self) -> list[Summary]:
        """Every readable report's summary, in id order. Cheap: parsed files are cached in
        memory and in data/catalog.json, keyed by (mtime_ns, size, inode) of each file."""
        with self._mutex:
            self._refresh()
            if self._catalog_dirty:
                self._write_catalog_file()
            if self._summaries is None:
                self._summaries = [_summary(rid, e) for rid, e in sorted(self._catalog.items())
                                   if "error" not in e]
            return list(self._summaries)

    def _refresh(self, writer: bool = False) -> None:
        """Bring the in-memory catalogue up to date with the files.

        Readers rescan the folder when it changed or every `rescan_interval`. A writer must see
        every report before it picks an id or calls a file new, yet must not stat every file per
        import: it reads the other writers' lines in catalog.journal and rescans only when the
        folder changed in some other way (a hand edit or delete), plus now and then, taking at
        most a small share of its time, for in-place edits that leave the folder alone."""
        if self._catalog is None:
            self._catalog = self._read_catalog_file()
            self._reindex()
        now = time.monotonic()
        if writer:
            every = max(self.rescan_interval, self._scan_seconds / _BACKGROUND_SHARE)
            if self._follow_journal() and now - self._scanned_at < every:
                return
            dir_stamp = self._reports_dir_stamp()
        else:
            dir_stamp = self._reports_dir_stamp()
            if dir_stamp == self._dir_stamp and now - self._scanned_at < self.rescan_interval:
                return
        self._scan(dir_stamp)

    def _reports_dir_stamp(self) -> Optional[list[int]]:
        try:
            return _stamp(self.reports_dir.stat())
        except FileNotFoundError:
            return None

    def _scan(self, dir_stamp: Optional[list[int]]) -> None:
        """Stat every report file; parse those whose stamp changed and that the journal does not
        describe (after a batch import, catalog.json lags behind by the last few seconds)."""
        started = time.monotonic()
        journal = self._journal_end()  # before listing: later writes are in the journal after it
        fresh: dict[str, dict] = {}
        corrected: set[str] = set()
        changed = False
        written: Optional[dict[str, dict]] = None
        try:
            entries = list(os.scandir(self.reports_dir))
        except FileNotFoundError:
            entries = []
        for de in entries:
            if de.name.endswith(".override.yaml"):
                corrected.add(de.name[:-len(".override.yaml")])
            rid = de.name[:-3]
            if not de.name.endswith(".md") or (rid not in self._catalog and not valid_id(rid)):
                continue
            try:
                stamp = _stamp(de.stat())
            except FileNotFoundError:
                continue
            old = self._catalog.get(rid)
            if old is not None and old["stamp"] == stamp:
                fresh[rid] = old
                continue
            changed = True
            if written is None:
                written = self._journal_entries()
            if rid in written and written[rid]["stamp"] == stamp:
                fresh[rid] = written[rid]
                continue
            try:
                report, _ = self._parse(rid, Path(de.path))
                fresh[rid] = _entry(report, stamp)
            except ArchiveError as exc:
                fresh[rid] = {"stamp": stamp, "error": str(exc)}
        self._corrected = corrected
        self._dir_stamp, self._journal_pos = dir_stamp, journal
        self._scanned_at = time.monotonic()
        self._scan_seconds = self._scanned_at - started
        if changed or len(fresh) != len(self._catalog):
            self._catalog = fresh
            self._reindex()
            self._catalog_changed()

    def _catalog_changed(self) -> None:
        self._summaries = None
        self._catalog_dirty = True

    def _reindex(self) -> None:
        self._by_sha, self._by_key = {}, {}
        for rid, e in self._catalog.items():
            self._index(rid, e, set.add)

    def _index(self, rid: str, e: dict, op: Callable[[set, str], None]) -> None:
        if "error" in e:
            return
        for table, value in ((self._by_sha, e.get("sha256")),
                             (self._by_key, tuple(e["key"]) if e.get("key") else None)):
            if value:
                op(table.setdefault(value, set()), rid)

    def _set_entry(self, rid: str, entry: dict, corrected: bool) -> None:
        old = self._catalog.get(rid)
        if old is not None:
            self._index(rid, old, set.discard)
        self._catalog[rid] = entry
        self._index(rid, entry, set.add)
        (self._corrected.add if corrected else self._corrected.discard)(rid)
        self._catalog_changed()

    # -- the journal: how writers in other processes see each write without a rescan

    def _journal_end(self) -> Optional[tuple[int, int]]:
        try:
            with open(self._journal_path, "ab") as fh:
                st = os.fstat(fh.fileno())
                return st.st_ino, st.st_size
        except OSError:  # a read-only data folder: every writer refresh rescans
            return None

    def _journal_entries(self) -> dict[str, dict]:
        """The last entry the journal holds for each id (damaged lines skipped)."""
        entries: dict[str, dict] = {}
        try:
            data = self._journal_path.read_bytes()
        except OSError:
            return entries
        for line in data.splitlines():
            try:
                rec = json.loads(line)
                entries[rec["id"]] = rec["entry"]
            except (ValueError, KeyError, TypeError):
                continue
        return entries

    def _follow_journal(self) -> bool:
        """Apply the journal lines written since we last looked; True when they account for
        every change to the reports folder since then (each line holds the folder's stamp
        before and after its write, and the chain must reach the folder's stamp now)."""
        if self._journal_pos is None:
            return False
        ino, pos = self._journal_pos
        try:
            with open(self._journal_path, "rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_ino != ino or st.st_size < pos:
                    return False  # started afresh: lines may have been missed
                fh.seek(pos)
                data = fh.read()
        except OSError:
            return False
        end = data.rfind(b"\n") + 1  # a line still being appended is read next time
        expected = self._dir_stamp
        for line in data[:end].splitlines():
            try:
                rec = json.loads(line)
                if rec["before"] != expected:
                    return False
                self._set_entry(rec["id"], rec["entry"], rec["corrected"])
                expected = rec["after"]
            except (ValueError, KeyError, TypeError):
                return False
        self._journal_pos = (ino, pos + end)
        self._dir_stamp = self._reports_dir_stamp()  # after the journal: a write in between shows
        return self._dir_stamp == expected

    def _append_journal(self, rid: str, entry: dict, corrected: bool, before, after) -> None:
        """Best effort: a writer that misses a line sees a broken chain and rescans."""
        line = json.dumps({"id": rid, "entry": entry, "corrected": corrected, "before": before,
                           "after": after}, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            fd = os.open(self._journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                st = os.fstat(fd)
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
            if st.st_size + len(line.encode("utf-8")) > _JOURNAL_MAX:
                _atomic_write(self._journal_path, b"", sync=False)
                self._journal_pos = self._journal_end()
            elif self._journal_pos == (st.st_ino, st.st_size):  # we had read all before ours
                self._journal_pos = (st.st_ino, st.st_size + len(line.encode("utf-8")))
            else:
                self._journal_pos = None
        except OSError as exc:
            log.debug("catalog.journal not written: %s", exc)
            self._journal_pos = None

    def _read_catalog_file(self) -> dict[str, dict]:
        try:
            d = json.loads(self._catalog_path.read_text(encoding="utf-8"))
            return d["entries"] if d.get("version") == _CATALOG_VERSION else {}
        except (OSError, ValueError, KeyError, AttributeError):
            return {}

    def _write_catalog_file(self) -> None:
        """Best effort: the catalogue is a cache, a read-only data folder still works. Batch
        imports save it now and then (`_save_due`); the next `summaries()` saves the rest."""
        self._catalog_dirty = False
        started = time.monotonic()
        if not self.data_dir.is_dir():
            return
        data = json.dumps({"version": _CATALOG_VERSION, "entries": self._catalog},
                          ensure_ascii=False, separators=(",", ":"))
        try:
            _atomic_write(self._catalog_path, data.encode("utf-8"), sync=False)
        except OSError as exc:
            log.debug("catalog.json not written: %s", exc)
        self._catalog_saved = time.monotonic()
        self._save_seconds = self._catalog_saved - started

    def _save_due(self) -> bool:
        """Saving is O(archive size): during a batch import, keep it a small share of the time."""
        every = max(_CATALOG_SAVE_INTERVAL, self._save_seconds / _BACKGROUND_SHARE)
        return time.monotonic() - self._catalog_saved > every

    # -- writing

    @contextmanager
    def _write_lock(self):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / ".lock", "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                with self._mutex:
                    yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def import_file(self, path: os.PathLike | str | bytes) -> ImportResult:
        """Any file name imports: one that is not UTF-8 is shown decoded (importers.names)."""
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
        with self._mutex:
            self._refresh(writer=True)  # unlocked: a stale answer only costs a parse
            same = self._with_sha(sha)
        if same and not fields:
            return ImportResult(name, "unchanged", same)
        staged = None
        try:
            if not same and self._find_original(sha) is None:
                # The original's bytes go to disk while the file is read: the flush takes as long.
                staged = _Staged(self.originals_dir / sha[:2], data)
            return self._read_and_store(data, name, sha, fields, staged)
        except OSError as exc:
            return ImportResult(name, "failed", error=f"无法写入归档 ({exc.strerror or exc}); "
                                                      f"检查数据目录 {self.data_dir} 的权限和空间")
        finally:
            if staged is not None:
                staged.discard()

    def _read_and_store(self, data: bytes, name: str, sha: str, fields: dict,
                        staged: Optional["_Staged"]) -> ImportResult:
        def failed(message: str) -> ImportResult:
            return ImportResult(name, "failed", error=message)

        try:
            report = self._reader()(data, name)
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
            with self._mutex:
                self._refresh(writer=True)
                try:
                    plan = self._plan(report, fields)
                except (ArchiveError, ValueError):  # maybe a stale view: decided under the lock
                    plan = None
            if plan is not None:
                plan.stage(self)
            with self._write_lock():
                self._refresh(writer=True)
                if plan is not None and self._still_valid(plan, report, fields):
                    return self._commit(plan)
                return self._store(report, fields)
        except (ArchiveError, ValueError) as exc:
            return failed(str(exc))
        finally:
            if plan is not None:
                plan.discard()

    def _reader(self) -> Callable[[bytes, str], Report]:
        if self._read_report is None:
            from importers import read_report
            self._read_report = read_report
        return self._read_report

    def _with_sha(self, sha: str) -> Optional[str]:
        return min(self._by_sha.get(sha) or (), default=None)

    def _store(self, report: Report, fields: dict) -> ImportResult:
        """Under the write lock, the original already stored: find or pick the id, write."""
        sha, name = report.source.sha256, report.source.path
        same = self._with_sha(sha)
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
        return self._catalog.get(rid, {}).get("stamp"), override

    def _plan(self, report: Report, fields: dict) -> Optional[_Plan]:
        """What storing `report` would write, as the catalogue stands; None when its bytes are
        stored already. `report` itself is left as it is."""
        if self._with_sha(report.source.sha256):
            return None
        rid = self._target(report, fields)
        old = self._load(rid)[0] if rid in self._catalog else None
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
        return (not self._with_sha(report.source.sha256)
                and self._target(report, fields) == plan.rid
                and self._basis(plan.rid) == plan.basis)

    def _commit(self, plan: _Plan) -> ImportResult:
        """Under the lock: rename the staged log and report into place, log first."""
        os.replace(plan.staged_log, self._log_path(plan.rid))
        if plan.overrides is not None:
            self._write_overrides(plan.rid, plan.overrides)
        os.replace(plan.staged_report, self._md(plan.rid))
        self._committed(plan.rid, plan.report)
        return ImportResult(plan.report.source.path, "updated" if plan.updated else "imported",
                            plan.rid, report=plan.report)

    def _existing_for(self, report: Report, fields: dict) -> Optional[str]:
        """The stored report this one is a new version of: same town, year and title once the
        stored report's own corrections are applied to the new one. The first such id wins."""
        plain = _report_key(_probe(report, fields))
        best = min((rid for rid in self._by_key.get(plain, ()) if rid not in self._corrected),
                   default=None)
        for rid in sorted(self._corrected):  # few: staff corrections
            if best is not None and rid > best:
                break
            e = self._catalog.get(rid)
            if e is None or "error" in e or e["key"] is None:
                continue
            if _report_key(_probe(report, {**self._read_overrides(rid), **fields})) == tuple(e["key"]):
                return rid
        return best

    def _new_id(self, report: Report) -> str:
        town, year = report.place.town, report.year
        base = f"{town or '未知镇'}-{year or '未知年'}"
        if not (town and year):
            base += f"-{report.source.sha256[:8]}"
        base = _ID_CHAR.sub("_", base.replace("..", "_"))[:72]
        rid, n = base, 1
        while rid in self._catalog or self._md(rid).exists():
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
        _atomic_write(self._override_path(rid), text.encode("utf-8"), sync_dir=False)

    def _write_report(self, rid: str, report: Report, text: str) -> None:
        """The commit point. Under the write lock, right after a writer refresh: the catalogue
        is exact, and the folder's stamp then (`_dir_stamp`) starts this write's journal line.
        Its folder is not fsync'ed here (see the module docstring)."""
        _atomic_write(self._md(rid), text.encode("utf-8"), sync_dir=False)
        self._committed(rid, report)

    def _committed(self, rid: str, report: Report) -> None:
        """Bookkeeping once <rid>.md holds `report`: catalogue, journal, cache."""
        entry = _entry(report, _stamp(self._md(rid).stat()))
        corrected = self._override_path(rid).exists()
        before, after = self._dir_stamp, self._reports_dir_stamp()
        self._cache.pop(rid, None)  # the next get() reads the file: cheaper than a deep copy now
        self._set_entry(rid, entry, corrected)
        self._append_journal(rid, entry, corrected, before, after)
        self._dir_stamp = after
        if self._save_due():
            self._write_catalog_file()

    def set_fields(self, report_id: str, fields: dict[str, Any]) -> Report:
        """Correct metadata now and on every later re-import (kept in <id>.override.yaml)."""
        fields = validate_fields(fields)
        try:
            with self._write_lock():
                self._refresh(writer=True)
                report = self._set_locked(report_id, fields)
            _fsync_dir(self.reports_dir)  # a staff correction is rare: make it durable at once
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
        with self._mutex:
            self._refresh()
            catalog = dict(self._catalog)
        out = []
        for rid, e in sorted(catalog.items()):
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


def _entry(report: Report, stamp: list[int]) -> dict[str, Any]:
    return {
        "stamp": stamp, "title": report.title, "title_derived": report.title_derived,
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
        self.staged_log = _write_tmp(archive.tmp_dir / f"{self.rid}.log.json",
                                     self.logs.encode("utf-8"), False)
        self.staged_report = _write_tmp(archive.tmp_dir / f"{self.rid}.md",
                                        self.text.encode("utf-8"), True)

    def discard(self) -> None:
        """Remove what was staged and not renamed into place."""
        for tmp in (self.staged_log, self.staged_report):
            if tmp is not None:
                tmp.unlink(missing_ok=True)


class _Staged:
    """Bytes written and fsync'ed to a temporary file by a thread while the caller goes on;
    `commit(path)` renames the file into place (a folder of `path`) and syncs the folder,
    `discard()` removes it if it was not committed."""

    def __init__(self, folder: Path, data: bytes):
        folder.mkdir(parents=True, exist_ok=True)
        self.tmp = folder / f".staged.{os.getpid()}.{threading.get_ident()}.tmp"
        self.error: Optional[BaseException] = None
        self.thread = threading.Thread(target=self._write, args=(data,), daemon=True)
        self.thread.start()

    def _write(self, data: bytes) -> None:
        try:
            with open(self.tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException as exc:  # raised in the caller's thread by commit()
            self.error = exc

    def commit(self, path: Path) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error
        os.replace(self.tmp, path)
        _fsync_dir(path.parent)

    def discard(self) -> None:
        self.thread.join()
        self.tmp.unlink(missing_ok=True)


def _write_tmp(path: Path, data: bytes, sync: bool) -> Path:
    """`data` in a temporary file beside `path` (fsync'ed if `sync`), to be renamed over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _atomic_write(path: Path, data: bytes, sync: bool = True, sync_dir: bool = True) -> None:
    """Write `data` to `path` so that readers see either the old or the new file, never a part.
    `sync` makes the contents durable before the rename; `sync_dir` the rename itself."""
    tmp = _write_tmp(path, data, sync)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync and sync_dir:
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the renames into `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
