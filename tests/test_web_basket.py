"""The citation basket: POST forms without JS (CSRF-checked), JSON for JS, order, exports."""
from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest

from helpers import HOSTILE, SHARED
from helpers import basket_add as add, basket_contents as contents
from helpers import basket_post as post, basket_token as token


@pytest.fixture
def client(handmade_app):
    """A fresh browser: its own cookie jar, hence its own empty basket."""
    return handmade_app.test_client()


def test_empty_basket_page(client):
    html = client.get("/basket").get_data(as_text=True)
    assert 'data-testid="basket-empty"' in html
    assert client.get("/basket.json").get_json() == {"count": 0, "items": []}


def test_add_without_js_redirects_back_and_shows_text_and_citation(client):
    back = f"/report/{quote('赵集镇-2024')}#p-{quote('一.（一）.1')}"
    response = add(client, "赵集镇-2024", "一.（一）.1", next=back)
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    html = client.get("/basket").get_data(as_text=True)
    assert SHARED in html
    assert "来源：赵集镇人民政府. 赵集镇2024年法治政府建设工作情况报告[R/OL]. 2025: 一、（一）第1段(2025-" in html
    assert contents(client) == [["赵集镇-2024", "一.（一）.1", "original"]]


def test_add_requires_csrf_token(client):
    response = client.post("/basket/add", data={"report_id": "赵集镇-2024", "paragraph_id": "导语.1"})
    assert response.status_code == 400
    assert contents(client) == []


def test_add_with_js_gets_json_and_no_duplicates(client):
    headers = {"Accept": "application/json", "X-CSRF-Token": token(client)}
    form = {"report_id": "赵集镇-2024", "paragraph_id": "导语.1"}
    first = client.post("/basket/add", data=form, headers=headers)
    assert first.status_code == 200 and first.get_json() == {"ok": True, "message": "已加入引用篮。", "count": 1}
    again = client.post("/basket/add", data=form, headers=headers).get_json()
    assert again["count"] == 1 and again["ok"]
    missing = client.post("/basket/add", data={"report_id": "赵集镇-2024", "paragraph_id": "九.9"},
                          headers=headers)
    assert missing.status_code == 404 and missing.get_json()["ok"] is False


def test_external_next_is_not_followed(client):
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = add(client, "赵集镇-2024", "二.1", next=evil)
        assert response.headers["Location"].endswith("/basket"), evil


def test_reorder_remove_clear(client):
    for pid in ("导语.1", "二.1", "三.（一）.1"):
        add(client, "赵集镇-2023", pid)
    post(client, "/basket/move", index="2", direction="up")
    assert [p for _, p, _ in contents(client)] == ["导语.1", "三.（一）.1", "二.1"]
    post(client, "/basket/move", index="0", direction="up")          # already first: unchanged
    post(client, "/basket/move", index="0", direction="down")
    assert [p for _, p, _ in contents(client)] == ["三.（一）.1", "导语.1", "二.1"]
    post(client, "/basket/remove", index="1")
    assert [p for _, p, _ in contents(client)] == ["三.（一）.1", "二.1"]
    assert post(client, "/basket/remove", index="7").status_code == 400
    assert post(client, "/basket/move", index="x").status_code == 400
    post(client, "/basket/clear")
    assert contents(client) == []


def test_basket_is_capped(client, monkeypatch):
    monkeypatch.setattr("webapp.basket.MAX_ITEMS", 2)
    add(client, "赵集镇-2023", "导语.1")
    add(client, "赵集镇-2023", "二.1")
    response = client.post("/basket/add", data={"report_id": "赵集镇-2023", "paragraph_id": "落款.1"},
                           headers={"Accept": "application/json", "X-CSRF-Token": token(client)})
    assert response.status_code == 400 and "最多" in response.get_json()["message"]
    assert len(contents(client)) == 2


def test_tampered_or_stale_entries_do_not_break_the_page(client):
    with client.session_transaction() as session:
        session["basket"] = [["赵集镇-2024", "九.9"], "garbage", ["不存在-1", "导语.1"], [1, 2, 3],
                             ["赵集镇-2024", "二.1"]]
    response = client.get("/basket")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('data-testid="basket-missing"') == 2
    assert "执法人员法律素养有待提高" in html
    md = client.get("/basket/export.md").get_data(as_text=True)
    assert md.count("来源：") == 1                                  # only the paragraph that exists


