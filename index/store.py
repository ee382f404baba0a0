"""The paragraph store and change log: one SQLite database (`index.sqlite` in the index folder)
holding every paragraph (display text, folded text, jieba words, metadata), a per-report row,
and a change log the running searchers and the Whoosh word index (`index.wordindex`) follow.

SQLite is the source of truth: every update, delete and rebuild is one transaction (a crash
leaves the previous state whole — SQLite's journal rolls the half-written transaction back on
the next open). The Whoosh word index is derived from the `tokens` column and catches up from
the change log, so it never needs jieba again. WAL mode: readers never wait for a writer;
writers take SQLite's write lock (`BEGIN IMMEDIATE`) and wait up to `lock_timeout`.

`generation` counts commits; `changes` says which report each commit touched, so a searcher
holding generation G reloads only the reports changed after G. `epoch` changes on a rebuild
(the change log restarts), which tells a searcher to reload everything. `archive_generation`
is the archive catalogue's generation the index reflects (see `workflows.sync_index`); a rebuild
forgets it until the caller records the one it built from.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Optional

from archive.errors import ArchiveError, IndexBusy
from archive.model import Report
from index.documents import indexed_paragraphs

SCHEMA_VERSION = "5"  # 1: Whoosh bigram + word fields; 2: jieba words in FTS5; 3: no title rows; 5: genre, level
DB_NAME = "index.sqlite"

# The archive's version (catalogue stamp) of each report as indexed: what `workflows.sync_index`
# and `archive check` compare with the catalogue. Created on first write in older indexes.
VERSIONS_TABLE = "CREATE TABLE IF NOT EXISTS versions (report_id TEXT PRIMARY KEY, version TEXT NOT NULL)"
TABLES = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value)",
    """CREATE TABLE reports (report_id TEXT PRIMARY KEY, title TEXT, title_derived INTEGER,
        town TEXT, county TEXT, city TEXT, province TEXT, year INTEGER, issued TEXT, issuer TEXT,
        genre TEXT, level TEXT)""",
    """CREATE TABLE paragraphs (id INTEGER PRIMARY KEY AUTOINCREMENT, report_id TEXT NOT NULL, ord INTEGER,
        paragraph_id TEXT, kind TEXT, part TEXT, heading_path TEXT, text TEXT,
        text_original TEXT, folded TEXT, heading_folded TEXT, tokens TEXT)""",
    "CREATE INDEX paragraphs_report ON paragraphs (report_id)",
    "CREATE TABLE changes (generation INTEGER, report_id TEXT)",
    VERSIONS_TABLE,
]
REPORT_COLUMNS = ("report_id", "title", "title_derived", "town", "county", "city", "province",
                  "year", "issued", "issuer", "genre", "level")
# What the exact layer reads per paragraph (`index.exact` for a base, `index.snapshot` for the
# paragraphs written after it); display text stays on disk.
EXACT_ROWS = ("SELECT id, report_id, part, kind, folded, tokens FROM paragraphs WHERE id > ? "
              "ORDER BY id")
HIT_QUERY = """SELECT p.id, p.report_id, p.paragraph_id, p.kind, p.part, p.heading_path, p.text,
    p.text_original, r.title, r.title_derived, r.town, r.county, r.year, r.issued, r.issuer
    FROM paragraphs p JOIN reports r USING (report_id) WHERE p.id IN ({})"""

# Analysed paragraph, as the indexer stores it: (folded, heading_folded, tokens).
Analysed = tuple[str, str, str]


class Store:
    """The SQLite file of one index folder; one connection per thread."""

    def __init__(self, index_dir: Path, lock_timeout: float):
        self.path = Path(index_dir) / DB_NAME
        self.lock_timeout = lock_timeout
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=self.lock_timeout, isolation_level=None,
                                  check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA journal_size_limit=67108864")  # the WAL shrinks back after a rebuild
            self._local.con = con
        return con

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    # --- state ---------------------------------------------------------------------------

    def is_current(self) -> bool:
        """Whether the file exists and was written by this version (else: reindex)."""
        if not self.path.exists():
            return False
        try:
            row = self.connection().execute(
                "SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError:
            self.close()
            return False
        return row is not None and row[0] == SCHEMA_VERSION

    def state(self) -> tuple[int, int]:
        """(epoch, generation) of the latest commit."""
        rows = dict(self.connection().execute(
            "SELECT key, value FROM meta WHERE key IN ('epoch', 'generation')"))
        return rows.get("epoch", 0), rows.get("generation", 0)

    def create(self) -> None:
        """A new, empty index (replacing whatever file was there)."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        with self.writing() as con:
            for sql in TABLES:
                con.execute(sql)
            con.executemany("INSERT INTO meta VALUES (?, ?)",
                            [("schema", SCHEMA_VERSION), ("epoch", 1), ("generation", 0)])

    def ensure(self) -> None:
        """Create the tables in a new (empty) file. Safe when several processes open a new index
        at the same moment: the first to take the write lock creates them, the others find them
        (`create`, which replaces the file, would pull it from under the first)."""
        with self.writing() as con:
            if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
                for sql in TABLES:
                    con.execute(sql)
                con.executemany("INSERT INTO meta VALUES (?, ?)",
                                [("schema", SCHEMA_VERSION), ("epoch", 1), ("generation", 0)])

    # --- writing -------------------------------------------------------------------------

    class _Transaction:
        def __init__(self, store: "Store"):
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.con = self.store.connection()
            try:
                self.con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise IndexBusy("索引正在被另一个程序更新，请稍后再试") from None
                raise ArchiveError(f"检索索引无法写入（{exc}）：请运行 archive reindex 重建索引") from None
            self.con.execute(VERSIONS_TABLE)
            return self.con

        def __exit__(self, kind, exc, tb):
            self.con.execute("COMMIT" if kind is None else "ROLLBACK")
            return False

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """One consistent view for several reads (a commit landing between them is not seen)."""
        con = self.connection()
        con.execute("BEGIN")
        try:
            yield con
        finally:
            con.execute("COMMIT")

    def writing(self) -> "Store._Transaction":
        """`with store.writing() as con:` one write transaction holding the write lock."""
        return Store._Transaction(self)

    @staticmethod
    def bump(con: sqlite3.Connection, report_ids: Iterable[str] = (), new_epoch: bool = False) -> None:
        """Count one commit and log which reports it touched (a new epoch restarts the log)."""
        (generation,) = con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        generation += 1
        if new_epoch:
            con.execute("UPDATE meta SET value = value + 1 WHERE key = 'epoch'")
            con.execute("DELETE FROM changes")
            con.execute("DELETE FROM meta WHERE key = 'archive_generation'")
        con.executemany("INSERT INTO changes VALUES (?, ?)", [(generation, r) for r in report_ids])
        con.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (generation,))

    @staticmethod
    def remove_report(con: sqlite3.Connection, report_id: str) -> bool:
        con.execute("DELETE FROM paragraphs WHERE report_id = ?", (report_id,))
        con.execute("DELETE FROM versions WHERE report_id = ?", (report_id,))
        return con.execute("DELETE FROM reports WHERE report_id = ?", (report_id,)).rowcount > 0

    @staticmethod
    def add_report(con: sqlite3.Connection, report: Report, analysed: list[Analysed]) -> list[int]:
        """Store the report and its paragraphs; returns the paragraphs' row ids."""
        place = report.place
        con.execute(f"INSERT INTO reports VALUES ({', '.join('?' * len(REPORT_COLUMNS))})",
                    (report.id, report.title or "", int(bool(report.title_derived)),
                     place.town or "", place.county or "", place.city or "", place.province or "",
                     report.year, report.issued, report.issuer, report.genre or "", report.level or ""))
        ids = []
        for order, (p, (folded, heading, tokens)) in enumerate(zip(indexed_paragraphs(report), analysed)):
            original = p.text_original if p.text_original and p.text_original != p.text else None
            cur = con.execute(
                "INSERT INTO paragraphs VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (report.id, order, p.id, p.kind, p.part,
                 json.dumps(list(p.heading_path), ensure_ascii=False), p.text, original,
                 folded, heading, tokens))
            ids.append(cur.lastrowid)
        return ids

    @staticmethod
    def set_versions(con: sqlite3.Connection, versions: dict[str, str]) -> None:
        con.executemany("INSERT OR REPLACE INTO versions VALUES (?, ?)", versions.items())

    @staticmethod
    def set_archive_generation(con: sqlite3.Connection, generation: str) -> None:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('archive_generation', ?)", (generation,))

    # --- reading -------------------------------------------------------------------------

    def archive_generation(self) -> Optional[str]:
        row = self.connection().execute(
            "SELECT value FROM meta WHERE key = 'archive_generation'").fetchone()
        return row[0] if row else None

    def paragraphs_after(self, pid: int) -> Iterator[tuple]:
        """The `EXACT_ROWS` of the paragraphs with ids above `pid`, in id order."""
        return self.connection().execute(EXACT_ROWS, (pid,))

    def versions(self) -> dict[str, Optional[str]]:
        """Report id -> the archive version indexed, for every report held (None: unknown)."""
        con = self.connection()
        try:
            return dict(con.execute(
                "SELECT r.report_id, v.version FROM reports r LEFT JOIN versions v USING (report_id)"))
        except sqlite3.OperationalError:  # an index written before versions were recorded
            return dict(con.execute("SELECT report_id, NULL FROM reports"))

    def reports(self, report_ids: Optional[list[str]] = None) -> list[tuple]:
        """(report_id, year, town, county, city, province, genre, level) of these reports (None: all)."""
        sql = "SELECT report_id, year, town, county, city, province, genre, level FROM reports"
        if report_ids is None:
            return self.connection().execute(sql).fetchall()
        marks = ", ".join("?" * len(report_ids))
        return self.connection().execute(f"{sql} WHERE report_id IN ({marks})", report_ids).fetchall()

    def last_paragraph_number(self) -> int:
        return self.connection().execute("SELECT coalesce(max(id), 0) FROM paragraphs").fetchone()[0]

    def paragraph_number(self, report_id: str, paragraph_id: str) -> Optional[int]:
        row = self.connection().execute(
            "SELECT id FROM paragraphs WHERE report_id = ? AND paragraph_id = ?",
            (report_id, paragraph_id)).fetchone()
        return row[0] if row else None

    def word_rows(self, report_ids: Optional[list[str]] = None) -> Iterator[tuple[int, str, str]]:
        """(paragraph id, report id, jieba words) of these reports (None: all), what the Whoosh
        word index holds; read in id order as needed."""
        sql = "SELECT id, report_id, tokens FROM paragraphs"
        if report_ids is None:
            return self.connection().execute(sql + " ORDER BY id")
        marks = ", ".join("?" * len(report_ids))
        return self.connection().execute(f"{sql} WHERE report_id IN ({marks}) ORDER BY id", report_ids)

    def changed_since(self, generation: int) -> set[str]:
        return {rid for (rid,) in self.connection().execute(
            "SELECT report_id FROM changes WHERE generation > ?", (generation,))}

    def hit_rows(self, ids: list[int]) -> dict[int, tuple]:
        """Display rows (`HIT_QUERY`) by paragraph id; ids deleted meanwhile are missing."""
        if not ids:
            return {}
        rows = self.connection().execute(HIT_QUERY.format(", ".join("?" * len(ids))), ids)
        return {row[0]: row for row in rows}
