"""A catalogue found locked (another process creating it or switching it to WAL: SQLite answers
"locked" at once there, whatever its busy timeout) is waited for, never taken for a damaged file
and deleted; still locked past the timeout, the caller gets one line and the file stays."""
import sqlite3

import pytest

from archive.catalog import Catalog
from archive.errors import ArchiveError


def locked_for(times: int, monkeypatch) -> list[int]:
    """sqlite3.connect answers "locked" `times` times, then connects as usual."""
    connect = sqlite3.connect
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise sqlite3.OperationalError("database is locked")
        return connect(*args, **kwargs)
    monkeypatch.setattr(sqlite3, "connect", flaky)
    return calls


def test_a_locked_catalogue_is_waited_for_not_rebuilt(tmp_path, monkeypatch):
    first = Catalog(tmp_path)
    epoch = first.generation().epoch
    calls = locked_for(3, monkeypatch)
    again = Catalog(tmp_path)
    assert again.generation().epoch == epoch          # the same file: not deleted and made anew
    assert len(calls) == 4


def test_locked_past_the_timeout_is_one_line_and_the_file_stays(tmp_path, monkeypatch):
    Catalog(tmp_path).generation()
    locked_for(10**9, monkeypatch)
    with pytest.raises(ArchiveError, match="锁定"):
        Catalog(tmp_path, timeout=0.2).generation()
    assert (tmp_path / "catalog.sqlite").exists()
