"""Helpers shared by the store and CLI tests: a stand-in importer reading a tiny JSON format, so
the store can be tested independently of the real importers."""
from __future__ import annotations

import json

from archive.errors import ImportFailed
from archive.model import LogEntry, Paragraph, Place, Provenance, Report, Source


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
