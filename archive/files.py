"""Atomic, durable file writes: every write goes to a temporary file beside its target, is
fsync'ed and renamed over the target, so a reader or a crash sees the old file or the new one,
never a part of one."""
from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import re
import tempfile
import shutil
import threading
from pathlib import Path
from typing import Iterable, Optional

# Every temporary file names its writer: .<target>.<pid>.<thread>.tmp or .staged.<pid>.<thread>.tmp
_TEMP_NAME = re.compile(r"^\..*\.([0-9]+)\.[0-9]+\.tmp$")


class Staged:
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
        fsync_dir(path.parent)

    def discard(self) -> None:
        self.thread.join()
        self.tmp.unlink(missing_ok=True)


def write_tmp(path: Path, data: bytes, sync: bool) -> Path:
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


def atomic_write(path: Path, data: bytes, sync: bool = True, sync_dir: bool = True) -> None:
    """Write `data` to `path` so that readers see either the old or the new file, never a part.
    `sync` makes the contents durable before the rename; `sync_dir` the rename itself."""
    tmp = write_tmp(path, data, sync)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync and sync_dir:
        fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make the renames into `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read a megabyte at a time (originals and backups can be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_private_pickle(path: Path):
    """A start-up cache written by `write_private_pickle`, or None: read only when this user owns
    it and nobody else may write it (a pickle runs code when loaded); missing or damaged → None."""
    try:
        st = path.stat()
        if st.st_uid == os.getuid() and not st.st_mode & 0o022:
            with path.open("rb") as f:
                return pickle.load(f)
    except Exception:  # noqa: BLE001 — no usable cache: the caller builds it again
        pass
    return None


def write_private_pickle(path: Path, value) -> None:
    """Keep `value` for the next process, written whole or not at all; a cache, so failing to
    write it is no error."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass


def stamp(path: Path) -> Optional[list[int]]:
    """Identity of a file's version (mtime_ns, size, inode), None when it does not exist; a
    rename-over (every write here) always changes the inode."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def remove_dead_temps(paths: Iterable[Path]) -> list[Path]:
    """Delete the temporary files among `paths` whose writing process no longer runs (an import
    killed mid-write leaves them); a live writer's files are left alone. Returns those removed."""
    removed = []
    for path in paths:
        match = _TEMP_NAME.match(path.name)
        if match and not _running(int(match.group(1))):
            if path.is_dir():  # a backup's snapshot (archive.backup)
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed import's worker whose parent died is a zombie until something reaps it (in a
    container whose first process reaps nothing, for good): it writes nothing any more."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].startswith("Z")


LOG_MAX_BYTES = 4 << 20  # a log file (auth.log, errors.log) is rotated past this size…
LOG_KEEP = 5             # …into <name>.1 … <name>.5, the oldest dropped


def append_log(path: Path, text: str, max_bytes: int = LOG_MAX_BYTES, keep: int = LOG_KEEP) -> None:
    """Append `text` to a log file, rotating it by size first (`path` → `path.1` → … →
    `path.<keep>`). Several processes may log at once: each append is one O_APPEND write, and
    the rotation is done under an flock of the file by the one that finds it still current."""
    data = text.encode("utf-8")
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            current = os.fstat(fd)
            try:
                still = os.stat(path).st_ino == current.st_ino
            except FileNotFoundError:
                still = False
            if still and current.st_size and current.st_size + len(data) > max_bytes:
                for n in range(keep - 1, 0, -1):
                    older = path.with_name(f"{path.name}.{n}")
                    if older.exists():
                        os.replace(older, path.with_name(f"{path.name}.{n + 1}"))
                os.replace(path, path.with_name(f"{path.name}.1"))
                still = False
            if still:
                os.write(fd, data)
                return
        finally:
            os.close(fd)  # releases the flock
