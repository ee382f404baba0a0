"""Blueprint `reports` (owned by web-2; registered by `webapp.create_app`)."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
