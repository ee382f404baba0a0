"""A report as one readable, hand-editable Markdown file, and back.

Layout::

    ---
    <YAML front matter: every field of Report except paragraphs and log>
    ---

    <!-- 导语.1 intro -->
    2024年,赵集镇坚持……

    <!-- 一 work -->
    ## 一、赵集镇法治政府建设工作情况

The comment above each paragraph keeps its id (what citations point at) and its part, so a hand
edit never renumbers anything; a paragraph recognised from a scan adds its page, lowest line
confidence and weak spans (`<!-- 一.1 work page=2 conf=0.870 low=12-30 -->`). A heading of level N is written with N+1 `#`. The body holds
`text_original`; `text` (simplified) and `heading_path` are derived again when reading.

A paragraph is one line: line breaks inside a text are turned into spaces and surrounding
whitespace is dropped (`normalize_text`). A text line that would read as a heading, a comment or an
escape starts with a backslash, which the reader removes.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, replace
from typing import Any

import yaml

from archive.errors import ArchiveError
from archive.model import SCRIPTS, Paragraph, Provenance, Report, heading_paths
from archive.rules import GENRES, LEVELS, PARTS, stored_genre
from archive.script import to_simplified

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Every character str.splitlines() breaks on: none may survive inside a paragraph.
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_COMMENT = re.compile(r"^<!--\s*(\S+?)(?:\s+([^\s=]+))?((?:\s+[a-z]+=\S+)*)\s*-->\s*$")
_HEADING = re.compile(r"^(#+)(?:[ \t](.*))?$")
_NEEDS_ESCAPE = ("#", "\\", "<!--")
_SINGLE_LINE_FIELDS = ("title", "issued", "addressee", "issuer", "doc_number")
_HINT = ("# 可手工修改; 请保留每段上方的 <!-- 编号 部分 --> 注释, 引用才不会错位。"
         " 改完后运行 archive reindex。")


def simplified(text: str, script: str) -> str:
    """The searchable form of a paragraph written in `script`."""
    return to_simplified(text) if script == "traditional" else text


def normalize_text(text: str) -> str:
    """A paragraph or metadata value as the file can hold it: one line, no outer whitespace."""
    return _LINE_BREAKS.sub(" ", text).strip()


def _check_paragraph_id(pid: str) -> None:
    if not pid or re.search(r"\s", pid) or "-->" in pid:
        raise ValueError(f"段落编号不能为空, 也不能含空白或 '-->': {pid!r}")


def _front_matter(report: Report) -> dict[str, Any]:
    d: dict[str, Any] = {"id": report.id}
    for name in ("title", "title_derived", "place", "year", "issued", "addressee", "issuer",
                 "doc_number", "script", "flags", "source", "provenance", "history"):
        value = getattr(report, name)
        if name in _SINGLE_LINE_FIELDS and isinstance(value, str):
            value = normalize_text(value)
        d[name] = value
    d["place"] = {k: normalize_text(v) if isinstance(v, str) else v
                  for k, v in asdict(report.place).items()}
    d["source"] = asdict(report.source)
    d["provenance"] = {k: asdict(v) for k, v in report.provenance.items()}
    d["flags"] = list(report.flags)
    d["history"] = [dict(h) for h in report.history]
    for name in ("level", "genre", "evidence", "years", "flag_notes", "place_candidates",
                 "retired_ids", "moved_ids", "ocr_confidence"):  # written only when known
        if getattr(report, name):
            d[name] = getattr(report, name)
    return d


def to_markdown(report: Report) -> str:
    """The file text of `report`. Raises ValueError for a paragraph the format cannot hold
    (unknown part, heading without a level, text with a level, id with spaces)."""
    meta = yaml.dump(_front_matter(report), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=1 << 30)
    out = ["---", _HINT, meta.rstrip("\n"), "---", ""]
    for p in report.paragraphs:
        _check_paragraph_id(p.id)
        if p.part not in PARTS:
            raise ValueError(f"段落 {p.id} 的部分未知: {p.part!r}")
        text = normalize_text(p.text_original)
        if p.kind == "heading":
            if p.level < 1:
                raise ValueError(f"标题段落 {p.id} 的层级应 ≥ 1, 而不是 {p.level}")
            line = "#" * (p.level + 1) + (" " + text if text else "")
        elif p.kind == "text":
            if p.level != 0:
                raise ValueError(f"正文段落 {p.id} 的层级应为 0, 而不是 {p.level}")
            line = "\\" + text if text.startswith(_NEEDS_ESCAPE) else text
        else:
            raise ValueError(f"段落 {p.id} 的类型未知: {p.kind!r}")
        out += [f"<!-- {p.id} {p.part}{_scan_marks(p)} -->", line, ""]
    return "\n".join(out)


def _scan_marks(p: Paragraph) -> str:
    """A scanned paragraph's page, confidence and weak spans, as ` page=2 conf=0.93 low=3-9,20-31`."""
    marks = ""
    if p.page is not None:
        marks += f" page={p.page}"
    if p.confidence is not None:
        marks += f" conf={p.confidence:.3f}"
    if p.weak:
        marks += " low=" + ",".join(f"{a}-{b}" for a, b in p.weak)
    return marks


