"""Shared fixtures for the web tests: one app over a temporary archive holding the five samples,
imported and indexed through the real importer, store and index (built once per session)."""
from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ADMIN_PASSWORD = "测试-admin-pass"


def build_archive(data_dir: Path, files=None) -> None:
    """Import `files` (default: the samples) into `data_dir` and index them, as `archive import`
    does."""
    import workflows

    archive = workflows.open_archive(data_dir)
    done = workflows.import_files(archive, workflows.open_index(archive),
                                  files if files is not None else [SAMPLES])
    assert all(r.status in ("imported", "unchanged") for r in done.results), done.results
    assert done.index.error is None


def make_app(data_dir: Path, password: str | None = ADMIN_PASSWORD):
    from webapp import create_app

    return create_app({
        "DATA_DIR": str(data_dir), "TESTING": True, "SECRET_KEY": "test-secret",
        "ADMIN_PASSWORD_HASH": generate_password_hash(password) if password else None,
    })


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
