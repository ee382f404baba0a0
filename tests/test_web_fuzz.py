"""Fuzz every route of the app (enumerated from `app.url_map`) with hostile parameter values:
no answer may be a 5xx or show a traceback.

The parameter names come from the web code itself (every `args/form/values.get("name")` and
`int_arg/year_arg("name")`), so a new route or parameter is fuzzed without editing this file.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.numbers import cli_int, parse_int

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
_NAME_RE = re.compile(r"""(?:args|form|values|source)\.get(?:list)?\(\s*["']([^"'{}]+)["']"""
                      r"""|(?:int|year)_arg\(\s*["']([^"'{}]+)["']""")
# Form fields named with an f-string (`year-{n}`, `import-{n}`), and the search state.
EXTRA_NAMES = ("year-0", "town-0", "county-0", "title-0", "import-0", "page", "limit", "year",
               "year_from", "year_to", "q", "sort", "section", "next", "index", "direction")


def param_names() -> list[str]:
    found = set(EXTRA_NAMES)
    for path in WEBAPP.glob("*.py"):
        for m in _NAME_RE.finditer(path.read_text("utf-8")):
            found.add(next(g for g in m.groups() if g))
    found.discard("csrf_token")  # sent correctly, so the POST routes get past the guard
    return sorted(found)


NAMES = param_names()

# Values that broke or could break number parsing: digits int() rejects after isdigit() said
# yes, other scripts' digits, huge / negative / float numbers, controls, lone escapes.
NASTY = ["²", "①", "٣", "٢٠٢٤", "𝟙", "２０２４", "2024²", "-1", "0", "-0", "+5", " 7 ", "1_000",
         "1e3", "0x10", "NaN", "inf", "", " ", "　", "9" * 40, str(2**63), "2024-2021",
         "2021—2024", "\x00", "\x1b[31m", "\u202e", "\ufeff1", "\r\n", "<script>", "../../etc/passwd",
         "%", "%ZZ", "%E6%B3", "%FF%FE", "%00", "%C0%AF", "%uD800", '"', "'", "a" * 2000]
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=24),
    st.integers(-10**30, 10**30).map(str),
    st.from_regex(r"[0-9]{1,30}", fullmatch=True),
    st.text(alphabet="0123456789²³¹①②⑳٠١٢٣０１２３𝟘𝟙-+. _", max_size=12),
)
# Most values are %-encoded properly; raw ones carry invalid escapes and bytes as sent.
raw_or_quoted = st.tuples(values, st.booleans()).map(
    lambda vb: vb[0] if vb[1] and all(" " < c < "\x7f" for c in vb[0]) else quote(vb[0], safe=""))


def _routes():
    import tempfile

    from webapp import create_app
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": tmp, "TESTING": True})
        return sorted((rule.rule, method) for rule in app.url_map.iter_rules()
                      for method in rule.methods - {"HEAD", "OPTIONS"})


ROUTES = _routes()


@pytest.fixture(scope="module")
def fuzz_app(sample_data_dir, tmp_path_factory):
    """An app over a copy of the sample archive: POST routes may write to it."""
    from helpers import make_app

    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(sample_data_dir, data_dir)
    return make_app(data_dir)


@pytest.fixture(scope="module")
def admin_client(fuzz_app):
    from helpers import ADMIN_PASSWORD

    client = fuzz_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/login", data={"password": ADMIN_PASSWORD, "csrf_token": token}
                       ).status_code == 302
    client.csrf = token
    return client


def _path(rule: str, parts: list[str], report_id: str) -> str:
    """The rule with each <variable> filled: a real report id, or a fuzzed value."""
    out, i = rule, 0
    for m in re.finditer(r"<(?:[^:<>]+:)?([^<>]+)>", rule):
        value = report_id if m.group(1) == "report_id" and i % 2 == 0 else parts[i % len(parts)]
        out = out.replace(m.group(0), quote(value, safe="") or "x", 1)
        i += 1
    return out


@pytest.mark.parametrize("rule, method", ROUTES)
def test_route_survives_hostile_parameters(admin_client, rule, method):
    report_id = sorted(p.stem for p in Path(admin_client.application.config["DATA_DIR"],
                                            "reports").glob("*.md"))[0]

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(query=st.lists(st.tuples(st.sampled_from(NAMES), raw_or_quoted), max_size=6),
           parts=st.lists(values, min_size=1, max_size=2))
    def check(query, parts):
        url = _path(rule, parts, report_id)
        qs = "&".join(f"{quote(k, safe='')}={v}" for k, v in query)
        if method == "GET":
            response = admin_client.get(f"{url}?{qs}")
        else:
            response = admin_client.open(url, method=method, data=f"{qs}&csrf_token={admin_client.csrf}",
                                         content_type="application/x-www-form-urlencoded")
        body = response.get_data()
        assert response.status_code < 500, (method, url, qs, body[:300])
        assert b"Traceback" not in body and b'File "' not in body, (method, url, qs)

    check()


@pytest.mark.parametrize("url, status, message", [
    ("/?q=法&page=²", 200, "页码“²”无效"),
    ("/?q=法&year_from=①", 200, "起始年份“①”无效"),
    ("/?q=法&year_to=٢٠٢٤", 200, "截止年份“٢٠٢٤”无效"),
    ("/api/search?q=法&limit=²", 400, "参数 limit“²”无效"),
    ("/api/search?q=法&page=99999999999", 400, "参数 page“99999999999”无效"),
    ("/api/search?q=法&year=٢٠٢٤", 400, "参数 year"),
    ("/export.csv?q=法&year_to=²", 400, "截止年份“²”无效"),
    ("/export.md?q=法&page=-1", 400, "页码“-1”无效"),
])
def test_crafted_numbers_get_a_message(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_dropped_value_keeps_the_rest_of_the_search(client):
    """The bad page number is ignored; the query and the good year filter still apply."""
    bad = client.get("/?q=法治&year_from=①&year_to=2024&page=²").get_data(as_text=True)
    good = client.get("/?q=法治&year_to=2024").get_data(as_text=True)
    hits = lambda html: re.findall(r'href="/report/[^"]+"', html)
    assert hits(bad) and hits(bad) == hits(good)
    assert "页码“²”无效" in bad and "起始年份“①”无效" in bad and "无效" not in good


def test_full_width_digits_typed_by_an_ime_are_read():
    assert parse_int("２０２４", 1949, 2100) == 2024
    assert parse_int(" 2024 ", 1949, 2100) == 2024


@pytest.mark.parametrize("text", ["²", "①", "٣", "𝟙", "1_0", "+5", "-1", "1e3", "0x1", "", "9" * 10,
                                  "2024²", "2024\n1", "\x00"])
def test_parse_int_refuses_anything_but_digits(text):
    assert parse_int(text, -10, 10**12) is None


@pytest.mark.parametrize("text, expected", [("0", 0), ("7", 7), ("007", 7), ("999999999", 999999999)])
def test_parse_int_bounds(text, expected):
    assert parse_int(text, 0, 999999999) == expected
    assert parse_int(text, expected + 1, 10**9) is None


@given(st.text(max_size=12))
def test_parse_int_agrees_with_an_ascii_oracle(text):
    stripped = text.strip(" \t\u3000").translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    ok = 0 < len(stripped) <= 9 and all(c in "0123456789" for c in stripped)
    assert parse_int(text, 0, 10**9) == (int(stripped) if ok else None)


@pytest.mark.parametrize("argv", [
    ["serve", "--port", "²"], ["serve", "--port", "70000"], ["serve", "--port", "٣٠٠٠"],
    ["search", "法", "--limit", "①"], ["search", "法", "--limit", "-1"],
])
def test_cli_numbers_are_usage_errors(tmp_path, capsys, argv):
    from cli.main import main

    assert main(["--data", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert "之间的整数" in err and "Traceback" not in err


def test_cli_int_message():
    with pytest.raises(Exception, match="应为 1–65535 之间的整数"):
        cli_int(1, 65535)("①")
