"""Filters never lie: one-sided year ranges, headings and titles that are hits once each, a trend of every year,
a per-town table that adds up, and an empty result that names the filter that emptied it.
Expected values come from brute-force scans of the stored reports, never from the index."""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from archive.folding import fold
from index.documents import indexed_paragraphs

TERM = "普法"
QUOTED = f'"{TERM}"'          # exact phrase: the oracle is a substring scan


def oracle(app, term=TERM, keep=lambda report, p: True):
    """(report, paragraph) of every stored line whose folded text contains `term`: body
    paragraphs, headings, and the title (a paragraph of kind "title", `index.documents`)."""
    from webapp.services import get_archive
    needle = fold(term)
    with app.app_context():
        return [(r, p) for r in get_archive().reports() for p in indexed_paragraphs(r)
                if needle in fold(p.text) and keep(r, p)]


def csv_rows(client, **query):
    body = client.get("/export.csv?" + urlencode(query)).get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(body[1:])))


def years(app):
    from webapp.services import get_archive
    with app.app_context():
        return sorted({s.year for s in get_archive().summaries() if s.year})


@pytest.mark.parametrize("bounds", ["from", "to"])
def test_one_sided_year_range_means_from_or_until(client, sample_app, bounds):
    all_years = years(sample_app)
    pivot = all_years[1] if bounds == "from" else all_years[-2]
    inside = (lambda y: y >= pivot) if bounds == "from" else (lambda y: y <= pivot)
    expected = oracle(sample_app, keep=lambda r, p: r.year is not None and inside(r.year))
    assert len({r.year for r, _ in expected}) > 1      # the range is more than its one year

    arg = {"year_from": pivot} if bounds == "from" else {"year_to": pivot}
    rows = csv_rows(client, q=QUOTED, **arg)
    assert sorted((r["段落编号"], int(r["年份"])) for r in rows) == sorted(
        (p.id, r.year) for r, p in expected)
    html = client.get("/?" + urlencode({"q": QUOTED, **arg})).get_data(as_text=True)
    assert f"<strong>{len(expected)}</strong> 段" in html
    api_year = f"{pivot}-" if bounds == "from" else f"-{pivot}"
    data = client.get("/api/search?" + urlencode({"q": QUOTED, "year": api_year})).get_json()
    assert data["total_paragraphs"] == len(expected)
    assert all(inside(hit["year"]) for hit in data["hits"])


def test_api_rejects_a_year_range_without_any_year(client):
    r = client.get("/api/search?q=普法&year=-")
    assert r.status_code == 400 and "year" in r.get_json()["error"]


def test_headings_are_hits_once_each_and_still_marked_above_body_hits(client, sample_app):
    expected = oracle(sample_app)
    rows = csv_rows(client, q=QUOTED)
    got = [(r["报告"], r["段落编号"]) for r in rows]
    assert len(got) == len(set(got))
    kinds = {(rep.title, p.id): {"heading": "小标题", "title": "标题"}.get(p.kind, "正文") for rep, p in expected}
    assert {(r["报告"], r["段落编号"]): r["类型"] for r in rows} == kinds
    assert sorted(got) == sorted((rep.title, p.id) for rep, p in expected)
    headings = [(r, p) for r, p in expected if p.kind == "heading"]
    assert headings                                     # the samples do have 普法 headings
    html = client.get("/?" + urlencode({"q": QUOTED, "sort": "town"}) + "&page=1").get_data(as_text=True)
    marks = re.findall(r'data-kind="(\w+)"[^>]*>\s*<span class="kind-mark" data-testid="kind-mark">(\w+)</span>', html)
    assert marks and all((kind, label) in (("heading", "小标题"), ("title", "标题")) for kind, label in marks)
    # A hit under a heading that names 普法 shows that heading, marked, as its section path.
    under = [(r, p) for r, p in expected if any(TERM in fold(h) for h in p.heading_path)]
    assert under
    paths = re.findall(r'data-testid="section-path">(.*?)</div>', html)
    assert any(f"<mark>{TERM}</mark>" in path for path in paths)


