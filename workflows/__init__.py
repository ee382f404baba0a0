"""The workflows: what staff do to the archive and its search index together, written once for
the command line (`cli`) and the web pages (`webapp.upload`).

The archive (`archive.store`) is the truth; the index follows it by catalogue generation: it
records the generation it reflects, and `sync_index` applies what changed since — imports,
corrections, hand edits, deletions — whoever made them. Every workflow that writes the archive
ends with it, so the index never needs file times to know what it lacks.

    import_files   files and folders → archive, then the index follows
    import_upload  one uploaded file with staff corrections → archive, then the index follows
    set_fields     a staff correction → archive (audited; a new town or year renames), then the
                   index follows
    sync_index     the index catches up with the archive (`archive reindex --changed`)
    rebuild_index  the index from scratch (`archive reindex`)
    bootstrap      import a folder into an empty archive, make sure the index exists and is current
    reimport       (workflows.reimport) re-read stored originals with today's importers, keeping
                   ids, corrections and paragraph ids; then the index follows
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from archive import audit
from archive.catalog import Changes, Generation
from archive.errors import ArchiveError
from archive.model import Report
from archive.store import Archive, ImportResult
from importers import read_report
from index import SearchIndex

Progress = Optional[Callable[[int, int], None]]  # (done, total)


def open_archive(data_dir: os.PathLike | str) -> Archive:
    """The archive in `data_dir`, importing with the real importers."""
    return Archive(data_dir, read_report=read_report)


def open_index(archive: Archive) -> SearchIndex:
    return SearchIndex(archive.index_dir)


@dataclass
class Synced:
    """What `sync_index` did: ids re-indexed and removed, or why the index could not follow."""
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    error: Optional[str] = None  # one line, e.g. the index is busy or must be rebuilt


@dataclass
class Imported:
    results: list[ImportResult]
    index: Synced

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


def sync_index(archive: Archive, index: SearchIndex,
               fresh: Iterable[ImportResult] = ()) -> Synced:
    """Bring the index to the archive's current generation in one pass (`update_many`). `fresh`:
    results of imports just made, whose reports are indexed as they are instead of read again (unless
    the report changed again since). Index errors are returned, not raised: the archive write
    they follow has been made."""
    try:
        since = Generation.parse(index.archive_generation())
        changes = archive.changes_since(since)
        if not changes.complete:  # no generation recorded, or the catalogue's was rebuilt
            return _rebuild(archive, index, changes)
        in_hand = {r.report_id: r for r in fresh if r.report is not None and r.generation}
        index.update_many((in_hand[rid].report if rid in in_hand and in_hand[rid].generation >= generation
                           else archive.get(rid) for rid, generation in changes.changed.items()),
                          deleted=changes.deleted, archive_generation=str(changes.generation))  # one pass
        return Synced(sorted(changes.changed), changes.deleted)
    except ArchiveError as exc:
        return Synced(error=str(exc))


def _rebuild(archive: Archive, index: SearchIndex, changes: Changes) -> Synced:
    """Follow by rebuilding when the index cannot say what it lacks: one bulk pass instead of
    re-indexing every report one by one."""
    removed = sorted(set(index.report_ids()) - set(changes.changed))
    index.rebuild(archive.reports())
    index.set_archive_generation(str(changes.generation))
    return Synced(sorted(changes.changed), removed)


def rebuild_index(archive: Archive, index: SearchIndex, progress: Progress = None,
                  procs: Optional[int] = None) -> tuple[int, int]:
    """The index afresh from every report; returns (reports, paragraphs)."""
    generation = archive.generation()
    reports = list(archive.reports())
    paragraphs = index.rebuild(reports, progress=progress, procs=procs)
    index.set_archive_generation(str(generation))
    return len(reports), paragraphs


def files_under(paths: Iterable[os.PathLike | str]) -> Iterator[Path]:
    """The files named, and every non-hidden file under the folders named, in a stable order."""
    for path in map(Path, paths):
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            yield from (Path(root) / f for f in sorted(files) if not f.startswith("."))


def import_files(archive: Archive, index: Optional[SearchIndex],
                 paths: Iterable[os.PathLike | str], progress: Progress = None) -> Imported:
    """Import every file named or under a folder named; a bad file fails alone. Then the index
    follows (unless `index` is None)."""
    files = list(files_under(paths))
    results = []
    for done, path in enumerate(files, 1):
        results.append(archive.import_file(path))
        if progress:
            progress(done, len(files))
    return Imported(results, _follow(archive, index, results))


def import_upload(archive: Archive, index: SearchIndex, data: bytes, filename: str,
                  overrides: Optional[dict[str, Any]] = None) -> Imported:
    """One uploaded file, with the fields staff corrected before confirming."""
    results = [archive.import_bytes(data, filename, overrides or None)]
    return Imported(results, _follow(archive, index, results))


def set_fields(archive: Archive, index: Optional[SearchIndex], report_id: str,
               fields: dict[str, Any], who: str = "命令行",
               address: Optional[str] = None) -> tuple[Report, Synced]:
    """Correct a report's metadata (kept across re-imports, recorded in its audit trail with
    `who` and `address`); a corrected town or year moves it to the id they call for, the old
    id redirecting (archive.audit.correct). Then the index follows."""
    report = audit.correct(archive, report_id, fields, who, address).report
    return report, sync_index(archive, index) if index is not None else Synced()


def _follow(archive: Archive, index: Optional[SearchIndex], results: list[ImportResult]) -> Synced:
    if index is None or not any(r.status in ("imported", "updated") for r in results):
        return Synced()
    return sync_index(archive, index, results)


@dataclass
class Bootstrapped:
    imported: Optional[Imported]  # None: the archive held reports already
    rebuilt: Optional[int]        # paragraphs, when the index was built afresh
    synced: Optional[Synced]      # when an existing index caught up


def bootstrap(archive: Archive, folder: os.PathLike | str, progress: Progress = None) -> Bootstrapped:
    """`make run`: import `folder` when the archive is empty; build the index when there is
    none, else let it catch up with whatever changed (hand edits included)."""
    imported = None
    if not archive.ids():
        if not Path(folder).is_dir():
            raise ArchiveError(f"找不到文件夹 {folder}")
        imported = import_files(archive, None, [folder], progress)
    had_index = archive.index_dir.is_dir() and any(archive.index_dir.iterdir())
    index = open_index(archive)
    if not had_index:
        return Bootstrapped(imported, rebuild_index(archive, index)[1], None)
    synced = sync_index(archive, index)
    if synced.error:
        raise ArchiveError(synced.error)
    return Bootstrapped(imported, None, synced)
