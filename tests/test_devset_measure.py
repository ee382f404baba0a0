"""The development-set scorer (devset/measure.py) on synthetic inputs written here."""
import json

from archive.model import Paragraph, Place, Report
from devset import measure


def _label(**kw):
    base = dict(file="x.txt", genre="town_report", level="town", town="甲镇", county="乙县", city=None,
                province="丙省", year=2023, title="甲镇2023年法治政府建设工作报告", title_alt=[],
                first_content="甲镇2023年法治政府", furniture=["首页 > 政务公开 > 工作报告", "打印"])
    base.update(kw)
    return base


def _report(title="甲镇2023年法治政府建设工作报告", town="甲镇", county="乙县", year=2023, paragraphs=(), flags=()):
    return Report(title=title, place=Place(province="丙省", county=county, town=town), year=year,
                  flags=list(flags),
                  paragraphs=[Paragraph(id=str(i), kind="text", level=0, part="work", text=t, text_original=t)
                              for i, t in enumerate(paragraphs)])


def test_norm_folds_width_script_and_spaces():
    assert measure.norm("鄉鎮 法治（2023）") == measure.norm("乡镇法治(2023)")
    assert measure.norm(None) == ""


def test_short_furniture_counts_only_as_its_own_paragraph():
    texts = [measure.norm(t) for t in ["请打印本页后签字报送。" * 3, "打印"]]
    assert measure.survives("打印", texts)
    assert not measure.survives("打印", texts[:1])
    assert measure.survives("首页 > 政务公开 > 工作报告", [measure.norm("首页>政务公开>工作报告甲镇2023年")])


def test_score_right_report():
    scored = measure.score(_label(), _report(paragraphs=["2023年，甲镇坚持依法行政。"]))
    assert not scored["level"][0]  # this report sets no level
    assert scored["town"][0] and scored["county"][0] and scored["year"][0] and scored["title"][0]
    assert scored["furniture removed"][0] and scored["title free of furniture"][0]
    assert scored["starts at report"][0] and scored["town report not flagged"][0]
    assert "city" not in scored  # null labels are not measured


def test_score_misses():
    report = _report(title="首页>政务公开>工作报告甲镇2023年法治政府建设工作报告", town=None, county="认真落实市",
                     year=2019, paragraphs=["打印", "2023年，甲镇坚持依法行政。"], flags=["genre_doubt"])
    scored = measure.score(_label(), report)
    for field in ("town", "county", "year", "title", "title free of furniture", "furniture removed",
                  "town report not flagged"):
        assert not scored[field][0], field
    assert scored["furniture removed"][2] == ["首页 > 政务公开 > 工作报告", "打印"]


def test_other_genre_and_alt_titles():
    label = _label(genre="other", town=None, title="关于甲镇的报告", title_alt=["甲镇人民政府关于甲镇的报告"])
    scored = measure.score(label, _report(title="甲镇人民政府关于甲镇的报告", flags=["genre_doubt"]))
    assert scored["title"][0] and scored["other genre flagged"][0]
    assert not scored["no spurious town"][0]  # the label says no town, the report invented one


def test_failed_import_scores_every_field_wrong():
    scored = measure.score(_label(), None)
    assert not scored["town"][0] and not scored["year"][0] and not scored["starts at report"][0]


def test_measure_end_to_end_and_missing_folder(tmp_path, capsys):
    (tmp_path / "x.txt").write_text("首页 > 政务公开 > 工作报告\n甲镇2023年法治政府建设工作报告\n"
                                    "2023年，乙县甲镇坚持依法行政，推进法治政府建设。\n", encoding="utf-8")
    summary = measure.measure([_label()], tmp_path)
    assert summary["docs"] == 1 and summary["fields"]["year"]["total"] == 1
    json.dumps(summary, ensure_ascii=False)
    assert measure.main(["--texts", str(tmp_path / "absent")]) == 0
    assert "nothing measured" in capsys.readouterr().out