def _read_marks(marks: str, lineno: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        for name, value in (m.split("=", 1) for m in marks.split()):
            if name == "page":
                found["page"] = int(value)
            elif name == "conf":
                found["confidence"] = float(value)
            elif name == "low":
                found["weak"] = [[int(a), int(b)] for a, b in (s.split("-") for s in value.split(","))]
    except ValueError:
        raise ArchiveError(f"报告文件第 {lineno} 行: 扫描标注有误 {marks.strip()!r} "
                           "(应为 page=页码 conf=置信度 low=起-止,…)") from None
    return found


def from_markdown(text: str) -> Report:
    """The report in a file's text (`read_markdown` without the notes)."""
    return read_markdown(text)[0]


def read_markdown(text: str) -> tuple[Report, list[str]]:
    """Parse a report file. Returns the report and notes about hand edits that were repaired
    (a paragraph without its id comment gets a fresh id `<previous id>+1`; a repeated id is made
    unique the same way). Raises ArchiveError with a one-line reason when the file is unusable."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise ArchiveError("不是报告文件: 第一行应为 '---' (YAML 元数据的开头)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ArchiveError("报告文件的 YAML 元数据没有结束行 '---'") from None
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 2} 行" if mark else "元数据"
        raise ArchiveError(f"报告文件的 YAML 元数据有误 ({where}): "
                           f"{getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(meta, dict):
        raise ArchiveError("报告文件的 YAML 元数据应为 '字段: 值' 的列表")
    report = _report_from_meta(meta)
    paragraphs, notes = _read_body(lines[end + 1:], first_line=end + 2)
    for p in paragraphs:
        p.text = simplified(p.text_original, report.script)
    for p, path in zip(paragraphs, heading_paths(paragraphs)):
        p.heading_path = path
    report.paragraphs = paragraphs
    return report, notes


def _report_from_meta(meta: dict[str, Any]) -> Report:
    meta = {k: v for k, v in meta.items() if k not in ("paragraphs", "log")}
    for name in ("place", "source"):
        if not isinstance(meta.get(name) or {}, dict):
            raise ArchiveError(f"报告文件的元数据 {name} 应为 '字段: 值' 的列表")
    if not isinstance(meta.get("provenance") or {}, dict) or not all(
            isinstance(v, dict) for v in (meta.get("provenance") or {}).values()):
        raise ArchiveError("报告文件的元数据 provenance 格式有误")
    try:
        report = Report.from_dict(meta)
    except TypeError as exc:
        raise ArchiveError(f"报告文件的元数据有未知字段: {exc}") from None
    report.id = _as_str(report.id) or ""
    for name in _SINGLE_LINE_FIELDS:
        setattr(report, name, _as_str(getattr(report, name)))
    for name in ("province", "city", "county", "town"):
        setattr(report.place, name, _as_str(getattr(report.place, name)))
    if report.year is not None:
        try:
            report.year = int(report.year)
        except (TypeError, ValueError):
            raise ArchiveError(f"报告文件的 year 应为整数年份, 而不是 {report.year!r}") from None
    if report.script not in SCRIPTS:
        raise ArchiveError(f"报告文件的 script 应为 simplified 或 traditional, 而不是 {report.script!r}")
    report.title_derived = bool(report.title_derived)
    if not isinstance(report.flags or [], list) or not isinstance(report.history or [], list):
        raise ArchiveError("报告文件的元数据 flags 和 history 应为列表")
    report.flags = [str(f) for f in report.flags or []]
    report.history = [h for h in report.history or [] if isinstance(h, dict)]
    if report.level not in (None, *LEVELS):
        raise ArchiveError(f"报告文件的 level 应为 {' / '.join(LEVELS)} 之一, 而不是 {report.level!r}")
    if report.genre not in (None, *GENRES):
        raise ArchiveError(f"报告文件的 genre 应为 {' / '.join(GENRES)} 之一, 而不是 {report.genre!r}")
    if not isinstance(report.evidence or {}, dict) or not isinstance(report.years or {}, dict):
        raise ArchiveError("报告文件的元数据 evidence 和 years 应为 '字段: 值' 的列表")
    report.evidence = {str(k): str(v) for k, v in (report.evidence or {}).items()}
    try:
        report.years = {str(k): int(v) for k, v in (report.years or {}).items()}
    except (TypeError, ValueError):
        raise ArchiveError(f"报告文件的 years 应为年份, 而不是 {report.years!r}") from None
    if not isinstance(report.flag_notes or {}, dict) or not isinstance(report.place_candidates or [], list):
        raise ArchiveError("报告文件的元数据 flag_notes 应为 '标记: 说明', place_candidates 应为列表")
    report.flag_notes = {str(k): str(v) for k, v in (report.flag_notes or {}).items()}
    report.place_candidates = [{str(k): str(v) for k, v in c.items()}
                               for c in report.place_candidates or [] if isinstance(c, dict)]
    if not isinstance(report.retired_ids or [], list):
        raise ArchiveError("报告文件的元数据 retired_ids 应为列表")
    report.retired_ids = [str(i) for i in report.retired_ids or []]
    if not isinstance(report.moved_ids or {}, dict):
        raise ArchiveError("报告文件的元数据 moved_ids 应为 '停用编号: 现编号'")
    report.moved_ids = {str(k): str(v) for k, v in (report.moved_ids or {}).items()}
    if report.ocr_confidence is not None:
        try:
            report.ocr_confidence = float(report.ocr_confidence)
        except (TypeError, ValueError):
            raise ArchiveError(f"报告文件的 ocr_confidence 应为 0–1 的数, 而不是 {report.ocr_confidence!r}") from None
    _derive_stored_before(report)
    return report


def _derive_stored_before(report: Report) -> None:
    """Reports written before genre and level were stored get them on read: the genre its
    `genre_doubt` note named (else the archive's own), a town's report when it names a town.
    Marked `derived`; `archive reimport` reads the original again for the importer's decision."""
    if report.genre is None:
        report.genre = stored_genre(report.flags, report.flag_notes)
        report.provenance.setdefault("genre", Provenance("derived", 0.5))
    if report.level is None and report.place.town:
        report.level = "town"
        report.provenance.setdefault("level", Provenance("derived", 0.5))


def _as_str(value: Any) -> str | None:
    """YAML turns a hand-typed 2020-04-13 into a date and 2024 into an int; keep them strings."""
    if value is None:
        return None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value)


def _read_body(lines: list[str], first_line: int) -> tuple[list[Paragraph], list[str]]:
    paragraphs: list[Paragraph] = []
    notes: list[str] = []
    seen: set[str] = set()
    pending: tuple | None = None  # (id, part, scan marks) of a comment not yet followed by text

    def fresh_id(base: str) -> str:
        n = 1
        while f"{base}+{n}" in seen:
            n += 1
        return f"{base}+{n}"

    def add(pid: str | None, part: str | None, marks: dict, content: str, lineno: int) -> None:
        prev = paragraphs[-1] if paragraphs else None
        part = part or (prev.part if prev else "intro")
        if pid is None or pid in seen:
            new = fresh_id(pid or (prev.id if prev else "导语"))
            why = "没有编号注释" if pid is None else f"编号 {pid} 重复"
            notes.append(f"第 {lineno} 行的段落{why}, 暂编为 {new}; 请补上注释以固定引用")
            pid = new
        seen.add(pid)
        m = _HEADING.match(content)
        if m:
            paragraphs.append(Paragraph(id=pid, kind="heading", level=max(1, len(m.group(1)) - 1),
                                        part=part, text_original=(m.group(2) or "").strip(), **marks))
        else:
            text = content[1:] if content.startswith("\\") else content
            paragraphs.append(Paragraph(id=pid, kind="text", level=0, part=part,
                                        text_original=text.strip(), **marks))

    for offset, line in enumerate(lines):
        lineno = first_line + offset
        if not line.strip():
            continue
        m = _COMMENT.match(line.strip())
        if m:
            if pending:
                add(*pending, "", lineno - 1)
            part = m.group(2)
            if part is not None and part not in PARTS:
                raise ArchiveError(f"报告文件第 {lineno} 行: 未知的部分 {part!r} "
                                   f"(应为 {' / '.join(PARTS)} 之一)")
            pending = (m.group(1), part, _read_marks(m.group(3) or "", lineno))
        elif pending:
            add(*pending, line.strip(), lineno)
            pending = None
        else:
            add(None, None, {}, line.strip(), lineno)
    if pending:
        add(*pending, "", first_line + len(lines))
    return paragraphs, notes


def canonical(report: Report) -> tuple[Report, str]:
    """`report` exactly as it reads back from its file (text re-derived, one-line texts), and
    that file's text. The text is written once: reading back changes what the file holds only
    when a paragraph id had to be repaired (then it is written again with the repaired ids)."""
    text = to_markdown(report)
    stored, notes = read_markdown(text)
    stored = replace(stored, log=list(report.log))
    return stored, (to_markdown(stored) if notes else text)
