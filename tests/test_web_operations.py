"""Serving in an office: the client address behind a trusted reverse proxy (and only behind
one), an administrator network the site-wide login pause never holds, `archive unlock`,
`/healthz`, and logs rotated by size."""
from __future__ import annotations

import json
import time

import pytest

import workflows
from archive.files import append_log
from cli.main import main
from helpers import ADMIN_PASSWORD, fake_file, fake_reader, make_app
from webapp import logins
from webapp.addresses import forwarded_client, parse_networks
from webapp.logins import LoginGuard


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def app_with(tmp_path, **config):
    app = make_app(tmp_path)
    if config:  # settings are read when the app is built
        from webapp import create_app
        app = create_app({**app.config, **config})
    app.extensions["logins"].clock = Clock()
    return app


def post_login(client, peer, forwarded=None, password=ADMIN_PASSWORD):
    with client.session_transaction() as session:
        csrf = session.setdefault("_csrf", "t")
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data={"password": password, "csrf_token": csrf},
                       environ_base={"REMOTE_ADDR": peer}, headers=headers)


def auth_log(tmp_path) -> list[list[str]]:
    return [line.split(" ", 2)[1:] for line in
            (tmp_path / "auth.log").read_text(encoding="utf-8").splitlines()]


# ---- reverse proxies -----------------------------------------------------------------------

def test_behind_a_trusted_proxy_each_client_is_throttled_and_logged_by_its_own_address(tmp_path):
    client = app_with(tmp_path, TRUSTED_PROXIES="127.0.0.1, 10.9.0.0/16").test_client()
    for _ in range(logins.LOCK_AFTER):
        post_login(client, "127.0.0.1", "192.168.1.50", password="wrong")
    assert post_login(client, "127.0.0.1", "192.168.1.50").status_code == 429  # that client
    assert post_login(client, "10.9.3.4", "192.168.1.51").status_code == 302   # another one
    log = auth_log(tmp_path)
    assert log[0] == ["192.168.1.50", "login failed: 1 in a row"]
    assert log[-1] == ["192.168.1.51", "login ok"]
    assert not [line for line in log if line[0] in ("127.0.0.1", "10.9.3.4")]


def test_a_forwarded_address_from_anyone_else_is_ignored(tmp_path):
    client = app_with(tmp_path, TRUSTED_PROXIES="127.0.0.1").test_client()
    for n in range(logins.LOCK_AFTER):  # an attacker rotating forged headers
        post_login(client, "10.0.0.66", f"192.168.7.{n}", password="wrong")
    assert post_login(client, "10.0.0.66", "192.168.7.99").status_code == 429
    assert {line[0] for line in auth_log(tmp_path)} == {"10.0.0.66"}


def test_without_trusted_proxies_the_header_means_nothing(tmp_path):
    client = app_with(tmp_path).test_client()
    post_login(client, "127.0.0.1", "192.168.1.50", password="wrong")
    assert auth_log(tmp_path) == [["127.0.0.1", "login failed: 1 in a row"]]


@pytest.mark.parametrize("peer, header, client", [
    ("10.0.0.1", "1.2.3.4", "1.2.3.4"),                 # one proxy
    ("10.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),         # a forged entry to the left is skipped
    ("10.0.0.1", "1.2.3.4, 10.0.0.2", "1.2.3.4"),        # two trusted proxies in a row
    ("10.0.0.1", "", "10.0.0.1"),                        # no header: the proxy itself
    ("10.0.0.1", "garbage", "10.0.0.1"),                 # nonsense is not believed
    ("10.0.0.1", "1.2.3.4, garbage", "10.0.0.1"),
    ("5.5.5.5", "1.2.3.4", "5.5.5.5"),                   # not a proxy of ours
])
def test_the_client_is_the_rightmost_untrusted_address(peer, header, client):
    assert forwarded_client(peer, header, parse_networks("10.0.0.0/24")) == client


@pytest.fixture
def serve(monkeypatch):
    """`webapp.serve` without serving: returns what waitress would have run; the log handlers
    it adds are removed afterwards."""
    import logging

    import waitress

    import webapp
    seen = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: seen.update(app=app))
    monkeypatch.setattr(webapp, "follow_archive", lambda app: None)
    root = logging.getLogger()
    before = list(root.handlers)

    def run(data_dir):
        webapp.serve(data_dir, port=5106)
        return seen["app"]
    yield run
    root.handlers[:] = before


def test_serve_reads_the_proxy_and_admin_settings(tmp_path, monkeypatch, serve):
    monkeypatch.setenv("ARCHIVE_TRUSTED_PROXIES", "127.0.0.1 10.9.0.0/16")
    monkeypatch.setenv("ARCHIVE_ADMIN_NETWORKS", "10.1.0.0/16")
    monkeypatch.setenv("ARCHIVE_ADMIN_PASSWORD", ADMIN_PASSWORD)
    app = serve(tmp_path)
    post_login(app.test_client(), "10.9.0.1", "192.168.1.50", password="wrong")
    assert auth_log(tmp_path) == [["192.168.1.50", "login failed: 1 in a row"]]
    assert [str(n) for n in app.extensions["logins"].admin_networks] == ["10.1.0.0/16"]


