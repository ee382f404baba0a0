"""The shared domain rules (archive.rules): one year range and one set of part names, and every
layer that reads a year or a part agrees with them."""
import pytest

from archive.errors import InvalidField, QueryError
from archive.rules import (PART_LABELS, PARTS, YEAR_MAX, YEAR_MIN, parse_year, part_code,
                           read_years, valid_year)
from archive.fields import validate_fields
from importers.dates import parse_date
from index.query import parse_year as query_years, parse_section


@pytest.mark.parametrize("text, years", [
    ("2024", (2024, 2024)), ("2024年", (2024, 2024)), ("２０２４", (2024, 2024)),
    ("2021-2024", (2021, 2024)), ("2024年至2021年", (2021, 2024)), (" 2021 ～ 2022 ", (2021, 2022)),
    ("1800", (1800, 1800)), ("abc", None), ("20245", None), ("", None), ("2024-", None),
])
def test_read_years_reads_how_years_are_written(text, years):
    assert read_years(text) == years


@pytest.mark.parametrize("value, year", [
    ("2024", 2024), ("2024年", 2024), (2024, 2024), (str(YEAR_MIN), YEAR_MIN), (str(YEAR_MAX), YEAR_MAX),
    (str(YEAR_MIN - 1), None), (str(YEAR_MAX + 1), None), ("2021-2024", None), ("明年", None),
    (True, None), (None, None),
])
def test_parse_year_accepts_one_valid_year(value, year):
    assert parse_year(value) == year


def test_every_layer_uses_the_same_year_range():
    low, high = YEAR_MIN - 1, YEAR_MAX + 1
    assert valid_year(YEAR_MIN) and valid_year(YEAR_MAX) and not valid_year(low)
    for bad in (low, high):
        with pytest.raises(InvalidField, match=str(YEAR_MIN)):
            validate_fields({"year": str(bad)})
        with pytest.raises(QueryError, match="超出范围"):
            query_years(str(bad))
        assert parse_date(f"{bad}年4月13日") is None
    assert validate_fields({"year": f"{YEAR_MIN}年"}) == {"year": YEAR_MIN}
    assert query_years(f"{YEAR_MIN}-{YEAR_MAX}") == (YEAR_MIN, YEAR_MAX)
    assert parse_date(f"{YEAR_MIN}年4月13日") == f"{YEAR_MIN}-04-13"


def test_every_part_is_named_by_its_code_and_its_label():
    assert list(PART_LABELS) == list(PARTS)
    for code, label in PART_LABELS.items():
        assert part_code(code) == part_code(label) == parse_section(label) == code
    assert part_code("问题") == "problems" and part_code("其他") is None
    with pytest.raises(QueryError, match="导语"):
        parse_section("其他")


def test_a_1950s_report_is_imported_searched_and_filtered(tmp_path):
    """One year rule, 1949–2100 (issue 14): the archive holds reports from 1954."""
    import workflows
    from archive.rules import YEAR_MAX, YEAR_MIN, parse_year, valid_year
    from index.query import parse

    assert (YEAR_MIN, YEAR_MAX) == (1949, 2100)
    assert valid_year(1949) and not valid_year(1948) and parse_year("1956年") == 1956
    parse("year:1954-1958 法治")  # the query language takes the same years
    source = tmp_path / "report.txt"
    source.write_text("城关镇1956年法治工作情况报告\n\n1956年，城关镇坚持依法办事，调解民间纠纷三十件。\n\n"
                      "城关镇人民委员会\n1957年1月10日\n", encoding="utf-8")
    archive = workflows.open_archive(tmp_path / "data")
    index = workflows.open_index(archive)
    done = workflows.import_files(archive, index, [source])
    rid = done.results[0].report_id
    assert archive.get(rid).year == 1956
    assert {h.report_id for h in index.search('"调解民间纠纷"', year=1956, per_page=0).hits} == {rid}
    assert {h.report_id for h in index.search('"调解民间纠纷" year:1950-1959', per_page=0).hits} == {rid}
