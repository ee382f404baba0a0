"""The workflows: what staff do to the archive and its search index together, written once for
the command line (`cli`) and the web pages (`webapp.upload`).

The archive (`archive.store`) is the truth; the index follows it by report version: it records
the archive version of each report it holds (and the catalogue generation that all of them are,
when they are), and `sync_index` re-indexes whatever differs — imports, corrections, hand edits,
deletions, a killed writer's leftovers — whoever made them. Every workflow that writes the archive
ends with it, and the server runs it in the background, so the index never needs file times to
know what it lacks and never silently stays behind.

    import_files   files and folders → archive, then the index follows
    import_upload  one uploaded file with staff corrections → archive, then the index follows
    set_fields     a staff correction → archive (audited; a new town or year renames), then the
                   index follows
    sync_index     the index catches up with the archive (`archive reindex --changed`)
    follow_index   the same, waiting while another process holds the index lock
    index_drift    where the index differs from the archive (`archive check`)
    rebuild_index  the index from scratch (`archive reindex`)
    bootstrap      import a folder into an empty archive, make sure the index exists and is current
    reimport       (workflows.reimport) re-read stored originals with today's importers, keeping
                   ids, corrections and paragraph ids; then the index follows
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from archive import audit, integrity
from archive.files import remove_dead_temps
from archive.catalog import Changes, Generation
from archive.errors import ArchiveError, IndexBusy, ReportNotFound
from archive.model import Report
from archive.store import Archive, ImportResult
from index import SearchIndex
from workflows import importing

Progress = Optional[Callable[[int, int], None]]  # (done, total)
# (files done, files, bytes done, bytes): `cli.terminal.progress_bar` takes either
ImportProgress = Optional[Callable[[int, int, int, int], None]]
# a fresh report -> its paragraphs analysed already, or None (see `workflows.importing`)
Analysed = Optional[Callable[[Report], Optional[list]]]
CHUNK_FILES = 500  # files imported, then indexed, at a time: what an import holds in memory


def open_archive(data_dir: os.PathLike | str) -> Archive:
    """The archive in `data_dir`, importing with the real importers."""
    return Archive(data_dir, read_report=read_report)


def read_report(data: bytes, filename: str) -> Report:
    """`importers.read_report`, imported on first use: the readers and cleaners cost ~0.5 s of
    CPU to import, which the server's start (and any command that imports nothing) should not
    pay before its first answer (issue 14)."""
    from importers import read_report as read
    return read(data, filename)


def open_index(archive: Archive) -> SearchIndex:
    return SearchIndex(archive.index_dir)


@dataclass
class Synced:
    """What `sync_index` did: ids re-indexed and removed, or why the index could not follow."""
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    error: Optional[str] = None  # one line, e.g. the index is busy or must be rebuilt
    busy: bool = False           # the error is another process holding the index lock


@dataclass
class Imported:
    results: list[ImportResult]
    index: Synced

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


@dataclass(frozen=True)
class Drift:
    """Where the index disagrees with the archive's current report versions."""
    missing: list[str]  # in the archive, not in the index
    stale: list[str]    # indexed from an older version of the report
    extra: list[str]    # in the index, no longer in the archive

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.extra)


def index_drift(archive: Archive, index: SearchIndex) -> Drift:
    """Compare every report's version in the archive with the one the index was built from."""
    return _compare(archive.versions(), index.versions())


def _compare(wanted: dict[str, str], held: dict[str, Optional[str]]) -> Drift:
    return Drift(sorted(set(wanted) - set(held)),
                 sorted(rid for rid, v in wanted.items() if rid in held and held[rid] != v),
                 sorted(set(held) - set(wanted)))


