"""The web app: `create_app(config)` builds it (flaskr-style factory), `serve()` runs it under waitress.

Only this module and the CLI read configuration; pages reach the library through
`webapp.services` (one `Archive` and one `SearchIndex` per app, opened here).
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from archive.files import append_log

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
    "TRUSTED_PROXIES": None,       # reverse proxies whose X-Forwarded-For is believed (webapp.addresses)
    "ADMIN_NETWORKS": None,        # never held by the site-wide login pause (webapp.logins)
    "TESTING": False,
}


def create_app(config: dict | None = None) -> Flask:
    """Build the app over the data folder `config["DATA_DIR"]`."""
    import workflows

    from webapp import (admin, analysis_api, api, auth, basket, compare, errors, health, render,
                        reports, reuse, search, towns, tracker, trends, upload)
    from webapp.addresses import TrustedProxies, parse_networks
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
                   tracker, health, analysis_api, reuse):
        app.register_blueprint(module.bp)
    errors.init_errors(app)
    init_csrf(app)
    auth.init_logins(app)
    app.after_request(_security_headers)
    render.init_filters(app)
    proxies = parse_networks(app.config["TRUSTED_PROXIES"], "ARCHIVE_TRUSTED_PROXIES")
    if proxies:
        app.wsgi_app = TrustedProxies(app.wsgi_app, proxies)
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
    `ARCHIVE_TRUSTED_PROXIES` and `ARCHIVE_ADMIN_NETWORKS`: addresses or networks (see
    webapp.addresses, webapp.logins). `ARCHIVE_PUBLIC_URL` is the site's address in citations
    (`public_url`). Errors are logged to data/errors.log too (rotated)."""
    import waitress
    from werkzeug.security import generate_password_hash

    from archive import pinyin
    from archive.errors import ArchiveError
    from webapp.addresses import parse_networks

    password = os.environ.get("ARCHIVE_ADMIN_PASSWORD") or ""
    config = {"DATA_DIR": str(data_dir), "SECRET_KEY": _secret_key(Path(data_dir)),
              "SESSION_COOKIE_SECURE": os.environ.get("ARCHIVE_HTTPS", "") in ("1", "true", "yes")}
    for key in ("TRUSTED_PROXIES", "ADMIN_NETWORKS"):
        try:
            config[key] = parse_networks(os.environ.get(f"ARCHIVE_{key}"), f"ARCHIVE_{key}")
        except ValueError as exc:
            raise ArchiveError(str(exc)) from None
    try:
        config["PUBLIC_URL"] = public_url(os.environ.get("ARCHIVE_PUBLIC_URL", ""))
    except ValueError as exc:
        raise ArchiveError(str(exc)) from None
    if password:
        config["ADMIN_PASSWORD_HASH"] = generate_password_hash(password)
    del password
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().addHandler(ErrorsLog(Path(data_dir) / ERRORS_LOG))
    app = create_app(config)
    _cache_templates(app)
    _warm_up(app)
    pinyin.save_spellings()
    follow_archive(app)
    log.info("法治报告检索 serving %s on http://%s:%s (uploads %s; trusted proxies: %s)", data_dir,
             host, port, "enabled" if config.get("ADMIN_PASSWORD_HASH") else "disabled: read-only",
             ", ".join(map(str, config["TRUSTED_PROXIES"])) or "none")
    waitress.serve(app, host=host, port=port, threads=8)


def public_url(value: str) -> str | None:
    """ARCHIVE_PUBLIC_URL (http://法治档案.司法局.内网:8080/): the office's address for the site,
    used in every citation's permalink instead of the address a browser happened to use.
    Anything but an http(s) address is a ValueError (one line; `serve` stops with it)."""
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"ARCHIVE_PUBLIC_URL 应为网站地址，如 http://fazhi.sfj.gov:8080，而不是 {value[:80]!r}")
    return value.rstrip("/")


ERRORS_LOG = "errors.log"


class ErrorsLog(logging.Handler):
    """Warnings and errors (with their tracebacks) appended to data/errors.log, rotated by size
    (`archive.files.append_log`: safe with the CLI writing the same file)."""

    def __init__(self, path: Path):
        super().__init__(logging.WARNING)
        self.path = path
        self.setFormatter(logging.Formatter("--- %(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            append_log(self.path, self.format(record) + "\n")
        except OSError:
            self.handleError(record)


def _cache_templates(app: Flask) -> None:
    """Keep the compiled templates between starts (Jinja's bytecode cache in the system's temp
    folder, one per user, checked by source checksum): compiling the search page's templates
    was ~0.3 s of every start's CPU before the first answer (issue 14). Only `serve` uses it."""
    from jinja2 import FileSystemBytecodeCache

    try:
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache()
    except (OSError, RuntimeError) as exc:  # an unusable temp folder: compile as before
        log.warning("compiled templates are not cached: %s", exc)


WARM_QUERY = "/?q=%E6%B3%95%E6%B2%BB"  # 法治: a bare word, answered by every layer


def _warm_up(app: Flask) -> None:
    """Answer one bare-word search before the port opens, so the first user's search does not
    wait for what any first query needs: the index snapshot and the exact base's maps, jieba's
    dictionary (~0.3 s from its pickle), the word list, the Whoosh reader, the place lists' pinyin,
    the compiled templates. `bench/startup.py` measures both sides of it."""
    started = time.perf_counter()
    try:
        app.test_client().get(WARM_QUERY)
    except Exception:  # noqa: BLE001 — warming is an optimisation; the real request will say
        log.exception("warm-up search failed")
    log.info("ready for searches after %.1f s of warm-up", time.perf_counter() - started)


FOLLOW_SECONDS = 10.0  # how soon the served index picks up what a killed or blocked writer left


def follow_archive(app: Flask) -> threading.Event:
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
