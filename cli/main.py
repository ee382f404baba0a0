"""The `archive` command (also `python -m archive`): a thin layer over `workflows` and the
library — parses arguments, calls, prints.

Every failure the user can cause ends as one line on stderr: exit status 0 ok, 1 some files
failed or an id was not found, 2 a usage error. An unexpected exception prints one line and
writes the traceback to data/errors.log (and to the terminal with --debug).
"""
from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import os
import sys
import time
import traceback
import unicodedata
from pathlib import Path
from typing import Optional

import workflows
from workflows.places import typed_places
from workflows.reimport import reimport
from archive import backup, integrity, renames
from archive.errors import ArchiveError
from archive.files import append_log
from archive.fields import SETTABLE
from archive.flags import flag_label
from archive.numbers import cli_int
from archive.rules import PART_LABELS
from archive.store import Archive, ImportResult
from cli import analysis, search
from cli.terminal import progress_bar, summary_line

STATUSES = ("imported", "updated", "unchanged", "failed")
STATUS_LABELS = {"imported": "新增", "updated": "更新", "unchanged": "未变", "failed": "失败"}


def _say(*lines: str, err: bool = False) -> None:
    print("\n".join(lines), file=sys.stderr if err else sys.stdout)


# ---- import --------------------------------------------------------------------------------

INDEX_PATIENCE = 600.0  # seconds an import waits for a busy index (a full reindex) before giving up


def _index_outcome(synced: workflows.Synced) -> int:
    """Say why the index did not follow; the exit status (1: it did not)."""
    if synced.error:
        _say(f"检索索引未更新: {synced.error}; 稍后运行 archive reindex --changed"
             "（或等待检索服务自动补上）", err=True)
        return 1
    return 0


def _waiting(seconds: float) -> None:
    _say(f"检索索引正被另一个程序更新（如 archive reindex），已等待 {seconds:.0f} 秒，"
         f"最多等待 {INDEX_PATIENCE:.0f} 秒…", err=True)


def _counts(results: list[ImportResult]) -> dict[str, int]:
    return {s: sum(r.status == s for r in results) for s in STATUSES}


def cmd_import(args) -> int:
    archive = _archive(args)
    bar = progress_bar("导入")
    seen = [0, 0, 0]  # files done, files, bytes done

    def progress(done: int, total: int, nbytes: int, total_bytes: int) -> None:
        seen[:] = [done, total, nbytes]
        if bar is not None:
            bar(done, total, nbytes, total_bytes)
    started = time.monotonic()
    try:
        done = workflows.import_files(archive, workflows.open_index(archive), args.paths,
                                      progress, INDEX_PATIENCE, _waiting)
    except KeyboardInterrupt:
        _say(f"已中断: 已处理 {seen[0]}/{seen[1]} 个文件, 已导入的报告都已保存; "
             "再次运行同一命令即可继续 (已导入的文件会跳过, 检索索引会补上)", err=True)
        return 130
    if bar is None and seen[1]:
        _say(summary_line(seen[1], seen[2], time.monotonic() - started), err=True)
    index_failed = _index_outcome(done.index)
    results = done.results
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
    return 1 if counts["failed"] or index_failed else 0


def cmd_bootstrap(args) -> int:
    archive = _archive(args)
    done = workflows.bootstrap(archive, args.dir, progress_bar("导入"))
    results = done.imported.results if done.imported else []
    for r in results:
        if r.status == "failed":
            _say(f"未能导入 {r.path}: {r.error}", err=True)
    if done.rebuilt is not None:
        index_state = f"索引已重建 ({done.rebuilt} 个段落)"
    elif done.synced.updated or done.synced.removed:
        index_state = f"索引已更新 {len(done.synced.updated)} 份、移除 {len(done.synced.removed)} 份"
    else:
        index_state = "索引已是最新"
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
            ("标记", ", ".join(flag_label(f) for f in report.flags)),
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


def current_id(archive: Archive, report_id: str) -> str:
    """The id a report is stored under now: a renamed report's old id is followed, as the web's
    links are (`archive.renames.resolve`), and stderr says so."""
    now = renames.resolve(archive, report_id)
    if now != report_id:
        _say(f"编号 {report_id} 已改为 {now}", err=True)
    return now


def cmd_show(args) -> int:
    archive = _archive(args)
    rid = current_id(archive, args.id)
    if args.md:
        sys.stdout.write(archive.markdown(rid))
        return 0
    report = archive.get(rid)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.log:
        _say(*[f"{e.rule}: {e.before!r} → {e.after!r}" for e in report.log]
             or ["导入时清理规则没有改动文字"])
    else:
        _say(*_outline(report))
    return 0