def sync_index(archive: Archive, index: SearchIndex,
               fresh: Iterable[ImportResult] = (), analysed: Analysed = None,
               merge: bool = True, scan: bool = False) -> Synced:
    """Make the index hold exactly the archive's current version of every report: whatever a
    crash, a killed import, a hand edit or another process left behind, not only this write.
    Fast path: the index records the catalogue generation it reflects, in the same transaction
    as its last update, and only when every report in it is that generation's version.
    Otherwise the versions are compared report by report and the differences re-indexed in one
    pass (`update_many`, which never puts back a version older than a concurrent writer's).
    `fresh`: results of imports just made, indexed as they are instead of read again (unless
    the report changed again since). Index errors are returned, not raised: the archive write
    they follow has been made. `analysed(report)`: a fresh report's paragraphs analysed by the
    import worker (`workflows.importing`), or None; `merge=False` leaves the exact layer's
    rebuild to a later call (an import in chunks merges once, at the end). `scan`: stat every
    report file first, so that edits made in place are seen now (`archive reindex --changed`;
    otherwise the archive's periodic scan finds them, see `Archive.rescan_interval`)."""
    fresh = [r for r in fresh if r.report is not None and r.generation]
    if scan:
        archive.versions()
    for attempt in range(3):
        try:
            return _sync_once(archive, index, fresh, analysed, merge)
        except ReportNotFound:  # removed between the comparison and the reading: compare again
            if attempt == 2:
                raise
        except IndexBusy as exc:
            return Synced(error=str(exc), busy=True)
        except ArchiveError as exc:
            return Synced(error=str(exc))
    raise AssertionError("unreachable")


def _sync_once(archive: Archive, index: SearchIndex, fresh: list[ImportResult],
               analysed: Analysed = None, merge: bool = True) -> Synced:
    generation = archive.generation()
    if index.archive_generation() == str(generation):
        return Synced()
    wanted = archive.versions()  # read after the generation: at least as new as it
    drift = _compare(wanted, index.versions())
    todo = drift.missing + drift.stale
    in_hand = _in_hand(archive, generation, fresh, todo)

    def read() -> Iterator[Report]:
        for rid in todo:
            yield in_hand[rid] if rid in in_hand else archive.get(rid)
    index.update_many(read(), deleted=drift.extra, archive_generation=str(generation),
                      versions={rid: wanted[rid] for rid in todo},
                      verify=lambda ids: archive.versions(ids, scan=False),
                      analysed=analysed, merge=merge)
    return Synced(sorted(todo), drift.extra)


def _in_hand(archive: Archive, generation: Generation, fresh: list[ImportResult],
             todo: list[str]) -> dict[str, Report]:
    """The reports of `fresh` that are still their id's latest write (so need no reading)."""
    if not fresh:
        return {}
    since = Generation(generation.epoch, min(r.generation for r in fresh) - 1)
    latest = archive.changes_since(since)
    wanted = set(todo)
    return {r.report_id: r.report for r in fresh if r.report_id in wanted and latest.complete
            and latest.changed.get(r.report_id) == r.generation}


def follow_index(archive: Archive, index: SearchIndex, patience: float = 600.0,
                 fresh: Iterable[ImportResult] = (),
                 waiting: Optional[Callable[[float], None]] = None,
                 analysed: Analysed = None, merge: bool = True) -> Synced:
    """`sync_index`, retried while another process holds the index lock (a full `archive
    reindex` may hold it for minutes), for up to `patience` seconds; `waiting(seconds waited)`
    is told before each retry. Returns the last attempt's outcome."""
    started = time.monotonic()
    fresh = list(fresh)
    while True:
        synced = sync_index(archive, index, fresh, analysed, merge)
        waited = time.monotonic() - started
        if not synced.busy or waited >= patience:
            return synced
        if waiting:
            waiting(waited)
        time.sleep(min(RETRY_SECONDS, max(0.0, patience - waited)))


RETRY_SECONDS = 2.0


