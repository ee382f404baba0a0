"""JSON API: /api/search (the JSON of `archive search --json`), /api/report/<id>, /api/towns."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from webapp.services import get_archive, get_index

HIT_KEYS = {"report_id", "paragraph_id", "title", "town", "county", "year", "section",
            "heading_path", "text", "highlights"}


def test_search_schema_matches_searchresult(client, sample_app):
    r = client.get("/api/search?q=普法&limit=3")
    assert r.status_code == 200 and r.is_json
    data = r.get_json()
    with sample_app.app_context():
        expected = get_index().search("普法", per_page=3).to_dict()  # every stored line, as the page
    assert data == expected
    assert {"query", "mode", "total_paragraphs", "total_reports", "hits", "facets",
            "trend"} <= set(data)
    assert len(data["hits"]) == 3 and data["total_paragraphs"] > 3
    for hit in data["hits"]:
        assert HIT_KEYS <= set(hit)
        assert all("普法" == hit["text"][s:e] for s, e in hit["highlights"])


def test_search_filters_year_range_and_town(client):
    data = client.get("/api/search?q=法治&year=2021-2023&limit=200").get_json()
    assert data["hits"] and all(2021 <= h["year"] <= 2023 for h in data["hits"])
    one = client.get("/api/search?q=法治&year=2024&limit=200").get_json()
    assert one["hits"] and {h["year"] for h in one["hits"]} == {2024}
    town = one["hits"][0]["town"]
    only = client.get(f"/api/search?q=法治&town={quote(town)}&limit=200").get_json()
    assert {h["town"] for h in only["hits"]} == {town}


def test_search_paging(client):
    first = client.get("/api/search?q=法治&limit=2&page=1").get_json()
    second = client.get("/api/search?q=法治&limit=2&page=2").get_json()
    assert first["hits"] and second["hits"]
    assert {(h["report_id"], h["paragraph_id"]) for h in first["hits"]}.isdisjoint(
        (h["report_id"], h["paragraph_id"]) for h in second["hits"])


@pytest.mark.parametrize("query", [
    'q="unbalanced', "q=year:abc", "q=普法&year=20x", "q=普法&limit=0", "q=普法&limit=abc",
    "q=普法&sort=size", "q=普法&section=everything", "q=普法&page=0",
])
def test_search_errors_are_json_400(client, query):
    r = client.get("/api/search?" + query)
    assert r.status_code == 400 and r.is_json
    message = r.get_json()["error"]
    assert message and "\n" not in message and "Traceback" not in message


def test_report_is_the_stored_report(client, sample_app):
    with sample_app.app_context():
        report_id = get_archive().ids()[0]
        expected = get_archive().get(report_id).to_dict()
    r = client.get("/api/report/" + quote(report_id))
    assert r.status_code == 200 and r.get_json() == expected
    assert r.get_json()["paragraphs"]


@pytest.mark.parametrize("path", ["/api/report/不存在镇-2099", "/api/report/..%2F..%2Fetc%2Fpasswd",
                                  "/api/report/%00", "/api/nothing"])
def test_unknown_ids_are_json_404(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.is_json and r.get_json()["error"]


def test_towns_hierarchy_counts(client, sample_app):
    data = client.get("/api/towns").get_json()
    with sample_app.app_context():
        total = len(get_archive().summaries())
    assert data["reports"] == total == 5
    assert sum(node["count"] for node in data["places"]) == total
    assert sum(data["years"].values()) == total

    def towns(nodes):
        for node in nodes:
            if node["level"] == "town":
                yield node
            else:
                yield from towns(node["children"])
    found = {t["name"]: t for t in towns(data["places"])}
    assert "赵集镇" in found and found["赵集镇"]["years"] == [2024]
    assert found["赵集镇"]["reports"][0]["id"].startswith("赵集镇-2024")
