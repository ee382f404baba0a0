"""Scanned reports on the web: the reading page says the text is OCR, marks weak spans and
shows each page of the scan (drawn on demand, ids and page numbers checked); citations say
据扫描件识别; the upload shows OCR progress and the recognised text before confirming."""
from __future__ import annotations

import io
import re
import shutil
import time
from urllib.parse import quote

import pytest
from PIL import Image

import workflows
from helpers import ADMIN_PASSWORD, SAMPLES, make_app, mark_weak


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, scanned_data_dir):
    """A copy of the scanned archive whose stored file marks “枫桥式” as read with low
    confidence, to see the mark on the page."""
    data_dir = shutil.copytree(scanned_data_dir, tmp_path_factory.mktemp("scanned-web") / "data")
    rid, pid = mark_weak(data_dir, "“枫桥式”")
    return make_app(data_dir).test_client(), rid, pid


def url(rid, tail=""):
    return f"/report/{quote(rid)}{tail}"


def test_reading_page_says_ocr_marks_weak_text_and_links_pages(scanned):
    client, rid, pid = scanned
    html = client.get(url(rid)).get_data(as_text=True)
    assert "扫描件识别" in html and 'data-testid="ocr-confidence"' in html
    assert re.search(r'<span class="ocr-weak"[^>]*>“枫桥式”</span>', html)
    pages = re.findall(r'data-testid="scan-page" data-page="(\d)"', html)
    assert pages == ["1", "2"]
    assert html.count('data-testid="scan-link"') == html.count('data-testid="paragraph"')
    assert f'src="/report/{quote(rid)}/page/2"' in html


def test_page_image_is_drawn_from_the_original(scanned):
    client, rid, _ = scanned
    response = client.get(url(rid, "/page/2"))
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(response.data))
    assert image.width == 1000 and 1.3 < image.height / image.width < 1.5   # A4
    assert "max-age" in response.headers["Cache-Control"]


@pytest.mark.parametrize("tail", ["/page/3", "/page/0", "/page/999999", "/page/abc", "/page/-1"])
def test_page_image_refuses_pages_the_scan_lacks(scanned, tail):
    client, rid, _ = scanned
    assert client.get(url(rid, tail)).status_code == 404


def test_page_image_only_for_scans(client):
    html = client.get("/").get_data(as_text=True)
    rid = re.search(r'href="/report/([^"#?]+)"', html).group(1)
    assert client.get(f"/report/{rid}/page/1").status_code == 404
    assert client.get("/report/..%2F..%2Fetc/page/1").status_code == 404


def test_citation_says_the_text_was_recognised_from_a_scan(scanned):
    client, rid, pid = scanned
    text = client.get(url(rid, f"/cite/{quote(pid)}")).get_data(as_text=True)
    assert "据扫描件识别" in text


def _token(client) -> str:
    with client.session_transaction() as session:
        return session.setdefault("_csrf", "test-token")


def _login(client) -> str:
    client.post("/login", data={"password": ADMIN_PASSWORD, "csrf_token": _token(client)})
    return _token(client)


def test_upload_of_a_scan_shows_progress_then_the_recognised_text(tmp_path, scanned_pdf):
    client = make_app(tmp_path).test_client()
    token = _login(client)
    response = client.post("/upload", data={
        "csrf_token": token, "files": [(io.BytesIO(scanned_pdf), "赵集镇扫描件.pdf")]},
        content_type="multipart/form-data")
    review = response.headers["Location"]
    html = client.get(review).get_data(as_text=True)
    seen = []
    deadline = time.monotonic() + 300
    while 'data-testid="ocr-progress"' in html and time.monotonic() < deadline:
        seen.append(re.search(r"第 (\d)/(\d) 页", html).groups())
        time.sleep(0.2)
        html = client.get(review).get_data(as_text=True)
    assert seen and all(total == "2" for _, total in seen)     # 第 N/2 页 while it reads
    assert 'data-testid="scan-review"' in html and "民主法治示范村" in html and "[第 2 页]" in html
    form = {"csrf_token": token, "import-0": "1"}
    done = client.post(review, data=form).get_data(as_text=True)
    assert "赵集镇" in done
    archive = workflows.open_archive(tmp_path)
    (rid,) = archive.ids()
    assert "ocr" in archive.get(rid).flags


def test_upload_of_text_files_stays_immediate(tmp_path):
    client = make_app(tmp_path).test_client()
    token = _login(client)
    sample = sorted(SAMPLES.iterdir())[0]
    response = client.post("/upload", data={
        "csrf_token": token, "files": [(open(sample, "rb"), sample.name)]},
        content_type="multipart/form-data")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="review-form"' in html and 'data-testid="scan-review"' not in html


def test_reading_page_of_a_text_report_has_no_scan_parts(client):
    html = client.get("/").get_data(as_text=True)
    rid = re.search(r'href="/report/([^"#?]+)"', html).group(1)
    page = client.get(f"/report/{rid}").get_data(as_text=True)
    assert 'data-testid="scan-page"' not in page and "ocr-weak" not in page
