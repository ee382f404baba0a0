"""Correcting metadata in the browser: /report/<id>/edit, /review, /places/suggest, the audit
trail, renames and the permanent redirects of old ids, place names never spelt twice. Each test
gets its own archive (the five samples, imported and indexed through the library)."""
from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote

import pytest

from archive import integrity
from archive.mdfile import to_markdown
from archive import integrity
from archive.store import Archive
from workflows import open_archive
from conftest import copy_of
from helpers import SAMPLES, make_app
from test_web_upload import login as upload_login
from test_web_upload import token
from analysis.pinyin import pinyin_key

# A report that names no town (title derived from the year): stored as 未知镇-2024-<sha>.
NO_TOWN = ("2024年，我镇在县委、县政府的坚强领导下，深入推进法治政府建设。\n\n"
           "一、主要工作及成效\n（一）强化组织领导。成立法治政府建设领导小组，定期研究部署。\n"
           "（二）推进普法宣传。开展法律明白人培训12场。\n\n"
           "二、存在的问题\n执法队伍专业化水平有待提升。\n\n"
           "三、下一步工作打算\n持续加强法治队伍建设。\n").encode("utf-8")


@pytest.fixture
def data_dir(sample_data_dir, tmp_path):
    return copy_of(sample_data_dir, tmp_path / "data")


@pytest.fixture
def app(data_dir):
    return make_app(data_dir)


@pytest.fixture
def client(app):
    return app.test_client()


def login(client):
    assert upload_login(client).status_code == 302


def url(report_id: str, rest: str = "") -> str:
    return f"/report/{quote(report_id, safe='')}{rest}"


def edit(client, report_id: str, changes: dict, **extra):
    """POST the edit form as a browser would: every field with the value it was shown with."""
    report = Archive(client.application.config["DATA_DIR"]).get(report_id)
    form = {"csrf_token": token(client)}
    for name in ("title", "town", "county", "city", "province", "year", "issued", "addressee",
                 "issuer", "doc_number"):
        shown = report.meta(name)
        form[f"orig-{name}"] = form[name] = "" if shown is None else str(shown)
    form.update(changes)
    form.update(extra)
    return client.post(url(report_id, "/edit"), data=form)


def location(r) -> str:
    return unquote(r.headers["Location"])


# ---- access ---------------------------------------------------------------------------------

