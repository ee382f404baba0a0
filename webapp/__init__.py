"""The web app: `create_app(config)` builds it (flaskr-style factory), `serve()` runs it under waitress.

Only this module and the CLI read configuration; pages reach the library through
`webapp.services` (one `Archive` and one `SearchIndex` per app, opened here).
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

log = logging.getLogger(__name__)

DEFAULTS = {
    "DATA_DIR": "data",
    "SECRET_KEY": None,            # `serve` keeps one in DATA_DIR/secret_key; else random per process
    "ADMIN_PASSWORD_HASH": None,   # werkzeug hash; None → the site is read-only
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,  # one upload request, all files together
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # True when served over HTTPS (`serve`: ARCHIVE_HTTPS=1)
    "PUBLIC_URL": None,            # the site's address in citations (`serve`: ARCHIVE_PUBLIC_URL)
    "TESTING": False,
}


def create_app(config: dict | None = None) -> Flask:
    """Build the app over the data folder `config["DATA_DIR"]`."""
    import workflows

    from webapp import (admin, api, auth, basket, compare, errors, render, reports, search, towns,
                        tracker, trends, upload)
    from webapp.csrf import init_csrf

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.update(config or {})
    app.config["DATA_DIR"] = str(Path(app.config["DATA_DIR"]))
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.json.ensure_ascii = False  # Chinese stays readable in /api/…
    app.json.sort_keys = False

    archive = workflows.open_archive(app.config["DATA_DIR"])
    app.extensions["archive"] = archive
    app.extensions["search_index"] = workflows.open_index(archive)

    for module in (search, towns, api, auth, upload, reports, compare, basket, admin, trends,
                   tracker):
        app.register_blueprint(module.bp)
    errors.init_errors(app)
    init_csrf(app)
    auth.init_logins(app)
    app.after_request(_security_headers)
    render.init_filters(app)
    return app


# Everything is served by the app itself; inline <script> is never needed, so none may run.
# No page may be framed, not even by the site itself (clickjacking on the upload forms).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _secret_key(data_dir: Path) -> str:
    """The session key, kept in the data folder so logins and baskets survive a restart."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        os.replace(tmp, path)
    return path.read_text().strip()


def serve(data_dir: str | os.PathLike, host: str = "127.0.0.1", port: int = 5000) -> None:
    """Run the app under waitress (debug off). `ARCHIVE_ADMIN_PASSWORD` enables uploads;
    it is hashed here and the plaintext is not kept. `ARCHIVE_HTTPS=1` (served behind an HTTPS
    proxy) marks the session cookie Secure, so a browser never sends it over plain HTTP.
    `ARCHIVE_PUBLIC_URL` is the site's address in citations (`public_url`)."""
    import waitress
    from werkzeug.security import generate_password_hash

    password = os.environ.get("ARCHIVE_ADMIN_PASSWORD") or ""
    config = {"DATA_DIR": str(data_dir), "SECRET_KEY": _secret_key(Path(data_dir)),
              "SESSION_COOKIE_SECURE": os.environ.get("ARCHIVE_HTTPS", "") in ("1", "true", "yes"),
              "PUBLIC_URL": public_url(os.environ.get("ARCHIVE_PUBLIC_URL", ""))}
    if password:
        config["ADMIN_PASSWORD_HASH"] = generate_password_hash(password)
    del password
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(config)
    _follow_archive(app)
    log.info("法治报告检索 serving %s on http://%s:%s (uploads %s)", data_dir, host, port,
             "enabled" if config.get("ADMIN_PASSWORD_HASH") else "disabled: read-only")
    waitress.serve(app, host=host, port=port, threads=8)


def public_url(value: str) -> str | None:
    """ARCHIVE_PUBLIC_URL (http://法治档案.司法局.内网:8080/): the office's address for the site,
    used in every citation's permalink instead of the address a browser happened to use.
    Anything but an http(s) address is refused at start-up with one line."""
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SystemExit(f"ARCHIVE_PUBLIC_URL 应为网站地址，如 http://fazhi.sfj.gov:8080，而不是 {value[:80]!r}")
    return value.rstrip("/")


FOLLOW_SECONDS = 10.0  # how soon the served index picks up what a killed or blocked writer left


def _follow_archive(app: Flask) -> threading.Event:
    """Keep the served index in line with the archive from a background thread: at start and
    every FOLLOW_SECONDS, whatever another process wrote, a killed import left half done or an
    import gave up on while a reindex held the lock (the check is two cheap reads when nothing
    changed). Returns the event that stops it."""
    import workflows

    archive, index = app.extensions["archive"], app.extensions["search_index"]

    def run() -> None:
        while not stop.is_set():
            try:
                synced = workflows.sync_index(archive, index)
            except Exception:  # noqa: BLE001 — the thread must outlive any one failure
                log.exception("index follow failed")
            else:
                if synced.updated or synced.removed:
                    log.info("index caught up: %d re-indexed, %d removed",
                             len(synced.updated), len(synced.removed))
                elif synced.error and not synced.busy:
                    log.warning("index cannot follow the archive: %s", synced.error)
            stop.wait(FOLLOW_SECONDS)
    stop = threading.Event()
    threading.Thread(target=run, name="index-follow", daemon=True).start()
    return stop
