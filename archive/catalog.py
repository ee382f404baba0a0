"""The catalogue: one row per report file, in `data/catalog.sqlite`, so that listing pages, duplicate
checks and "what changed since" never read every report.

The Markdown files are the truth; the catalogue is derived from them and rebuilt (a new epoch)
when it is missing, damaged or from another version. Each row holds the report's summary, its
file's stamp (mtime_ns, size, inode) — a stat scan of the folder compares them to find hand
edits — the original's sha256 and the title key (both indexed: how an import finds the same
bytes or a new version of a stored report) and whether staff corrections exist.

Same idiom as `index/store.py`: WAL mode (readers never wait), `BEGIN IMMEDIATE` is the one
writer lock — an archive write holds it while it renames its files into place and records them,
so writers in several processes see each other's reports, and a crash rolls the half-done
transaction back (the next scan finds the file it may have left). `generation` counts commits
that changed a row; `changes` says which report each touched, so a follower (the search index,
the web app's derived views) holding generation G asks only for what changed after G.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Optional

from archive.errors import ArchiveError
from archive.files import stamp

log = logging.getLogger(__name__)

SCHEMA = "3"  # 2: a county's, city's or province's own report has a key (store._title_key);
# 3: every summary has its genre and level
FILE_NAME = "catalog.sqlite"
OVERRIDE_SUFFIX = ".override.yaml"  # a report with staff corrections (see archive.fields)
TABLES = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value)",
    """CREATE TABLE IF NOT EXISTS reports (id TEXT PRIMARY KEY, stamp TEXT NOT NULL,
        sha256 TEXT, title_key TEXT, corrected INTEGER NOT NULL DEFAULT 0, error TEXT,
        entry TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS reports_sha256 ON reports (sha256)",
    "CREATE INDEX IF NOT EXISTS reports_title_key ON reports (title_key)",
    "CREATE TABLE IF NOT EXISTS changes (generation INTEGER NOT NULL, report_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS changes_generation ON changes (generation)",
]


class Generation(NamedTuple):
    """A state of the catalogue: `epoch` names one catalogue file's life (a rebuilt catalogue
    starts a new one, and its change log with it), `number` counts its commits."""
    epoch: str
    number: int

    def __str__(self) -> str:
        return f"{self.epoch}:{self.number}"

    @classmethod
    def parse(cls, text: Optional[str]) -> Optional["Generation"]:
        epoch, sep, number = str(text or "").rpartition(":")
        ok = sep and epoch and number.isascii() and number.isdigit()
        return cls(epoch, int(number)) if ok else None


@dataclass(frozen=True)
class Changes:
    """What changed in the archive between two generations (see `Archive.changes_since`)."""
    generation: Generation      # the state these changes lead to: pass it next time
    changed: dict[str, int]     # id -> generation number of its last change, for reports held now
    deleted: list[str]          # ids that were held and are gone
    complete: bool              # False: `since` was of another epoch, so `changed` is every id
    #                             and `deleted` is unknown (compare with what you hold)


def key_text(key: Optional[tuple]) -> Optional[str]:
    return json.dumps(list(key), ensure_ascii=False) if key else None


