"""A tiny CSRF guard: one random token per session, required on every POST.

Forms carry it as the hidden field `csrf_token` (`{{ csrf_field() }}` in templates); scripts
send it in the `X-CSRF-Token` header (read it from `<meta name="csrf-token">` in base.html).
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session
from markupsafe import Markup

SESSION_KEY = "_csrf"


def csrf_token() -> str:
    token = session.get(SESSION_KEY)
    if not token:
        token = session[SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % csrf_token()


def _check() -> None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    expected = session.get(SESSION_KEY)
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not expected or not hmac.compare_digest(expected, sent):
        abort(400, description="表单已过期或来源无效，请刷新页面后重试。")


def init_csrf(app: Flask) -> None:
    app.before_request(_check)
    app.jinja_env.globals.update(csrf_token=csrf_token, csrf_field=csrf_field)