def test_edit_and_review_need_a_login(client):
    for path in (url("赵集镇-2024", "/edit"), "/review"):
        r = client.get(path)
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = client.post(url("赵集镇-2024", "/edit"), data={"csrf_token": token(client), "town": "别的镇",
                                                      "orig-town": "赵集镇"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert Archive(client.application.config["DATA_DIR"]).get("赵集镇-2024").place.town == "赵集镇"


def test_edit_without_csrf_token_is_refused(client):
    login(client)
    r = client.post(url("赵集镇-2024", "/edit"), data={"town": "别的镇", "orig-town": "赵集镇"})
    assert r.status_code == 400 and "表单已过期" in r.get_data(as_text=True)


def test_read_only_site_cannot_edit(data_dir):
    client = make_app(data_dir, password=None).test_client()
    assert client.get(url("赵集镇-2024", "/edit")).status_code == 403
    assert client.get("/review").status_code == 403
    assert "修改报告信息" not in client.get(url("赵集镇-2024")).get_data(as_text=True)


def test_unknown_or_malformed_ids_are_404(client):
    login(client)
    for rid in ("没有这份-2024", "..", "a%2F..%2Fb"):
        assert client.get(f"/report/{rid}/edit").status_code == 404


# ---- editing, audit, rename, redirects -------------------------------------------------------

def test_edit_renames_records_and_redirects_old_addresses(client, data_dir):
    login(client)
    report = Archive(data_dir).get("赵集镇-2024")
    pid = next(p.id for p in report.paragraphs if p.kind == "text")
    r = edit(client, "赵集镇-2024", {"town": "赵集街道", "confirm-town": "赵集街道", "year": "2023",
                                  "doc_number": "测试〔2024〕1号"}, editor="张三")
    assert r.status_code == 302 and location(r).endswith("/report/赵集街道-2023")

    archive = Archive(data_dir)
    moved = archive.get("赵集街道-2023")
    assert (moved.place.town, moved.year, moved.doc_number) == ("赵集街道", 2023, "测试〔2024〕1号")
    assert "赵集镇-2024" not in archive.ids()
    assert moved.provenance["town"].source == "override"
    # The derived title follows the corrected town and year.
    assert moved.title_derived and moved.title == "赵集街道2023年法治政府建设工作情况报告"
    assert json.loads((data_dir / "redirects.json").read_text("utf-8")) == {"赵集镇-2024": "赵集街道-2023"}
    assert not list((data_dir / "reports").glob("赵集镇-2024.*"))

    # Every address of the old id answers 301 with the same page under the new one.
    for old, new in ((url("赵集镇-2024"), "/report/赵集街道-2023"),
                     (url("赵集镇-2024") + "?q=普法", "/report/赵集街道-2023?q=普法"),
                     (url("赵集镇-2024", f"/cite/{quote(pid)}"), f"/report/赵集街道-2023/cite/{pid}"),
                     ("/api/report/" + quote("赵集镇-2024"), "/api/report/赵集街道-2023"),
                     ("/compare?a=" + quote("赵集镇-2024") + "&b=" + quote("三湖镇-2024"),
                      "/compare?a=赵集街道-2023&b=三湖镇-2024")):
        r = client.get(old)
        assert r.status_code == 301, old
        assert location(r).endswith(new)
    assert client.get("/api/report/" + quote("赵集街道-2023")).get_json()["place"]["town"] == "赵集街道"

    # The audit trail: one line for the fields, one for the new id; shown on the report page.
    lines = [json.loads(line) for line in
             (data_dir / "reports" / "赵集街道-2023.audit.jsonl").read_text("utf-8").splitlines()]
    assert lines[0]["changes"] == {"town": ["赵集镇", "赵集街道"], "year": [2024, 2023],
                                   "doc_number": [None, "测试〔2024〕1号"]}
    assert lines[0]["who"] == "管理员 张三" and lines[0]["address"] == "127.0.0.1"
    assert lines[1]["renamed"] == ["赵集镇-2024", "赵集街道-2023"]
    page = client.get(url("赵集街道-2023")).get_data(as_text=True)
    assert page.count('data-testid="audit-entry"') == 2
    assert "乡镇：赵集镇 → 赵集街道" in page and "编号 赵集镇-2024 → 赵集街道-2023" in page
    assert "127.0.0.1" in page                               # administrators see the address
    anonymous = client.application.test_client()
    public = anonymous.get(url("赵集街道-2023")).get_data(as_text=True)
    assert "乡镇：赵集镇 → 赵集街道" in public and "127.0.0.1" not in public

    # Search finds it under the new id only.
    hits = client.get("/api/search?q=法治&limit=200").get_json()["hits"]
    ids = {h["report_id"] for h in hits}
    assert "赵集街道-2023" in ids and "赵集镇-2024" not in ids


def test_corrections_survive_reimport(client, data_dir):
    login(client)
    edit(client, "三湖镇-2024", {"issuer": "三湖镇人民政府（更正）"})
    sample = next(p for p in SAMPLES.iterdir() if "三湖镇" in p.read_text("utf-8", errors="ignore")[:4000])
    result = open_archive(data_dir).import_bytes(sample.read_bytes() + "\n\n".encode(), sample.name)
    assert (result.status, result.report_id) == ("updated", "三湖镇-2024")
    assert Archive(data_dir).get("三湖镇-2024").issuer == "三湖镇人民政府（更正）"


def test_only_changed_fields_are_written(client, data_dir):
    """A form loaded before another editor's save does not undo that save."""
    login(client)
    stale = Archive(data_dir).get("马喇镇-2023")
    edit(client, "马喇镇-2023", {"issuer": "第一位编辑"})
    form = {"csrf_token": token(client), "orig-issuer": stale.issuer or "", "issuer": stale.issuer or "",
            "orig-doc_number": "", "doc_number": "马府〔2024〕3号"}
    assert client.post(url("马喇镇-2023", "/edit"), data=form).status_code == 302
    report = Archive(data_dir).get("马喇镇-2023")
    assert (report.issuer, report.doc_number) == ("第一位编辑", "马府〔2024〕3号")


def test_invalid_values_are_explained_and_nothing_is_written(client, data_dir):
    login(client)
    r = edit(client, "赵集镇-2024", {"year": "1800"})
    assert r.status_code == 400
    assert re.search(r'data-testid="edit-error">[^<]*year 应为 \d{4}–\d{4} 之间的年份', r.get_data(as_text=True))
    r = edit(client, "赵集镇-2024", {"issued": "去年"})
    assert r.status_code == 400 and "issued 应为日期" in r.get_data(as_text=True)
    assert not (data_dir / "reports" / "赵集镇-2024.audit.jsonl").exists()
    assert not (data_dir / "reports" / "赵集镇-2024.override.yaml").exists()


def test_nothing_changed_writes_nothing(client, data_dir):
    login(client)
    r = edit(client, "赵集镇-2024", {})
    assert r.status_code == 302
    assert "没有修改任何信息" in client.get(location(r)).get_data(as_text=True)
    assert not (data_dir / "reports" / "赵集镇-2024.audit.jsonl").exists()


def test_redirects_chain_to_the_current_id_and_an_old_id_can_be_taken_back(client, data_dir):
    login(client)
    edit(client, "覃斗镇-2019", {"year": "2020"})
    edit(client, "覃斗镇-2020", {"year": "2021"})
    r = client.get(url("覃斗镇-2019"))
    assert r.status_code == 301 and location(r).endswith("/report/覃斗镇-2021")   # one hop
    edit(client, "覃斗镇-2021", {"year": "2019"})                               # back again
    assert client.get(url("覃斗镇-2019")).status_code == 200
    for old in ("覃斗镇-2020", "覃斗镇-2021"):
        assert location(client.get(url(old))).endswith("/report/覃斗镇-2019")
    assert json.loads((data_dir / "redirects.json").read_text("utf-8")) == {
        "覃斗镇-2020": "覃斗镇-2019", "覃斗镇-2021": "覃斗镇-2019"}


def test_an_old_id_is_never_given_to_another_report(client, data_dir):
    """A citation of the old id must keep meaning the renamed report."""
    login(client)
    edit(client, "赵集镇-2024", {"year": "2023"})
    sample = sorted(SAMPLES.iterdir())[0]                       # 赵集镇 2024, under a new title
    text = "赵集镇2024年度依法治镇工作总结\n\n" + sample.read_text("utf-8")
    result = open_archive(data_dir).import_bytes(text.encode("utf-8"), "again.txt")
    assert result.status == "imported" and result.report_id == "赵集镇-2024-2"
    assert location(client.get(url("赵集镇-2024"))).endswith("/report/赵集镇-2023")


def test_an_edit_posted_to_an_old_id_lands_on_the_report(client, data_dir):
    login(client)
    edit(client, "赵集镇-2024", {"year": "2023"})
    form = {"csrf_token": token(client), "orig-issuer": "", "issuer": "赵集镇人民政府"}
    r = client.post(url("赵集镇-2024", "/edit"), data=form)
    assert r.status_code == 302 and location(r).endswith("/report/赵集镇-2023")
    assert Archive(data_dir).get("赵集镇-2023").issuer == "赵集镇人民政府"


# ---- place names ------------------------------------------------------------------------------

def counties(client) -> set[str]:
    return {s.place.county for s in Archive(client.application.config["DATA_DIR"]).summaries()} - {None}


def test_a_longer_spelling_of_a_known_county_becomes_that_county(client):
    login(client)
    before = counties(client)
    assert "黔江区" in before
    r = edit(client, "赵集镇-2024", {"county": "重庆市黔江区"})
    assert r.status_code == 302
    assert counties(client) == before                        # no second 黔江区
    assert Archive(client.application.config["DATA_DIR"]).get("赵集镇-2024").place.county == "黔江区"
    assert "已按档案中的写法记为“黔江区”" in client.get(location(r)).get_data(as_text=True)
    edit(client, "赵集镇-2024", {"county": "衡 阳 县"})          # spaces, full width: the same name
    assert counties(client) == before
    assert Archive(client.application.config["DATA_DIR"]).get("赵集镇-2024").place.county == "衡阳县"


def test_a_new_place_name_needs_confirming_and_near_names_are_offered(client, data_dir):
    login(client)
    r = edit(client, "赵集镇-2024", {"county": "黔江"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'data-testid="problem-county"' in html
    assert re.search(r'name="choose-county" value="黔江区"', html)          # the near known name
    assert Archive(data_dir).get("赵集镇-2024").place.county is None
    # choosing the offered name stores it
    r = edit(client, "赵集镇-2024", {"county": "黔江", "choose-county": "黔江区"})
    assert r.status_code == 302 and Archive(data_dir).get("赵集镇-2024").place.county == "黔江区"
    # a genuinely new name, confirmed
    r = edit(client, "马喇镇-2023", {"county": "新设区", "confirm-county": "新设区"})
    assert r.status_code == 302 and Archive(data_dir).get("马喇镇-2023").place.county == "新设区"


def test_suggestions_are_in_pinyin_order_and_match_pinyin(client):
    found = client.get("/places/suggest?level=town&q=").get_json()
    names = [s["name"] for s in found]
    assert names == ["马喇镇", "三湖镇", "圣灯山镇", "覃斗镇", "赵集镇"]   # mǎ sān shèng tán zhào
    assert [s["name"] for s in client.get("/places/suggest?level=town&q=zjz").get_json()] == ["赵集镇"]
    ji = client.get("/places/suggest?level=town&q=集").get_json()
    assert [s["name"] for s in ji if s["source"] == "archive"] == ["赵集镇"] and ji[0]["name"] == "赵集镇"
    lei = client.get("/places/suggest?level=county&q=雷州").get_json()
    assert lei[0]["name"] == "雷州市" and lei[0]["source"] == "archive"
    assert client.get("/places/suggest?level=village&q=x").status_code == 400


def test_town_and_county_lists_are_in_pinyin_order(client):
    html = client.get("/").get_data(as_text=True)
    for name in ("town", "county"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        options = [o for o in re.findall(r'<option value="([^"]+)"', select)]
        assert options and options == sorted(options, key=pinyin_key), options
    html = client.get("/towns").get_data(as_text=True)
    groups = [re.findall(r'data-level="town" data-name="([^"]+)"', ul)
              for ul in re.findall(r'<ul class="towns">(.*?)</ul>', html, re.S)]
    assert sum(map(len, groups)) == 5 and all(g == sorted(g, key=pinyin_key) for g in groups)
    html = client.get("/towns?q=" + quote("镇")).get_data(as_text=True)
    towns = re.findall(r'<li data-level="town" data-name="([^"]+)">', html)
    # pinyin, not code points: 马 (mǎ), 三 (sān), 圣 (shèng), 覃 (tán), 赵 (zhào)
    assert towns == ["马喇镇", "三湖镇", "圣灯山镇", "覃斗镇", "赵集镇"]


# ---- review -----------------------------------------------------------------------------------

def test_review_page_lists_doubtful_reports_and_fixes_them_in_place(client, data_dir):
    result = open_archive(data_dir).import_bytes(NO_TOWN, "no-town.txt")
    rid = result.report_id
    assert rid.startswith("未知镇-2024-")
    login(client)
    html = client.get("/review").get_data(as_text=True)
    assert f'data-report-id="{rid}"' in html and "缺少镇名" in html
    r = client.post(url(rid, "/edit"), data={
        "csrf_token": token(client), "next": "/review", "orig-town": "", "town": "赵集镇",
        "orig-county": "", "county": "", "orig-year": "2024", "year": "2024"})
    assert r.status_code == 302 and r.headers["Location"] == "/review"
    html = client.get("/review").get_data(as_text=True)
    assert f'data-report-id="{rid}"' not in html
    fixed = Archive(data_dir).get("赵集镇-2024-2")
    assert fixed.place.town == "赵集镇" and fixed.title == "赵集镇2024年法治政府建设工作情况报告"
    assert location(client.get(url(rid))).endswith("/report/赵集镇-2024-2")


# ---- home page and /towns --------------------------------------------------------------------

def latest(client) -> list[tuple[str, str]]:
    html = client.get("/").get_data(as_text=True)
    block = re.search(r'data-testid="latest-reports">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'data-report-id="([^"]+)"><a [^>]*>([^<]*)</a>', block)


def test_latest_reports_show_town_and_year_and_new_reports_first(client, data_dir):
    shown = latest(client)
    assert {rid for rid, _ in shown} == set(Archive(data_dir).ids())
    assert dict(shown)["赵集镇-2024"] == "赵集镇 · 2024年"
    result = open_archive(data_dir).import_bytes(NO_TOWN, "no-town.txt")
    assert latest(client)[0] == (result.report_id, "乡镇未注明 · 2024年")


def test_towns_search_box_without_javascript(client):
    html = client.get("/towns?q=zjz").get_data(as_text=True)
    matches = re.findall(r'<li data-level="(\w+)" data-name="([^"]+)">', html)
    assert matches == [("town", "赵集镇")]
    html = client.get("/towns?q=" + quote("雷州")).get_data(as_text=True)
    assert re.findall(r'<li data-level="(\w+)" data-name="([^"]+)">', html) == [("county", "雷州市")]
    assert 'data-testid="towns-no-match"' in client.get("/towns?q=" + quote("不存在")).get_data(as_text=True)
    html = client.get("/towns?q=" + quote("<script>")).get_data(as_text=True)
    assert "<script>" not in html.split('data-testid="towns-search"')[1]


# ---- upload -----------------------------------------------------------------------------------

def upload(client, files):
    return client.post("/upload", data={"csrf_token": token(client), "files": files},
                       content_type="multipart/form-data")


def test_upload_review_previews_text_and_an_all_failed_batch_cannot_be_confirmed(client):
    import io
    login(client)
    r = upload(client, [(io.BytesIO(NO_TOWN), "a.txt"), (io.BytesIO(b"\x00\x01binary"), "b.exe")])
    batch = r.headers["Location"]
    html = client.get(batch).get_data(as_text=True)
    preview = re.search(r'data-testid="text-preview"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "2024年，我镇在县委" in preview and 'data-testid="confirm-import"' in html

    r = upload(client, [(io.BytesIO(b"\x00\x01binary"), "b.exe")])
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="nothing-importable"' in html and 'data-testid="confirm-import"' not in html
    r = client.post(r.headers["Location"], data={"csrf_token": token(client)})
    assert r.status_code == 400 and "已可检索" not in r.get_data(as_text=True)
    assert 'data-testid="review-error"' in r.get_data(as_text=True)


def test_reuploading_a_stored_file_says_so_and_the_report_is_corrected_in_place(client, data_dir):
    """The same bytes again (its town still unread): no review page and no question, a link to
    the stored report, whose town is corrected there (or on /review)."""
    import io
    login(client)
    old = open_archive(data_dir).import_bytes(NO_TOWN, "no-town.txt").report_id
    r = upload(client, [(io.BytesIO(NO_TOWN), "again.txt")])
    html = unquote(r.get_data(as_text=True))
    assert r.status_code == 200 and 'data-status="unchanged"' in html and f"/report/{old}" in html
    assert edit(client, old, {"town": "三湖镇"}).status_code == 302
    assert location(client.get(url(old))).endswith("/report/三湖镇-2024-2")
    assert latest(client)[0] == ("三湖镇-2024-2", "三湖镇 · 2024年")


class FakeGazetteer:
    """The interface of `importers.gazetteer` (names_with_prefix, named, place_of) over a few
    divisions of our own: two namesake towns in two counties of one city."""
    UNITS = {"1": ("城关镇", "town", "10"), "2": ("城关镇", "town", "20"), "3": ("城北镇", "town", "10"),
             "10": ("甲县", "county", "100"), "20": ("乙县", "county", "100"), "100": ("某市", "city", "")}

    def names_with_prefix(self, prefix, limit=20, level=None):
        return sorted({n for n, lv, _ in self.UNITS.values()
                       if n.startswith(prefix) and level in (None, lv)})[:limit]

    def named(self, name, level=None):
        from collections import namedtuple
        unit = namedtuple("Unit", "code name level")
        return [unit(c, n, lv) for c, (n, lv, _) in self.UNITS.items()
                if n == name and level in (None, lv)]

    def place_of(self, code):
        out = {}
        while code in self.UNITS:
            name, level, code = self.UNITS[code]
            out[level] = name
        return out


def test_a_gazetteer_plugs_into_suggestions_and_name_checks(client, app, data_dir):
    from webapp.placenames import ArchiveSource, GazetteerSource
    app.extensions["place_sources"] = [ArchiveSource(), GazetteerSource(FakeGazetteer())]
    found = client.get("/places/suggest?level=town&q=" + quote("城")).get_json()
    assert [(s["name"], s["parents"].get("county"), s["source"]) for s in found] == [
        ("城北镇", "甲县", "gazetteer"), ("城关镇", "甲县", "gazetteer"), ("城关镇", "乙县", "gazetteer")]
    assert found[0]["parents"] == {"county": "甲县", "city": "某市"}
    # archive names come first; a gazetteer name needs no confirming, an unknown one does
    assert client.get("/places/suggest?level=town&q=" + quote("赵")).get_json()[0]["source"] == "archive"
    login(client)
    assert edit(client, "赵集镇-2024", {"town": "城北镇"}).status_code == 302
    assert edit(client, "三湖镇-2024", {"town": "城南镇"}).status_code == 400


def test_review_offers_the_gazetteer_namesakes_of_an_ambiguous_place(client, data_dir):
    """赵集镇 exists in three counties (the importer flags place_ambiguous with the candidates):
    one click on the review page picks one, and the report leaves the list."""
    report = Archive(data_dir).get("赵集镇-2024")
    assert "place_ambiguous" in report.flags and len(report.place_candidates) > 1
    choice = report.place_candidates[0]
    login(client)
    html = client.get("/review").get_data(as_text=True)
    item = re.search(r'data-report-id="赵集镇-2024"(.*?)</section>', html, re.S).group(1)
    assert item.count('data-testid="choose-candidate"') == len(report.place_candidates)
    # post the first candidate's form exactly as the page holds it
    first = re.search(r'<form method="post" action="([^"]+)" class="inline">(.*?)</form>', item, re.S)
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', first.group(2)))
    assert form["county"] == choice["county"] and form["orig-county"] == ""
    r = client.post(unquote(first.group(1)), data=form)
    assert r.status_code == 302 and r.headers["Location"] == "/review"
    fixed = Archive(data_dir).get("赵集镇-2024")
    assert (fixed.place.county, fixed.place.province) == (choice["county"], choice["province"])
    assert "place_ambiguous" not in fixed.flags
    assert 'data-report-id="赵集镇-2024"' not in client.get("/review").get_data(as_text=True)


def test_review_is_paged(client, data_dir, monkeypatch):
    from webapp import admin
    monkeypatch.setattr(admin, "REVIEW_PAGE", 1)
    archive = open_archive(data_dir)
    first = archive.import_bytes(NO_TOWN, "a.txt").report_id
    second = archive.import_bytes(NO_TOWN.replace("12场".encode(), "13场".encode()), "b.txt").report_id
    listed = [rid for rid, _ in integrity.review_ids(archive)]
    assert {first, second} <= set(listed)
    login(client)
    seen = []
    for page in range(1, len(listed) + 1):
        html = client.get(f"/review?page={page}").get_data(as_text=True)
        seen += re.findall(r'data-testid="review-item" data-report-id="([^"]+)"', html)
        assert f'data-testid="review-count">{len(listed)}<' in html
    assert seen == listed                                   # each once, in order
    assert client.get("/review?page=999").status_code == 200   # clamped to the last page


def test_markup_in_a_typed_name_is_refused_with_one_line(client, data_dir):
    evil = '<img src=x onerror=alert(1)>镇'
    login(client)
    before = Archive(data_dir).markdown("赵集镇-2024")
    r = edit(client, "赵集镇-2024", {"town": evil})  # refused, not offered to confirm as a new name
    assert r.status_code == 400 and "town 不能含有标记字符 “&lt;”" in r.get_data(as_text=True)
    assert "confirm-town" not in r.get_data(as_text=True)
    r = edit(client, "赵集镇-2024", {"issuer": '"><script>x()</script>'})
    assert r.status_code == 400 and "issuer 不能含有标记字符 “&gt;”" in r.get_data(as_text=True)
    assert Archive(data_dir).markdown("赵集镇-2024") == before and "<img" not in r.get_data(as_text=True)


def test_hostile_names_are_escaped_everywhere_they_show(client, data_dir):
    """A name typed before markup was refused, or put in a report file by hand, is still only
    ever shown as text."""
    evil = '<img src=x onerror=alert(1)>镇'
    archive = Archive(data_dir)
    report = archive.get("赵集镇-2024")
    report.place.town, report.issuer, report.id = evil, '"><script>x()</script>', "_img-2024"
    archive.report_path("_img-2024").write_text(to_markdown(report), encoding="utf-8")
    archive.report_path("赵集镇-2024").unlink()
    login(client)
    client.post("/report/_img-2024/edit", data={"csrf_token": token(client), "editor": "<b>张</b>"})
    new_id = "_img-2024"
    pages = [url(new_id), url(new_id, "/edit"), "/review", "/towns", "/towns?q=" + quote("镇"), "/"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert "<img src=x" not in html and "<script>x()" not in html and "<b>张</b>" not in html, path
    assert "&lt;img src=x onerror=alert(1)&gt;镇" in client.get(url(new_id)).get_data(as_text=True)
    found = client.get("/places/suggest?level=town&q=" + quote("<img")).get_json()
    assert found[0]["name"] == evil                                  # JSON data, shown via textContent


def test_reuploading_an_original_the_importer_now_reads_better_renames_it(client, data_dir):
    """An original stored when the importer could not find its town (simulated by a reader that
    drops it), uploaded again: the town read now is taken, audited, and the report moves."""
    import io

    from archive.store import Archive as Store
    from importers import read_report

    def blind(data, filename):
        report = read_report(data, filename)
        report.place.town, report.title, report.title_derived = None, None, False
        return report

    sample = next(p for p in sorted(SAMPLES.iterdir()) if "覃斗镇" in p.read_text("utf-8", "ignore"))
    old = Store(data_dir, read_report=blind).import_bytes(sample.read_bytes() + b"\n", "old.txt").report_id
    assert old.startswith("未知镇-2019-")
    login(client)
    batch = upload(client, [(io.BytesIO(sample.read_bytes() + b"\n"), "again.txt")]).headers["Location"]
    done = client.post(batch, data={"csrf_token": token(client), "import-0": "1"})
    html = unquote(done.get_data(as_text=True))
    assert 'data-status="updated"' in html and "覃斗镇-2019-2" in html
    moved = Archive(data_dir).get("覃斗镇-2019-2")
    assert moved.place.town == "覃斗镇" and moved.provenance["town"].source == "override"
    assert location(client.get(url(old))).endswith("/report/覃斗镇-2019-2")
    trail = audit_lines(data_dir, "覃斗镇-2019-2")
    assert trail[0]["via"] == "upload" and trail[0]["changes"]["town"] == [None, "覃斗镇"]


def audit_lines(data_dir, rid):
    return [json.loads(line) for line in
            (data_dir / "reports" / f"{rid}.audit.jsonl").read_text("utf-8").splitlines()]


# A report whose year is read from one mention in the body: low confidence (year_doubtful).
DOUBTFUL_YEAR = ("三湖镇法治政府建设工作情况报告\n\n一、主要工作及成效\n"
                 "（一）强化组织领导。成立领导小组，延续2022年启动的规范化建设。\n"
                 "（二）推进普法宣传。开展法律明白人培训。\n\n二、存在的问题\n执法队伍专业化水平有待提升。\n")


def review_items(html: str) -> list[str]:
    return re.findall(r'data-testid="review-item" data-report-id="([^"]+)"', html)


def test_review_filters_by_reason_and_confirms_a_doubtful_year_without_changing_it(client, data_dir):
    archive = open_archive(data_dir)
    doubtful = archive.import_bytes(DOUBTFUL_YEAR.encode(), "doubtful.txt").report_id
    no_town = archive.import_bytes(NO_TOWN, "no-town.txt").report_id
    login(client)
    html = client.get("/review").get_data(as_text=True)
    assert set(review_items(html)) >= {doubtful, no_town, "赵集镇-2024"}
    assert 'data-testid="reason-year_doubtful"' in html and "年份把握不大（1）" in html
    only = client.get("/review?reason=year_doubtful").get_data(as_text=True)
    assert review_items(only) == [doubtful]
    assert set(review_items(client.get("/review?reason=town_missing").get_data(as_text=True))) == {no_town}
    assert review_items(client.get("/review?reason=nonsense").get_data(as_text=True)) == review_items(html)
    # 确认无误: the year stays 2022, now with full confidence, and the trail says it was confirmed
    r = client.post("/review/settle", data={"csrf_token": token(client), "ids": doubtful,
                                            "action": "confirm", "next": "/review?reason=year_doubtful"})
    assert r.status_code == 302 and location(r) == "/review?reason=year_doubtful"
    report = Archive(data_dir).get(doubtful)
    assert report.year == 2022 and report.provenance["year"].confidence == 1.0
    from archive import audit
    entry = audit.entries(Archive(data_dir), doubtful)[-1]
    assert entry["confirmed"] == {"year": 2022} and "changes" not in entry
    assert "year_doubtful" not in integrity.review_kinds(Archive(data_dir)).get(doubtful, [])
    page = client.get(url(doubtful)).get_data(as_text=True)
    trail = page[page.index('data-testid="audit-trail"'):]
    assert "报告年份“2022”确认无误" in trail


def test_bulk_action_settles_every_selected_report_at_once(client, data_dir):
    archive = open_archive(data_dir)
    doubtful = archive.import_bytes(DOUBTFUL_YEAR.encode(), "doubtful.txt").report_id
    assert {"place_ambiguous"} <= set(integrity.review_kinds(archive)[doubtful])
    login(client)
    r = client.post("/review/settle", data={"csrf_token": token(client), "action": "place_ambiguous",
                                            "ids": [doubtful, "赵集镇-2024", "马喇镇-2023"]},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "已处理 2 份报告" in html and "1 份没有这项疑问" in html
    after = Archive(data_dir)
    assert all("place_checked" in after.get(rid).flags for rid in (doubtful, "赵集镇-2024"))
    assert "place_ambiguous" not in integrity.review_kinds(after).get(doubtful, [])
    assert "马喇镇-2023" in after.ids() and not after.get("马喇镇-2023").reviewed


def test_a_save_on_the_review_list_comes_back_to_the_same_page_and_item(client, data_dir, monkeypatch):
    """Every form of an item sends `next`: the same page and filter, anchored at the item above
    (which stays where it was whether or not the saved item leaves the list)."""
    from webapp import admin
    monkeypatch.setattr(admin, "REVIEW_PAGE", 2)
    archive = open_archive(data_dir)
    archive.import_bytes(NO_TOWN, "a.txt")
    archive.import_bytes(DOUBTFUL_YEAR.encode(), "doubtful.txt")
    listed = [rid for rid, _ in integrity.review_ids(archive)]
    assert len(listed) >= 3
    login(client)
    html = client.get("/review?page=2").get_data(as_text=True)
    items = re.findall(r'data-report-id="([^"]+)"(.*?)</section>', html, re.S)
    assert [rid for rid, _ in items] == listed[2:4]
    assert set(re.findall(r'name="next" value="([^"]+)"', items[0][1])) == {"/review?page=2"}
    if len(items) > 1:
        assert set(re.findall(r'name="next" value="([^"]+)"', items[1][1])) == {f"/review?page=2#item-{listed[2]}"}
    # a save goes back there
    rid, _ = items[0]
    r = client.post(url(rid, "/edit"), data={"csrf_token": token(client), "next": "/review?page=2",
                                             "orig-year": "", "year": "2023"})
    assert r.status_code == 302 and location(r) == "/review?page=2"
