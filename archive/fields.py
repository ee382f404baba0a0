"""Staff corrections of a report's metadata (`archive set`, upload overrides): which fields may be
corrected, how each value is checked and normalised, how a correction is recorded on a report,
and the <id>.override.yaml file that keeps them across re-imports."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

import yaml

from archive.errors import ArchiveError, InvalidField
from archive.files import atomic_write
from archive.mdfile import normalize_text
from archive.model import CHECKED_FLAGS, META_FIELDS, PLACE_FIELDS, Provenance, Report, derived_title
from archive.rules import (GENRE_LABELS, LEVEL_LABELS, YEAR_MAX, YEAR_MIN, genre_code, level_code,
                           parse_year, reporting_place)


_DATE = re.compile(r"([0-9]{4})(?:\s*[-./年]\s*([0-9]{1,2})(?:\s*[-./月]\s*([0-9]{1,2})\s*日?)?\s*月?)?\s*年?")


def _valid_issued(value: str) -> str:
    m = _DATE.fullmatch(value)
    try:
        if not m:
            raise ValueError
        y, mo, d = (int(g) if g else None for g in m.groups())
        dt.date(y, mo or 1, d or 1)
    except ValueError:
        raise InvalidField(f"issued 应为日期, 如 2020-04-13、2020-04 或 2020, 而不是 {value!r}") from None
    return f"{y:04d}" + (f"-{mo:02d}" if mo else "") + (f"-{d:02d}" if d else "")


# Not metadata but a staff decision kept with the corrections: the noted flags checked and
# dismissed (`reviewed=genre_doubt,place_ambiguous`; empty brings them back to review).
REVIEWED = "reviewed"
SETTABLE = (*META_FIELDS, REVIEWED)


def _valid_reviewed(value: Any) -> list[str]:
    flags = value if isinstance(value, list) else re.split(r"[\s,，、]+", str(value or ""))
    flags = sorted({str(f).strip() for f in flags if str(f).strip()})
    wrong = [f for f in flags if f not in CHECKED_FLAGS]
    if wrong:
        raise InvalidField(f"reviewed 应为 {' 或 '.join(CHECKED_FLAGS)} (可用逗号分隔), 而不是 {wrong[0]!r}")
    return flags


# Fields whose value is a code, given by any of its names (archive.rules): name → (code of, labels).
_CODED = {"genre": (genre_code, GENRE_LABELS), "level": (level_code, LEVEL_LABELS)}


def _valid_code(name: str, value: Any) -> str:
    code_of, labels = _CODED[name]
    code = code_of(value)
    if code is None:
        raise InvalidField(f"{name} 应为 {'、'.join(labels.values())} 之一, 而不是 {value!r}")
    return code


# Staff type place names, titles, issuers by hand (the web forms, `archive set`, upload
# corrections): markup and invisible characters are refused there, not just escaped on every page
# — a place name also becomes a report's id. `<`/`>` never occur in these fields of a real report
# (titles use 《》); Cc are control characters, Cf invisible format ones (zero-width, bidi overrides).
_MARKUP = re.compile(r"[<>]")


def markup_in(value: str) -> Optional[str]:
    """The first markup or control character of a typed value, None when it has none."""
    return next((c for c in value if _MARKUP.match(c) or unicodedata.category(c) in ("Cc", "Cf")), None)


def refuse_markup(name: str, value: str) -> None:
    """Raise InvalidField (one line) when a typed value holds markup or control characters."""
    bad = markup_in(value)
    if bad is not None:
        shown = value if len(value) <= 40 else value[:40] + "…"
        what = f"标记字符 “{bad}”" if _MARKUP.match(bad) else f"不可见的控制字符 U+{ord(bad):04X}"
        raise InvalidField(f"{name} 不能含有{what}: {shown!r}")


def validate_fields(fields: dict[str, Any], typed: bool = True) -> dict[str, Any]:
    """Check and normalise corrections: known field names, a valid year (archive.rules), issued a date,
    and when `typed` (new input rather than corrections stored before) no markup in text.
    An empty value clears the field (None). Raises InvalidField with a one-line reason."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == REVIEWED:
            out[name] = _valid_reviewed(value)
            continue
        if name not in META_FIELDS:
            raise InvalidField(f"未知字段 {name!r}; 可修改的字段: {', '.join(SETTABLE)}")
        if isinstance(value, str):
            value = normalize_text(value)
        if value is None or value == "":
            out[name] = None
        elif name == "year":
            year = parse_year(value)
            if year is None:
                raise InvalidField(f"year 应为 {YEAR_MIN}–{YEAR_MAX} 之间的年份, 而不是 {value!r}")
            out[name] = year
        elif name == "issued":
            out[name] = _valid_issued(str(value))
        elif name in _CODED:
            out[name] = _valid_code(name, value)
        else:
            value = str(value)
            if len(value) > 200:
                raise InvalidField(f"{name} 太长 ({len(value)} 字), 最多 200 字")
            if typed:
                refuse_markup(name, value)
            out[name] = value
    return out


