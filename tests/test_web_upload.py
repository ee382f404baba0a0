"""Upload with login: CSRF on every POST, preview without storing, corrections, import, and the
read-only site without a password. Each test gets its own empty archive."""
from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from helpers import ADMIN_PASSWORD, SAMPLES, make_app

SAMPLE = sorted(SAMPLES.iterdir())[0]        # 赵集镇 2024


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


def token(client) -> str:
    with client.session_transaction() as session:
        return session.setdefault("_csrf", "test-token")


def login(client, password=ADMIN_PASSWORD, **extra):
    return client.post("/login", data={"password": password, "csrf_token": token(client), **extra})


def upload(client, files):
    data = {"csrf_token": token(client),
            "files": [(open(p, "rb") if isinstance(p, Path) else p[0], p.name if isinstance(p, Path) else p[1])
                      for p in files]}
    return client.post("/upload", data=data, content_type="multipart/form-data")


def test_upload_requires_login(client):
    r = client.get("/upload")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # The login page says why it is in the way, and that it leads back.
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    reason = re.search(r'data-testid="login-reason">([^<]*)<', html).group(1)
    assert "管理员" in reason and "上传" in reason and "回到" in reason
    assert "回到" not in re.search(r'data-testid="login-reason">([^<]*)<',
                                 client.get("/login").get_data(as_text=True)).group(1)


def test_login_without_csrf_token_is_refused(client):
    r = client.post("/login", data={"password": ADMIN_PASSWORD})
    assert r.status_code == 400 and "表单已过期" in r.get_data(as_text=True)


def test_wrong_password(client):
    r = login(client, "wrong")
    assert r.status_code == 403 and 'data-testid="login-error"' in r.get_data(as_text=True)
    assert client.get("/upload").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/upload", "/upload"), ("//evil.example/x", "/upload"), ("https://evil.example/", "/upload"),
    ("/\\evil.example", "/upload"),
])
def test_login_redirects_only_within_the_site(client, target, expected):
    r = login(client, next=target)
    assert r.status_code == 302 and r.headers["Location"] == expected


def test_logout_needs_csrf_and_ends_the_session(client):
    login(client)
    assert client.get("/upload").status_code == 200
    assert client.post("/logout").status_code == 400
    client.post("/logout", data={"csrf_token": token(client)})
    assert client.get("/upload").status_code == 302


def test_login_renews_the_csrf_token_but_keeps_the_basket(client):
    with client.session_transaction() as session:
        session["_csrf"] = "before-login"
        session["basket"] = [["赵集镇-2024", "导语.1"]]
    client.post("/login", data={"password": ADMIN_PASSWORD, "csrf_token": "before-login"})
    with client.session_transaction() as session:
        assert session["admin"] is True
        assert session.get("_csrf") != "before-login"
        assert session["basket"] == [["赵集镇-2024", "导语.1"]]


def test_read_only_site_without_password(tmp_path):
    client = make_app(tmp_path, password=None).test_client()
    page = client.get("/upload")
    assert page.status_code == 200 and 'data-testid="read-only"' in page.get_data(as_text=True)
    assert 'data-testid="login-form"' not in client.get("/login").get_data(as_text=True)
    refused = login(client)                       # no password can match
    assert refused.status_code == 403 and "只读模式" in refused.get_data(as_text=True)
    assert upload(client, [SAMPLE]).status_code == 403


