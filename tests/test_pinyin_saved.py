"""Spellings kept between starts (archive.pinyin.save_spellings, issue 14): a name spelled
and saved is spelled again without pypinyin; a file others may write is ignored."""
import os

import pytest

from archive import pinyin


@pytest.fixture
def saved(tmp_path, monkeypatch):
    path = tmp_path / "pinyin.pickle"
    monkeypatch.setattr(pinyin, "saved_path", lambda: path)
    monkeypatch.setattr(pinyin, "_SAVED", None)
    monkeypatch.setattr(pinyin, "_NEW", {})
    pinyin.spelled.cache_clear()
    yield path
    pinyin.spelled.cache_clear()


def _fresh_process(monkeypatch):
    monkeypatch.setattr(pinyin, "_SAVED", None)
    monkeypatch.setattr(pinyin, "_NEW", {})
    pinyin.spelled.cache_clear()


def _no_pypinyin(name, **options):
    raise AssertionError(f"pypinyin asked for {name}")


def test_saved_names_need_no_pypinyin(saved, monkeypatch):
    assert pinyin.spelled("重庆市") == "chong qing shi"
    pinyin.save_spellings()
    assert saved.stat().st_mode & 0o077 == 0
    _fresh_process(monkeypatch)
    monkeypatch.setattr(pinyin, "lazy_pinyin", _no_pypinyin)
    assert pinyin.spelled("重庆市") == "chong qing shi"
    with pytest.raises(AssertionError):
        pinyin.spelled("赵集镇")  # new names still go to pypinyin


def test_file_others_may_write_is_ignored(saved, monkeypatch):
    pinyin.spelled("长安镇")
    pinyin.save_spellings()
    os.chmod(saved, 0o666)
    _fresh_process(monkeypatch)
    monkeypatch.setattr(pinyin, "lazy_pinyin", _no_pypinyin)
    with pytest.raises(AssertionError):
        pinyin.spelled("长安镇")