def cmd_review(args) -> int:
    found = integrity.review(_archive(args))
    for report, reasons in found:
        _say(f"{report.id}  {report.title or '(无标题)'}: {'; '.join(reasons)}")
    _say(f"{len(found)} 份报告需要核对" + ("; 用 archive set 编号 town=… year=… genre=… level=… 修正, "
                                       "核对无误的用 archive set 编号 reviewed=genre_doubt,level_doubt 标记"
                                       if found else ""))
    return 0


def cmd_check(args) -> int:
    archive = _archive(args)
    problems = integrity.check(archive) + _index_problems(archive)
    if problems:
        _say(*problems, f"发现 {len(problems)} 个问题")
        return 1
    _say(f"档案完好: {len(archive.ids())} 份报告")
    return 0


def _index_problems(archive: Archive) -> list[str]:
    """One line per report where the search index disagrees with the archive, with the fix."""
    try:
        drift = workflows.index_drift(archive, workflows.open_index(archive))
    except ArchiveError as exc:
        return [f"检索索引无法读取: {exc}"]
    fix = "运行 archive reindex --changed 修复"
    return ([f"{rid}: 检索索引中缺少这份报告, {fix}" for rid in drift.missing]
            + [f"{rid}: 检索索引中是这份报告的旧版本, {fix}" for rid in drift.stale]
            + [f"{rid}: 档案中已没有这份报告, 检索索引中却还有, {fix}" for rid in drift.extra])


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"应为 字段=值, 而不是 {text!r}")
    return name.strip(), value


def cmd_set(args) -> int:
    archive = _archive(args)
    fields, notes = typed_places(archive, dict(args.assignments), args.new_place)
    if notes:
        _say(*notes)
    report, synced = workflows.set_fields(archive, workflows.open_index(archive),
                                          current_id(archive, args.id), fields)
    index_failed = _index_outcome(synced)
    shown = {k: ",".join(v) if isinstance(v, list) else v for k, v in ((k, report.meta(k)) for k in fields)}
    _say(f"已修改 {report.id}: " + ", ".join(f"{k} = {v}" for k, v in shown.items()))
    if report.id != args.id:
        _say(f"报告编号已改为 {report.id}; 旧编号 {args.id} 的链接会跳转到新编号")
    return index_failed


def cmd_reimport(args) -> int:
    if bool(args.ids) == args.all:
        _say("用法: archive reimport 编号… 或 archive reimport --all (二者选一)", err=True)
        return 2
    archive = _archive(args)
    done = reimport(archive, None if args.dry_run else workflows.open_index(archive),
                    None if args.all else [current_id(archive, rid) for rid in args.ids],
                    dry_run=args.dry_run, rename=args.rename,
                    progress=None if args.json else progress_bar("重新读取"))
    _index_outcome(done.index)
    counts = {s: done.count(s) for s in ("changed", "unchanged", "failed")}
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, **counts,
                          "reports": [o.to_dict() for o in done.outcomes]},
                         ensure_ascii=False, indent=2))
    else:
        _say(*[o.describe(args.dry_run) for o in done.outcomes if o.worth_saying], done.summary())
    return 1 if counts["failed"] else 0


def cmd_serve(args) -> int:
    from webapp import serve
    serve(args.data, args.host, args.port)
    return 0


# ---- operations: backup, restore -------------------------------------------------------------

def cmd_backup(args) -> int:
    done = backup.backup(_archive(args), args.dest)
    _say(f"已备份到 {done.folder}: {done.reports} 份报告, {done.originals} 个原件, "
         f"共 {done.files} 个文件 ({done.size / 1e6:.1f} MB); 清单 {done.folder / backup.MANIFEST}")
    return 0


def cmd_restore(args) -> int:
    found = backup.restore(args.src, args.data)
    archive = _archive(args)
    reports, paragraphs = workflows.rebuild_index(archive, workflows.open_index(archive))
    _say(f"已从 {args.src} (备份于 {found['created']}) 恢复到 {archive.data_dir}: "
         f"{reports} 份报告, 索引 {paragraphs} 个段落")
    return cmd_check(args)


