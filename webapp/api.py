"""Placeholder: filled in by the next commit."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
