"""Shared fixtures, each built once per session and used read-only (a test that writes copies
one first, e.g. with `copy_of`):

- `sample_data_dir` / `sample_app` / `client`: the five samples imported and indexed through
  the workflows, exactly as `archive import samples` does;
- `sample_index_dir` / `sample_index`: a search index over the samples plus the crafted report
  of known phrase variants (tests/helpers.py), for the search and index tests;
- `handmade_app`: the hand-made reports of tests/helpers.py (script toggle, hostile text,
  earlier versions, neighbouring years) for the reading, compare and basket pages;
- `scanned_pdf` / `scanned_data_dir`: a town's two-page report rendered, degraded and sealed as
  a scanner's image-only PDF (bench/scans.py), and an archive holding it, read by OCR once."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import build_archive, build_handmade_archive, crafted_report, make_app, sample_reports

@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("sample-data")
    build_archive(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def sample_app(sample_data_dir):
    """Read-only use: tests that import or change reports build their own app."""
    return make_app(sample_data_dir)


@pytest.fixture
def client(sample_app):
    return sample_app.test_client()


@pytest.fixture(scope="session")
def sample_index_dir(tmp_path_factory) -> Path:
    from index import SearchIndex

    index_dir = tmp_path_factory.mktemp("sample-index")
    SearchIndex(index_dir).rebuild(sample_reports() + [crafted_report()])
    return index_dir


@pytest.fixture(scope="session")
def sample_index(sample_index_dir):
    """Read-only use: tests that update or delete use `fresh_index`."""
    from index import SearchIndex

    return SearchIndex(sample_index_dir)


@pytest.fixture
def fresh_index(sample_index_dir, tmp_path):
    """A test's own copy of the sample index, to change freely."""
    from index import SearchIndex

    return SearchIndex(copy_of(sample_index_dir, tmp_path / "index"))


def copy_of(folder: Path, target: Path) -> Path:
    shutil.copytree(folder, target)
    return target


@pytest.fixture(scope="session")
def handmade_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("handmade-data")
    build_handmade_archive(data_dir)
    return make_app(data_dir)


@pytest.fixture(scope="session")
def scanned_pdf() -> bytes:
    from bench.scans import scanned_town_report

    return scanned_town_report("scan")[0]


@pytest.fixture(scope="session")
def scanned_data_dir(tmp_path_factory, scanned_pdf) -> Path:
    folder = tmp_path_factory.mktemp("scanned-files")
    (folder / "赵集镇2024年法治政府建设工作情况报告（扫描件）.pdf").write_bytes(scanned_pdf)
    data_dir = tmp_path_factory.mktemp("scanned-data")
    build_archive(data_dir, [folder])
    return data_dir
