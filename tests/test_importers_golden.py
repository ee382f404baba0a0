"""Golden tests: the five sample reports → metadata, outline and the part of every paragraph.

The goldens live in tests/golden/<sample>.json. After a deliberate change to the importers,
regenerate them with

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_importers_golden.py

and read the diff before committing: a golden is only as right as the person who checked it.
"""
import json
import os
from pathlib import Path

import pytest

from importers import read_path

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
GOLDEN = Path(__file__).parent / "golden"
SAMPLES = sorted(p.name for p in SEEDS.glob("*.txt"))


def snapshot(report) -> dict:
    meta = {f: report.meta(f) for f in ("title", "province", "city", "county", "town", "year",
                                        "issued", "addressee", "issuer", "doc_number")}
    return {
        "metadata": {**meta, "title_derived": report.title_derived, "script": report.script},
        "flags": sorted(report.flags),
        "outline": [[p.id, p.level, p.text] for p in report.paragraphs if p.kind == "heading"],
        "parts": [[p.id, p.part] for p in report.paragraphs],
    }


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_matches_golden(name):
    got = snapshot(read_path(SEEDS / name))
    path = GOLDEN / (Path(name).stem + ".json")
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


# The table every engineer agreed on; independent of the goldens so a careless regeneration
# cannot silently change it.
EXPECTED = {
    "000": dict(town="赵集镇", county=None, city=None, year=2024, title_derived=True,
                title="赵集镇2024年法治政府建设工作情况报告"),
    "001": dict(town="三湖镇", county="衡阳县", city="衡阳市", year=2024, title_derived=False,
                title="三湖镇2024年度法治政府建设年度报告"),
    "002": dict(town="圣灯山镇", county="巴南区", city=None, year=2021, title_derived=False,
                title="圣灯山镇2021年法治政府建设工作情况报告", addressee="区委、区政府"),
    "003": dict(town="覃斗镇", county="雷州市", city="湛江市", year=2019, issued="2020-04-13",
                title_derived=True, addressee="雷州市依法行政工作领导小组办公室", issuer="覃斗镇人民政府"),
    "004": dict(town="马喇镇", county="黔江区", city=None, year=2023, title_derived=False,
                title="黔江区马喇镇人民政府关于马喇镇2023年度法治政府建设工作情况的报告"),
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_metadata_table(prefix):
    name = next(n for n in SAMPLES if n.startswith(prefix))
    report = read_path(SEEDS / name)
    for field, value in EXPECTED[prefix].items():
        got = report.title_derived if field == "title_derived" else report.meta(field)
        assert got == value, field
    assert report.id == ""
    assert report.source.path == name and report.source.format == "txt"
    assert ("title_derived" in report.flags) == report.title_derived
    assert "town_missing" not in report.flags and "year_missing" not in report.flags


def test_traditional_sample_keeps_original_script():
    report = read_path(SEEDS / next(n for n in SAMPLES if n.startswith("004")))
    assert report.script == "traditional"
    intro = report.paragraphs[0]
    assert "馬喇鎮" in intro.text_original and "马喇镇" in intro.text
    assert "(" not in intro.text_original  # the pinyin ruby is gone, 時(shí) → 時
    assert "時代" in intro.text_original


def test_simplified_sample_text_equals_original():
    report = read_path(SEEDS / SAMPLES[0])
    assert all(p.text == p.text_original for p in report.paragraphs)


def test_reimport_gives_same_ids():
    path = SEEDS / SAMPLES[3]
    assert [p.id for p in read_path(path).paragraphs] == [p.id for p in read_path(path).paragraphs]


def test_mixed_heading_splits_parts_by_child():
    report = read_path(SEEDS / next(n for n in SAMPLES if n.startswith("003")))
    part = {p.id: p.part for p in report.paragraphs}
    assert part["六"] == "problems"
    assert part["六.（一）"] == part["六.（一）.1"] == "problems"
    assert part["六.（二）"] == part["六.（二）.1、.1"] == "plans"
    assert [p.text for p in report.paragraphs if p.part == "closing"] == ["覃斗镇人民政府", "2020年4月13日"]
