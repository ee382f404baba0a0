"""`archive track`, `archive compare`, `archive trend` and `archive reuse`: thin CLI layers over
the `analysis` package (what the web pages /tracker, /compare, /trend and the report page's
查重 section show). `add_parsers(subparsers)` registers them; each prints text, or with `--json`
the same JSON the API serves."""
from __future__ import annotations

import json
import sys

import workflows
from analysis.comparison import MODES, compare_reports
from analysis.reuse import WIDTH, report_reuse
from analysis.summaries import UNKNOWN_PLACE
from analysis.tracker import county_summary, review_reports, town_reviews, towns_dict
from analysis.trends import MATCHES, MAX_PHRASES, Scope, build_trend, trend_dict, year_table
from archive.rules import (DEFAULT_GENRE, GENRE_LABELS, LEVEL_LABELS, PART_HELP, PART_LABELS, PARTS,
                           YEAR_MAX, YEAR_MIN, genre_code, level_code, part_code, read_years)

STATUS = {"repeated": "重复出现", "answered": "有回应", "open": "未见回应"}


def add_parsers(subparsers) -> None:
    p = subparsers.add_parser("track", help="问题整改追踪: 前一份报告的问题和计划在后一份报告中的下落")
    p.add_argument("ids", nargs="*", metavar="ID", help="两份报告: 前一份 后一份")
    p.add_argument("--town", help="这个乡镇逐年的报告")
    p.add_argument("--county", help="这个县（区）各乡镇的汇总（与 --town 同用: 限定县区）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run_track)

    p = subparsers.add_parser("compare", help="两份报告逐部分对照, 列出相同的句子")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--mode", choices=tuple(MODES), default="parts",
                   help="parts 按部分对照（默认）; plans2work A 的计划对 B 的成效")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run_compare)

    p = subparsers.add_parser("trend", help="词语在各年度报告中的占比")
    p.add_argument("phrases", nargs="+", metavar="PHRASE", help=f"至多 {MAX_PHRASES} 个词语")
    p.add_argument("--town", help="只看这个乡镇")
    p.add_argument("--county", help="只看这个县（区）")
    p.add_argument("--year", help="年份 2024 或范围 2021-2024")
    p.add_argument("--section", help=f"部分：{PART_HELP} 或 intro/work/problems/plans/closing")
    p.add_argument("--genre", help="体裁：" + "、".join(GENRE_LABELS.values())
                   + f"（或其代码; all = 全部体裁; 默认 {GENRE_LABELS[DEFAULT_GENRE]}）")
    p.add_argument("--level", help="层级：" + "、".join(LEVEL_LABELS.values()) + "（或其代码）")
    p.add_argument("--match", choices=tuple(MATCHES), default="phrase",
                   help="phrase 精确短语（默认）; words 各词出现在同一段即可")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run_trend)

    p = subparsers.add_parser("reuse", help=f"查重: 报告正文与更早报告相同的段落（≥{WIDTH} 字）")
    p.add_argument("id", metavar="ID")
    p.add_argument("--any-year", action="store_true", help="与其他所有报告比对（默认只比更早年份）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=run_reuse)


def _open(args):
    archive = workflows.open_archive(args.data)
    return archive, workflows.open_index(archive)


def _print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _usage(message: str) -> int:
    print(f"用法错误: {message}", file=sys.stderr)
    return 2


# ---- track ---------------------------------------------------------------------------------

def run_track(args) -> int:
    if args.ids and (len(args.ids) != 2 or args.town or args.county):
        return _usage("请给出两份报告的编号（前一份 后一份），或用 --town / --county，不能同时使用")
    if not args.ids and not (args.town or args.county):
        return _usage("请给出两份报告的编号，或 --town 乡镇 / --county 县区")
    archive = workflows.open_archive(args.data)
    if args.ids:
        found = review_reports(archive, *args.ids)
        if args.json:
            _print_json({"earlier": args.ids[0], "later": args.ids[1], **found.to_dict()})
        else:
            print("\n".join(review_lines(found)))
        return 0
    if args.town:
        return _track_town(archive, args)
    return _track_county(archive, args)


def review_lines(found, indent: str = "") -> list[str]:
    c = found.to_dict()["counts"]
    lines = [f"{indent}问题 {c['problems']} 条: 重复出现 {c['repeated']}, 有回应 {c['answered']}, "
             f"未见回应 {c['open']}; 计划 {c['plans']} 条, 已落实 {c['plans_done']}"]
    for f in found.problems:
        shown = f.shown
        lines.append(f"{indent}  [{STATUS[f.status]}] {_short(f.problem.text)}")
        if shown:
            lines.append(f"{indent}      ↳ {shown.score:.2f} {shown.item.paragraph_id}: {_short(shown.item.text)}")
    for f in found.plans:
        lines.append(f"{indent}  [{'已落实' if f.done else '未见落实'}] {_short(f.plan.text)}")
        if f.work:
            lines.append(f"{indent}      ↳ {f.work.score:.2f} {f.work.item.paragraph_id}: {_short(f.work.item.text)}")
    return lines


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[:size] + "…"


def _track_town(archive, args) -> int:
    found = town_reviews(archive, args.town, args.county)
    if not found:
        print(f"档案中没有“{args.town}”注明年份的报告", file=sys.stderr)
        return 1
    if args.json:
        _print_json(towns_dict(found))
        return 0
    for s in found:
        print(f"{s['town']}（{s['county'] or UNKNOWN_PLACE}）: {len(s['series'])} 份报告")
        if not s["pairs"]:
            print("  只有一年的报告, 无可追踪")
        for p, r in s["pairs"]:
            print(f"  {p.earlier['id']} → {p.later['id']}")
            print("\n".join(review_lines(r, "    ") if r else ["    报告已不在档案中"]))
    return 0


def _track_county(archive, args) -> int:
    rows = county_summary(archive, args.county)
    if not rows:
        print(f"档案中没有“{args.county}”注明乡镇和年份的报告", file=sys.stderr)
        return 1
    if args.json:
        _print_json(rows)
        return 0
    for row in rows:
        cells = "  ".join(f"{c['year']}: 重复 {c['repeated']}/{c['problems']} 计划 {c['plans_done']}/{c['plans']}"
                          for c in row["pairs"]) or "只有一年的报告"
        print(f"{row['town']}（{row['county'] or UNKNOWN_PLACE}）  {cells}")
    return 0


# ---- compare -------------------------------------------------------------------------------

def run_compare(args) -> int:
    archive, index = _open(args)
    found = compare_reports(archive, index, args.a, args.b, args.mode)
    if args.json:
        _print_json(found)
        return 0
    shared = found["shared"]
    print(f"A {found['a']['id']}  ⇄  B {found['b']['id']}  "
          f"相同的句子 {shared['sentences']} 句 (A {shared['share_a']:.0%}, B {shared['share_b']:.0%})")
    for part in found["parts"]:
        label = PART_LABELS.get(part["part_a"], part["part_a"])
        if part["part_b"] != part["part_a"]:
            label += " → " + PART_LABELS.get(part["part_b"], part["part_b"])
        print(f"\n【{label}】")
        for row in part["rows"]:
            print(f"  {_heading(row['a'])}  ⇄  {_heading(row['b'])}"
                  + (f"  ({row['score']:.2f})" if row["a"] and row["b"] else ""))
    return 0


def _heading(section) -> str:
    if section is None:
        return "—"
    return _short(section["heading"] or "（无标题）", 30)


# ---- trend ---------------------------------------------------------------------------------

def run_trend(args) -> int:
    phrases = list(dict.fromkeys(p.strip() for p in args.phrases if p.strip()))
    if not phrases or len(phrases) > MAX_PHRASES:
        return _usage(f"请给出 1–{MAX_PHRASES} 个词语")
    years = read_years(args.year) if args.year else (None, None)
    if years is None or (args.year and not (YEAR_MIN <= years[0] <= years[1] <= YEAR_MAX)):
        return _usage(f"--year 应为 {YEAR_MIN}–{YEAR_MAX} 之间的年份或范围, 如 2024 或 2021-2024")
    section = part_code(args.section) or (args.section or "")
    if section and section not in PARTS:
        return _usage(f"--section 应为 {PART_HELP} 或 intro/work/problems/plans/closing")
    genre = "" if args.genre == "all" else genre_code(args.genre) if args.genre else DEFAULT_GENRE
    level = level_code(args.level) if args.level else ""
    if genre is None or level is None:
        return _usage("--genre / --level 不是已知的体裁或层级")
    archive, index = _open(args)
    scope = Scope(town=args.town or "", county=args.county or "", section=section,
                  year_from=years[0], year_to=years[1], genre=genre, level=level, match=args.match)
    trend = build_trend(index, phrases, scope)
    if args.json:
        _print_json(trend_dict(trend, scope))
        return 0 if trend.valid else 2
    for p in trend.phrases:
        if p.error:
            print(f"“{p.phrase}”: {p.error}", file=sys.stderr)
    if not trend.valid:
        return 2
    table = year_table(trend)
    widths = [max(len(str(row[k])) for row in table) for k in range(len(table[0]))]
    for n, row in enumerate(table):
        cells = [f"{v:.1%}" if isinstance(v, float) else str(v) for v in row] if n else row
        marked = n and trend.marked is not None and row[0] in trend.marked
        print(("* " if marked else "  ") + "  ".join(str(c).rjust(w) for c, w in zip(cells, widths)))
    return 0


# ---- reuse ---------------------------------------------------------------------------------

def run_reuse(args) -> int:
    archive, index = _open(args)
    found = report_reuse(archive, index, args.id, earlier_only=not args.any_year)
    if args.json:
        _print_json(found.to_dict())
        return 0
    scope = "其他报告" if args.any_year else "更早年份的报告"
    print(f"{found.report_id}: 正文 {found.body_chars} 字, 与{scope}相同 {found.shared_chars} 字 "
          f"({found.share:.1%}); 套话 {found.boilerplate_chars} 字 ({found.boilerplate_share:.1%}, 不计入)")
    for s in found.sources[:10]:
        where = "本镇往年" if s.same_town else (s.town or UNKNOWN_PLACE)
        print(f"  来源 {s.report_id}（{where}，{s.year or '年份不详'}）: {s.chars} 字")
    for p in found.passages:
        if p.boilerplate:
            print(f"\n  [套话, {p.reports} 份报告] §{p.paragraph_id}: {_short(p.text)}")
            continue
        print(f"\n  [{p.chars} 字] §{p.paragraph_id}: {_short(p.text)}")
        for s in p.sources:
            print(f"      ← {s.report_id} §{s.paragraph_id}")
        if p.more_sources:
            print(f"      ← 另有 {p.more_sources} 处")
    return 0

