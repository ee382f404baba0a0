"""A consistent copy of a data folder's own state, taken while the server and imports run
(`archive backup DEST`), and the data folder made again from one (`archive restore SRC`).

What is copied is everything not derived: the reports with their side files (import logs,
corrections, audit trails), `redirects.json`, the originals, and the data folder's other files
(the session key, auth.log and errors.log, `logins.sqlite`…). The catalogue and the search index
are derived and rebuilt on restore; `tmp/` and `uploads/` hold work in progress.

Consistency: the reports folder and the redirect table are captured under the archive's write
lock, as hard links into a snapshot folder in `tmp/` (every store write replaces a file by a
rename, so a link keeps the version it saw; an audit trail is appended to in place, so its whole
lines are read instead) — milliseconds, so imports hardly wait. The originals a snapshot's reports
refer to were stored before their report (see `archive.store`) and are never changed, so they are
copied afterwards, outside the lock, as are the logs (whole lines). A SQLite file is copied with
SQLite's online backup API (a consistent copy while others write).

`MANIFEST.json` (written last: a copy without it is incomplete) lists every file with its size
and SHA-256; `restore` checks them all before it writes anything.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from archive.catalog import FILE_NAME as CATALOG
from archive.errors import ArchiveError
from archive.files import atomic_write, sha256_of
from archive.store import REDIRECTS

if TYPE_CHECKING:
    from archive.store import Archive

MANIFEST = "MANIFEST.json"
FORMAT = 1
APPENDED = (".audit.jsonl", ".log")  # written in place, a line at a time: copied by whole lines
# Top-level entries of a data folder that are derived or work in progress: never copied.
DERIVED = {CATALOG, "index", "tmp", "uploads", MANIFEST}
SQLITE_SIDE = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Backup:
    """What a backup holds: the folder, the catalogue generation it was taken at, counts."""
    folder: Path
    generation: str
    reports: int
    originals: int
    files: int
    size: int


# ---- backing up --------------------------------------------------------------------------------

def backup(archive: "Archive", dest: os.PathLike | str) -> Backup:
    """Copy `archive`'s data folder to `dest` (a new or empty folder). Raises ArchiveError."""
    dest = Path(dest)
    if not archive.reports_dir.is_dir():
        raise ArchiveError(f"{archive.data_dir} 中没有档案 (没有 reports 目录), 无可备份; 请用 --data 指定数据目录")
    _empty_folder(dest, "备份目录")
    snapshot = archive.tmp_dir / f".backup.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        generation = _snapshot(archive, snapshot)
        files: dict[str, dict] = {}
        for path in sorted(snapshot.rglob("*")):
            if path.is_file():
                rel = path.relative_to(snapshot).as_posix()
                files[rel] = _copy(path, dest / rel, whole_lines=rel.endswith(APPENDED))
        reports = sum(rel.endswith(".md") for rel in files)
        originals = 0
        for path in _originals(archive.originals_dir):
            rel = path.relative_to(archive.data_dir).as_posix()
            files[rel] = _copy(path, dest / rel)
            originals += 1
        for path in sorted(archive.data_dir.iterdir()):
            if not _own_file(path):
                continue
            try:
                files[path.name] = (_sqlite_copy(path, dest / path.name) if path.suffix == ".sqlite"
                                    else _copy(path, dest / path.name, path.suffix == ".log"))
            except FileNotFoundError:  # a log rotated away meanwhile: its successor is copied
                continue
    except OSError as exc:
        raise ArchiveError(f"备份失败 ({exc.strerror or exc}): {getattr(exc, 'filename', '') or dest}") from None
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)
    manifest = {"format": FORMAT, "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "source": str(archive.data_dir.resolve()), "generation": generation,
                "reports": reports, "originals": originals, "files": files}
    os.sync()  # every copied file and folder on disk before the manifest says the copy is whole
    atomic_write(dest / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return Backup(dest, generation, reports, originals, len(files),
                  sum(f["size"] for f in files.values()))


def _snapshot(archive: "Archive", snapshot: Path) -> str:
    """Under the write lock: the reports folder and redirect table as links (audit trails as
    their whole lines) in `snapshot`. Returns the catalogue generation they are."""
    (snapshot / "reports").mkdir(parents=True)
    with archive.writing():
        for de in os.scandir(archive.reports_dir) if archive.reports_dir.is_dir() else ():
            if de.name.startswith(".") or not de.is_file():
                continue
            target = snapshot / "reports" / de.name
            if de.name.endswith(APPENDED):
                target.write_bytes(_whole_lines(Path(de.path).read_bytes()))
            else:
                _link_or_copy(Path(de.path), target)
        redirects = archive.data_dir / REDIRECTS
        if redirects.exists():
            _link_or_copy(redirects, snapshot / redirects.name)
        return str(archive.catalog.generation())


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links
        shutil.copy2(src, dst)


def _whole_lines(data: bytes) -> bytes:
    """An appended-to file up to its last complete line (a writer may be half-way through one)."""
    return data[:data.rfind(b"\n") + 1]


def _originals(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.glob("*/*")) if folder.is_dir() else ():
        if not path.name.startswith(".") and path.is_file():
            yield path


def _own_file(path: Path) -> bool:
    """A top-level file of the data folder that is its own state (not derived, not a temporary
    file, not a SQLite file's journal)."""
    name = path.name
    return (path.is_file() and name not in DERIVED and not name.startswith(".")
            and not name.endswith(SQLITE_SIDE) and not name.endswith(".tmp")
            and name != REDIRECTS)


def _copy(src: Path, dst: Path, whole_lines: bool = False) -> dict:
    data = src.read_bytes()
    if whole_lines:
        data = _whole_lines(data)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
        fh.write(data)  # 0600: a backup holds the session key and who logged in from where
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _sqlite_copy(src: Path, dst: Path) -> dict:
    """SQLite's online backup: a consistent copy while other connections write."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=60)
        target = sqlite3.connect(dst)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    except sqlite3.Error as exc:
        raise ArchiveError(f"备份 {src.name} 失败: {exc}") from None
    return {"size": dst.stat().st_size, "sha256": sha256_of(dst)}



def _empty_folder(folder: Path, what: str) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ArchiveError(f"{what} {folder} 已存在且不是空目录; 请指定一个新目录")


# ---- restoring ---------------------------------------------------------------------------------

def manifest(src: os.PathLike | str) -> dict:
    """The backup's manifest, every file checked against it. Raises ArchiveError (one line)."""
    src = Path(src)
    try:
        found = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArchiveError(f"{src} 不是完整的备份 (缺少 {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"{src / MANIFEST} 无法读取: {exc}") from None
    if not isinstance(found, dict) or found.get("format") != FORMAT or not isinstance(found.get("files"), dict):
        raise ArchiveError(f"{src / MANIFEST} 不是本程序认识的备份清单")
    for rel, want in sorted(found["files"].items()):
        path = src / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise ArchiveError(f"备份清单中的路径 {rel!r} 指向备份之外")
        if not path.is_file():
            raise ArchiveError(f"备份不完整: 缺少 {rel}")
        if path.stat().st_size != want.get("size") or sha256_of(path) != want.get("sha256"):
            raise ArchiveError(f"备份已损坏: {rel} 的内容与清单中的哈希值不符")
    return found


def restore(src: os.PathLike | str, data_dir: os.PathLike | str) -> dict:
    """Copy a checked backup into `data_dir` (a new or empty folder); returns its manifest. The
    catalogue and index are rebuilt by their next reader (`workflows`: the index)."""
    src, data_dir = Path(src), Path(data_dir)
    found = manifest(src)
    _empty_folder(data_dir, "数据目录")
    try:
        for rel in sorted(found["files"]):
            target = data_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / rel, target)
            if "/" not in rel:  # the session key, logins, logs: the service user's alone
                target.chmod(0o600)
        os.sync()
    except OSError as exc:
        raise ArchiveError(f"恢复失败 ({exc.strerror or exc}): {getattr(exc, 'filename', '') or data_dir}") from None
    return found
