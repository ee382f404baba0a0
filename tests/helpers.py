"""Helpers shared by the tests (no test module imports another):

- a stand-in importer reading a tiny JSON format (`fake_file`, `fake_reader`), so the store can be
  tested independently of the real importers;
- building a data folder through the workflows and an app over it (`build_archive`, `make_app`);
- the imported sample reports, a crafted report with known phrase variants, and the brute-force
  scan every exact search is checked against;
- the citation basket driven through its forms (`basket_add`, `basket_contents`).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from werkzeug.security import generate_password_hash

from archive.errors import ImportFailed
from archive.folding import fold, t2s
from archive.model import LogEntry, Paragraph, Place, Provenance, Report, Source
from importers import read_path, read_report
from index.documents import TITLE_ID

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

ADMIN_PASSWORD = "测试-admin-pass"


def build_archive(data_dir: Path, files=None) -> None:
    """Import `files` (default: the samples) into `data_dir` and index them, as `archive import`
    does."""
    import workflows

    archive = workflows.open_archive(data_dir)
    done = workflows.import_files(archive, workflows.open_index(archive),
                                  files if files is not None else [SAMPLES])
    assert all(r.status in ("imported", "unchanged") for r in done.results), done.results
    assert done.index.error is None


def make_app(data_dir: Path, password: str | None = ADMIN_PASSWORD):
    from webapp import create_app

    return create_app({
        "DATA_DIR": str(data_dir), "TESTING": True, "SECRET_KEY": "test-secret",
        "ADMIN_PASSWORD_HASH": generate_password_hash(password) if password else None,
    })


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


def brute_force(reports: list[Report], phrase: str) -> set[tuple[str, str]]:
    """(report id, paragraph id) of every stored line whose folded text contains the phrase:
    every paragraph, headings included, and the report's own title (id `TITLE_ID`)."""
    needle = fold(phrase)
    return {(r.id, pid) for r in reports for pid, text in stored_lines(r) if needle in _folded(text)}


def stored_lines(report: Report) -> list[tuple[str, str]]:
    """(paragraph id, text) of every line of a report that search must find: its title unless
    the system derived it, then every paragraph, headings included."""
    title = [(TITLE_ID, report.title)] if report.title and not report.title_derived else []
    return title + [(p.id, p.text) for p in report.paragraphs]


_folded = lru_cache(maxsize=None)(fold)


def keys(result) -> set[tuple[str, str]]:
    return {(h.report_id, h.paragraph_id) for h in result.hits}


# ---- the hand-made web archive: script toggle, hostile text, versions, neighbouring years

SHARED = "镇政府把依法行政工作与经济工作同安排、共部署，并由主要领导率先垂范。"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>[点我](javascript:alert(1))'


def para(pid, kind, part, text, level=0, original=None):
    return Paragraph(id=pid, kind=kind, level=level, part=part, text=text,
                     text_original=original or text)


def zhaoji(year: int, extra: str) -> Report:
    """A simplified report of 赵集镇; consecutive years share one sentence and one heading."""
    return Report(
        title=f"赵集镇{year}年法治政府建设工作情况报告", place=Place("安徽省", "宿州市", "泗县", "赵集镇"),
        year=year, issued=f"{year + 1}-01-15", issuer="赵集镇人民政府", addressee="泗县人民政府",
        doc_number=f"赵政〔{year + 1}〕3号", source=Source(format="txt", encoding="utf-8"),
        provenance={"town": Provenance("title", 0.95), "year": Provenance("title", 0.9)},
        paragraphs=[
            para("导语.1", "text", "intro", f"{year}年，赵集镇坚持依法行政。{extra}"),
            para("一", "heading", "work", f"一、{year}年工作情况", 1),
            para("一.（一）", "heading", "work", "（一）加强组织领导，抓好制度建设", 2),
            para("一.（一）.1", "text", "work", SHARED + f"全年召开专题会议{year - 2019}次，研究法治建设。"),
            para("一.（二）", "heading", "work",
                 "（二）深化法治宣传教育" if year == 2024 else "（二）规范行政执法行为", 2),
            para("一.（二）.1", "text", "work", f"开展“八五”普法宣传活动{year - 2010}场，发放资料。"),
            para("二", "heading", "problems", "二、存在的问题", 1),
            para("二.1", "text", "problems", "执法人员法律素养有待提高，普法形式较为单一。"),
            para("三", "heading", "plans", "三、下一步工作计划", 1),
            para("三.（一）", "heading", "plans", "（一）深化法治宣传教育", 2),
            para("三.（一）.1", "text", "plans", f"{year + 1}年将继续开展法律明白人培训工作。"),
            para("落款.1", "text", "closing", "赵集镇人民政府"),
        ])


