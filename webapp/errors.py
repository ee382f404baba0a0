"""Friendly error pages in Chinese (JSON under /api/). No traceback ever reaches a page;
unexpected exceptions are logged with their traceback and shown as a plain 500 page."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from archive.errors import ArchiveError, QueryError, ReportNotFound

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求有误", "请求的参数不正确。"),
    403: ("无权访问", "您没有权限访问此页面。"),
    404: ("页面不存在", "找不到您要的页面或报告，请检查链接，或从首页重新检索。"),
    405: ("请求方式不对", "此页面不支持这种请求方式。"),
    413: ("文件太大", "上传的文件太大，请分批上传或压缩后再试。"),
    500: ("服务器出错", "服务器处理请求时出错，已记录此问题。请稍后重试或联系管理员。"),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, detail: str | None = None):
    title, default = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    message = detail or default
    if _wants_json():
        return jsonify({"error": message}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    # Our own aborts carry a Chinese description; werkzeug's English defaults are replaced.
    own = exc.description if exc.description and exc.description != type(exc).description else None
    return error_response(exc.code, own)


def _archive_error(exc: ArchiveError):
    if isinstance(exc, ReportNotFound):
        return error_response(404, str(exc))
    if isinstance(exc, QueryError):
        return error_response(400, str(exc))
    log.warning("%s at %s: %s", type(exc).__name__, request.path, exc)
    return error_response(400, str(exc))


def _unexpected(exc: Exception):
    original = getattr(exc, "original_exception", None) or exc
    log.error("unhandled error at %s", request.path, exc_info=original)
    try:
        return error_response(500)
    except Exception:  # the error page itself failed: still no traceback for the user
        log.exception("error page failed")
        return "服务器出错，请稍后重试。", 500, {"Content-Type": "text/plain; charset=utf-8"}


def init_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ArchiveError, _archive_error)
    app.register_error_handler(InternalServerError, _unexpected)
    app.register_error_handler(Exception, _unexpected)
