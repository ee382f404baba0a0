"""The library objects every page uses, opened once per app by `create_app`."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from archive.store import Archive
    from index import SearchIndex


def get_archive() -> "Archive":
    return current_app.extensions["archive"]


def get_index() -> "SearchIndex":
    return current_app.extensions["search_index"]
