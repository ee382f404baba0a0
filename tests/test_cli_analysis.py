"""`archive track`, `compare`, `trend` and `reuse` on the samples plus three invented years of
青石镇 (tests/fixtures/tracker_reports.py); `--json` is what the API serves."""
from __future__ import annotations

import json

import pytest

from cli import main as cli
from fixtures.tracker_reports import write_reports
from helpers import SAMPLES, build_archive, make_app


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-analysis")
    build_archive(folder / "data", [SAMPLES, *write_reports(folder / "files")])
    return folder / "data"


def run(capsys, data, *argv):
    code = cli.main(["--data", str(data), *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_track_two_reports_text_and_json(capsys, data):
    code, out, _ = run(capsys, data, "track", "青石镇-2022", "青石镇-2023")
    assert code == 0 and "问题 3 条" in out and "财政资金" in out
    code, out, _ = run(capsys, data, "track", "青石镇-2022", "青石镇-2023", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["earlier"] == "青石镇-2022" and doc["counts"]["problems"] == 3
    assert {f["status"] for f in doc["problems"]} <= {"repeated", "answered", "open", "review"}
    assert all(f["item"]["text"] for f in doc["problems"] + doc["plans"])


def test_track_a_town_and_a_county(capsys, data):
    code, out, _ = run(capsys, data, "track", "--town", "青石镇", "--json")
    doc = json.loads(out)
    assert code == 0 and doc[0]["reports"] == ["青石镇-2022", "青石镇-2023", "青石镇-2024"]
    assert [(p["earlier"], p["later"]) for p in doc[0]["pairs"]] == [
        ("青石镇-2022", "青石镇-2023"), ("青石镇-2023", "青石镇-2024")]
    code, out, _ = run(capsys, data, "track", "--county", "测试县")
    assert code == 0 and "青石镇（测试县）" in out and "2023: 重复" in out
    code, _, err = run(capsys, data, "track", "--town", "无此镇")
    assert code == 1 and "无此镇" in err


@pytest.mark.parametrize("argv", [["track"], ["track", "青石镇-2022"],
                                  ["track", "青石镇-2022", "青石镇-2023", "--town", "青石镇"]])
def test_track_usage_errors_are_one_line(capsys, data, argv):
    code, out, err = run(capsys, data, *argv)
    assert code == 2 and not out and len(err.strip().splitlines()) == 1


def test_track_an_unknown_id_is_one_line(capsys, data):
    code, _, err = run(capsys, data, "track", "青石镇-2022", "无此报告")
    assert code == 1 and err.startswith("错误") and "无此报告" in err


def test_compare(capsys, data):
    code, out, _ = run(capsys, data, "compare", "青石镇-2022", "青石镇-2023", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["a"]["id"] == "青石镇-2022" and doc["mode"] == "parts"
    assert {p["part_a"] for p in doc["parts"]} >= {"work", "problems", "plans"}
    code, out, _ = run(capsys, data, "compare", "青石镇-2022", "青石镇-2023", "--mode", "plans2work")
    assert code == 0 and "【下一步计划 → 工作成效】" in out


def test_trend(capsys, data):
    code, out, _ = run(capsys, data, "trend", "法律明白人", "法治带头人", "--county", "测试县", "--json")
    doc = json.loads(out)
    counts = {p["phrase"]: {y: v["reports"] for y, v in p["by_year"].items() if v["reports"]}
              for p in doc["phrases"]}
    assert code == 0 and counts["法律明白人"] == {"2022": 1, "2023": 1}
    assert counts["法治带头人"] == {"2023": 1, "2024": 1} and doc["scope"]["county"] == "测试县"
    assert {y: n for y, n in doc["totals"].items() if n} == {"2022": 1, "2023": 1, "2024": 1}
    code, out, _ = run(capsys, data, "trend", "法律明白人", "--year", "2023")
    assert code == 0 and "* 2023" in out
    assert run(capsys, data, "trend", "法律明白人", "--year", "1800")[0] == 2
    assert run(capsys, data, "trend", "法律明白人", "--section", "无此部分")[0] == 2
    assert run(capsys, data, "trend", "法律明白人", "--genre", "无此体裁")[0] == 2
    code, out, _ = run(capsys, data, "trend", "法律明白人", "--genre", "all", "--json")
    assert code == 0 and "genre" not in json.loads(out)["scope"]


def test_reuse(capsys, data):
    code, out, _ = run(capsys, data, "reuse", "青石镇-2023", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["report_id"] == "青石镇-2023" and 0 < doc["share"] < 1
    assert doc["sources"][0]["report_id"] == "青石镇-2022" and doc["sources"][0]["same_town"]
    code, out, _ = run(capsys, data, "reuse", "青石镇-2022")
    assert code == 0 and "相同 0 字" in out


def test_the_api_serves_the_same_json(capsys, data):
    client = make_app(data).test_client()
    for argv, url in [(["reuse", "青石镇-2023", "--json"], "/api/reuse/青石镇-2023"),
                      (["track", "青石镇-2022", "青石镇-2023", "--json"],
                       "/api/track?a=青石镇-2022&b=青石镇-2023"),
                      (["track", "--town", "青石镇", "--json"], "/api/track?town=青石镇"),
                      (["compare", "青石镇-2022", "青石镇-2023", "--json"],
                       "/api/compare?a=青石镇-2022&b=青石镇-2023"),
                      (["trend", "法律明白人", "--county", "测试县", "--json"],
                       "/api/trend?q=法律明白人&county=测试县")]:
        _, out, _ = run(capsys, data, *argv)
        response = client.get(url)
        assert response.status_code == 200 and response.get_json() == json.loads(out), url
    assert client.get("/api/track?a=青石镇-2022").status_code == 400
    assert client.get("/api/compare?a=青石镇-2022&b=青石镇-2023&mode=x").status_code == 400
    assert client.get("/api/reuse/无此报告").get_json()["error"]
    assert client.get("/api/trend").status_code == 400
