"""Re-reading the stored originals with today's importers (`archive reimport`), so an archive
built by an older importer gets the better metadata without breaking a citation.

Each report is read again from its own original (`archive.reread`): its id stays, staff
corrections stay, and every paragraph whose text is unchanged keeps its id. With `rename`, a
report whose id no longer fits its town and year (`未知镇-2024-1a2b3c4d` once the town is found)
moves to the id they call for through the staff-correction path (`archive.audit.rename`): the
old id redirects for good and the audit trail says so. A report whose original is missing or
unreadable fails alone and is left as it is. The index follows once, in one batch.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Optional

from archive import audit, renames
from archive.errors import ArchiveError
from archive.flags import flag_label
from archive.reread import Reread, read_again
from archive.rules import GENRE_LABELS, LEVEL_LABELS
from archive.store import Archive, ImportResult
from index import SearchIndex
from workflows import Synced, sync_index

# The metadata whose change is reported, in this order; then the flags.
FIELDS = ("town", "county", "city", "province", "year", "title", "level", "genre")
WHO = "重新导入"  # the audit trail's editor of a rename made by reimport
LABELS = {"town": "乡镇", "county": "县区", "city": "市", "province": "省", "year": "年份",
          "title": "标题", "level": "层级", "genre": "体裁"}


@dataclass
class Outcome:
    """What re-reading one report did (or would do, in a dry run)."""
    report_id: str
    status: str                                   # changed | unchanged | failed
    changes: dict[str, list[Any]] = field(default_factory=dict)  # field -> [before, after]
    kept: int = 0                                 # paragraphs that kept their id
    new: list[str] = field(default_factory=list)      # paragraph ids of new text
    retired: list[str] = field(default_factory=list)  # paragraph ids whose text is gone
    renamed_to: Optional[str] = None
    error: Optional[str] = None                   # one line, when failed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def worth_saying(self) -> bool:
        return self.status != "unchanged" or self.renamed_to is not None

    def describe(self, dry_run: bool = False) -> str:
        """One line for staff: what changed (or why it failed)."""
        if self.error:
            return f"{self.report_id}: {self.error}"
        parts = []
        for name, (before, after) in self.changes.items():
            if name == "flags":
                came, gone = sorted(set(after) - set(before)), sorted(set(before) - set(after))
                parts.append("标记 " + " ".join([f"+{flag_label(f)}" for f in came] + [f"-{flag_label(f)}" for f in gone]))
                continue
            if name in ("level", "genre"):
                names = LEVEL_LABELS if name == "level" else GENRE_LABELS
                before, after = names.get(before, before), names.get(after, after)
            parts.append(f"{LABELS[name]} {before or '未知'} → {after or '未知'}")
        if self.new or self.retired:
            retired = " ".join(self.retired[:5]) + (" …" if len(self.retired) > 5 else "")
            parts.append(f"段落 {self.kept} 段保留编号, {len(self.new)} 段文字有变或新增"
                         + (f", 停用编号 {retired}" if retired else ""))
        if self.renamed_to:
            parts.append(f"编号{'将' if dry_run else ''}改为 {self.renamed_to} (旧编号跳转)")
        return f"{self.report_id}: " + ("; ".join(parts) or "仅文件格式更新")


@dataclass
class Reimported:
    outcomes: list[Outcome]
    index: Synced
    dry_run: bool

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    def summary(self) -> str:
        return (("预览 (未写入): " if self.dry_run else "")
                + f"重新读取 {len(self.outcomes)} 份报告: 有变化 {self.count('changed')}, "
                f"未变 {self.count('unchanged')}, 失败 {self.count('failed')}")


def reimport(archive: Archive, index: Optional[SearchIndex], ids: Optional[Iterable[str]] = None,
             dry_run: bool = False, rename: bool = False, progress=None) -> Reimported:
    """Re-read the reports `ids` (None: all) from their originals; in a dry run nothing is
    written. Then the index follows (unless `index` is None or nothing changed)."""
    targets = archive.ids() if ids is None else list(ids)
    outcomes, written = [], []
    for done_count, rid in enumerate(targets, 1):
        try:
            rid = renames.resolve(archive, rid)  # an old, redirected id names the report it became
            done = read_again(archive, rid, write=not dry_run)
        except ArchiveError as exc:
            outcomes.append(Outcome(rid, "failed", error=str(exc)))
        else:
            outcome = _outcome(rid, done)
            if done.changed and not dry_run:
                written.append(ImportResult(done.new.source.path, "updated", rid,
                                            report=done.new, generation=done.generation))
            if rename:
                if dry_run:
                    outcome.renamed_to = renames.fitting_id(archive, rid, done.new)
                else:
                    new_id = audit.rename(archive, rid, WHO, None)
                    outcome.renamed_to = new_id if new_id != rid else None
            outcomes.append(outcome)
        if progress:
            progress(done_count, len(targets))
    moved = not dry_run and any(o.renamed_to for o in outcomes)
    synced = sync_index(archive, index, written) if index is not None and (written or moved) else Synced()
    return Reimported(outcomes, synced, dry_run)


def _outcome(rid: str, done: Reread) -> Outcome:
    old, new = done.old, done.new
    changes = {name: [old.meta(name), new.meta(name)] for name in FIELDS
               if old.meta(name) != new.meta(name)}
    if set(old.flags) != set(new.flags):
        changes["flags"] = [sorted(old.flags), sorted(new.flags)]
    carried = done.carried
    return Outcome(rid, "changed" if done.changed else "unchanged", changes, carried.kept,
                   carried.new, carried.retired)
