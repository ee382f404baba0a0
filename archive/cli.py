"""The `archive` command (also `python -m archive`): a thin layer over `archive.store`.

Every failure the user can cause ends as one line on stderr: exit status 0 ok, 1 some files
failed or an id was not found, 2 a usage error. An unexpected exception prints one line and
writes the traceback to data/errors.log (and to the terminal with --debug).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import traceback
import unicodedata
from pathlib import Path
from typing import Iterable, Iterator, Optional

from archive.errors import ArchiveError
from archive.model import META_FIELDS, PART_LABELS
from archive.numbers import cli_int
from archive.store import Archive, ImportResult

STATUSES = ("imported", "updated", "unchanged", "failed")
STATUS_LABELS = {"imported": "新增", "updated": "更新", "unchanged": "未变", "failed": "失败"}


def _optional(module: str, attr: str):
    """`module.attr`, or None while that part of the product is not installed."""
    try:
        mod = __import__(module, fromlist=[attr])
    except ImportError as exc:
        if exc.name == module:
            return None
        raise
    return getattr(mod, attr, None)


def _say(*lines: str, err: bool = False) -> None:
    print("\n".join(lines), file=sys.stderr if err else sys.stdout)


# ---- search index upkeep -------------------------------------------------------------------

def _search_index(archive: Archive):
    search_index = _optional("index", "SearchIndex")
    return search_index(archive.index_dir) if search_index else None


def _index_reports(archive: Archive, reports: list) -> None:
    """Keep the search index in step with what was just stored, so a running server sees it."""
    if not reports:
        return
    try:
        index = _search_index(archive)
        for report in reports if index else []:
            index.update(report)
    except ArchiveError as exc:
        _say(f"检索索引未更新: {exc}; 稍后运行 archive reindex", err=True)


def sync_index(archive: Archive, index) -> tuple[list[str], list[str]]:
    """Bring the index up to date report by report: re-index the reports written (imported or
    hand-edited) since the index last changed, drop those no longer in the archive.
    Returns (updated ids, removed ids)."""
    since = index.last_write_ns()
    indexed = set(index.report_ids())
    held = set(archive.ids())
    changed = set(archive.changed_since(since)) | (held - indexed)
    for rid in sorted(changed):
        index.update(archive.get(rid))
    removed = sorted(indexed - held)
    for rid in removed:
        index.delete(rid)
    return sorted(changed), removed


# ---- import --------------------------------------------------------------------------------

def _files(paths: Iterable[str]) -> Iterator[Path]:
    """The files named, and every non-hidden file under the folders named, in a stable order."""
    for path in map(Path, paths):
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            yield from (Path(root) / f for f in sorted(files) if not f.startswith("."))


def _import(archive: Archive, paths: Iterable[str]) -> list[ImportResult]:
    files = list(_files(paths))
    bar = None
    if sys.stderr.isatty() and len(files) > 1:
        from tqdm import tqdm
        bar = tqdm(total=len(files), unit="份", desc="导入", file=sys.stderr)
    results = []
    for path in files:
        results.append(archive.import_file(path))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    _index_reports(archive, [r.report for r in results if r.status in ("imported", "updated")])
    return results


def _counts(results: list[ImportResult]) -> dict[str, int]:
    return {s: sum(r.status == s for r in results) for s in STATUSES}


def cmd_import(args) -> int:
    archive = _archive(args)
    results = _import(archive, args.paths)
    counts = _counts(results)
    if args.json:
        print(json.dumps({"results": [r.to_dict() for r in results], **counts},
                         ensure_ascii=False, indent=2))
    else:
        lines = [f"{r.path}: {r.error}" for r in results if r.status == "failed"]
        lines.append(f"导入 {len(results)} 个文件: " + ", ".join(
            f"{STATUS_LABELS[s]} {counts[s]}" for s in STATUSES)
            + f"; 档案现有 {len(archive.summaries())} 份报告")
        _say(*lines)
    return 1 if counts["failed"] else 0


def cmd_bootstrap(args) -> int:
    archive = _archive(args)
    results: list[ImportResult] = []
    if not archive.ids():
        if not Path(args.dir).is_dir():
            raise ArchiveError(f"找不到文件夹 {args.dir}")
        results = _import(archive, [args.dir])
    for r in results:
        if r.status == "failed":
            _say(f"未能导入 {r.path}: {r.error}", err=True)
    index_state = "检索功能未安装"
    had_index = archive.index_dir.is_dir() and any(archive.index_dir.iterdir())
    index = _search_index(archive)
    if index is not None:
        if not had_index:
            n = index.rebuild(archive.reports())
            index_state = f"索引已重建 ({n} 个段落)"
        else:
            updated, removed = sync_index(archive, index)
            index_state = (f"索引已更新 {len(updated)} 份、移除 {len(removed)} 份" if updated or removed
                           else "索引已是最新")
    counts = _counts(results)
    _say(f"档案 {archive.data_dir}: {len(archive.ids())} 份报告 (本次新增 {counts['imported']}"
         f", 失败 {counts['failed']}); {index_state}")
    return 0


# ---- reading -------------------------------------------------------------------------------

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip()
            for row in rows]


def cmd_list(args) -> int:
    archive = _archive(args)
    summaries = archive.summaries()
    if args.json:
        print(json.dumps({"count": len(summaries), "reports": [s.to_dict() for s in summaries]},
                         ensure_ascii=False, indent=2))
        return 0
    if not summaries:
        _say(f"档案 {archive.data_dir} 中还没有报告; 用 archive import 文件或文件夹 导入", err=True)
        return 0
    rows = [["编号", "乡镇", "县区", "年份", "标题"]] + [
        [s.id, s.place.town or "—", s.place.county or "—", str(s.year or "—"),
         (s.title or "(无标题)") + (" (推断)" if s.title_derived else "")] for s in summaries]
    _say(*_table(rows), f"共 {len(summaries)} 份报告")
    return 0


def _outline(report) -> list[str]:
    place = " ".join(x for x in (report.place.province, report.place.city, report.place.county,
                                 report.place.town) if x)
    meta = [("标题", (report.title or "(无标题)") + (" (推断)" if report.title_derived else "")),
            ("地点", place or "—"), ("年份", report.year), ("成文日期", report.issued),
            ("主送", report.addressee), ("发文机关", report.issuer), ("文号", report.doc_number),
            ("文字", "繁体" if report.script == "traditional" else "简体"),
            ("来源", f"{report.source.path} ({report.source.format}"
                     f"{', ' + report.source.encoding if report.source.encoding else ''})"),
            ("标记", ", ".join(report.flags)),
            ("早先版本", len(report.history) or None)]
    lines = [report.id] + [f"  {k}: {v}" for k, v in meta if v not in (None, "")]
    lines.append(f"  段落: {len(report.paragraphs)}")
    counts: list[list] = []  # [line prefix, text paragraphs under it]
    part = None
    for p in report.paragraphs:
        if p.kind == "heading":
            counts.append(["  " * p.level + f"{p.text_original}  [{p.id}]", 0])
        elif p.part != part and p.part in ("intro", "closing") or not counts:
            counts.append([f"  [{PART_LABELS[p.part]}]", 1])
        else:
            counts[-1][1] += 1
        part = p.part
    return lines + [head + (f"  ({n} 段)" if n else "") for head, n in counts]


def cmd_show(args) -> int:
    archive = _archive(args)
    if args.md:
        sys.stdout.write(archive.markdown(args.id))
        return 0
    report = archive.get(args.id)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.log:
        _say(*[f"{e.rule}: {e.before!r} → {e.after!r}" for e in report.log]
             or ["导入时清理规则没有改动文字"])
    else:
        _say(*_outline(report))
    return 0


def cmd_review(args) -> int:
    found = _archive(args).review()
    for report, reasons in found:
        _say(f"{report.id}  {report.title or '(无标题)'}: {'; '.join(reasons)}")
    _say(f"{len(found)} 份报告需要核对" + ("; 用 archive set 编号 town=… year=… 修正" if found else ""))
    return 0


def cmd_check(args) -> int:
    archive = _archive(args)
    problems = archive.check()
    if problems:
        _say(*problems, f"发现 {len(problems)} 个问题")
        return 1
    _say(f"档案完好: {len(archive.ids())} 份报告")
    return 0


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"应为 字段=值, 而不是 {text!r}")
    return name.strip(), value


def cmd_set(args) -> int:
    archive = _archive(args)
    fields = dict(args.assignments)
    report = archive.set_fields(args.id, fields)
    _index_reports(archive, [report])
    _say(f"已修改 {report.id}: " + ", ".join(f"{k} = {report.meta(k)}" for k in fields))
    return 0


def cmd_serve(args) -> int:
    serve = _optional("webapp", "serve")
    if serve is None:
        archive = _archive(args)
        _say(f"网页程序尚未安装; 档案 {archive.data_dir} 现有 {len(archive.ids())} 份报告")
        return 0
    serve(args.data, args.host, args.port)
    return 0


# ---- plumbing ------------------------------------------------------------------------------

def _archive(args) -> Archive:
    return Archive(args.data)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive", description="法治报告检索: 导入、查看、核对和检索乡镇法治政府建设报告")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("ARCHIVE_DATA") or "data"),
                        help="数据目录 (默认 $ARCHIVE_DATA 或 ./data)")
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的调用栈")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("import", help="导入文件或文件夹")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("list", help="列出全部报告")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="查看一份报告")
    p.add_argument("id", metavar="ID")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--json", action="store_true", help="完整的 JSON")
    how.add_argument("--md", action="store_true", help="保存的 Markdown 文件")
    how.add_argument("--log", action="store_true", help="导入时的清理记录")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("review", help="列出乡镇或年份缺失、不确定的报告")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("set", help="修正字段: " + ", ".join(META_FIELDS))
    p.add_argument("id", metavar="ID")
    p.add_argument("assignments", nargs="+", type=_assignment, metavar="字段=值")
    p.set_defaults(func=cmd_set)

    p = sub.add_parser("check", help="检查档案完整性")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("bootstrap", help="档案为空时导入文件夹, 并确保检索索引存在且最新")
    p.add_argument("dir", metavar="DIR")
    p.set_defaults(func=cmd_bootstrap)

    p = sub.add_parser("serve", help="启动网页")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=cli_int(1, 65535), default=5000)
    p.set_defaults(func=cmd_serve)

    add_parsers = _optional("index.commands", "add_parsers")
    if add_parsers:
        add_parsers(sub)
    return parser


def _log_crash(data_dir: Path) -> Optional[Path]:
    path = data_dir / "errors.log"
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} {sys.argv}\n")
            fh.write(traceback.format_exc())
        return path
    except OSError:
        return None


def main(argv: Optional[list[str]] = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # output stays valid text whatever a name held
        getattr(stream, "reconfigure", lambda **_: None)(errors="replace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors and --help
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.func(args)
    except ArchiveError as exc:
        _say(f"错误: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        _say("已中断", err=True)
        return 130
    except BrokenPipeError:  # `archive list | head`
        sys.stdout = open(os.devnull, "w")
        return 0
    except Exception as exc:
        where = _log_crash(args.data)
        _say(f"内部错误: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
             f" (详情见日志{' ' + str(where) if where else ''})", err=True)
        if args.debug:
            traceback.print_exc()
        return 1