def test_preview_correct_confirm_then_searchable(client, app, tmp_path):
    login(client)
    r = upload(client, [SAMPLE, (open(__file__, "rb"), "../../evil.exe")])
    assert r.status_code == 302
    batch = r.headers["Location"].rsplit("/", 1)[1]
    staged = list((tmp_path / "uploads" / batch).iterdir())
    assert sorted(p.name for p in staged) == ["0.bin", "1.bin", "batch.json"]   # never user names

    review = client.get(f"/upload/{batch}").get_data(as_text=True)
    assert review.count('data-testid="upload-item"') == 2
    assert 'value="赵集镇"' in review and 'value="2024"' in review       # detected metadata
    assert review.count('data-testid="item-error"') == 1                 # the .exe, one line
    assert "evil.exe" in review and "../" not in review
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())

    form = {"csrf_token": token(client), "import-0": "1", "town-0": "赵集镇", "county-0": "测试县",
            "year-0": "2024"}
    r = client.post(f"/upload/{batch}", data=form)       # a county the archive does not know yet
    assert r.status_code == 400 and 'data-testid="problem-county"' in r.get_data(as_text=True)
    r = client.post(f"/upload/{batch}", data={**form, "confirm-county-0": "测试县"})
    done = r.get_data(as_text=True)
    assert r.status_code == 200
    assert re.search(r'data-status="imported"', done) and 'data-status="failed"' in done
    assert not (tmp_path / "uploads" / batch).exists()

    hits = client.get("/api/search?q=法治&county=测试县").get_json()["hits"]
    assert hits and {h["town"] for h in hits} == {"赵集镇"}

    # The same file again: said at once (no review page, no question), with a link to the report.
    rid = hits[0]["report_id"]
    r = upload(client, [SAMPLE])
    assert r.status_code == 200
    again = r.get_data(as_text=True)
    assert 'data-status="unchanged"' in again and "内容完全相同" in again
    assert f'href="/report/{quote(rid)}"' in again and 'data-testid="confirm-import"' not in again
    assert not any((tmp_path / "uploads").iterdir())                     # no batch kept
    assert client.get("/api/towns").get_json()["reports"] == 1
    # beside a new file: the known one is named and linked, only the new one is asked about
    new = "圣灯山镇2023年法治政府建设工作情况报告\n\n一、主要工作\n开展法律明白人培训。\n".encode()
    r = upload(client, [SAMPLE, (io.BytesIO(new), "new.txt")])
    review = client.get(r.headers["Location"]).get_data(as_text=True)
    assert review.count('data-testid="item-known"') == 1 and review.count('data-testid="field-import"') == 1
    batch = r.headers["Location"].rsplit("/", 1)[1]
    done = client.post(f"/upload/{batch}", data={"csrf_token": token(client), "import-1": "1",
                                                  "town-1": "圣灯山镇", "county-1": "", "year-1": "2023"})
    statuses = re.findall(r'data-status="(\w+)"', done.get_data(as_text=True))
    assert statuses == ["unchanged", "imported"]


def test_bad_year_correction_is_shown_on_the_form(client):
    login(client)
    batch = upload(client, [SAMPLE]).headers["Location"].rsplit("/", 1)[1]
    r = client.post(f"/upload/{batch}", data={"csrf_token": token(client), "import-0": "1",
                                              "year-0": "二〇二四"})
    assert r.status_code == 400 and 'data-testid="item-form-error"' in r.get_data(as_text=True)


@pytest.mark.parametrize("batch", ["..%2F..%2Fetc", "short", "A" * 30])
def test_unknown_batches_are_404(client, batch):
    login(client)
    assert client.get(f"/upload/{batch}").status_code == 404


def test_upload_without_files(client):
    login(client)
    r = client.post("/upload", data={"csrf_token": token(client)}, content_type="multipart/form-data")
    assert r.status_code == 400 and 'data-testid="upload-error"' in r.get_data(as_text=True)


def test_serve_hashes_the_env_password_and_never_keeps_it(tmp_path, monkeypatch):
    import waitress
    import webapp

    served = {}
    monkeypatch.setenv("ARCHIVE_ADMIN_PASSWORD", "环境-secret")
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.update(app=app, **kw))
    webapp.serve(tmp_path, host="127.0.0.1", port=5999)
    app = served["app"]
    assert served["port"] == 5999 and not app.debug
    stored = app.config["ADMIN_PASSWORD_HASH"]
    assert stored and "环境-secret" not in stored
    assert "环境-secret" not in repr(dict(app.config))
    client = app.test_client()
    assert login(client, "环境-secret").status_code == 302


def test_a_stored_report_the_index_cannot_take_is_said_to_be_unsearchable(tmp_path):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "index.sqlite").write_bytes(b"damaged" * 100)
    client = make_app(tmp_path).test_client()
    login(client)
    batch = upload(client, [SAMPLE]).headers["Location"].rsplit("/", 1)[1]
    done = client.post(f"/upload/{batch}", data={"csrf_token": token(client), "import-0": "1"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and 'data-status="imported"' in html
    assert "检索索引未更新" in html and "暂不能检索" in html and "已可检索" not in html
    assert client.get("/api/towns").get_json()["reports"] == 1
