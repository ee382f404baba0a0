"""Text reuse (查重, `analysis.reuse`): a report rebuilt from another's paragraphs with the dates
and the town changed is found, passage by passage, with its source; boilerplate is apart; the
shared characters agree with a brute-force scan of every window."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

import workflows
from analysis.reuse import WIDTH, county_reuse, pair_reuse, report_reuse
from archive.folding import fold
from helpers import SAMPLES, build_archive

ZHAOJI = SAMPLES / "000_c5c95290205ada9f.txt"     # 赵集镇 2024


def planted_copy(folder: Path, town: str = "青石镇", year: int = 2025) -> Path:
    """赵集镇's 2024 report as another town's report of a later year: same paragraphs, the
    town and the dates changed, a title line of its own."""
    text = ZHAOJI.read_text(encoding="utf-8").replace("2024", str(year)).replace("赵集镇", town)
    path = folder / f"{town}{year}.txt"
    path.write_text(f"{town}{year}年法治政府建设工作情况报告\n\n{text}", encoding="utf-8")
    return path


def open_planted(folder: Path):
    """The samples plus 青石镇's planted copy of 赵集镇 2024: (archive, index, folder)."""
    (folder / "files").mkdir()
    build_archive(folder / "data", [SAMPLES, planted_copy(folder / "files")])
    archive = workflows.open_archive(folder / "data")
    return archive, workflows.open_index(archive), folder


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    """Shared by the tests that only read it."""
    return open_planted(tmp_path_factory.mktemp("reuse"))


@pytest.fixture
def writable(tmp_path):
    """An archive of its own for a test that imports more (the shared one must stay as built,
    whatever order the tests run in)."""
    return open_planted(tmp_path)


def test_a_planted_copy_is_found_with_its_source(opened):
    archive, index, _ = opened
    reuse = report_reuse(archive, index, "青石镇-2025")
    assert reuse.share > 0.9
    assert [s.report_id for s in reuse.sources] == ["赵集镇-2024"]
    source = archive.get("赵集镇-2024")
    texts = {p.id: fold(p.text) for p in source.paragraphs}
    report = archive.get("青石镇-2025")
    shared = [p for p in reuse.passages if not p.boilerplate]
    assert shared and all(p.chars >= WIDTH for p in shared)
    for p in shared:
        assert p.text == next(x.text for x in report.paragraphs if x.id == p.paragraph_id)[p.start:p.end]
        s = p.sources[0]
        assert s.report_id == "赵集镇-2024" and fold(p.text) in texts[s.paragraph_id]
        there = next(x.text for x in source.paragraphs if x.id == s.paragraph_id)
        assert fold(there[s.start:s.end]) == fold(p.text)


def test_only_earlier_reports_are_sources_unless_asked(opened):
    archive, index, _ = opened
    assert report_reuse(archive, index, "赵集镇-2024").shared_chars == 0
    both = report_reuse(archive, index, "赵集镇-2024", earlier_only=False)
    assert [s.report_id for s in both.sources] == ["青石镇-2025"] and both.share > 0.9
    pair = pair_reuse(archive, index, "赵集镇-2024", "青石镇-2025")
    assert pair["a"]["share"] > 0.9 and pair["b"]["share"] > 0.9 and pair["a"]["passages"] > 5


def test_the_same_towns_earlier_year_is_marked_and_listed_first(writable):
    archive, index, folder = writable
    later = planted_copy(folder / "files", town="赵集镇", year=2026)
    workflows.import_files(archive, index, [later])      # after the base: found in the delta too
    reuse = report_reuse(archive, index, "赵集镇-2026")
    assert reuse.sources[0].report_id in ("赵集镇-2024", "青石镇-2025")
    mine = {s.report_id: s.same_town for s in reuse.sources}
    assert mine == {"赵集镇-2024": True, "青石镇-2025": False}
    first = next(p for p in reuse.passages if not p.boilerplate)
    assert first.sources[0].same_town


def test_a_copy_of_a_report_only_in_the_delta_is_found(writable):
    archive, index, folder = writable
    own = folder / "files" / "new.txt"
    own.write_text("白云镇2027年法治政府建设工作情况报告\n\n" + "白云镇把矛盾纠纷多元化解作为基层治理的重点，"
                   "建立了村级调解员每周轮值、镇级调委会每月会商的工作机制，全年化解纠纷一百二十件。\n",
                   encoding="utf-8")
    copy = folder / "files" / "copy.txt"
    copy.write_text("黑山镇2028年法治政府建设工作情况报告\n\n" + "黑山镇把矛盾纠纷多元化解作为基层治理的重点，"
                    "建立了村级调解员每周轮值、镇级调委会每月会商的工作机制，全年化解纠纷九十件。\n",
                    encoding="utf-8")
    workflows.import_files(archive, index, [own])
    workflows.import_files(archive, index, [copy])
    reuse = report_reuse(archive, index, "黑山镇-2028")
    assert [s.report_id for s in reuse.sources] == ["白云镇-2027"]
    assert 40 < reuse.shared_chars < reuse.body_chars


