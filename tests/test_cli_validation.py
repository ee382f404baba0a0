"""`archive set` checks what is typed as the web's edit form does (one rule: archive.fields,
archive.spelling): markup and control characters are refused in one line, a place name the
archive spells otherwise is stored in its spelling, and a name nobody knows needs --new-place."""
import shutil

import pytest

import cli.main as cli
from archive.store import Archive


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(sample_data_dir, tmp_path):
    shutil.copytree(sample_data_dir, tmp_path / "data")
    return tmp_path / "data"


@pytest.mark.parametrize("assignment", [
    "town=<img src=x onerror=alert(1)>镇", "title=<script>x()</script>报告", "issuer=司法所\x1b[31m",
    "county=淮滨\u202e县", "town=赵\x00集镇"])
def test_markup_and_control_characters_are_refused_in_one_line(data, capsys, assignment):
    before = Archive(data).markdown("赵集镇-2024")
    code, out, err = run(capsys, "--data", data, "set", "赵集镇-2024", assignment, "--new-place")
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "不能含有标记字符" in err or "不能含有不可见的控制字符 U+" in err
    assert Archive(data).markdown("赵集镇-2024") == before


def test_an_unknown_place_needs_new_place(data, capsys):
    code, _, err = run(capsys, "--data", data, "set", "赵集镇-2024", "town=赵集真")
    assert code == 1 and "--new-place" in err and "赵集镇" in err  # the known name it may mean
    assert Archive(data).get("赵集镇-2024").place.town == "赵集镇"
    code, out, _ = run(capsys, "--data", data, "set", "赵集镇-2024", "town=赵集真", "--new-place")
    assert code == 0 and Archive(data).get("赵集真-2024").place.town == "赵集真"


def test_known_places_need_no_confirmation_and_longer_spellings_are_normalised(data, capsys):
    code, out, _ = run(capsys, "--data", data, "set", "赵集镇-2024", "county=重庆市巴南区")
    assert code == 0 and "已按档案中的写法记为“巴南区”" in out
    assert Archive(data).get("赵集镇-2024").place.county == "巴南区"
    code, _, _ = run(capsys, "--data", data, "set", "赵集镇-2024", "county=颍上县")  # the gazetteer's
    assert code == 0


@pytest.mark.parametrize("bad_id", ["<img src=x>-2024", "赵集镇-2024\x1b[2J", "../赵集镇-2024"])
def test_an_id_with_markup_or_control_characters_is_refused_in_one_line(data, capsys, bad_id):
    for argv in (["set", bad_id, "title=新标题"], ["show", bad_id], ["reimport", bad_id]):
        code, _, err = run(capsys, "--data", data, *argv)
        assert code == 1 and "编号格式不对" in err and len(err.strip().splitlines()) == 1, argv
