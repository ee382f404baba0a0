"""Placeholder: filled in by the next commit."""
from flask import Blueprint

bp = Blueprint("search", __name__)


@bp.route("/")
def index():
    return "法治报告检索"