def test_boilerplate_shared_by_most_reports_is_apart(tmp_path):
    slogan = "坚持以习近平新时代中国特色社会主义思想为指导深入贯彻落实党的二十大精神"
    folder = tmp_path / "files"
    folder.mkdir()
    rng = random.Random(7)
    pool = "法治政府建设工作依法行政决策执法监督普法宣传调解纠纷村民干部培训制度落实"
    for k, year in enumerate(range(2015, 2022)):
        own = "".join(rng.choice(pool) for _ in range(80))
        (folder / f"r{k}.txt").write_text(
            f"第{k}镇{year}年法治政府建设工作情况报告\n\n{year}年，本镇{slogan}。\n\n{own}。\n", encoding="utf-8")
    build_archive(tmp_path / "data", [folder])
    archive = workflows.open_archive(tmp_path / "data")
    index = workflows.open_index(archive)
    last = max(archive.summaries(), key=lambda s: s.year)
    reuse = report_reuse(archive, index, last.id)
    assert reuse.shared_chars == 0 and reuse.boilerplate_chars >= len(slogan)
    boiler = [p for p in reuse.passages if p.boilerplate]
    assert boiler and slogan in fold("".join(p.text for p in boiler)) and boiler[0].reports >= 5


def brute_shared(body: list[str], others: list[str]) -> int:
    """Characters of `body` (folded paragraphs) inside a window of WIDTH found in `others`."""
    total = 0
    for text in body:
        covered = [False] * len(text)
        for i in range(len(text) - WIDTH + 1):
            if any(text[i:i + WIDTH] in o for o in others):
                covered[i:i + WIDTH] = [True] * WIDTH
        total += sum(covered)
    return total


@pytest.mark.parametrize("seed", range(3))
def test_shared_characters_agree_with_a_brute_force_scan(tmp_path, seed):
    """Reports stitched from pieces of a few random sentences (two towns, no report shares a
    window with most others, so nothing is boilerplate): the count matches the scan."""
    rng = random.Random(seed)
    alphabet = "依法行政决策执法监督普法宣传调解纠纷村民干部培训制度"
    pieces = ["".join(rng.choice(alphabet) for _ in range(rng.randint(15, 40))) for _ in range(6)]
    folder = tmp_path / "files"
    folder.mkdir()
    bodies = {}
    for k, (town, year) in enumerate([("甲镇", 2020), ("乙镇", 2021), ("甲镇", 2022)]):
        paragraphs = ["".join(rng.sample(pieces, 3)) + "".join(rng.choice(alphabet) for _ in range(10))
                      for _ in range(2)]
        bodies[(town, year)] = paragraphs
        (folder / f"{k}.txt").write_text(f"{town}{year}年法治政府建设工作情况报告\n\n" + "\n\n".join(
            p + "。" for p in paragraphs) + "\n", encoding="utf-8")
    build_archive(tmp_path / "data", [folder])
    archive = workflows.open_archive(tmp_path / "data")
    index = workflows.open_index(archive)
    for s in archive.summaries():
        report = archive.get(s.id)
        body = [fold(p.text) for p in report.paragraphs if p.kind == "text"]
        earlier = [fold(p.text) for o in archive.summaries() if o.year < s.year
                   for p in archive.get(o.id).paragraphs if p.kind == "text"]
        assert report_reuse(archive, index, s.id).shared_chars == brute_shared(body, earlier), s.id


def test_the_county_view_lists_which_towns_reuse_whose_text(tmp_path):
    """Two towns of 测试县 filing the same texts under their own names (tests/fixtures): 马坪镇's
    2023 report reuses 马坪镇 2022 and 青石镇 2022; every row is within its town's body."""
    from fixtures.tracker_reports import write_reports

    build_archive(tmp_path / "data", [*write_reports(tmp_path / "a"),
                                      *write_reports(tmp_path / "b", "马坪镇", (2022, 2023))])
    archive = workflows.open_archive(tmp_path / "data")
    rows = county_reuse(archive, workflows.open_index(archive), "测试县")
    pairs = {(r.town, r.source_town): r for r in rows}
    assert {("马坪镇", "马坪镇"), ("马坪镇", "青石镇"), ("青石镇", "青石镇")} <= set(pairs)
    assert pairs[("马坪镇", "马坪镇")].same_town and not pairs[("马坪镇", "青石镇")].same_town
    assert all(0 < r.chars <= r.body_chars for r in rows)
    assert [r.chars for r in rows] == sorted((r.chars for r in rows), reverse=True)
    assert county_reuse(archive, workflows.open_index(archive), "无此县") == []
