"""The upload review shows the gazetteer's namesakes of an ambiguous town; the one the
administrator picks becomes the report's county, city and province (audited corrections), and
the report leaves the review list."""
from __future__ import annotations

import io

import pytest

from helpers import ADMIN_PASSWORD, REPORT_A, make_app

AMBIGUOUS = REPORT_A.encode("utf-8")  # 赵集镇: in 阜南县 (安徽) and 淮滨县 (河南)


def token(client) -> str:
    with client.session_transaction() as session:
        return session.setdefault("_csrf", "test-token")


@pytest.fixture
def client(tmp_path):
    client = make_app(tmp_path).test_client()
    client.post("/login", data={"password": ADMIN_PASSWORD, "csrf_token": token(client)})
    return client


def staged_batch(client) -> str:
    files = [(io.BytesIO(AMBIGUOUS), "a.txt")]
    r = client.post("/upload", data={"csrf_token": token(client), "files": files},
                    content_type="multipart/form-data")
    return r.headers["Location"].rsplit("/", 1)[1]


def test_the_review_lists_the_namesakes_and_the_pick_becomes_the_place(client):
    batch = staged_batch(client)
    page = client.get(f"/upload/{batch}").get_data(as_text=True)
    assert 'data-testid="upload-candidates"' in page and "全国有 2 处同名“赵集镇”" in page
    assert "安徽省 · 阜阳市 · 阜南县 · 赵集镇" in page and "河南省 · 信阳市 · 淮滨县 · 赵集镇" in page
    done = client.post(f"/upload/{batch}", data={"csrf_token": token(client), "import-0": "1",
                                                 "town-0": "赵集镇", "county-0": "", "year-0": "2024",
                                                 "candidate-0": "1"})
    assert done.status_code == 200 and 'data-status="imported"' in done.get_data(as_text=True)
    report = client.get("/api/report/赵集镇-2024").get_json()
    assert report["place"] == {"province": "河南省", "city": "信阳市", "county": "淮滨县", "town": "赵集镇"}
    assert "place_ambiguous" not in report["flags"]
    assert "赵集镇-2024" not in client.get("/review").get_data(as_text=True)


@pytest.mark.parametrize("picked", ["", "7", "x"])
def test_no_pick_or_a_forged_one_leaves_the_place_for_review(client, picked):
    batch = staged_batch(client)
    done = client.post(f"/upload/{batch}", data={"csrf_token": token(client), "import-0": "1",
                                                 "town-0": "赵集镇", "county-0": "", "year-0": "2024",
                                                 "candidate-0": picked})
    assert done.status_code == 200
    report = client.get("/api/report/赵集镇-2024").get_json()
    assert report["place"]["county"] is None and "place_ambiguous" in report["flags"]
    assert "赵集镇-2024" in client.get("/review").get_data(as_text=True)
