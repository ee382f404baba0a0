"""Placeholder: filled in by the next commit."""
from flask import Blueprint

bp = Blueprint("towns", __name__)


@bp.route("/towns")
def index():
    return "法治报告检索"