def cmd_unlock(args) -> int:
    from webapp.auth import LOGINS, log_line
    from webapp.logins import LoginGuard

    if args.address is not None:
        try:
            args.address = str(ipaddress.ip_address(args.address))
        except ValueError:
            _say(f"{args.address!r} 不是 IP 地址 (例: archive unlock 10.0.0.7)", err=True)
            return 2
    if not args.data.is_dir():
        _say(f"数据目录 {args.data} 不存在; 用 --data 指定服务使用的数据目录", err=True)
        return 1
    done = LoginGuard(args.data / LOGINS).unlock(args.address)
    who = os.environ.get("SUDO_USER") or os.environ.get("USER") or "?"
    log_line(args.data, None, f"unlock {args.address or 'all'} by command line (user {who}): "
                              f"{len(done.addresses)} address(es)"
                              + (f", site-wide pause of {done.site_wait}s lifted"
                                 if done.site_wait and args.address is None else ""))
    if args.address is None:
        _say(f"已解除全部登录锁定: {len(done.addresses)} 个地址"
             + (f", 以及全站登录暂停 (还剩 {done.site_wait} 秒)" if done.site_wait else ""))
    else:
        _say(f"已解除 {args.address} 的登录锁定" if done.addresses else f"{args.address} 没有被锁定")
        if done.site_wait:
            _say(f"全站登录仍暂停 {done.site_wait} 秒 (失败次数过多); 运行 archive unlock "
                 "(不带地址) 一并解除, 或把管理员的网段写进 ARCHIVE_ADMIN_NETWORKS", err=True)
    return 0


# ---- plumbing ------------------------------------------------------------------------------

def _archive(args) -> Archive:
    return workflows.open_archive(args.data)


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

    p = sub.add_parser("review", help="列出乡镇或年份缺失、不确定, 地名有同名或体裁存疑的报告")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("set", help="修正字段: " + ", ".join(SETTABLE)
                       + "; genre= 与 level= 可用中文名 (如 genre=政府工作报告 level=省)"
                       + "; reviewed=genre_doubt,level_doubt,place_ambiguous 标记为已核对 (移出待核对列表)")
    p.add_argument("id", metavar="ID")
    p.add_argument("assignments", nargs="+", type=_assignment, metavar="字段=值")
    p.add_argument("--new-place", action="store_true",
                   help="确认档案和全国区划中都没有的地名是新地名 (否则拒绝, 以免错字成为新地名)")
    p.set_defaults(func=cmd_set)

    p = sub.add_parser("check", help="检查档案完整性")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("reimport", help="用新版导入程序重新读取保存的原件 (保留编号、人工修正和段落编号)")
    p.add_argument("ids", nargs="*", metavar="ID", help="报告编号 (已改名报告的旧编号也可)")
    p.add_argument("--all", action="store_true", help="全部报告")
    p.add_argument("--dry-run", action="store_true", help="只预览变化, 不写入")
    p.add_argument("--rename", action="store_true",
                   help="乡镇或年份变了的报告改用相应编号 (旧编号永久跳转)")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_reimport)

    p = sub.add_parser("bootstrap", help="档案为空时导入文件夹, 并确保检索索引存在且最新")
    p.add_argument("dir", metavar="DIR")
    p.set_defaults(func=cmd_bootstrap)

    p = sub.add_parser("serve", help="启动网页")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=cli_int(1, 65535), default=5000)
    p.set_defaults(func=cmd_serve)

    _operations_parsers(sub)
    search.add_parsers(sub)
    analysis.add_parsers(sub)
    return parser


def _operations_parsers(sub) -> None:
    p = sub.add_parser("backup", help="把档案 (报告、修改记录、原件等, 不含可重建的索引) 一致地复制到新目录, "
                                      "服务和导入运行时也可以")
    p.add_argument("dest", metavar="DEST", type=Path, help="备份目录 (新的或空的; 最好在另一块磁盘上)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份重建档案和检索索引 (到新的或空的数据目录), 然后检查")
    p.add_argument("src", metavar="SRC", type=Path, help="archive backup 生成的备份目录")
    p.add_argument("--data", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                   help="恢复到的数据目录 (也可写在命令前)")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("unlock", help="解除网页登录的锁定 (某个地址的, 不带地址则全部, 含全站暂停); 记入 auth.log")
    p.add_argument("address", nargs="?", metavar="ADDRESS", help="客户端 IP 地址")
    p.set_defaults(func=cmd_unlock)


def _log_crash(data_dir: Path) -> Optional[Path]:
    path = data_dir / "errors.log"
    try:
        append_log(path, f"--- {dt.datetime.now().isoformat(timespec='seconds')} {sys.argv}\n"
                         + traceback.format_exc())
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


if __name__ == "__main__":
    raise SystemExit(main())