def test_trend_spans_the_years_in_scope(client, sample_app):
    """No filter: the first to the last year with reports, every year between (gaps empty);
    a year filter: its range, open ends closed by the reports' years."""
    all_years = years(sample_app)
    expected = oracle(sample_app)
    matched = Counter(r.year for r in {r.id: r for r, _ in expected}.values())

    def drawn(query):
        html = client.get("/?" + urlencode({"q": QUOTED, **query})).get_data(as_text=True)
        wide = html.split('class="chart-narrow"')[0]
        bars = [int(y) for y in re.findall(r'<a class="trend-bar" href="[^"]*" data-year="(\d+)"', wide)]
        counts = dict(re.findall(r'data-year="(\d+)".*?<text class="count"[^>]*>(\d+)/\d+</text>', wide))
        return bars, {int(y): int(n) for y, n in counts.items()}
    bars, counts = drawn({})
    assert bars == list(range(all_years[0], all_years[-1] + 1))
    assert counts == {y: matched.get(y, 0) for y in bars}
    assert drawn({"year_from": all_years[-1]})[0] == [all_years[-1]]
    assert drawn({"year_to": all_years[0]})[0] == [all_years[0]]
    assert drawn({"year_from": 2018, "year_to": 2020})[0] == [2018, 2019, 2020]


def test_empty_result_names_the_filter_and_links_to_the_search_without_it(client, sample_app):
    term = "法律明白人"
    having = {r.place.town for r, _ in oracle(sample_app, term)}
    from webapp.services import get_archive
    with sample_app.app_context():
        town = sorted(s.place.town for s in get_archive().summaries() if s.place.town not in having)[0]
    html = client.get("/?" + urlencode({"q": term, "town": town, "section": "work"})).get_data(as_text=True)
    assert 'data-testid="no-results"' in html
    without_town = len(oracle(sample_app, term, keep=lambda r, p: p.part == "work"))
    found = re.search(r'<strong>乡镇=(.+?)</strong> 使结果为 0；<a href="([^"]+)">去掉此条件有 (\d+) 条</a>', html)
    assert found and found.group(1) == town and int(found.group(3)) == without_town
    link = parse_qs(urlsplit(found.group(2).replace("&amp;", "&")).query)
    assert link == {"q": [term], "section": ["work"]}
    assert "部分=" not in html                       # removing the part alone finds nothing


def test_empty_result_of_the_words_themselves(client):
    html = client.get("/?" + urlencode({"q": '"量子纠缠"', "section": "work"})).get_data(as_text=True)
    assert 'data-testid="why-empty"' in html and "在全部报告中都没有命中" in html


def test_filter_fields_are_never_autofilled(client):
    html = client.get("/?q=普法").get_data(as_text=True)
    form = html[html.index('<form class="search-form"'):html.index("</form>")]
    assert 'data-url-state autocomplete="off"' in form
    fields = re.findall(r"<(?:input|select)\b[^>]*>", form)
    assert fields and all('autocomplete="off"' in f for f in fields)


@pytest.fixture(scope="module")
def townless(tmp_path_factory):
    """The samples plus a report that names no town anywhere."""
    from helpers import SAMPLES, build_archive, make_app
    folder = tmp_path_factory.mktemp("townless")
    extra = folder / "report.txt"
    extra.write_text("2024年法治政府建设工作情况报告\n\n一、主要工作\n\n今年深入开展普法宣传活动，"
                     "举办普法讲座三场，发放普法资料五百份。\n\n二、存在问题\n\n普法形式还比较单一。\n",
                     "utf-8")
    build_archive(folder / "data", sorted(SAMPLES.iterdir()) + [extra])
    return make_app(folder / "data")


def test_town_table_counts_hits_without_a_town_as_unknown(townless):
    expected = oracle(townless)
    no_town = sum(1 for r, _ in expected if not r.place.town)
    assert no_town >= 2
    html = townless.test_client().get("/?q=" + QUOTED).get_data(as_text=True)
    table = html[html.index('data-testid="town-breakdown"'):]
    rows = dict(re.findall(r'<tr data-town="([^"]+)"><td>.*?</td><td>(\d+)</td>', table))
    assert rows["未注明"] == str(no_town)
    assert sum(map(int, rows.values())) == len(expected)
    assert '<a href="/?q=%22%E6%99%AE%E6%B3%95%22&amp;town=%E6%9C%AA' not in table   # not a filter link
