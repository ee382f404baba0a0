"""Blueprint `compare` (owned by web-2; registered by `webapp.create_app`)."""
from flask import Blueprint

bp = Blueprint("compare", __name__)