def test_exports_need_a_non_empty_basket(client):
    assert client.get("/basket/export.md").status_code == 400
    assert client.get("/basket/export.docx").status_code == 400


def test_markdown_export_in_basket_order_with_sources_and_no_markup(client):
    add(client, "马喇镇-2023", "一.1")
    add(client, "赵集镇-2024", "一.（一）.1")
    response = client.get("/basket/export.md")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    md = response.get_data(as_text=True)
    assert md.index("認真落實") < md.index(SHARED[:10])
    assert "<script>" not in md and "\\<script\\>" in md and "\\[点我\\](javascript" in md
    # the citation reads as written: no backslash before its brackets or in its permalink
    assert re.search(r"来源：马喇镇人民政府\. 马喇镇2023年法治政府建设情况报告\[标题为系统生成\]\[R/OL\]\. 2023: "
                     r"一、第1段\[\d{4}-\d\d-\d\d\]\. http://localhost/report/马喇镇-2023#p-一\.1（繁体原文）", md)
    assert "\\[R" not in md and "\\#p-" not in md


def test_csv_export_one_row_per_paragraph_with_citation_and_link(client):
    import csv
    add(client, "赵集镇-2024", "一.（一）.1")
    add(client, "马喇镇-2023", "一.1")
    response = client.get("/basket/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["序号", "段落", "引用", "链接"]
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    assert rows[1][1].startswith(SHARED) and rows[1][2].startswith("赵集镇人民政府. ") and "[R/OL]" in rows[1][2]
    assert rows[1][3] == "http://localhost/report/赵集镇-2024#p-一.（一）.1"
    assert rows[2][1].startswith("認真落實") and rows[2][-1] == "繁体原文"


def test_the_export_script_applies_to_every_item(client):
    add(client, "马喇镇-2023", "一.1")                          # added as written (繁体)
    as_added = client.get("/basket/export.csv").get_data(as_text=True)
    simplified = client.get("/basket/export.csv?script=simplified").get_data(as_text=True)
    assert "認真落實" in as_added and "认真落实" in simplified and "認真落實" not in simplified
    assert "原文为繁体，已转换为简体" in simplified
    add(client, "马喇镇-2023", "一.1", script="simplified")    # now kept in 简体
    assert "认真落实" in client.get("/basket/export.md").get_data(as_text=True)
    assert "認真落實" in client.get("/basket/export.md?script=original").get_data(as_text=True)
    assert 'data-testid="export-script"' in client.get("/basket").get_data(as_text=True)


def test_an_entry_with_a_renamed_reports_old_id_follows_the_rename(tmp_path):
    from archive import audit
    from helpers import build_handmade_archive, make_app
    from webapp.services import get_archive
    build_handmade_archive(tmp_path / "data")
    app = make_app(tmp_path / "data")
    client = app.test_client()
    add(client, "赵集镇-2024", "一.（一）.1")
    with app.app_context():
        done = audit.correct(get_archive(), "赵集镇-2024", {"year": "2022"}, "测试")
    assert done.report.id == "赵集镇-2022"
    html = client.get("/basket").get_data(as_text=True)
    assert 'data-testid="basket-missing"' not in html and 'data-report-id="赵集镇-2022"' in html
    assert "http://localhost/report/赵集镇-2022#p-一.（一）.1" in client.get("/basket/export.md").get_data(as_text=True)


def test_docx_export_each_paragraph_followed_by_its_source(client):
    from docx import Document

    add(client, "赵集镇-2024", "一.（一）.1")
    add(client, "马喇镇-2023", "一.1")
    response = client.get("/basket/export.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    texts = [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    assert texts[0] == "引用汇编"
    assert texts[1] == SHARED + "全年召开专题会议5次，研究法治建设。"
    assert texts[2].startswith("——[1] 赵集镇人民政府. ") and texts[2].endswith("#p-一.（一）.1")
    assert texts[3].startswith("認真落實") and texts[3].endswith(HOSTILE)
    assert texts[4].startswith("——[2] 马喇镇人民政府. ") and texts[4].endswith("（繁体原文）")