def test_a_wrong_setting_is_one_line_at_start(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ARCHIVE_TRUSTED_PROXIES", "10.0.0.1, nginx")
    assert main(["--data", str(tmp_path), "serve"]) == 1
    assert "ARCHIVE_TRUSTED_PROXIES中的 'nginx' 不是 IP 地址或网段" in capsys.readouterr().err


# ---- the administrator during an attack ----------------------------------------------------

def flood(guard: LoginGuard, clock: Clock) -> None:
    for n in range(logins.GLOBAL_LIMIT):
        guard.attempt(f"172.16.{n // 250}.{n % 250}", lambda: False)
        clock.now += 1


def test_admin_networks_are_never_paused_by_the_site_wide_limit(tmp_path):
    clock = Clock()
    guard = LoginGuard(tmp_path / "logins.sqlite", clock, parse_networks("10.1.0.0/16"))
    flood(guard, clock)
    assert guard.attempt("192.168.0.9", lambda: True).locked_site       # anyone else waits
    assert guard.attempt("10.1.2.3", lambda: True).ok                   # the administrator is in
    for _ in range(logins.LOCK_AFTER):                                  # but still throttled
        guard.attempt("10.1.2.4", lambda: False)
        clock.now += 10
    refused = guard.attempt("10.1.2.4", lambda: True)
    assert not refused.checked and not refused.locked_site


def test_archive_unlock_lifts_one_address_or_everything_and_is_logged(tmp_path, capsys):
    # The command's guard reads the real clock: this one ends the flood about now.
    clock = Clock(time.time() - logins.GLOBAL_LIMIT - 30)
    guard = LoginGuard(tmp_path / "logins.sqlite", clock)
    for _ in range(logins.LOCK_AFTER):
        guard.attempt("10.0.0.7", lambda: False)
        clock.now += 5
    flood(guard, clock)
    assert main(["--data", str(tmp_path), "unlock", "10.0.0.7"]) == 0
    out = capsys.readouterr()
    assert "已解除 10.0.0.7 的登录锁定" in out.out and "全站登录仍暂停" in out.err
    assert guard.attempt("10.0.0.7", lambda: True).locked_site          # still the site's pause
    assert main(["--data", str(tmp_path), "unlock"]) == 0
    assert "全站登录暂停" in capsys.readouterr().out
    assert guard.attempt("10.0.0.7", lambda: True).ok
    assert guard.attempt("172.16.0.1", lambda: True).ok
    log = auth_log(tmp_path)
    assert log[0][0] == "-" and log[0][1].startswith("unlock 10.0.0.7 by command line")
    assert log[1][1].startswith("unlock all by command line") and "site-wide pause" in log[1][1]
    assert main(["--data", str(tmp_path), "unlock", "not-an-address"]) == 2
    assert main(["--data", str(tmp_path / "typo"), "unlock"]) == 1
    assert not (tmp_path / "typo").exists()


# ---- /healthz ------------------------------------------------------------------------------

def test_healthz_answers_503_while_the_index_is_behind_then_200(tmp_path):
    app = make_app(tmp_path)
    archive = workflows.open_archive(tmp_path)
    archive.read_report = fake_reader
    archive.import_bytes(fake_file(), "a.json")          # written, not indexed
    client = app.test_client()
    r = client.get("/healthz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] == "index behind" and body["missing"] == 1
    assert body["generation"] == str(archive.generation())
    workflows.sync_index(archive, app.extensions["search_index"])
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json()["status"] == "ok"
    assert r.get_json()["index_generation"] == str(archive.generation())
    assert r.headers["Cache-Control"] == "no-store"


# ---- logs ----------------------------------------------------------------------------------

def test_logs_rotate_by_size_keeping_a_few(tmp_path):
    path = tmp_path / "auth.log"
    for n in range(40):
        append_log(path, f"line {n:02d} " + "x" * 40 + "\n", max_bytes=200, keep=2)
    kept = [path, path.with_name("auth.log.1"), path.with_name("auth.log.2")]
    assert all(p.stat().st_size <= 200 for p in kept)
    assert not path.with_name("auth.log.3").exists()
    lines = [line for p in reversed(kept) for line in p.read_text().splitlines()]
    assert lines == [f"line {n:02d} " + "x" * 40 for n in range(40 - len(lines), 40)]


def test_the_server_writes_errors_to_errors_log(tmp_path, serve):
    import logging

    serve(tmp_path)
    logging.getLogger("webapp.errors").error("测试错误 %s", json.dumps({"x": 1}))
    assert "测试错误 {\"x\": 1}" in (tmp_path / "errors.log").read_text(encoding="utf-8")
