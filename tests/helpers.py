"""Helpers shared by the tests (no test module imports another):

- a stand-in importer reading a tiny JSON format (`fake_file`, `fake_reader`), so the store can be
  tested independently of the real importers;
- the imported sample reports, a crafted report with known phrase variants, and the brute-force
  scan every exact search is checked against.
"""
from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from archive.errors import ImportFailed
from archive.folding import fold, t2s
from archive.model import LogEntry, Paragraph, Place, Provenance, Report, Source
from importers import read_path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

def fake_file(town="赵集镇", year=2024, title="赵集镇2024年法治政府建设工作情况报告",
              body=("加强组织领导。",), **extra) -> bytes:
    return json.dumps({"town": town, "year": year, "title": title, "body": list(body), **extra},
                      ensure_ascii=False).encode("utf-8")


def fake_reader(data: bytes, filename: str) -> Report:
    try:
        d = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ImportFailed(f"{filename}: 不是报告文件") from None
    paragraphs = [Paragraph("一", "heading", 1, "work", [], "一、工作情况", "一、工作情况")]
    paragraphs += [Paragraph(f"一.{i}", "text", 0, "work", ["一、工作情况"], t, t)
                   for i, t in enumerate(d["body"], 1)]
    provenance = {"town": Provenance("body", d.get("town_confidence", 0.9)),
                  "year": Provenance("body", 0.9)}
    return Report(title=d["title"], place=Place(county="雷州市", town=d["town"]), year=d["year"],
                  source=Source(filename, "", "txt", "utf-8"), paragraphs=paragraphs,
                  provenance=provenance, log=[LogEntry("strip_junk", "图片", "")],
                  flags=[] if d["town"] else ["town_missing"])


def sample_reports() -> list[Report]:
    """The five samples through the real importer, with the ids the archive would give them."""
    reports = []
    for path in sorted(SAMPLES.glob("*.txt")):
        report = read_path(path)
        report.id = f"{report.place.town}-{report.year}"
        reports.append(report)
    return reports


def crafted_report(rid="测试镇-2022", town="测试镇", year=2022) -> Report:
    """Known variants of 谁执法谁普法, a decoy that has only its words, parts and headings."""
    h1, h2 = "一、普法宣传工作", "二、存在的问题"
    texts = [
        ("一", "heading", 1, "work", [], h1, h1),
        ("一.1", "text", 0, "work", [h1], "落实谁执法、谁普法责任制。", None),
        ("一.2", "text", 0, "work", [h1], "坚持“谁执法,谁普法”原则。", None),
        ("一.3", "text", 0, "work", [h1], "落实誰執法誰普法要求。", "落實誰執法誰普法要求。"),
        ("一.4", "text", 0, "work", [h1], "谁执法谁负责，各单位开展普法活动。", None),
        ("二", "heading", 1, "problems", [], h2, h2),
        ("二.1", "text", 0, "problems", [h2], "人民调解工作仍有短板。", None),
    ]
    paragraphs = [Paragraph(pid, kind, level, part, path, t2s(text), original or text)
                  for pid, kind, level, part, path, text, original in texts]
    return Report(id=rid, title=f"{town}{year}年法治政府建设工作情况报告",
                  place=Place(town=town, county="测试县"), year=year, paragraphs=paragraphs)


def with_text(report: Report, paragraph_id: str, text: str) -> Report:
    """The report with one paragraph's text replaced (in both scripts)."""
    paragraphs = [replace(p, text=text, text_original=text) if p.id == paragraph_id else p
                  for p in report.paragraphs]
    return replace(report, paragraphs=paragraphs)


def built_index(index_dir: Path):
    """A SearchIndex over the five samples and the crafted report."""
    from index import SearchIndex
    ix = SearchIndex(index_dir)
    ix.rebuild(sample_reports() + [crafted_report()])
    return ix


def brute_force(reports: list[Report], phrase: str) -> set[tuple[str, str]]:
    """(report id, paragraph id) of every paragraph whose folded text contains the phrase."""
    needle = fold(phrase)
    return {(r.id, p.id) for r in reports for p in r.paragraphs if needle in _folded(p.text)}


_folded = lru_cache(maxsize=None)(fold)


def keys(result) -> set[tuple[str, str]]:
    return {(h.report_id, h.paragraph_id) for h in result.hits}
