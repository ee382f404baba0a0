"""`/healthz` for a monitor (systemd, nagios, a load balancer): 200 when the search index holds
the archive's current version of every report, 503 when it is behind (or unreadable), with the
catalogue generation and the index's agreement as JSON. Cheap: the index records the generation
it reflects, so the report-by-report comparison runs only when that differs."""
from __future__ import annotations

from flask import Blueprint, jsonify

import workflows
from archive.errors import ArchiveError
from webapp.services import get_archive, get_index

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    archive, index = get_archive(), get_index()
    generation = str(archive.generation())
    body = {"generation": generation, "reports": len(archive.versions(scan=False))}
    try:
        indexed = index.archive_generation()
        drift = None if indexed == generation else workflows.index_drift(archive, index)
    except ArchiveError as exc:
        body.update(status="index unreadable", error=str(exc))
        return _answer(body, 503)
    body["index_generation"] = indexed
    if drift:
        body.update(status="index behind", missing=len(drift.missing), stale=len(drift.stale),
                    extra=len(drift.extra))
        return _answer(body, 503)
    body.update(status="ok", missing=0, stale=0, extra=0)
    return _answer(body, 200)


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
