"""Staff dismiss a doubt: `archive set ID reviewed=genre_doubt` (and the button on /review)
keeps the decision as a correction that survives re-import, records it in the audit trail,
takes the report off the review list and leaves it labelled for what it is."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from archive import audit, integrity
from archive.errors import InvalidField
from cli.main import main
from helpers import make_app
from test_ids_by_level import report_text
from test_web_upload import login, token
from workflows import open_archive


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


# A county's report whose title does not say what kind of document it is: genre_doubt.
COUNTY = report_text("天津市静海区2023年工作情况", "静海区", "天津市静海区人民政府")


@pytest.fixture
def county(data_dir, tmp_path):
    """A county's own report of doubtful genre (flag genre_doubt), imported: its id."""
    path = tmp_path / "静海区.txt"
    path.write_text(COUNTY, encoding="utf-8")
    result = open_archive(data_dir).import_file(path)
    assert result.status == "imported"
    return result.report_id


def reviewed_ids(archive):
    return [report.id for report, _ in integrity.review(archive)]


def test_a_dismissed_genre_doubt_leaves_review_and_survives_reimport(data_dir, county, tmp_path, capsys):
    archive = open_archive(data_dir)
    assert reviewed_ids(archive) == [county]
    assert main(["--data", str(data_dir), "set", county, "reviewed=genre_doubt"]) == 0
    assert f"已修改 {county}: reviewed = genre_doubt" in capsys.readouterr().out
    archive = open_archive(data_dir)
    assert reviewed_ids(archive) == []
    report = archive.get(county)
    assert report.reviewed == ["genre_doubt"] and "genre_doubt" not in report.flags
    assert "genre_checked" in report.flags
    assert report.flag_note("genre_checked") == report.flag_notes["genre_doubt"]  # still says why
    trail = audit.entries(archive, county)
    assert trail[-1]["changes"] == {"reviewed": [[], ["genre_doubt"]]} and trail[-1]["who"] == "命令行"
    # a changed original of the same report: re-imported, the decision still holds
    path = tmp_path / "静海区.txt"
    path.write_text(COUNTY.replace("还需提高", "还需进一步提高"), encoding="utf-8")
    assert archive.import_file(path).status == "updated"
    assert open_archive(data_dir).get(county).reviewed == ["genre_doubt"]
    assert reviewed_ids(open_archive(data_dir)) == []
    # and an empty value brings the doubt back
    assert main(["--data", str(data_dir), "set", county, "reviewed="]) == 0
    assert reviewed_ids(open_archive(data_dir)) == [county]
    assert "genre_doubt" in open_archive(data_dir).get(county).flags


def test_an_unknown_flag_is_refused_with_a_one_line_reason(data_dir, county, capsys):
    with pytest.raises(InvalidField, match="reviewed 应为"):
        audit.correct(open_archive(data_dir), county, {"reviewed": "town_missing"}, "管理员", None)
    assert main(["--data", str(data_dir), "set", county, "reviewed=whatever"]) == 1
    err = capsys.readouterr().err.strip()
    assert "reviewed 应为" in err and "\n" not in err and "Traceback" not in err


def test_a_flag_the_report_does_not_have_is_not_invented(data_dir, county):
    archive = open_archive(data_dir)
    audit.correct(archive, county, {"reviewed": "place_ambiguous"}, "管理员", None)
    report = archive.get(county)
    assert "place_checked" not in report.flags and report.reviewed == []
    assert reviewed_ids(archive) == [county]


def test_the_review_page_button_dismisses_with_login_and_csrf(data_dir, county):
    client = make_app(data_dir).test_client()
    url = "/review/settle"
    form = {"ids": county, "action": "genre_doubt", "next": "/review?page=1#item-x"}
    not_logged_in = client.post(url, data={**form, "csrf_token": token(client)})
    assert not_logged_in.status_code in (302, 401, 403)
    assert open_archive(data_dir).get(county).reviewed == []
    login(client)
    page = client.get("/review").get_data(as_text=True)
    assert 'data-testid="dismiss-genre_doubt"' in page and f'action="{quote(url)}"' in page
    assert client.post(url, data=form).status_code == 400       # no CSRF token
    assert client.post(url, data={**form, "action": "town_missing", "csrf_token": token(client)}).status_code == 400
    missing = client.post(url, data={**form, "ids": "没有这份-2023", "csrf_token": token(client)},
                          follow_redirects=True).get_data(as_text=True)
    assert "已处理 0 份报告" in missing and "1 份没有这项疑问" in missing
    response = client.post(url, data={**form, "csrf_token": token(client)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/review?page=1#item-x")
    archive = open_archive(data_dir)
    assert archive.get(county).reviewed == ["genre_doubt"]
    assert audit.entries(archive, county)[-1]["who"].startswith("管理员")
    assert 'data-testid="review-empty"' in client.get("/review").get_data(as_text=True)
    # the report page still says what the file is
    read = client.get(f"/report/{county}").get_data(as_text=True)
    assert 'data-flag="genre_checked"' in read and "把握不大" in read


def test_genre_and_level_are_set_by_their_chinese_names_with_the_audit_trail(data_dir, county, capsys):
    """`archive set ID genre=… level=…`: names or codes, the doubt settled, recorded like any
    correction; a wrong name is refused in one line."""
    assert main(["--data", str(data_dir), "set", county, "genre=政府工作报告", "level=县区"]) == 0
    archive = open_archive(data_dir)
    report = archive.get(county)
    assert (report.genre, report.level) == ("work_report", "county")
    assert "genre_doubt" not in report.flags and report.provenance["genre"].source == "override"
    assert reviewed_ids(archive) == []
    assert audit.entries(archive, county)[-1]["changes"]["genre"] == ["rule_of_law", "work_report"]
    capsys.readouterr()
    assert main(["--data", str(data_dir), "set", county, "genre=小说"]) == 1
    err = capsys.readouterr().err.strip()
    assert "genre 应为" in err and "\n" not in err


def test_the_edit_form_sets_genre_and_level(data_dir, county):
    client = make_app(data_dir).test_client()
    login(client)
    form = client.get(f"/report/{county}/edit").get_data(as_text=True)
    assert 'data-testid="edit-genre"' in form and 'data-testid="edit-level"' in form
    response = client.post(f"/report/{county}/edit", data={
        "csrf_token": token(client), "genre": "shufa", "orig-genre": "rule_of_law",
        "level": "county", "orig-level": "county"})
    assert response.status_code == 302
    assert open_archive(data_dir).get(county).genre == "shufa"
    page = client.get(f"/report/{county}").get_data(as_text=True)
    assert "述法报告" in page and 'data-field="genre"' in page