def apply_fields(report: Report, fields: dict[str, Any]) -> None:
    """Set validated corrections on `report`, recording them as staff overrides."""
    for name, value in fields.items():
        if name == REVIEWED:
            _mark_reviewed(report, value)
            continue
        setattr(report.place if name in PLACE_FIELDS else report, name, value)
        report.provenance[name] = Provenance(source="override", confidence=1.0)
        if value is not None:
            report.flags = [f for f in report.flags if f != f"{name}_missing"]
            if name == "title":
                report.title_derived = False
                report.flags = [f for f in report.flags if f != "title_derived"]
            if name == "county":  # staff picked among the namesakes
                report.flags = [f for f in report.flags if f != "place_ambiguous"]
                report.flag_notes.pop("place_ambiguous", None)
            if name in ("genre", "level"):  # staff decided: no longer in doubt
                report.flags = [f for f in report.flags if f not in (f"{name}_doubt", f"{name}_checked")]
                report.flag_notes.pop(f"{name}_doubt", None)
                report.evidence[name] = "工作人员修正"
    if report.title_derived and {"year", "level", report.level or "town"} & fields.keys() and "title" not in fields:
        report.title = derived_title(reporting_place(report), report.year)  # not 未知镇…


def _mark_reviewed(report: Report, reviewed: list[str]) -> None:
    """Each noted flag in `reviewed` becomes its checked form (it leaves `archive review`; its
    reason stays in flag_notes); a checked flag no longer in `reviewed` is noted again. A flag
    the importer no longer raises is not invented."""
    swap = {**{f: c for f, c in CHECKED_FLAGS.items() if f in reviewed},
            **{c: f for f, c in CHECKED_FLAGS.items() if f not in reviewed}}
    report.flags = list(dict.fromkeys(swap.get(f, f) for f in report.flags))


def read_overrides(path: Path) -> dict[str, Any]:
    """The corrections kept in a report's <id>.override.yaml (none when there is no file)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError("应为 '字段: 值' 的列表")
        return validate_fields({str(k): v for k, v in data.items()}, typed=False)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, yaml.YAMLError, InvalidField) as exc:
        raise ArchiveError(f"修正文件 {path.name} 有误: {str(exc).splitlines()[0]}") from None


def write_overrides(path: Path, overrides: dict[str, Any]) -> None:
    text = yaml.safe_dump(overrides, allow_unicode=True, sort_keys=True)
    # The folder is synced by Archive.set_fields, or with the import (see archive.store).
    atomic_write(path, text.encode("utf-8"), sync_dir=False)


def meta_copy(report: Report, **changes: Any) -> Report:
    """A copy whose metadata can be changed (`apply_fields`, id, history) without touching
    `report`; paragraphs and log are shared (deep-copying them cost more than an import)."""
    return replace(report, place=replace(report.place), provenance=dict(report.provenance),
                   flags=list(report.flags), flag_notes=dict(report.flag_notes),
                   evidence=dict(report.evidence), years=dict(report.years),
                   history=list(report.history), **changes)


def with_fields(report: Report, fields: dict[str, Any]) -> Report:
    """`report`'s metadata with `fields` applied (no paragraphs): what its key or id would be."""
    probe = meta_copy(report, paragraphs=[], log=[])
    apply_fields(probe, fields)
    return probe
