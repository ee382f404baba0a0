"""`archive search` / `archive reindex` through the real CLI on the imported samples."""
import json
from collections import Counter
import random
import re
import shutil

import pytest

from cli.main import main
from archive.folding import fold
from helpers import brute_force, sample_reports, stored_lines
from index.documents import TITLE_ID


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


def test_search_returns_headings_and_titles_once_each_and_marks_them(data, capsys):
    """Every stored line is searched (issue 14): a heading or a title naming the phrase is one
    hit of its kind, and the human output says 小标题 / 标题."""
    capsys.readouterr()
    assert main(["--data", str(data), "search", '"法治政府建设"', "--json", "--limit", "500"]) == 0
    result = json.loads(capsys.readouterr().out)
    reports = sample_reports()
    got = [(h["report_id"], h["paragraph_id"]) for h in result["hits"]]
    assert len(got) == len(set(got)) == result["total_paragraphs"]
    assert set(got) == brute_force(reports, "法治政府建设")
    assert {h["kind"] for h in result["hits"]} == {"text", "heading", "title"}
    assert main(["--data", str(data), "search", '"法治政府建设"', "--limit", "500"]) == 0
    out = capsys.readouterr().out
    assert out.count("[标题]") == sum(h["kind"] == "title" for h in result["hits"]) > 0
    assert out.count("[小标题]") == sum(h["kind"] == "heading" for h in result["hits"]) > 0


def test_any_piece_of_any_stored_line_is_found_by_the_cli(data, capsys):
    """The findability promise through the command staff use: a piece of a title, a heading or
    a body line, as a quoted phrase, returns that line."""
    rng = random.Random(14)
    reports = sample_reports()
    lines = [(r.id, pid, fold(text)) for r in reports for pid, text in stored_lines(r) if len(fold(text)) >= 4]
    headings = {(r.id, p.id) for r in reports for p in r.paragraphs if p.kind == "heading"}
    picked = rng.sample(lines, 25) + [line for line in lines if (line[0], line[1]) in headings][:10] + \
        [line for line in lines if line[1] == TITLE_ID]
    for rid, pid, folded in picked:
        start = rng.randrange(len(folded) - 3)
        piece = folded[start:start + rng.randint(4, 10)]
        capsys.readouterr()
        assert main(["--data", str(data), "search", f'"{piece}"', "--json", "--limit", "0"]) == 0
        hits = json.loads(capsys.readouterr().out)["hits"]
        assert {(h["report_id"], h["paragraph_id"]) for h in hits} == brute_force(reports, piece), piece
        assert (rid, pid) in {(h["report_id"], h["paragraph_id"]) for h in hits}, piece


def test_shares_divide_by_the_reports_in_the_same_scope(data, capsys):
    """`--county X`: each year's share is out of that county's reports, not the archive's."""
    reports = sample_reports()
    county = next(r.place.county for r in reports if r.place.county)
    capsys.readouterr()
    assert main(["--data", str(data), "search", "", "--county", county, "--json", "--limit", "0"]) == 0
    trend = json.loads(capsys.readouterr().out)["trend"]
    in_county = [r for r in reports if r.place.county == county]
    assert trend == {str(y): {"reports": n, "matching": n, "share": 1.0}
                     for y, n in sorted(Counter(r.year for r in in_county if r.year).items())}
    assert main(["--data", str(data), "search", '"法治"', "--year", "2024", "--json", "--limit", "0"]) == 0
    trend = json.loads(capsys.readouterr().out)["trend"]
    assert list(trend) == ["2024"] and trend["2024"]["reports"] == sum(r.year == 2024 for r in reports)


def test_every_id_taking_command_follows_a_rename(sample_data_dir, tmp_path, capsys):
    """`show`, `set`, `search --report` and `reimport` take a renamed report's old id, as the
    web's links do (issue 14)."""
    data = tmp_path / "data"
    shutil.copytree(sample_data_dir, data)
    assert main(["--data", str(data), "set", "赵集镇-2024", "town=赵集街道", "--new-place"]) == 0
    capsys.readouterr()
    assert main(["--data", str(data), "show", "赵集镇-2024", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["id"] == "赵集街道-2024" and "赵集街道-2024" in out.err
    assert main(["--data", str(data), "show", "赵集镇-2024", "--md"]) == 0
    assert "赵集街道" in capsys.readouterr().out
    assert main(["--data", str(data), "set", "赵集镇-2024", "issuer=赵集街道办事处"]) == 0
    capsys.readouterr()
    assert main(["--data", str(data), "search", "法治", "--report", "赵集镇-2024", "--json", "--limit", "0"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and {h["report_id"] for h in hits} == {"赵集街道-2024"}
    assert main(["--data", str(data), "reimport", "赵集镇-2024", "--dry-run", "--json"]) == 0
    assert [r["report_id"] for r in json.loads(capsys.readouterr().out)["reports"]] == ["赵集街道-2024"]
    assert main(["--data", str(data), "search", "法治", "--report", "没有这份-2024"]) == 1
