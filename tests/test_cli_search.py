"""`archive search` / `archive reindex` through the real CLI on the imported samples."""
import json
import re
import shutil

import pytest

from cli.main import main
from archive.folding import fold
from helpers import brute_force, sample_reports


@pytest.fixture(scope="module")
def data(sample_data_dir, tmp_path_factory):
    """A copy of the session's imported samples (`reindex` rewrites its index)."""
    data = tmp_path_factory.mktemp("cli-search") / "data"
    shutil.copytree(sample_data_dir, data)
    return data


def test_search_json_returns_every_paragraph_with_the_phrase(data, capsys):
    capsys.readouterr()
    assert main(["--data", str(data), "search", '"法律明白人"', "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    got = {(h["report_id"], h["paragraph_id"]) for h in result["hits"]}
    assert got == brute_force(sample_reports(), "法律明白人")
    assert result["total_reports"] == 3 and result["mode"] == "exact"
    for hit in result["hits"]:
        assert [fold(hit["text"][s:e]) for s, e in hit["highlights"]] == \
            ["法律明白人"] * fold(hit["text"]).count("法律明白人")
    assert result["trend"]["2024"] == {"reports": 2, "matching": 2, "share": 1.0}


def test_search_human_output_marks_matches_and_shows_facets(data, capsys):
    capsys.readouterr()
    assert main(["--data", str(data), "search", "谁执法谁普法", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\[谁执法\W?谁普法\]", out)
    assert "精确匹配" in out and "年份：" in out and "趋势" in out and "--limit 0" in out


def test_bad_query_is_one_line_and_exit_2(data, capsys):
    capsys.readouterr()
    assert main(["--data", str(data), "search", '"法律明白人']) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "引号不成对" in captured.err
    assert main(["--data", str(data), "search", "法治", "--year", "abc"]) == 2


def test_reindex_rebuilds_from_the_archive(data, capsys):
    capsys.readouterr()
    assert main(["--data", str(data), "reindex"]) == 0
    assert "5 份报告" in capsys.readouterr().out
    assert main(["--data", str(data), "search", "town:赵集镇", "--json", "--limit", "0"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and {h["town"] for h in hits} == {"赵集镇"}


def test_search_counts_text_paragraphs_not_headings_like_the_web_app(data, capsys):
    """A heading naming the phrase is not a hit (issue 10: headings are not paragraph hits)."""
    capsys.readouterr()
    assert main(["--data", str(data), "search", '"法治政府建设"', "--json", "--limit", "500"]) == 0
    result = json.loads(capsys.readouterr().out)
    reports = sample_reports()
    headings = {(r.id, p.id) for r in reports for p in r.paragraphs if p.kind == "heading"}
    expected = brute_force(reports, "法治政府建设")
    assert expected & headings, "the samples name the phrase in a heading"
    assert {(h["report_id"], h["paragraph_id"]) for h in result["hits"]} == expected - headings
