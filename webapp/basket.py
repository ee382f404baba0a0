"""Blueprint `basket` (owned by web-2; registered by `webapp.create_app`)."""
from flask import Blueprint

bp = Blueprint("basket", __name__)
