"""`archive search` and `archive reindex`: thin CLI layers over `SearchIndex`.

`add_parsers(subparsers)` registers both; each sets `func(args) -> exit status`, and `args.data`
(the data folder) is resolved by `archive.cli` before the call.
"""
from __future__ import annotations

import json
import sys
import time

from archive.errors import QueryError
from archive.model import PART_LABELS
from archive.numbers import cli_int
from index.searcher import SORTS, SearchIndex, SearchResult


def add_parsers(subparsers) -> None:
    p = subparsers.add_parser("search", help="检索报告段落（精确短语用引号）")
    p.add_argument("query", help='检索式，例如 法律明白人 或 \'"谁执法谁普法" year:2021-2024\'')
    p.add_argument("--town", help="只看这个乡镇")
    p.add_argument("--county", help="只看这个县（区）")
    p.add_argument("--year", help="年份 2024 或范围 2021-2024")
    p.add_argument("--section", help="部分：导语/成效/问题/计划/落款 或 intro/work/problems/plans/closing")
    p.add_argument("--sort", choices=SORTS, default="relevance", help="排序（默认相关度）")
    p.add_argument("--limit", type=cli_int(0, 10**9 - 1), default=20,
                   help="最多显示多少段（0 = 全部）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run_search)

    p = subparsers.add_parser("reindex", help="从档案重建检索索引")
    p.add_argument("--changed", action="store_true",
                   help="只更新导入或手工修改过的报告（不整体重建）")
    p.set_defaults(func=run_reindex)


def _index(data_dir) -> SearchIndex:
    from archive.store import Archive
    return SearchIndex(Archive(data_dir).index_dir)


def run_search(args) -> int:
    try:
        result = _index(args.data).search(
            args.query, town=args.town, county=args.county, year=args.year,
            section=args.section, sort=args.sort, per_page=args.limit)
    except QueryError as exc:
        print(f"检索式有误：{exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_result(result))
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
        flag = "" if hit.exact else "  (分词匹配)"
        lines += ["", f"{n}. {hit.report_id} §{hit.paragraph_id}  {where}{flag}",
                  "   " + mark(hit.text, hit.highlights)]
    if len(result.hits) < result.total_paragraphs:
        lines += ["", f"（只显示前 {len(result.hits)} 段；用 --limit 0 显示全部）"]
    for name, label in (("year", "年份"), ("town", "乡镇"), ("county", "县区"), ("section", "部分")):
        counts = result.facets.get(name) or {}
        if counts:
            shown = "  ".join(f"{PART_LABELS.get(k, k) if name == 'section' else k} {v}"
                              for k, v in counts.items())
            lines.append(f"{label}：{shown}")
    if result.trend:
        lines.append("趋势（命中报告 / 当年报告）：" + "  ".join(
            f"{y} {t['matching']}/{t['reports']}" for y, t in result.trend.items()))
    return "\n".join(lines)


def run_reindex(args) -> int:
    from archive.store import Archive

    archive = Archive(args.data)
    started = time.monotonic()
    if args.changed:
        from archive.cli import sync_index
        updated, removed = sync_index(archive, SearchIndex(archive.index_dir))
        print(f"已更新索引：{len(updated)} 份报告重新索引，{len(removed)} 份移除"
              + (f"（{'、'.join(updated[:10])}{'…' if len(updated) > 10 else ''}）" if updated else ""))
        return 0
    reports = list(archive.reports())
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm
        bar = tqdm(total=len(reports), unit="份", desc="重建索引")

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    paragraphs = SearchIndex(archive.index_dir).rebuild(reports, progress=progress)
    if bar is not None:
        bar.close()
    print(f"已重建索引：{len(reports)} 份报告，{paragraphs} 个段落，"
          f"用时 {time.monotonic() - started:.1f} 秒")
    return 0