def rebuild_index(archive: Archive, index: SearchIndex, progress: Progress = None,
                  procs: Optional[int] = None) -> tuple[int, int]:
    """The index afresh from every report, then whatever was written while it ran; returns
    (reports, paragraphs)."""
    generation = archive.generation()
    versions = archive.versions()  # read before the reports: a report rewritten meanwhile is
    reports = [r for r in archive.reports() if r.id in versions]  # seen as stale, not missed
    paragraphs = index.rebuild(reports, progress=progress, procs=procs,
                               versions={r.id: versions[r.id] for r in reports},
                               archive_generation=str(generation))
    sync_index(archive, index)
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
                 paths: Iterable[os.PathLike | str], progress: ImportProgress = None,
                 patience: float = 0.0, waiting: Optional[Callable[[float], None]] = None,
                 procs: Optional[int] = None) -> Imported:
    """Import every file named or under a folder named; a bad file fails alone. Files are read
    in `procs` processes (`workflows.importing`), and the index follows every CHUNK_FILES files
    (unless `index` is None), waiting up to `patience` seconds for a busy index lock (see
    `follow_index`); the exact layer is rebuilt once, at the end. Stopped midway (Ctrl-C),
    every file imported so far is kept, and the next import of the same files skips them and
    indexes what the index lacks. Temporary files left by an import killed earlier go first."""
    remove_dead_temps(integrity.temp_files(archive))
    files = list(files_under(paths))
    sizes = [_size(path) for path in files]
    total = sum(sizes)
    results: list[ImportResult] = []
    chunk: dict[str, tuple[Report, list]] = {}  # report id -> (report, its analysed paragraphs)
    synced = Synced()
    done_bytes = 0
    try:
        for done, (result, paragraphs) in enumerate(importing.import_all(archive, files, procs), 1):
            results.append(result)
            if paragraphs is not None:
                chunk[result.report_id] = (result.report, paragraphs)
            done_bytes += sizes[done - 1]
            if progress:
                progress(done, len(files), done_bytes, total)
            if done % CHUNK_FILES == 0 and done < len(files) and index is not None:
                synced = _follow_chunk(archive, index, results, chunk, patience, waiting, merge=False)
        if index is not None:
            synced = _follow_chunk(archive, index, results, chunk, patience, waiting, merge=True)
    finally:
        # what workers stopped by Ctrl-C left, and a killed import's workers that were still
        # dying when this one began
        remove_dead_temps(integrity.temp_files(archive))
    return Imported(results, synced)


def _follow_chunk(archive: Archive, index: SearchIndex, results: list[ImportResult],
                  chunk: dict[str, tuple[Report, list]], patience: float,
                  waiting: Optional[Callable[[float], None]], merge: bool) -> Synced:
    """The index follows the imports of the chunk just read; then their reports are let go
    (the results keep only what happened to each file)."""
    def analysed(report: Report) -> Optional[list]:
        held = chunk.get(report.id)
        return held[1] if held is not None and held[0] is report else None
    start = max(0, len(results) - (len(results) % CHUNK_FILES or CHUNK_FILES))
    synced = _follow(archive, index, results[start:], patience, waiting, analysed, merge)
    chunk.clear()
    for k in range(start, len(results)):
        if results[k].report is not None:
            results[k] = replace(results[k], report=None)
    return synced


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


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


def _follow(archive: Archive, index: Optional[SearchIndex], results: list[ImportResult],
            patience: float = 0.0, waiting: Optional[Callable[[float], None]] = None,
            analysed: Analysed = None, merge: bool = True) -> Synced:
    if index is None:  # (even when nothing was new: a killed import may have left the index behind)
        return Synced()
    return follow_index(archive, index, patience, results, waiting, analysed, merge)


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
    if not had_index or not index.current:  # none yet, or written by an older version
        return Bootstrapped(imported, rebuild_index(archive, index)[1], None)
    synced = sync_index(archive, index)
    if synced.error:
        raise ArchiveError(synced.error)
    return Bootstrapped(imported, None, synced)
