"""Placeholder: filled in by the next commit."""
from flask import Blueprint

bp = Blueprint("upload", __name__)


@bp.route("/upload")
def index():
    return "法治报告检索"
