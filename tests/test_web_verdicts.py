"""Honest tracker verdicts: a reviewer sets a verdict by hand (login, CSRF), it is kept with an
audit trail in data/verdicts.jsonl and counted in the county table; cells whose earlier report
has no problems section say so."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlencode

import pytest

from fixtures.tracker_reports import write_reports
from helpers import build_archive, make_app
from test_web_upload import login, token


def no_problems(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for year in (2022, 2023):
        path = folder / f"白沙镇{year}.txt"
        path.write_text(f"测试县白沙镇{year}年法治政府建设工作情况报告\n\n{year}年，白沙镇深入推进法治政府建设。\n\n"
                        "一、工作成效\n全镇培育法律明白人20名。\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def client(tmp_path):
    build_archive(tmp_path / "data", [*write_reports(tmp_path / "files"), *no_problems(tmp_path / "more")])
    return make_app(tmp_path / "data").test_client()


def verdict(client, **form):
    base = {"csrf_token": token(client), "earlier": "青石镇-2022", "later": "青石镇-2023", "kind": "problem",
            "town": "青石镇", "county": "测试县"}
    return client.post("/tracker/verdict", data={**base, **form})


def third_problem(client) -> tuple[str, str]:
    """(paragraph id, n) of 2022's third problem (财政资金…), which nothing answers."""
    html = client.get("/tracker?" + urlencode({"town": "青石镇"})).get_data(as_text=True)
    first = html[html.index('id="pair-青石镇-2023"'):html.index('id="pair-青石镇-2024"')]
    forms = re.findall(r'name="paragraph_id" value="([^"]+)">\s*<input type="hidden" name="n" value="(\d+)"', first)
    return forms[2]


def test_a_reviewer_sets_a_verdict_and_it_is_counted(client, tmp_path):
    assert login(client).status_code == 302
    pid, n = third_problem(client)
    response = verdict(client, paragraph_id=pid, n=n, verdict="repeated", editor="张三", note="<b>见第二段</b>")
    assert response.status_code == 303 and unquote(response.location).endswith("#pair-青石镇-2023")
    html = client.get("/tracker?" + urlencode({"town": "青石镇"})).get_data(as_text=True)
    first = html[html.index('id="pair-青石镇-2023"'):html.index('id="pair-青石镇-2024"')]
    assert re.findall(r'<tr data-status="(\w+)"', first) == ["repeated", "answered", "repeated"]
    assert first.count('data-testid="manual"') == 1
    trail = first[first.index('data-testid="verdict-history"'):]
    assert "张三" in trail and "&lt;b&gt;见第二段&lt;/b&gt;" in trail and "<b>见" not in trail
    table = client.get("/tracker?" + urlencode({"county": "测试县"})).get_data(as_text=True)
    row = table[table.index('<tr data-town="青石镇">'):]
    assert "重复 2/3" in row[:row.index("</tr>")]
    lines = (tmp_path / "data" / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[-1])
    assert entry["who"] == "张三" and entry["verdict"] == "repeated" and entry["earlier"] == "青石镇-2022"
    # a later verdict on the same item wins; the trail keeps both
    verdict(client, paragraph_id=pid, n=n, verdict="open")
    html = client.get("/tracker?" + urlencode({"town": "青石镇"})).get_data(as_text=True)
    first = html[html.index('id="pair-青石镇-2023"'):html.index('id="pair-青石镇-2024"')]
    assert re.findall(r'<tr data-status="(\w+)"', first)[2] == "open" and "审阅记录（2 条）" in first


def test_setting_a_verdict_needs_the_login_and_the_token(client):
    assert verdict(client, paragraph_id="二.1", n="3", verdict="repeated").status_code == 302   # to /login
    assert login(client).status_code == 302
    pid, n = third_problem(client)
    no_token = client.post("/tracker/verdict", data={"earlier": "青石镇-2022", "later": "青石镇-2023",
                                                     "kind": "problem", "paragraph_id": pid, "n": n,
                                                     "verdict": "repeated"})
    assert no_token.status_code == 400
    assert verdict(client, paragraph_id=pid, n=n, verdict="guess").status_code == 400
    assert verdict(client, paragraph_id="九.9", n="1", verdict="open").status_code == 400
    assert verdict(client, paragraph_id=pid, n=n, verdict="open", later="无此报告").status_code == 404
    assert "verdict-form" in client.get("/tracker?" + urlencode({"town": "青石镇"})).get_data(as_text=True)


def test_the_form_is_only_shown_to_a_logged_in_reviewer(client):
    html = client.get("/tracker?" + urlencode({"town": "青石镇"})).get_data(as_text=True)
    assert 'data-testid="verdict-form"' not in html and "后可人工判断" in html


def test_a_cell_without_a_problems_section_says_so(client):
    html = client.get("/tracker?" + urlencode({"county": "测试县"})).get_data(as_text=True)
    row = html[html.index('<tr data-town="白沙镇">'):]
    row = row[:row.index("</tr>")]
    assert 'data-testid="no-problems">无问题部分' in row and "0/0" not in row and "无计划部分" in row
