"""What staff should look at: reports whose metadata is doubtful (`archive review`) and problems
in the data folder (`archive check`). Reads through the store; writes nothing."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from archive import originals, renames
from archive.errors import ArchiveError
from archive.fields import read_overrides
from archive.model import NOTED_FLAGS, Report
from archive.rules import valid_id

LOW_CONFIDENCE = 0.6


def _doubts(e: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, reason) of each doubt the catalogue entry shows: a missing or doubtful town or year
    (kinds town_missing, town_doubtful…; see archive.flags.REVIEW_LABELS)."""
    out = []
    for name, label, value in (("town", "镇名", e["place"].get("town")),
                               ("year", "年份", e["year"])):
        conf = e["confidence"].get(name)
        if value is None and (name != "town" or "town_missing" in e["flags"]):
            out.append((f"{name}_missing", f"缺少{label}"))  # a county's own report has no town
        elif conf is not None and conf < LOW_CONFIDENCE:
            out.append((f"{name}_doubtful", f"{label}「{value}」把握不大 (置信度 {conf:.2f})"))
    return out


def review_ids(archive) -> list[tuple[str, list[str]]]:
    """The ids `review()` looks at, in id order, with the reasons the catalogue gives (missing
    or doubtful town and year) — cheap, for a page of the list at a time; `review_item`
    adds the reasons the importer explained."""
    return [(rid, [reason for _, reason in doubts]) for rid, doubts, _ in _listed(archive)]


def review_kinds(archive) -> dict[str, list[str]]:
    """{id: the kinds of its doubts} for every report `review_ids` lists: the catalogue's doubts
    and the noted flags (place_ambiguous, genre_doubt), for filtering the list by reason."""
    return {rid: [kind for kind, _ in doubts] + noted for rid, doubts, noted in _listed(archive)}


def _listed(archive):
    for rid, e in archive.catalog_entries():
        if "error" in e:
            continue
        doubts = _doubts(e)
        noted = [f for f in NOTED_FLAGS if f in e["flags"]]
        if doubts or noted:
            yield rid, doubts, noted


def doubtful_fields(report) -> list[str]:
    """The town and year values the importer read with low confidence: what 确认无误 confirms."""
    return [name for name in ("town", "year") if report.meta(name) is not None
            and name in report.provenance and report.provenance[name].confidence is not None
            and report.provenance[name].confidence < LOW_CONFIDENCE]


def temp_files(archive) -> list[Path]:
    """The temporary files writers keep beside what they write: in tmp/, hidden in reports/ and
    in the originals' folders. A writer killed mid-write leaves them behind."""
    found = []
    for folder, pattern in ((archive.tmp_dir, "*"), (archive.reports_dir, ".*.tmp"),
                            (archive.originals_dir, "*/.*")):
        found += folder.glob(pattern) if folder.is_dir() else []
    return sorted(found)


def review_item(archive, rid: str, reasons: list[str]) -> tuple[Report, list[str]]:
    """The report and all its reasons: a flag the importer explained (Report.flag_notes) is
    a reason of its own."""
    report = archive.get(rid)
    return report, reasons + [report.flag_notes[f] for f in report.flags if f in report.flag_notes]


def review(archive) -> list[tuple[Report, list[str]]]:
    """Reports whose town or year is missing or uncertain (confidence < 0.6), or that carry a
    flag the importer explained (place_ambiguous, genre_doubt), with reasons; unreadable
    reports are left to `check`."""
    out = []
    for rid, reasons in review_ids(archive):
        try:
            report, reasons = review_item(archive, rid, reasons)
        except ArchiveError:
            continue
        if reasons:
            out.append((report, reasons))
    return out


def check(archive) -> list[str]:
    """Problems found in the data folder, one line each; an empty list means healthy."""
    problems: list[str] = []
    referenced: dict[str, str] = {}  # sha -> id
    ids = set(archive.ids())
    for rid in sorted(ids):
        try:
            report, notes = archive.load(rid)
        except ArchiveError as exc:
            problems.append(str(exc))
            continue
        problems += [f"{rid}.md: {n}" for n in notes]
        for sha in [report.source.sha256] + [h.get("sha256") for h in report.history]:
            referenced.setdefault(str(sha), rid)
        try:
            read_overrides(archive.override_path(rid))
        except ArchiveError as exc:
            problems.append(str(exc))
    for sha, rid in sorted(referenced.items()):
        if originals.find(archive.originals_dir, sha) is None:
            problems.append(f"{rid}: 原件缺失 ({sha[:12]}…)")
    problems += [f"残留的临时文件 {path} (可删除；下次 archive import 会自动清理)"
                 for path in temp_files(archive)]
    problems += originals.problems(archive.originals_dir)
    for path in sorted(archive.reports_dir.glob("*")) if archive.reports_dir.is_dir() else []:
        name = path.name
        if name.startswith("."):
            continue
        for suffix in (".log.json", ".override.yaml", ".audit.jsonl"):
            if name.endswith(suffix) and name[:-len(suffix)] not in ids:
                problems.append(f"{name} 没有对应的报告文件 {name[:-len(suffix)]}.md")
        if name.endswith(".md") and not valid_id(name[:-3]):
            problems.append(f"{name}: 文件名不是有效的报告编号, 不会被读取")
    return problems + renames.problems(archive, ids)
