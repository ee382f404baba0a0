"""Importers: raw report file → clean, sectioned `Report`.

    read_report(data, filename)  detect the format from the bytes, read, clean, extract
                                 metadata, section; `Report.id` is left "" for the archive.
    read_path(path)              the same for a file on disk.

Every failure is an `ImportFailed` with a one-line Chinese message; nothing else escapes.
Scans (image files, PDF pages without a usable text layer) are read by OCR (`importers.ocr`);
`scanmarks` then gives their paragraphs page numbers and confidences.
Metadata values (title, place, addressee, issuer) are stored in simplified script, because
search and facets use them; paragraphs keep the script as written in `text_original`.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from archive.errors import ImportFailed
from archive.model import Report, Source
from archive.names import display_name
from importers.sniff import MAX_FILE_BYTES, MAX_TEXT_BYTES, MAX_TEXT_CHARS

__all__ = ["read_report", "read_path", "MAX_FILE_BYTES", "MAX_TEXT_BYTES", "MAX_TEXT_CHARS"]
MIN_CJK = 20   # fewer Chinese characters than this is not a report


def read_path(path) -> Report:
    path = Path(os.fsdecode(path))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailed(f"文件太大（{size // 2**20} MB，上限 {MAX_FILE_BYTES // 2**20} MB）："
                               "请确认这是一份报告，或拆分后再导入")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"无法读取文件 {display_name(path.name)}：{exc.strerror or exc}") from None
    return read_report(data, path.name)


def read_report(data: bytes, filename: str) -> Report:
    name = display_name(Path(filename.replace("\\", "/")).name)
    try:
        return _read(data, name)
    except ImportFailed:
        raise
    except RecursionError:
        raise ImportFailed(f"{name}：文件结构嵌套过深，无法读取：请另存为 .docx 或文本后再导入") from None
    except Exception as exc:  # a bug or an unforeseen file: still one line for the user, cause chained
        raise ImportFailed(f"{name}：导入时出现意外错误（{type(exc).__name__}）：请把该文件交给管理员检查") from exc


def _read(data: bytes, name: str) -> Report:
    # The readers, cleaners and OpenCC cost ~0.5 s of CPU to import: paid on the first file
    # read, not by whatever imports a light submodule (importers.gazetteer, importers.ocr) or
    # by the server's start (issue 14).
    from importers import scanmarks
    from importers.chars import cjk_count
    from importers.cleaning import clean
    from importers.metadata import find_frame, fill
    from importers.ocr import LOW_CONFIDENCE
    from importers.readers import read_raw
    from importers.script import detect_script, to_simplified
    from importers.sections import build

    raw = read_raw(data, name)
    text_size = sum(len(x.text) for x in raw.lines)
    if text_size > MAX_TEXT_CHARS:
        raise ImportFailed(f"文件中的文字太多（{text_size // 10_000} 万字，上限 {MAX_TEXT_CHARS // 10_000} 万字）："
                           "请确认这是一份报告，或拆分后再导入")
    if cjk_count("".join(x.text for x in raw.lines)) < MIN_CJK:
        raise ImportFailed("文件中没有中文正文：请确认选择的是报告文件")
    lines, cleaning = clean(raw.lines)
    cleaned = "".join(x.text for x in lines)
    if cjk_count(cleaned) < MIN_CJK:
        raise ImportFailed("清理网页栏目和广告后没有剩下报告正文：请确认选择的是报告文件")
    script = detect_script(cleaned)
    for line in lines:
        line.simple = to_simplified(line.text) if script == "traditional" else line.text

    report = Report(script=script, log=cleaning.log, flags=list(cleaning.flags),
                    source=Source(path=name, sha256=hashlib.sha256(data).hexdigest(),
                                  format=raw.format, encoding=raw.encoding))
    frame = find_frame(lines)
    skip = frame.metadata_lines()
    body = [x for i, x in enumerate(lines) if i not in skip]
    closing_start = frame.closing_start - sum(1 for i in skip if i < frame.closing_start)
    report.paragraphs = build(body, closing_start)
    intro = [p.text for p in report.paragraphs if p.part == "intro"] or [x.simple for x in body[:3]]
    fill(report, lines, frame, {**cleaning.meta, **raw.meta}, intro,
         [p.text for p in report.paragraphs if p.part != "closing"])
    if raw.scanned:
        scanmarks.mark(report, raw.scanned, LOW_CONFIDENCE)
    report.log = raw.log + report.log
    return report
