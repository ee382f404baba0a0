"""jieba's dictionary cache (index.analysis.load_dictionary, issue 14): the pickle is used
only when it is this user's, private and sound; otherwise jieba loads its own way and the
pickle is written again."""
import os
import pickle

import jieba
import pytest

from index import analysis


@pytest.fixture
def cache(tmp_path, monkeypatch):
    path = tmp_path / "jieba.pickle"
    monkeypatch.setattr(analysis, "dictionary_cache", lambda: path)
    return path


def _load() -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    analysis.load_dictionary(tk)
    return tk


def test_written_private_then_loaded_as_jieba_loads_it(cache):
    built = _load()
    assert cache.exists() and cache.stat().st_mode & 0o077 == 0
    loaded = _load()
    assert loaded.initialized and loaded.total == built.total and loaded.FREQ == built.FREQ
    assert loaded.lcut("依法行政工作") == built.lcut("依法行政工作")


def test_damaged_cache_is_rebuilt(cache):
    cache.write_bytes(b"not a pickle")
    os.chmod(cache, 0o600)
    tk = _load()
    assert tk.FREQ.get("法治") and pickle.loads(cache.read_bytes())[1] == tk.total


def test_cache_others_may_write_is_not_trusted(cache):
    cache.write_bytes(pickle.dumps(({"＃假词＃": 1}, 1)))
    os.chmod(cache, 0o666)
    tk = _load()
    assert "＃假词＃" not in tk.FREQ and tk.FREQ.get("法治")
