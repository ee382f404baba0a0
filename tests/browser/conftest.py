"""Browser tests: the real app served over HTTP from a background thread, driven by the system's
headless Chromium through Playwright (no browser is ever downloaded).

Each site is a temporary data folder filled through the workflows (importers → archive → index),
exactly as `archive import` would. Screenshots go to tests/screenshots/
(git-ignored) so a person can look at every page the tests visit.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TESTS = Path(__file__).resolve().parent.parent
SAMPLES = TESTS.parent / "samples"
SCREENSHOTS = TESTS / "screenshots"
ADMIN_PASSWORD = "浏览器测试-admin-pass"
# A second year of 赵集镇, made from its 2024 sample the way towns really write them: last year's
# text with the year changed and a few sections dropped. Gives the archive a town with two years
# (year navigation, town-page comparisons) and a pair of reports that share sentences.
ZHAOJI_SAMPLE = SAMPLES / "000_c5c95290205ada9f.txt"


def zhaoji_previous_year(folder: Path) -> Path:
    lines = ZHAOJI_SAMPLE.read_text("utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("(五)"))
    end = next(n for n, line in enumerate(lines) if line.startswith("二、"))
    text = "\n".join(lines[:start] + lines[end:]).replace("2024年", "2023年")
    path = folder / "赵集镇2023.txt"
    path.write_text(text, "utf-8")
    return path


def fill_archive(data_dir: Path, files: list[Path]) -> None:
    """Import `files` and index them through the workflows, as `archive import` does."""
    import workflows

    archive = workflows.open_archive(data_dir)
    done = workflows.import_files(archive, workflows.open_index(archive), files)
    assert [r.status for r in done.results] == ["imported"] * len(files), done.results
    assert done.index.error is None


@dataclass
class Site:
    """A running server over `data_dir`."""
    url: str
    data_dir: Path
    admin_password: str = ADMIN_PASSWORD

    def archive(self):
        from archive.store import Archive
        return Archive(self.data_dir)

    def report_url(self, report_id: str, paragraph_id: str | None = None) -> str:
        url = f"{self.url}/report/{quote(report_id, safe='')}"
        return url + "#" + quote(f"p-{paragraph_id}", safe="") if paragraph_id else url


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:  # one line per request would bury test failures
        pass


def serve(data_dir: Path):
    """Start the app on 127.0.0.1 (a free port) in a daemon thread; returns (Site, stop)."""
    from webapp import create_app

    app = create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": "browser-tests",
                      "ADMIN_PASSWORD_HASH": generate_password_hash(ADMIN_PASSWORD)})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return Site(f"http://127.0.0.1:{server.server_port}", data_dir), server.shutdown


@pytest.fixture(scope="session")
def start_site():
    """`start_site(data_dir) -> Site`: serve a data folder until the session ends."""
    stops = []

    def start(data_dir: Path) -> Site:
        running, stop = serve(data_dir)
        stops.append(stop)
        return running
    yield start
    for stop in stops:
        stop()


@pytest.fixture(scope="session")
def site(tmp_path_factory, start_site):
    """The five samples plus 赵集镇 2023; the upload test adds one report to it."""
    folder = tmp_path_factory.mktemp("browser-site")
    fill_archive(folder / "data", sorted(SAMPLES.iterdir()) + [zhaoji_previous_year(folder)])
    return start_site(folder / "data")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (Debian packages "
                    "chromium and fonts-wqy-microhei) before the browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser, base_url: str, **context_options):
    """A page in a fresh context (own cookies) that records JavaScript errors, console errors and
    failed subresources in `page.problems`, and the messages of dialogs in `page.dialogs`."""
    context = browser.new_context(base_url=base_url, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900}, **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems, page.dialogs = [], []
    page.on("pageerror", lambda exc: page.problems.append(f"JS error: {exc}"))
    # A page may answer 4xx on purpose (a wrong password); what it loads must not fail.
    page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith(
        "Failed to load resource") and page.problems.append(f"console: {msg.text}"))
    page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
            and page.problems.append(f"{r.status} for {r.url}"))

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()
    page.on("dialog", on_dialog)
    return page


@pytest.fixture
def make_page(browser):
    """`make_page(base_url, **context_options)`; every page must end with no JS errors."""
    pages = []

    def make(base_url, **options):
        pages.append(new_page(browser, base_url, **options))
        return pages[-1]
    yield make
    problems = [p for page in pages for p in page.problems]
    for page in pages:
        page.context.close()
    assert not problems, problems


def logged_in(make_page, running: Site):
    """A page of `running` where the administrator has logged in."""
    page = make_page(running.url)
    page.goto("/login")
    page.get_by_test_id("login-password").fill(running.admin_password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/upload")
    return page


@pytest.fixture
def page(make_page, site):
    return make_page(site.url)


@pytest.fixture(scope="session")
def shot():
    """`shot(page, "01-search")` saves a full-page screenshot as tests/screenshots/01-search.png;
    `full_page=False` keeps what the window shows (e.g. where a link scrolled to)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def save(page, name: str, full_page: bool = True) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
    return save
