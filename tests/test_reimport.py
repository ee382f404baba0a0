"""`archive reimport`: an archive built by an older importer gets today's metadata while report
ids, staff corrections and the ids of unchanged paragraphs — every citation — stay as they were.

The "older importer" is today's, degraded the way the previous one read web copies: the town
missing or a phrase taken for a town, page furniture kept before the text (so the intro's
paragraph ids are shifted), no place candidates. It is given to the archive through the public
`Archive(read_report=…)` hook."""
from __future__ import annotations

import lxml.html
import pytest

import workflows
from archive import audit, renames
from archive.store import Archive
from cli.main import main
from conftest import copy_of
from helpers import (ADMIN_PASSWORD, FURNITURE, STAFF_TITLE, build_old_archive, make_app,
                     older_reader)
from importers import read_report
from index import SearchIndex
from workflows.reimport import reimport


@pytest.fixture
def old_archive(tmp_path):
    """A data folder as the older importer left it, indexed, with one staff correction."""
    data, a_id, b_id = build_old_archive(tmp_path)
    archive = Archive(data)
    return data, a_id, b_id, {rid: archive.get(rid) for rid in (a_id, b_id)}


def run(capsys, data, *args):
    code = main(["--data", str(data), "reimport", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def unchanged_paragraphs(old):
    return [p for p in old.paragraphs if p.text_original not in FURNITURE]


def test_reimport_upgrades_metadata_and_keeps_ids_corrections_and_citations(old_archive, capsys):
    data, a_id, b_id, old = old_archive
    code, out, _ = run(capsys, data, "--all")
    assert code == 0
    lines = out.splitlines()
    a_line = next(line for line in lines if line.startswith(a_id + ":"))
    assert "乡镇 未知 → 赵集镇" in a_line and "层级 未知 → 乡镇" in a_line
    assert "停用编号 导语.1 导语.2" in a_line and "0 段文字有变或新增" in a_line
    b_line = next(line for line in lines if line.startswith(b_id + ":"))
    assert "乡镇 认真落实镇 → 覃斗镇" in b_line and "县区 未知 → 雷州市" in b_line
    assert "标题" not in b_line  # the staff's title stands
    assert lines[-1] == "重新读取 2 份报告: 有变化 2, 未变 0, 失败 0"

    archive = workflows.open_archive(data)
    assert archive.ids() == sorted([a_id, b_id])
    a, b = archive.get(a_id), archive.get(b_id)
    assert a.place.town == "赵集镇" and "town_missing" not in a.flags
    assert (b.place.town, b.place.county, b.place.city) == ("覃斗镇", "雷州市", "湛江市")
    assert b.title == STAFF_TITLE and b.provenance["title"].source == "override"
    for rid, new in ((a_id, a), (b_id, b)):
        for p in unchanged_paragraphs(old[rid]):
            assert new.paragraph(p.id).text_original == p.text_original, p.id
        assert len(new.paragraphs) == len(unchanged_paragraphs(old[rid]))
        assert new.retired_ids == ["导语.1", "导语.2"]
        assert [e.rule for e in new.log if e.rule.startswith("reimport")] == [
            "reimport_id_kept", "reimport_paragraph_retired", "reimport_paragraph_retired"]

    client = make_app(data).test_client()
    for rid in (a_id, b_id):
        page = client.get(f"/report/{rid}")
        assert page.status_code == 200
        tree = lxml.html.fromstring(page.get_data(as_text=True))
        for p in unchanged_paragraphs(old[rid]):
            assert p.text_original in tree.get_element_by_id(f"p-{p.id}").text_content()
        assert not tree.xpath('//*[@id="p-导语.1"]')

    index = SearchIndex(data / "index")
    assert {h.report_id for h in index.search("town:赵集镇 法律明白人").hits} == {a_id}
    assert {h.report_id for h in index.search("county:雷州市 法律顾问").hits} == {b_id}
    assert not index.search('"网站首页"').hits
    assert index.archive_generation() == str(archive.generation())

    assert run(capsys, data, "--all")[1].splitlines() == ["重新读取 2 份报告: 有变化 0, 未变 2, 失败 0"]


def test_a_dry_run_shows_the_changes_and_writes_nothing(old_archive, capsys):
    data, a_id, b_id, _ = old_archive
    before = {p.name: p.read_bytes() for p in (data / "reports").iterdir()}
    generation = Archive(data).generation()
    code, out, _ = run(capsys, data, "--dry-run", a_id)
    assert code == 0 and "乡镇 未知 → 赵集镇" in out
    assert out.splitlines()[-1] == "预览 (未写入): 重新读取 1 份报告: 有变化 1, 未变 0, 失败 0"
    assert {p.name: p.read_bytes() for p in (data / "reports").iterdir()} == before
    assert Archive(data).generation() == generation


def test_json_lists_every_report_with_its_changes(old_archive, capsys):
    import json
    data, a_id, b_id, _ = old_archive
    code, out, _ = run(capsys, data, "--json", b_id, a_id)
    d = json.loads(out)
    assert code == 0 and (d["changed"], d["unchanged"], d["failed"]) == (2, 0, 0)
    by_id = {r["report_id"]: r for r in d["reports"]}
    assert by_id[b_id]["changes"]["town"] == ["认真落实镇", "覃斗镇"]
    assert by_id[a_id]["retired"] == ["导语.1", "导语.2"] and by_id[a_id]["new"] == []
    assert by_id[a_id]["kept"] == len(Archive(data).get(a_id).paragraphs)


def test_a_missing_original_fails_alone_and_leaves_its_report(old_archive, capsys):
    data, a_id, b_id, old = old_archive
    archive = Archive(data)
    archive.original_path(a_id).unlink()
    stored = (data / "reports" / f"{a_id}.md").read_bytes()
    code, out, _ = run(capsys, data, "--all")
    assert code == 1
    assert f"{a_id}: 原件缺失" in out and len([l for l in out.splitlines() if "原件" in l]) == 1
    assert (data / "reports" / f"{a_id}.md").read_bytes() == stored
    assert Archive(data).get(b_id).place.town == "覃斗镇"


def test_an_unknown_id_fails_and_the_others_go_on(old_archive, capsys):
    data, a_id, b_id, _ = old_archive
    code, out, _ = run(capsys, data, "没有这份", b_id)
    assert code == 1 and "没有编号为 没有这份 的报告" in out
    assert Archive(data).get(b_id).place.town == "覃斗镇"


@pytest.mark.parametrize("args", [[], ["--all", "某镇-2024"]])
def test_ids_or_all_is_a_usage_error(tmp_path, capsys, args):
    assert run(capsys, tmp_path / "data", *args)[0] == 2


def test_rename_moves_reports_to_the_id_their_town_calls_for_and_old_citations_follow(old_archive, capsys):
    data, a_id, b_id, old = old_archive
    assert run(capsys, data, "--all")[0] == 0  # ids kept; a later --rename still moves them
    code, out, _ = run(capsys, data, "--all", "--rename", "--dry-run")
    assert f"{b_id}: 编号将改为 覃斗镇-2023 (旧编号跳转)" in out.splitlines()
    assert not Archive(data).redirects()
    code, out, _ = run(capsys, data, "--all", "--rename")
    assert code == 0 and f"{b_id}: 编号改为 覃斗镇-2023 (旧编号跳转)" in out.splitlines()
    assert "编号改为 赵集镇-2024" in out
    archive = workflows.open_archive(data)
    assert archive.ids() == ["覃斗镇-2023", "赵集镇-2024"]
    assert renames.resolve(archive, b_id) == "覃斗镇-2023"
    assert archive.get("覃斗镇-2023").title == STAFF_TITLE  # the correction moved with it
    assert audit.entries(archive, "覃斗镇-2023")[-1]["renamed"] == [b_id, "覃斗镇-2023"]
    client = make_app(data).test_client()
    moved = client.get(f"/report/{b_id}")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(
        "/report/%E8%A6%83%E6%96%97%E9%95%87-2023")
    tree = lxml.html.fromstring(client.get("/report/覃斗镇-2023").get_data(as_text=True))
    for p in unchanged_paragraphs(old[b_id]):
        assert p.text_original in tree.get_element_by_id(f"p-{p.id}").text_content()
    index = SearchIndex(data / "index")
    assert {h.report_id for h in index.search("法律顾问").hits} == {"覃斗镇-2023"}


def test_reimport_all_changes_nothing_in_a_fresh_sample_archive(sample_data_dir, tmp_path, capsys):
    data = copy_of(sample_data_dir, tmp_path / "data")
    before = {p.name: p.read_bytes() for p in (data / "reports").iterdir()}
    ids = {r.id: [p.id for p in r.paragraphs] for r in Archive(data).reports()}
    code, out, _ = run(capsys, data, "--all")
    assert code == 0 and out.splitlines() == ["重新读取 5 份报告: 有变化 0, 未变 5, 失败 0"]
    assert {r.id: [p.id for p in r.paragraphs] for r in Archive(data).reports()} == ids
    assert {p.name: p.read_bytes() for p in (data / "reports").iterdir()} == before


def admin_client(data):
    client = make_app(data).test_client()
    with client.session_transaction() as session:
        session.setdefault("_csrf", "test-token")
    client.post("/login", data={"password": ADMIN_PASSWORD, "csrf_token": "test-token"})
    with client.session_transaction() as session:  # login renews the token
        return client, session.setdefault("_csrf", "token-after-login")


def test_the_review_page_reads_one_report_or_all_again_for_an_administrator(old_archive):
    data, a_id, b_id, old = old_archive
    anonymous = make_app(data).test_client()
    with anonymous.session_transaction() as session:
        session["_csrf"] = "anonymous-token"
    r = anonymous.post("/review/reimport", data={"report_id": a_id, "csrf_token": "anonymous-token"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    client, token = admin_client(data)
    page = client.get("/review").get_data(as_text=True)
    assert 'data-testid="reimport-all"' in page and f'name="report_id" value="{a_id}"' in page
    assert client.post("/review/reimport", data={"report_id": a_id}).status_code == 400  # no CSRF
    assert Archive(data).get(a_id).place.town is None

    r = client.post("/review/reimport", data={"report_id": a_id, "csrf_token": token,
                                              "next": "/review?page=1"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/review?page=1")
    said = client.get("/review").get_data(as_text=True)
    assert "重新读取 1 份报告：有变化 1" in said and f"{a_id}: 乡镇 未知 → 赵集镇" in said
    assert Archive(data).get(a_id).place.town == "赵集镇"
    assert Archive(data).get(b_id).place.town == "认真落实镇"

    client.post("/review/reimport", data={"csrf_token": token, "next": "//evil.example/"})
    assert Archive(data).get(b_id).place.town == "覃斗镇"
    assert "重新读取 2 份报告：有变化 1, 未变 1, 失败 0；其中：</p>" in client.get("/review").get_data(as_text=True)
    assert {h["report_id"] for h in client.get("/api/search?q=法律顾问&town=覃斗镇").get_json()["hits"]} == {b_id}


def test_a_correction_made_while_the_original_is_read_survives(old_archive):
    """Another process corrects the report while the importer reads its original (outside the
    write lock): the re-reading is written with that correction, not over it."""
    data, a_id, b_id, _ = old_archive

    def racing_reader(raw: bytes, filename: str):
        Archive(data).set_fields(b_id, {"county": "遂溪县"})  # another writer, meanwhile
        return read_report(raw, filename)

    done = reimport(Archive(data, read_report=racing_reader), SearchIndex(data / "index"), [b_id])
    assert done.count("changed") == 1
    report = Archive(data).get(b_id)
    assert (report.place.town, report.place.county, report.title) == ("覃斗镇", "遂溪县", STAFF_TITLE)


def test_a_new_version_stored_while_the_original_is_read_is_left_alone(old_archive, tmp_path):
    data, a_id, b_id, _ = old_archive
    newer = tmp_path / "new" / "b.txt"
    newer.parent.mkdir()
    newer.write_text((tmp_path / "src" / "b.txt").read_text("utf-8") + "\n附：新版本。\n", "utf-8")

    def racing_reader(raw: bytes, filename: str):
        stored = Archive(data, read_report=older_reader).import_file(newer)  # meanwhile
        assert (stored.status, stored.report_id) == ("updated", b_id)
        return read_report(raw, filename)

    done = reimport(Archive(data, read_report=racing_reader), None, [b_id])
    (outcome,) = done.outcomes
    assert outcome.status == "failed" and "有了新版本" in outcome.error
    assert "附：新版本。" in Archive(data).markdown(b_id)  # the new version stands
