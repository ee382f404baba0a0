"""Login hardening: throttled failures (per address and site-wide), a lock that refuses even the
right password and lifts by itself, attempts logged without the password, logout revoking the
session server-side, cookie attributes and anti-framing headers. A fake clock replaces sleeping."""
from __future__ import annotations

import re
import threading

import pytest

from helpers import ADMIN_PASSWORD, make_app
from webapp import logins
from webapp.logins import LoginGuard, wait_after


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    app.extensions["logins"].clock = Clock()
    return app


@pytest.fixture
def clock(app) -> Clock:
    return app.extensions["logins"].clock


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    return client


def token(client) -> str:
    with client.session_transaction() as session:
        return session.setdefault("_csrf", "test-token")


def login(client, password=ADMIN_PASSWORD, addr="10.0.0.1"):
    return client.post("/login", data={"password": password, "csrf_token": token(client)},
                       environ_base={"REMOTE_ADDR": addr})


def message(response) -> str:
    return re.search(r'data-testid="login-error">([^<]*)<', response.get_data(as_text=True)).group(1)


# ---- throttling ----------------------------------------------------------------------------

def test_wait_grows_then_locks_and_doubles():
    assert [wait_after(n) for n in range(1, 9)] == [0, 0, 2, 4, 60, 120, 240, 480]
    assert wait_after(40) == logins.MAX_WAIT_SECONDS


def test_five_failures_lock_the_address_even_for_the_right_password(client, clock):
    for n in range(1, 3):
        assert login(client, "wrong").status_code == 403
    r = login(client, "wrong")                       # 3rd: the next try must wait 2 s
    assert r.status_code == 403 and "请在 2 秒后再试" in message(r)
    assert login(client).status_code == 429          # too soon, even with the right password
    clock.now += 2
    assert login(client, "wrong").status_code == 403  # 4th: wait 4 s
    clock.now += 4
    r = login(client, "wrong")                        # 5th: locked 60 s
    assert r.status_code == 403 and "连续错误 5 次，请在 60 秒后再试" in message(r)
    clock.now += 59
    locked = login(client)
    assert locked.status_code == 429
    assert message(locked) == "密码错误次数过多，请在 1 秒后重试。"
    assert locked.headers["Retry-After"] == "1"
    with client.session_transaction() as session:
        assert not session.get("admin")
    clock.now += 1
    assert login(client).status_code == 302           # the lock has expired
    with client.session_transaction() as session:
        assert session["admin"] is True


def test_lock_doubles_while_failures_continue_and_a_success_clears_it(client, clock):
    for _ in range(5):
        login(client, "wrong")
        clock.now += 10
    clock.now += 60
    assert "请在 120 秒后再试" in message(login(client, "wrong"))   # 6th failure
    clock.now += 120
    assert login(client).status_code == 302
    # a success starts the count afresh
    client.post("/logout", data={"csrf_token": token(client)})
    assert login(client, "wrong").status_code == 403
    assert login(client).status_code == 302


def test_other_addresses_are_not_locked_by_one(client, clock):
    for _ in range(5):
        login(client, "wrong", addr="10.0.0.66")
        clock.now += 5
    assert login(client, "wrong", addr="10.0.0.66").status_code == 429
    assert login(client, addr="10.0.0.7").status_code == 302


def test_site_wide_limit_stops_distributed_guessing(client, clock):
    for n in range(logins.GLOBAL_LIMIT):
        assert login(client, "wrong", addr=f"10.1.{n // 250}.{n % 250}").status_code == 403
        clock.now += 1
    r = login(client, addr="10.9.9.9")       # a fresh address, the right password: paused
    assert r.status_code == 429 and "登录已暂停" in message(r)
    wait = int(r.headers["Retry-After"])
    assert 0 < wait <= logins.GLOBAL_WINDOW
    clock.now += wait
    assert login(client, addr="10.9.9.9").status_code == 302


def test_lock_is_shared_by_two_guards_on_one_file(tmp_path):
    """Two server processes over one data folder see the same lock."""
    clock = Clock()
    a, b = LoginGuard(tmp_path / "logins.sqlite", clock), LoginGuard(tmp_path / "logins.sqlite", clock)
    for _ in range(5):
        clock.now += 100
        assert a.attempt("x", lambda: False).checked
    refused = b.attempt("x", lambda: pytest.fail("password checked while locked"))
    assert not refused.checked and refused.wait == 60


def test_threads_count_every_failure(tmp_path):
    clock = Clock()
    guard = LoginGuard(tmp_path / "logins.sqlite", clock)
    results = []

    def worker(n):
        results.append(guard.attempt(f"addr-{n % 3}", lambda: False))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # each address: three failures checked, then it must wait (the clock stands still)
    assert sum(r.checked for r in results) == 3 * 3
    assert sorted(r.failures for r in results if r.checked) == [1, 1, 1, 2, 2, 2, 3, 3, 3]


def test_attempts_are_logged_without_the_password(app, client, clock, tmp_path):
    login(client, "hunter2-wrong")
    login(client)
    client.post("/logout", data={"csrf_token": token(client)})
    log = (tmp_path / "auth.log").read_text("utf-8").splitlines()
    assert [line.split(" ", 2)[1:] for line in log] == [
        ["10.0.0.1", "login failed: 1 in a row"], ["10.0.0.1", "login ok"], ["10.0.0.1", "logout"]]
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 ", line) for line in log)
    assert "hunter2" not in "".join(log) and ADMIN_PASSWORD not in "".join(log)


# ---- sessions ------------------------------------------------------------------------------

def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_logout_revokes_a_saved_cookie(app, client):
    login(client)
    assert client.get("/upload").status_code == 200
    saved = _cookie(client)
    client.post("/logout", data={"csrf_token": token(client)})
    assert client.get("/upload").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", saved)
    r = replay.get("/upload")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # nor does the page offer a logout button to the revoked cookie
    assert "退出登录" not in replay.get("/").get_data(as_text=True)


def test_logout_ends_only_that_session(app, client):
    other = app.test_client()
    login(client)
    login(other)
    client.post("/logout", data={"csrf_token": token(client)})
    assert other.get("/upload").status_code == 200


def test_admin_session_expires(app, client, clock):
    login(client)
    clock.now += logins.SESSION_SECONDS + 1
    assert client.get("/upload").status_code == 302


def test_session_cookie_attributes(client):
    r = login(client)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_when_served_over_https(tmp_path):
    from werkzeug.security import generate_password_hash

    from webapp import create_app
    app = create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k", "SESSION_COOKIE_SECURE": True,
                      "ADMIN_PASSWORD_HASH": generate_password_hash(ADMIN_PASSWORD)})
    client = app.test_client()
    r = client.post("/login", base_url="https://localhost",
                    data={"password": ADMIN_PASSWORD, "csrf_token": token(client)})
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]


def test_serve_reads_the_https_setting(monkeypatch, tmp_path):
    import waitress

    import webapp
    seen = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: seen.update(app=app))
    monkeypatch.setenv("ARCHIVE_HTTPS", "1")
    webapp.serve(tmp_path, port=5104)
    assert seen["app"].config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.delenv("ARCHIVE_HTTPS")
    webapp.serve(tmp_path, port=5104)
    assert seen["app"].config["SESSION_COOKIE_SECURE"] is False


# ---- headers -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/login", "/upload", "/api/towns", "/static/app.css",
                                 "/report/不存在-2020"])
def test_no_page_may_be_framed(client, url):
    r = client.get(url)
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
