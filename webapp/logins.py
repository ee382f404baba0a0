"""Login state every thread and server process shares: failed-login throttling and the
server-side list of open administrator sessions.

Both live in one small SQLite file in the data folder (`logins.sqlite`), so a lock holds across
waitress threads, several server processes and restarts, and a logout revokes the session
everywhere. Nothing here sleeps: a refused attempt is answered at once with how long to wait.

Policy (per client address): the 3rd and 4th consecutive failures make the next attempt wait
2 and 4 s; the 5th locks the address for 60 s, each further failure doubles that (at most 1 h).
A success clears the address; so does a day without failures. Across all addresses, more than
`GLOBAL_LIMIT` failures within `GLOBAL_WINDOW` seconds pause every login until the oldest
expire (distributed guessing). While an address or the site is locked, the password is not even
checked, so the right one is refused too. Addresses in the administrators' networks
(`ARCHIVE_ADMIN_NETWORKS`) are never held by the site-wide pause, only by their own failures,
so an attack from elsewhere cannot lock the administrator out; `archive unlock` (`unlock`)
lifts locks from the command line.
"""
from __future__ import annotations

import contextlib
import math
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

from webapp.addresses import Network, address_in

DELAY_AFTER = 3            # failures before the next attempt has to wait
LOCK_AFTER = 5             # failures before the address is locked
LOCK_SECONDS = 60
MAX_WAIT_SECONDS = 3600
FORGET_SECONDS = 24 * 3600  # an address without failures for this long starts afresh
GLOBAL_WINDOW = 600
GLOBAL_LIMIT = 100
SESSION_SECONDS = 12 * 3600  # an administrator session ends this long after its login

_SCHEMA = """
CREATE TABLE IF NOT EXISTS address_failures (
    addr TEXT PRIMARY KEY, failures INTEGER NOT NULL, last REAL NOT NULL, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS failures (at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS failures_at ON failures (at);
CREATE TABLE IF NOT EXISTS admin_sessions (nonce TEXT PRIMARY KEY, opened REAL NOT NULL);
"""


def wait_after(failures: int) -> float:
    """Seconds the next attempt must wait after `failures` consecutive failures."""
    if failures < DELAY_AFTER:
        return 0
    if failures < LOCK_AFTER:
        return 2 ** (failures - DELAY_AFTER + 1)
    return min(LOCK_SECONDS * 2 ** (failures - LOCK_AFTER), MAX_WAIT_SECONDS)


@dataclass(frozen=True)
class Attempt:
    checked: bool   # False: refused without checking the password (locked)
    ok: bool        # the password was right
    wait: int       # seconds before the next attempt is accepted (0: none)
    failures: int   # consecutive failures of this address so far
    locked_site: bool = False  # the refusal is the site-wide pause, not this address's


@dataclass(frozen=True)
class Unlocked:
    """What `unlock` lifted: addresses whose lock or failure count was cleared, and the seconds
    the site-wide pause still had to run (0: none; with an address it is left as it is)."""
    addresses: list[str]
    site_wait: int


class LoginGuard:
    """Throttle and session registry over `path` (SQLite). `clock` (wall-clock seconds, shared
    between processes) is injectable so tests need not sleep; addresses in `admin_networks` are
    exempt from the site-wide pause."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time,
                 admin_networks: Iterable[Network] = ()):
        self.path = Path(path)
        self.clock = clock
        self.admin_networks = tuple(admin_networks)
        self._lock = threading.Lock()
        self._db: Optional[sqlite3.Connection] = None

    # ---- throttling ---------------------------------------------------------------------

    def attempt(self, addr: str, verify: Callable[[], bool]) -> Attempt:
        """Check the password with `verify()` unless `addr` or the site is locked; record it."""
        with self._transaction() as db:
            now = self.clock()
            db.execute("DELETE FROM failures WHERE at < ?", (now - GLOBAL_WINDOW,))
            db.execute("DELETE FROM address_failures WHERE last < ? AND until < ?",
                       (now - FORGET_SECONDS, now))
            row = db.execute("SELECT failures, until FROM address_failures WHERE addr = ?",
                             (addr,)).fetchone()
            failures, until = row or (0, 0.0)
            site_wait = 0.0 if address_in(addr, self.admin_networks) else self._site_wait(db, now)
            wait = min(max(until - now, site_wait), MAX_WAIT_SECONDS)
            if wait > 0:
                return Attempt(False, False, math.ceil(wait), failures,
                               locked_site=site_wait >= until - now)
            if verify():
                db.execute("DELETE FROM address_failures WHERE addr = ?", (addr,))
                return Attempt(True, True, 0, 0)
            failures += 1
            wait = wait_after(failures)
            db.execute("INSERT OR REPLACE INTO address_failures VALUES (?, ?, ?, ?)",
                       (addr, failures, now, now + wait))
            db.execute("INSERT INTO failures VALUES (?)", (now,))
            return Attempt(True, False, math.ceil(wait), failures)

    @staticmethod
    def _site_wait(db, now: float) -> float:
        """Until enough of the window's failures expire to fall below GLOBAL_LIMIT."""
        (count,) = db.execute("SELECT count(*) FROM failures").fetchone()
        if count < GLOBAL_LIMIT:
            return 0.0
        (at,) = db.execute("SELECT at FROM failures ORDER BY at LIMIT 1 OFFSET ?",
                           (count - GLOBAL_LIMIT,)).fetchone()
        return at + GLOBAL_WINDOW - now

    def unlock(self, addr: Optional[str] = None) -> Unlocked:
        """Lift the lock of `addr` (its failures are forgotten), or with None of every address
        and the site-wide pause. Sessions stay open."""
        with self._transaction() as db:
            now = self.clock()
            db.execute("DELETE FROM failures WHERE at < ?", (now - GLOBAL_WINDOW,))
            site_wait = max(0.0, self._site_wait(db, now))
            where, args = ("WHERE addr = ?", (addr,)) if addr is not None else ("", ())
            addresses = [a for (a,) in db.execute(
                f"SELECT addr FROM address_failures {where} ORDER BY addr", args)]
            db.execute(f"DELETE FROM address_failures {where}", args)
            if addr is None:
                db.execute("DELETE FROM failures")
        return Unlocked(addresses, math.ceil(site_wait))

    # ---- administrator sessions ---------------------------------------------------------

    def open_session(self) -> str:
        """A new session nonce, valid until `close_session` or SESSION_SECONDS."""
        nonce = secrets.token_urlsafe(24)
        with self._transaction() as db:
            now = self.clock()
            db.execute("DELETE FROM admin_sessions WHERE opened < ?", (now - SESSION_SECONDS,))
            db.execute("INSERT INTO admin_sessions VALUES (?, ?)", (nonce, now))
        return nonce

    def session_valid(self, nonce: object) -> bool:
        if not isinstance(nonce, str) or not nonce:
            return False
        with self._transaction(write=False) as db:
            row = db.execute("SELECT opened FROM admin_sessions WHERE nonce = ?", (nonce,)).fetchone()
        return row is not None and row[0] >= self.clock() - SESSION_SECONDS

    def close_session(self, nonce: object) -> None:
        if isinstance(nonce, str):
            with self._transaction() as db:
                db.execute("DELETE FROM admin_sessions WHERE nonce = ?", (nonce,))

    # ---- plumbing -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self, write: bool = True):
        """One transaction, threads of this process queued on a lock, other processes on
        SQLite's (BEGIN IMMEDIATE: read, decide and write without another writer between)."""
        with self._lock:
            db = self._connect()
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                 check_same_thread=False)
            db.executescript(_SCHEMA)
            self._db = db
        return self._db