def mala() -> Report:
    """Traditional script, derived title, import flags and hostile text."""
    return Report(
        title="马喇镇2023年法治政府建设情况报告", title_derived=True,
        place=Place(None, None, "泗县", "马喇镇"), year=2023, script="traditional",
        source=Source(format="txt", encoding="big5"), flags=["title_derived", "encoding_debris"],
        paragraphs=[
            para("导语.1", "text", "intro", "2023年，马喇镇坚持以习近平法治思想为指导。",
                 original="2023年，馬喇鎮堅持以習近平法治思想為指導。"),
            para("一", "heading", "work", "一、法治政府建设工作推进落实情况", 1,
                 original="一、法治政府建設工作推進落實情況"),
            para("一.1", "text", "work", "认真落实党政同责、一岗双责要求，开展普法宣传。" + HOSTILE,
                 original="認真落實黨政同責、一崗雙責要求，開展普法宣傳。" + HOSTILE),
        ])


def build_handmade_archive(data_dir: Path) -> None:
    """Hand-made reports imported through the real store (a stand-in reader maps file names to
    the reports above) and indexed by the real index. 赵集镇-2023 is imported twice with
    different bytes, so it has an earlier version in `history`."""
    import workflows
    from archive.store import Archive

    made = {"zhaoji-2023-v1.txt": zhaoji(2023, "第一稿。"), "zhaoji-2023.txt": zhaoji(2023, "定稿。"),
            "zhaoji-2024.txt": zhaoji(2024, ""), "mala-2023.txt": mala()}
    archive = Archive(data_dir, read_report=lambda data, name: made[name])
    for name in made:
        result = archive.import_bytes(f"原件 {name}".encode("utf-8"), name)
        assert result.status in ("imported", "updated"), result.error
    workflows.rebuild_index(archive, workflows.open_index(archive))


def basket_token(client) -> str:
    html = client.get("/basket").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def basket_post(client, path, **form):
    form.setdefault("csrf_token", basket_token(client))
    return client.post(path, data=form)


def basket_add(client, rid, pid, **extra):
    return basket_post(client, "/basket/add", report_id=rid, paragraph_id=pid, **extra)


def basket_contents(client):
    return client.get("/basket.json").get_json()["items"]


# ---- an archive as an older importer built it (archive reimport) ----

REPORT_A = """赵集镇2024年法治政府建设工作情况报告

2024年，赵集镇在县委、县政府的正确领导下，深入推进法治政府建设，现将有关情况报告如下。
一、主要工作
（一）加强组织领导
镇党委定期研究法治建设工作，全年召开专题会议四次。
（二）深化普法宣传
组织法律明白人开展宣传活动二十场。
二、存在的问题
部分干部法治意识仍需提高。
三、下一步工作打算
继续完善合法性审查机制。

赵集镇人民政府
2025年1月10日
"""
REPORT_B = """覃斗镇2023年度法治政府建设工作情况报告

雷州市人民政府：
2023年，覃斗镇认真落实市委、市政府关于法治政府建设的部署，现将工作情况报告如下。
一、工作成效
推行镇村法律顾问全覆盖，全年审查合同十二份。
二、存在不足
基层执法力量薄弱。
三、2024年工作计划
加强执法人员培训。

覃斗镇人民政府
2024年1月15日
"""
# A town with namesakes in two provinces, the county not written: flagged place_ambiguous.
AMBIGUOUS_2023 = REPORT_A.replace("2024年", "2023年").replace("2025年1月", "2024年1月")
FURNITURE = ("网站首页 > 政务公开 > 法治政府建设", "【字号：大 中 小】 打印 收藏")
OLD_TOWN = {"a.txt": None, "b.txt": "认真落实镇"}
STAFF_TITLE = "覃斗镇2023年度法治政府建设情况报告（经核对）"


def older_reader(data: bytes, filename: str) -> Report:
    """What the previous importer (before issue 7) stored: furniture kept ahead of the text, the town not found
    (or a phrase), no county or gazetteer fields."""
    report = read_report(data, filename)
    for p in report.paragraphs:
        if p.part == "intro":
            p.id = f"导语.{int(p.id.split('.')[1]) + len(FURNITURE)}"
    report.paragraphs = [Paragraph(f"导语.{i}", "text", 0, "intro", [], t, t)
                         for i, t in enumerate(FURNITURE, 1)] + report.paragraphs
    town = OLD_TOWN[filename]
    report.place = Place(town=town)
    report.flags = ["town_missing"] if town is None else []
    report.flag_notes, report.place_candidates, report.level = {}, [], None
    return report


def build_old_archive(folder: Path) -> tuple[Path, str, str]:
    """REPORT_A and REPORT_B imported by `older_reader` into folder/data and indexed, with the
    staff's title on B; returns (data folder, id of A, id of B)."""
    import workflows
    from archive.store import Archive

    src = folder / "src"
    src.mkdir(parents=True)
    (src / "a.txt").write_text(REPORT_A, encoding="utf-8")
    (src / "b.txt").write_text(REPORT_B, encoding="utf-8")
    archive = Archive(folder / "data", read_report=older_reader)
    done = workflows.import_files(archive, workflows.open_index(archive), [src])
    assert [r.status for r in done.results] == ["imported", "imported"], done.results
    a_id, b_id = (r.report_id for r in done.results)
    assert a_id.startswith("未知镇-2024-") and b_id == "认真落实镇-2023"
    workflows.set_fields(archive, workflows.open_index(archive), b_id, {"title": STAFF_TITLE})
    return folder / "data", a_id, b_id


