"""The development-set scorer (devset/measure.py) on synthetic inputs written here."""
import json

from archive.model import Paragraph, Place, Report
from devset import measure

TEXT = "首页 > 政务公开 > 工作报告\n打印\n甲镇2023年法治政府建设工作报告\n2023年，乙县甲镇坚持依法行政。\n"


def _label(**kw):
    base = dict(file="x.txt", genre="town_report", level="town", town="甲镇", county="乙县", city=None,
                province="丙省", year=2023, title="甲镇2023年法治政府建设工作报告", title_alt=[],
                first_content="甲镇2023年法治政府", furniture=["首页 > 政务公开 > 工作报告", "打印"])
    base.update(kw)
    return base


def _report(title="甲镇2023年法治政府建设工作报告", town="甲镇", county="乙县", year=2023, paragraphs=(),
            flags=(), addressee=None, genre="rule_of_law", level="town"):
    return Report(title=title, place=Place(province="丙省", county=county, town=town), year=year,
                  flags=list(flags), addressee=addressee, genre=genre, level=level,
                  paragraphs=[Paragraph(id=str(i), kind="text", level=0, part="work", text=t, text_original=t)
                              for i, t in enumerate(paragraphs)])


def test_norm_folds_width_script_glosses_and_spaces():
    assert measure.norm("鄉鎮 法治（2023）") == measure.norm("乡镇法治(2023)")
    assert measure.norm("大涌鎮(zhèn)堅(jiān)持") == "大涌镇坚持"
    assert measure.norm("方案(ABC)") == "方案(ABC)"  # not a pinyin gloss
    assert measure.norm(None) == ""


def test_furniture_counts_only_beyond_the_reports_own_text():
    content = measure.content_lines("蒙城县许疃镇\n中共蒙城县许疃镇委员会关于2023年度的报告\n", ["蒙城县许疃镇"])
    kept_in_title = [measure.norm("中共蒙城县许疃镇委员会关于2023年度的报告")]
    assert measure.surviving(["蒙城县许疃镇"], kept_in_title, content) == []
    assert measure.surviving(["蒙城县许疃镇"], ["蒙城县许疃镇"] + kept_in_title, content) == ["蒙城县许疃镇"]
    # a short widget word glued to a neighbour still counts; the same word in prose of the report does not
    content = measure.content_lines("打印\n请打印后报送。\n", ["打印"])
    assert measure.surviving(["打印"], [measure.norm("打印请打印后报送。")], content) == ["打印"]
    assert measure.surviving(["打印"], [measure.norm("请打印后报送。")], content) == []


def test_watermark_labelled_as_substring_is_cut_from_content():
    text = "水印www.x.com湖北省报告。第一水印www.x.com责任人。"
    content = measure.content_lines(text, ["水印www.x.com"])
    assert content == [measure.norm("湖北省报告。第一责任人。")]
    assert measure.surviving(["水印www.x.com"], [measure.norm(text)], content) == ["水印www.x.com"]


def test_score_right_report():
    scored = measure.score(_label(), _report(paragraphs=["2023年，乙县甲镇坚持依法行政。"]), TEXT)
    assert scored["level"][0] and scored["genre"][0]
    assert scored["town"][0] and scored["county"][0] and scored["year"][0] and scored["title"][0]
    assert scored["furniture removed"][0] and scored["title free of furniture"][0]
    assert scored["starts at report"][0] and scored["town report not flagged"][0]
    assert "city" not in scored  # null labels are not measured


def test_score_misses():
    report = _report(title="首页>政务公开>工作报告甲镇2023年法治政府建设工作报告", town=None, county="认真落实市",
                     year=2019, paragraphs=["打印", "2023年，甲镇坚持依法行政。"], flags=["genre_doubt"])
    scored = measure.score(_label(), report, TEXT)
    for field in ("town", "county", "year", "title", "title free of furniture", "furniture removed",
                  "town report not flagged"):
        assert not scored[field][0], field
    assert scored["furniture removed"][2] == ["打印"]
    assert scored["title free of furniture"][2] == ["首页 > 政务公开 > 工作报告"]


def test_addressee_may_start_the_report():
    label = _label(title=None, first_content="县委依法治县办:", furniture=[])
    report = _report(title=None, addressee="县委依法治县办", paragraphs=["2023年，甲镇坚持依法行政。"])
    assert measure.score(label, report, "县委依法治县办:\n2023年，甲镇坚持依法行政。\n")["starts at report"][0]


def test_other_genre_and_alt_titles():
    label = _label(genre="other", genre_note="新闻", town=None, title="关于甲镇的报告",
                   title_alt=["甲镇人民政府关于甲镇的报告"])
    scored = measure.score(label, _report(title="甲镇人民政府关于甲镇的报告", genre="news"), TEXT)
    assert scored["title"][0] and scored["genre"][0]
    assert not scored["no spurious town"][0]  # the label says no town, the report invented one


def test_failed_import_scores_every_field_wrong():
    scored = measure.score(_label(), None, TEXT)
    assert not scored["town"][0] and not scored["year"][0] and not scored["starts at report"][0]


def test_measure_end_to_end_and_missing_folder(tmp_path, capsys):
    (tmp_path / "x.txt").write_text(TEXT, encoding="utf-8")
    summary = measure.measure([_label()], tmp_path)
    assert summary["docs"] == 1 and summary["fields"]["year"]["total"] == 1
    json.dumps(summary, ensure_ascii=False)
    assert measure.main(["--texts", str(tmp_path / "absent")]) == 0
    assert "nothing measured" in capsys.readouterr().out


def test_only_and_show(tmp_path, capsys, monkeypatch):
    (tmp_path / "x.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "007.txt").write_text(TEXT, encoding="utf-8")
    labels = [_label(url="u1"), _label(file="007.txt", url="u2")]
    monkeypatch.setattr(measure, "load_labels", lambda: labels)
    assert measure.main(["--texts", str(tmp_path), "--only", "7", "--show"]) == 0
    out = capsys.readouterr().out
    assert "== 007.txt" in out and "== x.txt" not in out and "got:" in out
    assert measure.main(["--texts", str(tmp_path), "--only", "x", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["docs"] == 1


def test_mixed_scores_genre_level_year_and_invented_places():
    """Issue 15's table: a national report that got a province invented it; a county report's
    town is invented; a town report's wrong county is counted."""
    national = {"file": "n.txt", "genre": "work_report", "level": "national", "year": 2013,
                **dict.fromkeys(measure.PLACES)}
    got = Report(genre="work_report", level="national", year=2013, place=Place(province="香港特别行政区"))
    scored = measure.genre_scores(national, got)
    assert scored["genre right"][0] and scored["level right"][0] and scored["year right"][0]
    assert not scored["places invented"][0] and scored["places invented"][2] == ["province=香港特别行政区"]
    county = {"file": "c.txt", "genre": "rule_of_law", "level": "county", "year": 2023, "town": None,
              "county": "乙县", "city": None, "province": "丙省"}
    assert not measure.genre_scores(county, _report(town="甲镇"))["places invented"][0]
    town = _label(genre="rule_of_law")
    assert not measure.genre_scores(town, _report(county="丁县"))["county given wrongly"][0]
    summary = measure.measure_mixed([(national, b"", "n.txt"), (town, b"", "t.txt")],
                                    read=lambda raw, name: got if name == "n.txt" else _report())
    assert summary["tables"]["level"]["national"]["places invented"] == [0, 1]
    assert summary["tables"]["all"]["all"]["genre right"] == [2, 2]
