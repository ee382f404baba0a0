"""`archive search` and `archive reindex`: thin CLI layers over `SearchIndex` and `workflows`.

`add_parsers(subparsers)` registers both; each sets `func(args) -> exit status`, and `args.data`
(the data folder) is resolved by `cli.main` before the call.
"""
from __future__ import annotations

import json
import sys
import time

import workflows
from analysis import empty
from archive import renames
from archive.errors import ArchiveError, QueryError
from archive.numbers import cli_int
from archive.rules import GENRE_LABELS, KIND_LABELS, LEVEL_LABELS, PART_HELP, PART_LABELS
from cli.terminal import progress_bar
from index.searcher import SORTS, SearchResult

SUGGESTIONS = 3  # nearby phrases offered when a phrase finds nothing


def add_parsers(subparsers) -> None:
    p = subparsers.add_parser("search", help="检索报告段落（精确短语用引号）")
    p.add_argument("query", help='检索式，例如 法律明白人 或 \'"谁执法谁普法" year:2021-2024\'')
    p.add_argument("--town", help="只看这个乡镇")
    p.add_argument("--county", help="只看这个县（区）")
    p.add_argument("--year", help="年份 2024 或范围 2021-2024")
    p.add_argument("--section", help=f"部分：{PART_HELP} 或 intro/work/problems/plans/closing")
    p.add_argument("--genre", help="体裁：" + "、".join(GENRE_LABELS.values()) + "（或其代码）")
    p.add_argument("--level", help="层级：" + "、".join(LEVEL_LABELS.values()) + "（或其代码）")
    p.add_argument("--report", metavar="ID", help="只看这份报告（改过的旧编号也可以）")
    p.add_argument("--sort", choices=SORTS, default="relevance", help="排序（默认相关度）")
    p.add_argument("--limit", type=cli_int(0, 10**9 - 1), default=20,
                   help="最多显示多少段（0 = 全部）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run_search)

    p = subparsers.add_parser("reindex", help="从档案重建检索索引")
    p.add_argument("--changed", action="store_true",
                   help="只更新与档案不一致的报告（不整体重建）")
    p.add_argument("--procs", type=cli_int(1, 64), default=None, metavar="N",
                   help="分词进程数（默认: 段落多时每核一个）")
    p.set_defaults(func=run_reindex)


def run_search(args) -> int:
    archive = workflows.open_archive(args.data)
    report_id = None
    if args.report:
        report_id = renames.resolve(archive, args.report)
        archive.get(report_id)  # an unknown id: one line, exit 1
    index = workflows.open_index(archive)
    filters = {"town": args.town, "county": args.county, "year": args.year,
               "section": args.section, "report_id": report_id, "genre": args.genre, "level": args.level}
    try:
        result = index.search(args.query, **filters, sort=args.sort, per_page=args.limit)
    except QueryError as exc:
        print(f"检索式有误：{exc}", file=sys.stderr)
        return 2
    suggestions = index.suggest(args.query, SUGGESTIONS) if not result.total_paragraphs and args.query.strip() else []
    if args.json:
        out = result.to_dict()
        if not result.total_paragraphs and args.query.strip():  # as /api/search
            out["suggestions"] = [s.to_dict() for s in suggestions]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(format_result(result))
    if not result.total_paragraphs:
        for line in empty.reasons(index, args.query, filters):
            print(line + "。")
        if suggestions:
            print("您要找的是不是：" + "、".join(empty.suggestion_words(s) for s in suggestions)
                  + f"  例如：archive search '{suggestions[0].query}'")
    return 0


def mark(text: str, spans: list[list[int]]) -> str:
    """`text` with each highlighted span wrapped in [ ]."""
    out, pos = [], 0
    for start, end in spans:
        out += [text[pos:start], "[", text[start:end], "]"]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def format_result(result: SearchResult) -> str:
    lines = [f"“{result.query}”：{result.total_paragraphs} 段，{result.total_reports} 份报告"
             f"（{result.mode_label}）"]
    for n, hit in enumerate(result.hits, 1):
        where = " · ".join(str(x) for x in (hit.town or "未知乡镇", hit.year or "未知年份",
                                            PART_LABELS.get(hit.section, hit.section)) if x)
        flag = ("" if hit.exact else "  (分词匹配)") + (f"  [{KIND_LABELS[hit.kind]}]" if hit.kind in KIND_LABELS else "")
        lines += ["", f"{n}. {hit.report_id} §{hit.paragraph_id}  {where}{flag}",
                  "   " + mark(hit.text, hit.highlights)]
    if len(result.hits) < result.total_paragraphs:
        lines += ["", f"（只显示前 {len(result.hits)} 段；用 --limit 0 显示全部）"]
    names = {"section": PART_LABELS, "genre": GENRE_LABELS, "level": LEVEL_LABELS}
    for name, label in (("year", "年份"), ("town", "乡镇"), ("county", "县区"), ("section", "部分"),
                        ("genre", "体裁"), ("level", "层级")):
        counts = result.facets.get(name) or {}
        if counts:
            shown = "  ".join(f"{names.get(name, {}).get(k, k)} {v}" for k, v in counts.items())
            lines.append(f"{label}：{shown}")
    if result.trend:
        lines.append("趋势（命中报告 / 当年报告）：" + "  ".join(
            f"{y} {t['matching']}/{t['reports']}" for y, t in result.trend.items()))
    return "\n".join(lines)


def run_reindex(args) -> int:
    archive = workflows.open_archive(args.data)
    index = workflows.open_index(archive)
    started = time.monotonic()
    if args.changed:
        synced = workflows.sync_index(archive, index, scan=True)  # hand edits made in place too
        if synced.error:
            raise ArchiveError(synced.error)
        updated = synced.updated
        print(f"已更新索引：{len(updated)} 份报告重新索引，{len(synced.removed)} 份移除"
              + (f"（{'、'.join(updated[:10])}{'…' if len(updated) > 10 else ''}）" if updated else ""))
        return 0
    reports, paragraphs = workflows.rebuild_index(archive, index, progress=progress_bar("重建索引"),
                                                  procs=args.procs)
    print(f"已重建索引：{reports} 份报告，{paragraphs} 个段落，"
          f"用时 {time.monotonic() - started:.1f} 秒")
    return 0