def breadcrumb_reader(data: bytes, filename: str) -> Report:
    """An older importer that left the site's breadcrumb at the start of the first paragraph:
    today's importer reads that paragraph without it, so its id (导语.1) is retired."""
    report = read_report(data, filename)
    first = next(p for p in report.paragraphs if p.kind == "text")
    first.text = first.text_original = FURNITURE[0] + " " + first.text_original
    return report


def build_breadcrumb_archive(folder: Path) -> tuple[Path, str, str]:
    """REPORT_A stored by `breadcrumb_reader`, then re-read by today's importer: returns (data
    folder, report id, the retired paragraph id)."""
    import workflows
    from archive.store import Archive

    src = folder / "src"
    src.mkdir(parents=True)
    (src / "a.txt").write_text(REPORT_A, encoding="utf-8")
    archive = Archive(folder / "data", read_report=breadcrumb_reader)
    done = workflows.import_files(archive, workflows.open_index(archive), [src])
    rid = done.results[0].report_id
    retired = next(p.id for p in archive.get(rid).paragraphs if p.kind == "text")
    from workflows.reimport import reimport
    reimport(workflows.open_archive(folder / "data"), None, [rid])
    return folder / "data", rid, retired


# ---- an archive of many years: a county with 2019–2025 reports in an archive of 1992–2026 ----

LEIZHOU_TOWNS = ("覃斗镇", "北和镇", "英利镇", "纪家镇", "客路镇", "企水镇", "调风镇")
SUIXI_TOWNS = ("黄略镇", "界炮镇", "城月镇")
SPAN_PHRASE = "法律明白人"


def span_report(province: str, city: str, county: str, town: str, year: int, phrase: bool) -> str:
    """A short report the real importer reads with its place (from the title, via the
    gazetteer) and year; `phrase`: it mentions 法律明白人."""
    work = ("培育法律明白人三十名，覆盖全部行政村。" if phrase else "开展普法宣传活动十二场。")
    return (f"{province}{city}{county}{town}{year}年法治政府建设工作情况报告\n\n"
            f"{year}年，{town}深入推进法治政府建设，现将有关情况报告如下。\n"
            f"一、主要工作\n（一）加强组织领导。镇党委定期研究法治建设工作。\n（二）深化普法宣传。{work}\n"
            f"二、存在的问题\n基层执法力量薄弱。\n三、下一步工作打算\n继续完善合法性审查机制。\n\n"
            f"{town}人民政府\n{year + 1}年1月10日\n")


def span_files(folder: Path) -> list[Path]:
    """雷州市 (7 towns) and 遂溪县 (3 towns) of 湛江市 with reports 2019–2025 only (some years
    missing, 法律明白人 growing), and 衡阳县 reports from 1992 to 2026 (every few years), so the
    archive spans 35 years while 雷州市 spans 7."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {}
    for n, town in enumerate(LEIZHOU_TOWNS):
        for year in range(2019, 2026):
            if (n + year) % 5 != 0:
                texts[f"雷州{town}{year}.txt"] = span_report("广东省", "湛江市", "雷州市", town, year,
                                                              year - 2019 > n % 4)
    for n, town in enumerate(SUIXI_TOWNS):
        for year in range(2021, 2026):
            texts[f"遂溪{town}{year}.txt"] = span_report("广东省", "湛江市", "遂溪县", town, year, n == 0)
    for year in (1992, 1996, 2001, 2005, 2010, 2014, 2018, 2022, 2026):
        texts[f"衡阳西渡镇{year}.txt"] = span_report("湖南省", "衡阳市", "衡阳县", "西渡镇", year, year > 2010)
    paths = []
    for name, text in texts.items():
        (folder / name).write_text(text, "utf-8")
        paths.append(folder / name)
    return paths


def mark_weak(data_dir: Path, phrase: str, confidence: float = 0.62) -> tuple[str, str]:
    """Mark `phrase` of a scanned report's paragraph as read with low confidence by editing its
    stored file, as an OCR line below the threshold would have. Returns (report id, paragraph id)."""
    import workflows

    archive = workflows.open_archive(data_dir)
    (rid,) = archive.ids()
    target = next(p for p in archive.get(rid).paragraphs if phrase in p.text_original)
    start = target.text_original.index(phrase)
    text = re.sub(rf"(<!-- {re.escape(target.id)} \S+ page=\d+ conf=)[0-9.]+( low=\S+)?",
                  rf"\g<1>{confidence} low={start}-{start + len(phrase)}", archive.markdown(rid),
                  count=1)
    (path,) = [p for p in data_dir.rglob("*.md") if p.read_text("utf-8") == archive.markdown(rid)]
    path.write_text(text, "utf-8")
    return rid, target.id
