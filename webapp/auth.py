"""Administrator login for uploads: one password, stored only as a werkzeug hash.

Without `ADMIN_PASSWORD_HASH` the site is read-only and nobody can log in.
"""
from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)
from werkzeug.security import check_password_hash

from webapp import basket

bp = Blueprint("auth", __name__)


def uploads_enabled() -> bool:
    return bool(current_app.config.get("ADMIN_PASSWORD_HASH"))


def is_admin() -> bool:
    return uploads_enabled() and bool(session.get("admin"))


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
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("upload.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if not uploads_enabled():
        error = "本站未设置管理员密码，为只读模式，不能登录上传。请联系管理员在启动服务时设置 ARCHIVE_ADMIN_PASSWORD。"
    elif request.method == "POST":
        password = request.form.get("password", "")
        if check_password_hash(current_app.config["ADMIN_PASSWORD_HASH"], password):
            # A fresh session against fixation (new CSRF token), but the citation basket stays.
            basket_items = session.get(basket.SESSION_KEY)
            session.clear()
            if basket_items:
                session[basket.SESSION_KEY] = basket_items
            session["admin"] = True
            current_app.logger.info("admin login from %s", request.remote_addr)
            return redirect(_safe_next(request.form.get("next")))
        current_app.logger.warning("failed admin login from %s", request.remote_addr)
        error = "密码不正确，请重新输入。"
    status = 403 if error and request.method == "POST" else 200
    return render_template("auth/login.html", error=error, next=request.values.get("next", ""),
                           enabled=uploads_enabled()), status


@bp.route("/logout", methods=["POST"])
def logout():
    session.pop("admin", None)
    flash("已退出登录。", "info")
    return redirect(url_for("search.index"))