class Catalog:
    """The SQLite file of one data folder; one connection per thread."""

    def __init__(self, data_dir: Path, timeout: float = 60.0):
        self.path = Path(data_dir) / FILE_NAME
        self.timeout = timeout
        self._local = threading.local()

    # -- connection

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use, and again in a forked child (an
        import worker): SQLite connections must not cross a fork."""
        local = self._local
        if getattr(local, "con", None) is None or local.pid != os.getpid():
            local.con, local.pid = self._open(), os.getpid()
        return local.con

    def _open(self) -> sqlite3.Connection:
        """The file, created when missing and rebuilt (empty: the next scan fills it) when damaged
        or of another schema; an in-memory catalogue when the data folder is read-only."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return self._open_file()
            except sqlite3.DatabaseError as exc:
                if _unwritable(exc):
                    return self._open_memory()
                if not _locked(exc):
                    log.warning("catalog.sqlite rebuilt (%s)", exc)
                    break
                if time.monotonic() > deadline:   # busy is not damage: never delete it for that
                    raise ArchiveError("档案目录正被其他程序占用 (catalog.sqlite 被锁定), 请稍后再试") from None
                time.sleep(0.05)  # another process is creating it or switching it to WAL
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        try:
            return self._open_file()
        except sqlite3.DatabaseError:
            return self._open_memory()

    def _open_file(self) -> sqlite3.Connection:
        con = self._connect(str(self.path))
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                con.close()
                raise
            row = None
        if row is not None and row[0] != SCHEMA:
            con.close()
            raise sqlite3.DatabaseError(f"schema {row[0]}, not {SCHEMA}")
        if row is None:
            self._create(con)
        return con

    def _open_memory(self) -> sqlite3.Connection:
        con = self._connect(":memory:")
        self._create(con)
        return con

    def _connect(self, target: str) -> sqlite3.Connection:
        con = sqlite3.connect(target, timeout=self.timeout, isolation_level=None,
                              check_same_thread=False)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError:
            con.close()
            raise
        return con

    @staticmethod
    def _create(con: sqlite3.Connection) -> None:
        con.execute("BEGIN IMMEDIATE")
        try:
            for sql in TABLES:
                con.execute(sql)
            con.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", [
                ("schema", SCHEMA), ("epoch", secrets.token_hex(8)), ("generation", 0),
                ("folder", None)])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    # -- transactions

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """The writer lock: one transaction, committed when the block ends, rolled back when it
        raises (or the process dies)."""
        con = self._connection()
        if con.in_transaction:  # already inside this thread's write
            yield con
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """One consistent view for several reads."""
        con = self._connection()
        if con.in_transaction:
            yield con
            return
        con.execute("BEGIN")
        try:
            yield con
        finally:
            con.execute("COMMIT")

    # -- reading

    def generation(self) -> Generation:
        rows = dict(self._connection().execute(
            "SELECT key, value FROM meta WHERE key IN ('epoch', 'generation')"))
        return Generation(rows["epoch"], rows["generation"])

    def folder_stamp(self) -> Optional[list]:
        """The reports folder's stamp the catalogue was last brought in line with."""
        row = self._connection().execute("SELECT value FROM meta WHERE key = 'folder'").fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def entry(self, rid: str) -> Optional[dict[str, Any]]:
        row = self._connection().execute("SELECT entry FROM reports WHERE id = ?", (rid,)).fetchone()
        return json.loads(row[0]) if row else None

    def entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, entry) of every row, in id order (unreadable files included: `"error"` in entry)."""
        with self.reading() as con:
            rows = con.execute("SELECT id, entry FROM reports ORDER BY id").fetchall()
        return ((rid, json.loads(entry)) for rid, entry in rows)

    def stamps(self) -> dict[str, tuple[list, bool]]:
        """id -> (file stamp, corrected) of every row: what a scan compares the folder with."""
        return {rid: (json.loads(stamp), bool(corrected)) for rid, stamp, corrected in
                self._connection().execute("SELECT id, stamp, corrected FROM reports")}

    def versions(self, ids: Optional[list[str]] = None) -> dict[str, str]:
        """id -> version of the readable reports (these `ids`, or all): the digest of the file's
        text (its stamp when none), which the search index records per report and compares
        (`workflows.sync_index`, `archive check`); a copied or restored folder keeps it."""
        sql = "SELECT id, coalesce(json_extract(entry, '$.digest'), stamp) FROM reports WHERE error IS NULL"
        if ids is None:
            return dict(self._connection().execute(sql))
        marks = ", ".join("?" * len(ids))
        return dict(self._connection().execute(f"{sql} AND id IN ({marks})", ids)) if ids else {}

    def stamp(self, rid: str) -> Optional[list]:
        row = self._connection().execute("SELECT stamp FROM reports WHERE id = ?", (rid,)).fetchone()
        return json.loads(row[0]) if row else None

    def has(self, rid: str) -> bool:
        return self._connection().execute(
            "SELECT 1 FROM reports WHERE id = ?", (rid,)).fetchone() is not None

    def with_sha(self, sha256: str) -> Optional[str]:
        """The first id whose current original has these bytes."""
        row = self._connection().execute(
            "SELECT min(id) FROM reports WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0]

    def with_key(self, key: Optional[tuple], corrected: bool) -> list[str]:
        """Ids with this title key, with or without staff corrections, in id order."""
        if not key:
            return []
        return [rid for (rid,) in self._connection().execute(
            "SELECT id FROM reports WHERE title_key = ? AND corrected = ? ORDER BY id",
            (key_text(key), int(corrected)))]

    def corrected(self) -> list[tuple[str, Optional[tuple]]]:
        """(id, title key) of the reports with staff corrections (few), in id order."""
        return [(rid, tuple(json.loads(key)) if key else None) for rid, key in
                self._connection().execute(
                    "SELECT id, title_key FROM reports WHERE corrected = 1 ORDER BY id")]

    def changes_since(self, since: Optional[Generation]) -> Changes:
        with self.reading() as con:
            now = self.generation()
            if since is None or since.epoch != now.epoch:
                ids = {rid: now.number for (rid,) in con.execute(
                    "SELECT id FROM reports WHERE error IS NULL ORDER BY id")}
                return Changes(now, ids, [], complete=False)
            touched = dict(con.execute(
                "SELECT report_id, max(generation) FROM changes WHERE generation > ? "
                "GROUP BY report_id", (since.number,)))
            marks = ", ".join("?" * len(touched))
            held = {rid for (rid,) in con.execute(
                f"SELECT id FROM reports WHERE id IN ({marks}) AND error IS NULL",
                list(touched))} if touched else set()
        return Changes(now, {rid: g for rid, g in sorted(touched.items()) if rid in held},
                       sorted(set(touched) - held), complete=True)

    # -- following the folder

    def scan(self, folder: Path, entry_of: Callable[[str, list], dict[str, Any]],
             is_id: Callable[[str], bool]) -> None:
        """Bring the rows in line with the <id>.md files of `folder`: stat every file, call
        `entry_of(id, stamp)` for those whose stamp is not their row's (outside the write lock:
        it parses), then record them and drop the rows of files gone, in one transaction.
        A file whose text is unchanged (same `digest`, e.g. restored from a backup) gets its new
        stamp without counting as a change. On a read-only folder the rows stay as they were."""
        folder_stamp = stamp(folder)
        known = self.stamps()
        files: dict[str, list[int]] = {}
        corrected: set[str] = set()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            entries = []
        for de in entries:
            if de.name.endswith(OVERRIDE_SUFFIX):
                corrected.add(de.name[:-len(OVERRIDE_SUFFIX)])
            elif de.name.endswith(".md") and is_id(de.name[:-3]):
                try:
                    st = de.stat()
                except FileNotFoundError:
                    continue
                files[de.name[:-3]] = [st.st_mtime_ns, st.st_size, st.st_ino]
        fresh = {rid: entry_of(rid, version) for rid, version in files.items()
                 if known.get(rid, (None,))[0] != version}
        gone = [rid for rid in known if rid not in files]
        flags = [rid for rid in files if rid in known and known[rid][1] != (rid in corrected)]
        if not (fresh or gone or flags) and folder_stamp == self.folder_stamp():
            return
        try:
            with self.writing() as con:
                changed = []
                for rid, entry in fresh.items():
                    if stamp(folder / f"{rid}.md") != entry["stamp"]:
                        continue  # replaced meanwhile by a writer, which recorded it
                    old = self.entry(rid)
                    self.put(con, rid, entry, rid in corrected)
                    if not (old and old.get("digest") and old["digest"] == entry.get("digest")):
                        changed.append(rid)
                for rid in gone:
                    if not (folder / f"{rid}.md").exists():
                        self.delete(con, rid)
                        changed.append(rid)
                for rid in flags:
                    self.set_corrected(con, rid, rid in corrected)
                self.set_folder_stamp(con, folder_stamp)
                if changed:
                    self.bump(con, changed)
        except sqlite3.OperationalError as exc:
            log.debug("catalogue not updated: %s", exc)

    # -- writing (inside `writing()`)

    @staticmethod
    def put(con: sqlite3.Connection, rid: str, entry: dict[str, Any], corrected: bool) -> None:
        con.execute("INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?, ?)", (
            rid, json.dumps(entry["stamp"]), entry.get("sha256"), key_text(entry.get("key")),
            int(corrected), entry.get("error"), json.dumps(entry, ensure_ascii=False, separators=(",", ":"))))

    @staticmethod
    def set_corrected(con: sqlite3.Connection, rid: str, corrected: bool) -> None:
        con.execute("UPDATE reports SET corrected = ? WHERE id = ?", (int(corrected), rid))

    @staticmethod
    def delete(con: sqlite3.Connection, rid: str) -> None:
        con.execute("DELETE FROM reports WHERE id = ?", (rid,))

    @staticmethod
    def set_folder_stamp(con: sqlite3.Connection, stamp: Optional[list]) -> None:
        con.execute("UPDATE meta SET value = ? WHERE key = 'folder'",
                    (json.dumps(stamp) if stamp else None,))

    @staticmethod
    def bump(con: sqlite3.Connection, report_ids: Iterable[str]) -> int:
        """Count one commit and log which reports it touched; returns its generation number."""
        (number,) = con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        number += 1
        con.executemany("INSERT INTO changes VALUES (?, ?)", [(number, r) for r in report_ids])
        con.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (number,))
        return number


def _locked(exc: sqlite3.DatabaseError) -> bool:
    """SQLite answers "locked" without waiting while another connection creates the file or
    switches it to WAL (its busy timeout does not cover that step)."""
    return isinstance(exc, sqlite3.OperationalError) and any(
        m in str(exc) for m in ("database is locked", "database table is locked", "busy"))


def _unwritable(exc: sqlite3.DatabaseError) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(
        m in str(exc) for m in ("readonly", "unable to open", "read-only"))
