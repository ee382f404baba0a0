"""Administrator login for uploads: one password, stored only as a werkzeug hash.

Without `ADMIN_PASSWORD_HASH` the site is read-only and nobody can log in. Failed logins are
throttled and sessions are revocable server-side (`webapp.logins`); every attempt and logout
is written to `data/auth.log` (time, address, outcome; never the password).
"""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from werkzeug.security import check_password_hash

from archive.files import append_log
from webapp import basket
from webapp.addresses import parse_networks
from webapp.logins import LoginGuard
from webapp.params import same_site_path

bp = Blueprint("auth", __name__)
NONCE_KEY = "admin_nonce"  # in the session cookie; valid while webapp.logins lists it
AUTH_LOG = "auth.log"
LOGINS = "logins.sqlite"


def init_logins(app) -> None:
    app.extensions["logins"] = LoginGuard(
        Path(app.config["DATA_DIR"]) / LOGINS,
        admin_networks=parse_networks(app.config.get("ADMIN_NETWORKS"), "ARCHIVE_ADMIN_NETWORKS"))
    app.before_request(_drop_revoked_login)


def guard() -> LoginGuard:
    return current_app.extensions["logins"]


def uploads_enabled() -> bool:
    return bool(current_app.config.get("ADMIN_PASSWORD_HASH"))


def is_admin() -> bool:
    """Logged in, with a session the server still lists (not logged out, not expired)."""
    if not (uploads_enabled() and session.get("admin")):
        return False
    if "admin_valid" not in g:
        g.admin_valid = guard().session_valid(session.get(NONCE_KEY))
    return g.admin_valid


def _drop_revoked_login() -> None:
    """A cookie saved before a logout (or older than a session's lifetime) still says `admin`;
    forget it so no page treats it as logged in."""
    if session.get("admin") and not is_admin():
        session.pop("admin", None)
        session.pop(NONCE_KEY, None)


def audit(event: str) -> None:
    """One line in data/auth.log for this request's client (see `log_line`)."""
    try:
        log_line(Path(current_app.config["DATA_DIR"]), request.remote_addr, event)
    except OSError as exc:
        current_app.logger.warning("cannot write %s (%s): %s", AUTH_LOG, exc, event)


def log_line(data_dir: Path, address: str | None, event: str) -> None:
    """One line in data/auth.log (rotated by size): UTC time, client address ("-": none, e.g.
    the command line), what happened."""
    addr = "".join(c if c.isprintable() and not c.isspace() else "?" for c in (address or "-"))
    append_log(data_dir / AUTH_LOG,
               f"{dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')} {addr} {event}\n")


def admin_required(view):
    """Send anonymous users to /login (and back afterwards)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if uploads_enabled() and not is_admin():
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    return same_site_path(target) or url_for("upload.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    if not uploads_enabled():
        error = "本站未设置管理员密码，为只读模式，不能登录上传。请联系管理员在启动服务时设置 ARCHIVE_ADMIN_PASSWORD。"
        status = 403 if request.method == "POST" else 200
    elif request.method == "POST":
        password = request.form.get("password", "")
        attempt = guard().attempt(
            request.remote_addr or "-",
            lambda: check_password_hash(current_app.config["ADMIN_PASSWORD_HASH"], password))
        del password
        if attempt.ok:
            # A fresh session against fixation (new CSRF token), but the citation basket stays.
            basket_items = session.get(basket.SESSION_KEY)
            session.clear()
            if basket_items:
                session[basket.SESSION_KEY] = basket_items
            session["admin"] = True
            session[NONCE_KEY] = guard().open_session()
            audit("login ok")
            return redirect(_safe_next(request.form.get("next")))
        if not attempt.checked:
            audit(f"login refused: locked {attempt.wait}s" + (" (site)" if attempt.locked_site else ""))
            error = (f"登录失败次数过多，登录已暂停，请在 {attempt.wait} 秒后重试。" if attempt.locked_site
                     else f"密码错误次数过多，请在 {attempt.wait} 秒后重试。")
            status = 429
        else:
            audit(f"login failed: {attempt.failures} in a row")
            error = "密码不正确，请重新输入。" + (
                f"连续错误 {attempt.failures} 次，请在 {attempt.wait} 秒后再试。" if attempt.wait else "")
            status = 403
    response = current_app.make_response((render_template(
        "auth/login.html", error=error, next=request.values.get("next", ""),
        enabled=uploads_enabled()), status))
    if status == 429:
        response.headers["Retry-After"] = str(attempt.wait)
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    if session.get(NONCE_KEY):
        guard().close_session(session.get(NONCE_KEY))
        audit("logout")
    session.pop("admin", None)
    session.pop(NONCE_KEY, None)
    flash("已退出登录。", "info")
    return redirect(url_for("search.index"))
